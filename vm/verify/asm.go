package verify

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// A small assembler for the verifier's test programs and `bpfvm verify`,
// in the conformance suites' syntax (ubpf style: "mov %r0, 1",
// "ldxdw %r0, [%r1+8]", "jeq %r1, 0, +2"), plus labels ("name:"),
// symbolic jump targets, "lddw %r1, map:NAME", "lddw %r1, mapval:NAME+OFF", "lddw %r1, ksym:NAME" (a kernel variable by its BTF id),
// "lddw %r1, func:LABEL", "call NAME" for helpers, "call local LABEL" for
// bpf-to-bpf calls, and "raw OP, DST, SRC, OFF, IMM" for any encoding.

// asmProg is an assembled program: raw instruction bytes and, per lddw
// slot that loads a map, the map's name.
type asmProg struct {
	code []byte
	maps map[int]string
}

type asmLine struct {
	no     int
	mnem   string
	args   []string
	labels []string
}

var aluOps = map[string]uint8{
	"add": aluADD, "sub": aluSUB, "mul": aluMUL, "div": aluDIV, "or": aluOR, "and": aluAND,
	"lsh": aluLSH, "rsh": aluRSH, "neg": aluNEG, "mod": aluMOD, "xor": aluXOR, "mov": aluMOV,
	"arsh": aluARSH, "sdiv": aluDIV, "smod": aluMOD,
}

var jmpOps = map[string]uint8{
	"jeq": jmpJEQ, "jgt": jmpJGT, "jge": jmpJGE, "jset": jmpJSET, "jne": jmpJNE,
	"jsgt": jmpJSGT, "jsge": jmpJSGE, "jlt": jmpJLT, "jle": jmpJLE, "jslt": jmpJSLT, "jsle": jmpJSLE,
}

var sizeSuffix = map[string]uint8{"b": szB, "h": szH, "w": szW, "dw": szDW}

// helperByName finds a helper id by name, with or without "bpf_".
func helperByName(name string) (int32, bool) {
	n := strings.TrimPrefix(name, "bpf_")
	for id, h := range helpers {
		if strings.TrimPrefix(h.name, "bpf_") == n {
			return id, true
		}
	}
	return 0, false
}

func parseReg(s string) (uint8, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "%")
	if len(s) < 2 || (s[0] != 'r' && s[0] != 'w') {
		return 0, fmt.Errorf("%q is not a register", s)
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 0 || n > 15 {
		return 0, fmt.Errorf("%q is not a register", s)
	}
	return uint8(n), nil
}

func parseImm(s string) (int64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		u, err2 := strconv.ParseUint(s, 0, 64)
		if err2 != nil {
			return 0, fmt.Errorf("%q is not a number", s)
		}
		return int64(u), nil
	}
	return v, nil
}

// parseMem parses "[%r1+8]".
func parseMem(s string) (uint8, int16, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return 0, 0, fmt.Errorf("%q is not a memory operand", s)
	}
	s = s[1 : len(s)-1]
	i := strings.IndexAny(s, "+-")
	var off int64
	regS := s
	if i >= 0 {
		regS = s[:i]
		v, err := parseImm(s[i:])
		if err != nil {
			return 0, 0, err
		}
		off = v
	}
	r, err := parseReg(regS)
	if err != nil {
		return 0, 0, err
	}
	return r, int16(off), nil
}

// splitArgs splits on commas outside brackets.
func splitArgs(s string) []string {
	var out []string
	depth := 0
	start := 0
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
	if t := strings.TrimSpace(s[start:]); t != "" || len(out) > 0 {
		out = append(out, t)
	}
	return out
}

