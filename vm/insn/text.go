package insn

import (
	"fmt"
	"strconv"
	"strings"
)

// Disassemble writes raw instructions in the text format of Assemble, one
// per line, with jump targets as offsets.
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

var sizeNames = map[uint8]string{B: "b", H: "h", W: "w", DW: "dw"}

// String is the instruction in the text format of Assemble.
func (in Insn) String() string {
	suffix32 := func(c uint8) string {
		if c == ALU || c == JMP32 {
			return "32"
		}
		return ""
	}
	srcOperand := func() string {
		if in.Op&X != 0 {
			return fmt.Sprintf("%%r%d", in.Src)
		}
		return strconv.Itoa(int(in.Imm))
	}
	c := in.Class()
	switch c {
	case LD:
		if in.IsLDDW() {
			if in.Src == 0 {
				return fmt.Sprintf("lddw %%r%d, 0x%x", in.Dst, in.Imm64)
			}
			return fmt.Sprintf("lddw %%r%d, map(src=%d, fd=%d, off=%d)", in.Dst, in.Src, in.Imm, in.Next)
		}
	case LDX:
		name := sizeNames[in.Size()]
		if in.Mode() == MEMSX {
			name = "s" + name
		}
		return fmt.Sprintf("ldx%s %%r%d, %s", name, in.Dst, memOperand(in.Src, in.Off))
	case ST, STX:
		name := sizeNames[in.Size()]
		if c == ST {
			return fmt.Sprintf("st%s %s, %d", name, memOperand(in.Dst, in.Off), in.Imm)
		}
		if in.Mode() == ATOMIC {
			w := ""
			if in.Size() == W {
				w = "32"
			}
			for n, v := range atomicOps {
				if v == in.Imm&^FETCH || v == in.Imm {
					fetch := ""
					if in.Imm&FETCH != 0 && n != "xchg" && n != "cmpxchg" {
						fetch = "fetch "
					}
					return fmt.Sprintf("lock %s%s%s %s, %%r%d", fetch, n, w, memOperand(in.Dst, in.Off), in.Src)
				}
			}
			return fmt.Sprintf("lock 0x%x %s, %%r%d", in.Imm, memOperand(in.Dst, in.Off), in.Src)
		}
		return fmt.Sprintf("stx%s %s, %%r%d", name, memOperand(in.Dst, in.Off), in.Src)
	case ALU, ALU64:
		op := in.Code()
		switch op {
		case NEG:
			return fmt.Sprintf("neg%s %%r%d", suffix32(c), in.Dst)
		case END:
			switch {
			case c == ALU64:
				return fmt.Sprintf("swap%d %%r%d", in.Imm, in.Dst)
			case in.Op&X != 0:
				return fmt.Sprintf("be%d %%r%d", in.Imm, in.Dst)
			}
			return fmt.Sprintf("le%d %%r%d", in.Imm, in.Dst)
		case MOV:
			if in.Off != 0 {
				to := 64
				if c == ALU {
					to = 32
				}
				return fmt.Sprintf("movsx%d%d %%r%d, %%r%d", in.Off, to, in.Dst, in.Src)
			}
		}
		for n, v := range aluOps {
			if v == op && (n == "sdiv" || n == "smod") == (in.Off == 1 && (op == DIV || op == MOD)) {
				return fmt.Sprintf("%s%s %%r%d, %s", n, suffix32(c), in.Dst, srcOperand())
			}
		}
	case JMP, JMP32:
		op := in.Code()
		switch op {
		case EXIT:
			return "exit"
		case CALL:
			if in.Src == PseudoCall {
				return fmt.Sprintf("call local %s", signed(int(in.Imm)))
			}
			return fmt.Sprintf("call %d", in.Imm)
		case JA:
			if c == JMP32 {
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
