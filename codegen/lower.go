package codegen

import (
	"fmt"
	"math"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
)

// lower turns allocated IR into eBPF instructions. The first instruction
// of each run from one script position carries that position as its
// source (sourcePos: the program's line info; a line covers the
// instructions up to the next), and positions holds the position of
// each raw instruction slot (lddw takes two).
func lower(code []*inst, al *allocation) (asm.Instructions, Positions, error) {
	out := make(asm.Instructions, 0, len(code)+len(code)/8)
	var positions Positions
	var pending string
	var alias map[string]string
	// the comment of the last position: runs of instructions share one
	var comment fmt.Stringer
	var commentPos lang.Pos
	var buf [8]asm.Instruction
	r := func(v vreg) asm.Register {
		if v == fpReg {
			return asm.RFP
		}
		reg, ok := al.regOf(v)
		if !ok {
			return asm.R0 // a dead value: its register does not matter
		}
		return reg
	}
	for i, in := range code {
		emitted := buf[:0]
		emit := func(ins asm.Instruction) { emitted = append(emitted, ins) }
		switch in.op {
		case opLabel:
			if pending != "" {
				if alias == nil {
					alias = map[string]string{}
				}
				alias[in.label] = pending
			} else {
				pending = in.label
			}
			continue
		case opCtx:
			if d := r(in.dst); d != asm.R1 {
				emit(asm.Mov.Reg(d, asm.R1))
			}
		case opMovImm:
			emit(movImm(r(in.dst), in.imm))
		case opMov:
			if d, a := r(in.dst), r(in.a); d != a {
				emit(asm.Mov.Reg(d, a))
			}
		case opALU:
			d, a := r(in.dst), r(in.a)
			if in.useImm && in.alu == asm.And && in.imm == low32Mask {
				emit(asm.Mov.Reg32(d, a))
				break
			}
			if in.useImm {
				if d != a {
					emit(asm.Mov.Reg(d, a))
				}
				emit(in.alu.Imm(d, int32(in.imm)))
				break
			}
			b := r(in.b)
			switch {
			case d == a:
				emit(in.alu.Reg(d, b))
			case d == b && commutative(in.alu):
				emit(in.alu.Reg(d, a))
			case d == b && in.alu == asm.Sub:
				// d = a - d as -d + a: no scratch register
				emit(asm.Neg.Imm(d, 0))
				emit(asm.Add.Reg(d, a))
			case d == b:
				emit(asm.Mov.Reg(asm.R0, a))
				emit(in.alu.Reg(asm.R0, b))
				emit(asm.Mov.Reg(d, asm.R0))
			default:
				emit(asm.Mov.Reg(d, a))
				emit(in.alu.Reg(d, b))
			}
		case opNeg:
			d, a := r(in.dst), r(in.a)
			if d != a {
				emit(asm.Mov.Reg(d, a))
			}
			emit(asm.Neg.Imm(d, 0))
		case opArg:
			if d, a := r(in.dst), asm.R0+asm.Register(in.imm); d != a {
				emit(asm.Mov.Reg(d, a))
			}
		case opKernelVar:
			emit(asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: r(in.dst), Src: asm.R3, Constant: in.imm}) // BPF_PSEUDO_BTF_ID
		case opFuncPtr:
			emit(asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: r(in.dst), Src: asm.PseudoFunc, Constant: -1}.WithReference(in.ref))
		case opSwap:
			d, a := r(in.dst), r(in.a)
			if d != a {
				emit(asm.Mov.Reg(d, a))
			}
			// BPF_END|BPF_TO_BE on a little-endian machine swaps the bytes
			// of the low imm bits and zero-extends.
			emit(asm.HostTo(asm.BE, d, sizeOf(int(in.imm/8))))
		case opLoad:
			emit(asm.LoadMem(r(in.dst), r(in.a), int16(in.off), in.size))
		case opStore:
			if in.atomic {
				emit(asm.AddAtomic.Mem(r(in.a), r(in.b), in.size, int16(in.off)))
				break
			}
			emit(asm.StoreMem(r(in.a), int16(in.off), r(in.b), in.size))
		case opFetch:
			// the fetching form puts the old value in its source register,
			// which is why b is dst
			d := r(in.dst)
			// The operation goes in the immediate (BPF_FETCH is 1), which
			// cilium/ebpf v0.22 drops when it marshals its atomic opcodes:
			// spell the instruction out.
			emit(asm.Instruction{OpCode: asm.OpCode(asm.StXClass).SetMode(asm.AtomicMode).SetSize(in.size),
				Dst: r(in.a), Src: d, Offset: int16(in.off), Constant: int64(in.alu) | 1})
		case opStoreImm:
			// cilium's StoreImm refuses DWord, which the kernel accepts
			// (the 32-bit immediate is sign-extended).
			emit(asm.Instruction{OpCode: asm.StoreImmOp(in.size), Dst: r(in.a), Offset: int16(in.off), Constant: in.imm})
		case opStackAddr:
			d := r(in.dst)
			emit(asm.Mov.Reg(d, asm.RFP))
			emit(asm.Add.Imm(d, in.off))
		case opMapPtr:
			emit(asm.LoadMapPtr(r(in.dst), 0).WithReference(in.ref))
		case opMapValue:
			emit(asm.LoadMapValue(r(in.dst), 0, uint32(in.off)).WithReference(in.ref))
		case opCall:
			for _, m := range parallelMoves(in.args, r) {
				emit(asm.Mov.Reg(m[0], m[1]))
			}
			if in.kfunc != 0 {
				emit(asm.Instruction{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call), Src: asm.PseudoKfuncCall, Constant: int64(in.kfunc)})
			} else if in.callee != "" {
				emit(asm.Call.Label(in.callee))
			} else {
				emit(in.fn.Call())
			}
			if d, ok := al.regOf(in.dst); ok && in.dst != 0 && al.resultUsed[i] && d != asm.R0 {
				emit(asm.Mov.Reg(d, asm.R0))
			}
		case opJmp:
			emit(asm.Ja.Label(in.label))
		case opJcc:
			if in.useImm {
				emit(in.cc.Imm(r(in.a), int32(in.imm), in.label))
			} else {
				emit(in.cc.Reg(r(in.a), r(in.b), in.label))
			}
		case opExit:
			if in.useImm {
				emit(movImm(asm.R0, in.imm))
			} else if a := r(in.a); a != asm.R0 {
				emit(asm.Mov.Reg(asm.R0, a))
			}
			emit(asm.Return())
		case opSpill:
			emit(asm.StoreMem(asm.RFP, int16(in.off), r(in.a), asm.DWord))
		case opReload:
			emit(asm.LoadMem(r(in.dst), asm.RFP, int16(in.off), asm.DWord))
		default:
			return nil, Positions{}, fmt.Errorf("codegen: cannot lower %v", in)
		}
		if len(emitted) == 0 {
			continue
		}
		if pending != "" {
			emitted[0] = emitted[0].WithSymbol(pending)
			pending = ""
		}
		pos := in.at()
		if comment == nil || pos != commentPos {
			comment, commentPos = sourcePos{in.pos}, pos
			emitted[0] = emitted[0].WithSource(comment)
		}
		for _, e := range emitted {
			out = append(out, e)
			positions.add(in.pos, int(e.Width()))
		}
	}
	if pending != "" {
		return nil, Positions{}, fmt.Errorf("codegen: label %s at the end of the program", pending)
	}
	for i := range out {
		if alias == nil {
			break
		}
		if ref := out[i].Reference(); ref != "" {
			if to, ok := alias[ref]; ok {
				out[i] = out[i].WithReference(to)
			}
		}
	}
	return out, positions, nil
}

