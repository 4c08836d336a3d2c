package lang

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Parse parses a whole script. name is how the script is named in
// diagnostics ("stdin" for -e programs). Every error it returns is a
// *Error or an ErrorList with positions. The package comment tells how
// the text becomes the tree.
func Parse(name string, src []byte) (*File, error) {
	return parseWith(fileParser(), name, src, Options{})
}

// ParseWith parses a whole script as Parse does, reading the headers it
// includes with opts.Headers (see Options).
func ParseWith(name string, src []byte, opts Options) (*File, error) {
	return parseWith(fileParser(), name, src, opts)
}

// parseWith parses a script with a grammar of the items over a lexer
// of choice (tests compare lexers).
func parseWith(fp *participle.Parser[gFile], name string, src []byte, opts Options) (*File, error) {
	l := &loader{parser: fp, seen: map[string]bool{}}
	l.load(name, src)
	if len(l.errs) > 0 {
		AttachSources(l.errs, l.imported)
		return nil, l.errs.Err()
	}
	c := newConverter(name)
	f := &File{Name: name, Src: src, CFiles: l.cfiles, Imported: l.imported}
	for _, path := range opts.Includes {
		f.Includes = append(f.Includes, &Include{At: Pos{File: name}, Path: path, System: true})
	}
	for _, u := range l.units {
		for _, it := range u.tree.Items {
			if inc, ok := includeOf(u.name, it); ok {
				f.Includes = append(f.Includes, inc)
			}
		}
	}
	if len(f.Includes) > 0 && opts.Headers != nil {
		if err := FindHeaders(f, opts.IncludeDirs); err != nil {
			AttachSources(err, l.imported)
			return nil, err
		}
		h, err := opts.Headers(f.Includes, scriptDir(name))
		if err != nil {
			AttachSources(err, l.imported)
			return nil, err
		}
		f.Headers = h
		c.defineHeaders(h)
	}
	for _, u := range l.units {
		c.file = u.name
		for _, it := range u.tree.Items {
			if m := it.Macro; m != nil {
				if _, dup := c.macros[m.Name]; dup {
					c.errs.Add(c.pos(m.Pos), "macro %s is defined twice", m.Name)
				}
				c.macros[m.Name] = m
			}
		}
	}
	for _, u := range l.units {
		c.file = u.name
		c.items(f, u, u.name == name)
	}
	if err := c.errs.Err(); err != nil {
		AttachSources(err, l.imported)
		return nil, err
	}
	f.Exprs = numberExprs(f)
	return f, nil
}

// items converts the top-level items of one file of the program: the
// script itself (root) or a file it imports. The probes from the first on
// are converted at the same time (convertProbes) when no item after the
// first probe changes what the converter knows (a #define, a type
// definition), as in most scripts.
func (c *converter) items(f *File, u *unit, root bool) {
	items := u.tree.Items
	first := slices.IndexFunc(items, func(it *gTop) bool { return it.Probe != nil })
	var probes []*gProbe
	if first >= 0 && !slices.ContainsFunc(items[first:], changesConverter) {
		for _, it := range items[first:] {
			if it.Probe != nil {
				probes = append(probes, it.Probe)
			}
		}
		items = items[:first]
	}
	for _, it := range items {
		c.item(f, it, root)
	}
	f.Probes = append(f.Probes, c.convertProbes(probes)...)
}

// changesConverter tells whether converting it changes what the
// converter knows or counts: a #define, a type definition (which may
// number an anonymous struct), a config block or map declaration.
func changesConverter(it *gTop) bool {
	return it.Preproc != "" || it.Config != nil || it.Let != nil || it.CDef != nil || it.Enum != nil
}

// convertProbes converts probes, on as many CPUs as there are
// (onEveryCPU). Each probe is converted by a converter of its own that
// shares what is read-only by now (#defines, macros) and numbers its
// scopes from the same start, however many CPUs there are: scope numbers
// tell apart variables of one probe, and no probe sees another's. The
// errors come in the probes' order, and the count of scope numbers moves
// on by what they used together, as when they were converted one after
// another.
func (c *converter) convertProbes(ps []*gProbe) []*Probe {
	out := make([]*Probe, len(ps))
	start := *c.nextScope
	subs := make([]*converter, len(ps))
	onEveryCPU(len(ps), func(i int) {
		n := start
		subs[i] = &converter{file: c.file, defines: c.defines, base: c.base, site: c.site, nextScope: &n,
			macros: c.macros, expanding: map[string]bool{}, hmacros: c.hmacros}
		out[i] = subs[i].probe(ps[i])
	})
	used := 0
	for _, sub := range subs {
		c.errs = append(c.errs, sub.errs...)
		used += *sub.nextScope - start
	}
	*c.nextScope = start + used
	return out
}

