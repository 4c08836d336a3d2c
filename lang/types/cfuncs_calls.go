package types

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/cc"
	"github.com/gotrace/gotrace/vm/insn"
)

// Imported C: calls.
//
// A call in C names a function of the imported files, a kernel function
// (a kfunc, by BTF id), a BPF helper (bpf_*, by number, its result typed
// as the helper's) or one of the compiler builtins and byte-order macros
// C files use (cBuiltins). scriptCall types the calls of C functions
// from the script.

// cBuiltins are the compiler builtins C files may call, with their
// number of arguments.
var cBuiltins = map[string]int{
	"__builtin_expect": 2, "__builtin_memcpy": 3, "__builtin_memset": 3,
	"__builtin_bswap16": 1, "__builtin_bswap32": 1, "__builtin_bswap64": 1,
	"bpf_printk": -1,
	// atomics: the old value (fetch_and_OP) or the new one (OP_and_fetch)
	"__sync_fetch_and_add": 2, "__sync_fetch_and_sub": 2, "__sync_fetch_and_or": 2, "__sync_fetch_and_and": 2, "__sync_fetch_and_xor": 2,
	"__sync_add_and_fetch": 2, "__sync_sub_and_fetch": 2,
	"__atomic_fetch_add": 3, "__atomic_fetch_sub": 3, "__atomic_fetch_or": 3, "__atomic_fetch_and": 3, "__atomic_fetch_xor": 3,
	"__atomic_add_fetch": 3, "__atomic_sub_fetch": 3,
	// <bpf/bpf_endian.h>: byte order on a little-endian machine
	"bpf_htons": 1, "bpf_ntohs": 1, "bpf_htonl": 1, "bpf_ntohl": 1,
	"bpf_cpu_to_be64": 1, "bpf_be64_to_cpu": 1,
}

// cSwaps are the byte-order builtins and the swap each one is.
var cSwaps = map[string]string{
	"bpf_htons": "__builtin_bswap16", "bpf_ntohs": "__builtin_bswap16",
	"bpf_htonl": "__builtin_bswap32", "bpf_ntohl": "__builtin_bswap32",
	"bpf_cpu_to_be64": "__builtin_bswap64", "bpf_be64_to_cpu": "__builtin_bswap64",
}

func (k *cchecker) call(e *cc.Call) *Type {
	id, ok := e.Fun.(*cc.Ident)
	if !ok {
		k.expr(e.Fun)
		k.errorf(e.At, "BPF has no indirect calls: call a function by its name")
		return nil
	}
	if o, td := k.lookup(id.Name); o != nil && o.Kind == CFunction {
		k.p.Objs[id] = o
		return k.callFunc(e, o.Func)
	} else if td == nil && o == nil {
		if t, ok := k.coreCall(e, id.Name); ok {
			return t
		}
		if n, ok := cBuiltins[id.Name]; ok {
			return k.builtinCall(e, id.Name, n)
		}
		if fn, ok := helperNumber(id.Name); ok {
			return k.helperCall(e, fn)
		}
	}
	if o, _ := k.lookup(id.Name); o != nil {
		if o.Type == funcPtr {
			k.errorf(e.At, "BPF has no indirect calls: %s is a function pointer; call a function by its name", id.Name)
		} else {
			k.errorf(e.At, "%s is not a function", id.Name)
		}
		return nil
	}
	k.errorf(id.At, "call to undeclared function '%s'", id.Name)
	return nil
}

func (k *cchecker) callFunc(e *cc.Call, f *CFunc) *Type {
	if len(e.Args) != len(f.Params) {
		k.errorf(e.At, "%s takes %d argument%s, not %d", f.Name, len(f.Params), plural(len(f.Params)), len(e.Args))
		return nil
	}
	for i, a := range e.Args {
		k.convertTo(a, f.Params[i].Type, "argument "+strconv.Itoa(i+1)+" of "+f.Name)
	}
	return f.Result
}

