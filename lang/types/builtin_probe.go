package types

import (
	"github.com/gotrace/gotrace/lang"
)

// The probe itself: what fired it (args, argN, retval, func, ctx, reg,
// usermode), its name and type (probe, probetype), and override, which
// changes what a kprobe's function returns.

// ArgCount is how many argN builtins a probe may use.
const ArgCount = 6

const (
	BuiltinArgs Builtin = probeFamily + iota
	BuiltinArg
	BuiltinRetval
	BuiltinFunc
	BuiltinCtx
	BuiltinReg
	BuiltinUsermode
	BuiltinProbe
	BuiltinProbetype
	BuiltinOverride
)

func init() {
	define(
		&builtin{id: BuiltinArgs, name: "args", ident: (*checker).argsIdent},
		&builtin{id: BuiltinArg, name: "arg", numbered: true, ident: (*checker).argIdent},
		&builtin{id: BuiltinRetval, name: "retval", ident: (*checker).retvalIdent},
		&builtin{id: BuiltinFunc, name: "func", ident: (*checker).funcIdent},
		&builtin{id: BuiltinCtx, name: "ctx", ident: (*checker).ctxIdent},
		&builtin{id: BuiltinReg, name: "reg", minArgs: 1, maxArgs: 1, call: (*checker).regCall},
		&builtin{id: BuiltinUsermode, name: "usermode", ident: (*checker).usermodeIdent},
		&builtin{id: BuiltinProbe, name: "probe", ident: (*checker).probeIdent},
		&builtin{id: BuiltinProbetype, name: "probetype", ident: (*checker).probetypeIdent},
		&builtin{id: BuiltinOverride, name: "override", minArgs: 1, maxArgs: 1, call: (*checker).overrideCall},
	)
}

// inProbe tells whether e, a builtin that reads the probe's context, is
// where the context is: not in the callback of a for loop over a map.
func (c *checker) inProbe(e *lang.Ident) bool {
	if c.inCallback > 0 {
		c.errorf(e.At, "%s cannot be used inside a for loop over a map; copy it to a $variable before the loop", e.Name)
		return false
	}
	return true
}

// argsIdent types args: the probe's arguments, laid out alike in every
// probe of the block.
func (c *checker) argsIdent(e *lang.Ident) *Type {
	if !c.inProbe(e) {
		return nil
	}
	for _, ctx := range c.ctxs {
		if ctx.AttachProg != 0 {
			// (the kernel names no BPF function's arguments)
			c.errorf(e.At, "The args builtin cannot be used for 'fentry/fexit:bpf' probes")
			return nil
		}
	}
	return c.oneLayout(e, func(ctx *Context) *Type { return ctx.Args }, "")
}

// oneLayout types args or ctx, e: the layout the probes of the block give
// it, which must be the same in all; where a probe has none, the error
// ends in why.
func (c *checker) oneLayout(e *lang.Ident, layout func(*Context) *Type, why string) *Type {
	var t *Type
	for _, ctx := range c.ctxs {
		lt := layout(ctx)
		if lt == nil {
			c.errorf(e.At, "%s is not available in probe %s%s", e.Name, ctx.Name, why)
			return nil
		}
		if t != nil && !Equal(t, lt) {
			c.errorf(e.At, "%s has different layouts in the probes of this block (%s and %s)", e.Name, t, lt)
			return nil
		}
		t = lt
	}
	return t
}

// argIdent types argN: the Nth argument of the probed function.
func (c *checker) argIdent(e *lang.Ident) *Type {
	if !c.inProbe(e) {
		return nil
	}
	n := c.info.ArgN[e]
	return c.inEveryContext(e, func(ctx *Context) (*Type, bool) {
		switch ctx.ArgN {
		case ArgSlots:
			if ctx.Kind == ProgTracing {
				return Uint64, n < ctx.NumArgs
			}
			return Uint64, n < ArgCount
		case ArgUSDT:
			// a USDT argument is read as a long, whatever its size
			// and sign in the note (as bpftrace types it)
			return Int64, n < len(ctx.USDTArgs)
		case ArgRegs:
			return Uint64, ctx.Regs != nil && n < len(ctx.Regs.Args)
		}
		return Uint64, false
	})
}

// retvalIdent types retval: what the probed function returned.
func (c *checker) retvalIdent(e *lang.Ident) *Type {
	if !c.inProbe(e) {
		return nil
	}
	return c.inEveryContext(e, func(ctx *Context) (*Type, bool) {
		if ctx.Return && ctx.Kind == ProgTracing && ctx.Retval != nil {
			return ctx.Retval, true
		}
		return Uint64, ctx.Return
	})
}