// item converts one top-level item.
func (c *converter) item(f *File, it *gTop, root bool) {
	switch {
	case it.Preproc != "":
		c.preproc(f, it)
	case it.Config != nil:
		if !root {
			c.errs.Add(c.pos(it.Pos), "an imported script cannot have a config block: only the main script can")
			return
		}
		for _, ci := range it.Config.Items {
			f.Config = append(f.Config, &ConfigItem{At: c.through(c.pos(ci.Pos), ci.Value.End), Key: ci.Key, Value: c.expr(ci.Value)})
		}
	case it.Let != nil:
		d := &MapDecl{At: c.pos(it.Let.Pos), Name: it.Let.Name, Kind: it.Let.Kind}
		if it.Let.Size != nil {
			d.Size = c.expr(it.Let.Size)
		}
		f.MapDecls = append(f.MapDecls, d)
	case it.CDef != nil:
		d := &CDef{At: c.pos(it.CDef.Pos), Tag: it.CDef.Tag, Name: it.CDef.Name}
		d.Members = c.cmembers(f, it.CDef.Members)
		c.cattrs(d, append(it.CDef.PreAttrs, it.CDef.Attrs...))
		f.CDefs = append(f.CDefs, d)
	case it.Enum != nil:
		f.CDefs = append(f.CDefs, c.enum(it.Enum))
	case it.Probe != nil:
		f.Probes = append(f.Probes, c.probe(it.Probe))
	}
}

// cmembers converts the members of a struct or union definition. A
// struct defined in place becomes a definition of its own, before the
// one that uses it (named "struct __anonN" when it has no name), and its
// members are declared with its name.
func (c *converter) cmembers(f *File, ms []*gCMember) []*CMember {
	var out []*CMember
	for _, m := range ms {
		n := m.Nested
		if n == nil {
			out = append(out, &CMember{At: c.pos(m.Pos), Tokens: m.Tokens})
			continue
		}
		name := n.Name
		if name == "" {
			*c.nextScope++
			name = fmt.Sprintf("__anon%d", *c.nextScope)
		}
		inner := &CDef{At: c.pos(n.Pos), Tag: n.Tag, Name: name}
		inner.Members = c.cmembers(f, n.Members)
		c.cattrs(inner, append(n.PreAttrs, n.Attrs...))
		f.CDefs = append(f.CDefs, inner)
		if len(n.Decl) > 0 {
			out = append(out, &CMember{At: c.pos(m.Pos), Tokens: append([]string{n.Tag, name}, n.Decl...)})
		}
	}
	return out
}

// cattrs applies the attributes of a struct or union definition:
// packed, and aligned(N) with N a power of 2; others change nothing.
func (c *converter) cattrs(d *CDef, attrs []*gCAttr) {
	for _, a := range attrs {
		for _, item := range a.Items {
			switch strings.Trim(item.Name, "_") {
			case "packed":
				d.Packed = true
			case "aligned":
				n, err := strconv.ParseInt(item.Arg, 0, 32)
				if err != nil || n <= 0 || n&(n-1) != 0 {
					c.errs.Add(d.At, "aligned(%s): the alignment must be a power of 2", item.Arg)
				}
				d.Aligned = int(n)
			}
		}
	}
}

// ParseExpr parses a single expression, as typed in a REPL command or a test.
func ParseExpr(name string, src []byte) (Expr, error) {
	x, err := parseLoneExpr(name, string(src))
	if err != nil {
		return nil, syntaxError(name, src, err)
	}
	c := newConverter(name)
	e := c.expr(x)
	if err := c.errs.Err(); err != nil {
		return nil, err
	}
	return e, nil
}

func syntaxError(name string, src []byte, err error) error {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return Errorf(Pos{File: name}, "syntax error: %v", err)
	}
	lp := perr.Position()
	pos := Pos{File: name, Line: lp.Line, Col: lp.Column, Offset: lp.Offset}
	msg := perr.Message()
	var ut *participle.UnexpectedTokenError
	var le *lexer.Error
	switch {
	case errors.As(err, &ut):
		msg = "unexpected " + describeToken(ut.Unexpected)
		if ut.Expect != "" {
			msg += ", expected " + ut.Expect
		}
	case errors.As(err, &le):
		r := "?"
		if lp.Offset < len(src) {
			r = string([]rune(string(src[lp.Offset:]))[:1])
		}
		msg = fmt.Sprintf("unexpected character %q", r)
		if r == "\"" {
			msg = "unterminated string"
		}
	}
	if pos.Line == 0 {
		// participle reports end of input without a position at times.
		pos = endPos(name, src)
	}
	e := Errorf(pos, "syntax error: %s", msg)
	return e
}

