package types

import "github.com/gotrace/gotrace/lang"

// Memory and pointers: which memory a pointer points into (kptr, uptr),
// kernel pointer idioms (is_err, container_of), per-CPU variables
// (percpu_kaddr), writing a process's memory (write_user) and byte order
// (bswap).

const (
	BuiltinKptr Builtin = memFamily + iota
	BuiltinUptr
	BuiltinIsErr
	BuiltinContainerOf
	BuiltinPercpuKaddr
	BuiltinWriteUser
	BuiltinBswap
)

func init() {
	define(
		&builtin{id: BuiltinKptr, name: "kptr", minArgs: 1, maxArgs: 1, call: pointerInto(false)},
		&builtin{id: BuiltinUptr, name: "uptr", minArgs: 1, maxArgs: 1, call: pointerInto(true)},
		&builtin{id: BuiltinIsErr, name: "is_err", minArgs: 1, maxArgs: 1, call: (*checker).isErrCall},
		&builtin{id: BuiltinContainerOf, name: "container_of", minArgs: 3, maxArgs: 3, call: (*checker).containerOfCall},
		&builtin{id: BuiltinPercpuKaddr, name: "percpu_kaddr", minArgs: 1, maxArgs: 2, call: (*checker).percpuKaddrCall},
		&builtin{id: BuiltinWriteUser, name: "write_user", minArgs: 3, maxArgs: 3, call: (*checker).writeUserCall},
		&builtin{id: BuiltinBswap, name: "bswap", minArgs: 1, maxArgs: 1, call: (*checker).bswapCall},
	)
}

// pointerInto is the rule of kptr(p) and uptr(p) (user): the pointer p,
// into kernel or user memory.
func pointerInto(user bool) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type {
		t := c.expr(e.Args[0])
		if t.Kind != Ptr {
			if t.Kind != Invalid {
				c.errorf(e.Args[0].Pos(), "%s() takes a pointer, not %s", e.Fun, t)
			}
			return nil
		}
		return PtrTo(t.Elem, user)
	}
}

// isErrCall checks is_err(p), the kernel's IS_ERR(): whether p is one of
// the last 4095 values of the address space.
func (c *checker) isErrCall(e *lang.Call) *Type {
	return c.expand(e, &lang.Binary{At: e.At, Op: ">=", X: &lang.Cast{At: e.At, Type: "uint64", X: e.Args[0]}, Y: &lang.IntLit{At: e.At, Val: 1<<64 - 4095}})
}

// containerOfCall checks container_of(p, struct s, member):
// (struct s *)((uint64)p - offsetof(struct s, member)).
func (c *checker) containerOfCall(e *lang.Call) *Type {
	st, isType := c.typeArg(e.Args[1])
	member, isIdent := e.Args[2].(*lang.Ident)
	if isType && st == nil {
		return nil
	}
	if !isType || !isIdent || st.Kind != Struct {
		c.errorf(e.At, "container_of() takes a pointer, a struct type and a member name: container_of(p, struct s, member)")
		return nil
	}
	te := &lang.TypeExpr{At: e.Args[1].Pos(), Type: st.Name}
	return c.expand(e, &lang.Cast{At: e.At, Type: te.Type + " *", X: &lang.Binary{At: e.At, Op: "-",
		X: &lang.Cast{At: e.At, Type: "uint64", X: e.Args[0]},
		Y: &lang.Call{At: e.At, Fun: "offsetof", Args: []lang.Expr{te, member}}}})
}

// percpuKaddrCall checks percpu_kaddr(name[, cpu]): the address of a
// per-CPU kernel variable on this CPU (or the one given).
func (c *checker) percpuKaddrCall(e *lang.Call) *Type {
	lit := c.litArg(e, 0, "the name of a per-CPU kernel variable")
	if lit == nil {
		return nil
	}
	if len(e.Args) == 2 && !c.intArg(e, 1, "a CPU number") {
		return nil
	}
	ke, ok := c.env.(KernelVarEnv)
	if !ok {
		c.errorf(e.At, "percpu_kaddr() needs the kernel's BTF, which is not available here")
		return nil
	}
	id, err := ke.KernelVar(lit.Val)
	if err != nil {
		c.errorf(lit.At, "percpu_kaddr(%q): %v", lit.Val, err)
		return nil
	}
	c.info.KernelVars[e] = id
	return PtrTo(Uint64, false)
}

// writeUserCall checks write_user(addr, src, n): n bytes of a value in
// memory written into the process's memory at addr.
func (c *checker) writeUserCall(e *lang.Call) *Type {
	if !c.info.Config.Unsafe {
		c.errorf(e.At, "write_user() is unsafe. To use you need the --unsafe flag").Hint = "write_user() writes into a process's memory"
		return nil
	}
	if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
		c.errorf(e.Args[0].Pos(), "write_user() writes at an address, not into %s", t)
		return nil
	}
	src := c.expr(e.Args[1])
	if src.Kind != Invalid && src.InRegister() {
		c.errorf(e.Args[1].Pos(), "write_user() copies from a value in memory (a string, an array, a tuple), not %s", src)
		return nil
	}
	c.expr(e.Args[2])
	n, isConst := c.constValue(e.Args[2])
	if !isConst || n <= 0 || n > int64(src.Size) {
		c.errorf(e.Args[2].Pos(), "write_user() needs a constant length from 1 to the %d bytes of its source", src.Size)
		return nil
	}
	c.info.Consts.Set(e.Args[2], Const{Int: n})
	return BoolType
}

func (c *checker) bswapCall(e *lang.Call) *Type {
	t := c.expr(e.Args[0])
	if t.Kind != Invalid && t.Kind != Int {
		c.errorf(e.Args[0].Pos(), "bswap() takes an integer, not %s", t)
		return nil
	}
	return t
}
