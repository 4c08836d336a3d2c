package types

import (
	"fmt"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Op is an operator of the script, as the checker decided it
// (Info.Ops): the code generator and constant folding switch on it, never
// on its spelling. Imported C spells its operators alike.
type Op int

const (
	_ Op = iota // no operator: a plain assignment (=)
	// arithmetic and bits
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
	OpAnd
	OpOr
	OpXor
	OpShl
	OpShr
	// comparisons
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	// logical, short-circuit
	OpLAnd
	OpLOr
	// unary
	OpNeg
	OpNot
	OpCompl
	OpDeref
	OpAddr
	OpInc
	OpDec
)

var opSpellings = [...]string{
	OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpMod: "%",
	OpAnd: "&", OpOr: "|", OpXor: "^", OpShl: "<<", OpShr: ">>",
	OpEq: "==", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=",
	OpLAnd: "&&", OpLOr: "||",
	OpNeg: "-", OpNot: "!", OpCompl: "~", OpDeref: "*", OpAddr: "&", OpInc: "++", OpDec: "--",
}

// String is the operator as scripts spell it.
func (o Op) String() string {
	if o > 0 && int(o) < len(opSpellings) {
		return opSpellings[o]
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// BinaryOp is the binary operator spelled s, or 0.
func BinaryOp(s string) Op { return spelled(s, OpAdd, OpLOr) }

// unaryOp is the unary operator spelled s, or 0.
func unaryOp(s string) Op { return spelled(s, OpNeg, OpDec) }

// spelled is the operator from first to last spelled s, or 0.
func spelled(s string, first, last Op) Op {
	for o := first; o <= last; o++ {
		if opSpellings[o] == s {
			return o
		}
	}
	return 0
}

// compoundOp is the operator of an assignment spelled s: 0 for =, OpAdd
// for +=, ...
func compoundOp(s string) Op { return BinaryOp(strings.TrimSuffix(s, "=")) }

// Arith tells whether o is an arithmetic or bitwise operator.
func (o Op) Arith() bool { return o >= OpAdd && o <= OpShr }

// Compare tells whether o is a comparison.
func (o Op) Compare() bool { return o >= OpEq && o <= OpGe }

// Not is the comparison true where comparison o is false.
func (o Op) Not() Op {
	switch o {
	case OpEq:
		return OpNe
	case OpNe:
		return OpEq
	case OpLt:
		return OpGe
	case OpGe:
		return OpLt
	case OpGt:
		return OpLe
	case OpLe:
		return OpGt
	}
	return o
}

// Swapped is the comparison of the operands swapped: a < b is b > a.
func (o Op) Swapped() Op {
	switch o {
	case OpLt:
		return OpGt
	case OpGt:
		return OpLt
	case OpLe:
		return OpGe
	case OpGe:
		return OpLe
	}
	return o
}

func (c *checker) unary(e *lang.Unary) *Type {
	op := unaryOp(e.Op)
	c.info.Ops.Set(e, op)
	if m, ok := e.X.(*lang.MapExpr); ok && (op == OpInc || op == OpDec) && c.info.Maps[m.Name] == nil {
		// @m++ on a map not assigned yet starts it at 0, as += does.
		c.setMap(m, Int64, e.At)
	}
	t := c.expr(e.X)
	if t.Kind == Invalid {
		return nil
	}
	switch op {
	case OpInc, OpDec:
		switch x := e.X.(type) {
		case *lang.Var, *lang.MapExpr:
			if !t.IsInteger() {
				c.errorf(e.At, "%s needs an integer, not %s", op, t)
				return nil
			}
			if t.Kind == Ptr {
				return t // one element on
			}
			rt := Uint64
			if t.Signed || op == OpDec {
				rt = Int64
			}
			switch x := x.(type) {
			case *lang.MapExpr:
				if mi := c.info.Maps[x.Name]; mi != nil && mi.Value.Kind == Agg {
					c.errorf(e.At, "%s is an aggregation; it cannot be changed with %s", x.Name, op)
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
		c.errorf(e.At, "%s needs a $variable or an @map", op)
		return nil
	case OpNot:
		if !t.IsInteger() {
			c.errorf(e.At, "! needs an integer or bool, not %s", t)
			return nil
		}
		return BoolType
	case OpNeg, OpCompl:
		if !t.IsInteger() {
			c.errorf(e.At, "%s needs an integer, not %s", op, t)
			return nil
		}
		if v, ok := c.foldChecked(e); ok {
			return ConstType(v)
		}
		if t.Signed {
			return Int64
		}
		return Uint64
	case OpDeref:
		if t.Kind == Int {
			// an address held as an integer (kaddr()): a u64 read there
			return Uint64
		}
		if t.Kind != Ptr {
			c.errorf(e.At, "cannot dereference %s", t)
			return nil
		}
		return t.Elem
	case OpAddr:
		return c.addressOf(e, t)
	}
	c.errorf(e.At, "operator %s is not supported yet", e.Op)
	return nil
}

func (c *checker) binary(e *lang.Binary) *Type {
	op := BinaryOp(e.Op)
	c.info.Ops.Set(e, op)
	x := c.expr(e.X)
	y := c.expr(e.Y)
	if x.Kind == Invalid || y.Kind == Invalid {
		return nil
	}
	switch op {
	case OpEq, OpNe:
		if x.Kind == Str && y.Kind == Str {
			return BoolType
		}
		if BytesComparable(x, y) {
			return BoolType
		}
	}
	if !x.IsInteger() || !y.IsInteger() {
		c.errorf(e.At, "operator %s cannot be applied to %s and %s", op, x, y)
		return nil
	}
	switch {
	case op.Compare(), op == OpLAnd, op == OpLOr:
		return BoolType
	case op == OpAdd, op == OpSub:
		// pointer arithmetic counts elements, as in C: p + 1 is the next
		switch {
		case x.Kind == Ptr && y.Kind != Ptr:
			return x
		case y.Kind == Ptr && x.Kind != Ptr && op == OpAdd:
			return y
		}
	}
	if v, ok := c.foldChecked(e); ok {
		return ConstType(v) // folded, it is a literal
	}
	return ArithType(op, x, y)
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
		st := c.info.Types.Of(x.X)
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
