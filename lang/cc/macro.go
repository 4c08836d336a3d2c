package cc

import (
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// hideSet is an immutable set of macro names (a short list: expansions
// rarely nest more than a few deep).
type hideSet struct {
	name string
	next *hideSet
}

func (h *hideSet) has(name string) bool {
	for ; h != nil; h = h.next {
		if h.name == name {
			return true
		}
	}
	return false
}

func (h *hideSet) add(name string) *hideSet {
	if h.has(name) {
		return h
	}
	return &hideSet{name: name, next: h}
}

func (h *hideSet) union(o *hideSet) *hideSet {
	switch {
	case h == nil:
		return o
	case o == nil || h == o:
		return h
	}
	for ; o != nil; o = o.next {
		h = h.add(o.name)
	}
	return h
}

func (h *hideSet) intersect(o *hideSet) *hideSet {
	var r *hideSet
	for ; h != nil; h = h.next {
		if o.has(h.name) {
			r = r.add(h.name)
		}
	}
	return r
}

// expander replaces macro uses by their expansions. It reads from a stack
// of tokens pushed back in front of its source (the files being read, or
// nothing for a list being expanded on its own, such as a macro argument
// or the line of an #if).
type expander struct {
	p       *cpp
	pending []token // top of the stack last
	list    bool
	depth   int
}

func (e *expander) raw() token {
	if n := len(e.pending); n > 0 {
		t := e.pending[n-1]
		e.pending = e.pending[:n-1]
		return t
	}
	if e.list || e.p.stopped {
		return token{kind: tEOF}
	}
	return e.p.fileNext()
}

// pushList puts toks back in front of the input, toks[0] to be read first.
func (e *expander) pushList(toks []token) {
	for i := len(toks) - 1; i >= 0; i-- {
		e.pending = append(e.pending, toks[i])
	}
}

// next returns the next token with every macro use expanded.
func (e *expander) next() token {
	for {
		t := e.raw()
		if t.kind != tIdent {
			return t
		}
		m := e.p.macros[t.text]
		if m == nil || t.hide.has(m.name) {
			return t
		}
		if m.dynamic != nil {
			r := m.dynamic(t)
			r.space = t.space
			return r
		}
		if !m.fn {
			e.pushList(e.p.subst(m, nil, t, t.hide.add(m.name), e.depth))
			continue
		}
		n := e.raw()
		if n.kind != tPunct || n.text != "(" {
			if n.kind != tEOF {
				e.pending = append(e.pending, n)
			}
			return t
		}
		args, rparen, ok := e.args(m, t)
		if !ok {
			// Reported: the parser stops quietly at this token.
			return token{kind: tBad, pos: t.pos}
		}
		e.pushList(e.p.subst(m, args, t, t.hide.intersect(rparen.hide).add(m.name), e.depth))
	}
}

// args reads the arguments of a use of function-like macro m, after its
// '('. It returns them unexpanded, and the closing ')'.
func (e *expander) args(m *macro, use token) ([][]token, token, bool) {
	var args [][]token
	var cur []token
	depth := 0
	for {
		t := e.raw()
		if t.kind == tEOF {
			e.p.errs.Add(use.pos, "unterminated use of macro '%s' (missing ')')", m.name)
			return nil, t, false
		}
		if t.kind == tPunct {
			switch t.text {
			case "(":
				depth++
			case ")":
				if depth == 0 {
					args = append(args, cur)
					return e.p.checkArgs(m, use, args), t, e.p.argCountOK(m, use, args)
				}
				depth--
			case ",":
				if depth == 0 && !(m.variadic && len(args) == len(m.params)-1) {
					args = append(args, cur)
					cur = nil
					continue
				}
			}
		}
		t.bol = false
		cur = append(cur, t)
		if e.p.spend(1, use, m) {
			return nil, t, false
		}
	}
}

// checkArgs adjusts the argument list for the forms C allows: f() for a
// macro of no parameters, and a variadic macro used without its variable
// part.
func (p *cpp) checkArgs(m *macro, use token, args [][]token) [][]token {
	if len(m.params) == 0 && len(args) == 1 && len(args[0]) == 0 {
		return nil
	}
	if m.variadic && len(args) == len(m.params)-1 {
		return append(args, nil)
	}
	return args
}

func (p *cpp) argCountOK(m *macro, use token, args [][]token) bool {
	args = p.checkArgs(m, use, args)
	if len(args) == len(m.params) {
		return true
	}
	p.errs.Add(use.pos, "macro '%s' expects %d arguments, found %d", m.name, len(m.params), len(args))
	return false
}

// expandList expands toks on their own (a macro argument, an #if line).
func (p *cpp) expandList(toks []token, depth int) []token {
	if depth > maxArgDepth {
		if !p.stopped {
			p.errs.Add(toks[0].pos, "macro arguments are nested too deeply")
			p.stopped = true
		}
		return nil
	}
	e := &expander{p: p, list: true, depth: depth}
	e.pushList(toks)
	var out []token
	for {
		t := e.next()
		if t.kind == tEOF {
			return out
		}
		out = append(out, t)
	}
}

// subst makes the expansion of a use of m: its body with the parameters
// replaced by the arguments (fully expanded, except as operands of # and
// ##), # and ## applied, and hs added to the hide set of every token.
// Tokens of the body take the position of the use; tokens of arguments
// keep their own.
func (p *cpp) subst(m *macro, args [][]token, use token, hs *hideSet, depth int) []token {
	var out []token
	expanded := make([][]token, len(args))
	done := make([]bool, len(args))
	body := m.body
	fromBody := func(t token) token {
		t.pos = use.pos
		return t
	}
	for i := 0; i < len(body); i++ {
		b := body[i]
		if m.fn && b.kind == tPunct && b.text == "#" && i+1 < len(body) {
			if k := m.param(body[i+1]); k >= 0 {
				out = append(out, token{kind: tString, text: stringify(args[k]), pos: use.pos, space: b.space})
				i++
				continue
			}
		}
		// GNU's `, ## __VA_ARGS__`: the comma goes when there are no
		// variable arguments.
		if m.variadic && b.kind == tPunct && b.text == "," && i+2 < len(body) && body[i+1].paste && m.param(body[i+2]) == len(m.params)-1 {
			k := len(m.params) - 1
			i += 2
			if len(args[k]) == 0 {
				continue
			}
			out = append(out, fromBody(b))
			out = append(out, p.expandArg(args, expanded, done, k, depth)...)
			continue
		}
		if k := m.param(b); k >= 0 {
			if (i > 0 && body[i-1].paste) || (i+1 < len(body) && body[i+1].paste) {
				if len(args[k]) == 0 {
					out = append(out, token{kind: tMark, pos: use.pos})
				} else {
					out = append(out, args[k]...)
				}
				continue
			}
			x := p.expandArg(args, expanded, done, k, depth)
			n := len(out)
			out = append(out, x...)
			if len(x) > 0 {
				out[n].space = b.space
			}
			continue
		}
		out = append(out, fromBody(b))
	}
	// ##, left to right.
	res := out[:0:0]
	for j := 0; j < len(out); j++ {
		t := out[j]
		if t.paste && len(res) > 0 && j+1 < len(out) {
			res[len(res)-1] = p.paste(res[len(res)-1], out[j+1], use)
			j++
			continue
		}
		res = append(res, t)
	}
	final := res[:0]
	for _, t := range res {
		if t.kind == tMark {
			continue
		}
		t.paste = false
		t.bol = false
		t.hide = t.hide.union(hs)
		final = append(final, t)
	}
	if len(final) > 0 {
		final[0].space = use.space
	}
	if p.spend(len(final), use, m) {
		return nil
	}
	return final
}

// spend counts n tokens made or copied by expanding m against the budget
// of maxExpansion, and reports whether it is exhausted: then expansion
// stops, and so does the preprocessor.
func (p *cpp) spend(n int, use token, m *macro) bool {
	p.made += n
	if p.made > maxExpansion && !p.stopped {
		p.errs.Add(use.pos, "macro expansion is too large (expanding '%s')", m.name)
		p.stopped = true
	}
	return p.stopped
}

func (p *cpp) expandArg(args, expanded [][]token, done []bool, k, depth int) []token {
	if !done[k] {
		done[k] = true
		if len(args[k]) > 0 {
			expanded[k] = p.expandList(args[k], depth+1)
		}
	}
	return expanded[k]
}

// paste joins two tokens with ##; an empty argument's placemarker
// vanishes.
func (p *cpp) paste(l, r token, use token) token {
	if l.kind == tMark {
		return r
	}
	if r.kind == tMark {
		return l
	}
	text := l.text + r.text
	var errs lang.ErrorList
	toks := lex(use.pos.File, []byte(text), &errs)
	if len(toks) != 1 || len(errs) > 0 || toks[0].kind == tBad {
		p.errs.Add(use.pos, "pasting '%s' and '%s' does not give a valid token", l.text, r.text)
		return l
	}
	t := toks[0]
	t.pos, t.space, t.bol = use.pos, l.space, false
	t.hide = l.hide.intersect(r.hide)
	return t
}

// stringify makes the string literal of # applied to an argument.
func stringify(arg []token) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, t := range arg {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		if t.kind == tString || t.kind == tChar {
			for j := 0; j < len(t.text); j++ {
				if t.text[j] == '"' || t.text[j] == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(t.text[j])
			}
			continue
		}
		b.WriteString(t.text)
	}
	b.WriteByte('"')
	return b.String()
}
