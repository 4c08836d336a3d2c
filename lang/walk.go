package lang

// Inspect walks the tree under n in depth-first order, calling visit for
// each node; when visit returns false the node's children are skipped.
func Inspect(n Node, visit func(Node) bool) {
	if n == nil || !visit(n) {
		return
	}
	exprs := func(es ...Expr) {
		for _, e := range es {
			if e != nil {
				Inspect(e, visit)
			}
		}
	}
	block := func(b *Block) {
		if b != nil {
			for _, s := range b.Stmts {
				Inspect(s, visit)
			}
		}
	}
	switch n := n.(type) {
	case *Block:
		block(n)
	case *ExprStmt:
		exprs(n.X)
	case *AssignStmt:
		exprs(n.Lhs, n.Rhs)
	case *LetStmt:
		exprs(n.Var, n.Value)
	case *IfStmt:
		exprs(n.Cond)
		block(n.Then)
		if n.Else != nil {
			Inspect(n.Else, visit)
		}
	case *WhileStmt:
		exprs(n.Cond)
		block(n.Body)
	case *UnrollStmt:
		exprs(n.Count)
		block(n.Body)
	case *ForStmt:
		exprs(n.Var)
		if n.Map != nil {
			exprs(n.Map)
		}
		exprs(n.Lo, n.Hi)
		block(n.Body)
	case *BlockStmt:
		block(n.Body)
	case *MapExpr:
		exprs(n.Keys...)
	case *Call:
		exprs(n.Args...)
	case *Binary:
		exprs(n.X, n.Y)
	case *Unary:
		exprs(n.X)
	case *Ternary:
		exprs(n.Cond, n.Then, n.Else)
	case *Field:
		exprs(n.X)
	case *Index:
		exprs(n.X, n.Index)
	case *Cast:
		exprs(n.X)
	case *Tuple:
		exprs(n.Elems...)
	case *Paren:
		exprs(n.X)
	case *BlockExpr:
		for _, s := range n.Stmts {
			Inspect(s, visit)
		}
		exprs(n.Value)
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
