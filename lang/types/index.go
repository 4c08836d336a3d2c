package types

import (
	"fmt"

	"github.com/gotrace/gotrace/lang"
)

// index checks x[i] on an expression that is not a map: a pointer (the
// i-th element after it, read from kernel or user memory), an array or
// a string (a constant index must be in range), or a tuple (a constant
// index, as x.i).
func (c *checker) index(e *lang.Index) *Type {
	x := c.expr(e.X)
	it := c.expr(e.Index)
	if x.Kind == Invalid || it.Kind == Invalid {
		return nil
	}
	if !it.IsInteger() {
		c.errorf(e.Index.Pos(), "an index must be an integer, not %s", it)
		return nil
	}
	v, isConst := c.constValue(e.Index)
	if isConst {
		c.info.Consts.Set(e.Index, Const{Int: v})
	}
	length := 0
	var elem *Type
	switch x.Kind {
	case Ptr:
		elem = x.Elem
		if elem == nil || elem.Kind == Void {
			elem = Int8
		}
		if elem.Kind == Ptr && x.User && !elem.User {
			// what a user pointer points to is in user memory too
			elem = PtrTo(elem.Elem, true)
		}
		if elem.Size == 0 {
			c.errorf(e.At, "cannot index %s: its elements have no size", x)
			return nil
		}
	case Array:
		elem, length = x.Elem, x.Len
	case Str:
		elem, length = Int8, x.Size
	case Tuple:
		if !isConst || v < 0 || int(v) >= len(x.Fields) {
			c.errorf(e.Index.Pos(), "a tuple index must be a constant from 0 to %d", len(x.Fields)-1)
			return nil
		}
		return x.Fields[v].Type
	default:
		c.errorf(e.At, "cannot index %s: only pointers, arrays, strings and tuples can be indexed", x)
		return nil
	}
	if isConst && (v < 0 || length > 0 && int(v) >= length) {
		c.errorf(e.At, "the index %d is out of bounds for array of size %d", v, length).Hint = fmt.Sprintf("the array is %s", x)
		return nil
	}
	if elem.Kind == Array && elem.Elem.Kind == Int && elem.Elem.Size == 1 {
		return StrType(elem.Size) // char arrays are strings
	}
	return elem
}
