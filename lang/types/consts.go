package types

import (
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Const is the value of an expression known when checking: an integer
// (or bool), or a string when Str is set.
type Const struct {
	Int   int64
	Str   string
	IsStr bool
	Bytes []byte // pton(): the address bytes
	// At: uaddr() in a position-independent binary: where the probe
	// fires, to relocate Int by the probe's instruction pointer.
	At uint64
}

// constInt reads an integer literal, possibly negated.
func constInt(e lang.Expr) (int64, bool) {
	switch e := e.(type) {
	case *lang.IntLit:
		return int64(e.Val), true
	case *lang.Unary:
		if unaryOp(e.Op) == OpNeg {
			v, ok := constInt(e.X)
			return -v, ok
		}
	case *lang.Paren:
		return constInt(e.X)
	}
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// constValue folds an expression made of literals, sizeof/offsetof and
// operators into its value, when it has one. The checker records the
// value of each arithmetic operator it folds in Info.Consts (codegen
// emits the constant), and each it could not fold in notConst, so that
// constValue of a checked operator looks its operands up instead of
// walking them again: folding a chain of n operators costs O(n).
func (c *checker) constValue(e lang.Expr) (int64, bool) {
	// literals are their value, without a look into the tables
	switch e := e.(type) {
	case *lang.IntLit:
		return int64(e.Val), true
	case *lang.BoolLit:
		return b2i(e.Val), true
	}
	if k, ok := c.info.Consts.Get(e); ok && !k.IsStr {
		return k.Int, true
	}
	if c.notConst.Of(e) {
		return 0, false
	}
	switch e := e.(type) {
	case *lang.Paren:
		return c.constValue(e.X)
	case *lang.Cast:
		if strings.HasPrefix(e.Type, "enum ") {
			return c.constValue(e.X) // an enumerator
		}
	case *lang.Unary:
		x, ok := c.constValue(e.X)
		switch op := unaryOp(e.Op); {
		case !ok:
		case op == OpNeg:
			return -x, true
		case op == OpCompl:
			return ^x, true
		case op == OpNot:
			return b2i(x == 0), true
		}
	case *lang.Binary:
		x, ok1 := c.constValue(e.X)
		y, ok2 := c.constValue(e.Y)
		if !ok1 || !ok2 {
			return 0, false
		}
		// script constants fold as signed 64-bit values, as C's do
		switch op := BinaryOp(e.Op); {
		case op.Compare():
			return b2i(compareConst(op, x, y, true)), true
		case op == OpLAnd:
			return b2i(x != 0 && y != 0), true
		case op == OpLOr:
			return b2i(x != 0 || y != 0), true
		default:
			return arithConst(op, x, y, true)
		}
	}
	return 0, false
}

// foldChecked is constValue of the operator expression e, whose operands
// are checked: it remembers the answer for the enclosing expressions.
func (c *checker) foldChecked(e lang.Expr) (int64, bool) {
	v, ok := c.constValue(e)
	if ok {
		c.info.Consts.Set(e, Const{Int: v})
	} else {
		c.notConst.Set(e, true)
	}
	return v, ok
}

// constString returns a string known when compiling: a literal.
func (c *checker) constString(e lang.Expr) (string, bool) {
	if x, ok := e.(*lang.StrLit); ok {
		return x.Val, true
	}
	return "", false
}

// compareConst is comparison op of integer constants (the script's and
// imported C's), signed or not.
func compareConst(op Op, a, b int64, signed bool) bool {
	less := a < b
	if !signed {
		less = uint64(a) < uint64(b)
	}
	switch op {
	case OpEq:
		return a == b
	case OpNe:
		return a != b
	case OpLt:
		return less
	case OpGe:
		return !less
	case OpGt:
		return a != b && !less
	}
	return a == b || less
}

// arithConst is arithmetic or bitwise operation op of integer constants,
// signed or not; it fails for a division by zero.
func arithConst(op Op, a, b int64, signed bool) (int64, bool) {
	switch op {
	case OpAdd:
		return a + b, true
	case OpSub:
		return a - b, true
	case OpMul:
		return a * b, true
	case OpAnd:
		return a & b, true
	case OpOr:
		return a | b, true
	case OpXor:
		return a ^ b, true
	case OpShl:
		return a << uint(b&63), true
	case OpShr:
		if signed {
			return a >> uint(b&63), true
		}
		return int64(uint64(a) >> uint(b&63)), true
	case OpDiv, OpMod:
		if b == 0 {
			return 0, false
		}
		if !signed {
			if op == OpDiv {
				return int64(uint64(a) / uint64(b)), true
			}
			return int64(uint64(a) % uint64(b)), true
		}
		if op == OpDiv {
			return a / b, true
		}
		return a % b, true
	}
	return 0, false
}
