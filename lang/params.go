package lang

import "strings"

// Positional parameters are the words after the script on the command
// line: $1 is the first, $# their number. They are known before the
// script is checked, and the language treats each one as the literal it
// spells: BindParams replaces every $N of the tree with that literal, so
// that the checker and the code generator never see a parameter, and a
// parameter goes wherever a literal goes (lhist(x, $1, $2, $3),
// strncmp(a, b, $1), ustack($1), kaddr(str($1))).
//
//   - A parameter that reads as an integer (as an integer literal of the
//     script reads: 10, 0x1f, 0755, 1_000, 5ms, -3) becomes that integer;
//     0xffffffffffffffff is the unsigned 64-bit value. Anything else
//     becomes a string literal, so `printf("%s", $1)` prints a word.
//   - An unset or empty parameter is the integer 0, with a warning.
//   - str($N) is always the parameter's text, a number included, and an
//     unset one is the empty string; str($N + k) is that text without
//     its first k bytes. Literals fold the same way wherever they are:
//     "hello" + 1 is "ello", str("hello") is "hello" and str("hello", 4)
//     is "hell", so that a function that takes a string literal takes
//     them (kaddr(str($1))).
//   - $# is the number of parameters.
//
// In attach points a parameter is replaced by its text before the probe
// is read: `interval:ms:$1`, `uprobe:$1:main`, `BEG$1` and even `$1`
// alone are completed by the command line. Inside double quotes a '$' is
// only a character.

// BindParams replaces the positional parameters of f with their values
// (params[0] is $1). It returns the warnings about unset parameters, and
// errors for attach points with a '$' that begins no parameter.
func BindParams(f *File, params []string) (warnings, errs ErrorList) {
	b := &binder{params: params}
	for _, p := range f.Probes {
		for _, s := range p.Specs {
			raw, err := b.spec(s)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			s.Raw = raw
		}
		if f.nothingToBind {
			continue // (the parser looked)
		}
		if p.Pred != nil {
			p.Pred = b.bind(p.Pred).(Expr)
		}
		b.bind(p.Body)
	}
	for _, c := range f.Config {
		c.Value = b.bind(c.Value).(Expr)
	}
	for _, d := range f.MapDecls {
		if d.Size != nil {
			d.Size = b.bind(d.Size).(Expr)
		}
	}
	return b.warnings, errs
}

type binder struct {
	params   []string
	warnings ErrorList
}

// bindsOrFolds tells whether BindParams may rewrite e itself: a
// parameter, str() of a literal, or a literal string plus a number.
func bindsOrFolds(e Expr) bool {
	switch e := e.(type) {
	case *PosParam:
		return true
	case *Call:
		if e.Fun == "str" && len(e.Args) > 0 {
			_, lit := e.Args[0].(*StrLit)
			return lit
		}
	case *Binary:
		if e.Op == "+" {
			_, xs := e.X.(*StrLit)
			_, ys := e.Y.(*StrLit)
			return xs || ys
		}
	}
	return false
}

// bind binds the parameters under n: first those str() takes as text,
// then the others.
func (b *binder) bind(n Node) Node {
	Inspect(n, func(n Node) bool {
		c, ok := n.(*Call)
		if !ok || c.Fun != "str" || len(c.Args) == 0 {
			return true
		}
		switch x := c.Args[0].(type) {
		case *PosParam:
			if !x.Count {
				c.Args[0] = &StrLit{At: x.At, Val: b.text(x)}
			}
		case *Binary:
			if p, ok := x.X.(*PosParam); ok && !p.Count && x.Op == "+" {
				x.X = &StrLit{At: p.At, Val: b.text(p)}
			}
		}
		return true
	})
	return Rewrite(n, b.fold)
}

// text is the text of parameter p: "" when it is not set.
func (b *binder) text(p *PosParam) string {
	if p.N >= 1 && p.N <= len(b.params) {
		return b.params[p.N-1]
	}
	return ""
}

// fold replaces a parameter with its literal, and a string literal plus
// an integer literal with the string it makes.
func (b *binder) fold(e Expr) Expr {
	switch e := e.(type) {
	case *PosParam:
		if e.Count {
			return &IntLit{At: e.At, Val: uint64(len(b.params)), Raw: itoa(len(b.params))}
		}
		return b.literal(e)
	case *Call:
		// str("abc") is "abc"; str("abc", n) its first n bytes
		if e.Fun != "str" || len(e.Args) == 0 || len(e.Args) > 2 {
			return e
		}
		s, ok := e.Args[0].(*StrLit)
		if !ok {
			return e
		}
		v := s.Val
		if len(e.Args) == 2 {
			n, ok := e.Args[1].(*IntLit)
			if !ok {
				return e
			}
			if n.Val < uint64(len(v)) {
				v = v[:n.Val]
			}
		}
		return &StrLit{At: e.At, Val: v}
	case *Binary:
		// "abc" + k, k + "abc": the string from byte k on
		s, sok := e.X.(*StrLit)
		n, nok := e.Y.(*IntLit)
		if !sok || !nok {
			s, sok = e.Y.(*StrLit)
			n, nok = e.X.(*IntLit)
		}
		if e.Op != "+" || !sok || !nok {
			return e
		}
		if n.Val >= uint64(len(s.Val)) {
			b.warnings = append(b.warnings, &Error{Pos: e.At, Msg: "literal string will always be empty", Warning: true})
			return &StrLit{At: s.At, Val: ""}
		}
		return &StrLit{At: s.At, Val: s.Val[n.Val:]}
	}
	return e
}

// literal is the literal parameter p stands for.
func (b *binder) literal(p *PosParam) Expr {
	v := b.text(p)
	switch {
	case v == "":
		b.warnings = append(b.warnings, &Error{Pos: p.At, Msg: "Positional parameter $" + itoa(p.N) + " is empty or not provided.", Warning: true})
		return &IntLit{At: p.At, Raw: "0"}
	case v[0] == '-':
		if n, err := ParseInt(v[1:]); err == nil && v[1:] != "" && n <= 1<<63 {
			return &Unary{At: p.At, Op: "-", X: &IntLit{At: p.At, Val: n, Raw: v[1:]}}
		}
	default:
		if n, err := ParseInt(v); err == nil {
			return &IntLit{At: p.At, Val: n, Raw: v}
		}
	}
	return &StrLit{At: p.At, Val: v}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// spec is the text of attach point s with its parameters replaced.
func (b *binder) spec(s *ProbeSpec) (string, *Error) {
	raw := s.Raw
	if !strings.Contains(raw, "$") {
		return raw, nil
	}
	var out strings.Builder
	quoted := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted && c == '\\' && i+1 < len(raw):
			out.WriteByte(c)
			i++
			c = raw[i]
		case !quoted && c == '$':
			j := i + 1
			for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' && !(j == i+1 && raw[j] == '0') {
				j++
			}
			if j == i+1 {
				at := s.At
				at.Col += i
				at.Offset += i
				return "", &Error{Pos: at, Msg: "a '$' in an attach point begins a positional parameter ($1, $2, ...)",
					Hint: "quote the part to keep the '$': \"" + raw[i:] + "\""}
			}
			n := 0
			for _, d := range raw[i+1 : j] {
				n = n*10 + int(d-'0')
			}
			if n <= len(b.params) {
				out.WriteString(b.params[n-1])
			}
			i = j - 1
			continue
		}
		out.WriteByte(c)
	}
	return out.String(), nil
}