func movImm(d asm.Register, v int64) asm.Instruction {
	switch {
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return asm.Mov.Imm(d, int32(v))
	case v >= 0 && v <= math.MaxUint32:
		return asm.Mov.Imm32(d, int32(uint32(v)))
	}
	return asm.LoadImm(d, v, asm.DWord)
}

func commutative(op asm.ALUOp) bool {
	switch op {
	case asm.Add, asm.Mul, asm.And, asm.Or, asm.Xor:
		return true
	}
	return false
}

// parallelMoves returns the register moves (dst, src) that put the call
// arguments in r1..rN without overwriting a source before it is read. A
// cycle is broken through r0, which is free before a call.
func parallelMoves(args []vreg, r func(vreg) asm.Register) [][2]asm.Register {
	type move struct{ dst, src asm.Register }
	var pend []move
	for i, a := range args {
		d := asm.R1 + asm.Register(i)
		if s := r(a); s != d {
			pend = append(pend, move{d, s})
		}
	}
	var out [][2]asm.Register
	for len(pend) > 0 {
		progress := false
		for i := 0; i < len(pend); i++ {
			m := pend[i]
			blocked := false
			for j, o := range pend {
				if j != i && o.src == m.dst {
					blocked = true
					break
				}
			}
			if !blocked {
				out = append(out, [2]asm.Register{m.dst, m.src})
				pend = append(pend[:i], pend[i+1:]...)
				progress = true
				i--
			}
		}
		if !progress {
			// Every destination is still needed as a source: save one in r0.
			d := pend[0].dst
			out = append(out, [2]asm.Register{asm.R0, d})
			for j := range pend {
				if pend[j].src == d {
					pend[j].src = asm.R0
				}
			}
		}
	}
	return out
}

// sourcePos is an instruction's source: the script position, as the
// line info and -d asm show it ("file:line:col"). It is written out only
// when a program is loaded or printed, not for every run of every
// program --check compiles.
type sourcePos struct{ pos *lang.Pos }

func (s sourcePos) String() string {
	if s.pos == nil {
		return lang.Pos{}.String()
	}
	return s.pos.String()
}
