package lang

import (
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

var (
	parser = participle.MustBuild[gFile](
		participle.Lexer(scriptLexDef),
		participle.Elide("Comment", "Whitespace", "Shebang"),
		participle.UseLookahead(participle.MaxLookahead),
	)
	// exprParser is built the first time it is needed (a #define, the
	// REPL): building a parser takes milliseconds every start would pay.
	exprParser = sync.OnceValue(func() *participle.Parser[gExpr] {
		return participle.MustBuild[gExpr](
			participle.Lexer(exprLexDef),
			participle.Elide("Comment", "Whitespace"),
			participle.UseLookahead(participle.MaxLookahead),
		)
	})
)

// The participle grammar. Names start with g to keep them apart from the
// AST they are converted to.

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
// closing brace.
type gCDef struct {
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
// member's ';' may be left out.
type gCMember struct {
	Pos    lexer.Position
	Nested *gCNested `parser:"( @@"`
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

// gEnumDef is `enum name { A, B = 5, };`.
type gEnumDef struct {
	Pos   lexer.Position
	Name  string       `parser:"@Ident?"` // anonymous: its enumerators are just names
	Items []*gEnumItem `parser:"'{' @@ ( ',' @@ )* ','? '}' ';'?"`
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

type gBlock struct {
	Pos   lexer.Position
	Items []*gItem `parser:"'{' ';'* @@* '}'"`
}

type gItem struct {
	Pos    lexer.Position
	If     *gIf     `parser:"( 'if' @@"`
	While  *gWhile  `parser:"| 'while' @@"`
	Unroll *gUnroll `parser:"| 'unroll' @@"`
	For    *gFor    `parser:"| 'for' @@"`
	Let    *gLet    `parser:"| 'let' @@"`
	Block  *gBlock  `parser:"| @@"`
	Jump   string   `parser:"| @('break' | 'continue' | 'return')"`
	Simple *gSimple `parser:"| @@ )"`
	Semis  []string `parser:"@';'*"`
}

// gLet is `let $x [: type] [= value]`.
type gLet struct {
	Var   *gVar     `parser:"@@"`
	Type  *gLetType `parser:"( ':' @@ )?"`
	Value *gExpr    `parser:"( '=' @@ )?"`
}

// gLetType is a declared variable type: a cast type name, or a word such
// as string, with an optional array length.
type gLetType struct {
	TypeOf *gArg      `parser:"( 'typeof' '(' @@ ')'"`
	Name   *gTypeName `parser:"| @@"`
	Word   string     `parser:"| @Ident )"`
	Len    *string    `parser:"( '[' @Int ']' )?"`
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

type gIf struct {
	Pos    lexer.Position
	Cond   *gExpr  `parser:"@@"`
	Then   *gBlock `parser:"@@"`
	ElseIf *gIf    `parser:"( 'else' ( 'if' @@"`
	Else   *gBlock `parser:"| @@ ) )?"`
}

type gWhile struct {
	Cond *gExpr  `parser:"@@"`
	Body *gBlock `parser:"@@"`
}

type gUnroll struct {
	Count *gExpr  `parser:"'(' @@ ')'"`
	Body  *gBlock `parser:"@@"`
}

// gFor is `for ($v : @m)` or `for ($v : a..b)`; the parentheses may be
// left out, as with if.
type gFor struct {
	Pos   lexer.Position
	Open  bool    `parser:"@'('?"`
	Var   *gVar   `parser:"@@ ':'"`
	Map   *gMap   `parser:"( @@"`
	Lo    *gExpr  `parser:"| @@"`
	Hi    *gExpr  `parser:"'..' @@ )"`
	Close bool    `parser:"@')'?"`
	Body  *gBlock `parser:"@@"`
}

type gVar struct {
	Pos  lexer.Position
	Name string `parser:"@Var"`
}

type gSimple struct {
	X      *gExpr   `parser:"@@"`
	Assign *gAssign `parser:"@@?"`
}

type gAssign struct {
	Pos lexer.Position
	Op  string `parser:"@('=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=')"`
	Y   *gExpr `parser:"@@"`
}

// gExpr is the ternary level: cond ? a : b, and a ?: b.
type gExpr struct {
	Pos  lexer.Position
	Cond *gLogOr `parser:"@@"`
	Tail *gTern  `parser:"@@?"`
}

type gTern struct {
	Then *gExpr `parser:"'?' @@?"`
	Else *gExpr `parser:"':' @@"`
}

// binaryNode is one level of the binary operator ladder, from || down to
// the multiplicative operators; gUnary ends it.
type binaryNode interface {
	head() binaryNode
	rest() []binaryTail
}

type binaryTail interface {
	parts() (op string, pos lexer.Position, y binaryNode)
}

type gLogOr struct {
	X    *gLogAnd    `parser:"@@"`
	Rest []*gLogOrOp `parser:"@@*"`
}
type gLogOrOp struct {
	Pos lexer.Position
	Op  string   `parser:"@'||'"`
	Y   *gLogAnd `parser:"@@"`
}

type gLogAnd struct {
	X    *gBitOr      `parser:"@@"`
	Rest []*gLogAndOp `parser:"@@*"`
}
type gLogAndOp struct {
	Pos lexer.Position
	Op  string  `parser:"@'&&'"`
	Y   *gBitOr `parser:"@@"`
}

type gBitOr struct {
	X    *gBitXor    `parser:"@@"`
	Rest []*gBitOrOp `parser:"@@*"`
}
type gBitOrOp struct {
	Pos lexer.Position
	Op  string   `parser:"@'|'"`
	Y   *gBitXor `parser:"@@"`
}

type gBitXor struct {
	X    *gBitAnd     `parser:"@@"`
	Rest []*gBitXorOp `parser:"@@*"`
}
type gBitXorOp struct {
	Pos lexer.Position
	Op  string   `parser:"@'^'"`
	Y   *gBitAnd `parser:"@@"`
}

type gBitAnd struct {
	X    *gEquality   `parser:"@@"`
	Rest []*gBitAndOp `parser:"@@*"`
}
type gBitAndOp struct {
	Pos lexer.Position
	Op  string     `parser:"@'&'"`
	Y   *gEquality `parser:"@@"`
}

type gEquality struct {
	X    *gRelational   `parser:"@@"`
	Rest []*gEqualityOp `parser:"@@*"`
}
type gEqualityOp struct {
	Pos lexer.Position
	Op  string       `parser:"@('==' | '!=')"`
	Y   *gRelational `parser:"@@"`
}

type gRelational struct {
	X    *gShift          `parser:"@@"`
	Rest []*gRelationalOp `parser:"@@*"`
}
type gRelationalOp struct {
	Pos lexer.Position
	Op  string  `parser:"@('<=' | '>=' | '<' | '>')"`
	Y   *gShift `parser:"@@"`
}

type gShift struct {
	X    *gAdditive  `parser:"@@"`
	Rest []*gShiftOp `parser:"@@*"`
}
type gShiftOp struct {
	Pos lexer.Position
	Op  string     `parser:"@('<<' | '>>')"`
	Y   *gAdditive `parser:"@@"`
}

type gAdditive struct {
	X    *gMult         `parser:"@@"`
	Rest []*gAdditiveOp `parser:"@@*"`
}
type gAdditiveOp struct {
	Pos lexer.Position
	Op  string `parser:"@('+' | '-')"`
	Y   *gMult `parser:"@@"`
}

type gMult struct {
	X    *gUnary    `parser:"@@"`
	Rest []*gMultOp `parser:"@@*"`
}
type gMultOp struct {
	Pos lexer.Position
	Op  string  `parser:"@('*' | '%' | '/':Op | '/':NestOp)"`
	Y   *gUnary `parser:"@@"`
}

func (g *gLogOr) head() binaryNode      { return g.X }
func (g *gLogAnd) head() binaryNode     { return g.X }
func (g *gBitOr) head() binaryNode      { return g.X }
func (g *gBitXor) head() binaryNode     { return g.X }
func (g *gBitAnd) head() binaryNode     { return g.X }
func (g *gEquality) head() binaryNode   { return g.X }
func (g *gRelational) head() binaryNode { return g.X }
func (g *gShift) head() binaryNode      { return g.X }
func (g *gAdditive) head() binaryNode   { return g.X }
func (g *gMult) head() binaryNode       { return g.X }
func (g *gUnary) head() binaryNode      { return nil }

func (g *gLogOr) rest() []binaryTail      { return tails(g.Rest) }
func (g *gLogAnd) rest() []binaryTail     { return tails(g.Rest) }
func (g *gBitOr) rest() []binaryTail      { return tails(g.Rest) }
func (g *gBitXor) rest() []binaryTail     { return tails(g.Rest) }
func (g *gBitAnd) rest() []binaryTail     { return tails(g.Rest) }
func (g *gEquality) rest() []binaryTail   { return tails(g.Rest) }
func (g *gRelational) rest() []binaryTail { return tails(g.Rest) }
func (g *gShift) rest() []binaryTail      { return tails(g.Rest) }
func (g *gAdditive) rest() []binaryTail   { return tails(g.Rest) }
func (g *gMult) rest() []binaryTail       { return tails(g.Rest) }
func (g *gUnary) rest() []binaryTail      { return nil }

func tails[T binaryTail](ts []T) []binaryTail {
	out := make([]binaryTail, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

func (o *gLogOrOp) parts() (string, lexer.Position, binaryNode)      { return o.Op, o.Pos, o.Y }
func (o *gLogAndOp) parts() (string, lexer.Position, binaryNode)     { return o.Op, o.Pos, o.Y }
func (o *gBitOrOp) parts() (string, lexer.Position, binaryNode)      { return o.Op, o.Pos, o.Y }
func (o *gBitXorOp) parts() (string, lexer.Position, binaryNode)     { return o.Op, o.Pos, o.Y }
func (o *gBitAndOp) parts() (string, lexer.Position, binaryNode)     { return o.Op, o.Pos, o.Y }
func (o *gEqualityOp) parts() (string, lexer.Position, binaryNode)   { return o.Op, o.Pos, o.Y }
func (o *gRelationalOp) parts() (string, lexer.Position, binaryNode) { return o.Op, o.Pos, o.Y }
func (o *gShiftOp) parts() (string, lexer.Position, binaryNode)      { return o.Op, o.Pos, o.Y }
func (o *gAdditiveOp) parts() (string, lexer.Position, binaryNode)   { return o.Op, o.Pos, o.Y }
func (o *gMultOp) parts() (string, lexer.Position, binaryNode)       { return o.Op, o.Pos, o.Y }

type gUnary struct {
	Pos  lexer.Position
	Op   string    `parser:"( @('-' | '+' | '!' | '~' | '*' | '&' | '++' | '--')"`
	X    *gUnary   `parser:"@@"`
	Cast *gCast    `parser:"| @@"`
	Post *gPostfix `parser:"| @@ )"`
}

type gCast struct {
	TypeOf *gArg      `parser:"'(' ( 'typeof' '(' @@ ')'"`
	Type   *gTypeName `parser:"| @@"`
	// Bare is a name alone, (t)x: a macro parameter holding a type (or a
	// type's name), when what follows can only start an operand.
	Bare string   `parser:"| @Ident (?= ')' (Int | String | Var | Map | PosParam | Ident | TypeKw | '(' | '!' | '~' | 'true' | 'false')) )"`
	Arr  *gArrLen `parser:"@@? ')'"`
	X    *gUnary  `parser:"@@"`
}

// gArrLen is the [N] or [] of a cast to an array: (uint8[4])x.
type gArrLen struct {
	N *string `parser:"'[' @Int? ']'"`
}

// gTypeName is a type as written in a cast: uint32, struct task_struct *.
type gTypeName struct {
	Tag  string `parser:"( @('struct' | 'union' | 'enum')"`
	Name string `parser:"@(Ident | TypeKw)"`
	Base string `parser:"| @TypeKw"`
	// Named is a name followed by '*': a macro parameter that holds a
	// type, as in macro m(t) { (t *)0 }.
	Named string   `parser:"| @Ident (?= '*') )"`
	Stars []string `parser:"@'*'*"`
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

type gPostfix struct {
	X   *gPrimary  `parser:"@@"`
	Ops []*gPostOp `parser:"@@*"`
}

type gPostOp struct {
	Pos   lexer.Position
	Dot   string `parser:"( '.' @(Ident | Int | TypeKw | Keyword)"`
	Arrow string `parser:"| '->' @(Ident | TypeKw | Keyword)"`
	Index *gExpr `parser:"| '[' @@ ']'"`
	Incr  string `parser:"| @('++' | '--') )"`
}

type gPrimary struct {
	Pos   lexer.Position
	Int   *string `parser:"( @Int"`
	Str   *string `parser:"| @String"`
	Bool  string  `parser:"| @('true' | 'false')"`
	Call  *gCall  `parser:"| @@"`
	Map   *gMap   `parser:"| @@"`
	Var   string  `parser:"| @Var"`
	Param string  `parser:"| @PosParam"`
	Ident string  `parser:"| @Ident"`
	Paren *gParen `parser:"| @@"`
	Block *gBlock `parser:"| @@ )"`
}

// gCall is f(args), or name!(args), a spelling of macro calls.
type gCall struct {
	EndPos lexer.Position // after the closing parenthesis
	Fun    string         `parser:"@Ident"`
	Bang   bool           `parser:"@'!'? '('"`
	Args   []*gArg        `parser:"( @@ ( ',' @@ )* )? ')'"`
}

// gArg is a call argument: an expression, or a type (sizeof(struct x)).
type gArg struct {
	Pos  lexer.Position
	Type *gTypeName `parser:"( @@ (?= ',' | ')')"`
	X    *gExpr     `parser:"| @@ )"`
}

type gMap struct {
	Pos  lexer.Position
	Name string   `parser:"@Map"`
	Keys []*gExpr `parser:"( '[' @@ ( ',' @@ )* ']' )?"`
}

type gParen struct {
	Elems []*gElem `parser:"'(' @@ ( ',' @@ )* ')'"`
}

// gElem is a tuple element, named in a record: (a = 1, b = "x").
type gElem struct {
	Name string `parser:"( @Ident '=' (?! '=') )?"`
	X    *gExpr `parser:"@@"`
}
