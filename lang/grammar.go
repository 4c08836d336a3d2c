package lang

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// fileParser reads the items of a script with participle's grammar of
// the structs below: imports, config, map declarations, macros, C
// definitions, enums and probes. It is built the first time a script is
// parsed (building it takes under a millisecond, which the commands that
// parse nothing need not pay).
var fileParser = sync.OnceValue(func() *participle.Parser[gFile] { return newFileParser(scriptLexDef) })

// newFileParser builds the grammar over the tokens of lex. Every item is
// told by its first token, and the grammar is read with no lookahead
// (UseLookahead(0)): an alternative that has taken a token is the one,
// and an error in it is reported where it is, not after the parser
// has gone back to try the others. The two places where a choice needs
// more than the next token look further ahead explicitly ((?= ...)): a
// struct member that defines a struct in place, and a trailing comma in
// an enum. The bodies of probes and macros (gBlock) and the expressions
// the items hold (gExpr) are participle.Parseable nodes: the
// hand-written parser of parser.go reads them.
func newFileParser(lex lexer.Definition) *participle.Parser[gFile] {
	return newRuleParser[gFile](lex)
}

// The C definitions of a script (structs, unions and enums) are read by
// grammars of their own, built the first time a script defines one: they
// are most of the grammar, and building them is most of the time
// participle takes to build it, which a script that defines no type (as
// most do not) need not pay. gCDef and gEnumDef are participle.Parseable
// nodes of the file's grammar that read their definition with these
// grammars, over the same lexer, from where the file's grammar is.
var (
	cdefParser = sync.OnceValue(func() *participle.Parser[gCDefRule] { return newRuleParser[gCDefRule](scriptLexDef) })
	enumParser = sync.OnceValue(func() *participle.Parser[gEnumRule] { return newRuleParser[gEnumRule](scriptLexDef) })
)

// newRuleParser builds the grammar of G over the tokens of lex, with
// the options newFileParser tells of.
func newRuleParser[G any](lex lexer.Definition) *participle.Parser[G] {
	return participle.MustBuild[G](
		participle.Lexer(lex),
		participle.Elide(elided...),
		participle.UseLookahead(0),
	)
}

// Parse reads a struct or union definition for the file's grammar
// (participle.Parseable).
func (g *gCDef) Parse(lex *lexer.PeekingLexer) error {
	if t := lex.Peek(); t.Value != "struct" && t.Value != "union" {
		return participle.NextMatch
	}
	r, err := cdefParser().ParseFromLexer(lex, participle.AllowTrailing(true))
	if err != nil {
		return err
	}
	*g = gCDef(*r)
	return nil
}

// Parse reads an enum definition after its 'enum' for the file's
// grammar (participle.Parseable).
func (g *gEnumDef) Parse(lex *lexer.PeekingLexer) error {
	r, err := enumParser().ParseFromLexer(lex, participle.AllowTrailing(true))
	if err != nil {
		return err
	}
	*g = gEnumDef(*r)
	return nil
}

// The parse tree. Names start with g to keep them apart from the AST they
// are converted to (parse.go). The structs with grammar tags are read by
// participle; the others are made by parser.go.

type gFile struct {
	Items []*gTop `parser:"@@*"`
}

// gTop is one top-level item of a script.
type gTop struct {
	Pos     lexer.Position
	Preproc string    `parser:"( @Preproc"`
	Import  *string   `parser:"| 'import' @String ';'?"`
	Config  *gConfig  `parser:"| 'config' @@"`
	Let     *gMapDecl `parser:"| 'let' @@"`
	Macro   *gMacro   `parser:"| 'macro' @@"`
	CDef    *gCDef    `parser:"| @@"`
	Enum    *gEnumDef `parser:"| 'enum' @@"`
	Probe   *gProbe   `parser:"| @@ )"`
}

// gConfig is `config = { key = value; ... }`.
type gConfig struct {
	Items []*gConfigItem `parser:"'=' '{' ';'* ( @@ ';'* )* '}' ';'?"`
}

type gConfigItem struct {
	Pos   lexer.Position
	Key   string `parser:"@Ident '='"`
	Value *gExpr `parser:"@@"`
}

// gMacro is `macro name(params) { body }`. Parameters are $variables,
// @maps or bare names.
type gMacro struct {
	Pos    lexer.Position
	Name   string    `parser:"@Ident"`
	Params []*gParam `parser:"( '(' ( @@ ( ',' @@ )* )? ')' )?"` // macro name { } takes none
	Body   *gBlock   `parser:"@@"`
}

type gParam struct {
	Pos  lexer.Position
	Name string `parser:"@(Var | Map | Ident)"`
}

// gCDef is an inline struct or union definition, with attributes after
// the tag (`struct __attribute__((packed)) s { ... }`) or after the
// closing brace. Its grammar is gCDefRule's.
type gCDef gCDefRule

type gCDefRule struct {
	Pos      lexer.Position
	Tag      string      `parser:"@('struct' | 'union')"`
	PreAttrs []*gCAttr   `parser:"@@*"`
	Name     string      `parser:"@(Ident | TypeKw)"`
	Members  []*gCMember `parser:"'{' @@* '}'"`
	Attrs    []*gCAttr   `parser:"@@* ';'?"`
}