func describeToken(t lexer.Token) string {
	switch {
	case t.EOF():
		return "end of input"
	case t.Type == tokBody:
		return strconv.Quote("{") // a body, told by its first token
	}
	return strconv.Quote(t.Value)
}

func endPos(name string, src []byte) Pos {
	line, col := 1, 1
	for _, b := range src {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return Pos{File: name, Line: line, Col: col, Offset: len(src)}
}

// enum converts an enum definition; its constants become names usable in
// expressions, like #defines.
func (c *converter) enum(g *gEnumDef) *CDef {
	d := &CDef{At: c.pos(g.Pos), Tag: "enum", Name: g.Name}
	if d.Name == "" {
		*c.nextScope++
		d.Name = fmt.Sprintf("__anon%d", *c.nextScope)
	}
	next := int64(0)
	for _, it := range g.Items {
		at := c.pos(it.Pos)
		v := next
		if it.Value != "" {
			u, err := ParseInt(it.Value)
			if err != nil || u > 1<<63-1 {
				c.errs.Add(at, "enum %s: bad value %s", g.Name, it.Value)
			}
			v = int64(u)
			if it.Neg {
				v = -v
			}
		}
		next = v + 1
		d.Enums = append(d.Enums, &Enumerator{At: at, Name: it.Name, Value: v})
		var lit Expr = &IntLit{At: at, Val: uint64(v), Raw: fmt.Sprint(v)}
		if v < 0 {
			lit = &Unary{At: at, Op: "-", X: &IntLit{At: at, Val: uint64(-v), Raw: fmt.Sprint(-v)}}
		}
		// typed by its enum, so that it prints by name
		c.defines[it.Name] = &Cast{At: at, Type: "enum " + d.Name, X: lit}
	}
	return d
}

// converter turns the participle tree into the AST.
type converter struct {
	file    string
	errs    ErrorList
	defines map[string]Expr // #define NAME value, substituted for NAME
	base    Pos             // where a #define's value starts: positions are relative to it
	site    *Pos            // the macro call whose body is being converted (Pos.From)

	scopes    []*scope                // innermost last (scope.go)
	nextScope *int                    // shared counter of scope numbers
	macros    map[string]*gMacro      // macro definitions by name
	expanding map[string]bool         // macros being expanded, to catch recursion
	hmacros   map[string]*HeaderMacro // the macros of included headers (cmacros.go)
}

func newConverter(file string) *converter {
	return &converter{file: file, defines: map[string]Expr{}, nextScope: new(int),
		macros: map[string]*gMacro{}, expanding: map[string]bool{}}
}

// preproc handles a #include or #define line. Includes only matter to
// bpftrace for C type definitions, which gotrace takes from the kernel's
// BTF; they are recorded. A #define of a constant is substituted wherever
// its name is used as an identifier afterwards.
func (c *converter) preproc(f *File, it *gTop) {
	at := c.pos(it.Pos)
	text := strings.TrimSpace(strings.TrimPrefix(it.Preproc, "#"))
	directive, rest := text, ""
	if i := strings.IndexAny(text, " \t"); i >= 0 {
		directive, rest = text[:i], strings.TrimSpace(text[i:])
	}
	switch directive {
	case "include":
		// gathered before the conversion (includeOf)
	case "define":
		name, value := rest, ""
		if i := strings.IndexAny(rest, " \t("); i >= 0 {
			if rest[i] == '(' {
				c.defineFunc(at, rest[:i], rest[i:])
				return
			}
			name, value = rest[:i], strings.TrimSpace(rest[i:])
		}
		if value == "" {
			value = "1"
		}
		// The value is parsed where it stands so errors point into the line.
		off := at.Offset + strings.Index(it.Preproc, value)
		x, err := parseLoneExpr(c.file, value)
		if err != nil {
			c.errs.Add(Pos{File: c.file, Line: at.Line, Col: at.Col + off - at.Offset, Offset: off}, "#define %s: cannot read its value %q as an expression", name, value)
			return
		}
		sub := newConverter(c.file)
		sub.defines, sub.nextScope = c.defines, c.nextScope
		sub.base = Pos{Line: at.Line, Col: at.Col + off - at.Offset, Offset: off}
		e := sub.expr(x)
		c.errs = append(c.errs, sub.errs...)
		c.defines[name] = e
	case "undef":
		delete(c.defines, rest)
	default:
		c.errs.Add(at, "unknown preprocessor directive #%s", directive)
	}
}

// includeOf is the #include an item of the file name is, if it is one.
func includeOf(name string, it *gTop) (*Include, bool) {
	if it.Preproc == "" {
		return nil, false
	}
	text := strings.TrimSpace(strings.TrimPrefix(it.Preproc, "#"))
	rest, ok := strings.CutPrefix(text, "include")
	if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '<' && rest[0] != '"' {
		return nil, false
	}
	rest = strings.TrimSpace(rest)
	// at the header's name, as a C compiler points
	skip := strings.Index(it.Preproc, rest)
	if skip < 0 {
		skip = 0
	}
	at := Pos{File: name, Line: it.Pos.Line, Col: it.Pos.Column + skip, Offset: it.Pos.Offset + skip}
	return &Include{At: at, Path: strings.Trim(rest, "<>\" "), System: strings.HasPrefix(rest, "<")}, true
}

func (c *converter) pos(p lexer.Position) Pos {
	return c.at(gpos{Line: int32(p.Line), Col: int32(p.Column), Offset: int32(p.Offset)})
}

// span is the position of a node of the parse tree that starts at p and
// ends just before e.
func (c *converter) span(p, e gpos) Pos {
	return c.through(c.at(p), e)
}

// through is at extended to end just before e.
func (c *converter) through(at Pos, e gpos) Pos {
	if e.Line == 0 {
		return at
	}
	end := c.at(e)
	at.EndLine, at.EndCol = end.Line, end.Col
	return at
}

// at is the position of a token of the parse tree.
func (c *converter) at(p gpos) Pos {
	if c.base.Line > 0 {
		return Pos{File: c.file, Line: c.base.Line, Col: c.base.Col + int(p.Col) - 1, Offset: c.base.Offset + int(p.Offset), From: c.site}
	}
	return Pos{File: c.file, Line: int(p.Line), Col: int(p.Col), Offset: int(p.Offset), From: c.site}
}

func (c *converter) probe(p *gProbe) *Probe {
	pr := &Probe{At: c.pos(p.Pos)}
	for _, s := range p.Specs {
		pr.Specs = append(pr.Specs, &ProbeSpec{At: c.pos(s.Pos), Raw: s.Raw})
	}
	c.push(nil)
	defer c.pop()
	if p.Pred != nil {
		pr.Pred = c.expr(p.Pred)
	}
	pr.Body = &Block{At: c.at(p.Body.Pos), Stmts: c.stmts(p.Body.Items)}
	return pr
}

// block converts a nested block, which opens a scope.
func (c *converter) block(b *gBlock) *Block {
	if b.body != nil {
		// a body parseBodies did not reach (parseFile gives it every
		// body of a file's probes and macros)
		pos := b.body.Pos
		if err := b.parseBody(); err != nil {
			c.errs.Add(Pos{File: c.file, Line: pos.Line, Col: pos.Column, Offset: pos.Offset}, "%v", err)
		}
	}
	c.push(nil)
	defer c.pop()
	return &Block{At: c.at(b.Pos), Stmts: c.stmts(b.Items)}
}

func (c *converter) stmts(items []*gItem) []Stmt {
	var out []Stmt
	for i, it := range items {
		s := c.stmt(it)
		if s == nil {
			continue
		}
		if (it.Simple != nil || it.Let != nil) && it.Semis == 0 && i+1 < len(items) {
			next := items[i+1]
			c.errs.Add(c.at(next.Pos), "syntax error: expected ';' before this statement")
		}
		out = append(out, s)
	}
	return out
}

func (c *converter) stmt(it *gItem) Stmt {
	switch {
	case it.If != nil:
		return c.ifStmt(it.If)
	case it.While != nil:
		return &WhileStmt{At: c.at(it.Pos), Cond: c.expr(it.While.Cond), Body: c.block(it.While.Body)}
	case it.Unroll != nil:
		return &UnrollStmt{At: c.at(it.Pos), Count: c.expr(it.Unroll.Count), Body: c.block(it.Unroll.Body)}
	case it.For != nil:
		f := it.For
		if f.Open != f.Close {
			c.errs.Add(c.at(f.Pos), "syntax error: unbalanced parentheses around the for loop's range")
		}
		// the loop variable belongs to the loop: each for loop has its
		// own, of its own type
		c.push(nil)
		v := c.declare(c.at(f.Var.Pos), f.Var.Name)
		s := &ForStmt{At: c.at(it.Pos), Var: v, Body: c.block(f.Body)}
		c.pop()
		switch {
		case f.Map != nil:
			s.Map = c.mapExpr(f.Map)
			if len(s.Map.Keys) > 0 {
				c.errs.Add(s.Map.At, "for loops iterate over a whole map: write %s without a key", s.Map.Name)
			}
		default:
			s.Lo = c.expr(f.Lo)
			s.Hi = c.expr(f.Hi)
		}
		return s
	case it.Block != nil:
		return &BlockStmt{Body: c.block(it.Block)}
	case it.Let != nil:
		s := &LetStmt{At: c.at(it.Pos)}
		if lt := it.Let.Type; lt != nil {
			s.Type = lt.String()
			switch {
			case lt.TypeOf != nil:
				s.TypeOf = c.typeOf(lt.TypeOf)
			case lt.Name != nil:
				s.Type = c.typeName(c.at(it.Pos), lt.Name)
				if lt.Len != nil {
					s.Type += "[" + *lt.Len + "]"
				}
			default:
				// let $v: t, with t a macro parameter holding a type
				if text, typeOf, ok := c.typeParam(lt.Word, lt.Word); ok {
					s.Type = text
					if typeOf != nil {
						s.Type, s.TypeOf = "typeof", typeOf
					}
					if lt.Len != nil {
						s.Type += "[" + *lt.Len + "]"
					}
				}
			}
		}
		if it.Let.Value != nil {
			s.Value = c.expr(it.Let.Value)
		}
		s.Var = c.declare(c.at(it.Let.Var.Pos), it.Let.Var.Name)
		return s
	case it.Jump != "":
		s := &JumpStmt{At: c.at(it.Pos), Keyword: it.Jump}
		if it.Ret != nil {
			s.Value = c.expr(it.Ret)
			s.At = c.through(s.At, it.Ret.End)
		}
		return s
	case it.Simple != nil:
		return c.simple(it.Simple)
	}
	return nil
}

// blockExpr is a block used as a value: the value of its last
// expression, or 0.
func (c *converter) blockExpr(at Pos, g *gBlock) *BlockExpr {
	c.push(nil)
	defer c.pop()
	stmts, value := c.blockBody(g, false)
	if value == nil {
		value = &IntLit{At: at}
	}
	return &BlockExpr{At: at, Stmts: stmts, Value: value}
}

// ifExpr is an if used as a value, `if (c) { a } else { b }`: c ? a : b
// with block expressions for branches. It needs its else.
func (c *converter) ifExpr(at Pos, g *gIf) Expr {
	t := &Ternary{Cond: c.expr(g.Cond), Then: c.blockExpr(c.at(g.Then.Pos), g.Then)}
	switch {
	case g.ElseIf != nil:
		t.Else = c.ifExpr(c.at(g.ElseIf.Pos), g.ElseIf)
	case g.Else != nil:
		t.Else = c.blockExpr(c.at(g.Else.Pos), g.Else)
	default:
		c.errs.Add(at, "an if used as a value needs an else: if (c) { a } else { b }")
		t.Else = &IntLit{At: at}
	}
	return t
}

func (c *converter) ifStmt(g *gIf) *IfStmt {
	s := &IfStmt{At: c.at(g.Pos), Cond: c.expr(g.Cond), Then: c.block(g.Then)}
	switch {
	case g.ElseIf != nil:
		s.Else = c.ifStmt(g.ElseIf)
	case g.Else != nil:
		s.Else = &BlockStmt{Body: c.block(g.Else)}
	}
	return s
}

func (c *converter) simple(g *gSimple) Stmt {
	lhs := c.expr(g.X)
	a := g.Assign
	if a == nil {
		return &ExprStmt{X: lhs}
	}
	if id, ok := lhs.(*Ident); ok && id.Name == "_" && a.Op == "=" {
		return &ExprStmt{X: c.expr(a.Y)} // _ = e: evaluate and discard
	}
	switch lhs.(type) {
	case *Var, *MapExpr:
	default:
		c.errs.Add(lhs.Pos(), "cannot assign to this: only $variables and @maps can be assigned")
	}
	return aggregateInBlock(&AssignStmt{At: c.through(lhs.Pos(), a.End), Lhs: lhs, Op: a.Op, Rhs: c.expr(a.Y)})
}

// aggregations are the functions whose value lives in a map. The
// parser needs them before any builtin is typed; lang/types, whose
// builtin table says which builtins aggregate, checks when it builds the
// table that the two agree (IsAggregation).
var aggregations = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"stats": true, "hist": true, "lhist": true, "tseries": true}

