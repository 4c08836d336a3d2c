package types

import (
	"github.com/gotrace/gotrace/lang"
)

// expr types e and records its type (InvalidTyp after an error).
func (c *checker) expr(e lang.Expr) *Type {
	var t *Type
	if b, ok := e.(*lang.Binary); ok {
		// a chain of n operators is n levels of recursion: through
		// binary alone, whose stack frame is a fraction of exprType's
		t = c.binary(b)
	} else {
		t = c.exprType(e)
	}
	if t == nil {
		t = InvalidTyp
	}
	c.info.Types.Set(e, t)
	return t
}

// exprType computes the type of e, or nil after an error.
func (c *checker) exprType(e lang.Expr) *Type {
	switch e := e.(type) {
	case *lang.IntLit:
		return LitType(e.Val)
	case *lang.BoolLit:
		return BoolType
	case *lang.StrLit:
		return StrType(len(e.Val) + 1)
	case *lang.Paren:
		return c.expr(e.X)
	case *lang.Ident:
		return c.ident(e)
	case *lang.Var:
		t, ok := c.vars[e.Key()]
		if !ok && c.letDeclared(e.Key()) && c.joined[e.Key()] != nil {
			// `let $x;` read before its first assignment: zero, of the
			// type its assignments give it
			t, ok = c.joined[e.Key()], true
		}
		if !ok {
			if !c.infer {
				c.errorf(e.At, "undefined variable %s", e.Name).Hint = "assign it first: " + e.Name + " = ...;"
			}
			return nil
		}
		return t
	case *lang.MapExpr:
		return c.mapRead(e)
	case *lang.Call:
		return c.call(e)
	case *lang.Unary:
		return c.unary(e)
	case *lang.Binary:
		return c.binary(e)
	case *lang.Ternary:
		return c.ternary(e)
	case *lang.Field:
		return c.field(e)
	case *lang.TypeExpr:
		c.errorf(e.At, "%s is a type, not a value", e.Type)
		return nil
	case *lang.BlockExpr:
		c.stmts(e.Stmts, e.Value)
		if e.Value == nil {
			c.errorf(e.At, "this block (or macro) has no value")
			return nil
		}
		return c.expr(e.Value)
	case *lang.Tuple:
		var elems []*Type
		for _, x := range e.Elems {
			t := c.expr(x)
			if t.Kind == Invalid {
				return nil
			}
			if t.Kind == Void || t.Kind == Agg {
				c.errorf(x.Pos(), "%s cannot be a tuple element", t)
				return nil
			}
			elems = append(elems, cloneStr(tupleElem(t)))
		}
		tt := TupleOf(elems...)
		if e.Names != nil {
			seen := map[string]bool{}
			for i, n := range e.Names {
				if seen[n] {
					c.errorf(e.At, "the record names %s twice", n)
					return nil
				}
				seen[n] = true
				tt.Fields[i].Name = n
			}
			tt.Named = true
		}
		return tt
	case *lang.Cast:
		return c.cast(e)
	case *lang.Index:
		return c.index(e)
	}
	c.errorf(e.Pos(), "this expression is not supported yet")
	return nil
}

func (c *checker) ternary(e *lang.Ternary) *Type {
	ct := c.expr(e.Cond)
	var tt *Type
	if e.Then != nil {
		tt = c.expr(e.Then)
	} else {
		tt = ct
	}
	et := c.expr(e.Else)
	if ct.Kind == Invalid || tt.Kind == Invalid || et.Kind == Invalid {
		return nil
	}
	if !ct.IsInteger() {
		c.errorf(e.Cond.Pos(), "condition must be an integer or bool, not %s", ct)
		return nil
	}
	switch {
	case tt.Kind == Bool && et.Kind == Bool:
		return BoolType
	case tt.Kind == Void && et.Kind == Void:
		// c ? printf("a") : printf("b"): a statement
		return VoidType
	case tt.Kind == Tuple && et.Kind == Tuple:
		if t, ok := PromoteValue(tt, et); ok {
			return t
		}
	case tt.Kind == Int && et.Kind == Int:
		return Promote(tt, et)
	case tt.IsInteger() && et.IsInteger():
		return IntType(8, signedOf(tt) && signedOf(et))
	case tt.Kind == Str && et.Kind == Str:
		return StrType(max(tt.Size, et.Size))
	case tt.Kind == Buf && et.Kind == Buf:
		// the length byte says how much of the larger one is used
		return &Type{Kind: Buf, Size: max(tt.Size, et.Size)}
	}
	c.errorf(e.Cond.Pos(), "the branches of ?: have different types: %s and %s", tt, et)
	return nil
}
