package lang

//go:generate go run genlexer.go

import (
	"io"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer is lexer_gen.go, the code participle's generator writes from
// the rules of internal/lexdef (see genlexer.go). The generated matcher
// has two flaws at the very end of its input: a pattern's "any character
// but newline" ([^\n] in comments and preprocessor lines, and the
// character after a backslash in a string) does not match the input's
// last byte, and reads past the end when a string's last byte is a
// backslash. scriptLexer therefore gives it the text with one newline
// more, which no token but white space can take, and takes that newline
// out of what it returns: the tokens, their positions and the position of
// the end are those of the text as written.

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
	tokOp      = tokSymbols["Op"]     // an operator inside braces
	tokNestOp  = tokSymbols["NestOp"] // an operator inside a predicate's parentheses
)

// elided are the token types the parser never sees.
var elided = []string{"Comment", "Whitespace", "Shebang"}

// lexDef is the lexer.Definition of scripts (start "Root") or of a lone
// expression (start "Body", the inside of a block, where a '}' that
// closes nothing is a token like any other). With skipElided, the
// lexers leave out the comments and white space the parser never looks
// at (participle would keep them all in its token list).
type lexDef struct {
	start      string
	skipElided bool
}

var (
	scriptLexDef = lexDef{start: "Root", skipElided: true}
	exprLexDef   = lexDef{start: "Body", skipElided: true}
)

func (lexDef) Symbols() map[string]lexer.TokenType { return scriptLexer.Symbols() }

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
	return &padLexer{
		gen: &lexerscriptImpl{
			s:      s + "\n",
			pos:    lexer.Position{Filename: filename, Line: 1, Column: 1},
			states: []lexerscriptState{{name: d.start}},
		},
		end:   len(s),
		start: d.start,
		skip:  d.skipElided,
	}, nil
}

// padLexer runs the generated lexer over the text and a newline (see
// above) and returns the tokens of the text.
type padLexer struct {
	gen   *lexerscriptImpl
	end   int    // the length of the text
	start string // the state at the bottom of the stack
	skip  bool   // leave out comments and white space
	eof   *lexer.Token
}

func (l *padLexer) Next() (lexer.Token, error) {
	for {
		t, err := l.next()
		if err != nil || !l.skip || t.Type != tokComment && t.Type != tokSpace && t.Type != tokShebang {
			return t, err
		}
	}
}

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
