package vm

import (
	"fmt"
	"strconv"
	"strings"
)

// The text format of the public eBPF conformance corpus: one instruction
// per line, `#` comments, `label:` lines, registers written %r0..%r10,
// memory as [%rN+off]. Mnemonics:
//
//	add sub mul div sdiv mod smod or and xor lsh rsh arsh mov neg  (64-bit; "32" suffix for ALU32)
//	movsx832 movsx1632 movsx864 movsx1664 movsx3264                 (sign-extending moves)
//	le16 le32 le64 be16 be32 be64 swap16 swap32 swap64 (also bswapN) (byte swaps)
//	ja ja32 jeq jne jgt jge jlt jle jset jsgt jsge jslt jsle         ("32" suffix for JMP32)
//	call N, call local LABEL, exit, lddw %rD, IMM64
//	ldxb ldxh ldxw ldxdw ldxsb ldxsh ldxsw  %rD, [%rS+off]
//	stb sth stw stdw [%rD+off], IMM     stxb stxh stxw stxdw [%rD+off], %rS
//	lock [fetch] add|or|and|xor[32] [%rD+off], %rS    lock xchg[32]|cmpxchg[32] [%rD+off], %rS
//
// Jump targets are labels or +N/-N offsets; the label "exit", unless the
// program defines it, is the last instruction.

var aluOps = map[string]uint8{
	"add": aluADD, "sub": aluSUB, "mul": aluMUL, "div": aluDIV, "or": aluOR, "and": aluAND,
	"lsh": aluLSH, "rsh": aluRSH, "mod": aluMOD, "xor": aluXOR, "mov": aluMOV, "arsh": aluARSH,
	"sdiv": aluDIV, "smod": aluMOD,
}

var jmpOps = map[string]uint8{
	"jeq": jmpJEQ, "jne": jmpJNE, "jgt": jmpJGT, "jge": jmpJGE, "jlt": jmpJLT, "jle": jmpJLE,
	"jset": jmpJSET, "jsgt": jmpJSGT, "jsge": jmpJSGE, "jslt": jmpJSLT, "jsle": jmpJSLE,
}

var memSizes = map[string]uint8{"b": sizeB, "h": sizeH, "w": sizeW, "dw": sizeDW}

var atomicOps = map[string]int32{"add": atomicADD, "or": atomicOR, "and": atomicAND, "xor": atomicXOR, "xchg": atomicXCHG, "cmpxchg": atomicCMPXCHG}

// asmLine is one instruction with what must be patched once labels are known.
type asmLine struct {
	in    Insn
	line  int
	label string // jump or call target
	call  bool   // the target goes in Imm (call local, ja32)
}

// Assemble translates the text format to raw instruction bytes.
func Assemble(src string) ([]byte, error) {
	var out []asmLine
	labels := map[string]int{} // label -> slot
	slot := 0
	for n, raw := range strings.Split(src, "\n") {
		line := raw
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasSuffix(line, ":") && !strings.ContainsAny(line, " \t,") {
			labels[strings.TrimSuffix(line, ":")] = slot
			continue
		}
		al, err := assembleLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q: %v", n+1, strings.TrimSpace(raw), err)
		}
		al.line = n + 1
		out = append(out, al)
		slot++
		if al.in.IsLDDW() {
			slot++
		}
	}
	if _, ok := labels["exit"]; !ok && slot > 0 {
		// The corpus jumps to "exit" meaning the program's last instruction.
		labels["exit"] = slot - 1
	}
	var insns []Insn
	slot = 0
	for _, al := range out {
		in := al.in
		if al.label != "" {
			t, ok := labels[al.label]
			if !ok {
				return nil, fmt.Errorf("line %d: unknown label %s", al.line, al.label)
			}
			rel := t - slot - 1
			if al.call {
				in.Imm = int32(rel)
			} else {
				if rel < -32768 || rel > 32767 {
					return nil, fmt.Errorf("line %d: jump to %s is too far", al.line, al.label)
				}
				in.Off = int16(rel)
			}
		}
		insns = append(insns, in)
		slot++
		if in.IsLDDW() {
			insns = append(insns, Insn{Filler: true})
			slot++
		}
	}
	return Encode(insns), nil
}

