package codegen

import (
	"math/bits"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/cc"
	"github.com/gotrace/gotrace/lang/types"
)

// Functions of imported C files.
//
// Each function of a .bpf.c file that a probe calls, directly or through
// other C functions (or as a bpf_loop callback), is compiled into that
// probe's program as a bpf-to-bpf function placed after the program,
// under its C name; the script calls it with a pseudo call, arguments in
// r1-r5 and the result in r0, as any BPF function.
//
// The function is compiled through the same IR as the script: scalar
// locals and parameters live in virtual registers (register allocation
// and spilling as for probes), aggregates and variables whose address is
// taken live in the function's stack frame. The checker (types.CProgram)
// has decided every C typing rule; this file follows its records: an
// expression's value is computed in 64 bits and kept as its type says (a
// signed value sign-extended, an unsigned one zero-extended, so compares
// and widening need nothing), narrowed after operations that may carry
// out of a narrower type and wherever Conv says C converts it. Memory is
// read and written with direct loads and stores, as clang compiles C:
// the kernel's verifier decides what may be dereferenced.

// cvar is where a C variable lives: a register or stack memory.
type cvar struct {
	r vreg
	m *mem
}

// cgen compiles one C function.
type cgen struct {
	*fn
	p      *types.CProgram
	cf     *types.CFunc
	vars   map[*types.CObject]cvar
	breaks []string
	conts  []string
	labels map[string]string // goto labels
	cases  map[*cc.CaseStmt]string
}

// scriptCCall compiles a script's call of an imported C function.
func (f *fn) scriptCCall(e *lang.Call, cf *types.CFunc, t *types.Type) val {
	var args []vreg
	for i, a := range e.Args {
		pt := cf.Params[i].Type
		if m, ok := a.(*lang.MapExpr); ok && len(m.Keys) == 0 && pt.Kind == types.Ptr {
			args = append(args, f.mapPtr(f.mapMeta(m).SpecName))
			continue
		}
		x := f.expr(a)
		switch {
		case pt.Kind == types.Ptr && x.m != nil:
			args = append(args, f.addr(*x.m))
		case pt.Kind == types.Int:
			args = append(args, f.narrow(f.scalar(x), pt.Size, pt.Signed))
		case pt.Kind == types.Bool:
			args = append(args, f.zeroTest(f.scalar(x), false))
		default:
			args = append(args, f.scalar(x))
		}
	}
	f.pos = e.At
	d := f.newReg()
	f.emit(&inst{op: opCall, dst: d, callee: cf.Symbol, args: args})
	if t.Kind == types.Void {
		return val{t: t}
	}
	return val{t: t, r: d}
}

// compileCFuncs compiles the C functions the program's code (insns)
// calls or passes to helpers, and those they call in turn: only the
// references that survive dead-code removal count, so a fallback behind
// `if (kfunc)` on a kernel that has the kfunc brings in nothing. It
// returns them with the stack the deepest chain of calls takes.
func (c *compiler) compileCFuncs(root *fn, insns asm.Instructions) ([]callback, int, error) {
	p := c.info.C
	if p == nil {
		return nil, 0, nil
	}
	refs := func(insns asm.Instructions) []*types.CFunc {
		var out []*types.CFunc
		for _, in := range insns {
			if cf := p.Symbols[in.Reference()]; cf != nil && (in.IsFunctionReference() || in.IsFunctionCall()) {
				out = append(out, cf)
			}
		}
		return out
	}
	var queue []*types.CFunc
	callees := map[*types.CFunc][]*types.CFunc{}
	frames := map[*types.CFunc]int{}
	add := func(cfs []*types.CFunc) {
		for _, cf := range cfs {
			if _, ok := frames[cf]; !ok {
				frames[cf] = 0
				queue = append(queue, cf)
			}
		}
	}
	top := refs(insns)
	add(top)
	var out []callback
	for i := 0; i < len(queue); i++ {
		cf := queue[i]
		cb, err := c.compileCFunc(root, cf)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, cb)
		frames[cf] = cb.stack
		callees[cf] = refs(cb.insns)
		add(callees[cf])
	}
	var path []*types.CFunc
	var depth func(cf *types.CFunc) (int, error)
	depth = func(cf *types.CFunc) (int, error) {
		for i, g := range path {
			if g == cf {
				var names []string
				for _, h := range path[i:] {
					names = append(names, h.Name)
				}
				return 0, lang.Errorf(cf.Decl.At, "%s calls itself (%s -> %s): BPF functions cannot recurse", cf.Name, strings.Join(names, " -> "), cf.Name)
			}
		}
		path = append(path, cf)
		defer func() { path = path[:len(path)-1] }()
		deepest := 0
		for _, g := range callees[cf] {
			d, err := depth(g)
			if err != nil {
				return 0, err
			}
			deepest = max(deepest, d)
		}
		// the kernel rounds each frame up to 32 bytes
		return (frames[cf]+31)&^31 + deepest, nil
	}
	deepest := 0
	for _, cf := range top {
		d, err := depth(cf)
		if err != nil {
			return nil, 0, err
		}
		deepest = max(deepest, d)
	}
	return out, deepest, nil
}

