package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// The probe itself: its context (args, ctx, argN, retval, func, reg,
// usermode), as each kind of program gets it; its name and type, known
// when compiling; override, the kernel's bpf_override_return.

func init() {
	context := func(f *fn, _ *lang.Ident, t *types.Type) val {
		return val{t: t, m: &mem{base: f.ctxReg, ctx: true}}
	}
	define(types.BuiltinArgs, builtinCode{ident: context})
	define(types.BuiltinCtx, builtinCode{ident: context})
	define(types.BuiltinArg, builtinCode{ident: (*fn).arg})
	define(types.BuiltinRetval, builtinCode{ident: (*fn).retval})
	define(types.BuiltinFunc, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		if f.ctx.Func == types.FuncUser {
			if f.ctx.Return {
				// the instruction pointer is back in the caller: the
				// kernel knows the function the probe returned from
				return f.usym(f.call(asm.FnGetFuncIp, f.ctxReg), t)
			}
			return f.usym(f.load(mem{base: f.ctxReg, off: f.ctx.Regs.IP}, 8), t)
		}
		if f.ctx.Func == types.FuncKernelIP {
			return val{t: t, r: f.load(mem{base: f.ctxReg, off: f.ctx.Regs.IP}, 8)}
		}
		return val{t: t, r: f.call(asm.FnGetFuncIp, f.ctxReg)}
	}})
	define(types.BuiltinReg, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		off := f.c.info.Consts.Of(e.Args[0]).Int
		return val{t: t, r: f.load(mem{base: f.ctxReg, off: int32(off)}, 8)}
	}})
	define(types.BuiltinUsermode, builtinCode{ident: (*fn).usermode})
	define(types.BuiltinProbe, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		return f.constStrOf(f.ctx.Name, t)
	}})
	define(types.BuiltinProbetype, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		return f.constStrOf(types.ProbeType(f.ctx), t)
	}})
	define(types.BuiltinOverride, builtinCode{stmt: func(f *fn, e *lang.Call) {
		rc := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		f.call(asm.FnOverrideReturn, f.ctxReg, rc)
	}})
}

// arg compiles argN: where the probe's kind of program has it.
func (f *fn) arg(e *lang.Ident, t *types.Type) val {
	n := f.c.info.ArgN[e]
	switch f.ctx.ArgN {
	case types.ArgUSDT:
		return val{t: t, r: f.usdtArg(f.ctx.USDTArgs[n])}
	case types.ArgSlots:
		return val{t: t, r: f.load(mem{base: f.ctxReg, off: int32(8 * n)}, 8)}
	}
	return val{t: t, r: f.load(mem{base: f.ctxReg, off: f.ctx.Regs.Args[n]}, 8)}
}

// retval compiles retval: where the probe's kind of program has it.
func (f *fn) retval(_ *lang.Ident, t *types.Type) val {
	if f.ctx.Kind == types.ProgTracing {
		// The return value follows the arguments; read the whole slot
		// and narrow it to its type. Of a BPF function (fexit:bpf) the
		// kernel may count more arguments than its BTF names (five,
		// when it finds the BTF unreliable), so bpf_get_func_ret finds
		// the slot.
		var r vreg
		if f.ctx.AttachProg != 0 {
			m := f.alloc(8)
			f.storeImm(m, 8, 0)
			f.call(asm.FnGetFuncRet, f.ctxReg, f.addr(m))
			r = f.load(m, 8)
		} else {
			r = f.load(mem{base: f.ctxReg, off: int32(8 * f.ctx.NumArgs)}, 8)
		}
		if t.Kind == types.Int {
			r = f.narrow(r, t.Size, t.Signed)
		}
		return val{t: t, r: r}
	}
	return val{t: t, r: f.load(mem{base: f.ctxReg, off: f.ctx.Regs.Ret}, 8)}
}

// usermode is 1 when the probe interrupted user code, as the mode bits
// of a register say (x86-64: the privilege level in the low bits of the
// code segment).
func (f *fn) usermode(_ *lang.Ident, t *types.Type) val {
	if f.ctx.Run == types.RunBegin || f.ctx.Run == types.RunEnd {
		// run by gotrace, from user space
		return val{t: t, r: f.imm(1)}
	}
	regs := f.ctx.Regs
	mode := f.load(mem{base: f.ctxReg, off: regs.Mode}, 8)
	d := f.newReg()
	no := f.label()
	f.emit(&inst{op: opMovImm, dst: d, imm: 0})
	f.emit(&inst{op: opJcc, a: f.aluImm(asm.And, mode, regs.ModeMask), cc: asm.JNE, useImm: true, imm: regs.UserMode, label: no})
	f.emit(&inst{op: opMovImm, dst: d, imm: 1})
	f.mark(no)
	return val{t: t, r: d}
}

// constStrOf is the string s, known when compiling, as a value of string
// type t (zero-padded).
func (f *fn) constStrOf(s string, t *types.Type) val {
	m := f.alloc(t.Size)
	b := make([]byte, t.Size)
	copy(b, s)
	f.constBytes(m, b)
	return val{t: t, m: &m}
}

// usdtArg reads a USDT argument where its note says it is.
func (f *fn) usdtArg(l types.ArgLoc) vreg {
	var v vreg
	switch {
	case l.Const:
		v = f.imm(l.Disp)
	case l.Reg >= 0:
		v = f.load(mem{base: f.ctxReg, off: int32(l.Reg)}, 8)
	default:
		v = f.imm(0)
	}
	if l.Mem {
		addr := f.aluImm(asm.Add, v, l.Disp)
		if l.Index >= 0 {
			idx := f.load(mem{base: f.ctxReg, off: int32(l.Index)}, 8)
			addr = f.alu(asm.Add, addr, f.aluImm(asm.Mul, idx, int64(l.Scale)))
		}
		tmp := f.alloc(8)
		f.storeImm(tmp, 8, 0)
		f.call(asm.FnProbeReadUser, f.addr(tmp), f.imm(int64(l.Size)), addr)
		v = f.load(tmp, 8)
	}
	return f.narrow(v, l.Size, l.Signed)
}