func parseReg(s string) (uint8, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "%r") {
		return 0, fmt.Errorf("expected a register, got %q", s)
	}
	n, err := strconv.Atoi(s[2:])
	if err != nil || n < 0 || n > 10 {
		return 0, fmt.Errorf("bad register %q", s)
	}
	return uint8(n), nil
}

func parseImm(s string) (int64, error) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	u, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", s)
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// parseMem reads [%rN], [%rN+off] or [%rN-off].
func parseMem(s string) (uint8, int16, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return 0, 0, fmt.Errorf("expected [%%rN+off], got %q", s)
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	i := strings.IndexAny(s, "+-")
	regPart, off := s, int64(0)
	if i >= 0 {
		regPart = s[:i]
		v, err := parseImm(s[i:])
		if err != nil {
			return 0, 0, err
		}
		off = v
	}
	r, err := parseReg(regPart)
	if err != nil {
		return 0, 0, err
	}
	if off < -32768 || off > 32767 {
		return 0, 0, fmt.Errorf("offset %d does not fit in 16 bits", off)
	}
	return r, int16(off), nil
}

func operands(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// target reads a jump target: +N / -N, or a label.
func target(s string) (int16, string, error) {
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") || (s != "" && s[0] >= '0' && s[0] <= '9') {
		v, err := parseImm(s)
		if err != nil || v < -32768 || v > 32767 {
			return 0, "", fmt.Errorf("bad jump offset %q", s)
		}
		return int16(v), "", nil
	}
	return 0, s, nil
}