// compileCFunc compiles one C function for root's program.
func (c *compiler) compileCFunc(root *fn, cf *types.CFunc) (cb callback, err error) {
	g := &cgen{
		fn:     &fn{c: c, nregs: 2, vars: map[string]val{}, noSpill: map[vreg]bool{}, root: root},
		p:      c.info.C,
		cf:     cf,
		vars:   map[*types.CObject]cvar{},
		labels: map[string]string{},
		cases:  map[*cc.CaseStmt]string{},
	}
	d := cf.Decl
	g.pos = d.At
	exit := g.label()
	err = g.catch(func() {
		for i, pa := range cf.Params {
			r := g.newReg()
			g.prologue = append(g.prologue, &inst{op: opArg, dst: r, imm: int64(i + 1), pos: d.At})
			if pa.InMemory {
				m := g.stackAlloc(pa.Type.Size, d.At)
				g.fn.store(m, pa.Type.Size, r)
				g.vars[pa] = cvar{m: &m}
			} else {
				g.vars[pa] = cvar{r: r}
			}
		}
		g.stmt(d.Body)
		g.pos = d.Body.At
		g.ret(0)
	})
	if err != nil {
		return callback{}, err
	}
	g.mark(exit)
	g.ret(0)
	body := g.code
	g.code = g.prologue
	insns, positions, stack, err := g.finish(body, exit, d.At)
	if err != nil {
		return callback{}, err
	}
	fi := funcInfo(cf.Symbol, len(cf.Params))
	fi.Linkage = btf.StaticFunc
	insns, positions = nameFunc(insns, positions, cf.Symbol, fi)
	return callback{insns, positions, stack}, nil
}

// stackAlloc reserves size bytes of the function's frame.
func (g *cgen) stackAlloc(size int, at lang.Pos) mem {
	size = (size + 7) &^ 7
	if g.frame+size > maxStack-64 {
		g.fail(at, "the local variables of %s need more than %d bytes of stack", g.cf.Name, maxStack-64)
	}
	g.frame += size
	return mem{base: fpReg, off: int32(-g.frame)}
}

// ---- statements ----

func (g *cgen) stmt(s cc.Stmt) {
	g.pos = cc.PosOf(s)
	switch s := s.(type) {
	case *cc.Block:
		for _, st := range s.Stmts {
			g.stmt(st)
		}
	case *cc.DeclStmt:
		for _, d := range s.Decls {
			if v, ok := d.(*cc.VarDecl); ok {
				g.local(v)
			}
		}
	case *cc.ExprStmt:
		if s.X != nil {
			g.effect(s.X)
		}
	case *cc.IfStmt:
		if v, ok := g.p.Consts[s.Cond]; ok {
			if v != 0 {
				g.stmt(s.Then)
			} else if s.Else != nil {
				g.stmt(s.Else)
			}
			return
		}
		els, end := g.label(), g.label()
		g.branch(s.Cond, els, false)
		g.stmt(s.Then)
		if s.Else != nil {
			g.jmp(end)
		}
		g.mark(els)
		if s.Else != nil {
			g.stmt(s.Else)
			g.mark(end)
		}
	case *cc.WhileStmt:
		top, end := g.label(), g.label()
		g.mark(top)
		g.branch(s.Cond, end, false)
		g.loopBody(s.Body, top, end)
		g.jmp(top)
		g.mark(end)
	case *cc.DoStmt:
		top, next, end := g.label(), g.label(), g.label()
		g.mark(top)
		g.loopBody(s.Body, next, end)
		g.mark(next)
		g.branch(s.Cond, top, true)
		g.mark(end)
	case *cc.ForStmt:
		if s.Init != nil {
			g.stmt(s.Init)
		}
		top, next, end := g.label(), g.label(), g.label()
		g.mark(top)
		if s.Cond != nil {
			g.branch(s.Cond, end, false)
		}
		g.loopBody(s.Body, next, end)
		g.mark(next)
		if s.Post != nil {
			g.pos = cc.PosOf(s.Post)
			g.effect(s.Post)
		}
		g.jmp(top)
		g.mark(end)
	case *cc.ReturnStmt:
		if s.X == nil || g.cf.Result.Kind == types.Void {
			if s.X != nil {
				g.effect(s.X)
			}
			g.ret(0)
			return
		}
		v := g.value(s.X)
		g.pos = s.At
		g.emit(&inst{op: opExit, a: v})
	case *cc.BreakStmt:
		g.jmp(g.breaks[len(g.breaks)-1])
	case *cc.ContinueStmt:
		g.jmp(g.conts[len(g.conts)-1])
	case *cc.SwitchStmt:
		g.switchStmt(s)
	case *cc.CaseStmt:
		g.mark(g.cases[s])
		g.stmt(s.Stmt)
	case *cc.LabelStmt:
		g.mark(g.gotoLabel(s.Name))
		g.stmt(s.Stmt)
	case *cc.GotoStmt:
		g.jmp(g.gotoLabel(s.Label))
	}
}

func (g *cgen) gotoLabel(name string) string {
	if l, ok := g.labels[name]; ok {
		return l
	}
	l := g.label()
	g.labels[name] = l
	return l
}

func (g *cgen) loopBody(body cc.Stmt, next, end string) {
	g.breaks = append(g.breaks, end)
	g.conts = append(g.conts, next)
	g.stmt(body)
	g.breaks = g.breaks[:len(g.breaks)-1]
	g.conts = g.conts[:len(g.conts)-1]
}

// switchStmt compares the value with each case in turn, then jumps to
// default or past the switch; the body is compiled once, each case
// label marking its place.
func (g *cgen) switchStmt(s *cc.SwitchStmt) {
	v := g.value(s.X)
	end := g.label()
	def := end
	var walk func(st cc.Stmt)
	walk = func(st cc.Stmt) {
		switch st := st.(type) {
		case *cc.CaseStmt:
			l := g.label()
			g.cases[st] = l
			if st.Value == nil {
				def = l
			} else {
				c := types.CTruncate(g.p.Consts[st.Value], g.p.Conv[s.X])
				g.emit(&inst{op: opJcc, a: v, cc: asm.JEq, b: g.imm(c), label: l})
			}
			walk(st.Stmt)
		case *cc.Block:
			for _, x := range st.Stmts {
				walk(x)
			}
		case *cc.IfStmt:
			walk(st.Then)
			if st.Else != nil {
				walk(st.Else)
			}
		case *cc.WhileStmt:
			walk(st.Body)
		case *cc.DoStmt:
			walk(st.Body)
		case *cc.ForStmt:
			walk(st.Body)
		case *cc.LabelStmt:
			walk(st.Stmt)
		}
	}
	walk(s.Body)
	g.jmp(def)
	g.breaks = append(g.breaks, end)
	g.stmt(s.Body)
	g.breaks = g.breaks[:len(g.breaks)-1]
	g.mark(end)
}