// gCAttr is `__attribute__((packed))`, `__attribute__((aligned(8)))`, ...
// of a struct definition.
type gCAttr struct {
	Items []*gCAttrItem `parser:"'__attribute__' '(' '(' @@ ( ',' @@ )* ')' ')'"`
}

type gCAttrItem struct {
	Name string `parser:"@Ident"`
	Arg  string `parser:"( '(' @Int ')' )?"`
}

// gCMember is a member declaration, or a struct or union defined in
// place (named or not) with the members that have its type; the last
// member's ';' may be left out. A nested definition is told from a
// member of a struct type (`struct s *p;`) by the '{' after the tag.
type gCMember struct {
	Pos    lexer.Position
	Nested *gCNested `parser:"( (?= ('struct' | 'union') ( '__attribute__' '(' '(' Ident ( '(' Int ')' )? ( ',' Ident ( '(' Int ')' )? )* ')' ')' )* ( Ident | TypeKw )? '{' ) @@"`
	Tokens []string  `parser:"| @(Ident | TypeKw | Keyword | Int | '*' | '[' | ']' | ':' | ',')+ ) ';'?"`
}

type gCNested struct {
	Pos      lexer.Position
	Tag      string      `parser:"@('struct' | 'union')"`
	PreAttrs []*gCAttr   `parser:"@@*"`
	Name     string      `parser:"@(Ident | TypeKw)?"`
	Members  []*gCMember `parser:"'{' @@* '}'"`
	Attrs    []*gCAttr   `parser:"@@*"`
	Decl     []string    `parser:"@(Ident | TypeKw | Keyword | Int | '*' | '[' | ']' | ':' | ',')*"`
}

// gEnumDef is `enum name { A, B = 5, };`. Its grammar is gEnumRule's.
type gEnumDef gEnumRule

type gEnumRule struct {
	Pos   lexer.Position
	Name  string       `parser:"@Ident?"` // anonymous: its enumerators are just names
	Items []*gEnumItem `parser:"'{' @@ ( (?= ',' Ident) ',' @@ )* ','? '}' ';'?"`
}

type gEnumItem struct {
	Pos   lexer.Position
	Name  string `parser:"@Ident"`
	Neg   bool   `parser:"( '=' @'-'?"`
	Value string `parser:"  @Int )?"`
}

// gMapDecl is `let @m = hash(N);`.
type gMapDecl struct {
	Pos  lexer.Position
	Name string `parser:"@Map '='"`
	Kind string `parser:"@Ident '('"`
	Size *gExpr `parser:"@@? ')' ';'?"`
}

type gProbe struct {
	Pos   lexer.Position
	Specs []*gSpec `parser:"@@ ( ',' @@ )*"`
	Pred  *gExpr   `parser:"( '/' @@ '/' )?"`
	Body  *gBlock  `parser:"@@"`
}

type gSpec struct {
	Pos lexer.Position
	Raw string `parser:"@Spec"`
}

// Statements and expressions, made by parser.go. The comments give each
// production as a grammar would; braces are the hand-written parser's.

// gpos is a token's position: its line, its column (in runes, from 1)
// and its byte offset.
type gpos struct{ Line, Col, Offset int32 }

// tokenEnd is the position just past a token that starts at p and is
// spelled v.
func tokenEnd(p gpos, v string) gpos {
	for _, r := range v {
		p.Offset += int32(utf8.RuneLen(r))
		if r == '\n' {
			p.Line++
			p.Col = 1
			continue
		}
		p.Col++
	}
	return p
}

// gBlock is '{' ';'* gItem* '}'.
type gBlock struct {
	Pos   gpos
	Items []*gItem
	// body is the body token the file's grammar read, until parseBodies
	// parses it
	body *lexer.Token
}

// gItem is a statement and the semicolons after it:
// ( 'if' gIf | 'while' gWhile | 'unroll' gUnroll | 'for' gFor | 'let' gLet
// | gBlock | 'break' | 'continue' | 'return' | gSimple ) ';'*.
type gItem struct {
	Pos    gpos
	If     *gIf
	While  *gWhile
	Unroll *gUnroll
	For    *gFor
	Let    *gLet
	Block  *gBlock
	Jump   string
	Ret    *gExpr // return's value
	Simple *gSimple
	Semis  int // the number of ';' after it
}

// gLet is `let $x [: type] [= value]`.
type gLet struct {
	Var   *gVar
	Type  *gLetType
	Value *gExpr
}

// gLetType is a declared variable type: typeof(...), a cast type name,
// or a word such as string, with an optional array length [N].
type gLetType struct {
	TypeOf *gArg
	Name   *gTypeName
	Word   string
	Len    *string
}

func (t *gLetType) String() string {
	if t.TypeOf != nil {
		return "typeof"
	}
	s := t.Word
	if t.Name != nil {
		s = t.Name.String()
	}
	if t.Len != nil {
		s += "[" + *t.Len + "]"
	}
	return s
}

