package cc

import (
	"github.com/gotrace/gotrace/lang"
)

// evalIf evaluates the condition of #if or #elif: `defined` is resolved
// first, then macros are expanded, then every identifier left is 0 and
// the integer constant expression is computed with C's rules (intmax_t
// arithmetic, unsigned when an operand is).
func (p *cpp) evalIf(hash token, line []token) bool {
	var toks []token
	for i := 0; i < len(line); i++ {
		t := line[i]
		if t.kind == tIdent && t.text == "defined" {
			j := i + 1
			paren := j < len(line) && line[j].text == "("
			if paren {
				j++
			}
			if j >= len(line) || line[j].kind != tIdent {
				p.errs.Add(t.pos, "'defined' must be followed by a macro name")
				return false
			}
			_, def := p.macros[line[j].text]
			if paren {
				j++
				if j >= len(line) || line[j].text != ")" {
					p.errs.Add(t.pos, "missing ')' after 'defined(%s'", line[j-1].text)
					return false
				}
			}
			v := "0"
			if def {
				v = "1"
			}
			toks = append(toks, token{kind: tNumber, text: v, pos: t.pos})
			i = j
			continue
		}
		// __has_include(...), __has_builtin(...) and friends: no.
		if t.kind == tIdent && len(t.text) > 6 && t.text[:6] == "__has_" && i+1 < len(line) && line[i+1].text == "(" {
			depth := 0
			j := i + 1
			for ; j < len(line); j++ {
				if line[j].text == "(" {
					depth++
				} else if line[j].text == ")" {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			toks = append(toks, token{kind: tNumber, text: "0", pos: t.pos})
			i = j
			continue
		}
		toks = append(toks, t)
	}
	if len(toks) > 0 {
		toks = p.expandList(toks, 0)
	}
	if len(toks) == 0 {
		p.errs.Add(hash.pos, "#if with no expression")
		return false
	}
	ev := &ifEval{p: p, toks: toks, live: true}
	v := ev.expr(0)
	if ev.failed {
		return false
	}
	if ev.i < len(ev.toks) {
		t := ev.toks[ev.i]
		p.errs.Add(t.pos, "unexpected '%s' in #if expression", t.text)
		return false
	}
	return v.v != 0
}

// ival is a value in an #if expression.
type ival struct {
	v        uint64
	unsigned bool
}

type ifEval struct {
	p      *cpp
	toks   []token
	i      int
	live   bool // false in the operand that && || ?: do not evaluate
	failed bool
	depth  int
}

func (e *ifEval) fail(pos lang.Pos, format string, args ...any) ival {
	if !e.failed {
		e.p.errs.Add(pos, format, args...)
		e.failed = true
	}
	return ival{}
}

func (e *ifEval) peek() string {
	if e.i < len(e.toks) && e.toks[e.i].kind == tPunct {
		return e.toks[e.i].text
	}
	return ""
}

func (e *ifEval) pos() lang.Pos {
	if e.i < len(e.toks) {
		return e.toks[e.i].pos
	}
	return e.toks[len(e.toks)-1].pos
}

var ifPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

// expr parses a conditional expression whose binary operators bind at
// least as tightly as min (0: the ternary operator too).
func (e *ifEval) expr(min int) ival {
	if e.failed {
		return ival{}
	}
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > 200 {
		return e.fail(e.pos(), "#if expression is nested too deeply")
	}
	x := e.unary()
	for !e.failed {
		op := e.peek()
		prec, ok := ifPrec[op]
		if !ok || prec < min || min < 0 {
			break
		}
		at := e.pos()
		e.i++
		switch op {
		case "&&", "||":
			live := e.live
			if (op == "&&") == (x.v == 0) {
				e.live = false
			}
			y := e.expr(prec + 1)
			e.live = live
			b := x.v != 0 && y.v != 0
			if op == "||" {
				b = x.v != 0 || y.v != 0
			}
			x = ival{v: b2u(b)}
		default:
			y := e.expr(prec + 1)
			x = e.binary(at, op, x, y)
		}
	}
	if min == 0 && e.peek() == "?" {
		at := e.pos()
		e.i++
		live := e.live
		e.live = live && x.v != 0
		a := e.expr(0)
		if e.peek() != ":" {
			return e.fail(e.pos(), "expected ':' in #if expression")
		}
		e.i++
		e.live = live && x.v == 0
		b := e.expr(0)
		e.live = live
		_ = at
		r := b
		if x.v != 0 {
			r = a
		}
		r.unsigned = a.unsigned || b.unsigned
		return r
	}
	return x
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (e *ifEval) binary(at lang.Pos, op string, x, y ival) ival {
	u := x.unsigned || y.unsigned
	if op == "<<" || op == ">>" {
		u = x.unsigned
	}
	a, b := x.v, y.v
	sa, sb := int64(a), int64(b)
	var r uint64
	switch op {
	case "*":
		r = a * b
	case "/", "%":
		if b == 0 {
			if e.live {
				return e.fail(at, "division by zero in #if expression")
			}
			return ival{unsigned: u}
		}
		switch {
		case u && op == "/":
			r = a / b
		case u:
			r = a % b
		case sb == -1:
			if op == "/" {
				r = uint64(-sa)
			}
		case op == "/":
			r = uint64(sa / sb)
		default:
			r = uint64(sa % sb)
		}
	case "+":
		r = a + b
	case "-":
		r = a - b
	case "<<":
		if b >= 64 {
			r = 0
		} else {
			r = a << b
		}
	case ">>":
		switch {
		case b >= 64 && (u || sa >= 0):
			r = 0
		case b >= 64:
			r = ^uint64(0)
		case u:
			r = a >> b
		default:
			r = uint64(sa >> b)
		}
	case "<", ">", "<=", ">=":
		var lt, gt bool
		if u {
			lt, gt = a < b, a > b
		} else {
			lt, gt = sa < sb, sa > sb
		}
		switch op {
		case "<":
			r = b2u(lt)
		case ">":
			r = b2u(gt)
		case "<=":
			r = b2u(!gt)
		default:
			r = b2u(!lt)
		}
		return ival{v: r}
	case "==":
		return ival{v: b2u(a == b)}
	case "!=":
		return ival{v: b2u(a != b)}
	case "&":
		r = a & b
	case "^":
		r = a ^ b
	case "|":
		r = a | b
	}
	return ival{v: r, unsigned: u}
}

func (e *ifEval) unary() ival {
	if e.i >= len(e.toks) {
		return e.fail(e.pos(), "missing operand at the end of the #if expression")
	}
	t := e.toks[e.i]
	e.i++
	switch t.kind {
	case tNumber:
		v, unsigned, _, _, msg := parseInt(t.text)
		if msg != "" {
			return e.fail(t.pos, "%s", msg)
		}
		return ival{v: v, unsigned: unsigned}
	case tChar:
		v, msg := parseChar(t.text)
		if msg != "" {
			return e.fail(t.pos, "%s", msg)
		}
		return ival{v: v}
	case tIdent:
		return ival{}
	case tPunct:
		switch t.text {
		case "(":
			x := e.expr(0)
			if e.peek() != ")" {
				return e.fail(e.pos(), "expected ')' in #if expression")
			}
			e.i++
			return x
		case "-", "+", "~", "!":
			e.depth++
			defer func() { e.depth-- }()
			if e.depth > 200 {
				return e.fail(t.pos, "#if expression is nested too deeply")
			}
			x := e.unary()
			switch t.text {
			case "-":
				x.v = -x.v
			case "~":
				x.v = ^x.v
			case "!":
				x = ival{v: b2u(x.v == 0)}
			}
			return x
		}
	}
	return e.fail(t.pos, "unexpected '%s' in #if expression", t.text)
}
