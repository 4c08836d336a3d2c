package cc

import "strings"

// block parses { statements } in a scope of its own.
func (p *parser) block() *Block {
	open := p.expect("{", "to open the block")
	b := &Block{At: open.pos}
	p.pushScope()
	defer p.popScope()
	for !p.is("}") {
		if p.tok().kind == tEOF {
			p.fail(open.pos, "missing '}' to close the block opened here")
		}
		b.Stmts = append(b.Stmts, p.stmt())
	}
	p.next()
	return b
}

// stmt parses a statement, a declaration included.
func (p *parser) stmt() Stmt {
	p.enter()
	defer p.leave()
	t := p.tok()
	if t.kind == tPunct {
		switch t.text {
		case "{":
			return p.block()
		case ";":
			p.next()
			return &ExprStmt{At: t.pos}
		}
	}
	if t.kind == tIdent {
		switch t.text {
		case "if":
			p.next()
			s := &IfStmt{At: t.pos}
			s.Cond = p.parenExpr("if")
			s.Then = p.stmt()
			if p.isKw("else") {
				p.next()
				s.Else = p.stmt()
			}
			return s
		case "while":
			p.next()
			s := &WhileStmt{At: t.pos}
			s.Cond = p.parenExpr("while")
			s.Body = p.stmt()
			return s
		case "do":
			p.next()
			s := &DoStmt{At: t.pos}
			s.Body = p.stmt()
			if !p.isKw("while") {
				p.fail(p.tok().pos, "expected 'while' after the body of do, found %s", describe(p.tok()))
			}
			p.next()
			s.Cond = p.parenExpr("do-while")
			p.expect(";", "after do-while")
			return s
		case "for":
			return p.forStmt()
		case "switch":
			p.next()
			s := &SwitchStmt{At: t.pos}
			s.X = p.parenExpr("switch")
			s.Body = p.stmt()
			return s
		case "case":
			p.next()
			s := &CaseStmt{At: t.pos, Value: p.condExpr()}
			p.expect(":", "after the case value")
			s.Stmt = p.labelled()
			return s
		case "default":
			p.next()
			p.expect(":", "after 'default'")
			return &CaseStmt{At: t.pos, Stmt: p.labelled()}
		case "return":
			p.next()
			s := &ReturnStmt{At: t.pos}
			if !p.is(";") {
				s.X = p.expr()
			}
			p.expect(";", "after the return statement")
			return s
		case "break":
			p.next()
			p.expect(";", "after 'break'")
			return &BreakStmt{At: t.pos}
		case "continue":
			p.next()
			p.expect(";", "after 'continue'")
			return &ContinueStmt{At: t.pos}
		case "goto":
			p.next()
			n := p.tok()
			if n.kind != tIdent || keywords[n.text] {
				p.fail(n.pos, "expected a label name after 'goto', found %s", describe(n))
			}
			p.next()
			p.expect(";", "after the goto statement")
			return &GotoStmt{At: t.pos, Label: n.text}
		case "_Static_assert":
			p.staticAssert()
			return &ExprStmt{At: t.pos}
		case "asm", "__asm__", "__asm":
			p.fail(t.pos, "inline assembly is not supported by gotrace's C compiler")
		case "else":
			p.fail(t.pos, "'else' without a matching 'if'")
		}
		if !keywords[t.text] && p.isAt(1, ":") {
			p.next()
			p.next()
			return &LabelStmt{At: t.pos, Name: t.text, Stmt: p.labelled()}
		}
		if p.isTypeStart(0) {
			s := p.specs(true)
			if !s.hasType && p.is(";") {
				// __attribute__((fallthrough)); and the like.
				p.next()
				return &ExprStmt{At: t.pos}
			}
			return &DeclStmt{At: s.at, Decls: p.declRest(s, false)}
		}
		if n := p.peek(1); n.kind == tIdent && !keywords[t.text] && !keywords[n.text] {
			p.fail(t.pos, "unknown type name '%s'", t.text)
		}
	}
	x := p.expr()
	p.expect(";", "after the expression")
	return &ExprStmt{At: t.pos, X: x}
}

// labelled parses the statement after a label; a label right before '}'
// labels an empty statement.
func (p *parser) labelled() Stmt {
	if p.is("}") {
		return &ExprStmt{At: p.tok().pos}
	}
	return p.stmt()
}

func (p *parser) parenExpr(what string) Expr {
	p.expect("(", "after '"+what+"'")
	x := p.expr()
	p.expect(")", "after the condition of '"+what+"'")
	return x
}

