package types

import (
	"github.com/gotrace/gotrace/lang"
)

// UsymType is the type of usym() and of func in uprobes: the address and
// the pid of the process it belongs to, 16 bytes.
var UsymType = &Type{Kind: Usym, Size: 16}

// MaxStackFrames is the most frames kstack and ustack keep (bpftrace's
// limit: the kernel's perf_event_max_stack default).
const MaxStackFrames = 127

// stackCall checks kstack([mode][, limit]) and ustack(...).
func (c *checker) stackCall(e *lang.Call) *Type {
	mode, limit := "", MaxStackFrames
	args := e.Args
	if len(args) > 2 {
		c.errorf(e.At, "%s() takes at most 2 arguments (mode and limit), got %d", e.Fun, len(args))
		return nil
	}
	if len(args) > 0 {
		if id, ok := args[0].(*lang.Ident); ok {
			switch id.Name {
			case "bpftrace", "perf", "raw", "build_id":
				mode = id.Name
			default:
				c.errorf(id.At, "%s() mode must be bpftrace, perf, raw or build_id, not %s", e.Fun, id.Name)
				return nil
			}
			if mode == "build_id" && e.Fun != "ustack" {
				c.errorf(id.At, "'build_id' stack mode can only be used for ustack")
				return nil
			}
			args = args[1:]
		}
	}
	if len(args) == 1 {
		lit, ok := args[0].(*lang.IntLit)
		if !ok {
			c.errorf(args[0].Pos(), "%s() limit must be an integer literal", e.Fun)
			return nil
		}
		if lit.Val > MaxStackFrames {
			c.errorf(args[0].Pos(), "%s() limit must be at most %d", e.Fun, MaxStackFrames)
			return nil
		}
		limit = int(lit.Val)
	} else if len(args) > 1 {
		c.errorf(args[1].Pos(), "%s() takes its mode first, then the limit", e.Fun)
		return nil
	}
	return c.stackType(e.At, e.Fun, mode, limit)
}

// stackType is the type of a kstack or ustack; mode "" is the configured
// stack_mode. A limit of 0 keeps no frames and is refused.
func (c *checker) stackType(pos lang.Pos, kind, mode string, limit int) *Type {
	if limit == 0 && mode == "" {
		limit = MaxStackFrames
	}
	if limit <= 0 {
		c.errorf(pos, "%s() limit must be at least 1", kind)
		return nil
	}
	if mode == "" {
		mode = c.info.Settings.StackMode
		if mode == "build_id" && kind != "ustack" {
			c.warnf(pos, "'build_id' stack mode can only be used for ustack. Falling back to 'raw' mode.")
			mode = "raw"
		}
	}
	return &Type{Kind: Stack, Size: 8, Name: kind, Len: limit, Mode: mode}
}
