package insn

import (
	"fmt"
	"strconv"
	"strings"
)

// Program is assembled text: the instruction bytes, and the lddw slots
// whose immediate names something the assembler cannot know.
type Program struct {
	Code []byte
	Refs []Ref
}

// Ref is an lddw whose immediate (the low 32 bits of its constant) the
// caller fills in: a map's file descriptor for "map:NAME" and
// "mapval:NAME+OFF" (whose offset is already in the second slot), a
// kernel variable's BTF id for "ksym:NAME".
type Ref struct {
	Slot int    // the lddw's first slot
	Line int    // the line it was written on
	Src  uint8  // PseudoMapFD, PseudoMapValue or PseudoBTFID
	Name string // the map's or the variable's name
}

// Assemble translates program text to instruction bytes. The format is
// the one of the eBPF conformance suite, one instruction per line:
//
//	add sub mul div sdiv mod smod or and xor lsh rsh arsh mov neg
//	        64-bit ALU; the suffix 32 makes them 32-bit, 64 is allowed
//	movsx832 movsx1632 movsx864 movsx1664 movsx3264 (movsx<from><to>),
//	movsx8 movsx16 movsx32, movsx8_32 movsx16_32
//	        sign-extending moves
//	le16 le32 le64 be16 be32 be64 swap16 swap32 swap64 (also bswapN)
//	        byte swaps
//	ja ja32 jeq jne jgt jge jlt jle jset jsgt jsge jslt jsle
//	        jumps; the suffix 32 compares the low halves (JMP32)
//	call N, call NAME (a helper: map_lookup_elem or bpf_map_lookup_elem),
//	call local LABEL, call %rN, exit
//	lddw %rD, IMM64 | map:NAME | mapval:NAME+OFF | ksym:NAME | func:LABEL
//	ldxb ldxh ldxw ldxdw, ldxsb ldxsh ldxsw  %rD, [%rS+OFF]
//	stb sth stw stdw [%rD+OFF], IMM;   stxb stxh stxw stxdw [%rD+OFF], %rS
//	lock [fetch] add|or|and|xor[32] [%rD+OFF], %rS
//	lock xchg[32]|cmpxchg[32] [%rD+OFF], %rS
//	xaddw xadddw, atomic_[fetch_]add|or|and|xor|xchg|cmpxchg{32,64}
//	        the same atomics in the verifier's spelling
//	ldabsb ldabsh ldabsw IMM, ldindb ldindh ldindw %rS, IMM
//	        legacy packet loads
//	raw OP, DST, SRC, OFF, IMM (or .raw OP DST SRC OFF IMM)
//	        one slot with any fields, as Disassemble writes what it
//	        cannot name
//
// Registers are %r0 to %r15 (the % may be left out; w for r is
// accepted), so that programs with bad register numbers can be written.
// "#" and ";" start comments. "NAME:" defines a label at the next
// instruction, on a line of its own or before an instruction; jump
// targets are labels or +N/-N slots, and the label "exit", unless the
// program defines it, is the program's last instruction. Map, map value
// and kernel variable names are left to the caller (Program.Refs).
func Assemble(text string) (*Program, error) {
	var stmts []*stmt
	labels := map[string]int{} // label -> slot
	slot := 0
	for n, rawLine := range strings.Split(text, "\n") {
		line := rawLine
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		for {
			// A label; "map:x" inside operands has a space before it.
			i := strings.Index(line, ":")
			if i < 0 || strings.ContainsAny(line[:i], " \t[,") {
				break
			}
			if _, dup := labels[line[:i]]; dup {
				return nil, fmt.Errorf("line %d: label %q defined twice", n+1, line[:i])
			}
			labels[line[:i]] = slot
			line = strings.TrimSpace(line[i+1:])
		}
		if line == "" {
			continue
		}
		s, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q: %v", n+1, strings.TrimSpace(rawLine), err)
		}
		s.line, s.text, s.slot = n+1, strings.TrimSpace(rawLine), slot
		stmts = append(stmts, s)
		slot++
		if s.wide {
			slot++
		}
	}
	if _, ok := labels["exit"]; !ok && slot > 0 {
		// The conformance corpus jumps to "exit" meaning the last instruction.
		labels["exit"] = slot - 1
	}
	p := &Program{}
	for _, s := range stmts {
		in := s.in
		if s.label != "" {
			t, ok := labels[s.label]
			if !ok {
				return nil, fmt.Errorf("line %d: %q: unknown label %s", s.line, s.text, s.label)
			}
			rel := t - s.slot - 1
			if s.inImm {
				in.Imm = int32(rel)
			} else {
				if rel < -32768 || rel > 32767 {
					return nil, fmt.Errorf("line %d: %q: jump to %s is too far", s.line, s.text, s.label)
				}
				in.Off = int16(rel)
			}
		}
		if s.ref != nil {
			p.Refs = append(p.Refs, Ref{Slot: s.slot, Line: s.line, Src: in.Src, Name: s.ref.Name})
		}
		p.Code = appendSlot(p.Code, in.Op, in.Dst, in.Src, in.Off, in.Imm)
		if s.wide {
			p.Code = appendSlot(p.Code, 0, 0, 0, 0, in.Next)
		}
	}
	return p, nil
}

