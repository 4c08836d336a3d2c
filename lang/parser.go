package lang

import (
	"errors"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// maxNesting is how deeply constructs may nest in a script: blocks,
// parentheses, brackets and call arguments, prefix operators, casts, the
// branches of ?:, else-if chains and chains of postfix operators (.f, ->f,
// [i], ++) each take a level. Chains of binary operators are lists, not
// nesting: a sum of any number of terms is one level. Deeper input is
// refused with a syntax error at the token that goes past the limit,
// before any pass recurses over a tree that deep. 4096 levels leave room
// for what generators write (a chain of a thousand ?: takes a thousand
// levels), and every pass's recursion stays within a few megabytes of
// goroutine stack.
const maxNesting = 4096

// parser reads blocks, statements and expressions: it is the Parse
// method of gBlock and gExpr, which participle's grammar calls for the
// bodies of probes and macros, predicates, config values and map sizes,
// and it reads lone expressions (#define values, ParseExpr). It is
// recursive descent with one token of lookahead but for a few places
// that peek a few tokens further (a cast or a parenthesis, a type or an
// expression as an argument, a call or a name), and it parses binary
// operators by precedence climbing. Every production that nests counts a
// level, so its recursion is bounded by maxNesting.
//
// The parse tree it makes, and the errors it reports, are those of the
// participle grammar it replaces (an ordered choice of alternatives, tried
// in turn): where that grammar tried an alternative and went back to the
// next one, the parser looks ahead far enough to take the alternative
// that would have succeeded.
type parser struct {
	c     cursor
	depth int
	*slabs
}

// slabs hold the nodes made most often, allocated some at a time. A
// parser takes them from spareSlabs when it starts and gives them back
// when it is done, so that the next body (of this script or the next)
// is made in what this one left over, rather than each body starting
// small arrays of its own.
type slabs struct {
	items  slab[gItem]
	exprs  slab[gExpr]
	unarys slab[gUnary]
	prims  slab[gPrimary]
}

var spareSlabs = sync.Pool{New: func() any { return new(slabs) }}

// newParser is a parser of the tokens of c, with slabs from spareSlabs;
// done gives them back.
func newParser(c cursor) *parser {
	return &parser{c: c, slabs: spareSlabs.Get().(*slabs)}
}

func (p *parser) done() {
	spareSlabs.Put(p.slabs)
	p.slabs = nil
}

// slab hands out the elements of arrays it allocates a few at a time,
// more each time: a script's parse tree lives until it is converted, and
// dies whole. Elements it has not handed out belong to no tree.
type slab[T any] struct {
	free []T
	size int
}

func (s *slab[T]) new() *T {
	if len(s.free) == 0 {
		s.size = min(max(4, 2*s.size), 256)
		s.free = make([]T, s.size)
	}
	t := &s.free[0]
	s.free = s.free[1:]
	return t
}

// tokenBufs are lists of tokens to lex bodies into, reused from body to
// body and from script to script: the parse tree keeps no pointer into
// them.
var tokenBufs = sync.Pool{New: func() any { return new([]token) }}

// token is a token as the parser keeps it: a lexer.Token without the
// file name, in 40 bytes rather than 64.
type token struct {
	Type  lexer.TokenType
	Pos   gpos
	Value string
}

func (t *token) EOF() bool { return t.Type == lexer.EOF }

func compact(t *lexer.Token) token {
	return token{Type: t.Type, Value: t.Value,
		Pos: gpos{Line: int32(t.Pos.Line), Col: int32(t.Pos.Column), Offset: int32(t.Pos.Offset)}}
}

// cursor is where the parser is in a list of tokens: the tokens of a
// body, or those of participle's PeekingLexer, which it takes as it
// needs them and gives back the rest of when it is done (sync).
type cursor struct {
	file string
	toks []token // ends with EOF, or is pulled from pl
	i    int
	pl   *lexer.PeekingLexer
	cps  []lexer.Checkpoint // pl before each of toks
}

// at is the token n tokens after the next one.
func (c *cursor) at(n int) *token {
	for c.i+n >= len(c.toks) {
		if c.pl == nil || len(c.toks) > 0 && c.toks[len(c.toks)-1].EOF() {
			return &c.toks[len(c.toks)-1]
		}
		c.cps = append(c.cps, c.pl.MakeCheckpoint())
		c.toks = append(c.toks, compact(c.pl.Next()))
	}
	return &c.toks[c.i+n]
}

func (c *cursor) next() *token {
	t := c.at(0)
	if !t.EOF() {
		c.i++
	}
	return t
}

// lexerPos is the participle position of a token of the cursor.
func (c *cursor) lexerPos(p gpos) lexer.Position {
	return lexer.Position{Filename: c.file, Line: int(p.Line), Column: int(p.Col), Offset: int(p.Offset)}
}

// sync leaves participle's lexer after the tokens the parser took.
func (c *cursor) sync() {
	if c.pl != nil && c.i < len(c.cps) {
		c.pl.LoadCheckpoint(c.cps[c.i])
	}
}

// bailout carries a syntax error up to the parser's entry point.
type bailout struct{ err error }

// run calls f, returning the syntax error it bailed out with.
func run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	f()
	return nil
}

