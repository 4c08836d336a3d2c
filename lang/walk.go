package lang

// Inspect walks the tree under n in depth-first order, calling visit for
// each node; when visit returns false the node's children are skipped.
func Inspect(n Node, visit func(Node) bool) {
	if n == nil || !visit(n) {
		return
	}
	// The children are walked by direct calls, without closures or
	// variadic lists: a chain of n operators is n levels of this
	// function, and its stack frame is what each level costs.
	switch n := n.(type) {
	case *Block:
		inspectBlock(n, visit)
	case *ExprStmt:
		inspectExpr(n.X, visit)
	case *AssignStmt:
		inspectExpr(n.Lhs, visit)
		inspectExpr(n.Rhs, visit)
	case *LetStmt:
		inspectExpr(n.Var, visit)
		inspectExpr(n.Value, visit)
	case *IfStmt:
		inspectExpr(n.Cond, visit)
		inspectBlock(n.Then, visit)
		if n.Else != nil {
			Inspect(n.Else, visit)
		}
	case *WhileStmt:
		inspectExpr(n.Cond, visit)
		inspectBlock(n.Body, visit)
	case *UnrollStmt:
		inspectExpr(n.Count, visit)
		inspectBlock(n.Body, visit)
	case *ForStmt:
		inspectExpr(n.Var, visit)
		if n.Map != nil {
			inspectExpr(n.Map, visit)
		}
		inspectExpr(n.Lo, visit)
		inspectExpr(n.Hi, visit)
		inspectBlock(n.Body, visit)
	case *BlockStmt:
		inspectBlock(n.Body, visit)
	case *MapExpr:
		inspectExprs(n.Keys, visit)
	case *Call:
		inspectExprs(n.Args, visit)
	case *Binary:
		inspectExpr(n.X, visit)
		inspectExpr(n.Y, visit)
	case *Unary:
		inspectExpr(n.X, visit)
	case *Ternary:
		inspectExpr(n.Cond, visit)
		inspectExpr(n.Then, visit)
		inspectExpr(n.Else, visit)
	case *Field:
		inspectExpr(n.X, visit)
	case *Index:
		inspectExpr(n.X, visit)
		inspectExpr(n.Index, visit)
	case *Cast:
		inspectExpr(n.X, visit)
	case *Tuple:
		inspectExprs(n.Elems, visit)
	case *Paren:
		inspectExpr(n.X, visit)
	case *BlockExpr:
		for _, s := range n.Stmts {
			Inspect(s, visit)
		}
		inspectExpr(n.Value, visit)
	}
}

// inspectExpr is Inspect of an expression that may be missing (nil).
func inspectExpr(e Expr, visit func(Node) bool) {
	if e != nil {
		Inspect(e, visit)
	}
}

func inspectExprs(es []Expr, visit func(Node) bool) {
	for _, e := range es {
		inspectExpr(e, visit)
	}
}

// inspectBlock is Inspect of the statements of a block that may be
// missing (nil).
func inspectBlock(b *Block, visit func(Node) bool) {
	if b != nil {
		for _, s := range b.Stmts {
			Inspect(s, visit)
		}
	}
}

// KeyArgs is what a key argument of delete(@m, k) or has_key(@m, k)
// stands for: a tuple literal (k1, k2) spreads into the keys of a
// multi-key map; anything else is one key.
func KeyArgs(k Expr) []Expr {
	for {
		p, ok := k.(*Paren)
		if !ok {
			break
		}
		k = p.X
	}
	if t, ok := k.(*Tuple); ok {
		return t.Elems
	}
	return []Expr{k}
}

// Rewrite replaces the expressions under n, children before their
// parents, with what f returns for each (f returns its argument to keep
// it), and returns n, or what f made of n when n is an expression. It
// reaches every expression Inspect does, and the arguments of typeof(...)
// in casts and let declarations.
func Rewrite(n Node, f func(Expr) Expr) Node {
	r := rewriter{f}
	switch n := n.(type) {
	case Stmt:
		r.stmt(n)
	case *Block:
		r.block(n)
	case Expr:
		r.expr(&n)
		return n
	}
	return n
}

type rewriter struct{ f func(Expr) Expr }

func (r rewriter) block(b *Block) {
	if b != nil {
		for _, s := range b.Stmts {
			r.stmt(s)
		}
	}
}

func (r rewriter) exprs(es []Expr) {
	for i := range es {
		r.expr(&es[i])
	}
}

func (r rewriter) stmt(s Stmt) {
	switch s := s.(type) {
	case *ExprStmt:
		r.expr(&s.X)
	case *AssignStmt:
		r.expr(&s.Lhs)
		r.expr(&s.Rhs)
	case *LetStmt:
		if s.TypeOf != nil {
			r.exprs(s.TypeOf.Args)
		}
		r.expr(&s.Value)
	case *IfStmt:
		r.expr(&s.Cond)
		r.block(s.Then)
		if s.Else != nil {
			r.stmt(s.Else)
		}
	case *WhileStmt:
		r.expr(&s.Cond)
		r.block(s.Body)
	case *UnrollStmt:
		r.expr(&s.Count)
		r.block(s.Body)
	case *ForStmt:
		if s.Map != nil {
			r.exprs(s.Map.Keys)
		}
		r.expr(&s.Lo)
		r.expr(&s.Hi)
		r.block(s.Body)
	case *BlockStmt:
		r.block(s.Body)
	}
}

func (r rewriter) expr(p *Expr) {
	if *p == nil {
		return
	}
	switch e := (*p).(type) {
	case *MapExpr:
		r.exprs(e.Keys)
	case *Call:
		r.exprs(e.Args)
	case *Binary:
		r.expr(&e.X)
		r.expr(&e.Y)
	case *Unary:
		r.expr(&e.X)
	case *Ternary:
		r.expr(&e.Cond)
		r.expr(&e.Then)
		r.expr(&e.Else)
	case *Field:
		r.expr(&e.X)
	case *Index:
		r.expr(&e.X)
		r.expr(&e.Index)
	case *Cast:
		if e.TypeOf != nil {
			r.exprs(e.TypeOf.Args)
		}
		r.expr(&e.X)
	case *Tuple:
		r.exprs(e.Elems)
	case *Paren:
		r.expr(&e.X)
	case *BlockExpr:
		for _, s := range e.Stmts {
			r.stmt(s)
		}
		r.expr(&e.Value)
	}
	*p = r.f(*p)
}
