package verify

import (
	"fmt"
	"sort"

	"github.com/gotrace/gotrace/internal/reuse"
	"github.com/gotrace/gotrace/vm/insn"
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
		if c.Filler {
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
	if c.Dst > 10 {
		return bad("register r%d does not exist (r0 to r10)", c.Dst)
	}
	if c.Src > 10 && !(c.Class() == insn.LD && c.Op == insn.LDDW) && !(c.Op == insn.JMP|insn.CALL) {
		return bad("register r%d does not exist (r0 to r10)", c.Src)
	}
	reserved := func(name string) error { return bad("%s instruction uses reserved fields", name) }
	switch c.Class() {
	case insn.ALU, insn.ALU64:
		op := c.Code()
		is64 := c.Class() == insn.ALU64
		switch op {
		case insn.ADD, insn.SUB, insn.MUL, insn.OR, insn.AND, insn.LSH, insn.RSH, insn.XOR, insn.ARSH:
			if c.Op&insn.X != 0 {
				if c.Imm != 0 || c.Off != 0 {
					return reserved("ALU")
				}
			} else if c.Src != 0 || c.Off != 0 {
				return reserved("ALU")
			}
		case insn.DIV, insn.MOD:
			if c.Off != 0 && c.Off != 1 {
				return reserved("ALU")
			}
			if c.Op&insn.X != 0 {
				if c.Imm != 0 {
					return reserved("ALU")
				}
			} else {
				if c.Src != 0 {
					return reserved("ALU")
				}
				if c.Imm == 0 {
					return bad("division by the constant zero")
				}
			}
		case insn.NEG:
			if c.Src != 0 || c.Off != 0 || c.Imm != 0 || c.Op&insn.X != 0 {
				return reserved("NEG")
			}
		case insn.END:
			if c.Src != 0 || c.Off != 0 || (c.Imm != 16 && c.Imm != 32 && c.Imm != 64) || (is64 && c.Op&insn.X != 0) {
				return reserved("END")
			}
		case insn.MOV:
			if c.Op&insn.X != 0 {
				if c.Imm != 0 && !(is64 && c.Imm == 1 && c.Off == 0) {
					return reserved("MOV")
				}
				if c.Off != 0 && c.Off != 8 && c.Off != 16 && !(is64 && c.Off == 32) {
					return reserved("MOV")
				}
			} else if c.Src != 0 || c.Off != 0 {
				return reserved("MOV")
			}
		default:
			return bad("unknown opcode %#02x", c.Op)
		}
		if op == insn.LSH || op == insn.RSH || op == insn.ARSH {
			if c.Op&insn.X == 0 {
				bitsz := int32(32)
				if is64 {
					bitsz = 64
				}
				if c.Imm < 0 || c.Imm >= bitsz {
					return bad("shift by %d is not below the operand's %d bits", c.Imm, bitsz)
				}
			}
		}
	case insn.JMP, insn.JMP32:
		op := c.Code()
		switch op {
		case insn.JA:
			if c.Op&insn.X != 0 || c.Src != 0 || c.Dst != 0 || (c.Class() == insn.JMP && c.Imm != 0) || (c.Class() == insn.JMP32 && c.Off != 0) {
				return reserved("JA")
			}
		case insn.CALL:
			if c.Class() == insn.JMP32 || c.Op&insn.X != 0 || c.Off != 0 || c.Dst != 0 || (c.Src != 0 && c.Src != insn.PseudoCall && c.Src != insn.PseudoKfuncCall) {
				return reserved("CALL")
			}
		case insn.EXIT:
			if c.Class() == insn.JMP32 || c.Op&insn.X != 0 || c.Src != 0 || c.Dst != 0 || c.Off != 0 || c.Imm != 0 {
				return reserved("EXIT")
			}
		case insn.JEQ, insn.JGT, insn.JGE, insn.JSET, insn.JNE, insn.JSGT, insn.JSGE, insn.JLT, insn.JLE, insn.JSLT, insn.JSLE:
			if c.Op&insn.X != 0 {
				if c.Imm != 0 {
					return reserved("jump")
				}
			} else if c.Src != 0 {
				return reserved("jump")
			}
		default:
			return bad("unknown opcode %#02x", c.Op)
		}
	case insn.LD:
		mode := c.Mode()
		switch {
		case c.Op == insn.LDDW:
			switch c.Src {
			case 0, insn.PseudoMapFD, insn.PseudoMapValue, insn.PseudoFunc, insn.PseudoBTFID:
			default:
				return bad("lddw with unsupported source %d", c.Src)
			}
			if c.Off != 0 {
				return reserved("lddw")
			}
			if i+1 >= len(v.code) || !v.code[i+1].Filler {
				return bad("lddw is not followed by its second half")
			}
			if c.Src == insn.PseudoMapValue && c.m != nil {
				if off := uint32(c.Next); off >= c.m.spec.ValueSize {
					return bad("address %d past the %d-byte value of map %s", off, c.m.spec.ValueSize, c.m.name)
				}
			}
		case mode == insn.ABS || mode == insn.IND:
			sz := c.Size()
			if sz == insn.DW || c.Off != 0 || c.Dst != 0 || (mode == insn.ABS && c.Src != 0) {
				return reserved("LD_ABS/LD_IND")
			}
		default:
			return bad("unknown opcode %#02x", c.Op)
		}
	case insn.LDX:
		mode := c.Mode()
		if (mode != insn.MEM && mode != insn.MEMSX) || c.Imm != 0 || (mode == insn.MEMSX && c.Size() == insn.DW) {
			if mode != insn.MEM && mode != insn.MEMSX {
				return bad("unknown opcode %#02x", c.Op)
			}
			return reserved("LDX")
		}
	case insn.ST:
		if c.Mode() != insn.MEM {
			return bad("unknown opcode %#02x", c.Op)
		}
		if c.Src != 0 {
			return reserved("ST")
		}
	case insn.STX:
		mode := c.Mode()
		switch mode {
		case insn.MEM:
			if c.Imm != 0 {
				return reserved("STX")
			}
		case insn.ATOMIC:
			sz := c.Size()
			if sz != insn.W && sz != insn.DW {
				return bad("atomic operation on %s, which is not 4 or 8 bytes", sizeName(sz))
			}
			switch c.Imm {
			case insn.ADD, insn.OR, insn.AND, insn.XOR,
				insn.ADD | insn.FETCH, insn.OR | insn.FETCH, insn.AND | insn.FETCH, insn.XOR | insn.FETCH,
				insn.XCHG, insn.CMPXCHG:
			default:
				return bad("unknown atomic operation %#x", c.Imm)
			}
		default:
			return bad("unknown opcode %#02x", c.Op)
		}
	}
	return nil
}

func sizeName(sz uint8) string {
	switch sz {
	case insn.B:
		return "1 byte"
	case insn.H:
		return "2 bytes"
	case insn.W:
		return "4 bytes"
	}
	return "8 bytes"
}

// isJump reports a jump with a target (not call or exit).
func isJump(c *raw) bool {
	cl := c.Class()
	if cl != insn.JMP && cl != insn.JMP32 {
		return false
	}
	op := c.Code()
	return op != insn.CALL && op != insn.EXIT
}

// isPseudoCall reports a bpf-to-bpf call; isFuncRef a lddw of a
// subprogram's address.
func isPseudoCall(c *raw) bool { return c.Op == insn.JMP|insn.CALL && c.Src == insn.PseudoCall }
func isFuncRef(c *raw) bool    { return c.Op == insn.LDDW && c.Src == insn.PseudoFunc }

// buildCFG finds subprograms, checks jumps stay inside them and every
// instruction is reachable, and marks the prune points.
func (v *verifier) buildCFG() error {
	n := len(v.code)
	starts := map[int]bool{0: true}
	for i := range v.code {
		c := &v.code[i]
		if c.Filler {
			continue
		}
		if isPseudoCall(c) || isFuncRef(c) {
			t := c.Target(i)
			if t < 0 || t >= n || v.code[t].Filler {
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
	v.subOf = reuse.Zeroed(&v.perInsn.subOf, n)
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
		if c.Filler || !(c.Op == insn.JMP|insn.EXIT || c.Op == insn.JMP|insn.JA || c.Op == insn.JMP32|insn.JA) {
			return &Error{Insn: last, Msg: "the last instruction of a function is not exit or an unconditional jump: execution would run off its end"}
		}
	}
	for i := range v.code {
		c := &v.code[i]
		if c.Filler || !isJump(c) {
			continue
		}
		t := c.Target(i)
		sp := v.subprogs[v.subOf[i]]
		if t < sp.start || t >= sp.end {
			return &Error{Insn: i, Msg: fmt.Sprintf("jump from instruction %d to %d goes outside its function", i, t)}
		}
		if v.code[t].Filler {
			return &Error{Insn: i, Msg: fmt.Sprintf("jump to instruction %d lands in the middle of a lddw", t)}
		}
	}
	// Depth-first walk: reachability and back-edges.
	const (
		white = iota
		grey
		black
	)
	color := reuse.Zeroed(&v.perInsn.color, n)
	v.prune = reuse.Zeroed(&v.perInsn.prune, n)
	var succBuf [2]int // no instruction has more than two successors
	succ := func(i int) []int {
		c := &v.code[i]
		out := succBuf[:0]
		switch {
		case c.Op == insn.JMP|insn.EXIT:
		case isJump(c):
			t := c.Target(i)
			if c.Code() == insn.JA {
				out = append(out, t)
			} else {
				out = append(out, i+1, t)
			}
		case c.Op == insn.LDDW:
			out = append(out, i+2)
			if isFuncRef(c) {
				out = append(out, i+1+int(c.Imm))
			}
		case isPseudoCall(c):
			out = append(out, i+1, i+1+int(c.Imm))
		default:
			out = append(out, i+1)
		}
		return out
	}
	stack := append(v.perInsn.cfgStack[:0], cfgItem{0, 0})
	defer func() { v.perInsn.cfgStack = stack[:0] }()
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
		if isJump(c) && t == c.Target(from) {
			v.prune[t] = true
		}
		if isPseudoCall(c) {
			v.prune[from+1] = true
		}
		if c.Op == insn.JMP|insn.CALL && c.Src == 0 && isCallbackHelper(c.Imm) {
			v.prune[from] = true
		}
		switch color[t] {
		case white:
			color[t] = grey
			stack = append(stack, cfgItem{t, 0})
		case grey:
			v.prune[t] = true
		}
	}
	for i := range v.code {
		if !v.code[i].Filler && color[i] == white {
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
	v.live = reuse.Zeroed(&v.perInsn.live, n)
	const callerSaved = 0x3f // r0-r5
	use := reuse.Zeroed(&v.perInsn.use, n)
	def := reuse.Zeroed(&v.perInsn.def, n)
	for i := range v.code {
		c := &v.code[i]
		if c.Filler {
			continue
		}
		d, s := uint16(1)<<c.Dst, uint16(1)<<(c.Src&0xf)
		switch c.Class() {
		case insn.ALU, insn.ALU64:
			op := c.Code()
			if op != insn.MOV {
				use[i] |= d
			}
			if c.Op&insn.X != 0 && op != insn.END {
				use[i] |= s
			}
			def[i] = d
		case insn.LDX:
			use[i] = s
			def[i] = d
		case insn.ST:
			use[i] = d
		case insn.STX:
			use[i] = d | s
			if c.Mode() == insn.ATOMIC {
				if c.Imm == insn.CMPXCHG {
					use[i] |= 1
					def[i] = 1
				} else if c.Imm&insn.FETCH != 0 {
					def[i] = s
				}
			}
		case insn.LD:
			if c.Op == insn.LDDW {
				def[i] = d
			} else {
				use[i] = 1 << 6
				if c.Mode() == insn.IND {
					use[i] |= s
				}
				def[i] = callerSaved
			}
		case insn.JMP, insn.JMP32:
			switch c.Code() {
			case insn.CALL:
				use[i] = 0x3e
				def[i] = callerSaved
			case insn.EXIT:
				use[i] = 1
			case insn.JA:
			default:
				use[i] = d
				if c.Op&insn.X != 0 {
					use[i] |= s
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			c := &v.code[i]
			if c.Filler {
				continue
			}
			var out uint16
			switch {
			case c.Op == insn.JMP|insn.EXIT:
			case isJump(c):
				out = v.live[c.Target(i)]
				if c.Code() != insn.JA {
					out |= v.live[i+1]
				}
			case c.Op == insn.LDDW:
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

// cfgItem is an instruction on buildCFG's depth-first walk.
type cfgItem struct {
	at   int
	next int // successors tried so far
}