// IsAggregation reports whether the function name is one the parser
// treats as an aggregation (@m = { stmts; agg(x) }).
func IsAggregation(name string) bool { return aggregations[name] }

// aggregateInBlock turns @m = { stmts; agg(x) } into { stmts; @m = agg(x) }:
// an aggregation is an update of its map, made where the block's value is.
func aggregateInBlock(s *AssignStmt) Stmt {
	b, ok := s.Rhs.(*BlockExpr)
	if !ok {
		return s
	}
	if _, ok := s.Lhs.(*MapExpr); !ok || s.Op != "=" {
		return s
	}
	inner := aggregateInBlock(&AssignStmt{At: s.At, Lhs: s.Lhs, Op: s.Op, Rhs: b.Value})
	if a, ok := inner.(*AssignStmt); ok {
		call, ok := a.Rhs.(*Call)
		if !ok || !aggregations[call.Fun] {
			return s
		}
	}
	return &BlockStmt{Body: &Block{At: b.At, Stmts: append(append([]Stmt(nil), b.Stmts...), inner)}}
}

func (c *converter) expr(g *gExpr) Expr {
	x := c.binary(g.Cond)
	if g.Tail == nil {
		return x
	}
	t := &Ternary{Cond: x, Else: c.expr(g.Tail.Else)}
	if g.Tail.Then != nil {
		t.Then = c.expr(g.Tail.Then)
	}
	return t
}

