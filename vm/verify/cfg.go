package verify

import (
	"fmt"
	"sort"
)

// subprog is a function of the program: the main program or a bpf-to-bpf
// callee or callback.
type subprog struct {
	start, end int // [start, end) raw instruction slots
	depth      int // deepest stack byte touched (explored)
	callees    []int
}

// validate checks each instruction on its own: known opcode, registers in
// range, reserved fields zero.
func (v *verifier) validate() error {
	if len(v.code) == 0 {
		return &Error{Insn: 0, Msg: "the program is empty"}
	}
	if len(v.code) > 1000000 {
		return &Error{Insn: 1000000, Msg: fmt.Sprintf("program has %d instructions, over the kernel's 1,000,000", len(v.code))}
	}
	for i := range v.code {
		c := &v.code[i]
		if c.half {
			continue
		}
		if err := v.validateInsn(i, c); err != nil {
			return err
		}
	}
	return nil
}

func (v *verifier) validateInsn(i int, c *raw) error {
	bad := func(format string, a ...any) error {
		return &Error{Insn: i, Msg: fmt.Sprintf(format, a...)}
	}
	if c.dst > 10 {
		return bad("register r%d does not exist (r0 to r10)", c.dst)
	}
	if c.src > 10 && !(class(c.op) == clsLD && c.op == opLDDW) && !(c.op == clsJMP|jmpCALL) {
		return bad("register r%d does not exist (r0 to r10)", c.src)
	}
	reserved := func(name string) error { return bad("%s instruction uses reserved fields", name) }
	switch class(c.op) {
	case clsALU, clsALU64:
		op := c.op & 0xf0
		is64 := class(c.op) == clsALU64
		switch op {
		case aluADD, aluSUB, aluMUL, aluOR, aluAND, aluLSH, aluRSH, aluXOR, aluARSH:
			if c.op&srcX != 0 {
				if c.imm != 0 || c.off != 0 {
					return reserved("ALU")
				}
			} else if c.src != 0 || c.off != 0 {
				return reserved("ALU")
			}
		case aluDIV, aluMOD:
			if c.off != 0 && c.off != 1 {
				return reserved("ALU")
			}
			if c.op&srcX != 0 {
				if c.imm != 0 {
					return reserved("ALU")
				}
			} else {
				if c.src != 0 {
					return reserved("ALU")
				}
				if c.imm == 0 {
					return bad("division by the constant zero")
				}
			}
		case aluNEG:
			if c.src != 0 || c.off != 0 || c.imm != 0 || c.op&srcX != 0 {
				return reserved("NEG")
			}
		case aluEND:
			if c.src != 0 || c.off != 0 || (c.imm != 16 && c.imm != 32 && c.imm != 64) || (is64 && c.op&srcX != 0) {
				return reserved("END")
			}
		case aluMOV:
			if c.op&srcX != 0 {
				if c.imm != 0 && !(is64 && c.imm == 1 && c.off == 0) {
					return reserved("MOV")
				}
				if c.off != 0 && c.off != 8 && c.off != 16 && !(is64 && c.off == 32) {
					return reserved("MOV")
				}
			} else if c.src != 0 || c.off != 0 {
				return reserved("MOV")
			}
		default:
			return bad("unknown opcode %#02x", c.op)
		}
		if op == aluLSH || op == aluRSH || op == aluARSH {
			if c.op&srcX == 0 {
				bitsz := int32(32)
				if is64 {
					bitsz = 64
				}
				if c.imm < 0 || c.imm >= bitsz {
					return bad("shift by %d is not below the operand's %d bits", c.imm, bitsz)
				}
			}
		}
	case clsJMP, clsJMP32:
		op := c.op & 0xf0
		switch op {
		case jmpJA:
			if c.op&srcX != 0 || c.src != 0 || c.dst != 0 || (class(c.op) == clsJMP && c.imm != 0) || (class(c.op) == clsJMP32 && c.off != 0) {
				return reserved("JA")
			}
		case jmpCALL:
			if class(c.op) == clsJMP32 || c.op&srcX != 0 || c.off != 0 || c.dst != 0 || (c.src != 0 && c.src != pseudoCall && c.src != 2) {
				return reserved("CALL")
			}
		case jmpEXIT:
			if class(c.op) == clsJMP32 || c.op&srcX != 0 || c.src != 0 || c.dst != 0 || c.off != 0 || c.imm != 0 {
				return reserved("EXIT")
			}
		case jmpJEQ, jmpJGT, jmpJGE, jmpJSET, jmpJNE, jmpJSGT, jmpJSGE, jmpJLT, jmpJLE, jmpJSLT, jmpJSLE:
			if c.op&srcX != 0 {
				if c.imm != 0 {
					return reserved("jump")
				}
			} else if c.src != 0 {
				return reserved("jump")
			}
		default:
			return bad("unknown opcode %#02x", c.op)
		}
	case clsLD:
		mode := c.op & 0xe0
		switch {
		case c.op == opLDDW:
			switch c.src {
			case 0, pseudoMapFD, pseudoMapValue, pseudoFunc, pseudoBTFID:
			default:
				return bad("lddw with unsupported source %d", c.src)
			}
			if c.off != 0 {
				return reserved("lddw")
			}
			if i+1 >= len(v.code) || !v.code[i+1].half {
				return bad("lddw is not followed by its second half")
			}
			if c.src == pseudoMapValue && c.m != nil {
				if c.imm64 >= uint64(c.m.spec.ValueSize) {
					return bad("address %d past the %d-byte value of map %s", c.imm64, c.m.spec.ValueSize, c.m.name)
				}
			}
		case mode == modeABS || mode == modeIND:
			sz := c.op & 0x18
			if sz == szDW || c.off != 0 || c.dst != 0 || (mode == modeABS && c.src != 0) {
				return reserved("LD_ABS/LD_IND")
			}
		default:
			return bad("unknown opcode %#02x", c.op)
		}
	case clsLDX:
		mode := c.op & 0xe0
		if (mode != modeMEM && mode != modeMEMSX) || c.imm != 0 || (mode == modeMEMSX && c.op&0x18 == szDW) {
			if mode != modeMEM && mode != modeMEMSX {
				return bad("unknown opcode %#02x", c.op)
			}
			return reserved("LDX")
		}
	case clsST:
		if c.op&0xe0 != modeMEM {
			return bad("unknown opcode %#02x", c.op)
		}
		if c.src != 0 {
			return reserved("ST")
		}
	case clsSTX:
		mode := c.op & 0xe0
		switch mode {
		case modeMEM:
			if c.imm != 0 {
				return reserved("STX")
			}
		case modeATOMIC:
			sz := c.op & 0x18
			if sz != szW && sz != szDW {
				return bad("atomic operation on %s, which is not 4 or 8 bytes", sizeName(sz))
			}
			switch c.imm {
			case aluADD, aluOR, aluAND, aluXOR,
				aluADD | atomicFETCH, aluOR | atomicFETCH, aluAND | atomicFETCH, aluXOR | atomicFETCH,
				atomicXCHG, atomicCMPX:
			default:
				return bad("unknown atomic operation %#x", c.imm)
			}
		default:
			return bad("unknown opcode %#02x", c.op)
		}
	}
	return nil
}

