// Package types resolves names and computes the type of every expression of
// a parsed script.
//
// The checker runs in sweeps over the probes. The first, inferring sweeps
// report nothing: every assignment to a map contributes its key and value
// types, and every integer assigned to a variable or map widens its type by
// promotion (ints.go), until a sweep changes no joined type. Strings of
// different lengths unify to the longest. The last sweep types every
// expression with these types known, so a map read before the assignment
// that defines it (in source order), or a variable read before a wider
// value is assigned to it, still gets its final type. Scratch variables
// ($x) are scoped to their block; other than integers, their type is fixed
// by their first assignment.
//
// What a probe's `args`, `probe` and friends mean comes from an Env (the
// probes package), asked once per attach point. The result is an Info that
// the code generator reads: it never re-derives a type.
package types

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Config holds the knobs of the language that affect types.
type Config struct {
	Params []string // positional parameters: Params[0] is $1
	// Named are the named parameters (-- --name=value) getopt() reads;
	// a flag given without a value maps to "".
	Named map[string]string
	// Unsafe allows functions that act on the system (system, signal).
	Unsafe bool
	// Env holds the BPFTRACE_<KEY> environment variables; they override
	// the script's config block (see Settings).
	Env map[string]string
}

// Param returns positional parameter n (1-based) and whether it is set.
func (cfg Config) Param(n int) (string, bool) {
	if n < 1 || n > len(cfg.Params) {
		return "", false
	}
	return cfg.Params[n-1], true
}

// ParamInt reads a positional parameter as an integer (bpftrace accepts
// decimal and hex); an unset parameter is 0.
func (cfg Config) ParamInt(n int) (int64, bool) {
	p, ok := cfg.Param(n)
	if !ok {
		return 0, true
	}
	v, err := strconv.ParseInt(p, 0, 64)
	return v, err == nil
}

// MapInfo describes one map of the script.
type MapInfo struct {
	Name  string // "@name" or "@"
	Pos   lang.Pos
	Keys  []*Type // key types in order; empty for a map used without key
	Key   *Type   // the stored key: nil without keys, Keys[0] for one, a Tuple for several
	Value *Type   // plain value type, or an Agg type
}

// ProbeInfo holds what the checker learned about one probe block.
type ProbeInfo struct {
	Probe    *lang.Probe
	Contexts []*Context // one per attach point after wildcard expansion
}

// Info is the product of Check.
type Info struct {
	Types  map[lang.Expr]*Type
	Maps   map[string]*MapInfo
	Probes []*ProbeInfo
	Config Config
	// Settings are the resolved configuration (defaults, config block,
	// environment).
	Settings Settings
	// Consts are expressions whose value the checker knows: sizeof,
	// offsetof, getopt.
	Consts map[lang.Expr]Const
	// Warnings are diagnostics that do not stop the script.
	Warnings []*lang.Error
	// Decls are the map declarations (let @m = hash(N)) by map name.
	Decls map[string]*MapDecl
	// Expansions are builtins and functions that mean another expression
	// (ppid is curtask->real_parent->tgid): the code generator compiles
	// the expansion, which the checker has typed, in their place.
	Expansions map[lang.Expr]lang.Expr
	// KernelVars holds, for each percpu_kaddr() call, the BTF id of the
	// per-CPU variable it names.
	KernelVars map[*lang.Call]uint32
	// Kfuncs holds the BTF ids in vmlinux of the kernel functions the
	// program calls (comm(pid): bpf_task_from_pid, bpf_task_release).
	Kfuncs map[string]uint32
	// TaskCommOffset is where comm is in the kernel's struct task_struct
	// (comm(pid)).
	TaskCommOffset int
	// Options are the named parameters getopt() reads, by name.
	Options map[string]Option
	// C holds the functions of imported .bpf.c files; nil without any.
	C *CProgram
	// CCalls are the script's calls of those functions.
	CCalls map[*lang.Call]*CFunc
}

// MapDecl is a declared map: its kind and number of entries.
type MapDecl struct {
	Kind       string // hash, lruhash, percpuhash, percpulruhash
	MaxEntries int
	Pos        lang.Pos
}

// MapNames returns the names of the script's maps in name order.
func (in *Info) MapNames() []string {
	var names []string
	for n := range in.Maps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TypeOf returns the type recorded for e.
func (in *Info) TypeOf(e lang.Expr) *Type { return in.Types[e] }

type checker struct {
	env  Env
	info *Info
	errs lang.ErrorList
	vars map[string]*Type
	// joined holds the promotion of every integer assigned to each
	// variable of the probe body being checked, kept across sweeps in
	// joins (by probe and args layout); mapInts does the same for the
	// integer values of maps.
	joined  map[string]*Type
	joins   map[string]map[string]*Type
	mapInts map[string]*Type
	// lastJoins is the joins as the last inferring sweep left them.
	lastJoins string
	cdefs     map[string]*Type // inline C definitions: "struct x" -> type
	// declared holds the variables given a type by let: their size is fixed.
	declared map[string]bool
	// dead counts the enclosing branches that constant conditions never
	// take.
	dead int
	// probeCtxs are all the contexts of the probe being checked; ctxs may
	// be those of one args layout only.
	probeCtxs []*Context
	// lets are the variables of the probe declared with neither a type
	// nor a value (`let $x;`): they take the type of their assignments.
	lets  []*lang.Var
	ctxs  []*Context
	infer bool // first sweep: infer map types only, report no errors
	// reported is set by probeBuiltin when it rejected a name it knows.
	reported bool
	loops    int // depth of while/for loops around the statement
	// inCallback counts enclosing for-over-map loops: their bodies run in
	// a callback that has no probe context.
	inCallback int
	unrolls    int
	probeN     int
}

// Check types f. env answers what each attach point provides.
func Check(f *lang.File, env Env, cfg Config) (*Info, error) {
	c := &checker{env: env, info: &Info{
		Types:      map[lang.Expr]*Type{},
		Consts:     map[lang.Expr]Const{},
		Expansions: map[lang.Expr]lang.Expr{},
		KernelVars: map[*lang.Call]uint32{},
		Kfuncs:     map[string]uint32{},
		Options:    map[string]Option{},
		Maps:       map[string]*MapInfo{},
		Config:     cfg,
	}}
	c.info.Settings = c.resolveSettings(f, cfg.Env)
	c.mapDecls(f)
	c.defineC(f)
	c.checkC(f)
	for _, p := range f.Probes {
		pi := &ProbeInfo{Probe: p}
		for _, s := range p.Specs {
			ctxs, err := contextsOf(env, p, s)
			if mp, ok := err.(*MissingProbeError); ok && c.info.Settings.MissingProbes != "error" {
				if c.info.Settings.MissingProbes == "warn" {
					w := *mp.Err
					w.Warning = true
					if mp.Warning != "" {
						w.Msg, w.Hint = mp.Warning, ""
					}
					c.info.Warnings = append(c.info.Warnings, &w)
				}
				continue
			}
			if err != nil {
				if mp, ok := err.(*MissingProbeError); ok {
					err = mp.Err
				}
				if le, ok := err.(*lang.Error); ok {
					c.errs = append(c.errs, le)
				} else if ll, ok := err.(lang.ErrorList); ok {
					c.errs = append(c.errs, ll...)
				} else {
					c.errs.Add(s.At, "%v", err)
				}
				continue
			}
			pi.Contexts = append(pi.Contexts, ctxs...)
		}
		if len(pi.Contexts) == 0 && len(c.errs) == 0 {
			continue // every attach point was missing and allowed to be
		}
		c.info.Probes = append(c.info.Probes, pi)
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	c.joins = map[string]map[string]*Type{}
	c.mapInts = map[string]*Type{}
	// Inferring sweeps run until the joined integer types settle (a
	// variable's type may follow from another's), then one checking sweep.
	sweeps := []bool{true, true, true, true, false}
	for i, sweep := range sweeps {
		if sweep && i > 0 && c.joinsSettled() {
			continue
		}
		c.infer = sweep
		for _, pi := range c.info.Probes {
			groups := argsGroups(pi.Contexts)
			var first map[lang.Expr]*Type
			for gi, g := range groups {
				c.probeBody(pi, g)
				if len(groups) > 1 && !c.infer {
					first = c.sameTypes(pi, first, groups[0][0], g[0], gi == 0)
				}
			}
		}
	}
	c.checkDecls()
	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	if err := c.unknownNamed(); err != nil {
		return nil, err
	}
	return c.info, nil
}

// joinsSettled tells whether the last inferring sweep left the joined
// integer types as the sweep before it did, and remembers them.
func (c *checker) joinsSettled() bool {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(c.joins)) {
		vs := c.joins[k]
		for _, n := range slices.Sorted(maps.Keys(vs)) {
			fmt.Fprintf(&b, "%s %s %s %v\n", k, n, vs[n], vs[n].Lit)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(c.mapInts)) {
		fmt.Fprintf(&b, "@%s %s %v\n", n, c.mapInts[n], c.mapInts[n].Lit)
	}
	same := b.String() == c.lastJoins
	c.lastJoins = b.String()
	return same
}

func (c *checker) errorf(pos lang.Pos, format string, args ...any) *lang.Error {
	e := lang.Errorf(pos, format, args...)
	if !c.infer {
		c.errs = append(c.errs, e)
	}
	return e
}

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
		if i+1 < len(list) && terminates(s) && (i == 0 || !terminates(list[i-1])) {
			c.warnf(list[i+1].Pos(), "Unreachable statement.")
		}
	}
	if value != nil && slices.ContainsFunc(list, terminates) {
		c.warnf(value.Pos(), "Unreachable expression; block type is implicitly none.")
	}
}

