package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Memory and pointers: kptr and uptr only change the pointer's type;
// percpu_kaddr and write_user are the kernel's helpers; bswap is an
// instruction. (is_err and container_of are expansions the checker made.)

func init() {
	define(types.BuiltinKptr, builtinCode{call: operand})
	define(types.BuiltinUptr, builtinCode{call: operand})
	define(types.BuiltinPercpuKaddr, builtinCode{call: (*fn).percpuKaddr})
	define(types.BuiltinWriteUser, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		dst := f.scalar(f.expr(e.Args[0]))
		src := f.expr(e.Args[1])
		f.pos = e.At
		r := f.call(asm.FnProbeWriteUser, dst, f.addr(*src.m), f.imm(f.c.info.Consts.Of(e.Args[2]).Int))
		return val{t: t, r: f.succeeded(r)}
	}})
	define(types.BuiltinBswap, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		x := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		d := f.newReg()
		f.emit(&inst{op: opMov, dst: d, a: x})
		if t.Size > 1 {
			// (one byte has no order to swap)
			f.emit(&inst{op: opSwap, dst: d, a: d, imm: int64(8 * t.Size)})
		}
		return val{t: t, r: d}
	}})
}

// percpuKaddr compiles percpu_kaddr(name[, cpu]): the variable's address
// (lddw by BTF id, which the kernel resolves through kallsyms), then one
// CPU's copy of it.
func (f *fn) percpuKaddr(e *lang.Call, t *types.Type) val {
	v := f.newReg()
	f.pos = e.At
	f.emit(&inst{op: opKernelVar, dst: v, imm: int64(f.c.info.KernelVars[e])})
	if len(e.Args) == 2 {
		cpu := f.scalar(f.expr(e.Args[1]))
		f.pos = e.At
		return val{t: t, r: f.call(asm.FnPerCpuPtr, v, cpu)}
	}
	return val{t: t, r: f.call(asm.FnThisCpuPtr, v)}
}