// Parse reads an expression for participle's grammar (participle.Parseable).
func (g *gExpr) Parse(lex *lexer.PeekingLexer) error {
	if t := compact(lex.Peek()); !startsExpr(&t) {
		return participle.NextMatch
	}
	p := newParser(cursor{pl: lex, file: lex.Peek().Pos.Filename})
	defer p.done()
	defer p.c.sync()
	return run(func() { *g = *p.expr() })
}

// Parse reads a block for participle's grammar (participle.Parseable):
// a body token, or a block that ends the script before its '}'. A body
// token is kept as it is, for parseBodies.
func (g *gBlock) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Type == tokBody {
		lex.Next()
		body := *t
		*g = gBlock{body: &body}
		return nil
	}
	if t.Value != "{" {
		return participle.NextMatch
	}
	p := newParser(cursor{pl: lex, file: t.Pos.Filename})
	defer p.done()
	defer p.c.sync()
	return run(func() { *g = *p.subBlock() })
}

// parseBody parses the body token g holds.
func (g *gBlock) parseBody() error {
	t := g.body
	buf := tokenBufs.Get().(*[]token)
	defer tokenBufs.Put(buf)
	toks, err := scriptLexDef.tokens((*buf)[:0], t.Value, t.Pos)
	*buf = toks
	if err != nil {
		return err
	}
	p := newParser(cursor{toks: toks, file: t.Pos.Filename})
	defer p.done()
	return run(func() {
		*g = *p.subBlock()
		if !p.peek().EOF() {
			p.unexpected()
		}
	})
}

// parseFile parses text (the script name, after conditionals) with fp:
// the file's grammar, then the bodies.
func parseFile(fp *participle.Parser[gFile], name string, text []byte) (*gFile, error) {
	tree, err := fp.ParseBytes(name, text)
	if err != nil {
		return nil, firstBodyError(name, text, err)
	}
	if err := parseBodies(tree); err != nil {
		return nil, err
	}
	return tree, nil
}

