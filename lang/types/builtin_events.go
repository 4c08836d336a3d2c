package types

import (
	"fmt"
	"strings"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/printf"
)

// Events and printf: the builtins that send user space a record, which it
// prints (printf, errorf, warnf, print), runs (cat, system) or acts on
// (exit, unwatch).

const (
	BuiltinPrintf Builtin = eventFamily + iota
	BuiltinErrorf
	BuiltinWarnf
	BuiltinCat
	BuiltinSystem
	BuiltinPrint
	BuiltinExit
	BuiltinJoin
	BuiltinUnwatch
	BuiltinDebugf
)

func init() {
	define(
		&builtin{id: BuiltinPrintf, name: "printf", minArgs: 1, maxArgs: variadic, call: (*checker).printf},
		&builtin{id: BuiltinErrorf, name: "errorf", minArgs: 1, maxArgs: variadic, call: (*checker).printf},
		&builtin{id: BuiltinWarnf, name: "warnf", minArgs: 1, maxArgs: variadic, call: (*checker).printf},
		&builtin{id: BuiltinCat, name: "cat", minArgs: 1, maxArgs: variadic, call: (*checker).printf},
		&builtin{id: BuiltinSystem, name: "system", minArgs: 1, maxArgs: variadic, call: (*checker).systemCall},
		&builtin{id: BuiltinPrint, name: "print", minArgs: 1, maxArgs: 3, call: (*checker).printCall},
		&builtin{id: BuiltinExit, name: "exit", minArgs: 0, maxArgs: 1, call: (*checker).exitCall},
		&builtin{id: BuiltinJoin, name: "join", minArgs: 1, maxArgs: 2, call: (*checker).joinCall},
		&builtin{id: BuiltinUnwatch, name: "unwatch", minArgs: 1, maxArgs: 1, call: (*checker).unwatchCall},
		&builtin{id: BuiltinDebugf, name: "debugf", minArgs: 1, maxArgs: variadic, call: (*checker).debugfCall},
	)
}

// systemCall checks system(fmt, args...), which runs a command.
func (c *checker) systemCall(e *lang.Call) *Type {
	if !c.info.Config.Unsafe {
		c.errorf(e.At, "system() is unsafe. To use you need the --unsafe flag").Hint = "system() runs commands"
		return nil
	}
	return c.printf(e)
}

// MapFormat is the format print(@m, "format") prints a map in, whatever
// the output's format (-f) is.
type MapFormat uint8

const (
	MapFormatDefault MapFormat = iota // print(@m): the output's format
	MapFormatText                     // "text": bpftrace's text
	MapFormatJSON                     // "json": one JSON object
	MapFormatFolded                   // "folded": folded stacks, for a map keyed by stacks
)

// MapFormatNamed is the format a print() names.
func MapFormatNamed(name string) (MapFormat, bool) {
	f, ok := map[string]MapFormat{"text": MapFormatText, "json": MapFormatJSON, "folded": MapFormatFolded}[name]
	return f, ok
}

// printCall checks print(@m[, top[, div]]), print(@m, "format"[, top])
// and print(value). bpftrace's print() takes integers after the map, so
// a string there can only be a format.
func (c *checker) printCall(e *lang.Call) *Type {
	if m, ok := e.Args[0].(*lang.MapExpr); ok && len(m.Keys) == 0 {
		if c.info.Maps[m.Name] == nil && !c.infer {
			c.errorf(m.At, "undefined map %s", m.Name)
		}
		rest := e.Args[1:]
		if len(rest) > 0 {
			if s, ok := rest[0].(*lang.StrLit); ok {
				rest = rest[1:]
				c.printFormat(m, s)
			}
		}
		for _, a := range rest {
			if _, ok := a.(*lang.IntLit); !ok {
				c.errorf(a.Pos(), "print(@m, top, div) takes integer constants")
			}
		}
		return VoidType
	}
	if len(e.Args) != 1 {
		c.errorf(e.At, "print() of a value takes one argument")
		return nil
	}
	if t := c.expr(e.Args[0]); t.Kind == Void {
		c.errorf(e.Args[0].Pos(), "this has no value to print")
	}
	return VoidType
}

// printFormat checks the format of print(@m, "format").
func (c *checker) printFormat(m *lang.MapExpr, s *lang.StrLit) {
	f, ok := MapFormatNamed(s.Val)
	switch {
	case s.Val == "pprof" || s.Val == "flamegraph":
		c.errorf(s.At, "a %s profile is a file of its own: write the maps keyed by stacks with -f %s -o FILE", s.Val, s.Val)
	case !ok:
		c.errorf(s.At, "print(@m, \"%s\"): the format is \"text\", \"json\" or \"folded\"", s.Val)
	case f == MapFormatFolded && !c.infer:
		mi := c.info.Maps[m.Name]
		if mi == nil {
			return
		}
		for _, k := range mi.Keys {
			if k != nil && k.Kind == Stack {
				return
			}
		}
		c.errorf(s.At, "print(%s, \"folded\") prints a map keyed by a stack (kstack, ustack); %s has no stack in its key", m.Name, m.Name)
	}
}