func (k *cchecker) builtinCall(e *cc.Call, name string, n int) *Type {
	if n >= 0 && len(e.Args) != n {
		k.errorf(e.At, "%s takes %d argument%s", name, n, plural(n))
		return nil
	}
	switch name {
	case "__builtin_expect":
		t := k.expr(e.Args[0])
		k.expr(e.Args[1])
		if t != nil {
			if v, ok := k.p.Consts[e.Args[0]]; ok {
				return k.constant(e, t, v)
			}
		}
		return t
	case "__builtin_memcpy", "__builtin_memset":
		for _, a := range e.Args[:2] {
			k.expr(a)
		}
		if t := k.p.Types[e.Args[0]]; t != nil && Decayed(t).Kind != Ptr {
			k.errorf(cc.PosOf(e.Args[0]), "%s writes through a pointer, not %s", name, t)
		}
		if _, ok := k.constExpr(e.Args[2]); !ok {
			return nil
		}
		return PtrTo(VoidType, false)
	case "__sync_fetch_and_add", "__sync_fetch_and_sub", "__sync_fetch_and_or", "__sync_fetch_and_and", "__sync_fetch_and_xor",
		"__sync_add_and_fetch", "__sync_sub_and_fetch",
		"__atomic_fetch_add", "__atomic_fetch_sub", "__atomic_fetch_or", "__atomic_fetch_and", "__atomic_fetch_xor",
		"__atomic_add_fetch", "__atomic_sub_fetch":
		pt := k.expr(e.Args[0])
		if pt == nil {
			return nil
		}
		pt = Decayed(pt)
		if pt.Kind != Ptr || pt.Elem.Kind != Int || pt.Elem.Size < 4 {
			k.errorf(cc.PosOf(e.Args[0]), "%s takes a pointer to a 4- or 8-byte integer, not %s", name, pt)
			return nil
		}
		k.convertTo(e.Args[1], pt.Elem, name)
		if len(e.Args) == 3 {
			k.expr(e.Args[2]) // the memory order: BPF's atomics are all sequentially consistent
		}
		return pt.Elem
	case "bpf_printk":
		if len(e.Args) < 1 || len(e.Args) > 4 {
			k.errorf(e.At, "bpf_printk takes a format string and up to 3 values")
			return nil
		}
		if _, ok := e.Args[0].(*cc.StringLit); !ok {
			k.errorf(cc.PosOf(e.Args[0]), "bpf_printk's format must be a string literal")
			return nil
		}
		for _, a := range e.Args[1:] {
			k.convertTo(a, Uint64, "bpf_printk")
		}
		return Int64
	}
	if sw, ok := cSwaps[name]; ok {
		name = sw
	}
	size := map[string]*Type{"__builtin_bswap16": Uint16, "__builtin_bswap32": Uint32, "__builtin_bswap64": Uint64}[name]
	k.convertTo(e.Args[0], size, name)
	return size
}

// helperResults are the helpers that return something else than a long.
var helperResults = map[asm.BuiltinFunc]func() *Type{
	asm.FnMapLookupElem:      func() *Type { return PtrTo(VoidType, false) },
	asm.FnGetCurrentPidTgid:  func() *Type { return Uint64 },
	asm.FnKtimeGetNs:         func() *Type { return Uint64 },
	asm.FnKtimeGetBootNs:     func() *Type { return Uint64 },
	asm.FnGetCurrentUidGid:   func() *Type { return Uint64 },
	asm.FnGetCurrentTask:     func() *Type { return Uint64 },
	asm.FnGetPrandomU32:      func() *Type { return Uint32 },
	asm.FnGetSmpProcessorId:  func() *Type { return Uint32 },
	asm.FnGetCurrentCgroupId: func() *Type { return Uint64 },
	asm.FnJiffies64:          func() *Type { return Uint64 },
}