// The bodies of probes and macros are each one token to the file's
// grammar: a body is lexed and parsed on its own, so parseBodies parses
// them once the file's grammar has read the items, on as many CPUs as
// there are. The first body in the file with an error is the error, as
// when they were parsed in order.
func parseBodies(tree *gFile) error {
	var bodies []*gBlock
	for _, it := range tree.Items {
		switch {
		case it.Probe != nil && it.Probe.Body != nil && it.Probe.Body.body != nil:
			bodies = append(bodies, it.Probe.Body)
		case it.Macro != nil && it.Macro.Body != nil && it.Macro.Body.body != nil:
			bodies = append(bodies, it.Macro.Body)
		}
	}
	errs := make([]error, len(bodies))
	onEveryCPU(len(bodies), func(i int) { errs[i] = bodies[i].parseBody() })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// firstBodyError parses the bodies of text before the file's grammar
// failed at failed: the error of the first that has one is the error of
// the file, as when they were parsed in order.
func firstBodyError(name string, text []byte, failed error) error {
	var perr participle.Error
	if !errors.As(failed, &perr) {
		return failed
	}
	at := perr.Position().Offset
	lex, err := scriptLexDef.LexBytes(name, text)
	if err != nil {
		return failed
	}
	for {
		t, err := lex.Next()
		if err != nil || t.EOF() || t.Pos.Offset >= at {
			return failed
		}
		if t.Type == tokBody {
			g := &gBlock{body: &t}
			if err := g.parseBody(); err != nil {
				return err
			}
		}
	}
}

// parseLoneExpr parses src as one expression, lexed as the inside of a
// block.
func parseLoneExpr(name, src string) (*gExpr, error) {
	toks, err := exprLexDef.tokens(nil, src, lexer.Position{Filename: name, Line: 1, Column: 1})
	if err != nil {
		return nil, err
	}
	p := newParser(cursor{toks: toks, file: name})
	defer p.done()
	var g *gExpr
	err = run(func() {
		g = p.expr()
		if !p.peek().EOF() {
			p.unexpected()
		}
	})
	return g, err
}

func (p *parser) peek() *token { return p.c.at(0) }
func (p *parser) next() *token { return p.c.next() }

// peekAt is the token n tokens after the next one (peekAt(0) is peek()).
func (p *parser) peekAt(n int) *token { return p.c.at(n) }

// at reports whether the next token is the operator, punctuation or
// keyword s.
// end is the position just past the last token taken.
func (p *parser) end() gpos {
	if p.c.i == 0 {
		return p.peek().Pos
	}
	t := &p.c.toks[p.c.i-1]
	return tokenEnd(t.Pos, t.Value)
}

func (p *parser) at(s string) bool { return p.peek().Value == s }

func (p *parser) fail(err error) { panic(bailout{err}) }

// unexpected fails at the next token, as participle would.
func (p *parser) unexpected() {
	t := p.peek()
	p.fail(&participle.UnexpectedTokenError{Unexpected: lexer.Token{Type: t.Type, Value: t.Value, Pos: p.c.lexerPos(t.Pos)}})
}

func (p *parser) expect(s string) *token {
	if !p.at(s) {
		p.unexpected()
	}
	return p.next()
}

// enter takes a level of nesting for what t opens; leave gives it back.
func (p *parser) enter(t *token) {
	p.depth++
	if p.depth > maxNesting {
		p.fail(participle.Errorf(p.c.lexerPos(t.Pos), "nested too deeply: gotrace reads at most %d levels of blocks, parentheses and operators", maxNesting))
	}
}

func (p *parser) leave() { p.depth-- }

// subBlock is a block that is a level of nesting.
func (p *parser) subBlock() *gBlock {
	t := p.peek()
	if t.Value != "{" {
		p.unexpected()
	}
	p.enter(t)
	b := p.block()
	p.leave()
	return b
}

func (p *parser) block() *gBlock {
	open := p.expect("{")
	b := &gBlock{Pos: open.Pos}
	for p.at(";") {
		p.next()
	}
	for !p.at("}") {
		if p.peek().EOF() {
			p.unexpected()
		}
		b.Items = append(b.Items, p.item())
	}
	p.next()
	return b
}

func (p *parser) item() *gItem {
	t := p.peek()
	it := p.items.new()
	it.Pos = t.Pos
	switch {
	case t.Type == tokKeyword && t.Value == "if":
		p.next()
		it.If = p.ifChain()
	case t.Type == tokKeyword && t.Value == "while":
		p.next()
		it.While = &gWhile{Cond: p.expr()}
		it.While.Body = p.subBlock()
	case t.Type == tokKeyword && t.Value == "unroll":
		p.next()
		p.expect("(")
		it.Unroll = &gUnroll{Count: p.expr()}
		p.expect(")")
		it.Unroll.Body = p.subBlock()
	case t.Type == tokKeyword && t.Value == "for":
		p.next()
		it.For = p.forLoop()
	case t.Type == tokKeyword && (t.Value == "break" || t.Value == "continue" || t.Value == "return"):
		it.Jump = p.next().Value
		if it.Jump == "return" && startsExpr(p.peek()) {
			it.Ret = p.expr()
		}
	case t.Type == tokIdent && t.Value == "let" && p.peekAt(1).Type == tokVar:
		p.next()
		it.Let = p.let()
	case t.Value == "{":
		it.Block = p.subBlock()
	default:
		it.Simple = p.simple()
	}
	for p.at(";") {
		p.next()
		it.Semis++
	}
	return it
}

// ifChain reads an if statement after `if`, with its else-if chain: a
// list here, but nested in the tree, so each else-if is a level.
func (p *parser) ifChain() *gIf {
	first := &gIf{Pos: p.peek().Pos, Cond: p.expr()}
	first.Then = p.subBlock()
	cur, levels := first, 0
	for p.at("else") {
		e := p.next()
		if !p.at("if") {
			cur.Else = p.subBlock()
			break
		}
		p.next()
		p.enter(e)
		levels++
		next := &gIf{Pos: p.peek().Pos, Cond: p.expr()}
		next.Then = p.subBlock()
		cur.ElseIf, cur = next, next
	}
	p.depth -= levels
	return first
}

func (p *parser) forLoop() *gFor {
	f := &gFor{Pos: p.peek().Pos}
	if p.at("(") {
		p.next()
		f.Open = true
	}
	f.Var = p.variable()
	p.expect(":")
	if p.peek().Type == tokMap {
		f.Map = p.mapExpr()
	} else {
		f.Lo = p.expr()
		p.expect("..")
		f.Hi = p.expr()
	}
	if p.at(")") {
		p.next()
		f.Close = true
	}
	f.Body = p.subBlock()
	return f
}

func (p *parser) variable() *gVar {
	t := p.peek()
	if t.Type != tokVar {
		p.unexpected()
	}
	p.next()
	return &gVar{Pos: t.Pos, Name: t.Value}
}

// let reads a declaration after `let`.
func (p *parser) let() *gLet {
	l := &gLet{Var: p.variable()}
	if p.at(":") {
		p.next()
		l.Type = p.letType()
	}
	if p.at("=") {
		p.next()
		l.Value = p.expr()
	}
	return l
}

func (p *parser) letType() *gLetType {
	lt := &gLetType{}
	t := p.peek()
	switch {
	case t.Type == tokIdent && t.Value == "typeof" && p.peekAt(1).Value == "(":
		p.next()
		p.enter(p.next())
		lt.TypeOf = p.arg()
		p.expect(")")
		p.leave()
	case p.startsTypeName():
		lt.Name = p.typeName()
	case t.Type == tokIdent:
		lt.Word = p.next().Value
	default:
		p.unexpected()
	}
	if p.at("[") {
		p.next()
		n := p.peek()
		if n.Type != tokInt {
			p.unexpected()
		}
		p.next()
		v := n.Value // not a pointer into the token list, which is reused
		lt.Len = &v
		p.expect("]")
	}
	return lt
}

// assignOps are the assignment operators.
var assignOps = map[string]bool{"=": true, "+=": true, "-=": true, "*=": true, "/=": true, "%=": true,
	"&=": true, "|=": true, "^=": true, "<<=": true, ">>=": true}

func (p *parser) simple() *gSimple {
	s := &gSimple{X: p.expr()}
	if t := p.peek(); assignOps[t.Value] {
		p.next()
		s.Assign = &gAssign{Pos: t.Pos, Op: t.Value, Y: p.expr()}
		s.Assign.End = p.end()
	}
	return s
}

// startsExpr reports whether t can begin an expression.
func startsExpr(t *token) bool {
	switch t.Type {
	case tokInt, tokString, tokIdent, tokMap, tokVar, tokPosPar:
		return true
	case tokKeyword:
		return t.Value == "true" || t.Value == "false"
	case tokEOF:
		return false
	}
	switch t.Value {
	case "-", "+", "!", "~", "*", "&", "++", "--", "(", "{":
		return true
	}
	return false
}

func (p *parser) expr() *gExpr { return p.exprFrom(nil) }

// exprFrom reads an expression; when first is not nil, it is the
// expression's first primary, read already.
func (p *parser) exprFrom(first *gPrimary) *gExpr {
	g := p.exprs.new()
	g.Pos = p.peek().Pos
	var x *gUnary
	if first != nil {
		g.Pos = first.Pos
		x = p.unarys.new()
		*x = gUnary{Pos: first.Pos, Prim: first, Ops: p.postfix()}
		x.End = p.end()
	}
	g.Cond = p.binary(1, x)
	if q := p.peek(); q.Value == "?" {
		p.next()
		p.enter(q)
		g.Tail = &gTern{}
		if startsExpr(p.peek()) {
			g.Tail.Then = p.expr()
		}
		p.expect(":")
		g.Tail.Else = p.expr()
		p.leave()
	}
	g.End = p.end()
	return g
}

// binaryPrec is the precedence of the binary operator t, or 0.
func binaryPrec(t *token) int {
	switch t.Value {
	case "||":
		return 1
	case "&&":
		return 2
	case "|":
		return 3
	case "^":
		return 4
	case "&":
		return 5
	case "==", "!=":
		return 6
	case "<", "<=", ">", ">=":
		return 7
	case "<<", ">>":
		return 8
	case "+", "-":
		return 9
	case "*", "%":
		return 10
	case "/":
		// not the '/' that ends a predicate
		if t.Type == tokOp || t.Type == tokNestOp {
			return 10
		}
	}
	return 0
}

// binary reads operands joined by binary operators of precedence
// minPrec and higher, by precedence climbing; first, when not nil, is
// the first operand. Operators of one level are left-associative and
// make one gBinary.
func (p *parser) binary(minPrec int, first *gUnary) gOperand {
	var x gOperand = first
	if first == nil {
		x = p.unary()
	}
	var chain *gBinary
	chainPrec := 0
	for {
		t := p.peek()
		prec := binaryPrec(t)
		if prec == 0 || prec < minPrec {
			return x
		}
		p.next()
		op := &gBinOp{Pos: t.Pos, Op: t.Value, Y: p.binary(prec+1, nil)}
		op.End = p.end()
		if chain != nil && prec == chainPrec {
			chain.Rest = append(chain.Rest, op)
			continue
		}
		chain, chainPrec = &gBinary{X: x, Rest: []*gBinOp{op}}, prec
		x = chain
	}
}

func (p *parser) unary() *gUnary {
	t := p.peek()
	switch t.Value {
	case "-", "+", "!", "~", "*", "&", "++", "--":
		p.next()
		p.enter(t)
		x := p.unary()
		p.leave()
		u := p.unarys.new()
		*u = gUnary{Pos: t.Pos, End: p.end(), Op: t.Value, X: x}
		return u
	case "(":
		if u := p.castOrParen(); u != nil {
			return u
		}
	}
	prim := p.primary()
	prim.End = p.end()
	u := p.unarys.new()
	*u = gUnary{Pos: t.Pos, Prim: prim, Ops: p.postfix()}
	u.End = p.end()
	return u
}

// castOrParen reads what follows a '(' when it is a cast, or when it is
// a parenthesis that begins with typeof(x) (which cannot be told from a
// cast to typeof(x) until after it). It returns nil, having read nothing,
// for a parenthesis of another kind.
//
// A cast is (type)operand with type one of: typeof(x); struct, union or
// enum and a name; a type keyword; a name and '*'s; or a name alone,
// when what follows the ')' can only begin an operand, and each may be
// followed by [N] or [] for an array. In (typeof(x)) and (name *) the
// type is a cast only when an operand follows.
func (p *parser) castOrParen() *gUnary {
	t1, t2 := p.peekAt(1), p.peekAt(2)
	switch {
	case t1.Type == tokIdent && t1.Value == "typeof" && t2.Value == "(":
		return p.typeofCastOrParen()
	case t1.Type == tokKeyword && (t1.Value == "struct" || t1.Value == "union" || t1.Value == "enum"), t1.Type == tokTypeKw:
		return p.cast(false)
	case t1.Type == tokIdent && t2.Value == "*":
		n := 2
		for p.peekAt(n).Value == "*" {
			n++
		}
		if n, ok := p.arrLenAt(n); ok && p.peekAt(n).Value == ")" {
			return p.cast(false)
		}
	case t1.Type == tokIdent && t2.Value == ")" && startsBareOperand(p.peekAt(3)):
		return p.cast(true)
	}
	return nil
}

// startsBareOperand reports whether t, after (name), makes it a cast.
func startsBareOperand(t *token) bool {
	switch t.Type {
	case tokInt, tokString, tokVar, tokMap, tokPosPar, tokIdent, tokTypeKw:
		return true
	case tokKeyword:
		return t.Value == "true" || t.Value == "false"
	case tokEOF:
		return false
	}
	return t.Value == "(" || t.Value == "!" || t.Value == "~"
}

// arrLenAt is the position after an array length ([N] or []) that
// begins n tokens ahead, or n when there is none; ok is false for a '['
// that begins something else.
func (p *parser) arrLenAt(n int) (int, bool) {
	if !(p.peekAt(n).Value == "[") {
		return n, true
	}
	if p.peekAt(n+1).Value == "]" {
		return n + 2, true
	}
	if p.peekAt(n+1).Type == tokInt && p.peekAt(n+2).Value == "]" {
		return n + 3, true
	}
	return n, false
}

// operandAt reports whether an operand begins n tokens ahead, after any
// ++ and -- (which would otherwise be postfix operators).
func (p *parser) operandAt(n int) bool {
	for {
		t := p.peekAt(n)
		if t.Value != "++" && t.Value != "--" {
			return startsExpr(t)
		}
		n++
	}
}

// cast reads a cast to a type name, or to a bare name.
func (p *parser) cast(bare bool) *gUnary {
	open := p.next()
	c := &gCast{}
	if bare {
		c.Bare = p.next().Value
	} else {
		c.Type = p.typeName()
	}
	if p.at("[") {
		c.Arr = p.arrLen()
	}
	p.expect(")")
	p.enter(open)
	c.X = p.unary()
	p.leave()
	return &gUnary{Pos: open.Pos, End: p.end(), Cast: c}
}

// typeofCastOrParen reads (typeof(x))operand, a cast, or a parenthesis
// that begins with a call of typeof.
func (p *parser) typeofCastOrParen() *gUnary {
	open := p.next()
	p.enter(open)
	fun := p.next()
	args := p.next()
	p.enter(args)
	arg := p.arg()
	if p.at(")") {
		if n, ok := p.arrLenAt(1); ok && p.peekAt(n).Value == ")" && p.operandAt(n+1) {
			p.next()
			p.leave()
			c := &gCast{TypeOf: arg}
			if p.at("[") {
				c.Arr = p.arrLen()
			}
			p.expect(")")
			c.X = p.unary()
			p.leave()
			return &gUnary{Pos: open.Pos, End: p.end(), Cast: c}
		}
	}
	// (typeof(x, ...) ...): the call is the first operand in the parenthesis
	call := &gCall{Fun: fun.Value, Args: []*gArg{arg}}
	p.callArgs(call)
	p.leave()
	prim := p.parenFrom(open, &gPrimary{Pos: fun.Pos, End: p.end(), Kind: primCall, Call: call})
	p.leave()
	prim.End = p.end()
	u := &gUnary{Pos: open.Pos, Prim: prim, Ops: p.postfix()}
	u.End = p.end()
	return u
}

func (p *parser) arrLen() *gArrLen {
	p.expect("[")
	a := &gArrLen{}
	if t := p.peek(); t.Type == tokInt {
		p.next()
		v := t.Value // not a pointer into the token list, which is reused
		a.N = &v
	}
	p.expect("]")
	return a
}

// startsTypeName reports whether a type name begins at the next token.
func (p *parser) startsTypeName() bool {
	t := p.peek()
	switch t.Type {
	case tokKeyword:
		return t.Value == "struct" || t.Value == "union" || t.Value == "enum"
	case tokTypeKw:
		return true
	case tokIdent:
		return p.peekAt(1).Value == "*"
	}
	return false
}

func (p *parser) typeName() *gTypeName {
	n := &gTypeName{}
	t := p.peek()
	switch {
	case t.Type == tokKeyword && (t.Value == "struct" || t.Value == "union" || t.Value == "enum"):
		n.Tag = p.next().Value
		name := p.peek()
		if name.Type != tokIdent && name.Type != tokTypeKw {
			p.unexpected()
		}
		n.Name = p.next().Value
	case t.Type == tokTypeKw:
		n.Base = p.next().Value
	case t.Type == tokIdent && p.peekAt(1).Value == "*":
		n.Named = p.next().Value
	default:
		p.unexpected()
	}
	for p.at("*") {
		n.Stars = append(n.Stars, p.next().Value)
	}
	return n
}

// postfix reads the postfix operators after a primary. A chain of them
// nests in the tree, so each is a level.
func (p *parser) postfix() []*gPostOp {
	var ops []*gPostOp
	depth := p.depth
	for {
		t := p.peek()
		switch t.Value {
		case ".", "->":
			p.next()
			n := p.peek()
			if !(n.Type == tokIdent || n.Type == tokTypeKw || n.Type == tokKeyword || n.Type == tokInt && t.Value == ".") {
				p.unexpected()
			}
			p.next()
			p.enter(t)
			ops = append(ops, &gPostOp{Pos: t.Pos, End: p.end(), Op: t.Value, Name: n.Value})
		case "[":
			p.next()
			p.enter(t)
			op := &gPostOp{Pos: t.Pos, Op: t.Value, Index: p.expr()}
			p.expect("]")
			op.End = p.end()
			ops = append(ops, op)
		case "++", "--":
			p.next()
			p.enter(t)
			ops = append(ops, &gPostOp{Pos: t.Pos, End: p.end(), Op: t.Value})
		default:
			p.depth = depth
			return ops
		}
	}
}

func (p *parser) primary() *gPrimary {
	t := p.peek()
	g := p.prims.new()
	*g = gPrimary{Pos: t.Pos, Text: t.Value}
	switch t.Type {
	case tokInt:
		p.next()
		g.Kind = primInt
		return g
	case tokString:
		p.next()
		g.Kind = primString
		return g
	case tokKeyword:
		if t.Value == "true" || t.Value == "false" {
			p.next()
			g.Kind = primBool
			return g
		}
		if t.Value == "if" {
			// an if used as a value: its branches are block expressions
			p.next()
			p.enter(t)
			g.Kind, g.Text, g.If = primIf, "", p.ifChain()
			p.leave()
			return g
		}
	case tokIdent:
		if n := p.peekAt(1); n.Value == "(" || n.Value == "!" && p.peekAt(2).Value == "(" {
			g.Kind, g.Text, g.Call = primCall, "", p.call()
		} else {
			p.next()
			g.Kind = primIdent
		}
		return g
	case tokMap:
		g.Kind, g.Text, g.Map = primMap, "", p.mapExpr()
		return g
	case tokVar:
		p.next()
		g.Kind = primVar
		return g
	case tokPosPar:
		p.next()
		g.Kind = primParam
		return g
	}
	switch t.Value {
	case "(":
		open := p.next()
		p.enter(open)
		g = p.parenFrom(open, nil)
		p.leave()
		return g
	case "{":
		p.enter(t)
		g.Kind, g.Text, g.Block = primBlock, "", p.block()
		p.leave()
		return g
	}
	p.unexpected()
	return nil
}

// parenFrom reads a parenthesis or tuple after its '('; first, when not
// nil, is the first element's first primary, read already.
func (p *parser) parenFrom(open *token, first *gPrimary) *gPrimary {
	par := &gParen{}
	if first != nil {
		par.Elems = append(par.Elems, &gElem{X: p.exprFrom(first)})
	} else {
		par.Elems = append(par.Elems, p.elem())
	}
	for p.at(",") {
		p.next()
		par.Elems = append(par.Elems, p.elem())
	}
	p.expect(")")
	return &gPrimary{Pos: open.Pos, Kind: primParen, Paren: par}
}

// elem is a tuple element, which may be named: name = value (but not
// name == value).
func (p *parser) elem() *gElem {
	e := &gElem{}
	if t := p.peek(); t.Type == tokIdent && p.peekAt(1).Value == "=" && p.peekAt(2).Value != "=" {
		e.Name = t.Value
		p.next()
		p.next()
	}
	e.X = p.expr()
	return e
}

func (p *parser) call() *gCall {
	c := &gCall{Fun: p.next().Value}
	if p.at("!") {
		p.next()
		c.Bang = true
	}
	open := p.expect("(")
	p.enter(open)
	if !p.at(")") {
		c.Args = append(c.Args, p.arg())
	}
	p.callArgs(c)
	p.leave()
	return c
}

// callArgs reads the arguments after the first and the ')'.
func (p *parser) callArgs(c *gCall) {
	for p.at(",") {
		p.next()
		c.Args = append(c.Args, p.arg())
	}
	end := p.expect(")")
	c.EndPos = end.Pos
	c.EndPos.Col++ // ')' is one byte
	c.EndPos.Offset++
}

// arg reads a call argument: a type when what follows it ends the
// argument, else an expression.
func (p *parser) arg() *gArg {
	t := p.peek()
	a := &gArg{Pos: t.Pos}
	defer func() { a.End = p.end() }()
	if !p.startsTypeName() {
		a.X = p.expr()
		return a
	}
	named := t.Type == tokIdent
	mark := p.c.i
	ty := p.typeName()
	switch {
	case p.at(",") || p.at(")"):
		a.Type = ty
	case named:
		// a * b: an expression
		p.c.i = mark
		a.X = p.expr()
	default:
		p.unexpected()
	}
	return a
}

func (p *parser) mapExpr() *gMap {
	t := p.next()
	m := &gMap{Pos: t.Pos, Name: t.Value}
	if open := p.peek(); open.Value == "[" {
		p.next()
		p.enter(open)
		m.Keys = append(m.Keys, p.expr())
		for p.at(",") {
			p.next()
			m.Keys = append(m.Keys, p.expr())
		}
		p.expect("]")
		p.leave()
	}
	m.End = p.end()
	return m
}
