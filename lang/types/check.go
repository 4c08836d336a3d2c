package types

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/printf"
)

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
	// hdrSkipped are the names a header defines in a declaration that
	// could not be read, with where (headers.go).
	hdrSkipped map[string]lang.Pos
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
	loops int  // depth of while/for loops around the statement
	// inCallback counts enclosing for-over-map loops: their bodies run in
	// a callback that has no probe context.
	inCallback int
	unrolls    int
	probeN     int
	// notConst holds the operator expressions constValue found to have
	// no value once their operands were checked, so that a long chain of
	// operators is folded (or given up on) once per node, not once per
	// enclosing node.
	notConst ExprTable[bool]
	// named are the named parameters given; badOption the first whose
	// value does not fit its getopt() (named.go).
	named     map[string]namedArg
	badOption *OptionsError
	// redefining is set while an inline definition that replaces a
	// kernel struct is laid out (cdecl.go).
	redefining bool
}

// Check types f. env answers what each attach point provides.
func Check(f *lang.File, env Env, cfg Config) (*Info, error) {
	// the tables kept by expression are arrays by the expressions'
	// numbers (ExprTable), made at their final size
	exprs := f.Exprs
	c := &checker{env: env, notConst: newExprTable[bool](exprs), info: &Info{
		Types:      newExprTable[*Type](exprs),
		Consts:     newExprTable[Const](exprs),
		Formats:    map[*lang.StrLit][]printf.Segment{},
		Expansions: newExprTable[lang.Expr](exprs),
		Builtins:   newExprTable[Builtin](exprs),
		ArgN:       map[*lang.Ident]int{},
		Ops:        newExprTable[Op](exprs),
		AssignOps:  map[*lang.AssignStmt]Op{},
		KernelVars: map[*lang.Call]uint32{},
		Kfuncs:     map[string]uint32{},
		Options:    map[string]Option{},
		Maps:       map[string]*MapInfo{},
		Config:     cfg,
	}}
	// positional parameters are literals from here on (see lang.BindParams)
	warnings, errs := lang.BindParams(f, cfg.Params)
	if len(errs) > 0 {
		return nil, errs
	}
	c.info.Warnings = append(c.info.Warnings, warnings...)
	c.named = namedArgs(cfg.Named)
	c.info.Settings = c.resolveSettings(f, cfg.Env)
	if ce, ok := env.(ConfigEnv); ok {
		ce.Configure(c.info.Settings)
	}
	if pe, ok := env.(PrefetchEnv); ok {
		var specs []*lang.ProbeSpec
		for _, p := range f.Probes {
			specs = append(specs, p.Specs...)
		}
		pe.Prefetch(specs)
	}
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
	c.pairSessions()
	c.joins = map[string]map[string]*Type{}
	c.mapInts = map[string]*Type{}
	// Inferring sweeps run until the joined integer types settle (a
	// variable's type may follow from another's), then one checking sweep.
	// Most scripts settle in the first: the checking sweep comes right
	// after it, and stands when it found no error and changed no joined
	// type (it then read what a checking sweep after a confirming
	// inferring sweep would have read). Otherwise its findings go, and
	// the inferring sweeps go on from what it joined.
	c.infer = true
	c.sweep()
	c.joinsSettled()
	nerrs, nwarnings := len(c.errs), len(c.info.Warnings)
	c.infer = false
	c.sweep()
	if len(c.errs) > nerrs || !c.joinsSettled() {
		c.errs, c.info.Warnings = c.errs[:nerrs], c.info.Warnings[:nwarnings]
		c.infer = true
		for range 3 {
			c.sweep()
			if c.joinsSettled() {
				break
			}
		}
		c.infer = false
		c.sweep()
	}
	c.checkDecls()
	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	if err := c.errOptions(); err != nil {
		return nil, err
	}
	if err := c.clockMap(); err != nil {
		return nil, err
	}
	return c.info, nil
}

// sweep checks every probe's body once, inferring or checking (c.infer).
func (c *checker) sweep() {
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

// joinsSettled tells whether the last inferring sweep left the joined
// integer types (of variables, map values and map keys) as the sweep
// before it did, and remembers them.
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
	for _, n := range slices.Sorted(maps.Keys(c.info.Maps)) {
		for _, k := range c.info.Maps[n].Keys {
			fmt.Fprintf(&b, "%s[] %s %v\n", n, k, k.Lit)
		}
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

// warnf records a warning (in the checking sweep only).
func (c *checker) warnf(pos lang.Pos, format string, args ...any) {
	if c.infer {
		return
	}
	w := lang.Errorf(pos, format, args...)
	w.Warning = true
	c.info.Warnings = append(c.info.Warnings, w)
}

func (c *checker) record(e lang.Expr, t *Type) *Type {
	c.info.Types.Set(e, t)
	return t
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
			if t := c.info.Types.Of(e); t != nil {
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
