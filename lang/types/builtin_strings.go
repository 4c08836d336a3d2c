package types

import (
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Strings: reading them (str, buf, path), measuring, comparing and
// searching them (strlen, strncmp, strcontains, strstr, memcmp, strcap),
// joining them (str_concat), and strerror.

// MaxBuf is the most bytes buf() keeps (its length is one byte).
const MaxBuf = 255

const (
	BuiltinStr Builtin = stringFamily + iota
	BuiltinStrlen
	BuiltinStrncmp
	BuiltinStrcontains
	BuiltinStrstr
	BuiltinStrConcat
	BuiltinMemcmp
	BuiltinStrcap
	BuiltinBuf
	BuiltinStrerror
	BuiltinPath
)

func init() {
	define(
		&builtin{id: BuiltinStr, name: "str", minArgs: 1, maxArgs: 2, call: (*checker).strCall},
		&builtin{id: BuiltinStrlen, name: "strlen", minArgs: 1, maxArgs: 1, call: (*checker).strlenCall},
		&builtin{id: BuiltinStrncmp, name: "strncmp", minArgs: 3, maxArgs: 3, call: (*checker).strncmpCall},
		&builtin{id: BuiltinStrcontains, name: "strcontains", minArgs: 2, maxArgs: 2, call: strSearch(true)},
		&builtin{id: BuiltinStrstr, name: "strstr", minArgs: 2, maxArgs: 2, call: strSearch(false)},
		&builtin{id: BuiltinStrConcat, name: "str_concat", minArgs: 2, maxArgs: variadic, call: (*checker).strConcatCall},
		&builtin{id: BuiltinMemcmp, name: "memcmp", minArgs: 3, maxArgs: 3, call: (*checker).memcmpCall},
		&builtin{id: BuiltinStrcap, name: "strcap", minArgs: 1, maxArgs: 1, call: (*checker).strcapCall},
		&builtin{id: BuiltinBuf, name: "buf", minArgs: 1, maxArgs: 2, call: (*checker).bufCall},
		&builtin{id: BuiltinStrerror, name: "strerror", minArgs: 1, maxArgs: 1, call: view("strerror", "an integer")},
		&builtin{id: BuiltinPath, name: "path", minArgs: 1, maxArgs: 2, call: (*checker).pathCall},
	)
}

// strCall checks str(p[, n]): the string at an address, of at most n
// bytes (str($1) is the text of a positional parameter: see
// lang.BindParams).
func (c *checker) strCall(e *lang.Call) *Type {
	t := c.expr(e.Args[0])
	if t.Kind == Invalid {
		return nil
	}
	size := c.info.Settings.MaxStrlen
	if len(e.Args) == 2 {
		lt := c.expr(e.Args[1])
		if lt.Kind != Invalid && !lt.IsInteger() {
			c.errorf(e.Args[1].Pos(), "str() length must be an integer, not %s", lt)
		}
		// str(p, n) reads n bytes, the NUL included, as bpftrace's does
		if lit, ok := e.Args[1].(*lang.IntLit); ok && int(lit.Val) < size {
			size = max(1, int(lit.Val))
		}
	}
	switch {
	case t.Kind == Str:
		return t
	case t.IsInteger(), t.Kind == Array && t.Elem.Kind == Int && t.Elem.Size == 1:
		s := StrType(size)
		if len(e.Args) == 1 {
			// a string of max_strlen characters or more is cut, and
			// printed with the trailer (codegen reads one byte more
			// than the string holds to tell)
			s.Trailer = c.info.Settings.StrTruncTrailer
		}
		return s
	}
	c.errorf(e.Args[0].Pos(), "str() takes a pointer or an integer address, not %s", t)
	return nil
}

func (c *checker) strlenCall(e *lang.Call) *Type {
	if t := c.expr(e.Args[0]); t.Kind != Invalid && t.Kind != Str {
		c.errorf(e.Args[0].Pos(), "strlen() takes a string, not %s", t)
		return nil
	}
	return Uint64
}

func (c *checker) strncmpCall(e *lang.Call) *Type {
	for _, a := range e.Args[:2] {
		if t := c.expr(a); t.Kind != Invalid && t.Kind != Str {
			c.errorf(a.Pos(), "strncmp() compares strings, not %s", t)
			return nil
		}
	}
	if _, ok := e.Args[2].(*lang.IntLit); !ok {
		c.errorf(e.Args[2].Pos(), "strncmp() needs a constant length")
		return nil
	}
	c.expr(e.Args[2])
	return Uint64
}

// strSearch is the rule of strcontains(h, n) (contains) and strstr(h, n):
// whether and where string n is in string h, known when compiling for
// two literals.
func strSearch(contains bool) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type {
		if !c.strArgs(e, e.Args) {
			return nil
		}
		h, hok := e.Args[0].(*lang.StrLit)
		n, nok := e.Args[1].(*lang.StrLit)
		if hok && nok {
			// two literals: the answer is known now
			i := int64(strings.Index(h.Val, n.Val))
			if contains {
				c.info.Consts.Set(e, Const{Int: b2i(i >= 0)})
			} else {
				c.info.Consts.Set(e, Const{Int: i})
			}
		}
		if contains {
			return BoolType
		}
		return Int64
	}
}