// binary converts an operand: a chain of binary operators of one
// precedence level is folded left to right.
func (c *converter) binary(n gOperand) Expr {
	b, ok := n.(*gBinary)
	if !ok {
		return c.unary(n.(*gUnary))
	}
	x := c.binary(b.X)
	for _, r := range b.Rest {
		x = &Binary{At: c.through(x.Pos(), r.End), Op: r.Op, X: x, Y: c.binary(r.Y)}
	}
	return x
}

func (c *converter) unary(g *gUnary) Expr {
	switch {
	case g.X != nil:
		x := c.unary(g.X)
		if g.Op == "+" {
			return x
		}
		return &Unary{At: c.span(g.Pos, g.End), Op: g.Op, X: x}
	case g.Cast != nil && g.Cast.TypeOf != nil:
		return &Cast{At: c.span(g.Pos, g.End), Type: "typeof", TypeOf: c.typeOf(g.Cast.TypeOf), X: c.unary(g.Cast.X)}
	case g.Cast != nil && g.Cast.Bare != "":
		at := c.span(g.Pos, g.End)
		text, typeOf, ok := c.typeParam(g.Cast.Bare, g.Cast.Bare)
		switch {
		case typeOf != nil:
			return &Cast{At: at, Type: "typeof", TypeOf: typeOf, X: c.unary(g.Cast.X)}
		case !ok:
			text = g.Cast.Bare // a type's name, as (pid_t)x
		}
		if a := g.Cast.Arr; a != nil {
			text += "[" + deref(a.N) + "]"
		}
		return &Cast{At: at, Type: text, X: c.unary(g.Cast.X)}
	case g.Cast != nil:
		name := c.typeName(c.at(g.Pos), g.Cast.Type)
		if a := g.Cast.Arr; a != nil {
			name += "[" + deref(a.N) + "]"
		}
		return &Cast{At: c.span(g.Pos, g.End), Type: name, X: c.unary(g.Cast.X)}
	default:
		return c.postfix(g.Prim, g.Ops)
	}
}

