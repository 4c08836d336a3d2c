package types

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/gotrace/gotrace/lang"
)

// MaxLoopIterations is the most iterations bpf_loop makes (the kernel's
// BPF_MAX_LOOPS): a for range over more fails without running its body.
const MaxLoopIterations = 1 << 23

func (c *checker) block(b *lang.Block) {
	c.stmts(b.Stmts, nil)
}

// stmts checks the statements of a block, and of a block expression
// whose value is value, warning as bpftrace at the first statement after
// one that never lets control past (return, break, continue, exit(), an
// if whose branches all end so) and at a value after it.
func (c *checker) stmts(list []lang.Stmt, value lang.Expr) {
	for i, s := range list {
		c.stmt(s)
		if i+1 < len(list) && c.terminates(s) && (i == 0 || !c.terminates(list[i-1])) {
			c.warnf(list[i+1].Pos(), "Unreachable statement.")
		}
	}
	if value != nil && slices.ContainsFunc(list, c.terminates) {
		c.warnf(value.Pos(), "Unreachable expression; block type is implicitly none.")
	}
}

// terminates reports whether control never goes past s (checked): return,
// break, continue, exit(), an if whose branches all end so, a block that
// ends so, or a while loop whose body always returns (and never breaks).
func (c *checker) terminates(s lang.Stmt) bool { return c.ends(s, true) }

// ends is terminates; loop says whether break and continue count (they
// do not for the body of a while loop seen from outside).
func (c *checker) ends(s lang.Stmt, loop bool) bool {
	switch s := s.(type) {
	case *lang.JumpStmt:
		return loop || s.Keyword == "return"
	case *lang.ExprStmt:
		switch x := s.X.(type) {
		case *lang.Call:
			return c.info.Builtins.Of(x) == BuiltinExit
		case *lang.BlockExpr:
			return c.blockEnds(x.Stmts, loop)
		}
	case *lang.IfStmt:
		return s.Else != nil && c.blockEnds(s.Then.Stmts, loop) && c.ends(s.Else, loop)
	case *lang.BlockStmt:
		return c.blockEnds(s.Body.Stmts, loop)
	case *lang.WhileStmt:
		return c.blockEnds(s.Body.Stmts, false) && !breaks(s.Body.Stmts)
	}
	return false
}

func (c *checker) blockEnds(list []lang.Stmt, loop bool) bool {
	for _, s := range list {
		if c.ends(s, loop) {
			return true
		}
	}
	return false
}

// breaks reports whether a break in list leaves the loop whose body list
// is (not one of a loop inside it).
func breaks(list []lang.Stmt) bool {
	for _, s := range list {
		switch s := s.(type) {
		case *lang.JumpStmt:
			if s.Keyword == "break" {
				return true
			}
		case *lang.IfStmt:
			if breaks(s.Then.Stmts) || s.Else != nil && breaks([]lang.Stmt{s.Else}) {
				return true
			}
		case *lang.BlockStmt:
			if breaks(s.Body.Stmts) {
				return true
			}
		case *lang.ExprStmt:
			if b, ok := s.X.(*lang.BlockExpr); ok && breaks(b.Stmts) {
				return true
			}
		}
	}
	return false
}