func (p *parser) forStmt() Stmt {
	t := p.next()
	s := &ForStmt{At: t.pos}
	p.expect("(", "after 'for'")
	p.pushScope()
	defer p.popScope()
	switch {
	case p.is(";"):
		p.next()
	case p.isTypeStart(0):
		ds := p.specs(true)
		s.Init = &DeclStmt{At: ds.at, Decls: p.declRest(ds, false)}
	default:
		at := p.tok().pos
		s.Init = &ExprStmt{At: at, X: p.expr()}
		p.expect(";", "after the initialization of 'for'")
	}
	if !p.is(";") {
		s.Cond = p.expr()
	}
	p.expect(";", "after the condition of 'for'")
	if !p.is(")") {
		s.Post = p.expr()
	}
	p.expect(")", "to close 'for ('")
	s.Body = p.stmt()
	return s
}

// expr parses an expression, the comma operator included.
func (p *parser) expr() Expr {
	x := p.assign()
	for p.is(",") {
		op := p.next()
		x = &Binary{At: op.pos, Op: ",", X: x, Y: p.assign()}
	}
	return x
}

var assignOps = map[string]bool{
	"=": true, "+=": true, "-=": true, "*=": true, "/=": true, "%=": true,
	"<<=": true, ">>=": true, "&=": true, "^=": true, "|=": true,
}

// assign parses an assignment expression (right-associative).
func (p *parser) assign() Expr {
	x := p.condExpr()
	if t := p.tok(); t.kind == tPunct && assignOps[t.text] {
		p.next()
		p.enter()
		defer p.leave()
		return &Assign{At: t.pos, Op: t.text, X: x, Y: p.assign()}
	}
	return x
}

// condExpr parses a conditional expression (a constant expression where
// C wants one).
func (p *parser) condExpr() Expr {
	x := p.binary(1)
	if p.is("?") {
		q := p.next()
		p.enter()
		defer p.leave()
		c := &Cond{At: q.pos, C: x}
		if !p.is(":") { // GNU `a ?: b` leaves Then out
			c.Then = p.expr()
		}
		p.expect(":", "in the conditional expression")
		c.Else = p.condExpr()
		return c
	}
	return x
}

var binPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

// binary parses binary operators of precedence min and tighter, each
// level left-associative.
func (p *parser) binary(min int) Expr {
	x := p.castExpr()
	for {
		t := p.tok()
		prec, ok := binPrec[t.text]
		if t.kind != tPunct || !ok || prec < min {
			return x
		}
		p.next()
		x = &Binary{At: t.pos, Op: t.text, X: x, Y: p.binary(prec + 1)}
	}
}

// castExpr parses a cast, a compound literal or a unary expression. A
// '(' starts a cast when the token after it starts a type name.
func (p *parser) castExpr() Expr {
	p.enter()
	defer p.leave()
	if p.is("(") && p.isTypeStart(1) {
		open := p.next()
		t := p.typeName()
		p.expect(")", "after the type name")
		if p.is("{") {
			return p.postfix(&CompoundLit{At: open.pos, Type: t, Init: p.initList()})
		}
		return &Cast{At: open.pos, Type: t, X: p.castExpr()}
	}
	if p.is("(") && p.peek(1).kind == tIdent && p.isAt(2, ")") && !keywords[p.peek(1).text] {
		// (name)x where name is no type we know: a cast to an unknown type.
		if n := p.peek(3); n.kind == tIdent || n.kind == tNumber || n.kind == tChar {
			p.fail(p.peek(1).pos, "unknown type name '%s'", p.peek(1).text)
		}
	}
	return p.unary()
}

func (p *parser) unary() Expr {
	t := p.tok()
	if t.kind == tPunct {
		switch t.text {
		case "++", "--":
			p.next()
			p.enter()
			defer p.leave()
			return &Unary{At: t.pos, Op: t.text, X: p.unary()}
		case "-", "+", "!", "~", "*", "&":
			p.next()
			return &Unary{At: t.pos, Op: t.text, X: p.castExpr()}
		}
	}
	if t.kind == tIdent {
		switch t.text {
		case "sizeof", "_Alignof", "__alignof__", "__alignof":
			p.next()
			s := &Sizeof{At: t.pos, Align: t.text != "sizeof"}
			if p.is("(") && p.isTypeStart(1) {
				open := p.next()
				ty := p.typeName()
				p.expect(")", "after the type name")
				if p.is("{") {
					s.X = p.postfix(&CompoundLit{At: open.pos, Type: ty, Init: p.initList()})
					return s
				}
				s.Type = ty
				return s
			}
			p.enter()
			defer p.leave()
			s.X = p.unary()
			return s
		}
	}
	return p.postfix(p.primary())
}