// stmt is one assembled line: its first slot, and what must be patched
// once labels are known.
type stmt struct {
	in    Insn // the first slot; for an lddw Next is the second slot's immediate
	wide  bool // an lddw: two slots
	label string
	inImm bool // the label's offset goes to the immediate (call local, ja32, func:), not Off
	ref   *Ref

	line, slot int
	text       string
}

var aluOps = map[string]uint8{
	"add": ADD, "sub": SUB, "mul": MUL, "div": DIV, "or": OR, "and": AND,
	"lsh": LSH, "rsh": RSH, "mod": MOD, "xor": XOR, "mov": MOV, "arsh": ARSH,
	"sdiv": DIV, "smod": MOD, "neg": NEG,
}

var jmpOps = map[string]uint8{
	"jeq": JEQ, "jne": JNE, "jgt": JGT, "jge": JGE, "jlt": JLT, "jle": JLE,
	"jset": JSET, "jsgt": JSGT, "jsge": JSGE, "jslt": JSLT, "jsle": JSLE,
}

var sizes = map[string]uint8{"b": B, "h": H, "w": W, "dw": DW}

var atomicOps = map[string]int32{"add": ADD, "or": OR, "and": AND, "xor": XOR, "xchg": XCHG, "cmpxchg": CMPXCHG}

// movsx<from><to>, the conformance suite's spelling.
var movsxForms = map[string][2]int{
	"832": {8, 32}, "1632": {16, 32}, "864": {8, 64}, "1664": {16, 64}, "3264": {32, 64},
}

func parseReg(s string) (uint8, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "%")
	if len(t) < 2 || (t[0] != 'r' && t[0] != 'w') {
		return 0, fmt.Errorf("expected a register, got %q", s)
	}
	n, err := strconv.Atoi(t[1:])
	if err != nil || n < 0 || n > 15 {
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

// splitArgs splits operands on the commas outside brackets.
func splitArgs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// target reads a jump target: +N, -N or N, or a label.
func target(s string) (int64, string, error) {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '+' || s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
		v, err := parseImm(s)
		if err != nil {
			return 0, "", fmt.Errorf("bad jump offset %q", s)
		}
		return v, "", nil
	}
	return 0, s, nil
}

// jumpTo sets a jump's target: an offset now, or a label later.
func (s *stmt) jumpTo(arg string, inImm bool) error {
	v, label, err := target(arg)
	if err != nil {
		return err
	}
	s.label, s.inImm = label, inImm
	if inImm {
		s.in.Imm = int32(v)
	} else if v < -32768 || v > 32767 {
		return fmt.Errorf("bad jump offset %q", arg)
	} else {
		s.in.Off = int16(v)
	}
	return nil
}

// regOrImm sets the source operand of an ALU or jump instruction.
func (s *stmt) regOrImm(arg string, checkRange bool) error {
	if r, err := parseReg(arg); err == nil {
		s.in.Op |= X
		s.in.Src = r
		return nil
	}
	v, err := parseImm(arg)
	if err != nil {
		return err
	}
	if checkRange && (v < -1<<31 || v > 1<<32-1) {
		return fmt.Errorf("immediate %d does not fit in 32 bits", v)
	}
	s.in.Imm = int32(v)
	return nil
}