func (c *checker) stmt(s lang.Stmt) {
	switch s := s.(type) {
	case *lang.ExprStmt:
		c.exprStmt(s.X)
	case *lang.AssignStmt:
		c.assign(s)
	case *lang.IfStmt:
		t := c.expr(s.Cond)
		if t.Kind != Invalid && !t.IsInteger() {
			c.errorf(s.Cond.Pos(), "condition must be an integer or bool, not %s", t)
		}
		// A branch a constant condition never takes is dead: fail() in
		// it does not stop the script.
		v, known := c.constValue(s.Cond)
		c.deadIf(known && v == 0, func() { c.block(s.Then) })
		if s.Else != nil {
			c.deadIf(known && v != 0, func() { c.stmt(s.Else) })
		}
	case *lang.BlockStmt:
		c.block(s.Body)
	case *lang.LetStmt:
		c.let(s)
	case *lang.WhileStmt:
		c.condition(s.Cond)
		c.loops++
		c.block(s.Body)
		c.loops--
	case *lang.UnrollStmt:
		c.expr(s.Count)
		n, ok := c.constValue(s.Count)
		switch {
		case !ok:
			c.errorf(s.Count.Pos(), "unroll needs a constant count from 1 to 100")
		case n < 1:
			c.errorf(s.At, "unroll minimum value is 1")
		case n > 100:
			c.errorf(s.At, "unroll maximum value is 100")
		}
		if ok {
			c.info.Consts.Set(s.Count, Const{Int: n})
		}
		c.unrolls++
		c.block(s.Body)
		c.unrolls--
	case *lang.ForStmt:
		if s.Map != nil {
			c.forMap(s)
			return
		}
		var bounds [2]*Type
		for i, e := range []lang.Expr{s.Lo, s.Hi} {
			t := c.expr(e)
			if t.Kind != Invalid && !t.IsInteger() {
				c.errorf(e.Pos(), "a for range needs integer bounds, not %s", t)
			}
			bounds[i] = t
		}
		vt := rangeType(bounds[0], bounds[1])
		if lo, ok := c.constValue(s.Lo); ok {
			if hi, ok := c.constValue(s.Hi); ok && hi > lo && uint64(hi-lo) > MaxLoopIterations {
				c.errorf(s.Hi.Pos(), "a for range runs at most %d times (the kernel's bpf_loop limit), this one %d", MaxLoopIterations, uint64(hi-lo))
			}
		}
		if old, ok := c.vars[s.Var.Key()]; ok && old.Kind != Int {
			c.varMismatch(s.Var.At, s.Var.Name, old, vt)
			return
		}
		c.vars[s.Var.Key()] = vt
		c.record(s.Var, vt)
		c.loops++
		c.block(s.Body)
		c.loops--
	case *lang.JumpStmt:
		if s.Value != nil {
			if t := c.expr(s.Value); t.Kind != Invalid && !t.IsInteger() {
				c.errorf(s.Value.Pos(), "return takes an integer (the probe's return value), not %s", t)
			}
		}
		switch s.Keyword {
		case "break", "continue":
			if c.loops == 0 {
				if c.unrolls > 0 {
					c.errorf(s.At, "%s cannot be used inside unroll", s.Keyword)
				} else {
					c.errorf(s.At, "%s outside of a loop", s.Keyword)
				}
			}
		}
	default:
		c.errorf(s.Pos(), "%s is not supported yet", stmtName(s))
	}
}

// forMap checks for ($kv : @m) { body }: $kv is the tuple (key, value).
func (c *checker) forMap(s *lang.ForStmt) {
	mi := c.info.Maps[s.Map.Name]
	if mi == nil {
		if !c.infer {
			c.errorf(s.Map.At, "undefined map %s", s.Map.Name)
		}
		return
	}
	if len(s.Map.Keys) != 0 {
		c.errorf(s.Map.At, "for iterates over a whole map: for (%s : %s)", s.Var.Name, s.Map.Name)
		return
	}
	key := mi.Key
	if key == nil {
		key = Uint64
	}
	val := mi.Value
	if val.Kind == Agg {
		if val = aggValue(mi.Value); val == nil {
			c.errorf(s.Map.At, "cannot iterate over %s: it holds %s() histograms or stats", s.Map.Name, mi.Value.AggFn)
			return
		}
	}
	kv := TupleOf(key, val)
	if old, ok := c.vars[s.Var.Key()]; ok && !Equal(old, kv) {
		c.varMismatch(s.Var.At, s.Var.Name, old, kv)
		return
	}
	c.vars[s.Var.Key()] = kv
	c.record(s.Var, kv)
	c.inCallback++
	c.loops++
	c.block(s.Body)
	c.loops--
	c.inCallback--
}

func (c *checker) condition(e lang.Expr) {
	t := c.expr(e)
	if t.Kind != Invalid && !t.IsInteger() && t.Kind != Str {
		c.errorf(e.Pos(), "condition must be an integer or bool, not %s", t)
	}
}

