package cc

import "github.com/gotrace/gotrace/lang"

// File is one parsed .bpf.c file: its top-level declarations in source
// order, the headers it included having been read in place.
type File struct {
	Name  string
	Decls []Decl
	// VMLinux is set when the file includes "vmlinux.h": struct, union,
	// enum and typedef names it does not define itself come from the
	// kernel's BTF.
	VMLinux bool
	// Macros are the #defines of the file and the headers it read that
	// are still defined at its end, in the order they were defined
	// (the predefined ones left out).
	Macros []*Macro
}

// Macro is a #define as written: Body is its replacement list as text,
// one space where the definition had white space.
type Macro struct {
	At       lang.Pos
	Name     string
	Func     bool     // function-like: NAME(params)
	Params   []string // its parameters; __VA_ARGS__ last when Variadic
	Variadic bool
	Body     string
}

// Decl is a top-level declaration: *FuncDecl, *VarDecl, *TypedefDecl or
// *TagDecl.
type Decl interface{ declPos() lang.Pos }

// FuncDecl is a function definition (Body set) or prototype (Body nil).
type FuncDecl struct {
	At       lang.Pos
	Name     string
	Result   *Type
	Params   []*Param
	Variadic bool
	Static   bool
	Inline   bool
	Extern   bool
	// Ksym is set for `extern ... __ksym`: a kernel function (kfunc)
	// called through its BTF id. Weak is set by __weak (or
	// __attribute__((weak))): the kernel may lack it.
	Ksym bool
	Weak bool
	// Section is the name given with SEC("...") or
	// __attribute__((section("..."))), if any.
	Section string
	Body    *Block
}

// Param is a function parameter. Name is "" in prototypes that omit it.
// A parameter list of just `void` gives no Params.
type Param struct {
	At   lang.Pos
	Name string
	Type *Type
}

// VarDecl declares one variable: at top level a global, in a function a
// local. `int a = 1, *b;` gives two VarDecls.
type VarDecl struct {
	At     lang.Pos
	Name   string
	Type   *Type
	Static bool
	Extern bool
	Init   Expr // nil, an expression, or an *InitList
	// Section is the name given with SEC("...") (".maps" for a map).
	Section string
}

// TypedefDecl is `typedef Type Name;` (one per declarator).
type TypedefDecl struct {
	At   lang.Pos
	Name string
	Type *Type
}

// TagDecl is a declaration of only a struct, union or enum (`struct s {...};`
// or `struct s;`); Type is its Named type, whose Record or Enum holds the
// body when there is one.
type TagDecl struct {
	At   lang.Pos
	Type *Type
}

func (d *FuncDecl) declPos() lang.Pos    { return d.At }
func (d *VarDecl) declPos() lang.Pos     { return d.At }
func (d *TypedefDecl) declPos() lang.Pos { return d.At }
func (d *TagDecl) declPos() lang.Pos     { return d.At }

// TypeKind says what a Type is built as.
type TypeKind int

const (
	Named   TypeKind = iota // a base type: Name
	Pointer                 // pointer to Elem
	ArrayOf                 // Len elements of Elem (Len nil: [])
	FuncOf                  // function returning Elem, taking Params
)

// Type is a C type as written: a base type with the pointer, array and
// function derivations of its declarator applied, outermost last. So
// `int *a[4]` is ArrayOf{Len 4, Elem: Pointer{Elem: Named int}} and
// `int (*f)(int)` is Pointer{Elem: FuncOf{Elem: Named int, Params: [int]}}.
type Type struct {
	At   lang.Pos
	Kind TypeKind
	// Name (Named): the base type in a canonical spelling: "void",
	// "_Bool", "char", "signed char", "unsigned char", "short",
	// "unsigned short", "int", "unsigned int", "long", "unsigned long",
	// "long long", "unsigned long long", a typedef name, or
	// "struct NAME", "union NAME", "enum NAME" (NAME is "" for an
	// anonymous one, which then has a body).
	Name string
	// Record (Named struct/union) is the member list when this mention
	// has a body; Enum (Named enum) the enumerators when it has one.
	Record *Record
	Enum   *Enum
	// Const and Volatile qualify this level (the pointer itself for a
	// Pointer).
	Const    bool
	Volatile bool
	Elem     *Type
	Len      Expr // ArrayOf: the element count; nil for []
	Params   []*Param
	Variadic bool
	// Packed / Aligned: __attribute__((packed)) and aligned(N) on a
	// struct or union body.
	Packed  bool
	Aligned Expr
}