// local declares a local variable and runs its initializer.
func (g *cgen) local(v *cc.VarDecl) {
	o := g.p.Decls[v]
	if o == nil {
		return
	}
	g.pos = v.At
	if !o.InMemory {
		r := g.newReg()
		if v.Init != nil {
			g.emit(&inst{op: opMov, dst: r, a: g.value(v.Init)})
		} else {
			g.emit(&inst{op: opMovImm, dst: r, imm: 0})
		}
		g.vars[o] = cvar{r: r}
		return
	}
	m := g.stackAlloc(o.Type.Size, v.At)
	g.vars[o] = cvar{m: &m}
	// Memory is cleared first: what an initializer leaves out is zero,
	// and the kernel refuses reads of stack never written.
	g.zero(m, (o.Type.Size+7)&^7)
	if v.Init != nil {
		g.initMem(m, o.Type, v.Init)
	}
}

// initMem stores an initializer into zeroed memory of type t.
func (g *cgen) initMem(m mem, t *types.Type, init cc.Expr) {
	switch x := init.(type) {
	case *cc.InitList:
		if t.Kind != types.Struct && t.Kind != types.Array {
			g.initMem(m, t, x.Items[0].Value)
			return
		}
		next := 0
		for _, it := range x.Items {
			off, ft, fld, idx := 0, t, (*types.Field)(nil), next
			if len(it.Designator) == 0 {
				fld, ft, off = nthMember(t, idx)
			}
			for j, d := range it.Designator {
				var i int
				fld, ft, off, i = designated(g.p, ft, d, off)
				if j == 0 {
					idx = i
				}
			}
			next = idx + 1
			if fld != nil && fld.BitSize > 0 {
				g.storeBits(m.plus(off), *fld, g.value(it.Value))
				continue
			}
			g.initMem(m.plus(off), ft, it.Value)
		}
	case *cc.StringLit:
		if t.Kind == types.Array {
			g.constBytes(m, []byte(x.Value))
			return
		}
		g.fn.store(m, 8, g.value(x))
	default:
		if t.Kind == types.Struct || t.Kind == types.Array {
			g.copyAligned(m, g.addrOf(init), t.Size, t.Align())
			return
		}
		g.fn.store(m, storeSize(t), g.value(init))
	}
}

// nthMember is the i-th element an initializer list fills in t.
func nthMember(t *types.Type, i int) (*types.Field, *types.Type, int) {
	if t.Kind == types.Array {
		return nil, t.Elem, i * t.Elem.Size
	}
	f := t.Fields[i]
	return &f, f.Type, f.Offset
}

// designated follows .field or [index] from type t at offset off.
func designated(p *types.CProgram, t *types.Type, d cc.Designator, off int) (*types.Field, *types.Type, int, int) {
	if d.Index != nil {
		i := int(p.Consts[d.Index])
		return nil, t.Elem, off + i*t.Elem.Size, i
	}
	for i, f := range t.Fields {
		if f.Name == d.Field {
			return &f, f.Type, off + f.Offset, i
		}
	}
	f, _ := types.CField(t, d.Field)
	return &f, f.Type, off + f.Offset, len(t.Fields)
}

func storeSize(t *types.Type) int {
	if t.Kind == types.Bool {
		return 1
	}
	return t.Size
}

// ---- expressions ----

// effect evaluates e for its side effects.
func (g *cgen) effect(e cc.Expr) {
	if _, ok := g.p.Consts[e]; ok {
		return
	}
	t := g.p.Types[e]
	if t != nil && (t.Kind == types.Struct || t.Kind == types.Array) {
		g.addrOf(e)
		return
	}
	if c, ok := e.(*cc.Cond); ok && t != nil && t.Kind == types.Void {
		els, end := g.label(), g.label()
		g.branch(c.C, els, false)
		g.effect(c.Then)
		g.jmp(end)
		g.mark(els)
		g.effect(c.Else)
		g.mark(end)
		return
	}
	g.rvalue(e)
}

// value is e's value converted as C converts it there.
func (g *cgen) value(e cc.Expr) vreg {
	v := g.rvalue(e)
	if to := g.p.Conv[e]; to != nil {
		return g.convert(v, types.Decayed(g.p.Types[e]), to)
	}
	return v
}

// convert changes v of type from to type to.
func (g *cgen) convert(v vreg, from, to *types.Type) vreg {
	switch {
	case to.Kind == types.Bool:
		if from.Kind == types.Bool {
			return v
		}
		return g.zeroTest(v, false)
	case to.Kind != types.Int || to.Size >= 8:
		return v
	case from.Kind == types.Bool:
		return v
	case from.Kind == types.Int && from.Size == to.Size && from.Signed == to.Signed:
		return v
	case from.Kind == types.Int && from.Size < to.Size && (!from.Signed || to.Signed):
		return v
	}
	return g.narrow(v, to.Size, to.Signed)
}