// assemble translates program text.
func assemble(text string) (*asmProg, error) {
	var lines []asmLine
	var pendingLabels []string
	for no, l := range strings.Split(text, "\n") {
		if i := strings.IndexAny(l, "#;"); i >= 0 {
			l = l[:i]
		}
		l = strings.TrimSpace(l)
		for {
			i := strings.Index(l, ":")
			if i <= 0 || strings.ContainsAny(l[:i], " \t[,") {
				break
			}
			// "map:x" inside operands has a space before it
			pendingLabels = append(pendingLabels, l[:i])
			l = strings.TrimSpace(l[i+1:])
		}
		if l == "" {
			continue
		}
		f := strings.SplitN(l, " ", 2)
		al := asmLine{no: no + 1, mnem: strings.ToLower(f[0]), labels: pendingLabels}
		pendingLabels = nil
		if len(f) > 1 {
			al.args = splitArgs(f[1])
		}
		lines = append(lines, al)
	}
	// slot of each line and label
	labels := map[string]int{}
	slots := make([]int, len(lines))
	n := 0
	for i, l := range lines {
		for _, lb := range l.labels {
			if _, dup := labels[lb]; dup {
				return nil, fmt.Errorf("line %d: label %q defined twice", l.no, lb)
			}
			labels[lb] = n
		}
		slots[i] = n
		n++
		if l.mnem == "lddw" {
			n++
		}
	}
	if len(pendingLabels) > 0 {
		for _, lb := range pendingLabels {
			labels[lb] = n
		}
	}
	p := &asmProg{maps: map[int]string{}}
	emit := func(op, dst, src uint8, off int16, imm int32) {
		var b [8]byte
		b[0] = op
		b[1] = dst&0xf | src<<4
		binary.LittleEndian.PutUint16(b[2:], uint16(off))
		binary.LittleEndian.PutUint32(b[4:], uint32(imm))
		p.code = append(p.code, b[:]...)
	}
	for i, l := range lines {
		at := slots[i]
		target := func(s string) (int64, error) {
			s = strings.TrimSpace(s)
			if s != "" && (s[0] == '+' || s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
				return parseImm(s)
			}
			t, ok := labels[s]
			if !ok {
				return 0, fmt.Errorf("unknown label %q", s)
			}
			return int64(t - at - 1), nil
		}
		err := func() error {
			m := l.mnem
			a := l.args
			need := func(k int) error {
				if len(a) != k {
					return fmt.Errorf("%s takes %d operands", m, k)
				}
				return nil
			}
			switch {
			case m == "exit":
				emit(clsJMP|jmpEXIT, 0, 0, 0, 0)
			case m == "raw":
				if err := need(5); err != nil {
					return err
				}
				var v [5]int64
				for k := range v {
					x, err := parseImm(a[k])
					if err != nil {
						return err
					}
					v[k] = x
				}
				emit(uint8(v[0]), uint8(v[1]), uint8(v[2]), int16(v[3]), int32(v[4]))
			case m == "call":
				if len(a) == 1 && strings.HasPrefix(a[0], "local ") {
					t, err := target(strings.TrimPrefix(a[0], "local "))
					if err != nil {
						return err
					}
					emit(clsJMP|jmpCALL, 0, pseudoCall, 0, int32(t))
					return nil
				}
				if err := need(1); err != nil {
					return err
				}
				id, err := parseImm(a[0])
				if err != nil {
					x, ok := helperByName(a[0])
					if !ok {
						return fmt.Errorf("unknown helper %q", a[0])
					}
					id = int64(x)
				}
				emit(clsJMP|jmpCALL, 0, 0, 0, int32(id))
			case m == "lddw":
				if err := need(2); err != nil {
					return err
				}
				d, err := parseReg(a[0])
				if err != nil {
					return err
				}
				s := a[1]
				var src uint8
				var lo, hi int32
				switch {
				case strings.HasPrefix(s, "map:"):
					src = pseudoMapFD
					p.maps[at] = strings.TrimPrefix(s, "map:")
				case strings.HasPrefix(s, "mapval:"):
					src = pseudoMapValue
					name := strings.TrimPrefix(s, "mapval:")
					if k := strings.IndexAny(name, "+"); k >= 0 {
						o, err := parseImm(name[k+1:])
						if err != nil {
							return err
						}
						hi = int32(o)
						name = name[:k]
					}
					p.maps[at] = name
				case strings.HasPrefix(s, "ksym:"):
					src = pseudoBTFID
					id, err := kernelVarID(strings.TrimPrefix(s, "ksym:"))
					if err != nil {
						return err
					}
					lo = int32(id)
				case strings.HasPrefix(s, "func:"):
					src = pseudoFunc
					t, err := target(strings.TrimPrefix(s, "func:"))
					if err != nil {
						return err
					}
					lo = int32(t)
				default:
					v, err := parseImm(s)
					if err != nil {
						return err
					}
					lo, hi = int32(uint32(v)), int32(uint64(v)>>32)
				}
				emit(opLDDW, d, src, 0, lo)
				emit(0, 0, 0, 0, hi)
			case strings.HasPrefix(m, "ldabs") || strings.HasPrefix(m, "ldind"):
				sz, ok := sizeSuffix[m[5:]]
				if !ok {
					return fmt.Errorf("unknown instruction %q", m)
				}
				if m[:5] == "ldabs" {
					if err := need(1); err != nil {
						return err
					}
					v, err := parseImm(a[0])
					if err != nil {
						return err
					}
					emit(clsLD|modeABS|sz, 0, 0, 0, int32(v))
					return nil
				}
				if err := need(2); err != nil {
					return err
				}
				r, err := parseReg(a[0])
				if err != nil {
					return err
				}
				v, err := parseImm(a[1])
				if err != nil {
					return err
				}
				emit(clsLD|modeIND|sz, 0, r, 0, int32(v))
			case strings.HasPrefix(m, "ldx"):
				rest := m[3:]
				mode := uint8(modeMEM)
				if strings.HasPrefix(rest, "s") && rest != "" {
					mode = modeMEMSX
					rest = rest[1:]
				}
				sz, ok := sizeSuffix[rest]
				if !ok {
					return fmt.Errorf("unknown instruction %q", m)
				}
				if err := need(2); err != nil {
					return err
				}
				d, err := parseReg(a[0])
				if err != nil {
					return err
				}
				s, off, err := parseMem(a[1])
				if err != nil {
					return err
				}
				emit(clsLDX|mode|sz, d, s, off, 0)
			case strings.HasPrefix(m, "stx"):
				sz, ok := sizeSuffix[m[3:]]
				if !ok {
					return fmt.Errorf("unknown instruction %q", m)
				}
				if err := need(2); err != nil {
					return err
				}
				d, off, err := parseMem(a[0])
				if err != nil {
					return err
				}
				s, err := parseReg(a[1])
				if err != nil {
					return err
				}
				emit(clsSTX|modeMEM|sz, d, s, off, 0)
			case strings.HasPrefix(m, "st") && sizeSuffix[m[2:]] != 0 || m == "stw":
				sz := sizeSuffix[m[2:]]
				if err := need(2); err != nil {
					return err
				}
				d, off, err := parseMem(a[0])
				if err != nil {
					return err
				}
				v, err := parseImm(a[1])
				if err != nil {
					return err
				}
				emit(clsST|modeMEM|sz, d, 0, off, int32(v))
			case strings.HasPrefix(m, "xadd") || strings.HasPrefix(m, "atomic_"):
				var opName, szName string
				if strings.HasPrefix(m, "xadd") {
					opName, szName = "add", m[4:]
				} else {
					rest := strings.TrimPrefix(m, "atomic_")
					switch {
					case strings.HasSuffix(rest, "64"):
						szName, opName = "dw", strings.TrimSuffix(rest, "64")
					case strings.HasSuffix(rest, "32"):
						szName, opName = "w", strings.TrimSuffix(rest, "32")
					default:
						return fmt.Errorf("unknown instruction %q", m)
					}
				}
				sz, ok := sizeSuffix[szName]
				if !ok {
					return fmt.Errorf("unknown instruction %q", m)
				}
				var imm int32
				fetch := strings.HasPrefix(opName, "fetch_")
				opName = strings.TrimPrefix(opName, "fetch_")
				switch opName {
				case "add", "or", "and", "xor":
					imm = int32(aluOps[opName])
					if fetch {
						imm |= atomicFETCH
					}
				case "xchg":
					imm = atomicXCHG
				case "cmpxchg":
					imm = atomicCMPX
				default:
					return fmt.Errorf("unknown instruction %q", m)
				}
				if err := need(2); err != nil {
					return err
				}
				d, off, err := parseMem(a[0])
				if err != nil {
					return err
				}
				s, err := parseReg(a[1])
				if err != nil {
					return err
				}
				emit(clsSTX|modeATOMIC|sz, d, s, off, imm)
			case m == "ja" || m == "ja32":
				if err := need(1); err != nil {
					return err
				}
				t, err := target(a[0])
				if err != nil {
					return err
				}
				if m == "ja32" {
					emit(clsJMP32|jmpJA, 0, 0, 0, int32(t))
				} else {
					emit(clsJMP|jmpJA, 0, 0, int16(t), 0)
				}
			case jmpOps[strings.TrimSuffix(m, "32")] != 0 || strings.TrimSuffix(m, "32") == "jeq":
				cls := uint8(clsJMP)
				base := m
				if strings.HasSuffix(m, "32") {
					cls, base = clsJMP32, strings.TrimSuffix(m, "32")
				}
				op := jmpOps[base]
				if err := need(3); err != nil {
					return err
				}
				d, err := parseReg(a[0])
				if err != nil {
					return err
				}
				t, err := target(a[2])
				if err != nil {
					return err
				}
				if s, err := parseReg(a[1]); err == nil {
					emit(cls|op|srcX, d, s, int16(t), 0)
				} else {
					v, err := parseImm(a[1])
					if err != nil {
						return err
					}
					emit(cls|op, d, 0, int16(t), int32(v))
				}
			case strings.HasPrefix(m, "le") || strings.HasPrefix(m, "be") || strings.HasPrefix(m, "bswap"):
				var cls, src uint8 = clsALU, 0
				var bitsS string
				switch {
				case strings.HasPrefix(m, "le"):
					bitsS = m[2:]
				case strings.HasPrefix(m, "be"):
					bitsS, src = m[2:], srcX
				default:
					bitsS, cls = m[5:], clsALU64
				}
				w, err := strconv.Atoi(bitsS)
				if err != nil {
					return fmt.Errorf("unknown instruction %q", m)
				}
				if err := need(1); err != nil {
					return err
				}
				d, err := parseReg(a[0])
				if err != nil {
					return err
				}
				emit(cls|aluEND|src, d, 0, 0, int32(w))
			default:
				base := m
				cls := uint8(clsALU64)
				var off int16
				if strings.HasPrefix(base, "movsx") {
					w := strings.TrimPrefix(base, "movsx")
					if strings.HasSuffix(w, "_32") {
						cls, w = clsALU, strings.TrimSuffix(w, "_32")
					}
					x, err := strconv.Atoi(w)
					if err != nil {
						return fmt.Errorf("unknown instruction %q", m)
					}
					off, base = int16(x), "mov"
				} else if strings.HasSuffix(base, "32") {
					cls, base = clsALU, strings.TrimSuffix(base, "32")
				} else if strings.HasSuffix(base, "64") {
					base = strings.TrimSuffix(base, "64")
				}
				op, ok := aluOps[base]
				if !ok {
					return fmt.Errorf("unknown instruction %q", m)
				}
				if base == "sdiv" || base == "smod" {
					off = 1
				}
				if base == "neg" {
					if err := need(1); err != nil {
						return err
					}
					d, err := parseReg(a[0])
					if err != nil {
						return err
					}
					emit(cls|op, d, 0, 0, 0)
					return nil
				}
				if err := need(2); err != nil {
					return err
				}
				d, err := parseReg(a[0])
				if err != nil {
					return err
				}
				if s, err := parseReg(a[1]); err == nil {
					emit(cls|op|srcX, d, s, off, 0)
				} else {
					v, err := parseImm(a[1])
					if err != nil {
						return err
					}
					emit(cls|op, d, 0, off, int32(v))
				}
			}
			return nil
		}()
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", l.no, err)
		}
	}
	return p, nil
}

// kernelVarID finds the BTF id of the kernel variable name in vmlinux's
// BTF, for `lddw %rN, ksym:NAME`.
func kernelVarID(name string) (btf.TypeID, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return 0, fmt.Errorf("ksym:%s: %w", name, err)
	}
	var v *btf.Var
	if err := spec.TypeByName(name, &v); err != nil {
		return 0, fmt.Errorf("ksym:%s: %w", name, err)
	}
	return spec.TypeID(v)
}