func sizeName(sz uint8) string {
	switch sz {
	case szB:
		return "1 byte"
	case szH:
		return "2 bytes"
	case szW:
		return "4 bytes"
	}
	return "8 bytes"
}

func sizeBytes(op uint8) int {
	switch op & 0x18 {
	case szB:
		return 1
	case szH:
		return 2
	case szW:
		return 4
	}
	return 8
}

// isJump reports a jump with a target (not call or exit).
func isJump(c *raw) bool {
	cl := class(c.op)
	if cl != clsJMP && cl != clsJMP32 {
		return false
	}
	op := c.op & 0xf0
	return op != jmpCALL && op != jmpEXIT
}

func jumpTarget(i int, c *raw) int {
	if class(c.op) == clsJMP32 && c.op&0xf0 == jmpJA {
		return i + 1 + int(c.imm)
	}
	return i + 1 + int(c.off)
}

// isPseudoCall reports a bpf-to-bpf call; isFuncRef a lddw of a
// subprogram's address.
func isPseudoCall(c *raw) bool { return c.op == clsJMP|jmpCALL && c.src == pseudoCall }
func isFuncRef(c *raw) bool    { return c.op == opLDDW && c.src == pseudoFunc }

// buildCFG finds subprograms, checks jumps stay inside them and every
// instruction is reachable, and marks the prune points.
func (v *verifier) buildCFG() error {
	n := len(v.code)
	starts := map[int]bool{0: true}
	for i := range v.code {
		c := &v.code[i]
		if c.half {
			continue
		}
		if isPseudoCall(c) || isFuncRef(c) {
			t := i + 1 + int(c.imm)
			if t < 0 || t >= n || v.code[t].half {
				return &Error{Insn: i, Msg: fmt.Sprintf("call to instruction %d, which is outside the program", t)}
			}
			starts[t] = true
			if isFuncRef(c) {
				v.callbackStart[t] = true
			}
		}
	}
	var list []int
	for s := range starts {
		list = append(list, s)
	}
	sort.Ints(list)
	v.subOf = make([]int, n)
	for k, s := range list {
		e := n
		if k+1 < len(list) {
			e = list[k+1]
		}
		v.subprogs = append(v.subprogs, &subprog{start: s, end: e})
		for i := s; i < e; i++ {
			v.subOf[i] = k
		}
	}
	v.subStart = map[int]int{}
	for k, sp := range v.subprogs {
		v.subStart[sp.start] = k
	}
	for _, sp := range v.subprogs {
		last := sp.end - 1
		c := &v.code[last]
		if c.half || !(c.op == clsJMP|jmpEXIT || c.op == clsJMP|jmpJA || c.op == clsJMP32|jmpJA) {
			return &Error{Insn: last, Msg: "the last instruction of a function is not exit or an unconditional jump: execution would run off its end"}
		}
	}
	for i := range v.code {
		c := &v.code[i]
		if c.half || !isJump(c) {
			continue
		}
		t := jumpTarget(i, c)
		sp := v.subprogs[v.subOf[i]]
		if t < sp.start || t >= sp.end {
			return &Error{Insn: i, Msg: fmt.Sprintf("jump from instruction %d to %d goes outside its function", i, t)}
		}
		if v.code[t].half {
			return &Error{Insn: i, Msg: fmt.Sprintf("jump to instruction %d lands in the middle of a lddw", t)}
		}
	}
	// Depth-first walk: reachability and back-edges.
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, n)
	v.prune = make([]bool, n)
	type item struct {
		at   int
		next int // successors tried so far
	}
	succ := func(i int) []int {
		c := &v.code[i]
		var out []int
		switch {
		case c.op == clsJMP|jmpEXIT:
		case isJump(c):
			t := jumpTarget(i, c)
			if c.op&0xf0 == jmpJA {
				out = append(out, t)
			} else {
				out = append(out, i+1, t)
			}
		case c.op == opLDDW:
			out = append(out, i+2)
			if isFuncRef(c) {
				out = append(out, i+1+int(c.imm))
			}
		case isPseudoCall(c):
			out = append(out, i+1, i+1+int(c.imm))
		default:
			out = append(out, i+1)
		}
		return out
	}
	stack := []item{{0, 0}}
	color[0] = grey
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		ss := succ(top.at)
		if top.next >= len(ss) {
			color[top.at] = black
			stack = stack[:len(stack)-1]
			continue
		}
		t := ss[top.next]
		top.next++
		from := top.at
		if t >= n {
			return &Error{Insn: from, Msg: "execution runs past the end of the program"}
		}
		c := &v.code[from]
		if isJump(c) && t == jumpTarget(from, c) {
			v.prune[t] = true
		}
		if isPseudoCall(c) {
			v.prune[from+1] = true
		}
		if c.op == clsJMP|jmpCALL && c.src == 0 && isCallbackHelper(c.imm) {
			v.prune[from] = true
		}
		switch color[t] {
		case white:
			color[t] = grey
			stack = append(stack, item{t, 0})
		case grey:
			v.prune[t] = true
		}
	}
	for i := range v.code {
		if !v.code[i].half && color[i] == white {
			return &Error{Insn: i, Msg: "unreachable instruction: no path from the start leads here"}
		}
	}
	for _, sp := range v.subprogs {
		v.prune[sp.start] = true
	}
	v.liveness()
	v.precision()
	return nil
}