func stmtName(s lang.Stmt) string {
	switch s := s.(type) {
	case *lang.WhileStmt:
		return "while"
	case *lang.UnrollStmt:
		return "unroll"
	case *lang.ForStmt:
		return "for"
	case *lang.JumpStmt:
		return s.Keyword
	}
	return fmt.Sprintf("%T", s)
}

// deadIf runs check with the branch marked dead when dead is true.
func (c *checker) deadIf(dead bool, check func()) {
	if dead {
		c.dead++
		defer func() { c.dead-- }()
	}
	check()
}

// exprStmt checks an expression used as a statement: calls and ++/--.
func (c *checker) exprStmt(e lang.Expr) {
	switch e := e.(type) {
	case *lang.BlockExpr:
		c.stmts(e.Stmts, e.Value)
		if e.Value != nil {
			c.exprStmt(e.Value)
		}
		return
	case *lang.Call:
		if t := c.call(e); t != nil {
			// a call whose value goes unused (write_user(...);) is
			// still compiled as a value when its builtin has no
			// statement form
			c.record(e, t)
		}
		return
	}
	c.expr(e)
}

func (c *checker) assign(s *lang.AssignStmt) {
	op := compoundOp(s.Op)
	if op != 0 {
		c.info.AssignOps[s] = op
	}
	if b, call := c.aggregation(s.Rhs); b != nil {
		m, ok := s.Lhs.(*lang.MapExpr)
		if !ok || op != 0 {
			c.unassigned(call)
			return
		}
		t := c.callBuiltin(b, call)
		if t == nil {
			return
		}
		c.setMap(m, t, s.Rhs.Pos())
		c.record(s.Rhs, t)
		return
	}
	rt := c.expr(s.Rhs)
	if rt.Kind == Invalid {
		return
	}
	if op != 0 && !rt.IsInteger() {
		c.errorf(s.At, "operator %s needs an integer, not %s", s.Op, rt)
		return
	}
	if rt.Kind == Void {
		c.errorf(s.Rhs.Pos(), "expression has no value to assign")
		return
	}
	rhs := s.Rhs
	if op != 0 {
		rhs = nil // the value is the operation's result, never a literal
		if m, ok := s.Lhs.(*lang.MapExpr); ok && c.info.Maps[m.Name] == nil && rt.Kind == Int {
			// @m += x before any @m = ...: the map starts at zero
			c.setMap(m, rt, s.Rhs.Pos())
		}
		lt := c.expr(s.Lhs)
		if lt.Kind == Invalid {
			return
		}
		if mi, ok := s.Lhs.(*lang.MapExpr); ok {
			if m := c.info.Maps[mi.Name]; m != nil && m.Value.Kind == Agg {
				c.errorf(s.At, "%s is an aggregation (%s); it cannot be changed with %s", mi.Name, m.Value.AggFn, s.Op)
				return
			}
		}
		switch {
		case lt.Kind == Ptr && (op == OpAdd || op == OpSub) && rt.Kind != Ptr:
			rt = lt // p += n moves the pointer by n elements
		case lt.IsInteger():
			rt = ArithType(op, lt, rt)
		}
	}
	switch l := s.Lhs.(type) {
	case *lang.Var:
		c.setVar(l, rt, s.Rhs.Pos(), rhs)
	case *lang.MapExpr:
		c.setMap(l, rt, s.Rhs.Pos())
	default:
		c.errorf(s.Lhs.Pos(), "cannot assign to this expression; assign to a $variable or an @map")
	}
}

// let checks `let $x [: type] [= value]`.
func (c *checker) let(s *lang.LetStmt) {
	var rt *Type
	if s.Value != nil {
		rt = c.expr(s.Value)
		if rt.Kind == Invalid {
			return
		}
		if rt.Kind == Void || rt.Kind == Agg {
			c.errorf(s.Value.Pos(), "expression has no value to assign")
			return
		}
	}
	if s.Type != "" {
		var dt *Type
		if s.TypeOf != nil {
			dt = c.typeOfCall(s.TypeOf)
		} else {
			dt = c.namedType(s.At, s.Type)
		}
		if dt == nil {
			return
		}
		if c.userSpace() {
			dt = userPointers(dt)
		}
		if old, ok := c.vars[s.Var.Key()]; ok && !Equal(old, dt) {
			c.errorf(s.At, "%s was declared as %s before", s.Var.Name, old)
			return
		}
		c.vars[s.Var.Key()] = dt
		c.declared[s.Var.Key()] = true
		c.record(s.Var, dt)
	}
	if rt != nil {
		c.setVar(s.Var, rt, s.Value.Pos(), s.Value)
	} else if s.Type == "" {
		c.lets = append(c.lets, s.Var)
	}
}

