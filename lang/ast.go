package lang

import "fmt"

// Pos is a position in a script: the file name as the user knows it
// ("stdin" for -e programs), a 1-based line and column, and the byte
// offset; for a node, also where it ends: the line and the column just
// past its last character (EndLine 0 when unknown). A position inside a
// macro's body also names the call the body was expanded for (From), so
// that a diagnostic there can say where the macro was used.
type Pos struct {
	File    string
	Line    int
	Col     int
	Offset  int
	EndLine int
	EndCol  int
	From    *Pos // the macro call this text was expanded for; nil outside macros
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Range is the position as diagnostics name it: file:line:col-endcol,
// or file:line-endline for a range over several lines, or file:line:col
// when the end is unknown.
func (p Pos) Range() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.EndLine == 0:
		return p.String()
	case p.EndLine != p.Line:
		return fmt.Sprintf("%s:%d-%d", p.File, p.Line, p.EndLine)
	}
	return fmt.Sprintf("%s:%d:%d-%d", p.File, p.Line, p.Col, p.EndCol)
}

// Through is p extended to end where q ends.
func (p Pos) Through(q Pos) Pos {
	if q.EndLine > 0 {
		p.EndLine, p.EndCol = q.EndLine, q.EndCol
	}
	return p
}

// IsValid reports whether the position names a place in a source.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Node is any syntax tree node. Every node knows where it starts.
type Node interface {
	Pos() Pos
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
	numbered() *Numbered
}

// ExprNum numbers an expression of a parsed file: from 1, in the order a
// walk of the file (Inspect) meets them; File.Exprs is the largest. An
// expression a pass makes after parsing has none (0). The passes keep
// what they learn of an expression in arrays indexed by its number (see
// types.Info) rather than in maps keyed by the expression: a 1,000-line
// script has some 10,000 expressions, and the type checker looks each up
// several times a sweep.
type ExprNum int32

// Numbered is embedded in every expression node: its number.
type Numbered struct{ Num ExprNum }

func (n *Numbered) numbered() *Numbered { return n }

// NumOf returns e's number (0: none).
func NumOf(e Expr) ExprNum { return e.numbered().Num }