// exitCall checks exit([code]).
func (c *checker) exitCall(e *lang.Call) *Type {
	if len(e.Args) == 1 {
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "exit() takes an integer exit code, not %s", t)
		}
	}
	return VoidType
}

// joinCall checks join(argv[, sep]).
func (c *checker) joinCall(e *lang.Call) *Type {
	if !c.intArg(e, 0, "an array of string pointers (like args.argv)") {
		return nil
	}
	if len(e.Args) == 2 {
		if c.litArg(e, 1, "its separator") == nil {
			return nil
		}
	}
	return VoidType
}

// debugfCall checks debugf(fmt, args...), which writes to the kernel's
// trace pipe with bpf_trace_printk: at most three arguments, integers
// for %d, %u, %x and %p, strings for %s.
func (c *checker) debugfCall(e *lang.Call) *Type {
	if c.printf(e) == nil {
		return nil
	}
	if len(e.Args) > 4 {
		c.errorf(e.Args[4].Pos(), "debugf() prints at most 3 arguments (bpf_trace_printk takes no more)")
		return nil
	}
	verbs, _ := FormatVerbs(c.info.Formats[e.Args[0].(*lang.StrLit)])
	for i, v := range verbs {
		a := e.Args[i+1]
		switch t := c.info.Types.Of(a); {
		case !strings.ContainsRune("duxps", v):
			c.errorf(e.Args[0].Pos(), "debugf() cannot print %%%c: bpf_trace_printk knows %%d, %%u, %%x, %%p and %%s", v)
			return nil
		case v == 's' && t.Kind != Str:
			c.errorf(a.Pos(), "debugf: %%s needs a string, got %s", t)
			return nil
		}
	}
	c.warnf(e.At, "debugf() writes to the kernel's trace pipe (bpf_trace_printk), which is meant for debugging, not for production use")
	return VoidType
}

// unwatchCall checks unwatch(addr), which removes the watchpoints at
// addr.
func (c *checker) unwatchCall(e *lang.Call) *Type {
	if !c.intArg(e, 0, "the watched address as an integer") {
		return nil
	}
	return VoidType
}

// printf checks the format string against the arguments.
func (c *checker) printf(e *lang.Call) *Type {
	lit, ok := e.Args[0].(*lang.StrLit)
	if !ok {
		c.expr(e.Args[0])
		c.errorf(e.Args[0].Pos(), "%s() needs a string literal as its format", e.Fun)
		return nil
	}
	c.record(lit, StrType(len(lit.Val)+1))
	segs := printf.Parse(lit.Val)
	c.info.Formats[lit] = segs
	verbs, err := FormatVerbs(segs)
	if err != "" {
		c.errorf(lit.At, "%s", err)
		return nil
	}
	args := e.Args[1:]
	for _, a := range args {
		c.expr(a)
	}
	if len(verbs) != len(args) {
		c.errorf(e.At, "%s: format has %d conversion%s but %d argument%s given",
			e.Fun, len(verbs), plural(len(verbs)), len(args), plural(len(args)))
		return nil
	}
	for i, a := range args {
		t := c.info.Types.Of(a)
		if t == nil || t.Kind == Invalid {
			continue
		}
		v := verbs[i]
		switch {
		case v == 's':
		case strings.ContainsRune("diuxXocp", v):
			if !t.IsInteger() {
				c.errorf(a.Pos(), "%s: %%%c needs an integer, got %s", e.Fun, v, t)
			}
		}
	}
	return VoidType
}

// FormatVerbs returns the conversion characters of a printf format
// parsed by lang/printf, in order (as the checker types their arguments:
// %r is a string, %gr an integer), or a message saying what is wrong
// with the format.
func FormatVerbs(segs []printf.Segment) ([]rune, string) {
	var verbs []rune
	for _, seg := range segs {
		if seg.Open {
			return nil, "printf: format ends in the middle of a conversion"
		}
		if !seg.HasConv() {
			continue
		}
		switch v := seg.Conv.Verb; v {
		case 'd', 'i', 'u', 'x', 'X', 'o', 'c', 's', 'p':
			verbs = append(verbs, rune(v))
		case 'r':
			verbs = append(verbs, 's')
		case 'g':
			if seg.Conv.Mode != 'r' {
				return nil, "printf: unknown conversion %g (floating point is not supported; %gr prints GFP flags)"
			}
			verbs = append(verbs, 'd') // GFP flags: an integer
		default:
			return nil, fmt.Sprintf("printf: unknown conversion %%%c", v)
		}
	}
	return verbs, ""
}
