package types

import (
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// namedType resolves a type as written in a declaration, a cast,
// sizeof or typeof: the integer types (with C's char and int, and the
// kernel's typedefs: size_t, uint64_t, pid_t, ...), bool, string, the
// inline C definitions, kernel structs, unions and enums, pointers to
// any of these at any depth (void * included) and fixed arrays of them.
// A pointer in a probe of a user-space process (uprobe, usdt) points to
// that process's memory.
func (c *checker) namedType(pos lang.Pos, name string) *Type {
	name = strings.Join(strings.Fields(name), " ")
	if i := strings.LastIndex(name, "["); i > 0 && strings.HasSuffix(name, "]") {
		n, err := strconv.Atoi(name[i+1 : len(name)-1])
		if err != nil || n <= 0 || n > 1<<16 {
			c.errorf(pos, "bad array length in %s", name)
			return nil
		}
		elem := c.namedType(pos, strings.TrimSpace(name[:i]))
		if elem == nil {
			return nil
		}
		return ArrayOf(elem, n)
	}
	if base, ok := strings.CutSuffix(name, "*"); ok {
		base = strings.TrimSpace(base)
		elem := VoidType
		if base != "void" {
			elem = c.namedType(pos, base)
		}
		if elem == nil {
			return nil
		}
		return PtrTo(elem, c.userSpace())
	}
	if name == "string" {
		return StrType(c.info.Settings.MaxStrlen)
	}
	if t := c.scalarType(name); t != nil {
		return t
	}
	if t, ok := c.cdefs[name]; ok {
		return t
	}
	if strings.HasPrefix(name, "struct ") || strings.HasPrefix(name, "union ") {
		return c.lookupStruct(pos, name)
	}
	c.errorf(pos, "unknown type %s", name)
	return nil
}

// scalarType is the integer or bool type name names, or nil: a name of
// gotrace's, C's char and int, an inline enum, or a typedef of the
// kernel's BTF for an integer.
func (c *checker) scalarType(name string) *Type {
	if t, ok := castTypes[name]; ok {
		return t
	}
	if t, ok := c.cdefs[name]; ok && t.Kind == Int {
		return t // an enum
	}
	if te, ok := c.env.(KernelTypeEnv); ok && !strings.Contains(name, " ") {
		if t, ok := te.KernelTypedef(name); ok && (t.Kind == Int || t.Kind == Bool) {
			return t
		}
	}
	return nil
}

// isTypeName tells whether a bare identifier names a type (sizeof(size_t),
// typeof(pid_t)) rather than a value.
func (c *checker) isTypeName(name string) bool {
	if _, ok := c.cdefs[name]; ok {
		return true
	}
	return c.scalarType(name) != nil
}

// castTypes are the integer type names a cast may name.
var castTypes = map[string]*Type{
	"int8": Int8, "int16": Int16, "int32": Int32, "int64": Int64,
	"uint8": Uint8, "uint16": Uint16, "uint32": Uint32, "uint64": Uint64,
	"s8": Int8, "s16": Int16, "s32": Int32, "s64": Int64,
	"u8": Uint8, "u16": Uint16, "u32": Uint32, "u64": Uint64,
	"bool": BoolType, "char": Int8, "int": Int32,
}

func (c *checker) cast(e *lang.Cast) *Type {
	x := c.expr(e.X)
	if x.Kind == Invalid {
		return nil
	}
	if e.TypeOf != nil {
		t := c.typeOfCall(e.TypeOf)
		switch {
		case t == nil:
			return nil
		case !x.IsInteger():
			c.errorf(e.At, "cannot cast %s to %s", x, t)
			return nil
		case t.Kind == Int || t.Kind == Bool || t.Kind == Ptr:
			return t
		}
		c.errorf(e.At, "cannot cast to %s (supported: integers, bool and pointers)", t)
		return nil
	}
	name := strings.Join(strings.Fields(e.Type), " ")
	if strings.HasSuffix(name, "]") {
		return c.arrayCast(e, name, x)
	}
	if strings.HasSuffix(name, "*") {
		if id, ok := lang.Unparen(e.X).(*lang.Ident); ok && c.info.Builtins.Of(id) == BuiltinCtx && x.Kind == Struct {
			// the context pointer itself, seen as another type
		} else if !x.IsInteger() {
			c.errorf(e.At, "cannot cast %s to %s", x, name)
			return nil
		}
		t := c.namedType(e.At, name)
		if t != nil && x.Kind == Ptr && x.User && !t.User {
			t = PtrTo(t.Elem, true)
		}
		return t
	}
	t := c.scalarType(name)
	if t == nil {
		c.errorf(e.At, "cannot cast to %s (supported so far: the integer types, bool and enums)", name)
		return nil
	}
	if x.Kind == Array && intElems(x) && t.Kind == Int {
		if x.Size != t.Size {
			c.errorf(e.At, "cannot cast %s (%d bytes) to %s (%d bytes): the sizes must be equal", x, x.Size, t, t.Size)
			return nil
		}
		return t
	}
	if !x.IsInteger() {
		c.errorf(e.At, "cannot cast %s to %s", x, name)
		return nil
	}
	return t
}

// intElems tells whether array type t holds integers or bools.
func intElems(t *Type) bool {
	return t.Elem != nil && (t.Elem.Kind == Int || t.Elem.Kind == Bool)
}

// arrayCast checks (T[N])x and (T[])x: an integer's bytes seen as an
// array of integers or bools. The sizes must agree; a literal takes the
// array's size, and [] takes the value's.
func (c *checker) arrayCast(e *lang.Cast, name string, x *Type) *Type {
	i := strings.LastIndex(name, "[")
	elem, ok := castTypes[strings.TrimSpace(name[:i])]
	if !ok || elem.Kind != Int && elem.Kind != Bool {
		c.errorf(e.At, "cannot cast to %s: array casts are to arrays of integers or bools", name)
		return nil
	}
	if !x.IsInteger() && (x.Kind != Array || !intElems(x)) && x.Kind != Str {
		c.errorf(e.At, "cannot cast %s to %s: only integers, integer arrays and strings can be cast to arrays", x, name)
		return nil
	}
	n := x.Size / elem.Size
	if ls := name[i+1 : len(name)-1]; ls != "" {
		v, err := strconv.Atoi(ls)
		if err != nil || v <= 0 {
			c.errorf(e.At, "bad array length in %s", name)
			return nil
		}
		n = v
	}
	size := n * elem.Size
	if _, isConst := c.constValue(e.X); isConst && (size == 1 || size == 2 || size == 4 || size == 8) {
		return ArrayOf(elem, n)
	}
	if size != x.Size {
		c.errorf(e.At, "cannot cast %s (%d bytes) to %s (%d bytes): the sizes must be equal", x, x.Size, name, size)
		return nil
	}
	return ArrayOf(elem, n)
}

// typeOfCall gives the type typeof(x) names: x is a type, or an
// expression whose static type it is (the expression is never run).
func (c *checker) typeOfCall(e *lang.Call) *Type {
	if len(e.Args) != 1 {
		c.errorf(e.At, "typeof() takes one type or expression")
		return nil
	}
	c.noMapAssign(e.Args[0], "typeof or typeinfo")
	if t, isType := c.typeArg(e.Args[0]); isType {
		return t
	}
	t := c.expr(e.Args[0])
	if t.Kind == Invalid {
		return nil
	}
	if t.Kind == Void || t.Kind == Agg {
		c.errorf(e.Args[0].Pos(), "%s has no type typeof() can name", t)
		return nil
	}
	return t
}

// userSpace reports whether the block runs in probes of user space
// (uprobe, uretprobe, usdt), where the pointers a script names point
// into the traced process.
func (c *checker) userSpace() bool {
	for _, ctx := range c.ctxs {
		if ctx.Mem == UserMem {
			return true
		}
	}
	return false
}

// userPointers is t with its pointers, and those of its arrays, marked
// as pointing into user memory (a declared variable's type in a
// user-space probe).
func userPointers(t *Type) *Type {
	switch t.Kind {
	case Ptr:
		if t.User {
			return t
		}
		return PtrTo(t.Elem, true)
	case Array:
		if e := userPointers(t.Elem); e != t.Elem {
			return ArrayOf(e, t.Len)
		}
	}
	return t
}