// terminates reports whether control never goes past s: return, break,
// continue, exit(), an if whose branches all end so, a block that ends
// so, or a while loop whose body always returns (and never breaks).
func terminates(s lang.Stmt) bool { return ends(s, true) }

// ends is terminates; loop says whether break and continue count (they
// do not for the body of a while loop seen from outside).
func ends(s lang.Stmt, loop bool) bool {
	switch s := s.(type) {
	case *lang.JumpStmt:
		return loop || s.Keyword == "return"
	case *lang.ExprStmt:
		switch x := s.X.(type) {
		case *lang.Call:
			return x.Fun == "exit"
		case *lang.BlockExpr:
			return blockEnds(x.Stmts, loop)
		}
	case *lang.IfStmt:
		return s.Else != nil && blockEnds(s.Then.Stmts, loop) && ends(s.Else, loop)
	case *lang.BlockStmt:
		return blockEnds(s.Body.Stmts, loop)
	case *lang.WhileStmt:
		return blockEnds(s.Body.Stmts, false) && !breaks(s.Body.Stmts)
	}
	return false
}

func blockEnds(list []lang.Stmt, loop bool) bool {
	for _, s := range list {
		if ends(s, loop) {
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
		if !ok || n < 1 || n > 100 {
			c.errorf(s.Count.Pos(), "unroll needs a constant count from 1 to 100")
		}
		c.info.Consts[s.Count] = Const{Int: n}
		c.unrolls++
		c.block(s.Body)
		c.unrolls--
	case *lang.ForStmt:
		if s.Map != nil {
			c.forMap(s)
			return
		}
		for _, e := range []lang.Expr{s.Lo, s.Hi} {
			if t := c.expr(e); t.Kind != Invalid && !t.IsInteger() {
				c.errorf(e.Pos(), "a for range needs integer bounds, not %s", t)
			}
		}
		if old, ok := c.vars[s.Var.Key()]; ok && old.Kind != Int {
			c.errorf(s.Var.At, "type mismatch for %s: was %s, now int64", s.Var.Name, old)
			return
		}
		c.vars[s.Var.Key()] = Int64
		c.record(s.Var, Int64)
		c.loops++
		c.block(s.Body)
		c.loops--
	case *lang.JumpStmt:
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
		switch val.AggFn {
		case "count", "sum", "min", "max", "avg":
			val = IntType(8, val.AggFn != "count" && val.AggArg != nil && val.AggArg.Signed)
		default:
			c.errorf(s.Map.At, "cannot iterate over %s: it holds %s() histograms or stats", s.Map.Name, val.AggFn)
			return
		}
	}
	kv := TupleOf(key, val)
	if old, ok := c.vars[s.Var.Key()]; ok && !Equal(old, kv) {
		c.errorf(s.Var.At, "type mismatch for %s: was %s, now %s", s.Var.Name, old, kv)
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
		if t := c.call(e, true); t != nil && c.info.CCalls[e] != nil {
			c.record(e, t)
		}
		return
	case *lang.Unary:
		if e.Op == "++" || e.Op == "--" {
			c.expr(e)
			return
		}
	}
	c.expr(e)
}

func isAggCall(e lang.Expr) (*lang.Call, bool) {
	call, ok := e.(*lang.Call)
	if !ok {
		return nil, false
	}
	switch call.Fun {
	case "count", "sum", "min", "max", "avg", "stats", "hist", "lhist", "tseries":
		return call, true
	}
	return nil, false
}

func (c *checker) assign(s *lang.AssignStmt) {
	if call, ok := isAggCall(s.Rhs); ok {
		m, ok := s.Lhs.(*lang.MapExpr)
		if !ok || s.Op != "=" {
			c.errorf(call.At, "%s() must be assigned to a map: @x = %s(...)", call.Fun, call.Fun)
			return
		}
		t := c.aggCall(call)
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
	if s.Op != "=" && !rt.IsInteger() {
		c.errorf(s.At, "operator %s needs an integer, not %s", s.Op, rt)
		return
	}
	if rt.Kind == Void {
		c.errorf(s.Rhs.Pos(), "expression has no value to assign")
		return
	}
	rhs := s.Rhs
	if s.Op != "=" {
		rhs = nil // the value is the operation's result, never a literal
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
		switch op := strings.TrimSuffix(s.Op, "="); {
		case lt.Kind == Ptr && (op == "+" || op == "-") && rt.Kind != Ptr:
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

// setVar records an assignment of a value of type rt to variable l; rhs
// is the assigned expression, when the assignment has one.
func (c *checker) setVar(l *lang.Var, rt *Type, vpos lang.Pos, rhs lang.Expr) {
	st := storedType(rt)
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
				c.errorf(vpos, "type mismatch for %s: was %s, now %s", l.Name, prev, rt)
				return
			}
			st = joined
		}
		c.joined[key] = st
		c.vars[key] = st
		c.record(l, st)
		return
	}
	if old, ok := c.vars[key]; ok {
		if !assignable(old, st) {
			c.errorf(vpos, "type mismatch for %s: was %s, now %s", l.Name, old, st)
			return
		}
		if old.Kind == Str && st.Size > old.Size && !c.declared[key] {
			old.Size = st.Size
		}
		if old.Kind == Int && c.declared[key] {
			c.narrowTo(l, old, rt, vpos, rhs)
		}
	} else {
		if st.Kind == Str {
			st = StrType(st.Size) // own copy: may grow
		}
		c.vars[l.Key()] = st
	}
	c.record(l, c.vars[l.Key()])
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

// namedType resolves a type as written in a declaration: the cast types,
// string, pointers and fixed arrays.
func (c *checker) namedType(pos lang.Pos, name string) *Type {
	name = strings.Join(strings.Fields(name), " ")
	if i := strings.LastIndex(name, "["); i > 0 && strings.HasSuffix(name, "]") {
		n, err := strconv.Atoi(name[i+1 : len(name)-1])
		if err != nil || n <= 0 || n > 1<<16 {
			c.errorf(pos, "bad array length in %s", name)
			return nil
		}
		elem := c.namedType(pos, strings.TrimSpace(name[:i]))
		if elem == nil {
			return nil
		}
		return ArrayOf(elem, n)
	}
	switch name {
	case "string":
		return StrType(c.info.Settings.MaxStrlen)
	case "int":
		return Int32
	}
	if t, ok := c.cdefs[name]; ok {
		return t
	}
	if strings.HasPrefix(name, "struct ") && !strings.HasSuffix(name, "*") || strings.HasPrefix(name, "union ") && !strings.HasSuffix(name, "*") {
		return c.lookupStruct(pos, name)
	}
	if t, ok := castTypes[name]; ok {
		return t
	}
	if strings.HasSuffix(name, "*") {
		base := strings.TrimSpace(strings.TrimSuffix(name, "*"))
		switch {
		case strings.HasPrefix(base, "struct ") || strings.HasPrefix(base, "union "):
			if elem := c.lookupStruct(pos, base); elem != nil {
				return PtrTo(elem, false)
			}
			return nil
		case base == "void" || base == "char":
			return PtrTo(Int8, false)
		}
		if t, ok := castTypes[base]; ok {
			return PtrTo(t, false)
		}
	}
	c.errorf(pos, "unknown type %s", name)
	return nil
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
// when known) to the variable l declared with the integer type dt: a
// constant must fit, and another value that might not is truncated with
// a warning.
func (c *checker) narrowTo(l *lang.Var, dt, rt *Type, vpos lang.Pos, rhs lang.Expr) {
	if rhs != nil {
		if v, ok := c.constValue(rhs); ok {
			lit, big := rhs.(*lang.IntLit)
			if !ConstFits(v, big && lit.Val > 1<<63-1, dt) {
				c.errorf(vpos, "%s does not fit in %s, the type of %s", constText(v, big && lit.Val > 1<<63-1), dt, l.Name).Hint =
					fmt.Sprintf("cast it to say what you mean: (%s)%s", dt, constText(v, big && lit.Val > 1<<63-1))
			}
			return
		}
	}
	if !FitsInt(rt, dt) {
		c.warnf(vpos, "a value of type %s may not fit in %s, the type of %s, and is converted to it; cast it to silence this warning", rt, dt, l.Name)
	}
}

func constText(v int64, big bool) string {
	if big {
		return strconv.FormatUint(uint64(v), 10)
	}
	return strconv.FormatInt(v, 10)
}

// warnf records a warning (in the checking sweep only).
func (c *checker) warnf(pos lang.Pos, format string, args ...any) {
	if c.infer {
		return
	}
	w := lang.Errorf(pos, format, args...)
	w.Warning = true
	c.info.Warnings = append(c.info.Warnings, w)
}

// storedType is the type a value takes when stored in a variable or map:
// integers widen to 64 bits (bools stay bools, in 8-byte slots).
func storedType(t *Type) *Type { return Stored(t) }

// tupleElem is the type a tuple keeps a value of type t in: integers
// and bools keep their size, as the fields of a C struct (bpftrace lays
// tuples out so: ((int8)1, (int16)2, (int32)3) is 8 bytes); a bool is
// one byte.
func tupleElem(t *Type) *Type {
	switch t.Kind {
	case Bool:
		return &Type{Kind: Bool, Size: 1}
	case Int:
		if t.Size == 0 {
			return Stored(t)
		}
		c := *t
		return &c
	}
	return t
}

func assignable(dst, src *Type) bool {
	if dst.Kind != src.Kind {
		return false
	}
	switch dst.Kind {
	case Int:
		return true
	case Str:
		return true
	}
	return Equal(dst, src)
}

// setMap records an assignment of a value of type vt to map access m.
func (c *checker) setMap(m *lang.MapExpr, vt *Type, vpos lang.Pos) {
	keys := c.keyTypes(m)
	if keys == nil {
		return
	}
	mi := c.info.Maps[m.Name]
	if vt.Kind == Int || vt.Kind == Tuple {
		// integer and tuple values join by promotion over every
		// assignment (the inferring sweep sees them all); integers are
		// stored in 64 bits
		if j := c.mapInts[m.Name]; j != nil && j.Kind == vt.Kind {
			if joined, ok := PromoteValue(j, vt); ok {
				vt = joined
			}
		}
		c.mapInts[m.Name] = vt
		vt = Stored(vt)
		if mi != nil && mi.Value.Kind == vt.Kind {
			if _, ok := PromoteValue(mi.Value, vt); ok {
				mi.Value = vt
			}
		}
	}
	if mi == nil {
		mi = &MapInfo{Name: m.Name, Pos: m.At, Keys: keys, Value: cloneStr(vt)}
		mi.Key = keyOf(mi.Keys)
		c.info.Maps[m.Name] = mi
		c.record(m, mi.Value)
		return
	}
	if !c.unifyKeys(mi, m, keys) {
		return
	}
	switch {
	case mi.Value.Kind == Agg || vt.Kind == Agg:
		if !Equal(mi.Value, vt) {
			c.errorf(vpos, "map %s already holds %s values; this assigns %s", m.Name, mi.Value, vt)
			return
		}
	case !assignable(mi.Value, vt):
		c.errorf(vpos, "map %s already holds %s values; this assigns %s", m.Name, mi.Value, vt)
		return
	case mi.Value.Kind == Str && vt.Size > mi.Value.Size:
		mi.Value.Size = vt.Size
	}
	c.record(m, mi.Value)
}

func cloneStr(t *Type) *Type {
	if t.Kind == Str {
		return StrType(t.Size)
	}
	return t
}

func keyOf(keys []*Type) *Type {
	switch len(keys) {
	case 0:
		return nil
	case 1:
		return keys[0]
	}
	return TupleOf(keys...)
}

func (c *checker) keyTypes(m *lang.MapExpr) []*Type {
	keys := []*Type{}
	for _, k := range m.Keys {
		t := c.expr(k)
		if t.Kind == Invalid {
			return nil
		}
		switch t.Kind {
		case Int, Bool, Str, Ptr, Tuple, Ksym, Usym, Stack, Array, Buf, View, Timestamp:
		default:
			c.errorf(k.Pos(), "%s cannot be used as a map key", t)
			return nil
		}
		keys = append(keys, cloneStr(storedType(t)))
	}
	if len(keys) == 1 && keys[0].Kind == Tuple && !keys[0].Named {
		// @m[(a, b)] is @m[a, b]: a tuple key is the map's several keys
		var elems []*Type
		for _, f := range keys[0].Fields {
			elems = append(elems, cloneStr(f.Type))
		}
		return elems
	}
	return keys
}

// unifyKeys checks keys against the map's known key types, widening strings.
func (c *checker) unifyKeys(mi *MapInfo, m *lang.MapExpr, keys []*Type) bool {
	if len(keys) != len(mi.Keys) {
		c.errorf(m.At, "map %s is used with %d keys here and %d keys at %d:%d",
			m.Name, len(keys), len(mi.Keys), mi.Pos.Line, mi.Pos.Col)
		return false
	}
	changed := false
	for i, k := range keys {
		old := mi.Keys[i]
		pos := m.At
		if i < len(m.Keys) {
			pos = m.Keys[i].Pos()
		}
		if old.Kind == Tuple && k.Kind == Tuple {
			// tuple keys widen their strings like tuple values
			if joined, ok := PromoteValue(old, k); ok {
				if !Equal(joined, old) {
					mi.Keys[i] = joined
					changed = true
				}
				continue
			}
		}
		if !assignable(old, k) {
			c.errorf(pos, "map %s key %d has type %s here but %s at %d:%d",
				m.Name, i+1, k, old, mi.Pos.Line, mi.Pos.Col)
			return false
		}
		if old.Kind == Str && k.Size > old.Size {
			old.Size = k.Size
			changed = true
		}
	}
	if changed {
		mi.Key = keyOf(mi.Keys)
	}
	return true
}

func (c *checker) record(e lang.Expr, t *Type) *Type {
	c.info.Types[e] = t
	return t
}

var builtinTypes = map[string]*Type{
	"pid":     Uint32,
	"tid":     Uint32,
	"uid":     Uint32,
	"gid":     Uint32,
	"cpu":     Uint32,
	"nsecs":   Uint64,
	"elapsed": Uint64,
	"cpid":    Uint32,
	"ncpus":   Uint64,
	"numaid":  Uint32,
	"rand":    Uint32,
	"cgroup":  Uint64,
	"jiffies": Uint64,
	"comm":    StrType(16),
}

// ArgCount is how many argN builtins a probe may use.
const ArgCount = 6

// probeBuiltin types the builtins whose meaning depends on the probe:
// argN, retval and func. It returns nil (with reported set when it
// complained) when e is not one of them or is not available.
func (c *checker) probeBuiltin(e *lang.Ident) *Type {
	var n int
	isArg := false
	if strings.HasPrefix(e.Name, "arg") {
		if _, err := fmt.Sscanf(e.Name, "arg%d", &n); err == nil && fmt.Sprintf("arg%d", n) == e.Name {
			isArg = true
		}
	}
	if !isArg && e.Name != "retval" && e.Name != "func" {
		return nil
	}
	var t *Type
	for _, ctx := range c.ctxs {
		var ok bool
		var ct *Type
		switch {
		case isArg && ctx.Kind == ProgTracing:
			ok = n < ctx.NumArgs
			ct = Uint64
		case isArg && ctx.Provider == "usdt":
			ok = n < len(ctx.USDTArgs)
			ct = Uint64
			if ok && ctx.USDTArgs[n].Signed {
				ct = Int64
			}
		case isArg:
			ok = n < ArgCount && (ctx.Provider == "kprobe" || ctx.Provider == "uprobe" || ctx.Provider == "rawtracepoint")
			ct = Uint64
		case e.Name == "retval" && ctx.Provider == "fexit":
			ok, ct = true, ctx.Retval
			if ct == nil {
				ct = Uint64
			}
		case e.Name == "retval":
			ok = ctx.Provider == "kretprobe" || ctx.Provider == "uretprobe"
			ct = Uint64
		case e.Name == "func":
			switch ctx.Provider {
			case "kprobe", "kretprobe", "fentry", "fexit":
				ok, ct = true, &Type{Kind: Ksym, Size: 8}
			case "uprobe":
				ok, ct = true, UsymType
			}
		}
		if !ok {
			c.errorf(e.At, "%s is not available in probe %s", e.Name, ctx.Name)
			c.reported = true
			return nil
		}
		t = ct
	}
	if t == nil {
		c.errorf(e.At, "%s is not available here", e.Name)
		c.reported = true
	}
	return t
}

// BuiltinNames lists the builtin identifiers the checker knows, for
// completion and "did you mean" hints.
func BuiltinNames() []string {
	names := []string{"args", "probe", "retval", "func", "curtask", "kstack", "ustack", "dw_ustack", "username", "usermode", "probetype",
		"ppid", "pcomm", "leader_comm", "leader_tid", "has_cpid", "default_str_length", "config"}
	for i := 0; i < ArgCount; i++ {
		names = append(names, fmt.Sprintf("arg%d", i))
	}
	for n := range builtinTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (c *checker) expr(e lang.Expr) *Type {
	t := c.expr1(e)
	if t == nil {
		t = InvalidTyp
	}
	c.info.Types[e] = t
	return t
}

func (c *checker) expr1(e lang.Expr) *Type {
	switch e := e.(type) {
	case *lang.IntLit:
		return LitType(e.Val)
	case *lang.BoolLit:
		return BoolType
	case *lang.StrLit:
		return StrType(len(e.Val) + 1)
	case *lang.Paren:
		return c.expr(e.X)
	case *lang.Ident:
		return c.ident(e)
	case *lang.Var:
		t, ok := c.vars[e.Key()]
		if !ok && c.letDeclared(e.Key()) && c.joined[e.Key()] != nil {
			// `let $x;` read before its first assignment: zero, of the
			// type its assignments give it
			t, ok = c.joined[e.Key()], true
		}
		if !ok {
			if !c.infer {
				c.errorf(e.At, "undefined variable %s", e.Name).Hint = "assign it first: " + e.Name + " = ...;"
			}
			return nil
		}
		return t
	case *lang.MapExpr:
		return c.mapRead(e)
	case *lang.Call:
		return c.call(e, false)
	case *lang.Unary:
		return c.unary(e)
	case *lang.Binary:
		return c.binary(e)
	case *lang.Ternary:
		return c.ternary(e)
	case *lang.Field:
		return c.field(e)
	case *lang.TypeExpr:
		c.errorf(e.At, "%s is a type, not a value", e.Type)
		return nil
	case *lang.BlockExpr:
		c.stmts(e.Stmts, e.Value)
		if e.Value == nil {
			c.errorf(e.At, "this block (or macro) has no value")
			return nil
		}
		return c.expr(e.Value)
	case *lang.Tuple:
		var elems []*Type
		for _, x := range e.Elems {
			t := c.expr(x)
			if t.Kind == Invalid {
				return nil
			}
			if t.Kind == Void || t.Kind == Agg {
				c.errorf(x.Pos(), "%s cannot be a tuple element", t)
				return nil
			}
			elems = append(elems, cloneStr(tupleElem(t)))
		}
		tt := TupleOf(elems...)
		if e.Names != nil {
			seen := map[string]bool{}
			for i, n := range e.Names {
				if seen[n] {
					c.errorf(e.At, "the record names %s twice", n)
					return nil
				}
				seen[n] = true
				tt.Fields[i].Name = n
			}
			tt.Named = true
		}
		return tt
	case *lang.Cast:
		return c.cast(e)
	case *lang.Index:
		return c.index(e)
	case *lang.PosParam:
		if e.Count {
			return Int64
		}
		if _, ok := c.info.Config.ParamInt(e.N); !ok {
			p, _ := c.info.Config.Param(e.N)
			c.errorf(e.At, "$%d is %q, not a number", e.N, p).Hint = fmt.Sprintf("use str($%d) for a string parameter", e.N)
			return nil
		}
		return Int64
	}
	c.errorf(e.Pos(), "this expression is not supported yet")
	return nil
}

func (c *checker) ident(e *lang.Ident) *Type {
	if c.inCallback > 0 {
		switch e.Name {
		case "args", "retval", "func":
			c.errorf(e.At, "%s cannot be used inside a for loop over a map; copy it to a $variable before the loop", e.Name)
			return nil
		}
		if strings.HasPrefix(e.Name, "arg") {
			if _, err := strconv.Atoi(e.Name[3:]); err == nil {
				c.errorf(e.At, "%s cannot be used inside a for loop over a map; copy it to a $variable before the loop", e.Name)
				return nil
			}
		}
	}
	if t, ok := builtinTypes[e.Name]; ok {
		return t
	}
	if t, ok := c.moreBuiltin(e); ok {
		return t
	}
	switch e.Name {
	case "kstack", "ustack", "dw_ustack":
		return c.stackType(e.At, e.Name, "", 0)
	case "curtask":
		// an inline struct task_struct takes the place of the kernel's
		st, ok := c.cdefs["struct task_struct"]
		if !ok {
			st = c.kernelStruct(e.At, "task_struct")
		}
		if st == nil {
			return nil
		}
		return PtrTo(st, false)
	case "probe":
		n := 0
		for _, ctx := range c.probeCtxs {
			if len(ctx.Name)+1 > n {
				n = len(ctx.Name) + 1
			}
		}
		return StrType(n)
	case "ctx":
		return c.ctxBuiltin(e)
	case "args":
		var t *Type
		for _, ctx := range c.ctxs {
			if ctx.Args == nil {
				c.errorf(e.At, "args is not available in probe %s", ctx.Name)
				return nil
			}
			if t != nil && !Equal(t, ctx.Args) {
				c.errorf(e.At, "args has different layouts in the probes of this block (%s and %s)", t, ctx.Args)
				return nil
			}
			t = ctx.Args
		}
		return t
	}
	if t := c.probeBuiltin(e); t != nil || c.reported {
		c.reported = false
		return t
	}
	if v, ok := cConstant(e.Name); ok {
		c.info.Consts[e] = Const{Int: v}
		return ConstType(v)
	}
	if ee, ok := c.env.(EnumEnv); ok {
		if v, t, ok := ee.KernelEnum(e.Name); ok {
			// an enumerator of the kernel's types: a constant of its enum
			c.info.Consts[e] = Const{Int: v}
			return t
		}
	}
	err := c.errorf(e.At, "unknown identifier '%s'", e.Name)
	if s := suggest(e.Name, BuiltinNames()); s != "" {
		err.Hint = "did you mean " + s + "?"
	}
	return nil
}

func (c *checker) mapRead(e *lang.MapExpr) *Type {
	keys := c.keyTypes(e)
	mi := c.info.Maps[e.Name]
	if mi == nil {
		if !c.infer {
			c.errorf(e.At, "undefined map %s", e.Name).Hint = "assign it somewhere: " + e.Name + " = ...;"
		}
		return nil
	}
	if keys == nil || !c.unifyKeys(mi, e, keys) {
		return nil
	}
	if mi.Value.Kind == Agg {
		switch mi.Value.AggFn {
		case "count", "sum", "min", "max", "avg":
			return IntType(8, mi.Value.AggFn != "count" && mi.Value.AggArg != nil && mi.Value.AggArg.Signed)
		}
		c.errorf(e.At, "%s is a %s aggregation and cannot be read in a probe", e.Name, mi.Value.AggFn)
		return nil
	}
	return mi.Value
}

func (c *checker) unary(e *lang.Unary) *Type {
	if m, ok := e.X.(*lang.MapExpr); ok && (e.Op == "++" || e.Op == "--") && c.info.Maps[m.Name] == nil {
		// @m++ on a map not assigned yet starts it at 0, as += does.
		c.setMap(m, Int64, e.At)
	}
	t := c.expr(e.X)
	if t.Kind == Invalid {
		return nil
	}
	switch e.Op {
	case "++", "--":
		switch x := e.X.(type) {
		case *lang.Var, *lang.MapExpr:
			if !t.IsInteger() {
				c.errorf(e.At, "%s needs an integer, not %s", e.Op, t)
				return nil
			}
			if t.Kind == Ptr {
				return t // one element on
			}
			rt := Uint64
			if t.Signed || e.Op == "--" {
				rt = Int64
			}
			switch x := x.(type) {
			case *lang.MapExpr:
				if mi := c.info.Maps[x.Name]; mi != nil && mi.Value.Kind == Agg {
					c.errorf(e.At, "%s is an aggregation; it cannot be changed with %s", x.Name, e.Op)
					return nil
				}
				c.setMap(x, rt, e.At)
			case *lang.Var:
				if c.declared[x.Key()] {
					return t // it wraps at the declared width
				}
				c.setVar(x, rt, e.At, nil)
			}
			return rt
		}
		c.errorf(e.At, "%s needs a $variable or an @map", e.Op)
		return nil
	case "!":
		if !t.IsInteger() {
			c.errorf(e.At, "! needs an integer or bool, not %s", t)
			return nil
		}
		return BoolType
	case "-", "~":
		if !t.IsInteger() {
			c.errorf(e.At, "%s needs an integer, not %s", e.Op, t)
			return nil
		}
		if v, ok := c.constValue(e); ok {
			return ConstType(v)
		}
		if t.Signed {
			return Int64
		}
		return Uint64
	case "*":
		if t.Kind == Int {
			// an address held as an integer (kaddr()): a u64 read there
			return Uint64
		}
		if t.Kind != Ptr {
			c.errorf(e.At, "cannot dereference %s", t)
			return nil
		}
		return t.Elem
	case "&":
		return c.addressOf(e, t)
	}
	c.errorf(e.At, "operator %s is not supported yet", e.Op)
	return nil
}

func (c *checker) binary(e *lang.Binary) *Type {
	x := c.expr(e.X)
	y := c.expr(e.Y)
	if x.Kind == Invalid || y.Kind == Invalid {
		return nil
	}
	switch e.Op {
	case "==", "!=":
		if x.Kind == Str && y.Kind == Str {
			return BoolType
		}
		if BytesComparable(x, y) {
			return BoolType
		}
	}
	if !x.IsInteger() || !y.IsInteger() {
		c.errorf(e.At, "operator %s cannot be applied to %s and %s", e.Op, x, y)
		return nil
	}
	switch e.Op {
	case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
		return BoolType
	case "+", "-":
		// pointer arithmetic counts elements, as in C: p + 1 is the next
		switch {
		case x.Kind == Ptr && y.Kind != Ptr:
			return x
		case y.Kind == Ptr && x.Kind != Ptr && e.Op == "+":
			return y
		}
	}
	if v, ok := c.constValue(e); ok {
		return ConstType(v) // folded, it is a literal
	}
	return ArithType(e.Op, x, y)
}

func (c *checker) ternary(e *lang.Ternary) *Type {
	ct := c.expr(e.Cond)
	var tt *Type
	if e.Then != nil {
		tt = c.expr(e.Then)
	} else {
		tt = ct
	}
	et := c.expr(e.Else)
	if ct.Kind == Invalid || tt.Kind == Invalid || et.Kind == Invalid {
		return nil
	}
	if !ct.IsInteger() {
		c.errorf(e.Cond.Pos(), "condition must be an integer or bool, not %s", ct)
		return nil
	}
	switch {
	case tt.Kind == Bool && et.Kind == Bool:
		return BoolType
	case tt.Kind == Void && et.Kind == Void:
		// c ? printf("a") : printf("b"): a statement
		return VoidType
	case tt.Kind == Tuple && et.Kind == Tuple:
		if t, ok := PromoteValue(tt, et); ok {
			return t
		}
	case tt.Kind == Int && et.Kind == Int:
		return Promote(tt, et)
	case tt.IsInteger() && et.IsInteger():
		return IntType(8, signedOf(tt) && signedOf(et))
	case tt.Kind == Str && et.Kind == Str:
		return StrType(max(tt.Size, et.Size))
	}
	c.errorf(e.Cond.Pos(), "the branches of ?: have different types: %s and %s", tt, et)
	return nil
}

func (c *checker) field(e *lang.Field) *Type {
	t := c.expr(e.X)
	if t.Kind == Invalid {
		return nil
	}
	if t.Kind == Ptr && t.Elem != nil && t.Elem.Kind == Struct {
		t = t.Elem
	}
	switch t.Kind {
	case Struct:
		c.complete(e.At, t)
		f, ok := t.Field(e.Name)
		if !ok {
			err := c.errorf(e.At, "%s has no field '%s'", t, e.Name)
			var names []string
			for _, f := range t.Fields {
				names = append(names, f.Name)
			}
			if s := suggest(e.Name, names); s != "" {
				err.Hint = "did you mean " + s + "?"
			}
			return nil
		}
		if f.DataLoc {
			return StrType(c.info.Settings.MaxStrlen)
		}
		if f.Type.Kind == Array && f.Type.Elem.Kind == Int && f.Type.Elem.Size == 1 {
			return StrType(f.Type.Size) // char arrays are strings
		}
		return f.Type
	case Tuple:
		if f, ok := t.Field(e.Name); ok {
			return f.Type
		}
		i, err := strconv.Atoi(e.Name)
		if err != nil || i < 0 || i >= len(t.Fields) {
			c.errorf(e.At, "tuple %s has no element %s", t, e.Name)
			return nil
		}
		return t.Fields[i].Type
	}
	c.errorf(e.At, "%s has no fields", t)
	return nil
}

// keyCheck checks the keys of map access m against the map's key types.
func (c *checker) keyCheck(m *lang.MapExpr) {
	keys := c.keyTypes(m)
	mi := c.info.Maps[m.Name]
	if mi == nil {
		if !c.infer {
			c.errorf(m.At, "undefined map %s", m.Name)
		}
		return
	}
	if keys != nil {
		c.unifyKeys(mi, m, keys)
	}
}

// kernelStruct looks a kernel struct up in the Env's BTF.
func (c *checker) kernelStruct(pos lang.Pos, name string) *Type {
	se, ok := c.env.(StructEnv)
	if !ok {
		c.errorf(pos, "kernel types (BTF) are not available")
		return nil
	}
	t, err := se.KernelStruct(name)
	if err != nil {
		c.errorf(pos, "cannot find %s in the kernel's BTF: %v", name, err)
		return nil
	}
	return t
}

// castTypes are the integer type names a cast may name.
var castTypes = map[string]*Type{
	"int8": Int8, "int16": Int16, "int32": Int32, "int64": Int64,
	"uint8": Uint8, "uint16": Uint16, "uint32": Uint32, "uint64": Uint64,
	"s8": Int8, "s16": Int16, "s32": Int32, "s64": Int64,
	"u8": Uint8, "u16": Uint16, "u32": Uint32, "u64": Uint64,
	"bool": BoolType,
}

func (c *checker) cast(e *lang.Cast) *Type {
	x := c.expr(e.X)
	if x.Kind == Invalid {
		return nil
	}
	if e.TypeOf != nil {
		t := c.typeOfCall(e.TypeOf)
		switch {
		case t == nil:
			return nil
		case !x.IsInteger():
			c.errorf(e.At, "cannot cast %s to %s", x, t)
			return nil
		case t.Kind == Int || t.Kind == Bool || t.Kind == Ptr:
			return t
		}
		c.errorf(e.At, "cannot cast to %s (supported: integers, bool and pointers)", t)
		return nil
	}
	name := strings.Join(strings.Fields(e.Type), " ")
	if strings.HasSuffix(name, "]") {
		return c.arrayCast(e, name, x)
	}
	if strings.HasSuffix(name, "*") {
		base := strings.TrimSpace(strings.TrimSuffix(name, "*"))
		if id, ok := lang.Unparen(e.X).(*lang.Ident); ok && id.Name == "ctx" && x.Kind == Struct {
			// the context pointer itself, seen as another type
		} else if !x.IsInteger() {
			c.errorf(e.At, "cannot cast %s to %s", x, name)
			return nil
		}
		var elem *Type
		switch {
		case strings.HasPrefix(base, "struct ") || strings.HasPrefix(base, "union "):
			elem = c.lookupStruct(e.At, base)
			if elem == nil {
				return nil
			}
		case base == "void" || base == "char":
			elem = Int8
		default:
			if t, ok := castTypes[base]; ok {
				elem = t
			} else {
				c.errorf(e.At, "cannot cast to %s", name)
				return nil
			}
		}
		user := x.Kind == Ptr && x.User
		for _, ctx := range c.ctxs {
			if ctx.Provider == "uprobe" || ctx.Provider == "uretprobe" || ctx.Provider == "usdt" {
				user = true
			}
		}
		return PtrTo(elem, user)
	}
	t, ok := castTypes[name]
	if et, isEnum := c.cdefs[name]; isEnum && et.Kind == Int {
		t, ok = et, true
	}
	if !ok {
		c.errorf(e.At, "cannot cast to %s (supported so far: the integer types, bool and enums)", name)
		return nil
	}
	if x.Kind == Array && intElems(x) && t.Kind == Int {
		if x.Size != t.Size {
			c.errorf(e.At, "cannot cast %s (%d bytes) to %s (%d bytes): the sizes must be equal", x, x.Size, t, t.Size)
			return nil
		}
		return t
	}
	if !x.IsInteger() {
		c.errorf(e.At, "cannot cast %s to %s", x, name)
		return nil
	}
	return t
}

// intElems tells whether array type t holds integers or bools.
func intElems(t *Type) bool {
	return t.Elem != nil && (t.Elem.Kind == Int || t.Elem.Kind == Bool)
}

// arrayCast checks (T[N])x and (T[])x: an integer's bytes seen as an
// array of integers or bools. The sizes must agree; a literal takes the
// array's size, and [] takes the value's.
func (c *checker) arrayCast(e *lang.Cast, name string, x *Type) *Type {
	i := strings.LastIndex(name, "[")
	elem, ok := castTypes[strings.TrimSpace(name[:i])]
	if !ok || elem.Kind != Int && elem.Kind != Bool {
		c.errorf(e.At, "cannot cast to %s: array casts are to arrays of integers or bools", name)
		return nil
	}
	if !x.IsInteger() && (x.Kind != Array || !intElems(x)) && x.Kind != Str {
		c.errorf(e.At, "cannot cast %s to %s: only integers, integer arrays and strings can be cast to arrays", x, name)
		return nil
	}
	n := x.Size / elem.Size
	if ls := name[i+1 : len(name)-1]; ls != "" {
		v, err := strconv.Atoi(ls)
		if err != nil || v <= 0 {
			c.errorf(e.At, "bad array length in %s", name)
			return nil
		}
		n = v
	}
	size := n * elem.Size
	if _, isConst := c.constValue(e.X); isConst && (size == 1 || size == 2 || size == 4 || size == 8) {
		return ArrayOf(elem, n)
	}
	if size != x.Size {
		c.errorf(e.At, "cannot cast %s (%d bytes) to %s (%d bytes): the sizes must be equal", x, x.Size, name, size)
		return nil
	}
	return ArrayOf(elem, n)
}

// probeBody checks a probe's predicate and body for the contexts ctxs.
func (c *checker) probeBody(pi *ProbeInfo, ctxs []*Context) {
	c.vars = map[string]*Type{}
	c.declared = map[string]bool{}
	jk := fmt.Sprintf("%p/%p", pi, ctxs[0])
	if c.joins[jk] == nil {
		c.joins[jk] = map[string]*Type{}
	}
	c.joined = c.joins[jk]
	c.ctxs = ctxs
	c.probeCtxs = pi.Contexts
	if pi.Probe.Pred != nil {
		t := c.expr(pi.Probe.Pred)
		if !c.infer && t.Kind != Invalid && !t.IsInteger() {
			c.errorf(pi.Probe.Pred.Pos(), "predicate must be an integer or bool, not %s", t)
		}
	}
	c.lets = nil
	c.block(pi.Probe.Body)
	for _, v := range c.lets {
		if t := c.vars[v.Key()]; t != nil {
			c.record(v, t)
		} else if !c.infer {
			c.errorf(v.At, "let %s needs a type or a value: it is never assigned", v.Name)
		}
	}
}

// argsGroups splits a probe's contexts into groups whose args have one
// layout: the body is checked once per group (sys_enter_open and
// sys_enter_openat both have args.filename, at different offsets).
func argsGroups(ctxs []*Context) [][]*Context {
	var groups [][]*Context
	for _, ctx := range ctxs {
		placed := false
		for i, g := range groups {
			if Equal(g[0].Args, ctx.Args) {
				groups[i] = append(g, ctx)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, []*Context{ctx})
		}
	}
	return groups
}

// sameTypes checks that the expressions of a probe checked for another
// args layout got the same types as for the first (only structs, which
// the code generator takes from each probe's own args, may differ). It
// returns the first layout's types.
func (c *checker) sameTypes(pi *ProbeInfo, first map[lang.Expr]*Type, ctx0, ctx *Context, isFirst bool) map[lang.Expr]*Type {
	cur := map[lang.Expr]*Type{}
	visit := func(n lang.Node) bool {
		if e, ok := n.(lang.Expr); ok {
			if t := c.info.Types[e]; t != nil {
				cur[e] = t
			}
		}
		return true
	}
	if pi.Probe.Pred != nil {
		lang.Inspect(pi.Probe.Pred, visit)
	}
	lang.Inspect(pi.Probe.Body, visit)
	if isFirst {
		return cur
	}
	for e, t := range cur {
		t0 := first[e]
		if t0 == nil || Equal(t0, t) || t.Kind == Invalid || t0.Kind == Invalid || t.Kind == Struct || t.Kind == Ptr && t.Elem != nil && t.Elem.Kind == Struct {
			continue
		}
		c.errorf(e.Pos(), "this is %s in %s but %s in %s: the attach points of one probe must give it one type", t0, ctx0.Name, t, ctx.Name)
	}
	return first
}

// Functions lists the functions the checker knows.
func Functions() []string {
	return []string{"assert", "avg", "bswap", "buf", "cat", "cgroup_path", "cgroupid", "clear", "count", "delete", "errorf", "exit", "getopt", "has_key", "hist", "join", "kaddr", "kstack", "ksym",
		"len", "lhist", "macaddr", "max", "memcmp", "min", "ntop", "offsetof", "override", "path", "print", "printf", "pton", "reg", "signal", "signal_thread", "sizeof", "static_assert", "stats", "str", "str_concat", "tseries",
		"strcontains", "strerror", "strftime", "strlen", "strncmp", "strstr", "sum", "syscall_name", "system", "time", "typeof", "uaddr", "usym", "ustack", "dw_ustack", "warnf", "zero",
		"is_array", "is_integer", "is_literal", "is_ptr", "is_str", "is_unsigned_integer", "is_err", "strcap", "kptr", "uptr", "pcomm", "ppid", "leader_comm", "leader_tid", "signal_name", "container_of", "find", "fail", "assert_str", "write_user", "kfunc_exist", "kfunc_allowed", "socket_cookie", "percpu_kaddr", "skboutput", "unwatch"}
}

func (c *checker) call(e *lang.Call, stmt bool) *Type {
	nargs := func(lo, hi int) bool {
		if len(e.Args) < lo || len(e.Args) > hi {
			want := fmt.Sprint(lo)
			if hi > lo {
				want = fmt.Sprintf("%d to %d", lo, hi)
			}
			if hi > 100 {
				want = fmt.Sprintf("at least %d", lo)
			}
			c.errorf(e.At, "%s() takes %s argument%s, got %d", e.Fun, want, plural(lo, hi), len(e.Args))
			return false
		}
		return true
	}
	if t, ok := c.moreCall(e, nargs); ok {
		return t
	}
	switch e.Fun {
	case "printf":
		if !nargs(1, 1<<20) {
			return nil
		}
		return c.printf(e)
	case "sizeof", "offsetof", "getopt", "kaddr", "cgroupid":
		return c.constCall(e, nargs)
	case "errorf", "warnf", "cat", "system":
		if !nargs(1, 1<<20) {
			return nil
		}
		if e.Fun == "system" && !c.info.Config.Unsafe {
			c.errorf(e.At, "system() runs commands: it needs --unsafe")
			return nil
		}
		if c.printf(e) == nil {
			return nil
		}
		return VoidType
	case "strftime":
		if !nargs(2, 2) {
			return nil
		}
		lit, ok := e.Args[0].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[0].Pos(), "strftime() takes its format as a string literal")
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
		if t := c.expr(e.Args[1]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[1].Pos(), "strftime() takes nanoseconds (like nsecs), not %s", t)
			return nil
		}
		return &Type{Kind: Timestamp, Size: 8, Name: lit.Val}
	case "buf":
		if !nargs(1, 2) {
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() && t.Kind != Array && t.Kind != Str {
			c.errorf(e.Args[0].Pos(), "buf() takes an address or an array, not %s", t)
			return nil
		}
		capacity := MaxBuf
		if len(e.Args) == 2 {
			lt := c.expr(e.Args[1])
			if lt.Kind != Invalid && !lt.IsInteger() {
				c.errorf(e.Args[1].Pos(), "buf() length must be an integer, not %s", lt)
				return nil
			}
			if v, ok := c.constValue(e.Args[1]); ok {
				if v <= 0 || v > MaxBuf {
					c.errorf(e.Args[1].Pos(), "buf() length must be from 1 to %d", MaxBuf)
					return nil
				}
				capacity = int(v)
			}
		} else if t := c.info.Types[e.Args[0]]; t != nil && (t.Kind == Array || t.Kind == Str) {
			capacity = min(t.Size, MaxBuf)
		}
		return &Type{Kind: Buf, Size: 1 + capacity}
	case "len":
		if !nargs(1, 1) {
			return nil
		}
		m, ok := e.Args[0].(*lang.MapExpr)
		if !ok || len(m.Keys) != 0 {
			c.errorf(e.Args[0].Pos(), "len() takes a map: len(@m)")
			return nil
		}
		if c.info.Maps[m.Name] == nil && !c.infer {
			c.errorf(m.At, "undefined map %s", m.Name)
			return nil
		}
		if mi := c.info.Maps[m.Name]; mi != nil && len(mi.Keys) == 0 && !c.infer {
			c.errorf(m.At, "call to len() expects a map with explicit keys (non-scalar map); %s has none", m.Name)
			return nil
		}
		if c.inCallback > 0 {
			c.errorf(e.At, "len() cannot be used inside a for loop over a map")
			return nil
		}
		return Uint64
	case "reg":
		if !nargs(1, 1) {
			return nil
		}
		lit, ok := e.Args[0].(*lang.StrLit)
		if !ok || RegOffset(lit.Val) < 0 {
			c.errorf(e.Args[0].Pos(), "reg() takes a register name such as \"ip\", \"sp\" or \"di\"")
			return nil
		}
		for _, ctx := range c.ctxs {
			if ctx.Kind != ProgKprobe && ctx.Kind != ProgPerfEvent {
				c.errorf(e.At, "reg() needs registers, which probe %s does not have", ctx.Name)
				return nil
			}
		}
		c.record(lit, StrType(len(lit.Val)+1))
		c.info.Consts[lit] = Const{Int: int64(RegOffset(lit.Val))}
		return Uint64
	case "static_assert":
		if !nargs(1, 2) {
			return nil
		}
		c.expr(e.Args[0])
		v, ok := c.constValue(e.Args[0])
		if !ok {
			c.errorf(e.Args[0].Pos(), "static_assert() needs a condition known when compiling")
			return nil
		}
		if v == 0 && !c.infer {
			msg := "static_assert failed"
			if len(e.Args) == 2 {
				if lit, isLit := e.Args[1].(*lang.StrLit); isLit {
					msg += ": " + lit.Val
				}
			}
			c.errorf(e.At, "%s", msg)
		}
		return VoidType
	case "assert":
		if !nargs(2, 2) {
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "assert() needs a condition, not %s", t)
			return nil
		}
		lit, ok := e.Args[1].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[1].Pos(), "assert() takes its message as a string literal")
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
		return VoidType
	case "time":
		if !nargs(0, 1) {
			return nil
		}
		if len(e.Args) == 1 {
			lit, ok := e.Args[0].(*lang.StrLit)
			if !ok {
				c.errorf(e.Args[0].Pos(), "time() takes a strftime format as a string literal")
				return nil
			}
			c.record(lit, StrType(len(lit.Val)+1))
		}
		return VoidType
	case "signal", "signal_thread":
		if !nargs(1, 1) {
			return nil
		}
		if !c.info.Config.Unsafe {
			c.errorf(e.At, "%s() sends signals: it needs --unsafe", e.Fun)
			return nil
		}
		switch a := e.Args[0].(type) {
		case *lang.StrLit:
			n := SignalNumber(a.Val)
			if n == 0 {
				c.errorf(a.At, "unknown signal %q", a.Val)
				return nil
			}
			c.info.Consts[a] = Const{Int: int64(n)}
			c.record(a, Uint32)
		default:
			if t := c.expr(a); t.Kind != Invalid && !t.IsInteger() {
				c.errorf(a.Pos(), "%s() takes a signal number or name, not %s", e.Fun, t)
				return nil
			}
		}
		return VoidType
	case "exit":
		if !nargs(0, 1) {
			return nil
		}
		if len(e.Args) == 1 {
			if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
				c.errorf(e.Args[0].Pos(), "exit() takes an integer exit code, not %s", t)
			}
		}
		return VoidType
	case "count", "sum", "min", "max", "avg", "stats", "hist", "lhist", "tseries":
		c.errorf(e.At, "%s() must be assigned to a map: @x = %s(...)", e.Fun, e.Fun)
		return nil
	case "delete":
		if !nargs(1, 2) {
			return nil
		}
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
	case "ksym", "usym":
		if !nargs(1, 1) {
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "%s() takes an address, not %s", e.Fun, t)
			return nil
		}
		if e.Fun == "ksym" {
			return &Type{Kind: Ksym, Size: 8}
		}
		return UsymType
	case "kstack", "ustack", "dw_ustack":
		return c.stackCall(e)
	case "bswap":
		if !nargs(1, 1) {
			return nil
		}
		t := c.expr(e.Args[0])
		if t.Kind != Invalid && t.Kind != Int {
			c.errorf(e.Args[0].Pos(), "bswap() takes an integer, not %s", t)
			return nil
		}
		return t
	case "strlen":
		if !nargs(1, 1) {
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && t.Kind != Str {
			c.errorf(e.Args[0].Pos(), "strlen() takes a string, not %s", t)
			return nil
		}
		return Uint64
	case "strncmp":
		if !nargs(3, 3) {
			return nil
		}
		for _, a := range e.Args[:2] {
			if t := c.expr(a); t.Kind != Invalid && t.Kind != Str {
				c.errorf(a.Pos(), "strncmp() compares strings, not %s", t)
				return nil
			}
		}
		if _, ok := e.Args[2].(*lang.IntLit); !ok {
			c.errorf(e.Args[2].Pos(), "strncmp() needs a constant length")
			return nil
		}
		c.expr(e.Args[2])
		return Uint64
	case "has_key":
		if !nargs(2, 2) {
			return nil
		}
		m, ok := e.Args[0].(*lang.MapExpr)
		if !ok || len(m.Keys) != 0 {
			c.errorf(e.Args[0].Pos(), "has_key() takes a map and a key: has_key(@m, key)")
			return nil
		}
		c.keyCheck(&lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])})
		return BoolType
	case "clear", "zero":
		if !nargs(1, 1) {
			return nil
		}
		if m, ok := e.Args[0].(*lang.MapExpr); !ok || len(m.Keys) != 0 {
			c.errorf(e.Args[0].Pos(), "%s() takes a whole map: %s(@m)", e.Fun, e.Fun)
			return nil
		} else if c.info.Maps[m.Name] == nil && !c.infer {
			c.errorf(m.At, "undefined map %s", m.Name)
		}
		return VoidType
	case "print":
		if !nargs(1, 3) {
			return nil
		}
		if m, ok := e.Args[0].(*lang.MapExpr); ok && len(m.Keys) == 0 {
			if c.info.Maps[m.Name] == nil && !c.infer {
				c.errorf(m.At, "undefined map %s", m.Name)
			}
			for _, a := range e.Args[1:] {
				if _, ok := a.(*lang.IntLit); !ok {
					c.errorf(a.Pos(), "print(@m, top, div) takes integer constants")
				}
			}
			return VoidType
		}
		if len(e.Args) != 1 {
			c.errorf(e.At, "print() of a value takes one argument")
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind == Void {
			c.errorf(e.Args[0].Pos(), "this has no value to print")
		}
		return VoidType
	case "str":
		if !nargs(1, 2) {
			return nil
		}
		if p, ok := e.Args[0].(*lang.PosParam); ok && !p.Count {
			v, _ := c.info.Config.Param(p.N)
			c.record(p, StrType(len(v)+1))
			return StrType(len(v) + 1)
		}
		t := c.expr(e.Args[0])
		if t.Kind == Invalid {
			return nil
		}
		size := c.info.Settings.MaxStrlen
		if len(e.Args) == 2 {
			lt := c.expr(e.Args[1])
			if lt.Kind != Invalid && !lt.IsInteger() {
				c.errorf(e.Args[1].Pos(), "str() length must be an integer, not %s", lt)
			}
			if lit, ok := e.Args[1].(*lang.IntLit); ok && int(lit.Val)+1 < size {
				size = int(lit.Val) + 1
			}
		}
		switch {
		case t.Kind == Str:
			return t
		case t.IsInteger(), t.Kind == Array && t.Elem.Kind == Int && t.Elem.Size == 1:
			return StrType(size)
		}
		c.errorf(e.Args[0].Pos(), "str() takes a pointer or an integer address, not %s", t)
		return nil
	}
	if t, ok := c.scriptCall(e); ok {
		return t
	}
	err := c.errorf(e.At, "unknown function '%s'", e.Fun)
	if s := suggest(e.Fun, Functions()); s != "" {
		err.Hint = "did you mean " + s + "?"
	}
	return nil
}