func (c *checker) strConcatCall(e *lang.Call) *Type {
	if !c.strArgs(e, e.Args) {
		return nil
	}
	size := 1
	for _, a := range e.Args {
		size += c.info.Types.Of(a).Size - 1
	}
	return StrType(min(size, max(c.info.Settings.MaxStrlen, c.info.Types.Of(e.Args[0]).Size)))
}

func (c *checker) memcmpCall(e *lang.Call) *Type {
	for _, a := range e.Args[:2] {
		t := c.expr(a)
		if t.Kind != Invalid && t.InRegister() {
			c.errorf(a.Pos(), "memcmp() compares values in memory (strings, arrays, tuples, structs), not %s", t)
			return nil
		}
	}
	c.expr(e.Args[2])
	n, isConst := c.constValue(e.Args[2])
	if !isConst || n < 0 {
		c.errorf(e.Args[2].Pos(), "memcmp() needs a constant, non-negative length")
		return nil
	}
	c.info.Consts.Set(e.Args[2], Const{Int: n})
	for _, a := range e.Args[:2] {
		if t := c.info.Types.Of(a); t.Kind != Invalid && int64(t.Size) < n {
			c.errorf(a.Pos(), "memcmp() of %d bytes, but %s has only %d", n, t, t.Size)
			return nil
		}
	}
	return Int64
}

// strcapCall checks strcap(s): the size of a string or an array, known
// when compiling.
func (c *checker) strcapCall(e *lang.Call) *Type {
	t := c.expr(e.Args[0])
	if t.Kind != Str && t.Kind != Array {
		if t.Kind != Invalid {
			c.errorf(e.Args[0].Pos(), "strcap() takes a string or an array, not %s", t)
		}
		return nil
	}
	c.info.Consts.Set(e, Const{Int: int64(t.Size)})
	return Int64
}

// bufCall checks buf(p[, n]): n bytes at an address (or of an array),
// printed as hex escapes.
func (c *checker) bufCall(e *lang.Call) *Type {
	if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() && t.Kind != Array && t.Kind != Str {
		c.errorf(e.Args[0].Pos(), "buf() takes an address or an array, not %s", t)
		return nil
	}
	capacity := MaxBuf
	if len(e.Args) == 2 {
		lt := c.expr(e.Args[1])
		if lt.Kind != Invalid && !lt.IsInteger() {
			c.errorf(e.Args[1].Pos(), "buf() length must be an integer, not %s", lt)
			return nil
		}
		if v, ok := c.constValue(e.Args[1]); ok {
			if v <= 0 || v > MaxBuf {
				c.errorf(e.Args[1].Pos(), "buf() length must be from 1 to %d", MaxBuf)
				return nil
			}
			capacity = int(v)
		}
	} else if t := c.info.Types.Of(e.Args[0]); t != nil && (t.Kind == Array || t.Kind == Str) {
		capacity = min(t.Size, MaxBuf)
	}
	return &Type{Kind: Buf, Size: 1 + capacity}
}

// pathCall checks path(p[, size]): the path of a struct path, by the
// kernel's bpf_d_path.
func (c *checker) pathCall(e *lang.Call) *Type {
	if t := c.expr(e.Args[0]); t.Kind == Struct {
		// a struct path in kernel memory (file->f_path): its address
		if t.Name != "struct path" {
			c.errorf(e.Args[0].Pos(), "path() takes a struct path or a pointer to one, not %s", t)
			return nil
		}
	} else if !c.intArg(e, 0, "a struct path pointer") {
		return nil
	}
	for _, ctx := range c.ctxs {
		if ctx.Kind != ProgTracing || ctx.RawTP {
			c.errorf(e.At, "path() needs the kernel's bpf_d_path, which only fentry, fexit and iter probes may call (not %s)", ctx.Name)
			return nil
		}
	}
	size := c.info.Settings.MaxStrlen
	if len(e.Args) == 2 {
		c.expr(e.Args[1])
		n, isConst := c.constValue(e.Args[1])
		if !isConst || n < 1 || n > 4096 {
			c.errorf(e.Args[1].Pos(), "path() takes a constant size from 1 to 4096")
			return nil
		}
		size = int(n)
	}
	return StrType(size)
}