// numberExprs numbers the expressions of f that have none, in the order
// Inspect meets them (an expression met twice keeps its first number),
// and returns the largest number. It notes whether BindParams will find
// anything to rewrite (File.nothingToBind).
func numberExprs(f *File) int {
	n := ExprNum(0)
	bind := false
	visit := func(x Node) bool {
		if e, ok := x.(Expr); ok {
			if nb := e.numbered(); nb.Num == 0 {
				n++
				nb.Num = n
			}
			bind = bind || bindsOrFolds(e)
		}
		return true
	}
	defer func() { f.nothingToBind = !bind }()
	for _, c := range f.Config {
		Inspect(c.Value, visit)
	}
	for _, d := range f.MapDecls {
		if d.Size != nil {
			Inspect(d.Size, visit)
		}
	}
	for _, p := range f.Probes {
		if p.Pred != nil {
			Inspect(p.Pred, visit)
		}
		Inspect(p.Body, visit)
	}
	return int(n)
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// File is a whole parsed script.
type File struct {
	Name     string // as shown in diagnostics
	Src      []byte // the source text, for diagnostics
	Probes   []*Probe
	Config   []*ConfigItem // config = { ... } entries, in order
	MapDecls []*MapDecl    // let @m = hash(N); declarations
	Includes []*Include    // #include lines, in order
	CDefs    []*CDef       // inline C struct, union and enum definitions
	// Headers are what the included headers define, when ParseWith was
	// given a reader (nil otherwise).
	Headers *Headers
	// CFiles are the imported .bpf.c files, in import order: the type
	// checker parses and checks them (lang/cc), the code generator
	// compiles the functions the script calls.
	CFiles []*CFile
	// Imported holds the text of every file the script imported, by the
	// name its positions carry, for diagnostics (AttachSources).
	Imported map[string][]byte
	// Exprs is the number of the expressions of the probes, the config
	// block and the map declarations (the largest ExprNum): the passes
	// size the tables they keep by expression with it.
	Exprs int
	// nothingToBind: the parser found no positional parameter and no
	// literal string BindParams folds in the file's expressions.
	nothingToBind bool
}

// Include is a header a script includes: #include <Path> (System) or
// #include "Path". The header must exist (see FindHeaders); a reader of
// headers (Options.Headers) gives the script what it defines.
type Include struct {
	At     Pos
	Path   string
	System bool
}

// CFile is an imported C file: its name as diagnostics show it and its
// text.
type CFile struct {
	At   Pos // the import statement
	Name string
	Src  []byte
}

// CDef is an inline C definition: `struct name { members };`, a union, or
// `enum name { A, B = 5 };`. Members are kept as their tokens; the
// checker's small C declaration parser lays them out.
type CDef struct {
	At      Pos
	Tag     string // struct, union or enum
	Name    string
	Members []*CMember
	Enums   []*Enumerator
	// Packed and Aligned come from __attribute__((packed)) and
	// __attribute__((aligned(N))) after the definition.
	Packed  bool
	Aligned int
}

// CMember is one member declaration of a struct or union, as tokens:
// "unsigned" "long" "*" "p" "," "q" "[" "4" "]" or "int" "flags" ":" "3".
type CMember struct {
	At     Pos
	Tokens []string
}

// Enumerator is one constant of an enum; its value is known after parsing.
type Enumerator struct {
	At    Pos
	Name  string
	Value int64
}

// ConfigItem is one `key = value` of a config block. Value is an
// *IntLit, *StrLit, *BoolLit or *Ident (for words such as warn or perf).
type ConfigItem struct {
	At    Pos
	Key   string
	Value Expr
}

// MapDecl declares a map's kind and size: `let @m = lruhash(100);`.
// Size is nil when not given.
type MapDecl struct {
	At   Pos
	Name string
	Kind string // hash, lruhash, percpuhash, percpulruhash, percpuarray, ...
	Size Expr
}

// Probe is one probe block: attach points, an optional predicate and a body.
type Probe struct {
	At    Pos
	Specs []*ProbeSpec
	Pred  Expr // nil when there is no predicate
	Body  *Block
}

// ProbeSpec is one attach point as written, e.g. "tracepoint:syscalls:sys_enter_openat"
// or "BEGIN". Its meaning is decided by the probes package.
type ProbeSpec struct {
	At  Pos
	Raw string
}

// Block is a braced list of statements.
type Block struct {
	At    Pos
	Stmts []Stmt
}

// ExprStmt is an expression evaluated for its effect (a call, x++).
type ExprStmt struct {
	X Expr
}

// AssignStmt is `lhs = rhs` or a compound assignment such as `lhs += rhs`.
// Op is "=" or the compound operator with its "=" ("+=", "<<=", ...).
type AssignStmt struct {
	At  Pos  // the position of the operator
	Lhs Expr // *Var or *MapExpr
	Op  string
	Rhs Expr
}

// IfStmt is if/else if/else. Else is nil, a *Block, or an *IfStmt.
type IfStmt struct {
	At   Pos
	Cond Expr
	Then *Block
	Else Stmt
}

// WhileStmt is `while (cond) { ... }`.
type WhileStmt struct {
	At   Pos
	Cond Expr
	Body *Block
}

// UnrollStmt is `unroll (n) { ... }`.
type UnrollStmt struct {
	At    Pos
	Count Expr
	Body  *Block
}

// ForStmt is `for ($v : @map) { ... }` (Map set) or `for ($v : lo..hi) { ... }`
// (Lo and Hi set).
type ForStmt struct {
	At   Pos
	Var  *Var
	Map  *MapExpr
	Lo   Expr
	Hi   Expr
	Body *Block
}

// JumpStmt is break, continue or return. Keyword holds which; Value is
// return's value, the program's return value (nil: 0), which decides
// whether a test: probe passes.
type JumpStmt struct {
	At      Pos
	Keyword string
	Value   Expr
}

// LetStmt declares a variable in the enclosing block: `let $x;`,
// `let $x: uint32;`, `let $x = e;`. Type is the type as written, or "".
type LetStmt struct {
	At    Pos
	Var   *Var
	Type  string
	Value Expr // nil without an initial value
	// TypeOf is the typeof(...) call that gives the type, when the type
	// is written so (Type is then "typeof").
	TypeOf *Call
}

// BlockStmt is a nested braced block used as a statement.
type BlockStmt struct {
	Body *Block
}

func (b *Block) Pos() Pos { return b.At }

func (s *ExprStmt) Pos() Pos   { return s.X.Pos() }
func (s *AssignStmt) Pos() Pos { return s.Lhs.Pos() }
func (s *IfStmt) Pos() Pos     { return s.At }
func (s *WhileStmt) Pos() Pos  { return s.At }
func (s *UnrollStmt) Pos() Pos { return s.At }
func (s *ForStmt) Pos() Pos    { return s.At }
func (s *JumpStmt) Pos() Pos   { return s.At }
func (s *BlockStmt) Pos() Pos  { return s.Body.At }
func (s *LetStmt) Pos() Pos    { return s.At }

func (*ExprStmt) stmtNode()   {}
func (*AssignStmt) stmtNode() {}
func (*IfStmt) stmtNode()     {}
func (*WhileStmt) stmtNode()  {}
func (*UnrollStmt) stmtNode() {}
func (*ForStmt) stmtNode()    {}
func (*JumpStmt) stmtNode()   {}
func (*BlockStmt) stmtNode()  {}
func (*LetStmt) stmtNode()    {}

// IntLit is an integer literal. Raw is the text as written ("0x10", "1_000").
type IntLit struct {
	Numbered
	At  Pos
	Val uint64
	Raw string
}

// StrLit is a string literal with its escapes already decoded.
type StrLit struct {
	Numbered
	At  Pos
	Val string
}

// BoolLit is true or false.
type BoolLit struct {
	Numbered
	At  Pos
	Val bool
}

// Ident is a bare identifier: a builtin such as pid or comm, args, or a
// name the checker will reject.
type Ident struct {
	Numbered
	At   Pos
	Name string
}

// Var is a scratch variable; Name includes the "$". Variables declared
// with let live in the block that declares them: the parser gives each
// such declaration its own Scope number (0 is the probe's scope), and so
// do the variables of each macro expansion. Key tells variables apart.
type Var struct {
	Numbered
	At    Pos
	Name  string
	Scope int
}

// Key identifies the variable: its name, qualified by its scope.
func (v *Var) Key() string {
	if v.Scope == 0 {
		return v.Name
	}
	return fmt.Sprintf("%s#%d", v.Name, v.Scope)
}

// PosParam is a positional parameter: $1 .. $N (N > 0), or $# (N == 0... see Count).
type PosParam struct {
	Numbered
	At    Pos
	N     int
	Count bool // $#
}

// MapExpr is a map access: @name, @name[k], @name[k1, k2], or @ (Name "@").
// Keys is empty for a map used without a key.
type MapExpr struct {
	Numbered
	At   Pos
	Name string
	Keys []Expr
}

// Call is a function call: printf(...), count(), str(x).
type Call struct {
	Numbered
	At   Pos
	End  Pos // just past the closing parenthesis (zero when unknown)
	Fun  string
	Args []Expr
}

// Binary is a binary operator: + - * / % & | ^ << >> == != < <= > >= && ||.
type Binary struct {
	Numbered
	At Pos // the whole expression's span, from X's start to Y's end
	Op string
	X  Expr
	Y  Expr
}

// Unary is a prefix or postfix operator: - ! ~ * & ++ --.
type Unary struct {
	Numbered
	At      Pos // position of the operator
	Op      string
	X       Expr
	Postfix bool // x++ or x--
}

// Ternary is cond ? then : else. Then is nil for `a ?: b`.
type Ternary struct {
	Numbered
	Cond Expr
	Then Expr
	Else Expr
}

// Field is x.name or x->name. Name may be a number for tuple access ($t.0).
type Field struct {
	Numbered
	At    Pos // position of the . or ->
	X     Expr
	Name  string
	Arrow bool
}

// Index is x[i] on a non-map expression.
type Index struct {
	Numbered
	At    Pos
	X     Expr
	Index Expr
}

// Cast is (type)x. Type is the type as written, e.g. "uint32" or "struct task_struct *".
type Cast struct {
	Numbered
	At   Pos
	Type string
	X    Expr
	// TypeOf is the typeof(...) call that gives the type, when the type
	// is written so (Type is then "typeof").
	TypeOf *Call
}

// Tuple is (a, b, ...) with at least two elements, or a record
// (a = 1, b = "x") whose Names name its elements.
type Tuple struct {
	Numbered
	At    Pos
	Elems []Expr
	Names []string // nil for a plain tuple
}

// BlockExpr is a block whose value is its last expression:
// `{ let $a = 1; $a + 1 }`. Macro calls expand to block expressions.
type BlockExpr struct {
	Numbered
	At    Pos
	Stmts []Stmt
	Value Expr
}

// TypeExpr is a type written where a function takes one:
// sizeof(struct task_struct), offsetof(struct s, f).
type TypeExpr struct {
	Numbered
	At   Pos
	Type string
}

// Paren is a parenthesized expression, kept so -d ast shows what was written.
type Paren struct {
	Numbered
	At Pos
	X  Expr
}

func (e *IntLit) Pos() Pos   { return e.At }
func (e *StrLit) Pos() Pos   { return e.At }
func (e *BoolLit) Pos() Pos  { return e.At }
func (e *Ident) Pos() Pos    { return e.At }
func (e *Var) Pos() Pos      { return e.At }
func (e *PosParam) Pos() Pos { return e.At }
func (e *MapExpr) Pos() Pos  { return e.At }
func (e *Call) Pos() Pos     { return e.At }

// The nodes whose text begins with an operand's begin where it does and
// end where their own position says.

// Binary's span is kept whole in At, so that a long chain (a sum of
// thousands of terms) does not walk its left operands for each position.
func (e *Binary) Pos() Pos { return e.At }
func (e *Unary) Pos() Pos {
	if e.Postfix {
		return e.X.Pos().Through(e.At)
	}
	return e.At
}
func (e *Ternary) Pos() Pos { return e.Cond.Pos().Through(e.Else.Pos()) }
func (e *Field) Pos() Pos   { return e.X.Pos().Through(e.At) }
func (e *Index) Pos() Pos   { return e.X.Pos().Through(e.At) }
func (e *Cast) Pos() Pos    { return e.At }
func (e *Tuple) Pos() Pos   { return e.At }
func (e *Paren) Pos() Pos   { return e.At }
func (e *BlockExpr) Pos() Pos {
	return e.At
}

func (*IntLit) exprNode()    {}
func (*StrLit) exprNode()    {}
func (*BoolLit) exprNode()   {}
func (*Ident) exprNode()     {}
func (*Var) exprNode()       {}
func (*PosParam) exprNode()  {}
func (*MapExpr) exprNode()   {}
func (*Call) exprNode()      {}
func (*Binary) exprNode()    {}
func (*Unary) exprNode()     {}
func (*Ternary) exprNode()   {}
func (*Field) exprNode()     {}
func (*Index) exprNode()     {}
func (*Cast) exprNode()      {}
func (*Tuple) exprNode()     {}
func (*Paren) exprNode()     {}
func (*BlockExpr) exprNode() {}
func (*TypeExpr) exprNode()  {}
func (e *TypeExpr) Pos() Pos { return e.At }

// Unparen returns e without the parentheses around it.
func Unparen(e Expr) Expr {
	for {
		p, ok := e.(*Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}
