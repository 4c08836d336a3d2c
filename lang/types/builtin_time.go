package types

import "github.com/gotrace/gotrace/lang"

// Time: clocks (nsecs, elapsed, jiffies) and printing the time (strftime,
// time).

const (
	BuiltinNsecs Builtin = timeFamily + iota
	BuiltinElapsed
	BuiltinJiffies
	BuiltinStrftime
	BuiltinTime
)

func init() {
	define(
		&builtin{id: BuiltinNsecs, name: "nsecs", ident: typed(Uint64), minArgs: 1, maxArgs: 1, call: (*checker).nsecsCall},
		&builtin{id: BuiltinElapsed, name: "elapsed", ident: typed(Uint64)},
		&builtin{id: BuiltinJiffies, name: "jiffies", ident: typed(Uint64)},
		&builtin{id: BuiltinStrftime, name: "strftime", minArgs: 2, maxArgs: 2, call: (*checker).strftimeCall},
		&builtin{id: BuiltinTime, name: "time", minArgs: 0, maxArgs: 1, call: (*checker).timeCall},
	)
}

// nsecsCall checks nsecs(clock): the time of another clock than nsecs'
// (the boot clock).
func (c *checker) nsecsCall(e *lang.Call) *Type {
	clock, isIdent := e.Args[0].(*lang.Ident)
	if !isIdent || (clock.Name != "monotonic" && clock.Name != "boot" && clock.Name != "tai" && clock.Name != "sw_tai") {
		c.errorf(e.Args[0].Pos(), "nsecs() takes a clock: monotonic, boot, tai or sw_tai")
		return nil
	}
	return Uint64
}

// strftimeCall checks strftime(format, nsecs): a timestamp printed with
// the format.
func (c *checker) strftimeCall(e *lang.Call) *Type {
	lit, ok := e.Args[0].(*lang.StrLit)
	if !ok {
		c.errorf(e.Args[0].Pos(), "strftime() takes its format as a string literal")
		return nil
	}
	c.record(lit, StrType(len(lit.Val)+1))
	if t := c.expr(e.Args[1]); t.Kind != Invalid && !t.IsInteger() {
		c.errorf(e.Args[1].Pos(), "strftime() takes nanoseconds (like nsecs), not %s", t)
		return nil
	}
	return &Type{Kind: Timestamp, Size: 8, Name: lit.Val}
}

// timeCall checks time([format]), which prints the time.
func (c *checker) timeCall(e *lang.Call) *Type {
	if len(e.Args) == 1 {
		lit, ok := e.Args[0].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[0].Pos(), "time() takes a strftime format as a string literal")
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
	}
	return VoidType
}
