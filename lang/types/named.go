package types

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Named parameters are the words `--name=value` and `--name` after `--`
// on the command line. A script reads them with getopt(name[, default[,
// description]]), and the default says the parameter's type:
//
//	getopt("v")             a flag: bool, false unless given
//	getopt("v", true)       bool: --v=true|false|1|0|yes|no|on|off, any case
//	getopt("n", 10)         uint64 (a default of 0 or more): --n=0xffffffffffffffff
//	getopt("n", -1)         int64 (a negative default): --n=-10
//	getopt("s", "x")        a string
//
// A value is read as the script reads integer literals (lang.ParseInt).
// A parameter no getopt() reads, a value that does not fit its type,
// and --help (which lists the parameters the script takes, with their
// descriptions) stop the script before it runs, with an OptionsError.

// namedArg is one named parameter as given: --name=value, or --name
// alone (hasValue false).
type namedArg struct {
	value    string
	hasValue bool
}

// namedArgs reads the named parameters; the last of a name wins.
func namedArgs(args []string) map[string]namedArg {
	m := map[string]namedArg{}
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		m[name] = namedArg{value, ok}
	}
	return m
}

// OptionsError is a mistake in the named parameters, or --help: the
// command line shows Msg as an error (when there is one) and Hint as
// the advice that follows it.
type OptionsError struct {
	Msg  string // "" for --help alone
	Hint string
}

func (e *OptionsError) Error() string {
	if e.Msg == "" {
		return e.Hint
	}
	return e.Msg
}

// optionValue is the value named parameter name gives getopt() with
// default def (nil for a flag), and its type.
func (c *checker) optionValue(name string, def lang.Expr) (Const, *Type) {
	arg, given := c.named[name]
	bad := func(what string) {
		if c.badOption == nil {
			v := arg.value
			if !arg.hasValue {
				v = "true"
			}
			c.badOption = &OptionsError{Msg: fmt.Sprintf("program command line option --%s %s (value: %s)", name, what, v)}
		}
	}
	switch d := def.(type) {
	case nil, *lang.BoolLit:
		b := d != nil && d.(*lang.BoolLit).Val
		if given {
			switch v := strings.ToLower(arg.value); {
			case !arg.hasValue, v == "1", v == "true", v == "on", v == "yes":
				b = true
			case v == "0", v == "false", v == "off", v == "no":
				b = false
			default:
				bad("expects a boolean (e.g. 'true')")
			}
		}
		return Const{Int: b2i(b)}, BoolType
	case *lang.StrLit:
		v := d.Val
		if given {
			if !arg.hasValue {
				bad("expects a string")
			}
			v = arg.value
		}
		return Const{Str: v, IsStr: true}, StrType(len(v) + 1)
	}
	n, _ := constInt(def)
	t := Uint64
	if _, neg := lang.Unparen(def).(*lang.Unary); neg {
		t = Int64
	}
	if !given {
		return Const{Int: n}, t
	}
	if !arg.hasValue {
		bad("expects an integer")
		return Const{Int: n}, t
	}
	v, neg := arg.value, false
	if t.Signed && strings.HasPrefix(v, "-") {
		v, neg = v[1:], true
	}
	u, err := lang.ParseInt(v)
	switch {
	case v == "" || v[0] < '0' || v[0] > '9':
		bad("invalid integer")
	case err != nil && strings.Contains(err.Error(), "64 bits"),
		t.Signed && !neg && u > 1<<63-1, neg && u > 1<<63:
		bad("value is out of range")
	case err != nil:
		bad("invalid trailing bytes")
	case neg:
		n = -int64(u)
	default:
		n = int64(u)
	}
	return Const{Int: n}, t
}

// unknownNamed reports named parameters no getopt() reads, and --help.
func (c *checker) unknownNamed() error {
	var unknown []string
	help := false
	for _, n := range slices.Sorted(maps.Keys(c.named)) {
		if _, ok := c.info.Options[n]; ok {
			continue
		}
		if n == "help" {
			help = true
			continue
		}
		unknown = append(unknown, "--"+n)
	}
	if len(unknown) == 0 && !help {
		return nil
	}
	e := &OptionsError{}
	if len(unknown) > 0 {
		e.Msg = "unexpected program command line options: " + strings.Join(unknown, ", ")
	}
	if len(c.info.Options) == 0 {
		e.Hint = "no custom program options defined."
		return e
	}
	var b strings.Builder
	b.WriteString("expected program options:")
	for i, n := range slices.Sorted(maps.Keys(c.info.Options)) {
		switch o := c.info.Options[n]; {
		case help:
			fmt.Fprintf(&b, "\n--%s", n)
			if o.Desc != "" {
				fmt.Fprintf(&b, ": %s", o.Desc)
			}
		case i == 0:
			fmt.Fprintf(&b, " --%s", n)
		default:
			fmt.Fprintf(&b, ", --%s", n)
		}
	}
	e.Hint = b.String()
	return e
}

// errOptions is what the named parameters say is wrong, when something is.
func (c *checker) errOptions() error {
	if err := c.unknownNamed(); err != nil {
		return err
	}
	if c.badOption != nil {
		return c.badOption
	}
	return nil
}
