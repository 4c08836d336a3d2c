package types

import (
	"fmt"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// ArgCount is how many argN builtins a probe may use.
const ArgCount = 6

// probeBuiltin types the builtins whose meaning depends on the probe:
// argN, retval and func. It returns nil (with reported set when it
// complained) when e is not one of them or is not available.
func (c *checker) probeBuiltin(e *lang.Ident) *Type {
	var n int
	isArg := false
	if strings.HasPrefix(e.Name, "arg") {
		if _, err := fmt.Sscanf(e.Name, "arg%d", &n); err == nil && fmt.Sprintf("arg%d", n) == e.Name {
			isArg = true
		}
	}
	if !isArg && e.Name != "retval" && e.Name != "func" {
		return nil
	}
	var t *Type
	for _, ctx := range c.ctxs {
		var ok bool
		var ct *Type
		switch {
		case isArg && ctx.Kind == ProgTracing:
			ok = n < ctx.NumArgs
			ct = Uint64
		case isArg && ctx.Provider == "usdt":
			ok = n < len(ctx.USDTArgs)
			ct = Uint64
			if ok && ctx.USDTArgs[n].Signed {
				ct = Int64
			}
		case isArg:
			ok = n < ArgCount && (ctx.Provider == "kprobe" || ctx.Provider == "uprobe" || ctx.Provider == "rawtracepoint")
			ct = Uint64
		case e.Name == "retval" && ctx.Provider == "fexit":
			ok, ct = true, ctx.Retval
			if ct == nil {
				ct = Uint64
			}
		case e.Name == "retval":
			ok = ctx.Provider == "kretprobe" || ctx.Provider == "uretprobe"
			ct = Uint64
		case e.Name == "func":
			switch ctx.Provider {
			case "kprobe", "kretprobe", "fentry", "fexit":
				ok, ct = true, &Type{Kind: Ksym, Size: 8}
			case "uprobe":
				ok, ct = true, UsymType
			}
		}
		if !ok {
			c.errorf(e.At, "%s is not available in probe %s", e.Name, ctx.Name)
			c.reported = true
			return nil
		}
		t = ct
	}
	if t == nil {
		c.errorf(e.At, "%s is not available here", e.Name)
		c.reported = true
	}
	return t
}

// ProbeType is what the probetype builtin gives for a probe: its
// canonical provider, with begin and end (and self) called "special".
func ProbeType(ctx *Context) string {
	switch ctx.Provider {
	case "begin", "end", "self", "test":
		return "special"
	}
	return ctx.Provider
}

// ctxBuiltin types the `ctx` builtin: the context an iter probe's program
// gets (struct bpf_iter__task and the like, from the kernel's BTF), or a
// perf event probe's (struct bpf_perf_event_data). Every probe of the
// block must give it the same layout.
func (c *checker) ctxBuiltin(e *lang.Ident) *Type {
	if c.inCallback > 0 {
		c.errorf(e.At, "ctx cannot be used inside a for loop over a map; copy what you need to a $variable before the loop")
		return nil
	}
	var t *Type
	for _, ctx := range c.ctxs {
		if ctx.Ctx == nil {
			c.errorf(e.At, "ctx is not available in probe %s (only iter, interval, profile, software and hardware probes have it)", ctx.Name)
			return nil
		}
		if t != nil && !Equal(t, ctx.Ctx) {
			c.errorf(e.At, "ctx has different layouts in the probes of this block (%s and %s)", t, ctx.Ctx)
			return nil
		}
		t = ctx.Ctx
	}
	return t
}

// ptRegs are the offsets of x86-64 struct pt_regs members, for reg().
var ptRegs = map[string]int{
	"r15": 0, "r14": 8, "r13": 16, "r12": 24, "bp": 32, "bx": 40, "r11": 48, "r10": 56, "r9": 64, "r8": 72,
	"ax": 80, "cx": 88, "dx": 96, "si": 104, "di": 112, "orig_ax": 120, "ip": 128, "cs": 136, "flags": 144,
	"sp": 152, "ss": 160,
}

// RegOffset is the offset in struct pt_regs of a register named as
// bpftrace's reg() names it ("ip", "sp", "di", "r8", ...), or -1.
func RegOffset(name string) int {
	if off, ok := ptRegs[name]; ok {
		return off
	}
	if off, ok := ptRegs[strings.TrimPrefix(name, "r")]; ok && strings.HasPrefix(name, "r") {
		return off // rip, rsp, rax, ...
	}
	return -1
}