// rvalue is e's value as its own type has it (arrays give their
// address, functions theirs).
func (g *cgen) rvalue(e cc.Expr) vreg {
	t := g.p.Types[e]
	if v, ok := g.p.Consts[e]; ok && t.Kind != types.Array {
		return g.imm(v)
	}
	pos := cc.PosOf(e)
	g.pos = pos
	if t != nil && (t.Kind == types.Array || t.Kind == types.Struct) {
		return g.addr(g.addrOf(e))
	}
	switch e := e.(type) {
	case *cc.Ident:
		o := g.p.Objs[e]
		if o.Kind == types.CFunction {
			return g.funcRef(o.Func, pos)
		}
		return g.load(g.loc(e))
	case *cc.Unary:
		return g.unary(e, t)
	case *cc.Postfix:
		l := g.loc(e.X)
		old := g.load(l)
		g.store(l, g.step(old, g.p.Types[e.X], e.Op))
		return old
	case *cc.Binary:
		return g.binary(e, t)
	case *cc.Assign:
		return g.assign(e)
	case *cc.Cond:
		d := g.newReg()
		if e.Then == nil {
			// a ?: b
			end := g.label()
			v := g.rvalue(e.C)
			g.emit(&inst{op: opMov, dst: d, a: g.convert(v, types.Decayed(g.p.Types[e.C]), t)})
			g.emit(&inst{op: opJcc, a: v, cc: asm.JNE, useImm: true, imm: 0, label: end})
			g.emit(&inst{op: opMov, dst: d, a: g.value(e.Else)})
			g.mark(end)
			return d
		}
		els, end := g.label(), g.label()
		g.branch(e.C, els, false)
		g.emit(&inst{op: opMov, dst: d, a: g.value(e.Then)})
		g.jmp(end)
		g.mark(els)
		g.emit(&inst{op: opMov, dst: d, a: g.value(e.Else)})
		g.mark(end)
		return d
	case *cc.Call:
		return g.call(e, t)
	case *cc.Index, *cc.Member:
		return g.load(g.loc(e))
	case *cc.Cast:
		if t.Kind == types.Void {
			g.effect(e.X)
			return g.imm(0)
		}
		return g.convert(g.rvalue(e.X), types.Decayed(g.p.Types[e.X]), t)
	case *cc.StringLit:
		return g.addr(g.addrOf(e))
	}
	g.fail(pos, "the C compiler cannot compile this expression")
	return 0
}

// funcRef is the address of a C function, for a helper that calls it
// back.
func (g *cgen) funcRef(cf *types.CFunc, at lang.Pos) vreg {
	if cf.Kfunc {
		g.fail(at, "%s is a kernel function: it can be called, not passed", cf.Name)
	}
	d := g.newReg()
	g.emit(&inst{op: opFuncPtr, dst: d, ref: cf.Symbol})
	return d
}

// step is v after ++ or -- (pointers move by their element size).
func (g *cgen) step(v vreg, t *types.Type, op string) vreg {
	n := int64(1)
	if t.Kind == types.Ptr {
		n = elemSize(t)
	}
	if op == "--" {
		n = -n
	}
	return g.convert(g.aluImm(asm.Add, v, n), types.Uint64, t)
}

func (g *cgen) unary(e *cc.Unary, t *types.Type) vreg {
	switch e.Op {
	case "-":
		return g.convert(g.negate(g.value(e.X)), types.Int64, t)
	case "+":
		return g.value(e.X)
	case "~":
		return g.convert(g.aluImm(asm.Xor, g.value(e.X), -1), types.Int64, t)
	case "!":
		return g.zeroTest(g.rvalue(e.X), true)
	case "*":
		return g.load(g.loc(e))
	case "&":
		if id, ok := e.X.(*cc.Ident); ok && g.p.Objs[id] != nil && g.p.Objs[id].Kind == types.CFunction {
			return g.funcRef(g.p.Objs[id].Func, e.At)
		}
		if id, ok := e.X.(*cc.Ident); ok && g.p.Objs[id] != nil && g.p.Objs[id].Kind == types.CMapVar {
			return g.mapPtr(g.c.cmaps[g.p.Objs[id].Map])
		}
		return g.addr(g.addrOf(e.X))
	case "++", "--":
		l := g.loc(e.X)
		v := g.step(g.load(l), g.p.Types[e.X], e.Op)
		g.store(l, v)
		return v
	}
	g.fail(e.At, "unknown operator %s", e.Op)
	return 0
}

func (g *cgen) negate(v vreg) vreg {
	d := g.newReg()
	g.emit(&inst{op: opNeg, dst: d, a: v})
	return d
}

func (g *cgen) binary(e *cc.Binary, t *types.Type) vreg {
	switch e.Op {
	case ",":
		g.effect(e.X)
		return g.rvalue(e.Y)
	case "&&", "||", "==", "!=", "<", ">", "<=", ">=":
		d := g.newReg()
		no := g.label()
		g.emit(&inst{op: opMovImm, dst: d, imm: 0})
		g.branch(e, no, false)
		g.emit(&inst{op: opMovImm, dst: d, imm: 1})
		g.mark(no)
		return d
	}
	r, wide := g.binaryLow(e, t)
	if wide {
		r = g.narrow(r, t.Size, t.Signed)
	}
	return r
}

// lowBitsOps are the operations whose result's low bits depend only on
// their operands' low bits: a chain of them in a type narrower than 64
// bits is narrowed once, at its end.
var lowBitsOps = map[string]bool{"+": true, "-": true, "*": true, "<<": true, "&": true, "|": true, "^": true}

// binaryLow compiles an arithmetic binary expression of type t; when
// wide, the result is left unnarrowed (its bits above t's size are
// garbage) where narrowing can wait for a consumer that is also in
// lowBitsOps.
func (g *cgen) binaryLow(e *cc.Binary, t *types.Type) (vreg, bool) {
	xt, yt := types.Decayed(g.p.Types[e.X]), types.Decayed(g.p.Types[e.Y])
	chain := lowBitsOps[e.Op] && t.Kind == types.Int && t.Size < 8
	a, b := g.lowOperand(e.X, t, chain), g.lowOperand(e.Y, t, chain && e.Op != "<<")
	g.pos = e.At
	if xt.Kind == types.Ptr && yt.Kind == types.Ptr {
		diff := g.alu(asm.Sub, g.reg(a), g.reg(b))
		if n := elemSize(xt); n != 1 {
			return g.signedDivConst(asm.Div, diff, n), false
		}
		return diff, false
	}
	if chain {
		return g.arith(e.Op, a, b, xt, yt, types.Int64), true
	}
	return g.arith(e.Op, a, b, xt, yt, t), false
}

