package lang

//go:generate go run genlexer.go

import (
	"io"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer is lexer_gen.go, the code participle's generator writes from
// the rules of internal/lexdef (see genlexer.go). The generated matcher
// has two flaws at the very end of its input: a pattern's "any character
// but newline" ([^\n] in comments and preprocessor lines, and the
// character after a backslash in a string) does not match the input's
// last byte, and reads past the end when a string's last byte is a
// backslash. padLexer therefore gives it the text with one newline more,
// which no token but white space can take, and takes that newline out of
// what it returns: the tokens, their positions and the position of the
// end are those of the text as written. padLexer also makes the generated
// lexer's state itself (lexerscriptImpl), to start it in another state
// than Root or at a position inside a script.
//
// The generated scriptBackRefCache is a process-wide sync.Map on purpose:
// it caches compiled regular expressions of the lexer's rules (a fact of
// the grammar, the same for every script), not data of one script, so no
// pass hands anything to another through it.

// Token types of the generated lexer.
var (
	tokSymbols = scriptLexer.Symbols()
	tokEOF     = lexer.EOF
	tokComment = tokSymbols["Comment"]
	tokSpace   = tokSymbols["Whitespace"]
	tokShebang = tokSymbols["Shebang"]
	tokKeyword = tokSymbols["Keyword"]
	tokTypeKw  = tokSymbols["TypeKw"]
	tokIdent   = tokSymbols["Ident"]
	tokPosPar  = tokSymbols["PosParam"]
	tokVar     = tokSymbols["Var"]
	tokMap     = tokSymbols["Map"]
	tokInt     = tokSymbols["Int"]
	tokString  = tokSymbols["String"]
	tokLBrace  = tokSymbols["LBrace"]
	tokRBrace  = tokSymbols["RBrace"]
	tokSpec    = tokSymbols["Spec"]
	tokSlash   = tokSymbols["Slash"]  // the '/' that opens or closes a predicate
	tokOp      = tokSymbols["Op"]     // an operator inside braces
	tokNestOp  = tokSymbols["NestOp"] // an operator inside a predicate's parentheses
)

// elided are the token types the parser never sees.
var elided = []string{"Comment", "Whitespace", "Shebang"}

// lexDef is the lexer.Definition of scripts (start "Root") or of a lone
// expression (start "Body", the inside of a block, where a '}' that
// closes nothing is a token like any other). With skip, the lexer
// leaves out the comments and white space the parser never looks at;
// with bodies, it gives each probe's and macro's body as one token (see
// padLexer.Next).
type lexDef struct {
	start  string
	skip   bool
	bodies bool
}

var (
	scriptLexDef = lexDef{start: "Root", skip: true, bodies: true}
	exprLexDef   = lexDef{start: "Body", skip: true}
)

// tokBody is the type of a body token.
var tokBody = func() lexer.TokenType {
	t := lexer.EOF
	for _, n := range tokSymbols {
		t = min(t, n)
	}
	return t - 1
}()

// Symbols names the token types. participle asks for them at every
// token its grammar names while it builds the parser, so the map is made
// once (callers only read it).
func (lexDef) Symbols() map[string]lexer.TokenType { return lexSymbols() }

var lexSymbols = sync.OnceValue(func() map[string]lexer.TokenType {
	syms := scriptLexer.Symbols()
	syms["Body"] = tokBody
	return syms
})

func (d lexDef) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	var b strings.Builder
	if _, err := io.Copy(&b, r); err != nil {
		return nil, err
	}
	return d.LexString(filename, b.String())
}

func (d lexDef) LexBytes(filename string, b []byte) (lexer.Lexer, error) {
	return d.LexString(filename, string(b))
}

func (d lexDef) LexString(filename string, s string) (lexer.Lexer, error) {
	return d.lexAt(s, lexer.Position{Filename: filename, Line: 1, Column: 1}), nil
}

// lexAt lexes text that begins at pos.
func (d lexDef) lexAt(text string, pos lexer.Position) *padLexer {
	return &padLexer{
		gen: &lexerscriptImpl{
			s:      text + "\n",
			pos:    pos,
			states: []lexerscriptState{{name: d.start}},
		},
		base:   pos.Offset,
		end:    pos.Offset + len(text),
		start:  d.start,
		skip:   d.skip,
		bodies: d.bodies,
	}
}

// padLexer runs the generated lexer over the text and a newline (see
// above) and returns the tokens of the text.
type padLexer struct {
	gen   *lexerscriptImpl
	base  int    // the offset of the text's first byte
	end   int    // the offset after its last
	start string // the state at the bottom of the stack
	skip  bool   // leave out comments and white space
	eof   *lexer.Token

	// bodies: give the bodies of probes and macros as body tokens
	bodies bool
	prev   lexer.TokenType // of the last token returned
	macro  bool            // between `macro` and the body's '{'
}

// A body token is the text of a probe's or a macro's body, from its '{'
// to its '}', which gBlock.Parse lexes and parses. The bodies are most
// of a script: this way participle's token list, which it grows token by
// token, holds only the rest. A body whose text could fail to lex, or
// that does not end, is lexed here as it is, token by token, so that
// lexical errors are found before parsing begins, as they are without
// body tokens.
func (l *padLexer) Next() (lexer.Token, error) {
	for {
		t, err := l.next()
		if err != nil {
			return t, err
		}
		if l.skip && (t.Type == tokComment || t.Type == tokSpace || t.Type == tokShebang) {
			continue
		}
		if l.bodies {
			t = l.body(t)
		}
		return t, nil
	}
}