func plural(lo, hi int) string {
	if lo == 1 && hi == 1 {
		return ""
	}
	return "s"
}

func (c *checker) aggCall(e *lang.Call) *Type {
	if e.Fun == "count" {
		if len(e.Args) != 0 {
			c.errorf(e.At, "count() takes no arguments, got %d", len(e.Args))
			return nil
		}
		return &Type{Kind: Agg, Size: 8, AggFn: "count"}
	}
	if e.Fun == "tseries" {
		return c.tseriesCall(e)
	}
	want := 1
	switch e.Fun {
	case "hist":
		if len(e.Args) == 2 {
			want = 2
		}
	case "lhist":
		want = 4
	}
	if len(e.Args) != want {
		if e.Fun == "lhist" {
			c.errorf(e.At, "lhist() takes 4 arguments (value, min, max, step), got %d", len(e.Args))
		} else {
			c.errorf(e.At, "%s() takes 1 argument, got %d", e.Fun, len(e.Args))
		}
		return nil
	}
	var params []int64
	for _, a := range e.Args[1:] {
		lit, ok := a.(*lang.IntLit)
		if !ok {
			c.errorf(a.Pos(), "%s() parameters must be integer constants", e.Fun)
			return nil
		}
		c.record(lit, Int64)
		params = append(params, int64(lit.Val))
	}
	switch {
	case e.Fun == "hist" && len(params) == 1 && params[0] > 5:
		c.errorf(e.Args[1].Pos(), "hist() bits must be from 0 to 5")
		return nil
	case e.Fun == "lhist" && params[2] <= 0:
		c.errorf(e.Args[3].Pos(), "lhist() step must be positive")
		return nil
	case e.Fun == "lhist" && params[1] <= params[0]:
		c.errorf(e.Args[2].Pos(), "lhist() max must be greater than min")
		return nil
	case e.Fun == "lhist" && (params[1]-params[0])/params[2] > 1000:
		c.errorf(e.Args[3].Pos(), "lhist() would have more than 1000 buckets")
		return nil
	}
	if e.Fun == "hist" && len(params) == 0 {
		params = []int64{0}
	}
	t := c.expr(e.Args[0])
	if t.Kind == Invalid {
		return nil
	}
	if !t.IsInteger() {
		c.errorf(e.Args[0].Pos(), "%s() takes an integer, not %s", e.Fun, t)
		return nil
	}
	arg := IntType(8, signedOf(t))
	size := 16
	switch e.Fun {
	case "sum", "hist", "lhist":
		size = 8
	}
	return &Type{Kind: Agg, Size: size, AggFn: e.Fun, AggArg: arg, AggParams: params}
}