// lowOperand is operand, except that with chain set an operand that is
// itself a lowBitsOps expression of type t comes unnarrowed.
func (g *cgen) lowOperand(e cc.Expr, t *types.Type, chain bool) opnd {
	if x, ok := e.(*cc.Binary); ok && chain && lowBitsOps[x.Op] && types.Equal(g.p.Types[x], t) && types.Equal(g.p.Conv[x], t) {
		if _, isConst := g.p.Consts[x]; !isConst {
			r, _ := g.binaryLow(x, t)
			return opnd{r: r}
		}
	}
	return g.operand(e)
}

// opnd is an operand: a register, or a constant that fits an
// instruction's 32-bit immediate.
type opnd struct {
	r     vreg
	c     int64
	konst bool
}

// operand is e's value (converted as value converts it), kept as a
// constant when it is one.
func (g *cgen) operand(e cc.Expr) opnd {
	if v, ok := g.p.Consts[e]; ok && g.p.Types[e].Kind != types.Array {
		if to := g.p.Conv[e]; to != nil {
			v = types.CTruncate(v, to)
		}
		if v >= -1<<31 && v < 1<<31 {
			return opnd{c: v, konst: true}
		}
	}
	return opnd{r: g.value(e)}
}

// reg puts an operand in a register.
func (g *cgen) reg(o opnd) vreg {
	if o.konst {
		return g.imm(o.c)
	}
	return o.r
}

// arith computes a op b in type t (operands already converted; one may
// be a pointer, for + and -), with an immediate operand where one is a
// constant.
func (g *cgen) arith(op string, a, b opnd, at, bt, t *types.Type) vreg {
	scale := func(o opnd, n int64) opnd {
		switch {
		case n == 1:
			return o
		case o.konst && o.c*n >= -1<<31 && o.c*n < 1<<31:
			return opnd{c: o.c * n, konst: true}
		}
		return opnd{r: g.aluImm(asm.Mul, g.reg(o), n)}
	}
	switch {
	case at.Kind == types.Ptr && bt.Kind != types.Ptr:
		b = scale(b, elemSize(at))
	case bt.Kind == types.Ptr && at.Kind != types.Ptr:
		a = scale(a, elemSize(bt))
	}
	alu := aluOps[types.BinaryOp(op)]
	if t.Signed && alu == asm.RSh {
		alu = asm.ArSh
	}
	commutes := alu == asm.Add || alu == asm.Mul || alu == asm.And || alu == asm.Or || alu == asm.Xor
	if a.konst && !b.konst && commutes {
		a, b = b, a
	}
	divides := alu == asm.Div || alu == asm.Mod
	var r vreg
	switch {
	case divides && t.Signed && b.konst && b.c > 0:
		r = g.signedDivConst(alu, g.reg(a), b.c)
	case divides && t.Signed:
		r = g.signedDiv(alu, g.reg(a), g.reg(b))
	case divides && b.konst && b.c > 0 && b.c&(b.c-1) == 0:
		// unsigned, by a power of two: a shift or a mask
		if alu == asm.Div {
			r = g.aluImm(asm.RSh, g.reg(a), int64(bits.TrailingZeros64(uint64(b.c))))
		} else {
			r = g.aluImm(asm.And, g.reg(a), b.c-1)
		}
	case b.konst && (!divides || b.c > 0):
		// (unsigned values narrower than 64 bits are zero-extended: the
		// 64-bit operation is the same)
		r = g.aluImm(alu, g.reg(a), b.c)
	default:
		r = g.alu(alu, g.reg(a), g.reg(b))
	}
	if t.Kind == types.Int && t.Size < 8 {
		switch alu {
		case asm.Add, asm.Sub, asm.Mul, asm.LSh:
			r = g.narrow(r, t.Size, t.Signed)
		case asm.Div:
			if t.Signed {
				r = g.narrow(r, t.Size, true) // INT_MIN / -1
			}
		}
	}
	return r
}

// signedDivConst divides (or takes the remainder of) a signed value by a
// positive constant: the magnitude is divided and the sign put back.
func (g *cgen) signedDivConst(alu asm.ALUOp, a vreg, c int64) vreg {
	r := g.newReg()
	pos, done := g.label(), g.label()
	g.emit(&inst{op: opMov, dst: r, a: a})
	g.emit(&inst{op: opJcc, a: a, cc: asm.JSGE, useImm: true, imm: 0, label: pos})
	g.emit(&inst{op: opNeg, dst: r, a: r})
	g.emit(&inst{op: opALU, dst: r, a: r, useImm: true, imm: c, alu: alu})
	g.emit(&inst{op: opNeg, dst: r, a: r})
	g.jmp(done)
	g.mark(pos)
	g.emit(&inst{op: opALU, dst: r, a: r, useImm: true, imm: c, alu: alu})
	g.mark(done)
	return r
}

func (g *cgen) assign(e *cc.Assign) vreg {
	xt := g.p.Types[e.X]
	if e.Op == "=" && xt.Kind == types.Struct {
		dst := g.addrOf(e.X)
		g.copyAligned(dst, g.addrOf(e.Y), xt.Size, xt.Align())
		return g.addr(dst)
	}
	l := g.loc(e.X)
	if e.Op == "=" {
		v := g.value(e.Y)
		g.store(l, v)
		return v
	}
	ot := g.p.OpType[e]
	old := g.load(l)
	y := g.operand(e.Y)
	op := strings.TrimSuffix(e.Op, "=")
	var r vreg
	if xt.Kind == types.Ptr {
		r = g.arith(op, opnd{r: old}, y, xt, types.Int64, xt)
	} else {
		r = g.convert(g.arith(op, opnd{r: g.convert(old, xt, ot)}, y, ot, ot, ot), ot, xt)
	}
	g.store(l, r)
	return r
}

// cLoc is an lvalue: a register variable, or memory (a bitfield in it
// when bits is set).
type cLoc struct {
	r    vreg
	m    *mem
	t    *types.Type
	bits *types.Field
}

// CGlobalsMap is the array map whose one value holds the variables of
// imported C files.
const CGlobalsMap = "cglobals"

