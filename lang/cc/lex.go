package cc

import (
	"github.com/gotrace/gotrace/lang"
)

// tokKind classifies a preprocessing token.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // identifier or keyword
	tNumber         // preprocessing number: digits, letters, '.', exponent signs
	tChar           // 'c', as written
	tString         // "s", as written
	tPunct          // operator or punctuator
	tBad            // text the lexer could not make sense of; text is the complaint
	tMark           // placemarker of an empty macro argument (never leaves macro.go)
)

// token is one preprocessing token. pos is where its first byte was
// written (for a token made by a macro expansion: where the macro was
// used). bol marks the first token of a line, space a token with white
// space before it; hide is the set of macros whose expansion produced it,
// which may not expand it again.
type token struct {
	kind  tokKind
	text  string
	pos   lang.Pos
	bol   bool
	space bool
	paste bool // a '##' of a macro body (an operator, not an argument's token)
	hide  *hideSet
}

// puncts lists the punctuators, longest first within each first byte so
// that the lexer takes the longest match.
var puncts = []string{
	"...", "<<=", ">>=",
	"->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
	"*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##",
	"#", "[", "]", "(", ")", "{", "}", ".", "&", "*", "+", "-", "~", "!",
	"/", "%", "<", ">", "^", "|", "?", ":", ";", "=", ",",
}

// source is a file's text with backslash-newlines removed, and for every
// byte of it the offset of that byte in the file as written, so that
// positions are those of the original text.
type source struct {
	name  string
	text  []byte
	orig  []int // orig[i]: offset in the file of text[i]; orig[len(text)] = file length
	lines []int // offsets in the file where lines start
}

func newSource(name string, src []byte) *source {
	s := &source{name: name, lines: []int{0}}
	s.text = make([]byte, 0, len(src))
	s.orig = make([]int, 0, len(src)+1)
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			s.lines = append(s.lines, i+1)
		}
		if c == '\\' {
			j := i + 1
			if j < len(src) && src[j] == '\r' {
				j++
			}
			if j < len(src) && src[j] == '\n' {
				s.lines = append(s.lines, j+1)
				i = j
				continue
			}
		}
		s.text = append(s.text, c)
		s.orig = append(s.orig, i)
	}
	s.orig = append(s.orig, len(src))
	return s
}

// pos returns the position of text[i].
func (s *source) pos(i int) lang.Pos {
	off := s.orig[i]
	lo, hi := 0, len(s.lines)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if s.lines[m] <= off {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lang.Pos{File: s.name, Line: lo + 1, Col: off - s.lines[lo] + 1, Offset: off}
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lex splits a file into preprocessing tokens. Comments become white
// space. An unterminated block comment is an error; other bad text becomes
// tBad tokens, which are reported only if they survive conditional
// compilation.
func lex(name string, src []byte, errs *lang.ErrorList) []token {
	s := newSource(name, src)
	text := s.text
	var toks []token
	bol, space := true, false
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == '\n':
			bol, space = true, false
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			space = true
			i++
			continue
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			space = true
			continue
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			start := i
			i += 2
			for i+1 < len(text) && !(text[i] == '*' && text[i+1] == '/') {
				i++
			}
			if i+1 >= len(text) {
				errs.Add(s.pos(start), "unterminated comment")
				toks = append(toks, token{kind: tBad, pos: s.pos(start), bol: bol})
				i = len(text)
				continue
			}
			i += 2
			space = true
			continue
		}
		start := i
		kind := tPunct
		bad := ""
		switch {
		case isIdentStart(c):
			kind = tIdent
			for i < len(text) && isIdentByte(text[i]) {
				i++
			}
			// A string or character prefix (L"", u8"", ...) is taken as
			// part of the literal, which then keeps its bytes.
			if i < len(text) && (text[i] == '\'' || text[i] == '"') {
				switch string(text[start:i]) {
				case "L", "u", "U", "u8":
					kind, bad = lexQuoted(text, &i)
				}
			}
		case isDigit(c) || c == '.' && i+1 < len(text) && isDigit(text[i+1]):
			kind = tNumber
			i++
			for i < len(text) {
				d := text[i]
				if (d == '+' || d == '-') && (text[i-1] == 'e' || text[i-1] == 'E' || text[i-1] == 'p' || text[i-1] == 'P') {
					i++
					continue
				}
				if !isIdentByte(d) && d != '.' {
					break
				}
				i++
			}
		case c == '\'' || c == '"':
			kind, bad = lexQuoted(text, &i)
		default:
			for _, p := range puncts {
				if len(p) <= len(text)-i && string(text[i:i+len(p)]) == p {
					i += len(p)
					break
				}
			}
			if i == start {
				i++
				kind = tBad
				bad = "unexpected character " + quoteByte(c)
			}
		}
		t := token{kind: kind, text: string(text[start:i]), pos: s.pos(start), bol: bol, space: space}
		if kind == tBad {
			t.text = bad
		}
		toks = append(toks, t)
		bol, space = false, false
	}
	return toks
}

// lexQuoted reads a character or string literal starting at text[*i]
// (after any prefix), up to its closing quote on the same line.
func lexQuoted(text []byte, i *int) (tokKind, string) {
	q := text[*i]
	j := *i + 1
	for j < len(text) && text[j] != q && text[j] != '\n' {
		if text[j] == '\\' && j+1 < len(text) && text[j+1] != '\n' {
			j++
		}
		j++
	}
	if j >= len(text) || text[j] != q {
		*i = j
		if q == '"' {
			return tBad, "missing terminating '\"' character"
		}
		return tBad, "missing terminating ' character"
	}
	*i = j + 1
	if q == '"' {
		return tString, ""
	}
	return tChar, ""
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "'\\x" + string([]byte{hex[c>>4], hex[c&15]}) + "'"
}
