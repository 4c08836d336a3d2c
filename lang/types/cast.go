package types

import (
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// namedType resolves a type as written in a declaration: the cast types,
// string, pointers and fixed arrays.
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
	switch name {
	case "string":
		return StrType(c.info.Settings.MaxStrlen)
	case "int":
		return Int32
	}
	if t, ok := c.cdefs[name]; ok {
		return t
	}
	if strings.HasPrefix(name, "struct ") && !strings.HasSuffix(name, "*") || strings.HasPrefix(name, "union ") && !strings.HasSuffix(name, "*") {
		return c.lookupStruct(pos, name)
	}
	if t, ok := castTypes[name]; ok {
		return t
	}
	if strings.HasSuffix(name, "*") {
		base := strings.TrimSpace(strings.TrimSuffix(name, "*"))
		switch {
		case strings.HasPrefix(base, "struct ") || strings.HasPrefix(base, "union "):
			if elem := c.lookupStruct(pos, base); elem != nil {
				return PtrTo(elem, false)
			}
			return nil
		case base == "void" || base == "char":
			return PtrTo(Int8, false)
		}
		if t, ok := castTypes[base]; ok {
			return PtrTo(t, false)
		}
	}
	c.errorf(pos, "unknown type %s", name)
	return nil
}

// castTypes are the integer type names a cast may name.
var castTypes = map[string]*Type{
	"int8": Int8, "int16": Int16, "int32": Int32, "int64": Int64,
	"uint8": Uint8, "uint16": Uint16, "uint32": Uint32, "uint64": Uint64,
	"s8": Int8, "s16": Int16, "s32": Int32, "s64": Int64,
	"u8": Uint8, "u16": Uint16, "u32": Uint32, "u64": Uint64,
	"bool": BoolType,
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
		base := strings.TrimSpace(strings.TrimSuffix(name, "*"))
		if id, ok := lang.Unparen(e.X).(*lang.Ident); ok && c.info.Builtins[id] == BuiltinCtx && x.Kind == Struct {
			// the context pointer itself, seen as another type
		} else if !x.IsInteger() {
			c.errorf(e.At, "cannot cast %s to %s", x, name)
			return nil
		}
		var elem *Type
		switch {
		case strings.HasPrefix(base, "struct ") || strings.HasPrefix(base, "union "):
			elem = c.lookupStruct(e.At, base)
			if elem == nil {
				return nil
			}
		case base == "void" || base == "char":
			elem = Int8
		default:
			if t, ok := castTypes[base]; ok {
				elem = t
			} else {
				c.errorf(e.At, "cannot cast to %s", name)
				return nil
			}
		}
		return PtrTo(elem, x.Kind == Ptr && x.User || c.userSpace())
	}
	t, ok := castTypes[name]
	if et, isEnum := c.cdefs[name]; isEnum && et.Kind == Int {
		t, ok = et, true
	}
	if !ok {
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
	if te, ok := e.Args[0].(*lang.TypeExpr); ok {
		return c.namedType(te.At, te.Type)
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