func (p *parser) postfix(x Expr) Expr {
	for {
		t := p.tok()
		if t.kind != tPunct {
			return x
		}
		switch t.text {
		case "[":
			p.next()
			i := p.expr()
			p.expect("]", "after the index")
			x = &Index{At: t.pos, X: x, I: i}
		case "(":
			p.next()
			c := &Call{At: PosOf(x), Fun: x}
			for !p.is(")") {
				c.Args = append(c.Args, p.assign())
				if !p.is(",") {
					break
				}
				p.next()
			}
			p.expect(")", "after the arguments")
			x = c
		case ".", "->":
			p.next()
			n := p.tok()
			if n.kind != tIdent || keywords[n.text] {
				p.fail(n.pos, "expected a member name after '%s', found %s", t.text, describe(n))
			}
			p.next()
			x = &Member{At: t.pos, X: x, Name: n.text, Arrow: t.text == "->"}
		case "++", "--":
			p.next()
			x = &Postfix{At: t.pos, Op: t.text, X: x}
		default:
			return x
		}
	}
}

func (p *parser) primary() Expr {
	t := p.tok()
	switch t.kind {
	case tIdent:
		if t.text == "__builtin_offsetof" {
			return p.offsetof()
		}
		if keywords[t.text] {
			if specWords[t.text] {
				p.fail(t.pos, "expected an expression, found the type '%s'", t.text)
			}
			p.fail(t.pos, "expected an expression, found %s", describe(t))
		}
		p.next()
		return &Ident{At: t.pos, Name: t.text}
	case tNumber:
		p.next()
		v, u, longs, dec, msg := parseInt(t.text)
		if msg != "" {
			p.errs.Add(t.pos, "%s", msg)
		}
		return &IntLit{At: t.pos, Value: v, Unsigned: u, Longs: longs, Decimal: dec}
	case tChar:
		p.next()
		v, msg := parseChar(t.text)
		if msg != "" {
			p.errs.Add(t.pos, "%s", msg)
		}
		return &IntLit{At: t.pos, Value: v, Char: true}
	case tString:
		return p.stringLit()
	case tPunct:
		if t.text == "(" {
			p.next()
			if p.is("{") {
				p.fail(t.pos, "statement expressions ({ ... }) are not supported by gotrace's C compiler")
			}
			x := p.expr()
			p.expect(")", "to close the parenthesis")
			return x
		}
	}
	p.fail(t.pos, "expected an expression, found %s", describe(t))
	return nil
}

// stringLit parses adjacent string literals into one.
func (p *parser) stringLit() *StringLit {
	s := &StringLit{At: p.tok().pos}
	var b strings.Builder
	for p.tok().kind == tString {
		t := p.next()
		v, msg := unquote(t.text)
		if msg != "" {
			p.errs.Add(t.pos, "%s", msg)
		}
		b.WriteString(v)
	}
	s.Value = b.String()
	return s
}

// offsetof parses __builtin_offsetof(type, member designator).
func (p *parser) offsetof() Expr {
	t := p.next()
	p.expect("(", "after '__builtin_offsetof'")
	o := &Offsetof{At: t.pos}
	o.Type = p.typeName()
	p.expect(",", "after the type in offsetof")
	for {
		n := p.tok()
		if n.kind != tIdent || keywords[n.text] {
			p.fail(n.pos, "expected a member name in offsetof, found %s", describe(n))
		}
		p.next()
		elem := n.text
		for p.is("[") {
			open := p.next()
			var b strings.Builder
			b.WriteString("[")
			depth := 0
			for {
				x := p.next()
				if x.kind == tEOF {
					p.fail(open.pos, "missing ']' in offsetof")
				}
				if x.kind == tPunct && x.text == "[" {
					depth++
				}
				if x.kind == tPunct && x.text == "]" {
					if depth == 0 {
						break
					}
					depth--
				}
				b.WriteString(x.text)
			}
			b.WriteString("]")
			elem += b.String()
		}
		o.Path = append(o.Path, elem)
		if !p.is(".") {
			break
		}
		p.next()
	}
	p.expect(")", "after the member in offsetof")
	return o
}

// initializer parses an initializer: an expression or a brace list.
func (p *parser) initializer() Expr {
	if p.is("{") {
		return p.initList()
	}
	return p.assign()
}

// initList parses { items } with designators and a trailing comma.
func (p *parser) initList() *InitList {
	p.enter()
	defer p.leave()
	open := p.expect("{", "to open the initializer list")
	l := &InitList{At: open.pos}
	for !p.is("}") {
		item := &InitItem{At: p.tok().pos}
		for {
			if p.is(".") {
				p.next()
				n := p.tok()
				if n.kind != tIdent || keywords[n.text] {
					p.fail(n.pos, "expected a member name after '.', found %s", describe(n))
				}
				p.next()
				item.Designator = append(item.Designator, Designator{Field: n.text})
				continue
			}
			if p.is("[") {
				p.next()
				d := Designator{Index: p.condExpr()}
				p.expect("]", "after the index in the designator")
				item.Designator = append(item.Designator, d)
				continue
			}
			break
		}
		if len(item.Designator) > 0 {
			p.expect("=", "after the designator")
		}
		item.Value = p.initializer()
		l.Items = append(l.Items, item)
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect("}", "at the end of the initializer list")
	return l
}