// printf checks the format string against the arguments.
func (c *checker) printf(e *lang.Call) *Type {
	lit, ok := e.Args[0].(*lang.StrLit)
	if !ok {
		c.expr(e.Args[0])
		c.errorf(e.Args[0].Pos(), "%s() needs a string literal as its format", e.Fun)
		return nil
	}
	c.record(lit, StrType(len(lit.Val)+1))
	verbs, err := FormatVerbs(lit.Val)
	if err != "" {
		c.errorf(lit.At, "%s", err)
		return nil
	}
	args := e.Args[1:]
	for _, a := range args {
		c.expr(a)
	}
	if len(verbs) != len(args) {
		c.errorf(e.At, "%s: format has %d conversion%s but %d argument%s given",
			e.Fun, len(verbs), plural(len(verbs), len(verbs)), len(args), plural(len(args), len(args)))
		return nil
	}
	for i, a := range args {
		t := c.info.Types[a]
		if t == nil || t.Kind == Invalid {
			continue
		}
		v := verbs[i]
		switch {
		case v == 's':
		case strings.ContainsRune("diuxXocp", v):
			if !t.IsInteger() {
				c.errorf(a.Pos(), "%s: %%%c needs an integer, got %s", e.Fun, v, t)
			}
		}
	}
	return VoidType
}

// FormatVerbs returns the conversion characters of a printf format in
// order, or a message saying what is wrong with the format.
func FormatVerbs(f string) ([]rune, string) {
	var verbs []rune
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		for i < len(f) && strings.IndexByte("-+ #0123456789.*hlLqjzt", f[i]) >= 0 {
			i++
		}
		if i >= len(f) {
			return nil, "printf: format ends in the middle of a conversion"
		}
		switch f[i] {
		case 'd', 'i', 'u', 'x', 'X', 'o', 'c', 's', 'p':
			verbs = append(verbs, rune(f[i]))
		case 'r':
			verbs = append(verbs, 's')
			if i+1 < len(f) && (f[i+1] == 'x' || f[i+1] == 'h') {
				i++
			}
		case 'g':
			if i+1 >= len(f) || f[i+1] != 'r' {
				return nil, "printf: unknown conversion %g (floating point is not supported; %gr prints GFP flags)"
			}
			verbs = append(verbs, 'd') // GFP flags: an integer
			i++
		default:
			return nil, fmt.Sprintf("printf: unknown conversion %%%c", f[i])
		}
	}
	return verbs, ""
}

// suggest returns the candidate closest to name, if it is close enough to be
// a likely typo.
func suggest(name string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
