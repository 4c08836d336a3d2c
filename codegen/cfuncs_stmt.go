package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang/cc"
	"github.com/gotrace/gotrace/lang/types"
)

// Imported C: statements and local variables.
//
// Control flow compiles to labels and jumps: loops and switches push the
// labels break and continue go to, goto labels are named per function.
// A scalar local lives in a virtual register; an aggregate, or a local
// whose address is taken, lives in the frame, cleared first (what an
// initializer leaves out is zero) and then initialized member by member,
// designators included.

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
