package lang

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
)

// Conditional compilation: #if, #ifdef, #ifndef, #elif, #else and #endif
// lines are resolved on the text before it is parsed. The lines of a
// branch not taken, and the conditional lines themselves, are blanked
// (every byte but the newline becomes a space), so positions in what
// remains do not move. Conditions see the names #defined in the taken
// text above them, plus those of predefined: gotrace always reads the
// kernel's types from BTF, so BPFTRACE_HAVE_BTF is defined.

// predefined are the names defined before a script's first line.
var predefined = map[string]string{"BPFTRACE_HAVE_BTF": "1"}

// cppState is one open #if: whether the text is taken now, whether some
// branch of it was taken already, and whether #else was seen.
type cppState struct {
	at      Pos
	taking  bool
	taken   bool
	inElse  bool
	outside bool // the enclosing text is taken
}

// conditionals resolves the conditional directives of src (see above).
func conditionals(name string, src []byte) ([]byte, ErrorList) {
	if bytes.IndexByte(src, '#') < 0 {
		return src, nil
	}
	out := []byte(string(src))
	defs := map[string]string{}
	for k, v := range predefined {
		defs[k] = v
	}
	var errs ErrorList
	var stack []*cppState
	taking := func() bool { return len(stack) == 0 || stack[len(stack)-1].taking }
	line, off := 1, 0
	for off < len(src) {
		end := bytes.IndexByte(src[off:], '\n')
		if end < 0 {
			end = len(src) - off
		}
		var at Pos
		var directive, rest string
		if t := bytes.TrimLeftFunc(src[off:off+end], unicode.IsSpace); len(t) > 0 && t[0] == '#' {
			text := string(src[off : off+end])
			at = Pos{File: name, Line: line, Col: 1 + len(text) - len(strings.TrimLeft(text, " \t")), Offset: off}
			directive, rest = splitDirective(text)
		}
		blank := !taking()
		switch directive {
		case "if", "ifdef", "ifndef":
			outside := taking()
			cond := false
			if outside {
				switch directive {
				case "ifdef":
					_, cond = defs[rest]
				case "ifndef":
					_, cond = defs[rest]
					cond = !cond
				default:
					v, err := cppEval(rest, defs)
					if err != "" {
						errs.Add(at, "#if %s: %s", rest, err)
					}
					cond = v != 0
				}
			}
			stack = append(stack, &cppState{at: at, taking: outside && cond, taken: cond, outside: outside})
			blank = true
		case "elif", "else":
			if len(stack) == 0 || stack[len(stack)-1].inElse {
				errs.Add(at, "#%s without #if", directive)
				break
			}
			s := stack[len(stack)-1]
			cond := !s.taken
			if directive == "else" {
				s.inElse = true
			} else if cond && s.outside {
				v, err := cppEval(rest, defs)
				if err != "" {
					errs.Add(at, "#elif %s: %s", rest, err)
				}
				cond = v != 0
			}
			s.taking = s.outside && cond
			s.taken = s.taken || cond
			blank = true
		case "endif":
			if len(stack) == 0 {
				errs.Add(at, "#endif without #if")
				break
			}
			stack = stack[:len(stack)-1]
			blank = true
		case "define":
			if taking() {
				n, v, _ := strings.Cut(rest, " ")
				defs[strings.TrimSpace(n)] = strings.TrimSpace(v)
			}
		case "undef":
			if taking() {
				delete(defs, rest)
			}
		}
		if blank {
			for i := off; i < off+end; i++ {
				if out[i] != '\n' && out[i] != '\r' {
					out[i] = ' '
				}
			}
		}
		off += end + 1
		line++
	}
	for _, s := range stack {
		errs.Add(s.at, "#if without #endif")
	}
	return out, errs
}

// splitDirective returns the directive and the rest of a line that starts
// with '#' (after blanks), or "" for any other line.
func splitDirective(line string) (string, string) {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "#") {
		return "", ""
	}
	t = strings.TrimSpace(t[1:])
	if i := strings.Index(t, "//"); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	d, rest, _ := strings.Cut(t, " ")
	if i := strings.IndexAny(d, "(\t"); i >= 0 {
		d, rest = d[:i], d[i:]+" "+rest
	}
	return d, strings.TrimSpace(rest)
}

// cppEval evaluates the condition of an #if: integers, defined(NAME) or
// defined NAME, names (#defined integers; anything else is 0), ! ( ),
// comparisons, && and ||. It returns a message for what it cannot read.
func cppEval(s string, defs map[string]string) (int64, string) {
	p := &cppParser{s: s, defs: defs}
	v := p.or()
	p.space()
	if p.err == "" && p.i < len(p.s) {
		p.err = "unexpected " + strconv.Quote(p.s[p.i:])
	}
	return v, p.err
}

type cppParser struct {
	s    string
	i    int
	defs map[string]string
	err  string
}

func (p *cppParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *cppParser) eat(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *cppParser) or() int64 {
	v := p.and()
	for p.eat("||") {
		r := p.and()
		v = b2i(v != 0 || r != 0)
	}
	return v
}

func (p *cppParser) and() int64 {
	v := p.cmp()
	for p.eat("&&") {
		r := p.cmp()
		v = b2i(v != 0 && r != 0)
	}
	return v
}

func (p *cppParser) cmp() int64 {
	v := p.unary()
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if p.eat(op) {
			r := p.unary()
			switch op {
			case "==":
				return b2i(v == r)
			case "!=":
				return b2i(v != r)
			case "<=":
				return b2i(v <= r)
			case ">=":
				return b2i(v >= r)
			case "<":
				return b2i(v < r)
			}
			return b2i(v > r)
		}
	}
	return v
}

func (p *cppParser) unary() int64 {
	switch {
	case p.eat("!"):
		return b2i(p.unary() == 0)
	case p.eat("("):
		v := p.or()
		if !p.eat(")") && p.err == "" {
			p.err = "missing )"
		}
		return v
	}
	p.space()
	start := p.i
	for p.i < len(p.s) && (unicode.IsLetter(rune(p.s[p.i])) || unicode.IsDigit(rune(p.s[p.i])) || p.s[p.i] == '_') {
		p.i++
	}
	word := p.s[start:p.i]
	switch {
	case word == "":
		if p.err == "" {
			p.err = "expected a value"
		}
		return 0
	case word == "defined":
		paren := p.eat("(")
		p.space()
		n := p.i
		for p.i < len(p.s) && (unicode.IsLetter(rune(p.s[p.i])) || unicode.IsDigit(rune(p.s[p.i])) || p.s[p.i] == '_') {
			p.i++
		}
		_, ok := p.defs[p.s[n:p.i]]
		if paren && !p.eat(")") && p.err == "" {
			p.err = "missing )"
		}
		return b2i(ok)
	case unicode.IsDigit(rune(word[0])):
		v, err := strconv.ParseInt(strings.TrimRight(word, "uUlL"), 0, 64)
		if err != nil && p.err == "" {
			p.err = "bad number " + word
		}
		return v
	}
	if v, ok := p.defs[word]; ok {
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 0, 64)
		return n
	}
	return 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