func parseLine(line string) (*stmt, error) {
	mn, rest := line, ""
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		mn, rest = line[:i], line[i+1:]
	}
	mn = strings.ToLower(mn)
	args := splitArgs(rest)
	s := &stmt{}
	need := func(n int) error {
		if len(args) != n {
			return fmt.Errorf("%s takes %d operands", mn, n)
		}
		return nil
	}
	// reg reads operand i as a register into f.
	reg := func(i int, f *uint8) error {
		r, err := parseReg(args[i])
		*f = r
		return err
	}
	// imm reads operand i as the immediate (its low 32 bits).
	imm := func(i int) error {
		v, err := parseImm(args[i])
		s.in.Imm = int32(v)
		return err
	}
	unknown := fmt.Errorf("unknown instruction %s", mn)

	switch {
	case mn == "exit":
		s.in.Op = JMP | EXIT
		return s, need(0)

	case mn == "raw" || mn == ".raw":
		f := strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		if len(f) != 5 {
			return nil, fmt.Errorf("%s takes 5 operands: OP, DST, SRC, OFF, IMM", mn)
		}
		var v [5]int64
		for k := range v {
			x, err := parseImm(f[k])
			if err != nil {
				return nil, err
			}
			v[k] = x
		}
		s.in = Insn{Op: uint8(v[0]), Dst: uint8(v[1]), Src: uint8(v[2]), Off: int16(v[3]), Imm: int32(v[4])}
		return s, nil

	case mn == "lddw":
		if err := need(2); err != nil {
			return nil, err
		}
		s.in.Op, s.wide = LDDW, true
		if err := reg(0, &s.in.Dst); err != nil {
			return nil, err
		}
		kind, name, _ := strings.Cut(args[1], ":")
		switch kind {
		case "map":
			s.in.Src, s.ref = PseudoMapFD, &Ref{Name: name}
		case "mapval":
			s.in.Src = PseudoMapValue
			if k := strings.IndexByte(name, '+'); k >= 0 {
				o, err := parseImm(name[k+1:])
				if err != nil {
					return nil, err
				}
				s.in.Next, name = int32(o), name[:k]
			}
			s.ref = &Ref{Name: name}
		case "ksym":
			s.in.Src, s.ref = PseudoBTFID, &Ref{Name: name}
		case "func":
			s.in.Src = PseudoFunc
			return s, s.jumpTo(name, true)
		default:
			v, err := parseImm(args[1])
			if err != nil {
				return nil, err
			}
			s.in.Imm, s.in.Next = int32(uint32(v)), int32(uint64(v)>>32)
		}
		return s, nil

	case mn == "call":
		s.in.Op = JMP | CALL
		if f := strings.Fields(rest); len(f) == 2 && f[0] == "local" {
			s.in.Src = PseudoCall
			return s, s.jumpTo(f[1], true)
		}
		if err := need(1); err != nil {
			return nil, err
		}
		if reg(0, &s.in.Dst) == nil {
			s.in.Op |= X // callx
			return s, nil
		}
		s.in.Dst = 0
		if v, err := parseImm(args[0]); err == nil {
			s.in.Imm = int32(v)
			return s, nil
		}
		fn, ok := HelperByName(args[0])
		if !ok {
			return nil, fmt.Errorf("unknown helper %q", args[0])
		}
		s.in.Imm = int32(fn)
		return s, nil

	case mn == "ja" || mn == "ja32":
		if err := need(1); err != nil {
			return nil, err
		}
		if mn == "ja32" {
			s.in.Op = JMP32 | JA
			return s, s.jumpTo(args[0], true)
		}
		s.in.Op = JMP | JA
		return s, s.jumpTo(args[0], false)

	case mn == "lock" || strings.HasPrefix(mn, "xadd") || strings.HasPrefix(mn, "atomic_"):
		var op string
		var size uint8
		var fetch bool
		switch {
		case mn == "lock":
			// lock [fetch] OP[32] [%rD+OFF], %rS
			f := strings.Fields(rest)
			if len(f) > 0 && f[0] == "fetch" {
				fetch, f = true, f[1:]
			}
			if len(f) < 1 {
				return nil, fmt.Errorf("lock needs an operation")
			}
			op, size = f[0], DW
			if strings.HasSuffix(op, "32") {
				op, size = strings.TrimSuffix(op, "32"), W
			}
			r := strings.TrimSpace(rest)
			if fetch {
				r = strings.TrimSpace(strings.TrimPrefix(r, "fetch"))
			}
			args = splitArgs(strings.TrimPrefix(r, f[0]))
		case strings.HasPrefix(mn, "xadd"):
			sz, ok := sizes[mn[4:]]
			if !ok {
				return nil, unknown
			}
			op, size = "add", sz
		default:
			op = strings.TrimPrefix(mn, "atomic_")
			switch {
			case strings.HasSuffix(op, "64"):
				op, size = strings.TrimSuffix(op, "64"), DW
			case strings.HasSuffix(op, "32"):
				op, size = strings.TrimSuffix(op, "32"), W
			default:
				return nil, unknown
			}
			if strings.HasPrefix(op, "fetch_") {
				op, fetch = op[len("fetch_"):], true
			}
		}
		imm, ok := atomicOps[op]
		if !ok {
			return nil, fmt.Errorf("unknown atomic operation %s", op)
		}
		if fetch {
			imm |= FETCH
		}
		if err := need(2); err != nil {
			return nil, err
		}
		d, off, err := parseMem(args[0])
		if err != nil {
			return nil, err
		}
		s.in = Insn{Op: STX | ATOMIC | size, Dst: d, Off: off, Imm: imm}
		return s, reg(1, &s.in.Src)

	case strings.HasPrefix(mn, "ldabs") || strings.HasPrefix(mn, "ldind"):
		sz, ok := sizes[mn[5:]]
		if !ok {
			return nil, unknown
		}
		if mn[:5] == "ldabs" {
			// ldabsW IMM
			if err := need(1); err != nil {
				return nil, err
			}
			s.in.Op = LD | ABS | sz
			return s, imm(0)
		}
		// ldindW %rS, IMM
		if err := need(2); err != nil {
			return nil, err
		}
		s.in.Op = LD | IND | sz
		if err := reg(0, &s.in.Src); err != nil {
			return nil, err
		}
		return s, imm(1)

	case strings.HasPrefix(mn, "ldx"):
		// ldx[s]W %rD, [%rS+OFF]
		sz, mode := mn[3:], uint8(MEM)
		if strings.HasPrefix(sz, "s") {
			sz, mode = sz[1:], MEMSX
		}
		size, ok := sizes[sz]
		if !ok {
			return nil, unknown
		}
		if err := need(2); err != nil {
			return nil, err
		}
		s.in.Op = LDX | mode | size
		if err := reg(0, &s.in.Dst); err != nil {
			return nil, err
		}
		var err error
		s.in.Src, s.in.Off, err = parseMem(args[1])
		return s, err

	case strings.HasPrefix(mn, "st"):
		// stxW [%rD+OFF], %rS   stW [%rD+OFF], IMM
		sz, isX := strings.CutPrefix(mn[2:], "x")
		size, ok := sizes[sz]
		if !ok {
			return nil, unknown
		}
		if err := need(2); err != nil {
			return nil, err
		}
		var err error
		if s.in.Dst, s.in.Off, err = parseMem(args[0]); err != nil {
			return nil, err
		}
		if isX {
			s.in.Op = STX | MEM | size
			return s, reg(1, &s.in.Src)
		}
		s.in.Op = ST | MEM | size
		return s, imm(1)
	}

	// Byte swaps: le16 be32 swap64 bswap16 ...
	for _, p := range []struct {
		prefix string
		op     uint8
	}{{"le", ALU | END | K}, {"be", ALU | END | X}, {"swap", ALU64 | END}, {"bswap", ALU64 | END}} {
		if w, ok := strings.CutPrefix(mn, p.prefix); ok {
			n, err := strconv.Atoi(w)
			if err != nil {
				return nil, unknown
			}
			if err := need(1); err != nil {
				return nil, err
			}
			s.in = Insn{Op: p.op, Imm: int32(n)}
			return s, reg(0, &s.in.Dst)
		}
	}

	// Conditional jumps: jeq %rD, %rS|IMM, TARGET.
	base, class := mn, uint8(JMP)
	if b, ok := strings.CutSuffix(base, "32"); ok {
		base, class = b, JMP32
	}
	if op, ok := jmpOps[base]; ok {
		if err := need(3); err != nil {
			return nil, err
		}
		s.in.Op = class | op
		if err := reg(0, &s.in.Dst); err != nil {
			return nil, err
		}
		if err := s.regOrImm(args[1], false); err != nil {
			return nil, err
		}
		return s, s.jumpTo(args[2], false)
	}

	// ALU: add %rD, %rS|IMM; neg %rD; movsx...
	base, class = mn, ALU64
	if w, ok := strings.CutPrefix(mn, "movsx"); ok {
		if f, ok := movsxForms[w]; ok {
			if f[1] == 32 {
				class = ALU
			}
			s.in.Off = int16(f[0])
		} else {
			if w2, ok := strings.CutSuffix(w, "_32"); ok {
				w, class = w2, ALU
			}
			n, err := strconv.Atoi(w)
			if err != nil {
				return nil, unknown
			}
			s.in.Off = int16(n)
		}
		base = "mov"
	} else if b, ok := strings.CutSuffix(base, "32"); ok {
		base, class = b, ALU
	} else {
		base = strings.TrimSuffix(base, "64")
	}
	op, ok := aluOps[base]
	if !ok {
		return nil, unknown
	}
	s.in.Op = class | op
	if base == "sdiv" || base == "smod" {
		s.in.Off = 1
	}
	if base == "neg" {
		if err := need(1); err != nil {
			return nil, err
		}
		return s, reg(0, &s.in.Dst)
	}
	if err := need(2); err != nil {
		return nil, err
	}
	if err := reg(0, &s.in.Dst); err != nil {
		return nil, err
	}
	return s, s.regOrImm(args[1], true)
}