// addCGlobals adds the map of the C files' global variables, its value
// holding their initial contents.
func (c *compiler) addCGlobals() {
	p := c.info.C
	if p == nil || p.GlobalsSize == 0 {
		return
	}
	blob := make([]byte, (p.GlobalsSize+7)&^7)
	for _, g := range p.Globals {
		if g.Decl.Init != nil {
			constInit(p, blob[g.Obj.Offset:], g.Obj.Type, g.Decl.Init)
		}
	}
	c.prog.Spec.Maps[CGlobalsMap] = &ebpf.MapSpec{Name: CGlobalsMap, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(len(blob)), MaxEntries: 1,
		Contents: []ebpf.MapKV{{Key: uint32(0), Value: blob}}}
}

// addCMaps adds the maps the C files define.
func (c *compiler) addCMaps() {
	p := c.info.C
	if p == nil {
		return
	}
	c.cmaps = map[*types.CMap]string{}
	for i, m := range p.Maps {
		name := kernelName("c", i, m.Name)
		c.cmaps[m] = name
		c.prog.Spec.Maps[name] = &ebpf.MapSpec{Name: name, Type: ebpf.MapType(m.Type), KeySize: uint32(m.KeySize),
			ValueSize: uint32(m.ValueSize), MaxEntries: uint32(m.MaxEntries), Flags: m.Flags}
	}
}

// constInit writes a constant initializer of type t into b, as initMem
// stores one.
func constInit(p *types.CProgram, b []byte, t *types.Type, init cc.Expr) {
	switch x := init.(type) {
	case *cc.InitList:
		if t.Kind != types.Struct && t.Kind != types.Array {
			constInit(p, b, t, x.Items[0].Value)
			return
		}
		next := 0
		for _, it := range x.Items {
			off, ft, idx := 0, t, next
			var fld *types.Field
			if len(it.Designator) == 0 {
				fld, ft, off = nthMember(t, idx)
			}
			for j, d := range it.Designator {
				var i int
				fld, ft, off, i = designated(p, ft, d, off)
				if j == 0 {
					idx = i
				}
			}
			next = idx + 1
			if fld != nil && fld.BitSize > 0 {
				mask := uint64(1)<<fld.BitSize - 1
				old := getLE(b[off:], fld.Type.Size)
				old = old&^(mask<<fld.BitOff) | (uint64(p.Consts[it.Value])&mask)<<fld.BitOff
				putLE(b[off:], fld.Type.Size, old)
				continue
			}
			constInit(p, b[off:], ft, it.Value)
		}
	case *cc.StringLit:
		copy(b[:t.Size], x.Value)
	default:
		putLE(b, storeSize(t), uint64(types.CTruncate(p.Consts[init], t)))
	}
}

