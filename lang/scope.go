package lang

import (
	"slices"
	"strings"
)

// Scopes and macros are resolved while the parse tree is converted, so
// that later passes see flat variables told apart by Var.Scope:
//
//   - every block opens a scope; `let $x` registers $x in the innermost
//     one under a fresh scope number (0 at the top of a probe), and uses
//     of $x inside that block refer to it;
//   - a $variable that no let declared is the probe's (scope 0), as in
//     scripts written before let existed;
//   - a macro call expands to a block expression. The macro's $parameters
//     stand for the caller's variables when the argument is a variable
//     (so the macro may change them) and for a fresh variable holding the
//     argument's value otherwise; @parameters rename maps; bare-name
//     parameters are replaced by the argument. Variables the macro body
//     uses without declaring them are local to the expansion.

type scope struct {
	vars  map[string]int // let-declared variables: name -> scope number
	macro *expansion     // set on the outermost scope of a macro expansion
}

type expansion struct {
	name   string          // the macro's
	id     int             // scope number of the body's undeclared variables
	params map[string]Expr // $name, @name or name -> what it stands for
}

// builtinCalls are builtins that may also be written as calls: pid().
// The parser needs them before anything is typed; lang/types tests that
// each is a builtin identifier of its table (BuiltinCallNames).
var builtinCalls = map[string]bool{
	"pid": true, "tid": true, "uid": true, "gid": true, "nsecs": true, "elapsed": true,
	"numaid": true, "cpu": true, "ncpus": true, "comm": true, "curtask": true, "rand": true,
	"cgroup": true, "cpid": true, "jiffies": true, "username": true, "usermode": true,
	"probe": true, "func": true, "retval": true, "probetype": true,
	"ppid": true, "pcomm": true, "leader_comm": true, "leader_tid": true, "has_cpid": true,
	"default_str_length": true, "config": true,
}

// BuiltinCallNames lists the builtin identifiers the parser lets be
// written as calls (pid()), sorted.
func BuiltinCallNames() []string { return sortedKeys(builtinCalls) }

// AggregationNames lists the functions the parser treats as
// aggregations (IsAggregation), sorted.
func AggregationNames() []string { return sortedKeys(aggregations) }

func sortedKeys(m map[string]bool) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// stdlibArities are the argument counts bpftrace's standard library
// defines its macros with, for the builtins gotrace knows: a call with
// one of them stays the builtin when a user macro of the same name takes
// another number of arguments.
var stdlibArities = map[string][]int{
	"assert": {2}, "assert_str": {1}, "cgroup": {0}, "comm": {0, 1}, "config": {0},
	"container_of": {3}, "cpid": {0}, "cpu": {0}, "curtask": {0}, "default_str_length": {0},
	"delete": {1, 2}, "dw_ustack": {0, 1, 2}, "elapsed": {0}, "find": {3}, "func": {0},
	"gid": {0}, "has_cpid": {0}, "has_key": {2}, "is_array": {1}, "is_err": {1},
	"is_integer": {1}, "is_literal": {1}, "is_ptr": {1}, "is_str": {1},
	"is_unsigned_integer": {1}, "jiffies": {0}, "kfunc_allowed": {1}, "kfunc_exist": {1},
	"leader_comm": {0, 1}, "leader_tid": {0, 1}, "len": {1}, "memcmp": {3}, "ncpus": {0},
	"numaid": {0}, "override": {1}, "pcomm": {0, 1}, "pid": {0, 1}, "ppid": {0, 1}, "probe": {0},
	"probetype": {0}, "rand": {0}, "retval": {0}, "signal": {1}, "signal_name": {1},
	"signal_thread": {1}, "static_assert": {2}, "str_concat": {2}, "strcap": {1},
	"strcontains": {2}, "strerror": {1}, "strlen": {1}, "strstr": {2}, "syscall_name": {1},
	"tid": {0, 1}, "uaddr": {1}, "uid": {0}, "usermode": {0}, "username": {0}, "write_user": {3},
}

// stdlibTakes reports whether the builtin name takes n arguments as one
// of the standard library's macros.
func stdlibTakes(name string, n int) bool {
	return slices.Contains(stdlibArities[name], n)
}

func (c *converter) push(m *expansion) {
	c.scopes = append(c.scopes, &scope{vars: map[string]int{}, macro: m})
}

func (c *converter) pop() { c.scopes = c.scopes[:len(c.scopes)-1] }

func (c *converter) newScope() int {
	*c.nextScope++
	return *c.nextScope
}

// varRef resolves a use of $name.
func (c *converter) varRef(at Pos, name string) Expr {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		s := c.scopes[i]
		if id, ok := s.vars[name]; ok {
			return &Var{At: at, Name: name, Scope: id}
		}
		if s.macro != nil {
			if e, ok := s.macro.params[name]; ok {
				return reposition(e, at)
			}
			return &Var{At: at, Name: name, Scope: s.macro.id}
		}
	}
	return &Var{At: at, Name: name}
}

// mapName resolves @name, which may be a macro's map parameter.
func (c *converter) mapName(name string) string {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		if m := c.scopes[i].macro; m != nil {
			if e, ok := m.params[name].(*MapExpr); ok {
				return e.Name
			}
			break
		}
	}
	return name
}