// Record is the body of a struct or union.
type Record struct {
	At     lang.Pos
	Union  bool
	Fields []*Field
}

// Field is a member of a struct or union. An anonymous struct or union
// member has Name "". Bits is the width of a bitfield, or nil.
type Field struct {
	At   lang.Pos
	Name string
	Type *Type
	Bits Expr
}

// Enum is the body of an enum.
type Enum struct {
	At    lang.Pos
	Items []*Enumerator
}

// Enumerator is NAME or NAME = value.
type Enumerator struct {
	At    lang.Pos
	Name  string
	Value Expr // nil: one more than the previous
}

// Stmt is a statement.
type Stmt interface{ stmtPos() lang.Pos }

// Block is { ... }.
type Block struct {
	At    lang.Pos
	Stmts []Stmt
}

// DeclStmt declares local variables (and may define local types, whose
// TagDecl/TypedefDecl are in Decls too).
type DeclStmt struct {
	At    lang.Pos
	Decls []Decl
}

// ExprStmt is an expression followed by ';'. X is nil for the empty
// statement `;`.
type ExprStmt struct {
	At lang.Pos
	X  Expr
}

type IfStmt struct {
	At   lang.Pos
	Cond Expr
	Then Stmt
	Else Stmt // nil without else
}

type WhileStmt struct {
	At   lang.Pos
	Cond Expr
	Body Stmt
}

type DoStmt struct {
	At   lang.Pos
	Body Stmt
	Cond Expr
}

// ForStmt is for (Init; Cond; Post) Body. Init is nil, an *ExprStmt or a
// *DeclStmt; Cond and Post may be nil.
type ForStmt struct {
	At   lang.Pos
	Init Stmt
	Cond Expr
	Post Expr
	Body Stmt
}

type ReturnStmt struct {
	At lang.Pos
	X  Expr // nil: return;
}

type BreakStmt struct{ At lang.Pos }
type ContinueStmt struct{ At lang.Pos }

// SwitchStmt is switch (X) Body; the case and default labels are
// statements of Body (at any depth, as in C).
type SwitchStmt struct {
	At   lang.Pos
	X    Expr
	Body Stmt
}

// CaseStmt is `case Value:` (Value nil for `default:`); it labels the
// statement that follows it in its block, and Stmt is that statement.
type CaseStmt struct {
	At    lang.Pos
	Value Expr
	Stmt  Stmt
}

// LabelStmt is `name: Stmt`; GotoStmt is `goto name;`.
type LabelStmt struct {
	At   lang.Pos
	Name string
	Stmt Stmt
}

type GotoStmt struct {
	At    lang.Pos
	Label string
}

func (s *Block) stmtPos() lang.Pos        { return s.At }
func (s *DeclStmt) stmtPos() lang.Pos     { return s.At }
func (s *ExprStmt) stmtPos() lang.Pos     { return s.At }
func (s *IfStmt) stmtPos() lang.Pos       { return s.At }
func (s *WhileStmt) stmtPos() lang.Pos    { return s.At }
func (s *DoStmt) stmtPos() lang.Pos       { return s.At }
func (s *ForStmt) stmtPos() lang.Pos      { return s.At }
func (s *ReturnStmt) stmtPos() lang.Pos   { return s.At }
func (s *BreakStmt) stmtPos() lang.Pos    { return s.At }
func (s *ContinueStmt) stmtPos() lang.Pos { return s.At }
func (s *SwitchStmt) stmtPos() lang.Pos   { return s.At }
func (s *CaseStmt) stmtPos() lang.Pos     { return s.At }
func (s *LabelStmt) stmtPos() lang.Pos    { return s.At }
func (s *GotoStmt) stmtPos() lang.Pos     { return s.At }

// Expr is an expression.
type Expr interface{ exprPos() lang.Pos }

// Ident is a name: a variable, function, enumerator or parameter.
type Ident struct {
	At   lang.Pos
	Name string
}

// IntLit is an integer or character constant. Unsigned and Longs come
// from the suffix (u/U; l/L counted: 1 for L, 2 for LL); Char is set for
// 'c' constants (whose type is int).
type IntLit struct {
	At       lang.Pos
	Value    uint64
	Unsigned bool
	Longs    int
	Char     bool
	// Decimal: written in base 10 (C picks the type of an unsuffixed
	// constant differently for decimal and for octal/hex).
	Decimal bool
}