// funcIdent types func: the probed function, printed as its symbol.
func (c *checker) funcIdent(e *lang.Ident) *Type {
	if !c.inProbe(e) {
		return nil
	}
	return c.inEveryContext(e, func(ctx *Context) (*Type, bool) {
		switch ctx.Func {
		case FuncKernel, FuncKernelIP:
			return &Type{Kind: Ksym, Size: 8}, true
		case FuncUser:
			return UsymType, true
		}
		return nil, false
	})
}

// inEveryContext types a builtin whose type typeIn gives in each probe of
// the block, where it says whether the probe has it; the last probe's
// type is the builtin's.
func (c *checker) inEveryContext(e *lang.Ident, typeIn func(*Context) (*Type, bool)) *Type {
	var t *Type
	for _, ctx := range c.ctxs {
		ct, ok := typeIn(ctx)
		if !ok {
			c.errorf(e.At, "%s is not available in probe %s", e.Name, ctx.Name)
			return nil
		}
		t = ct
	}
	if t == nil {
		c.errorf(e.At, "%s is not available here", e.Name)
	}
	return t
}

// regCall checks reg(name): a register of the probed code, from the
// probe's struct pt_regs.
func (c *checker) regCall(e *lang.Call) *Type {
	regs := RegsAMD64
	for _, ctx := range c.ctxs {
		if ctx.Regs != nil {
			regs = ctx.Regs
			break
		}
	}
	lit, ok := e.Args[0].(*lang.StrLit)
	if !ok || regs.Offset(lit.Val) < 0 {
		c.errorf(e.Args[0].Pos(), "reg() takes a register name such as %s", regs.Example())
		return nil
	}
	for _, ctx := range c.ctxs {
		if ctx.Regs == nil {
			c.errorf(e.At, "reg() needs registers, which probe %s does not have", ctx.Name)
			return nil
		}
	}
	c.record(lit, StrType(len(lit.Val)+1))
	c.info.Consts.Set(lit, Const{Int: int64(regs.Offset(lit.Val))})
	return Uint64
}

// usermodeIdent types usermode: whether the probe interrupted user code
// (1 in BEGIN and END, which gotrace runs from user space).
func (c *checker) usermodeIdent(e *lang.Ident) *Type {
	for _, ctx := range c.ctxs {
		if ctx.Regs == nil && ctx.Run != RunBegin && ctx.Run != RunEnd {
			c.errorf(e.At, "usermode needs the registers of the interrupted code, which probe %s does not have", ctx.Name)
			return nil
		}
	}
	return Uint8
}

// probeIdent types probe: the name of the probe that fired, as long as
// the longest of the block's.
func (c *checker) probeIdent(e *lang.Ident) *Type {
	n := 0
	for _, ctx := range c.probeCtxs {
		if len(ctx.Name)+1 > n {
			n = len(ctx.Name) + 1
		}
	}
	return StrType(n)
}

// probetypeIdent types probetype: the provider of the probe that fired.
func (c *checker) probetypeIdent(e *lang.Ident) *Type {
	n := 0
	for _, ctx := range c.probeCtxs {
		n = max(n, len(ProbeType(ctx))+1)
	}
	return StrType(n)
}

// overrideCall checks override(rc), which makes the kprobed function
// return rc.
func (c *checker) overrideCall(e *lang.Call) *Type {
	if !c.info.Config.Unsafe {
		c.errorf(e.At, "override() is unsafe. To use you need the --unsafe flag").Hint = "override() changes what a kernel function returns"
		return nil
	}
	for _, ctx := range c.ctxs {
		if !ctx.Overridable {
			c.errorf(e.At, "override() works only in kprobes, not in %s", ctx.Name)
			return nil
		}
	}
	if !c.intArg(e, 0, "the return value as an integer") {
		return nil
	}
	return VoidType
}

// ProbeType is what the probetype builtin gives for a probe: its
// canonical provider, with begin and end (and self) called "special".
func ProbeType(ctx *Context) string {
	if ctx.Run.Special() {
		return "special"
	}
	return ctx.Provider
}

// ctxIdent types the `ctx` builtin: the context an iter probe's program
// gets (struct bpf_iter__task and the like, from the kernel's BTF), or a
// perf event probe's (struct bpf_perf_event_data). Every probe of the
// block must give it the same layout.
func (c *checker) ctxIdent(e *lang.Ident) *Type {
	if c.inCallback > 0 {
		c.errorf(e.At, "ctx cannot be used inside a for loop over a map; copy what you need to a $variable before the loop")
		return nil
	}
	return c.oneLayout(e, func(ctx *Context) *Type { return ctx.Ctx },
		" (only iter, interval, profile, software and hardware probes have it)")
}