// identRef resolves a bare name: a macro parameter or #define, else itself.
// __builtin_NAME is the builtin NAME (what upstream's library calls it).
func (c *converter) identRef(at Pos, name string) Expr {
	if b, ok := strings.CutPrefix(name, "__builtin_"); ok && builtinCalls[b] {
		return &Ident{At: at, Name: b}
	}
	if e, ok := c.macroParam(name); ok {
		return e
	}
	if d, ok := c.defines[name]; ok {
		return d
	}
	if m, ok := c.macros[name]; ok && len(m.Params) == 0 {
		// a macro without parameters may be called without parentheses
		return c.expandMacro(at, m, nil)
	}
	if m, ok := c.hmacros[name]; ok && !m.Func {
		return c.headerMacro(at, m, nil)
	}
	return &Ident{At: at, Name: name}
}

// macroParam is the argument given for a parameter name of the macro
// being expanded.
func (c *converter) macroParam(name string) (Expr, bool) {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		if m := c.scopes[i].macro; m != nil {
			e, ok := m.params[name]
			return e, ok
		}
	}
	return nil, false
}

// typeParam resolves a macro parameter written where a type goes, as in
// (t)x, let $v: t or sizeof(struct t): an argument typeof(TYPE) gives
// TYPE's text, a bare name the name, and typeof(expression) comes back
// as typeOf for the caller to use where it can. ok is false when name is
// not a macro parameter; an argument of another kind is reported, in
// bpftrace's words, with written as the type as the macro writes it.
func (c *converter) typeParam(name, written string) (text string, typeOf *Call, ok bool) {
	e, ok := c.macroParam(name)
	if !ok {
		return "", nil, false
	}
	if t, ok := typeText(e); ok {
		return t, nil, true
	}
	switch e := e.(type) {
	case *Ident:
		return e.Name, nil, true
	case *Call:
		if e.Fun == "typeof" {
			return "", e, true
		}
	}
	c.badTypeParam(e, name, written)
	return name, nil, true
}

// badTypeParam reports an argument that cannot stand for the type
// parameter name of the macro being expanded.
func (c *converter) badTypeParam(arg Expr, name, written string) {
	macro := ""
	for i := len(c.scopes) - 1; i >= 0; i-- {
		if m := c.scopes[i].macro; m != nil {
			macro = m.name
			break
		}
	}
	c.errs.Add(arg.Pos(), "Invalid replacement for macro '%s' type parameter '%s' which makes up the type '%s'", macro, name, written)
}

// declare registers a let-declared variable in the innermost scope.
func (c *converter) declare(at Pos, name string) *Var {
	s := c.scopes[len(c.scopes)-1]
	id := 0
	if len(c.scopes) > 1 || s.macro != nil {
		id = c.newScope()
	}
	s.vars[name] = id
	return &Var{At: at, Name: name, Scope: id}
}

// reposition returns a copy of a variable reference at a new position;
// other expressions are shared as they are.
func reposition(e Expr, at Pos) Expr {
	if v, ok := e.(*Var); ok {
		return &Var{At: at, Name: v.Name, Scope: v.Scope}
	}
	return e
}

// expandMacro turns a call of macro m into a block expression.
func (c *converter) expandMacro(at Pos, m *gMacro, args []Expr) Expr {
	if len(args) != len(m.Params) {
		c.errs.Add(at, "macro %s takes %d argument%s, got %d", m.Name, len(m.Params), plural(len(m.Params)), len(args))
		return &IntLit{At: at}
	}
	if c.expanding[m.Name] {
		c.errs.Add(at, "macro %s calls itself", m.Name)
		return &IntLit{At: at}
	}
	c.expanding[m.Name] = true
	defer delete(c.expanding, m.Name)

	ex := &expansion{name: m.Name, id: c.newScope(), params: map[string]Expr{}}
	var pre []Stmt
	for i, p := range m.Params {
		a := args[i]
		switch p.Name[0] {
		case '$':
			if v, ok := a.(*Var); ok {
				ex.params[p.Name] = v
				continue
			}
			v := &Var{At: a.Pos(), Name: p.Name, Scope: c.newScope()}
			pre = append(pre, &LetStmt{At: a.Pos(), Var: v, Value: a})
			ex.params[p.Name] = v
		case '@':
			mp, ok := a.(*MapExpr)
			if !ok || len(mp.Keys) > 0 {
				c.errs.Add(a.Pos(), "macro %s: argument %d must be a map (like @m)", m.Name, i+1)
				continue
			}
			ex.params[p.Name] = mp
		default:
			ex.params[p.Name] = a
		}
	}
	// The body sees only its parameters and the defines, not the
	// caller's scopes.
	saved, savedSite := c.scopes, c.site
	c.scopes, c.site = nil, &at
	c.push(ex)
	stmts, value := c.blockBody(m.Body, true)
	c.pop()
	c.scopes, c.site = saved, savedSite
	return &BlockExpr{At: at, Stmts: append(pre, stmts...), Value: value}
}

// blockBody converts the items of a block expression: statements, then
// the value, the last item when it is an expression without ';'. A macro
// body may have no value (it is then used as a statement).
func (c *converter) blockBody(b *gBlock, macro bool) ([]Stmt, Expr) {
	items := b.Items
	var value *gItem
	if n := len(items); n > 0 && items[n-1].Simple != nil && items[n-1].Simple.Assign == nil && items[n-1].Semis == 0 {
		value, items = items[n-1], items[:n-1]
	}
	if n := len(items); value == nil && !macro && n > 0 && items[n-1].If != nil && items[n-1].Semis == 0 {
		// an if ending the block is its value: { if (c) { a } else { b } }
		last := items[n-1]
		stmts := c.stmts(items[:n-1])
		return stmts, c.ifExpr(c.at(last.Pos), last.If)
	}
	stmts := c.stmts(items)
	if value == nil {
		if !macro {
			c.errs.Add(c.at(b.Pos), "a block used as a value must end with an expression (without ';')")
		}
		return stmts, nil
	}
	return stmts, c.expr(value.Simple.X)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