func putLE(b []byte, size int, v uint64) {
	for i := 0; i < size; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

func getLE(b []byte, size int) uint64 {
	var v uint64
	for i := 0; i < size; i++ {
		v |= uint64(b[i]) << (8 * i)
	}
	return v
}

// loc finds the object an lvalue expression designates.
func (g *cgen) loc(e cc.Expr) cLoc {
	t := g.p.Types[e]
	switch x := e.(type) {
	case *cc.Ident:
		if o := g.p.Objs[x]; o.Kind == types.CGlobalVar {
			m := g.global(o)
			return cLoc{m: &m, t: t}
		}
		v := g.vars[g.p.Objs[x]]
		if v.m != nil {
			return cLoc{m: v.m, t: t}
		}
		return cLoc{r: v.r, t: t}
	case *cc.Member:
		var base mem
		var st *types.Type
		if x.Arrow {
			base = mem{base: g.value(x.X)}
			st = types.Decayed(g.p.Types[x.X]).Elem
		} else {
			base = g.addrOf(x.X)
			st = g.p.Types[x.X]
		}
		f, _ := types.CField(st, x.Name)
		m := base.plus(f.Offset)
		if f.BitSize > 0 {
			return cLoc{m: &m, t: t, bits: &f}
		}
		return cLoc{m: &m, t: t}
	}
	m := g.addrOf(e)
	return cLoc{m: &m, t: t}
}

// global is the memory of a global variable.
func (g *cgen) global(o *types.CObject) mem {
	d := g.newReg()
	g.emit(&inst{op: opMapValue, dst: d, ref: CGlobalsMap, off: int32(o.Offset)})
	return mem{base: d}
}

// addrOf is the memory of an expression kept in memory: an aggregate, a
// variable whose address is taken, or what a pointer points to.
func (g *cgen) addrOf(e cc.Expr) mem {
	pos := cc.PosOf(e)
	switch x := e.(type) {
	case *cc.Ident:
		if o := g.p.Objs[x]; o.Kind == types.CGlobalVar {
			return g.global(o)
		}
		if o := g.p.Objs[x]; o.Kind == types.CMapVar {
			// a map used as a value is its address, as with &map
			return mem{base: g.mapPtr(g.c.cmaps[o.Map])}
		}
		if v := g.vars[g.p.Objs[x]]; v.m != nil {
			return *v.m
		}
	case *cc.Unary:
		if x.Op == "*" {
			return mem{base: g.value(x.X)}
		}
	case *cc.Index:
		xt := g.p.Types[x.X]
		var base mem
		if xt.Kind == types.Array {
			base = g.addrOf(x.X)
		} else {
			base = mem{base: g.value(x.X)}
		}
		elem := types.Decayed(xt).Elem
		if v, ok := g.p.Consts[x.I]; ok && v*int64(elem.Size) > -1<<15 && v*int64(elem.Size) < 1<<15 {
			return base.plus(int(v) * elem.Size)
		}
		off := g.value(x.I)
		if elem.Size != 1 {
			off = g.aluImm(asm.Mul, off, int64(elem.Size))
		}
		return mem{base: g.alu(asm.Add, g.addr(base), off)}
	case *cc.Member:
		l := g.loc(x)
		if l.bits != nil {
			g.fail(pos, "cannot take the address of bitfield %s", x.Name)
		}
		return *l.m
	case *cc.StringLit:
		m := g.stackAlloc(len(x.Value)+1, pos)
		g.zero(m, (len(x.Value)+8)&^7)
		g.constBytes(m, []byte(x.Value))
		return m
	case *cc.CompoundLit:
		t := g.p.Types[x]
		m := g.stackAlloc(t.Size, pos)
		g.zero(m, (t.Size+7)&^7)
		g.initMem(m, t, x.Init)
		return m
	case *cc.Assign:
		g.assign(x)
		return g.addrOf(x.X)
	case *cc.Binary:
		if x.Op == "," {
			g.effect(x.X)
			return g.addrOf(x.Y)
		}
	case *cc.Cast:
		return g.addrOf(x.X)
	}
	g.fail(pos, "this value has no address")
	return mem{}
}

// load reads an lvalue, extending it to 64 bits as its type says.
func (g *cgen) load(l cLoc) vreg {
	if l.m == nil {
		return l.r
	}
	if l.bits != nil {
		f := l.bits
		v := g.cgenLoad(*l.m, f.Type.Size, false)
		unit := 64 - f.BitOff - f.BitSize
		v = g.aluImm(asm.LSh, v, int64(unit))
		right := asm.RSh
		if f.Type.Signed {
			right = asm.ArSh
		}
		return g.aluImm(right, v, int64(64-f.BitSize))
	}
	return g.cgenLoad(*l.m, storeSize(l.t), l.t.Kind == types.Int && l.t.Signed)
}

func (g *cgen) cgenLoad(m mem, size int, signed bool) vreg {
	return g.extend(g.fn.load(m, size), size, signed)
}

// store writes v to an lvalue.
func (g *cgen) store(l cLoc, v vreg) {
	switch {
	case l.m == nil:
		g.emit(&inst{op: opMov, dst: l.r, a: v})
	case l.bits != nil:
		g.storeBits(*l.m, *l.bits, v)
	default:
		g.fn.store(*l.m, storeSize(l.t), v)
	}
}

// storeBits writes the low bits of v into a bitfield of the unit at m.
func (g *cgen) storeBits(m mem, f types.Field, v vreg) {
	size := f.Type.Size
	mask := int64((uint64(1)<<f.BitSize - 1) << f.BitOff)
	old := g.fn.load(m, size)
	kept := g.alu(asm.And, old, g.imm(^mask))
	nv := g.alu(asm.And, g.aluImm(asm.LSh, v, int64(f.BitOff)), g.imm(mask))
	g.fn.store(m, size, g.alu(asm.Or, kept, nv))
}

// branch jumps to label when e's truth is when.
func (g *cgen) branch(e cc.Expr, label string, when bool) {
	if v, ok := g.p.Consts[e]; ok {
		if (v != 0) == when {
			g.jmp(label)
		}
		return
	}
	switch x := e.(type) {
	case *cc.Unary:
		if x.Op == "!" {
			g.branch(x.X, label, !when)
			return
		}
	case *cc.Binary:
		switch x.Op {
		case "&&", "||":
			and := x.Op == "&&"
			if and != when {
				// (a && b) false: a false or b false; (a || b) true: either
				g.branch(x.X, label, when)
				g.branch(x.Y, label, when)
				return
			}
			skip := g.label()
			g.branch(x.X, skip, !when)
			g.branch(x.Y, label, when)
			g.mark(skip)
			return
		case "==", "!=", "<", ">", "<=", ">=":
			signed := false
			if ct := g.p.Conv[x.X]; ct != nil && ct.Kind == types.Int {
				signed = ct.Signed
			}
			a, b := g.operand(x.X), g.operand(x.Y)
			op := types.BinaryOp(x.Op)
			if a.konst && !b.konst {
				// 3 < x is x > 3
				a, b = b, a
				op = op.Swapped()
			}
			if !when {
				op = op.Not()
			}
			cc := cmpOps[op][0]
			if signed {
				cc = cmpOps[op][1]
			}
			g.pos = x.At
			if b.konst {
				g.emit(&inst{op: opJcc, a: g.reg(a), cc: cc, useImm: true, imm: b.c, label: label})
				return
			}
			g.emit(&inst{op: opJcc, a: g.reg(a), b: b.r, cc: cc, label: label})
			return
		}
	}
	v := g.rvalue(e)
	cc := asm.JNE
	if !when {
		cc = asm.JEq
	}
	g.emit(&inst{op: opJcc, a: v, cc: cc, useImm: true, imm: 0, label: label})
}

// call compiles a call of a C function, a kernel function, a BPF helper
// or a compiler builtin.
func (g *cgen) call(e *cc.Call, t *types.Type) vreg {
	id := e.Fun.(*cc.Ident)
	if cr := g.p.CoreReads[e]; cr != nil {
		return g.coreRead(e, cr)
	}
	if fn, ok := g.p.Helpers[e]; ok {
		var args []vreg
		for _, a := range e.Args {
			args = append(args, g.value(a))
		}
		g.pos = e.At
		return g.fn.call(fn, args...)
	}
	if o := g.p.Objs[id]; o != nil && o.Kind == types.CFunction {
		cf := o.Func
		var args []vreg
		for _, a := range e.Args {
			args = append(args, g.value(a))
		}
		g.pos = e.At
		d := g.newReg()
		if cf.Kfunc {
			if cf.KfuncID == 0 {
				g.fail(e.At, "this kernel has no function %s: guard the call with `if (%s)`", cf.Name, cf.Name)
			}
			g.emit(&inst{op: opCall, dst: d, kfunc: cf.KfuncID, args: args})
			return d
		}
		g.emit(&inst{op: opCall, dst: d, callee: cf.Symbol, args: args})
		return d
	}
	return g.builtin(e, id.Name, t)
}

// coreRead follows a CO-RE chain with bpf_probe_read_kernel: a pointer
// is read at each offset but the last, where the result is.
func (g *cgen) coreRead(e *cc.Call, cr *types.CoreRead) vreg {
	var dst vreg
	if cr.Into != nil {
		dst = g.value(cr.Into)
	}
	p := g.value(cr.Src)
	g.pos = e.At
	tmp := g.stackAlloc(8, e.At)
	tmpAddr := func() vreg { return g.addr(tmp) }
	last := len(cr.Offsets) - 1
	for _, off := range cr.Offsets[:last] {
		g.fn.call(asm.FnProbeReadKernel, tmpAddr(), g.imm(8), g.aluImm(asm.Add, p, int64(off)))
		p = g.fn.load(tmp, 8)
	}
	src := g.aluImm(asm.Add, p, int64(cr.Offsets[last]))
	switch {
	case cr.Str:
		into := types.Decayed(g.p.Types[cr.Into]).Elem
		return g.fn.call(asm.FnProbeReadKernelStr, dst, g.imm(int64(max(into.Size, 1))), src)
	case cr.Into != nil:
		return g.fn.call(asm.FnProbeReadKernel, dst, g.imm(int64(cr.Result.Size)), src)
	}
	g.fn.storeImm(tmp, 8, 0)
	size := storeSize(cr.Result)
	g.fn.call(asm.FnProbeReadKernel, tmpAddr(), g.imm(int64(size)), src)
	return g.cgenLoad(tmp, size, cr.Result.Kind == types.Int && cr.Result.Signed)
}

func (g *cgen) builtin(e *cc.Call, name string, t *types.Type) vreg {
	switch name {
	case "__builtin_expect":
		v := g.rvalue(e.Args[0])
		g.effect(e.Args[1])
		return v
	case "__builtin_memcpy":
		dst, src := g.value(e.Args[0]), g.value(e.Args[1])
		n := int(g.p.Consts[e.Args[2]])
		g.pos = e.At
		// as wide as both pointers' targets are aligned (the kernel
		// refuses misaligned stack accesses)
		align := min(pointeeAlign(g.p.Types[e.Args[0]]), pointeeAlign(g.p.Types[e.Args[1]]))
		g.copyAligned(mem{base: dst}, mem{base: src}, n, align)
		return dst
	case "__builtin_memset":
		dst, v := g.value(e.Args[0]), g.value(e.Args[1])
		n := int(g.p.Consts[e.Args[2]])
		g.pos = e.At
		b := g.aluImm(asm.And, v, 0xff)
		for i := 0; i < n; i++ {
			g.fn.store(mem{base: dst, off: int32(i)}, 1, b)
		}
		return dst
	case "__builtin_bswap16", "__builtin_bswap32", "__builtin_bswap64",
		"bpf_htons", "bpf_ntohs", "bpf_htonl", "bpf_ntohl", "bpf_cpu_to_be64", "bpf_be64_to_cpu":
		d := g.newReg()
		g.emit(&inst{op: opSwap, dst: d, a: g.value(e.Args[0]), imm: int64(t.Size * 8)})
		return d
	case "bpf_printk":
		return g.printk(e)
	}
	if strings.HasPrefix(name, "__sync_") || strings.HasPrefix(name, "__atomic_") {
		return g.atomicOp(e, name, t)
	}
	g.fail(e.At, "unknown function %s", name)
	return 0
}

// atomicOp compiles the __sync_ and __atomic_ builtins with BPF's atomic
// instructions (the fetching forms, which give the old value).
func (g *cgen) atomicOp(e *cc.Call, name string, t *types.Type) vreg {
	op := strings.TrimPrefix(strings.TrimPrefix(name, "__sync_"), "__atomic_")
	newValue := strings.HasSuffix(op, "_fetch") && !strings.HasPrefix(op, "fetch_")
	op = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(op, "fetch_and_"), "fetch_"), "_and_fetch")
	op = strings.TrimSuffix(op, "_fetch")
	p := g.value(e.Args[0])
	v := g.value(e.Args[1])
	if len(e.Args) == 3 {
		g.effect(e.Args[2])
	}
	g.pos = e.At
	alu := map[string]asm.ALUOp{"add": asm.Add, "sub": asm.Add, "or": asm.Or, "and": asm.And, "xor": asm.Xor}[op]
	operand := v
	if op == "sub" {
		operand = g.negate(v)
	}
	d := g.newReg()
	g.emit(&inst{op: opMov, dst: d, a: operand})
	g.emit(&inst{op: opFetch, dst: d, a: p, b: d, alu: alu, size: sizeOf(t.Size)})
	old := g.extend(d, t.Size, t.Signed)
	if !newValue {
		return old
	}
	return g.convert(g.alu(map[string]asm.ALUOp{"add": asm.Add, "sub": asm.Sub}[op], old, v), types.Int64, t)
}