// StringLit is a string constant, adjacent literals joined, escapes
// resolved; Value has no terminating NUL.
type StringLit struct {
	At    lang.Pos
	Value string
}

// Unary is a prefix operator: "-", "+", "!", "~", "*" (dereference),
// "&" (address of), "++", "--" (pre-increment/decrement).
type Unary struct {
	At lang.Pos
	Op string
	X  Expr
}

// Postfix is X++ or X-- (Op "++" or "--").
type Postfix struct {
	At lang.Pos
	Op string
	X  Expr
}

// Binary is X Op Y for "* / % + - << >> < > <= >= == != & ^ | && ||"
// and "," (the comma operator).
type Binary struct {
	At   lang.Pos
	Op   string
	X, Y Expr
}

// Assign is X Op Y for "=" and the compound "+= -= *= /= %= <<= >>= &= ^= |=".
type Assign struct {
	At   lang.Pos
	Op   string
	X, Y Expr
}

// Cond is C ? Then : Else. Then is nil in GNU C's `C ?: Else`, whose
// value is C's when it is not zero (C evaluated once).
type Cond struct {
	At         lang.Pos
	C          Expr
	Then, Else Expr
}

// Call is Fun(Args...).
type Call struct {
	At   lang.Pos
	Fun  Expr
	Args []Expr
}

// Index is X[I].
type Index struct {
	At   lang.Pos
	X, I Expr
}

// Member is X.Name, or X->Name when Arrow.
type Member struct {
	At    lang.Pos
	X     Expr
	Name  string
	Arrow bool
}

// Cast is (Type)X.
type Cast struct {
	At   lang.Pos
	Type *Type
	X    Expr
}

// Sizeof is sizeof(Type) (Type set) or sizeof X (X set); Alignof the
// same for _Alignof/__alignof__.
type Sizeof struct {
	At    lang.Pos
	Type  *Type
	X     Expr
	Align bool
}

// Offsetof is offsetof(Type, a.b[2].c) (also __builtin_offsetof): Path
// is the member designator as written, split at '.' ("b[2]" stays one
// element, with its index).
type Offsetof struct {
	At   lang.Pos
	Type *Type
	Path []string
}

// InitList is a brace initializer { a, .f = b, [2] = c, { ... } }.
type InitList struct {
	At    lang.Pos
	Items []*InitItem
}

// InitItem is one element of an InitList: an optional designator chain
// (.field or [index], in order) and its value (an Expr or *InitList).
type InitItem struct {
	At         lang.Pos
	Designator []Designator
	Value      Expr
}

// Designator is .Field or [Index] (Index set).
type Designator struct {
	Field string
	Index Expr
}

// CompoundLit is (Type){ ... }.
type CompoundLit struct {
	At   lang.Pos
	Type *Type
	Init *InitList
}

func (e *Ident) exprPos() lang.Pos       { return e.At }
func (e *IntLit) exprPos() lang.Pos      { return e.At }
func (e *StringLit) exprPos() lang.Pos   { return e.At }
func (e *Unary) exprPos() lang.Pos       { return e.At }
func (e *Postfix) exprPos() lang.Pos     { return e.At }
func (e *Binary) exprPos() lang.Pos      { return e.At }
func (e *Assign) exprPos() lang.Pos      { return e.At }
func (e *Cond) exprPos() lang.Pos        { return e.At }
func (e *Call) exprPos() lang.Pos        { return e.At }
func (e *Index) exprPos() lang.Pos       { return e.At }
func (e *Member) exprPos() lang.Pos      { return e.At }
func (e *Cast) exprPos() lang.Pos        { return e.At }
func (e *Sizeof) exprPos() lang.Pos      { return e.At }
func (e *Offsetof) exprPos() lang.Pos    { return e.At }
func (e *InitList) exprPos() lang.Pos    { return e.At }
func (e *CompoundLit) exprPos() lang.Pos { return e.At }

// PosOf returns where a node starts.
func PosOf(n any) lang.Pos {
	switch n := n.(type) {
	case Expr:
		return n.exprPos()
	case Stmt:
		return n.stmtPos()
	case Decl:
		return n.declPos()
	case *Type:
		return n.At
	}
	return lang.Pos{}
}
