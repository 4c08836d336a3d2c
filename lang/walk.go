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