func (c *converter) postfix(prim *gPrimary, ops []*gPostOp) Expr {
	x := c.primary(prim)
	for _, op := range ops {
		at := c.through(x.Pos(), op.End)
		switch op.Op {
		case ".":
			x = &Field{At: at, X: x, Name: op.Name}
		case "->":
			x = &Field{At: at, X: x, Name: op.Name, Arrow: true}
		case "[":
			idx := c.expr(op.Index)
			if base, ok := typeNameText(x); ok {
				// T[N] of a macro parameter holding typeof(T): an array type
				if n, ok := idx.(*IntLit); ok {
					x = typeOfCall(at, &TypeExpr{At: at, Type: fmt.Sprintf("%s[%d]", base, n.Val)})
					continue
				}
			}
			x = &Index{At: at, X: x, Index: idx}
		default:
			x = &Unary{At: at, Op: op.Op, X: x, Postfix: true}
		}
	}
	return x
}

func (c *converter) primary(g *gPrimary) Expr {
	at := c.span(g.Pos, g.End)
	switch g.Kind {
	case primInt:
		v, err := ParseInt(g.Text)
		if err != nil {
			c.errs.Add(at, "%v", err)
		}
		return &IntLit{At: at, Val: v, Raw: g.Text}
	case primString:
		s, err := unquote(g.Text)
		if err != nil {
			c.errs.Add(at, "%v", err)
		}
		return &StrLit{At: at, Val: s}
	case primBool:
		return &BoolLit{At: at, Val: g.Text == "true"}
	case primCall:
		call := &Call{At: at, End: c.at(g.Call.EndPos), Fun: g.Call.Fun}
		for _, a := range g.Call.Args {
			x := c.arg(a)
			if b, ok := x.(*BlockExpr); ok && len(b.Stmts) == 0 {
				if lit, ok := b.Value.(*StrLit); ok {
					// a macro whose value is a string literal passes the
					// literal on (printf(fmt()) with macro fmt() { "%d" })
					x = lit
				}
			}
			call.Args = append(call.Args, x)
		}
		if call.Fun == "typeof" && len(call.Args) == 1 {
			return typeOfCall(at, call.Args[0])
		}
		// A macro named as a builtin takes over only the calls with its
		// number of arguments: cpu() stays the builtin next to macro
		// cpu(x), as with bpftrace, whose builtins are macros of its
		// standard library; other calls with the wrong number are errors.
		if m, ok := c.macros[call.Fun]; ok {
			switch {
			case len(m.Params) == len(call.Args):
				return c.expandMacro(at, m, call.Args)
			case !stdlibTakes(call.Fun, len(call.Args)):
				e := c.errs.Add(at, "Call to %s() has arguments that do not match any definition.", call.Fun)
				e.Hint = fmt.Sprintf("the closest definition of %s() has a different number of arguments. Expected: %d but got %d", m.Name, len(m.Params), len(call.Args))
				return &IntLit{At: at}
			}
		}
		if m, ok := c.hmacros[call.Fun]; ok && m.Func {
			return c.headerMacro(at, m, call.Args)
		}
		if g.Call.Bang {
			c.errs.Add(at, "%s!() calls a macro, and no macro %s is defined", call.Fun, call.Fun)
		}
		if builtinCalls[call.Fun] && len(call.Args) == 0 {
			return &Ident{At: at, Name: call.Fun}
		}
		return call
	case primBlock:
		return c.blockExpr(at, g.Block)
	case primIf:
		return c.ifExpr(at, g.If)
	case primMap:
		return c.mapExpr(g.Map)
	case primVar:
		return c.varRef(at, g.Text)
	case primParam:
		if g.Text == "$#" {
			return &PosParam{At: at, Count: true}
		}
		n, err := strconv.Atoi(g.Text[1:])
		if err != nil || n == 0 {
			c.errs.Add(at, "positional parameters start at $1")
		}
		return &PosParam{At: at, N: n}
	case primIdent:
		return c.identRef(at, g.Text)
	case primParen:
		if len(g.Paren.Elems) == 1 && g.Paren.Elems[0].Name == "" {
			return &Paren{At: at, X: c.expr(g.Paren.Elems[0].X)}
		}
		t := &Tuple{At: at}
		named := g.Paren.Elems[0].Name != ""
		for _, e := range g.Paren.Elems {
			if (e.Name != "") != named {
				c.errs.Add(at, "a record names all its elements: (a = 1, b = 2)")
			}
			t.Elems = append(t.Elems, c.expr(e.X))
			if named {
				t.Names = append(t.Names, e.Name)
			}
		}
		return t
	}
	c.errs.Add(at, "syntax error: expected an expression")
	return &IntLit{At: at}
}