// pointeeAlign is the alignment of what a pointer (or array) type points
// to: 1 for void.
func pointeeAlign(t *types.Type) int {
	t = types.Decayed(t)
	if t.Kind != types.Ptr || t.Elem == nil || t.Elem.Kind == types.Void {
		return 1
	}
	return max(1, min(8, t.Elem.Align()))
}

// copyAligned copies n bytes in accesses no wider than align (nor than
// the offsets allow).
func (g *cgen) copyAligned(dst, src mem, n, align int) {
	for i := 0; i < n; {
		w := min(chunk(n-i, dst.off+int32(i), src.off+int32(i)), align)
		g.fn.store(dst.plus(i), w, g.fn.load(src.plus(i), w))
		i += w
	}
}

// printk compiles bpf_printk: the format goes on the stack for
// bpf_trace_printk.
func (g *cgen) printk(e *cc.Call) vreg {
	format := e.Args[0].(*cc.StringLit).Value
	m := g.stackAlloc(len(format)+1, e.At)
	g.zero(m, (len(format)+8)&^7)
	g.constBytes(m, []byte(format))
	args := []vreg{g.addr(m), g.imm(int64(len(format) + 1))}
	for _, a := range e.Args[1:] {
		args = append(args, g.value(a))
	}
	g.pos = e.At
	return g.fn.call(asm.FnTracePrintk, args...)
}
