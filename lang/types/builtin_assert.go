package types

import (
	"fmt"
	"strings"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/printf"
)

// Assertions: when the program runs (assert), and when compiling
// (static_assert, assert_str, and fail, which always fails where it is
// not dead code).

const (
	BuiltinAssert Builtin = assertFamily + iota
	BuiltinStaticAssert
	BuiltinAssertStr
	BuiltinFail
)

func init() {
	define(
		&builtin{id: BuiltinAssert, name: "assert", minArgs: 2, maxArgs: 2, call: (*checker).assertCall},
		&builtin{id: BuiltinStaticAssert, name: "static_assert", minArgs: 1, maxArgs: 2, call: (*checker).staticAssertCall},
		&builtin{id: BuiltinAssertStr, name: "assert_str", minArgs: 1, maxArgs: 1, call: (*checker).assertStrCall},
		&builtin{id: BuiltinFail, name: "fail", minArgs: 1, maxArgs: variadic, call: (*checker).failCall},
	)
}

// assertCall checks assert(cond, msg): when cond is false, the program
// reports msg and exits.
func (c *checker) assertCall(e *lang.Call) *Type {
	if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
		c.errorf(e.Args[0].Pos(), "assert() needs a condition, not %s", t)
		return nil
	}
	lit, ok := e.Args[1].(*lang.StrLit)
	if !ok {
		c.errorf(e.Args[1].Pos(), "assert() takes its message as a string literal")
		return nil
	}
	c.record(lit, StrType(len(lit.Val)+1))
	// the format of the errorf event that reports the failure
	c.info.Formats[lit] = printf.Parse(AssertPrefix + lit.Val)
	return VoidType
}

// AssertPrefix starts the message a failed assert() reports.
const AssertPrefix = "assert failed: "

// staticAssertCall checks static_assert(cond[, msg]): cond, known when
// compiling, must hold.
func (c *checker) staticAssertCall(e *lang.Call) *Type {
	c.expr(e.Args[0])
	v, ok := c.constValue(e.Args[0])
	if !ok {
		c.errorf(e.Args[0].Pos(), "static_assert() needs a condition known when compiling")
		return nil
	}
	if v == 0 && !c.infer {
		msg := "static_assert failed"
		if len(e.Args) == 2 {
			if lit, isLit := e.Args[1].(*lang.StrLit); isLit {
				msg += ": " + lit.Val
			}
		}
		c.errorf(e.At, "%s", msg)
	}
	return VoidType
}

// assertStrCall checks assert_str(x): x must be a string.
func (c *checker) assertStrCall(e *lang.Call) *Type {
	if t := c.expr(e.Args[0]); t.Kind != Invalid && t.Kind != Str {
		c.errorf(e.Args[0].Pos(), "assert_str: %s is not a string", t)
		return nil
	}
	return VoidType
}

// failCall checks fail(format, args...): the message, of values known when
// compiling, is an error, unless the branch it is in is never taken.
func (c *checker) failCall(e *lang.Call) *Type {
	lit := c.litArg(e, 0, "its format")
	if lit == nil {
		return nil
	}
	var args []any
	for _, a := range e.Args[1:] {
		if v, ok := c.constValue(a); ok {
			args = append(args, v)
		} else if k, ok := c.constString(a); ok {
			args = append(args, k)
		} else {
			c.errorf(a.Pos(), "fail() takes only values known when compiling")
			return nil
		}
	}
	if c.dead == 0 && !c.infer {
		c.errorf(e.At, "%s", cFormat(lit.Val, args))
	}
	return VoidType
}

// cFormat formats a printf-style message with values known when
// compiling (fail()), from the format as lang/printf parses it.
func cFormat(format string, args []any) string {
	var b strings.Builder
	for _, seg := range printf.Parse(format) {
		b.WriteString(seg.Text)
		if !seg.HasConv() {
			continue
		}
		c := seg.Conv
		if len(args) == 0 {
			b.WriteString("%" + c.Spec + c.Length + string(c.Verb))
		} else {
			verb := c.Verb
			if verb == 'u' || verb == 'i' {
				verb = 'd'
			}
			fmt.Fprintf(&b, "%"+c.Spec+string(verb), args[0])
			args = args[1:]
		}
		if c.Mode != 0 {
			b.WriteByte(c.Mode)
		}
	}
	return b.String()
}
