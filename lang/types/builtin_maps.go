package types

import "github.com/gotrace/gotrace/lang"

// Maps: their keys (delete, has_key, find), their size (len), and all of
// their entries at once (clear, zero).

const (
	BuiltinDelete Builtin = mapFamily + iota
	BuiltinHasKey
	BuiltinLen
	BuiltinClear
	BuiltinZero
	BuiltinFind
)

func init() {
	define(
		&builtin{id: BuiltinDelete, name: "delete", minArgs: 1, maxArgs: 2, call: (*checker).deleteCall},
		&builtin{id: BuiltinHasKey, name: "has_key", minArgs: 2, maxArgs: 2, call: (*checker).hasKeyCall},
		&builtin{id: BuiltinLen, name: "len", minArgs: 1, maxArgs: 1, call: (*checker).lenCall},
		&builtin{id: BuiltinClear, name: "clear", minArgs: 1, maxArgs: 1, call: (*checker).wholeMapCall},
		&builtin{id: BuiltinZero, name: "zero", minArgs: 1, maxArgs: 1, call: (*checker).wholeMapCall},
		&builtin{id: BuiltinFind, name: "find", minArgs: 3, maxArgs: 3, call: (*checker).findCall},
	)
}

// deleteCall checks delete(@m[key]) and delete(@m, key): whether the key
// was there.
func (c *checker) deleteCall(e *lang.Call) *Type {
	m, ok := e.Args[0].(*lang.MapExpr)
	if !ok {
		c.errorf(e.Args[0].Pos(), "delete() takes a map: delete(@m[key]) or delete(@m, key)")
		return nil
	}
	if len(e.Args) == 2 {
		if len(m.Keys) != 0 {
			c.errorf(e.Args[0].Pos(), "delete(@m, key) takes the map without a key")
			return nil
		}
		// delete(@m, k) means the same as delete(@m[k])
		c.keyCheck(&lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])})
	} else {
		c.keyCheck(m)
	}
	return BoolType // whether the key was there
}

func (c *checker) hasKeyCall(e *lang.Call) *Type {
	m, ok := e.Args[0].(*lang.MapExpr)
	if !ok || len(m.Keys) != 0 {
		c.errorf(e.Args[0].Pos(), "has_key() takes a map and a key: has_key(@m, key)")
		return nil
	}
	if mi := c.info.Maps[m.Name]; mi != nil && len(mi.Keys) == 0 && !c.infer {
		c.errorf(e.At, "call to has_key() expects a map with explicit keys (non-scalar map)").Hint = m.Name + " is used without keys"
		return nil
	}
	c.keyCheck(&lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])})
	return BoolType
}

// lenCall checks len(@m), the number of the map's entries, and
// len(stack), the number of frames of a stack of the probe (ustack(N),
// kstack, or a variable holding one).
func (c *checker) lenCall(e *lang.Call) *Type {
	m, ok := e.Args[0].(*lang.MapExpr)
	if !ok || len(m.Keys) != 0 {
		if _, isMap := e.Args[0].(*lang.MapExpr); !isMap {
			t := c.expr(e.Args[0])
			switch {
			case t.Kind == Invalid:
				return nil
			case t.Kind == Stack && t.Name != "dw_ustack":
				return Uint64
			}
		}
		c.errorf(e.Args[0].Pos(), "len() takes a map or a stack: len(@m), len(ustack)")
		return nil
	}
	if c.info.Maps[m.Name] == nil && !c.infer {
		c.errorf(m.At, "undefined map %s", m.Name)
		return nil
	}
	if mi := c.info.Maps[m.Name]; mi != nil && len(mi.Keys) == 0 && !c.infer {
		c.errorf(e.At, "call to len() expects a map with explicit keys (non-scalar map)").Hint = m.Name + " is used without keys"
		return nil
	}
	if c.inCallback > 0 {
		c.errorf(e.At, "len() cannot be used inside a for loop over a map")
		return nil
	}
	return Uint64
}

// wholeMapCall checks clear(@m) and zero(@m).
func (c *checker) wholeMapCall(e *lang.Call) *Type {
	if m, ok := e.Args[0].(*lang.MapExpr); !ok || len(m.Keys) != 0 {
		c.errorf(e.Args[0].Pos(), "%s() takes a whole map: %s(@m)", e.Fun, e.Fun)
		return nil
	} else if c.info.Maps[m.Name] == nil && !c.infer {
		c.errorf(m.At, "undefined map %s", m.Name)
	}
	return VoidType
}

// findCall checks find(@m, key, $v), which stands for
// { $found = has_key(@m, key); if ($found) { $v = @m[key]; } $found }.
func (c *checker) findCall(e *lang.Call) *Type {
	m, isMap := e.Args[0].(*lang.MapExpr)
	v, isVar := e.Args[2].(*lang.Var)
	if !isMap || len(m.Keys) != 0 || !isVar {
		c.errorf(e.At, "find() takes a map, a key and a $variable: find(@m, key, $v)")
		return nil
	}
	if mi := c.info.Maps[m.Name]; mi != nil && len(mi.Keys) == 0 {
		c.errorf(m.At, "find() needs a map with keys; %s has none", m.Name)
		return nil
	}
	found := &lang.Var{At: e.At, Name: "$__found", Scope: 1<<30 + e.At.Offset}
	x := &lang.BlockExpr{At: e.At, Stmts: []lang.Stmt{
		&lang.AssignStmt{At: e.At, Lhs: found, Op: "=", Rhs: &lang.Call{At: e.At, Fun: "has_key", Args: []lang.Expr{m, e.Args[1]}}},
		&lang.IfStmt{At: e.At, Cond: found, Then: &lang.Block{At: e.At, Stmts: []lang.Stmt{
			&lang.AssignStmt{At: e.At, Lhs: v, Op: "=", Rhs: &lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])}}}}},
	}, Value: found}
	return c.expand(e, x)
}
