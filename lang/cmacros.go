package lang

import (
	"fmt"
	"strings"
)

// The macros of C headers. A header's object-like #define NAME BODY
// stands for BODY wherever NAME is used as a value, and a function-like
// #define F(a, b) BODY makes F(x, y) stand for BODY with a and b
// replaced by the expressions x and y (each as a whole, as if
// parenthesised). BODY is read as an expression of the script's
// language when the macro is used, so that a header may define macros
// that are no expressions (attributes, statements) as long as the
// script does not use them; a use of one is an error at the use. The
// expanded expression takes the position of the use. The script's own
// #defines and macros come first; a header's enum constants are names
// of their enum's type, as those of the script's enums are.

// defineHeaders makes the macros and enum constants of h known.
func (c *converter) defineHeaders(h *Headers) {
	if c.hmacros == nil {
		c.hmacros = map[string]*HeaderMacro{}
	}
	for _, m := range h.Macros {
		if m.Body != "" {
			c.hmacros[m.Name] = m
		}
	}
	for _, e := range h.Enumerators {
		at := e.At
		var lit Expr = &IntLit{At: at, Val: uint64(e.Value), Raw: fmt.Sprint(e.Value)}
		if e.Value < 0 {
			lit = &Unary{At: at, Op: "-", X: &IntLit{At: at, Val: uint64(-e.Value), Raw: fmt.Sprint(-e.Value)}}
		}
		if e.Enum != "" {
			lit = &Cast{At: at, Type: e.Enum, X: lit}
		}
		c.defines[e.Name] = lit
	}
}

// headerMacro expands a use at at of the header macro m, with args for a
// function-like one.
func (c *converter) headerMacro(at Pos, m *HeaderMacro, args []Expr) Expr {
	if m.Func && len(args) != len(m.Params) {
		c.errs.Add(at, "macro %s takes %d argument%s, got %d", m.Name, len(m.Params), plural(len(m.Params)), len(args))
		return &IntLit{At: at}
	}
	key := "#" + m.Name
	if c.expanding[key] {
		c.errs.Add(at, "macro %s expands to itself", m.Name)
		return &IntLit{At: at}
	}
	x, err := parseLoneExpr(c.file, m.Body)
	if err != nil {
		c.errs.Add(at, "%s is a macro of %s whose value %q is not an expression", m.Name, m.At, m.Body)
		return &IntLit{At: at}
	}
	c.expanding[key] = true
	defer delete(c.expanding, key)
	ex := &expansion{name: m.Name, id: c.newScope(), params: map[string]Expr{}}
	for i, p := range m.Params {
		ex.params[p] = args[i]
	}
	saved, base := c.scopes, c.base
	c.scopes = nil
	c.base = Pos{Line: at.Line, Col: at.Col, Offset: at.Offset}
	c.push(ex)
	e := c.expr(x)
	c.pop()
	c.scopes, c.base = saved, base
	return e
}

// defineFunc records the script's own `#define NAME(params) body`
// (params is the text from the opening parenthesis on), which is used as
// a header's function-like macro is.
func (c *converter) defineFunc(at Pos, name, params string) {
	end := strings.IndexByte(params, ')')
	if end < 0 {
		c.errs.Add(at, "#define %s: missing ')' after its parameters", name)
		return
	}
	m := &HeaderMacro{At: at, Name: name, Func: true, Body: strings.TrimSpace(params[end+1:])}
	if list := strings.TrimSpace(params[1:end]); list != "" {
		for _, p := range strings.Split(list, ",") {
			p = strings.TrimSpace(p)
			if !isIdent(p) {
				c.errs.Add(at, "#define %s: %q is not a parameter name", name, p)
				return
			}
			m.Params = append(m.Params, p)
		}
	}
	if m.Body == "" {
		c.errs.Add(at, "#define %s: a macro with parameters needs a value", name)
		return
	}
	if c.hmacros == nil {
		c.hmacros = map[string]*HeaderMacro{}
	}
	c.hmacros[name] = m
}

func isIdent(s string) bool {
	for i, r := range s {
		if r != '_' && !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z') && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