func (c *converter) mapExpr(g *gMap) *MapExpr {
	m := &MapExpr{At: c.span(g.Pos, g.End), Name: c.mapName(g.Name)}
	for _, k := range g.Keys {
		m.Keys = append(m.Keys, c.expr(k))
	}
	return m
}

// ParseInt reads an integer literal as a script writes it: decimal, 0x
// hex, 0b binary, 0 octal, with '_' separators, an exponent (1e6), C
// suffixes (u, l, ul, ll, ull) and duration suffixes (ns, us, ms, s, m,
// h, d: the value in nanoseconds). Positional and named parameters are
// read the same way.
func ParseInt(raw string) (uint64, error) {
	if v, ok, err := parseDuration(raw); ok {
		return v, err
	}
	s := strings.ReplaceAll(raw, "_", "")
	s = strings.TrimRight(s, "uUlL")
	base := 10
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) > 2 && (s[:2] == "0b" || s[:2] == "0B"):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0' && !strings.ContainsAny(s, "eE"):
		base, s = 8, s[1:]
	}
	if base == 10 {
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			m, err1 := strconv.ParseUint(s[:i], 10, 64)
			e, err2 := strconv.ParseUint(s[i+1:], 10, 64)
			if err1 != nil || err2 != nil {
				return 0, fmt.Errorf("invalid integer %s", raw)
			}
			v := m
			for ; e > 0; e-- {
				if v > ^uint64(0)/10 {
					return 0, fmt.Errorf("integer %s does not fit in 64 bits", raw)
				}
				v *= 10
			}
			return v, nil
		}
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("integer %s does not fit in 64 bits", raw)
		}
		return 0, fmt.Errorf("invalid integer %s", raw)
	}
	return v, nil
}