func assembleLine(line string) (asmLine, error) {
	mn, rest, _ := strings.Cut(line, " ")
	mn = strings.ToLower(mn)
	ops := operands(rest)
	need := func(n int) error {
		if len(ops) != n {
			return fmt.Errorf("%s takes %d operands", mn, n)
		}
		return nil
	}
	switch {
	case mn == "exit":
		return asmLine{in: Insn{Op: classJMP | jmpEXIT}}, need(0)
	case mn == "lddw":
		if err := need(2); err != nil {
			return asmLine{}, err
		}
		d, err := parseReg(ops[0])
		if err != nil {
			return asmLine{}, err
		}
		v, err := parseImm(ops[1])
		if err != nil {
			return asmLine{}, err
		}
		return asmLine{in: Insn{Op: classLD | modeIMM | sizeDW, Dst: d, Imm64: uint64(v)}}, nil
	case mn == "call":
		f := strings.Fields(rest)
		if len(f) == 2 && f[0] == "local" {
			if off, label, err := target(f[1]); err == nil && label == "" {
				return asmLine{in: Insn{Op: classJMP | jmpCALL, Src: 1, Imm: int32(off)}}, nil
			}
			return asmLine{in: Insn{Op: classJMP | jmpCALL, Src: 1}, label: f[1], call: true}, nil
		}
		if len(f) == 1 && strings.HasPrefix(f[0], "%r") {
			r, err := parseReg(f[0])
			return asmLine{in: Insn{Op: classJMP | jmpCALL | srcX, Dst: r}}, err
		}
		if len(f) != 1 {
			return asmLine{}, fmt.Errorf("call takes a helper number or local LABEL")
		}
		v, err := parseImm(f[0])
		return asmLine{in: Insn{Op: classJMP | jmpCALL, Imm: int32(v)}}, err
	case mn == "ja" || mn == "ja32":
		if err := need(1); err != nil {
			return asmLine{}, err
		}
		off, label, err := target(ops[0])
		if err != nil {
			return asmLine{}, err
		}
		if mn == "ja32" {
			return asmLine{in: Insn{Op: classJMP32 | jmpJA, Imm: int32(off)}, label: label, call: true}, nil
		}
		return asmLine{in: Insn{Op: classJMP | jmpJA, Off: off}, label: label}, nil
	case mn == "lock":
		f := strings.Fields(rest)
		fetch := false
		if len(f) > 0 && f[0] == "fetch" {
			fetch, f = true, f[1:]
		}
		if len(f) < 1 {
			return asmLine{}, fmt.Errorf("lock needs an operation")
		}
		op, size := f[0], uint8(sizeDW)
		if strings.HasSuffix(op, "32") {
			op, size = strings.TrimSuffix(op, "32"), sizeW
		}
		imm, ok := atomicOps[op]
		if !ok {
			return asmLine{}, fmt.Errorf("unknown atomic operation %s", op)
		}
		if fetch {
			imm |= atomicFETCH
		}
		ops = operands(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(rest, "fetch")), f[0])))
		if err := need(2); err != nil {
			return asmLine{}, err
		}
		d, off, err := parseMem(ops[0])
		if err != nil {
			return asmLine{}, err
		}
		s, err := parseReg(ops[1])
		return asmLine{in: Insn{Op: classSTX | modeATOMIC | size, Dst: d, Src: s, Off: off, Imm: imm}}, err
	}
	// Byte swaps.
	for _, p := range []struct {
		prefix string
		op     uint8
	}{{"le", classALU | aluEND}, {"be", classALU | aluEND | srcX}, {"swap", classALU64 | aluEND}, {"bswap", classALU64 | aluEND}} {
		if strings.HasPrefix(mn, p.prefix) {
			if n, err := strconv.Atoi(mn[len(p.prefix):]); err == nil && (n == 16 || n == 32 || n == 64) {
				if err := need(1); err != nil {
					return asmLine{}, err
				}
				d, err := parseReg(ops[0])
				return asmLine{in: Insn{Op: p.op, Dst: d, Imm: int32(n)}}, err
			}
		}
	}
	// Sign-extending moves: movsx<from><to>.
	if strings.HasPrefix(mn, "movsx") {
		var from, to int
		switch mn[5:] {
		case "832":
			from, to = 8, 32
		case "1632":
			from, to = 16, 32
		case "864":
			from, to = 8, 64
		case "1664":
			from, to = 16, 64
		case "3264":
			from, to = 32, 64
		default:
			return asmLine{}, fmt.Errorf("unknown instruction %s", mn)
		}
		if err := need(2); err != nil {
			return asmLine{}, err
		}
		d, err := parseReg(ops[0])
		if err != nil {
			return asmLine{}, err
		}
		s, err := parseReg(ops[1])
		class := uint8(classALU64)
		if to == 32 {
			class = classALU
		}
		return asmLine{in: Insn{Op: class | aluMOV | srcX, Dst: d, Src: s, Off: int16(from)}}, err
	}
	// Loads and stores.
	if strings.HasPrefix(mn, "ldx") {
		sz, sx := mn[3:], false
		if sz == "sb" || sz == "sh" || sz == "sw" {
			sz, sx = sz[1:], true
		}
		size, ok := memSizes[sz]
		if !ok {
			return asmLine{}, fmt.Errorf("unknown instruction %s", mn)
		}
		if err := need(2); err != nil {
			return asmLine{}, err
		}
		d, err := parseReg(ops[0])
		if err != nil {
			return asmLine{}, err
		}
		s, off, err := parseMem(ops[1])
		mode := uint8(modeMEM)
		if sx {
			mode = modeMEMSX
		}
		return asmLine{in: Insn{Op: classLDX | mode | size, Dst: d, Src: s, Off: off}}, err
	}
	if strings.HasPrefix(mn, "stx") || strings.HasPrefix(mn, "st") {
		isX := strings.HasPrefix(mn, "stx")
		sz := strings.TrimPrefix(mn, "st")
		if isX {
			sz = strings.TrimPrefix(mn, "stx")
		}
		if size, ok := memSizes[sz]; ok {
			if err := need(2); err != nil {
				return asmLine{}, err
			}
			d, off, err := parseMem(ops[0])
			if err != nil {
				return asmLine{}, err
			}
			if isX {
				s, err := parseReg(ops[1])
				return asmLine{in: Insn{Op: classSTX | modeMEM | size, Dst: d, Src: s, Off: off}}, err
			}
			v, err := parseImm(ops[1])
			return asmLine{in: Insn{Op: classST | modeMEM | size, Dst: d, Off: off, Imm: int32(v)}}, err
		}
	}
	// Conditional jumps.
	base, class := mn, uint8(classJMP)
	if strings.HasSuffix(base, "32") {
		base, class = strings.TrimSuffix(base, "32"), classJMP32
	}
	if op, ok := jmpOps[base]; ok {
		if err := need(3); err != nil {
			return asmLine{}, err
		}
		d, err := parseReg(ops[0])
		if err != nil {
			return asmLine{}, err
		}
		in := Insn{Op: class | op, Dst: d}
		if strings.HasPrefix(ops[1], "%r") {
			s, err := parseReg(ops[1])
			if err != nil {
				return asmLine{}, err
			}
			in.Op |= srcX
			in.Src = s
		} else {
			v, err := parseImm(ops[1])
			if err != nil {
				return asmLine{}, err
			}
			in.Imm = int32(v)
		}
		off, label, err := target(ops[2])
		in.Off = off
		return asmLine{in: in, label: label}, err
	}
	// ALU.
	base, class = mn, classALU64
	if strings.HasSuffix(base, "32") {
		base, class = strings.TrimSuffix(base, "32"), classALU
	}
	if base == "neg" {
		if err := need(1); err != nil {
			return asmLine{}, err
		}
		d, err := parseReg(ops[0])
		return asmLine{in: Insn{Op: class | aluNEG, Dst: d}}, err
	}
	if op, ok := aluOps[base]; ok {
		if err := need(2); err != nil {
			return asmLine{}, err
		}
		d, err := parseReg(ops[0])
		if err != nil {
			return asmLine{}, err
		}
		in := Insn{Op: class | op, Dst: d}
		if base == "sdiv" || base == "smod" {
			in.Off = 1
		}
		if strings.HasPrefix(ops[1], "%r") {
			s, err := parseReg(ops[1])
			if err != nil {
				return asmLine{}, err
			}
			in.Op |= srcX
			in.Src = s
		} else {
			v, err := parseImm(ops[1])
			if err != nil {
				return asmLine{}, err
			}
			if v < -1<<31 || v > 1<<32-1 {
				return asmLine{}, fmt.Errorf("immediate %d does not fit in 32 bits", v)
			}
			in.Imm = int32(v)
		}
		return asmLine{in: in}, nil
	}
	return asmLine{}, fmt.Errorf("unknown instruction %s", mn)
}