func (k *cchecker) helperCall(e *cc.Call, fn asm.BuiltinFunc) *Type {
	if len(e.Args) > 5 {
		k.errorf(e.At, "BPF helpers take at most 5 arguments")
		return nil
	}
	for _, a := range e.Args {
		t := k.expr(a)
		if t == nil {
			continue
		}
		switch d := Decayed(t); {
		case d.Kind == Ptr:
			k.p.Conv[a] = Uint64
			if id, ok := a.(*cc.Ident); ok && k.p.Objs[id] != nil && k.p.Objs[id].Kind == CFunction && k.p.Objs[id].Func.Kfunc {
				k.errorf(id.At, "a kernel function cannot be a callback")
			}
		case isCInteger(d):
			k.p.Conv[a] = IntType(8, promoted(d).Signed)
		default:
			k.errorf(cc.PosOf(a), "a helper argument must be an integer or a pointer, not %s", t)
		}
	}
	k.p.Helpers[e] = fn
	if r, ok := helperResults[fn]; ok {
		return r()
	}
	if fn == asm.FnGetCurrentTaskBtf {
		if st := k.kernelStructQuiet("struct task_struct"); st != nil {
			return PtrTo(st, false)
		}
	}
	return Int64
}

// helperNumber finds the BPF helper a C name (bpf_probe_read_kernel)
// calls, by the one table of helper names vm/insn derives from
// cilium/ebpf's asm.BuiltinFunc.
func helperNumber(name string) (asm.BuiltinFunc, bool) {
	if !strings.HasPrefix(name, "bpf_") {
		return 0, false
	}
	return insn.HelperByName(name)
}

// ---- calls from the script ----

// scriptCall types a call of an imported C function from the script: an
// integer argument is converted to the parameter's type, a pointer is
// passed as it is, a value kept in memory (a string, a buffer, a struct)
// goes to a pointer parameter as its address, and so does a map named
// without keys (`f(@m)`), for C's map helpers (keys and values are laid
// out as the script stores them).
func (c *checker) scriptCall(e *lang.Call) (*Type, bool) {
	if c.info.C == nil {
		return nil, false
	}
	f := c.info.C.Funcs[e.Fun]
	if f == nil {
		for _, g := range c.info.C.Order {
			if g.Name == e.Fun {
				c.errorf(e.At, "%s is static in %s: a script calls the functions a C file shares", e.Fun, g.Decl.At.File)
				return nil, true
			}
		}
	}
	if f == nil || f.Kfunc || f.Decl.Body == nil {
		return nil, false
	}
	if len(e.Args) != len(f.Params) {
		c.errorf(e.At, "%s takes %d argument%s, got %d", f.Name, len(f.Params), plural(len(f.Params)), len(e.Args))
		return nil, true
	}
	for i, a := range e.Args {
		pt := f.Params[i].Type
		if m, ok := a.(*lang.MapExpr); ok && len(m.Keys) == 0 && pt.Kind == Ptr {
			// a map itself: C gets its address for the map helpers
			if c.info.Maps[m.Name] == nil && !c.infer {
				c.errorf(m.At, "%s is passed to %s but the script never stores into it, so it has no key and value types", m.Name, f.Name)
			}
			c.record(m, PtrTo(VoidType, false))
			continue
		}
		t := c.expr(a)
		if t == nil || t.Kind == Invalid {
			continue
		}
		ok := false
		switch pt.Kind {
		case Int, Bool:
			ok = t.IsInteger()
		case Ptr:
			ok = t.Kind == Ptr || !t.InRegister() && t.Kind != Void && t.Kind != Agg
		}
		if !ok {
			name := f.Params[i].Name
			if name == "" {
				name = strconv.Itoa(i + 1)
			}
			c.errorf(a.Pos(), "%s: argument %s is %s in C, and this is %s", f.Name, name, pt, t)
		}
	}
	if c.info.CCalls == nil {
		c.info.CCalls = map[*lang.Call]*CFunc{}
	}
	c.info.CCalls[e] = f
	switch r := f.Result; r.Kind {
	case Void, Bool, Ptr:
		return r, true
	default:
		return IntType(r.Size, r.Signed), true
	}
}