// setVar records an assignment of a value of type rt to variable l; rhs
// is the assigned expression, when the assignment has one.
func (c *checker) setVar(l *lang.Var, rt *Type, vpos lang.Pos, rhs lang.Expr) {
	st := Stored(rt)
	key := l.Key()
	if old, ok := c.vars[key]; (rt.Kind == Int || rt.Kind == Tuple) && !c.declared[key] && (!ok || old.Kind == rt.Kind) {
		// an integer or tuple variable holds the promotion of all its
		// values, the later ones included (joined by the inferring
		// sweeps): tuples widen their strings and integers
		st = rt
		for _, prev := range []*Type{old, c.joined[key]} {
			if prev == nil {
				continue
			}
			joined, fits := PromoteValue(prev, st)
			if !fits {
				c.varMismatch(vpos, l.Name, prev, rt)
				return
			}
			st = joined
		}
		c.joined[key] = st
		c.vars[key] = st
		c.record(l, st)
		if rt.Kind == Int {
			// a sign mismatch no type holds both sides of
			// ($c = (uint64)1; $c = (int64)-1) converts
			c.narrowTo(l.Name, st, rt, vpos, rhs)
		}
		return
	}
	if old, ok := c.vars[key]; ok {
		if !assignable(old, st) {
			c.varMismatch(vpos, l.Name, old, st)
			return
		}
		if old.Kind == Str && st.Size > old.Size && !c.declared[key] {
			old.Size = st.Size
		}
		if old.Kind == Int && c.declared[key] {
			c.narrowTo(l.Name, old, rt, vpos, rhs)
		}
	} else {
		if st.Kind == Str {
			st = StrType(st.Size) // own copy: may grow
		}
		c.vars[l.Key()] = st
	}
	c.record(l, c.vars[l.Key()])
}

// varMismatch reports a value of type t assigned to the variable name of
// type old, which cannot hold it, as bpftrace words it.
func (c *checker) varMismatch(pos lang.Pos, name string, old, t *Type) {
	c.errorf(pos, "Type mismatch for %s: trying to assign value of type '%s' when variable already has a type '%s'", name, t, old)
}

// letDeclared tells whether the variable key was declared by a `let`
// without type or value in the probe being checked.
func (c *checker) letDeclared(key string) bool {
	for _, v := range c.lets {
		if v.Key() == key {
			return true
		}
	}
	return false
}

// narrowTo checks the assignment of a value of type rt (expression rhs,
// when known) to the variable or map name of integer type dt (declared,
// or the promotion of what it is given): a constant must fit, and another
// value that might not is converted with a warning.
func (c *checker) narrowTo(name string, dt, rt *Type, vpos lang.Pos, rhs lang.Expr) {
	if rhs != nil {
		if v, ok := c.constValue(rhs); ok {
			lit, big := rhs.(*lang.IntLit)
			if !ConstFits(v, big && lit.Val > 1<<63-1, dt) {
				c.errorf(vpos, "%s does not fit in %s, the type of %s", constText(v, big && lit.Val > 1<<63-1), dt, name).Hint =
					fmt.Sprintf("cast it to say what you mean: (%s)%s", dt, constText(v, big && lit.Val > 1<<63-1))
			}
			return
		}
	}
	if !FitsInt(rt, dt) {
		c.warnf(vpos, "a value of type %s may not fit in %s, the type of %s, and is converted to it; cast it to silence this warning", rt, dt, name)
	}
}

func constText(v int64, big bool) string {
	if big {
		return strconv.FormatUint(uint64(v), 10)
	}
	return strconv.FormatInt(v, 10)
}