// liveness computes, for every instruction, the registers that some path
// from it may read before writing. Pruning compares only those.
func (v *verifier) liveness() {
	n := len(v.code)
	v.live = make([]uint16, n)
	const callerSaved = 0x3f // r0-r5
	use := make([]uint16, n)
	def := make([]uint16, n)
	for i := range v.code {
		c := &v.code[i]
		if c.half {
			continue
		}
		d, s := uint16(1)<<c.dst, uint16(1)<<(c.src&0xf)
		switch class(c.op) {
		case clsALU, clsALU64:
			op := c.op & 0xf0
			if op != aluMOV {
				use[i] |= d
			}
			if c.op&srcX != 0 && op != aluEND {
				use[i] |= s
			}
			def[i] = d
		case clsLDX:
			use[i] = s
			def[i] = d
		case clsST:
			use[i] = d
		case clsSTX:
			use[i] = d | s
			if c.op&0xe0 == modeATOMIC {
				if c.imm == atomicCMPX {
					use[i] |= 1
					def[i] = 1
				} else if c.imm&atomicFETCH != 0 {
					def[i] = s
				}
			}
		case clsLD:
			if c.op == opLDDW {
				def[i] = d
			} else {
				use[i] = 1 << 6
				if c.op&0xe0 == modeIND {
					use[i] |= s
				}
				def[i] = callerSaved
			}
		case clsJMP, clsJMP32:
			switch c.op & 0xf0 {
			case jmpCALL:
				use[i] = 0x3e
				def[i] = callerSaved
			case jmpEXIT:
				use[i] = 1
			case jmpJA:
			default:
				use[i] = d
				if c.op&srcX != 0 {
					use[i] |= s
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			c := &v.code[i]
			if c.half {
				continue
			}
			var out uint16
			switch {
			case c.op == clsJMP|jmpEXIT:
			case isJump(c):
				out = v.live[jumpTarget(i, c)]
				if c.op&0xf0 != jmpJA {
					out |= v.live[i+1]
				}
			case c.op == opLDDW:
				if i+2 < n {
					out = v.live[i+2]
				}
			default:
				if i+1 < n {
					out = v.live[i+1]
				}
			}
			in := use[i] | out&^def[i]
			if in != v.live[i] {
				v.live[i] = in
				changed = true
			}
		}
	}
}
