package types

import "github.com/gotrace/gotrace/lang"

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
