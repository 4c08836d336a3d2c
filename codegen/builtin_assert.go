package codegen

import (
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Assertions: assert reports its message and exits when its condition is
// false; the others were the checker's to check.

func init() {
	define(types.BuiltinAssert, builtinCode{stmt: (*fn).assert})
	define(types.BuiltinStaticAssert, builtinCode{stmt: checkedOnly})
	define(types.BuiltinAssertStr, builtinCode{stmt: checkedOnly})
	define(types.BuiltinFail, builtinCode{stmt: checkedOnly})
}

// assert compiles assert(cond, msg): errorf("assert failed: msg") and
// exit(1) when cond is false.
func (f *fn) assert(e *lang.Call) {
	ok := f.label()
	f.branch(e.Args[0], ok, true)
	f.pos = e.At
	msg := e.Args[1].(*lang.StrLit)
	f.sendPrintf(&Event{Kind: EventErrorf, Pos: e.At, Format: types.AssertPrefix + msg.Val, Conversions: f.c.info.Formats[msg]}, nil)
	f.exitCode(e.At, f.imm(1))
	f.mark(ok)
}