// body returns t, or the body token t begins.
func (l *padLexer) body(t lexer.Token) lexer.Token {
	prev := l.prev
	l.prev = t.Type
	switch {
	case t.Type == tokIdent && t.Value == "macro" && len(l.gen.states) == 1:
		l.macro = true
		return t
	case t.Type != tokLBrace || len(l.gen.states) != 2:
		return t
	}
	// a '{' that opens a block at the top level: a body after an attach
	// point, after a predicate's closing '/', or in a macro definition
	macro := l.macro
	l.macro = false
	if !macro && prev != tokSpec && prev != tokSlash {
		return t
	}
	g := l.gen
	open := t.Pos.Offset - l.base
	end, ok := bodyEnd(g.s, open)
	if !ok {
		return t
	}
	text := g.s[open:end]
	g.p = end
	g.pos = t.Pos
	g.pos.Advance(text)
	g.states = g.states[:1]
	l.prev = tokBody
	return lexer.Token{Type: tokBody, Value: text, Pos: t.Pos}
}

// bodyEnd is the end of the block that begins with the '{' at s[i],
// after the '}' that closes it, when the lexer reads the block without
// error; ok is false for a block that does not end or may not lex. It
// reads as the lexer does in the state of a block (lexdef.Rules, Body):
// strings and comments, in which braces do not count, and the first
// characters of the other tokens.
func bodyEnd(s string, i int) (end int, ok bool) {
	depth := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case c == '"':
			// "(?:\\.|[^"\\])*"
			for i++; ; i++ {
				if i >= len(s) {
					return 0, false
				}
				if s[i] == '"' {
					break
				}
				if s[i] == '\\' {
					if i+1 >= len(s) || s[i+1] == '\n' {
						return 0, false
					}
					i++
				}
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			// //[^\n]*
			n := strings.IndexByte(s[i:], '\n')
			if n < 0 {
				return 0, false
			}
			i += n
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			// /\*(?:[^*]|\*+[^*/])*\*+/, which ends at the first */
			n := strings.Index(s[i+2:], "*/")
			if n < 0 {
				return 0, false
			}
			i += 2 + n + 1
		case c == '$':
			// a positional parameter ($1, $#) or a variable
			if i+1 >= len(s) || !(isDigit(s[i+1]) || isWordStart(s[i+1]) || s[i+1] == '#') {
				return 0, false
			}
			i++
		case !bodyByte[c]:
			return 0, false
		}
		i++
	}
	return 0, false
}

// bodyByte are the bytes that begin a token of a block, or continue one
// without a rule of their own: letters, digits and '_' (words and
// numbers), white space, '@' (a map) and the operators' characters.
var bodyByte = func() (b [256]bool) {
	for _, c := range []byte("_ \t\r\n@+-*/%&|^!~<>=?:.,;()[]") {
		b[c] = true
	}
	for c := 0; c < 256; c++ {
		b[c] = b[c] || isDigit(byte(c)) || isWordStart(byte(c))
	}
	return b
}()

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isWordStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

func (l *padLexer) next() (lexer.Token, error) {
	if l.eof != nil {
		return *l.eof, nil
	}
	if len(l.gen.states) == 0 {
		// a '}' closed the block a lone expression is lexed as
		l.gen.states = append(l.gen.states, lexerscriptState{name: l.start})
	}
	t, err := l.gen.Next()
	if err != nil {
		if perr, ok := err.(participle.Error); ok {
			return lexer.Token{}, &lexer.Error{Msg: "lexer: " + perr.Message(), Pos: perr.Position()}
		}
		return lexer.Token{}, err
	}
	if t.EOF() || t.Pos.Offset >= l.end {
		eof := lexer.EOFToken(t.Pos)
		l.eof = &eof
		return eof, nil
	}
	if over := t.Pos.Offset + len(t.Value) - l.end; over > 0 {
		// white space that runs into the added newline
		t.Value = t.Value[:len(t.Value)-over]
		pos := t.Pos
		pos.Advance(t.Value)
		eof := lexer.EOFToken(pos)
		l.eof = &eof
	}
	return t, nil
}

// tokens lexes text that begins at pos (in the start state of d) into
// toks, a list that ends with the EOF token.
func (d lexDef) tokens(toks []token, text string, pos lexer.Position) ([]token, error) {
	d.bodies = false
	l := d.lexAt(text, pos)
	if n := len(text)/2 + 4; cap(toks) < n {
		// most scripts have fewer tokens than half their bytes
		toks = make([]token, 0, n)
	}
	for {
		t, err := l.Next()
		if err != nil {
			return toks, err
		}
		if len(toks) == cap(toks) {
			// grow by doubling: append would grow a long list by a
			// quarter at a time, copying it over and over
			toks = append(make([]token, 0, 2*cap(toks)), toks...)
		}
		toks = append(toks, compact(&t))
		if t.EOF() {
			return toks, nil
		}
	}
}