// Disassemble writes raw instructions in the text format, one per line,
// with jump targets as offsets.
func Disassemble(raw []byte) (string, error) {
	insns, err := Decode(raw)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, in := range insns {
		if in.Filler {
			continue
		}
		b.WriteString(in.String())
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func signed(v int) string {
	if v >= 0 {
		return "+" + strconv.Itoa(v)
	}
	return strconv.Itoa(v)
}

func memOperand(r uint8, off int16) string {
	if off == 0 {
		return fmt.Sprintf("[%%r%d]", r)
	}
	return fmt.Sprintf("[%%r%d%s]", r, signed(int(off)))
}

// String is the instruction in the text format.
func (in Insn) String() string {
	suffix32 := func(c uint8) string {
		if c == classALU || c == classJMP32 {
			return "32"
		}
		return ""
	}
	srcOperand := func() string {
		if in.Op&srcX != 0 {
			return fmt.Sprintf("%%r%d", in.Src)
		}
		return strconv.Itoa(int(in.Imm))
	}
	c := in.Class()
	switch c {
	case classLD:
		if in.IsLDDW() {
			if in.Src == 0 {
				return fmt.Sprintf("lddw %%r%d, 0x%x", in.Dst, in.Imm64)
			}
			return fmt.Sprintf("lddw %%r%d, map(src=%d, fd=%d, off=%d)", in.Dst, in.Src, in.Imm, in.Next)
		}
	case classLDX:
		name := map[uint8]string{sizeB: "b", sizeH: "h", sizeW: "w", sizeDW: "dw"}[in.Op&0x18]
		if in.Op&0xe0 == modeMEMSX {
			name = "s" + name
		}
		return fmt.Sprintf("ldx%s %%r%d, %s", name, in.Dst, memOperand(in.Src, in.Off))
	case classST, classSTX:
		name := map[uint8]string{sizeB: "b", sizeH: "h", sizeW: "w", sizeDW: "dw"}[in.Op&0x18]
		if c == classST {
			return fmt.Sprintf("st%s %s, %d", name, memOperand(in.Dst, in.Off), in.Imm)
		}
		if in.Op&0xe0 == modeATOMIC {
			w := ""
			if in.Op&0x18 == sizeW {
				w = "32"
			}
			for n, v := range atomicOps {
				if v == in.Imm&^atomicFETCH || v == in.Imm {
					fetch := ""
					if in.Imm&atomicFETCH != 0 && n != "xchg" && n != "cmpxchg" {
						fetch = "fetch "
					}
					return fmt.Sprintf("lock %s%s%s %s, %%r%d", fetch, n, w, memOperand(in.Dst, in.Off), in.Src)
				}
			}
			return fmt.Sprintf("lock 0x%x %s, %%r%d", in.Imm, memOperand(in.Dst, in.Off), in.Src)
		}
		return fmt.Sprintf("stx%s %s, %%r%d", name, memOperand(in.Dst, in.Off), in.Src)
	case classALU, classALU64:
		op := in.Op & 0xf0
		switch op {
		case aluNEG:
			return fmt.Sprintf("neg%s %%r%d", suffix32(c), in.Dst)
		case aluEND:
			switch {
			case c == classALU64:
				return fmt.Sprintf("swap%d %%r%d", in.Imm, in.Dst)
			case in.Op&srcX != 0:
				return fmt.Sprintf("be%d %%r%d", in.Imm, in.Dst)
			}
			return fmt.Sprintf("le%d %%r%d", in.Imm, in.Dst)
		case aluMOV:
			if in.Off != 0 {
				to := 64
				if c == classALU {
					to = 32
				}
				return fmt.Sprintf("movsx%d%d %%r%d, %%r%d", in.Off, to, in.Dst, in.Src)
			}
		}
		for n, v := range aluOps {
			if v == op && (n == "sdiv" || n == "smod") == (in.Off == 1 && (op == aluDIV || op == aluMOD)) {
				return fmt.Sprintf("%s%s %%r%d, %s", n, suffix32(c), in.Dst, srcOperand())
			}
		}
	case classJMP, classJMP32:
		op := in.Op & 0xf0
		switch op {
		case jmpEXIT:
			return "exit"
		case jmpCALL:
			if in.Src == 1 {
				return fmt.Sprintf("call local %s", signed(int(in.Imm)))
			}
			return fmt.Sprintf("call %d", in.Imm)
		case jmpJA:
			if c == classJMP32 {
				return "ja32 " + signed(int(in.Imm))
			}
			return "ja " + signed(int(in.Off))
		}
		for n, v := range jmpOps {
			if v == op {
				return fmt.Sprintf("%s%s %%r%d, %s, %s", n, suffix32(c), in.Dst, srcOperand(), signed(int(in.Off)))
			}
		}
	}
	return fmt.Sprintf(".raw 0x%02x %d %d %d %d", in.Op, in.Dst, in.Src, in.Off, in.Imm)
}