// gIf is cond gBlock ( 'else' ( 'if' gIf | gBlock ) )?; Pos is the
// condition's.
type gIf struct {
	Pos    gpos
	Cond   *gExpr
	Then   *gBlock
	ElseIf *gIf
	Else   *gBlock
}

type gWhile struct {
	Cond *gExpr
	Body *gBlock
}

// gUnroll is '(' count ')' gBlock.
type gUnroll struct {
	Count *gExpr
	Body  *gBlock
}

// gFor is `for ($v : @m)` or `for ($v : a..b)`; the parentheses may be
// left out, as with if. Pos is the token after `for`.
type gFor struct {
	Pos   gpos
	Open  bool
	Var   *gVar
	Map   *gMap
	Lo    *gExpr
	Hi    *gExpr
	Close bool
	Body  *gBlock
}

type gVar struct {
	Pos  gpos
	Name string
}

// gSimple is an expression, or an assignment to one.
type gSimple struct {
	X      *gExpr
	Assign *gAssign
}

type gAssign struct {
	Pos gpos
	End gpos   // past the value
	Op  string // = += -= *= /= %= &= |= ^= <<= >>=
	Y   *gExpr
}

// gExpr is the ternary level: cond ? a : b, and a ?: b.
type gExpr struct {
	Pos  gpos
	End  gpos // past its last token
	Cond gOperand
	Tail *gTern
}

type gTern struct {
	Then *gExpr // nil in a ?: b
	Else *gExpr
}

// gOperand is an operand of a binary operator: a *gBinary or a *gUnary.
type gOperand interface{ operand() }

// gBinary is a chain of operators of one precedence level, left to
// right: X op Y op Y ...; the operands are of higher levels.
type gBinary struct {
	X    gOperand
	Rest []*gBinOp
}

type gBinOp struct {
	Pos gpos
	End gpos // past Y
	Op  string
	Y   gOperand
}

func (*gBinary) operand() {}
func (*gUnary) operand()  {}

// gUnary is a prefix operator and its operand, a cast, or a primary and
// its postfix operators.
type gUnary struct {
	Pos  gpos
	End  gpos   // past its last token
	Op   string // - + ! ~ * & ++ --
	X    *gUnary
	Cast *gCast
	Prim *gPrimary
	Ops  []*gPostOp
}

// gCast is '(' type ')' operand. The type is typeof(...), a type name,
// or Bare, a name alone: (t)x, a macro parameter holding a type (or a
// type's name).
type gCast struct {
	TypeOf *gArg
	Type   *gTypeName
	Bare   string
	Arr    *gArrLen
	X      *gUnary
}

// gArrLen is the [N] or [] of a cast to an array: (uint8[4])x.
type gArrLen struct {
	N *string
}

// gTypeName is a type as written in a cast: uint32, struct task_struct *.
// Named is a name followed by '*': a macro parameter that holds a type, as
// in macro m(t) { (t *)0 }.
type gTypeName struct {
	Tag   string
	Name  string
	Base  string
	Named string
	Stars []string
}

func (t *gTypeName) String() string {
	var b strings.Builder
	switch {
	case t.Tag != "":
		b.WriteString(t.Tag + " " + t.Name)
	case t.Named != "":
		b.WriteString(t.Named)
	default:
		b.WriteString(t.Base)
	}
	if len(t.Stars) > 0 {
		b.WriteString(" " + strings.Join(t.Stars, ""))
	}
	return b.String()
}

// gPostOp is .name, ->name, [index], ++ or --.
type gPostOp struct {
	Pos   gpos
	End   gpos   // past the operator's last token
	Op    string // ".", "->", "[", "++" or "--"
	Name  string // after . and ->
	Index *gExpr
}

// gPrimary is a literal, a name, a call, a map, a parenthesis or a block.
type gPrimary struct {
	Pos   gpos
	End   gpos // past its last token
	Kind  primKind
	Text  string // the token of a literal, a variable or a name
	Call  *gCall
	Map   *gMap
	Paren *gParen
	Block *gBlock
	If    *gIf // if used as a value: if (c) { a } else { b }
}

type primKind uint8

const (
	primInt primKind = iota + 1
	primString
	primBool
	primCall
	primMap
	primVar
	primParam
	primIdent
	primParen
	primBlock
	primIf
)

// gCall is f(args), or name!(args), a spelling of macro calls.
type gCall struct {
	EndPos gpos // after the closing parenthesis
	Fun    string
	Bang   bool
	Args   []*gArg
}

// gArg is a call argument: an expression, or a type (sizeof(struct x)).
type gArg struct {
	Pos  gpos
	End  gpos
	Type *gTypeName
	X    *gExpr
}

type gMap struct {
	Pos  gpos
	End  gpos
	Name string
	Keys []*gExpr
}

// gParen is a parenthesized expression or a tuple.
type gParen struct {
	Elems []*gElem
}

// gElem is a tuple element, named in a record: (a = 1, b = "x").
type gElem struct {
	Name string
	X    *gExpr
}
