package types

import (
	"fmt"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// printf checks the format string against the arguments.
func (c *checker) printf(e *lang.Call) *Type {
	lit, ok := e.Args[0].(*lang.StrLit)
	if !ok {
		c.expr(e.Args[0])
		c.errorf(e.Args[0].Pos(), "%s() needs a string literal as its format", e.Fun)
		return nil
	}
	c.record(lit, StrType(len(lit.Val)+1))
	verbs, err := FormatVerbs(lit.Val)
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
			e.Fun, len(verbs), plural(len(verbs), len(verbs)), len(args), plural(len(args), len(args)))
		return nil
	}
	for i, a := range args {
		t := c.info.Types[a]
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

// FormatVerbs returns the conversion characters of a printf format in
// order, or a message saying what is wrong with the format.
func FormatVerbs(f string) ([]rune, string) {
	var verbs []rune
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		for i < len(f) && strings.IndexByte("-+ #0123456789.*hlLqjzt", f[i]) >= 0 {
			i++
		}
		if i >= len(f) {
			return nil, "printf: format ends in the middle of a conversion"
		}
		switch f[i] {
		case 'd', 'i', 'u', 'x', 'X', 'o', 'c', 's', 'p':
			verbs = append(verbs, rune(f[i]))
		case 'r':
			verbs = append(verbs, 's')
			if i+1 < len(f) && (f[i+1] == 'x' || f[i+1] == 'h') {
				i++
			}
		case 'g':
			if i+1 >= len(f) || f[i+1] != 'r' {
				return nil, "printf: unknown conversion %g (floating point is not supported; %gr prints GFP flags)"
			}
			verbs = append(verbs, 'd') // GFP flags: an integer
			i++
		default:
			return nil, fmt.Sprintf("printf: unknown conversion %%%c", f[i])
		}
	}
	return verbs, ""
}
