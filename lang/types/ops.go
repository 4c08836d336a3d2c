package types

import (
	"github.com/gotrace/gotrace/lang"
)

func (c *checker) unary(e *lang.Unary) *Type {
	if m, ok := e.X.(*lang.MapExpr); ok && (e.Op == "++" || e.Op == "--") && c.info.Maps[m.Name] == nil {
		// @m++ on a map not assigned yet starts it at 0, as += does.
		c.setMap(m, Int64, e.At)
	}
	t := c.expr(e.X)
	if t.Kind == Invalid {
		return nil
	}
	switch e.Op {
	case "++", "--":
		switch x := e.X.(type) {
		case *lang.Var, *lang.MapExpr:
			if !t.IsInteger() {
				c.errorf(e.At, "%s needs an integer, not %s", e.Op, t)
				return nil
			}
			if t.Kind == Ptr {
				return t // one element on
			}
			rt := Uint64
			if t.Signed || e.Op == "--" {
				rt = Int64
			}
			switch x := x.(type) {
			case *lang.MapExpr:
				if mi := c.info.Maps[x.Name]; mi != nil && mi.Value.Kind == Agg {
					c.errorf(e.At, "%s is an aggregation; it cannot be changed with %s", x.Name, e.Op)
					return nil
				}
				c.setMap(x, rt, e.At)
			case *lang.Var:
				if c.declared[x.Key()] {
					return t // it wraps at the declared width
				}
				c.setVar(x, rt, e.At, nil)
			}
			return rt
		}
		c.errorf(e.At, "%s needs a $variable or an @map", e.Op)
		return nil
	case "!":
		if !t.IsInteger() {
			c.errorf(e.At, "! needs an integer or bool, not %s", t)
			return nil
		}
		return BoolType
	case "-", "~":
		if !t.IsInteger() {
			c.errorf(e.At, "%s needs an integer, not %s", e.Op, t)
			return nil
		}
		if v, ok := c.constValue(e); ok {
			return ConstType(v)
		}
		if t.Signed {
			return Int64
		}
		return Uint64
	case "*":
		if t.Kind == Int {
			// an address held as an integer (kaddr()): a u64 read there
			return Uint64
		}
		if t.Kind != Ptr {
			c.errorf(e.At, "cannot dereference %s", t)
			return nil
		}
		return t.Elem
	case "&":
		return c.addressOf(e, t)
	}
	c.errorf(e.At, "operator %s is not supported yet", e.Op)
	return nil
}

func (c *checker) binary(e *lang.Binary) *Type {
	x := c.expr(e.X)
	y := c.expr(e.Y)
	if x.Kind == Invalid || y.Kind == Invalid {
		return nil
	}
	switch e.Op {
	case "==", "!=":
		if x.Kind == Str && y.Kind == Str {
			return BoolType
		}
		if BytesComparable(x, y) {
			return BoolType
		}
	}
	if !x.IsInteger() || !y.IsInteger() {
		c.errorf(e.At, "operator %s cannot be applied to %s and %s", e.Op, x, y)
		return nil
	}
	switch e.Op {
	case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
		return BoolType
	case "+", "-":
		// pointer arithmetic counts elements, as in C: p + 1 is the next
		switch {
		case x.Kind == Ptr && y.Kind != Ptr:
			return x
		case y.Kind == Ptr && x.Kind != Ptr && e.Op == "+":
			return y
		}
	}
	if v, ok := c.constValue(e); ok {
		return ConstType(v) // folded, it is a literal
	}
	return ArithType(e.Op, x, y)
}

// BytesComparable reports whether == and != compare x and y byte by
// byte: tuples of the same layout, and arrays (or a fixed string against
// an array, as a char[4] field against pton()) of the same size.
func BytesComparable(x, y *Type) bool {
	switch {
	case x.Kind == Tuple && y.Kind == Tuple:
		return Equal(x, y)
	case x.Kind == Array && y.Kind == Array:
		return x.Size == y.Size && Equal(x.Elem, y.Elem)
	case x.Kind == Array && y.Kind == Str, x.Kind == Str && y.Kind == Array:
		return x.Size == y.Size
	case x.Kind == Buf && y.Kind == Buf:
		// length byte and zero-filled data: the shorter size decides
		return true
	}
	return false
}

// addressOf types &x: a pointer to a $variable (on the stack), to a map
// value, or to a struct field (where the struct is).
func (c *checker) addressOf(e *lang.Unary, t *Type) *Type {
	switch x := e.X.(type) {
	case *lang.Var:
		return PtrTo(t, false)
	case *lang.MapExpr:
		if mi := c.info.Maps[x.Name]; mi != nil && mi.Value.Kind == Agg {
			c.errorf(e.At, "%s is an aggregation: its value has no address", x.Name)
			return nil
		}
		return PtrTo(t, false)
	case *lang.Field:
		st := c.info.Types[x.X]
		user := false
		if st.Kind == Ptr {
			user = st.User
			st = st.Elem
		}
		if st.Kind == Struct {
			if f, ok := st.Field(x.Name); ok && f.BitSize == 0 {
				return PtrTo(f.Type, user)
			}
		}
	}
	c.errorf(e.At, "& takes a $variable, an @map or a struct field")
	return nil
}
