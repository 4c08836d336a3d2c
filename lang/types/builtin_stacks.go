package types

import (
	"errors"
	"github.com/gotrace/gotrace/lang"
)

// Stacks and symbols: the kernel and user stacks (kstack, ustack,
// dw_ustack, as names or calls), addresses printed as symbols (ksym,
// usym), and the addresses of symbols (kaddr, uaddr).

// UsymType is the type of usym() and of func in uprobes: the address and
// the pid of the process it belongs to, 16 bytes.
var UsymType = &Type{Kind: Usym, Size: 16}

// MaxStackFrames is the most frames kstack and ustack keep (bpftrace's
// limit: the kernel's perf_event_max_stack default).
const MaxStackFrames = 127

const (
	BuiltinKstack Builtin = stackFamily + iota
	BuiltinUstack
	BuiltinDwUstack
	BuiltinKsym
	BuiltinUsym
	BuiltinKaddr
	BuiltinUaddr
)

func init() {
	define(
		stackBuiltin(BuiltinKstack, "kstack"),
		stackBuiltin(BuiltinUstack, "ustack"),
		stackBuiltin(BuiltinDwUstack, "dw_ustack"),
		&builtin{id: BuiltinKsym, name: "ksym", minArgs: 1, maxArgs: 1, call: symbolOf(&Type{Kind: Ksym, Size: 8})},
		&builtin{id: BuiltinUsym, name: "usym", minArgs: 1, maxArgs: 1, call: symbolOf(UsymType)},
		&builtin{id: BuiltinKaddr, name: "kaddr", minArgs: 1, maxArgs: 1, call: symbolAddress(SymbolEnv.KernelSymbol)},
		&builtin{id: BuiltinUaddr, name: "uaddr", minArgs: 1, maxArgs: 1, call: (*checker).uaddrCall},
	)
}

// stackBuiltin is kstack, ustack or dw_ustack: as a name, the stack in
// the configured mode; called, in the mode and with the limit given.
func stackBuiltin(id Builtin, kind string) *builtin {
	return &builtin{id: id, name: kind, minArgs: 0, maxArgs: 2, usage: "at most 2 arguments (mode and limit)",
		call:  func(c *checker, e *lang.Call) *Type { return c.stackCall(e, kind) },
		ident: func(c *checker, e *lang.Ident) *Type { return c.stackType(e.At, kind, "", 0) },
	}
}

// stackCall checks kstack([mode][, limit]) and ustack(...).
func (c *checker) stackCall(e *lang.Call, kind string) *Type {
	mode, limit := "", MaxStackFrames
	args := e.Args
	if len(args) > 0 {
		if id, ok := args[0].(*lang.Ident); ok {
			switch id.Name {
			case "bpftrace", "perf", "raw", "build_id":
				mode = id.Name
			default:
				c.errorf(id.At, "%s() mode must be bpftrace, perf, raw or build_id, not %s", e.Fun, id.Name)
				return nil
			}
			if mode == "build_id" && kind != "ustack" {
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
	return c.stackType(e.At, kind, mode, limit)
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
	if kind == "dw_ustack" {
		for _, ctx := range c.ctxs {
			if arch := ArchOf(ctx); arch != "amd64" {
				// The DWARF unwinder (runtime/unwind and its program)
				// knows x86-64's registers and rules alone.
				c.errorf(pos, "dw_ustack unwinds x86-64 stacks only; on %s use ustack, which follows frame pointers", arch)
				return nil
			}
		}
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

// symbolOf is the rule of ksym(addr) and usym(addr): an address printed
// as a symbol, of type t.
func symbolOf(sym *Type) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type {
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "%s() takes an address, not %s", e.Fun, t)
			return nil
		}
		return sym
	}
}

// symbolAddress is the rule of kaddr(name) and cgroupid(path): a value
// the Env looks up when compiling.
func symbolAddress(lookup func(SymbolEnv, string) (uint64, error)) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type {
		lit, ok := e.Args[0].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[0].Pos(), "%s() takes a string literal", e.Fun)
			return nil
		}
		se, ok := c.env.(SymbolEnv)
		if !ok {
			c.errorf(e.At, "%s() is not available here", e.Fun)
			return nil
		}
		addr, err := lookup(se, lit.Val)
		switch {
		case err != nil && e.Fun == "kaddr":
			ce := c.errorf(e.At, "Failed to resolve kernel symbol: %s", lit.Val)
			if !errors.Is(err, ErrNoKernelSymbol) {
				ce.Hint = err.Error()
			}
			return nil
		case err != nil:
			c.errorf(e.At, "%s(%q): %v", e.Fun, lit.Val, err)
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
		c.info.Consts.Set(e, Const{Int: int64(addr)})
		return Uint64
	}
}

// uaddrCall checks uaddr(name): the address of a symbol of the binary
// the uprobes of the block are in, known when compiling (relocated where
// the binary is position-independent).
func (c *checker) uaddrCall(e *lang.Call) *Type {
	lit := c.litArg(e, 0, "a symbol name")
	if lit == nil {
		return nil
	}
	se, isSym := c.env.(SymbolEnv)
	if !isSym || len(c.ctxs) == 0 {
		c.errorf(e.At, "uaddr() is not available here")
		return nil
	}
	var addr, at uint64
	var size int
	for i, ctx := range c.ctxs {
		if ctx.Mem != UserMem {
			c.errorf(e.At, "uaddr() works only in uprobes, uretprobes and usdt probes, not in %s", ctx.Name)
			return nil
		}
		a, n, pie, err := se.UserSymbol(ctx, lit.Val)
		if err != nil {
			c.errorf(lit.At, "uaddr(%q): %v", lit.Val, err)
			return nil
		}
		if i > 0 && (a != addr || pie != at) {
			c.errorf(e.At, "uaddr(%q) has different addresses in the probes of this block", lit.Val)
			return nil
		}
		addr, size, at = a, n, pie
	}
	c.info.Consts.Set(e, Const{Int: int64(addr), At: at})
	elem := Uint64
	switch size {
	case 1:
		elem = Uint8
	case 2:
		elem = Uint16
	case 4:
		elem = Uint32
	}
	return PtrTo(elem, true)
}