// unquote decodes a string literal's escapes: \n \t \r \\ \" \' \a \b \f
// \v \e, \xHH and octal \NNN.
func unquote(lit string) (string, error) {
	s := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch != '\\' {
			b.WriteByte(ch)
			continue
		}
		i++
		if i >= len(s) {
			return "", errors.New("string ends in a lone backslash")
		}
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'e':
			b.WriteByte(0x1b)
		case '\\', '"', '\'', '?':
			b.WriteByte(e)
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				return "", errors.New(`\x needs hex digits`)
			}
			v, _ := strconv.ParseUint(s[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			if e >= '0' && e <= '7' {
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(s[i:j], 8, 16)
				if v > 255 {
					return "", fmt.Errorf(`octal escape \%s is out of range`, s[i:j])
				}
				b.WriteByte(byte(v))
				i = j - 1
				continue
			}
			return "", fmt.Errorf(`unknown escape \%c in string`, e)
		}
	}
	return b.String(), nil
}

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

// arg converts a call argument: a type (sizeof(struct x)) or an
// expression.
func (c *converter) arg(a *gArg) Expr {
	if a.Type != nil {
		return &TypeExpr{At: c.span(a.Pos, a.End), Type: c.typeName(c.at(a.Pos), a.Type)}
	}
	return c.expr(a.X)
}

// typeOf converts the argument of a typeof(...) written as a type.
func (c *converter) typeOf(a *gArg) *Call {
	return typeOfCall(c.at(a.Pos), c.arg(a))
}

// typeOfCall is typeof(x); typeof of a typeof (a macro passing on the
// type it was given) is that typeof.
func typeOfCall(at Pos, x Expr) *Call {
	if tc, ok := x.(*Call); ok && tc.Fun == "typeof" {
		return tc
	}
	return &Call{At: at, Fun: "typeof", Args: []Expr{x}}
}

// typeName converts a type as written. A name followed by '*' is a
// macro parameter holding a type, typeof(T): the result is T's pointer.
func (c *converter) typeName(at Pos, t *gTypeName) string {
	stars := strings.Join(t.Stars, "")
	if t.Tag != "" {
		// struct t, with t a macro parameter holding a type's bare name
		if e, ok := c.macroParam(t.Name); ok {
			text, ok := paramTypeText(e)
			if !ok || strings.ContainsAny(text, " *[") {
				c.badTypeParam(e, t.Name, t.Tag+" "+t.Name)
				text = t.Name
			}
			return strings.TrimSpace(t.Tag + " " + text + " " + stars)
		}
	}
	if t.Named == "" {
		return t.String()
	}
	if e, ok := c.macroParam(t.Named); ok {
		if base, ok := paramTypeText(e); ok {
			return base + " " + stars
		}
		c.badTypeParam(e, t.Named, t.Named+stars)
	}
	return t.Named + " " + stars
}

// typeNameText is typeText, or the name in typeof(NAME), taken as a
// type's name where a type is written around it (struct t, t *, t[2]).
func typeNameText(e Expr) (string, bool) {
	if t, ok := typeText(e); ok {
		return t, true
	}
	if tc, ok := e.(*Call); ok && tc.Fun == "typeof" && len(tc.Args) == 1 {
		if id, ok := tc.Args[0].(*Ident); ok {
			return id.Name, true
		}
	}
	return "", false
}

// paramTypeText is typeNameText of a macro argument, where a bare name
// (m(task_struct)) is a type's name too.
func paramTypeText(e Expr) (string, bool) {
	if id, ok := e.(*Ident); ok {
		return id.Name, true
	}
	return typeNameText(e)
}

// typeText is the type named by typeof(TYPE) (not by typeof(expression)).
func typeText(e Expr) (string, bool) {
	if tc, ok := e.(*Call); ok && tc.Fun == "typeof" && len(tc.Args) == 1 {
		if te, ok := tc.Args[0].(*TypeExpr); ok {
			return te.Type, true
		}
	}
	return "", false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
