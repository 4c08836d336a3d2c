package codegen

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
)

// vreg is a virtual register. vreg 0 means "none"; fpReg is the frame
// pointer r10, which is never allocated.
type vreg int

const fpReg vreg = 1

// op is an IR operation. The IR is a linear list of instructions close to
// eBPF, but three-address and on an unbounded set of virtual registers.
type op int

const (
	opCtx       op = iota // dst = the context pointer (r1 at entry)
	opMovImm              // dst = imm
	opMov                 // dst = a
	opALU                 // dst = a <alu> (b | imm)
	opNeg                 // dst = -a
	opLoad                // dst = *(size *)(a + off)
	opStore               // *(size *)(a + off) = b
	opStoreImm            // *(size *)(a + off) = imm
	opStackAddr           // dst = fp + off (off < 0)
	opMapPtr              // dst = &map (lddw pseudo map fd)
	opMapValue            // dst = &map value[0] + off (array maps only)
	opCall                // dst = helper(args...)
	opJmp                 // goto label
	opJcc                 // if a <cc> (b | imm) goto label
	opLabel               // label:
	opExit                // return a
	opSpill               // *(u64 *)(fp + off) = a
	opReload              // dst = *(u64 *)(fp + off)
	opSwap                // dst = bswap<imm bits>(a)
	opArg                 // dst = r<imm> at function entry (callbacks)
	opFuncPtr             // dst = &function ref (lddw pseudo func)
	opKernelVar           // dst = &vmlinux variable of BTF id imm (lddw pseudo btf id)
	opFetch               // dst = *(size *)(a + off); *(size *)(a + off) <alu>= b, atomically; b must be dst
)

type inst struct {
	op     op
	dst    vreg
	a, b   vreg
	useImm bool // the second operand is imm, not b
	imm    int64
	off    int32
	size   asm.Size
	alu    asm.ALUOp
	cc     asm.JumpOp
	label  string
	ref    string // map name for opMapPtr, opMapValue
	fn     asm.BuiltinFunc
	kfunc  uint32 // opCall: a kernel function of this BTF id, not the helper fn
	callee string // opCall: a bpf-to-bpf call of this function (imported C), not the helper fn
	args   []vreg
	// pos is the script position inst comes from (nil: none); the
	// instructions emitted at one position share it
	pos    *lang.Pos
	atomic bool // opStore: an atomic add (lock xadd) instead of a store
}

// at returns the script position in comes from.
func (in *inst) at() lang.Pos {
	if in.pos == nil {
		return lang.Pos{}
	}
	return *in.pos
}

// uses returns the virtual registers inst reads.
func (in *inst) uses() []vreg {
	var u []vreg
	in.eachUse(func(v vreg) { u = append(u, v) })
	return u
}

// eachUse calls f with each virtual register inst reads.
func (in *inst) eachUse(f func(vreg)) {
	var buf [2]vreg
	for _, v := range in.operands(&buf) {
		if v != 0 && v != fpReg {
			f(v)
		}
	}
}

// operands returns the registers inst reads, 0 (none) and fpReg among
// them, in buf when they are not a call's arguments.
func (in *inst) operands(buf *[2]vreg) []vreg {
	switch in.op {
	case opExit:
		if !in.useImm {
			buf[0] = in.a
			return buf[:1]
		}
	case opMov, opNeg, opLoad, opSpill, opSwap, opStoreImm:
		buf[0] = in.a
		return buf[:1]
	case opALU, opJcc:
		buf[0] = in.a
		if !in.useImm {
			buf[1] = in.b
			return buf[:2]
		}
		return buf[:1]
	case opStore, opFetch:
		buf[0], buf[1] = in.a, in.b
		return buf[:2]
	case opCall:
		return in.args
	}
	return nil
}

// def returns the virtual register inst writes, or 0.
func (in *inst) def() vreg {
	switch in.op {
	case opCtx, opMovImm, opMov, opALU, opNeg, opLoad, opStackAddr, opMapPtr, opMapValue, opCall, opReload, opSwap, opArg, opFuncPtr, opKernelVar, opFetch:
		return in.dst
	}
	return 0
}

// sideEffects reports whether inst must stay even when its result is unused.
func (in *inst) sideEffects() bool {
	switch in.op {
	case opStore, opStoreImm, opCall, opJmp, opJcc, opLabel, opExit, opSpill, opFetch:
		return true
	}
	return false
}

func (in *inst) String() string {
	r := func(v vreg) string { return fmt.Sprintf("v%d", v) }
	second := func() string {
		if in.useImm {
			return fmt.Sprint(in.imm)
		}
		return r(in.b)
	}
	switch in.op {
	case opCtx:
		return r(in.dst) + " = ctx"
	case opMovImm:
		return fmt.Sprintf("%s = %d", r(in.dst), in.imm)
	case opMov:
		return r(in.dst) + " = " + r(in.a)
	case opALU:
		return fmt.Sprintf("%s = %s %v %s", r(in.dst), r(in.a), in.alu, second())
	case opNeg:
		return r(in.dst) + " = -" + r(in.a)
	case opArg:
		return fmt.Sprintf("%s = arg r%d", r(in.dst), in.imm)
	case opFuncPtr:
		return fmt.Sprintf("%s = func %s", r(in.dst), in.ref)
	case opKernelVar:
		return fmt.Sprintf("%s = kernel var btf#%d", r(in.dst), in.imm)
	case opSwap:
		return fmt.Sprintf("%s = bswap%d %s", r(in.dst), in.imm, r(in.a))
	case opLoad:
		return fmt.Sprintf("%s = *(%v)(%s%+d)", r(in.dst), in.size, r(in.a), in.off)
	case opStore:
		return fmt.Sprintf("*(%v)(%s%+d) = %s", in.size, r(in.a), in.off, r(in.b))
	case opStoreImm:
		return fmt.Sprintf("*(%v)(%s%+d) = %d", in.size, r(in.a), in.off, in.imm)
	case opFetch:
		return fmt.Sprintf("%s = fetch_%v(%v)(%s%+d), %s", r(in.dst), in.alu, in.size, r(in.a), in.off, r(in.b))
	case opStackAddr:
		return fmt.Sprintf("%s = fp%+d", r(in.dst), in.off)
	case opMapPtr:
		return fmt.Sprintf("%s = map %s", r(in.dst), in.ref)
	case opMapValue:
		return fmt.Sprintf("%s = &%s%+d", r(in.dst), in.ref, in.off)
	case opCall:
		var a []string
		for _, v := range in.args {
			a = append(a, r(v))
		}
		name := in.fn.String()
		if in.callee != "" {
			name = in.callee
		}
		return fmt.Sprintf("%s = %s(%s)", r(in.dst), name, strings.Join(a, ", "))
	case opJmp:
		return "goto " + in.label
	case opJcc:
		return fmt.Sprintf("if %s %v %s goto %s", r(in.a), in.cc, second(), in.label)
	case opLabel:
		return in.label + ":"
	case opExit:
		return "return " + second()
	case opSpill:
		return fmt.Sprintf("spill fp%+d = %s", in.off, r(in.a))
	case opReload:
		return fmt.Sprintf("%s = reload fp%+d", r(in.dst), in.off)
	}
	return "?"
}
