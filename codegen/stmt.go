package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

func (f *fn) block(b *lang.Block) {
	for _, s := range b.Stmts {
		f.stmt(s)
	}
}

func (f *fn) stmt(s lang.Stmt) {
	f.pos = s.Pos()
	f.forgetReads(s)
	switch s := s.(type) {
	case *lang.ExprStmt:
		f.exprStmt(s.X)
	case *lang.AssignStmt:
		f.pos = s.At
		f.assign(s)
	case *lang.LetStmt:
		f.let(s)
	case *lang.IfStmt:
		els, end := f.label(), f.label()
		f.branch(s.Cond, els, false)
		f.block(s.Then)
		if s.Else != nil {
			f.jmp(end)
		}
		f.mark(els)
		if s.Else != nil {
			f.stmt(s.Else)
			f.mark(end)
		}
	case *lang.BlockStmt:
		f.block(s.Body)
	case *lang.WhileStmt:
		top, end := f.label(), f.label()
		f.mark(top)
		f.pos = s.At
		f.branch(s.Cond, end, false)
		f.loop(top, end, s.Body)
		f.jmp(top)
		f.mark(end)
	case *lang.UnrollStmt:
		n := int(f.c.info.Consts.Of(s.Count).Int)
		for i := 0; i < n; i++ {
			f.block(s.Body)
		}
	case *lang.ForStmt:
		if s.Map != nil {
			f.forMap(s)
		} else {
			f.forRange(s)
		}
	case *lang.JumpStmt:
		switch s.Keyword {
		case "break":
			f.jmp(f.loops[len(f.loops)-1].end)
		case "continue":
			f.jmp(f.loops[len(f.loops)-1].next)
		case "return":
			if s.Value != nil {
				f.leaveWith(f.scalar(f.expr(s.Value)))
			} else {
				f.leave()
			}
		}
		// Whatever follows in the block is unreachable; keep the stream valid.
		f.mark(f.label())
	default:
		f.fail(s.Pos(), "statement not supported by the code generator yet")
	}
}

func (f *fn) exprStmt(e lang.Expr) {
	switch e := e.(type) {
	case *lang.Call:
		f.pos = e.At
		if f.callStmt(e) {
			return
		}
	case *lang.Unary:
		if op := f.c.info.OpOf(e); op == types.OpInc || op == types.OpDec {
			f.incDec(e)
			return
		}
	case *lang.BlockExpr:
		f.block(&lang.Block{At: e.At, Stmts: e.Stmts})
		if e.Value != nil {
			f.exprStmt(e.Value)
		}
		return
	}
	f.expr(e)
}

func (f *fn) assign(s *lang.AssignStmt) {
	if call, ok := s.Rhs.(*lang.Call); ok && f.c.info.BuiltinOf(call).Aggregation() != 0 {
		f.aggregate(s.Lhs.(*lang.MapExpr), call)
		return
	}
	op := f.c.info.OpOf(s) // 0: =
	if m, ok := s.Lhs.(*lang.MapExpr); ok && op == 0 {
		mm := f.mapMeta(m)
		v := f.alloc(mm.ValSize)
		f.exprInto(s.Rhs, v, mm.Value, true)
		k := f.key(m, mm)
		f.pos = s.At
		f.mapUpdate(mm, k, v)
		return
	}
	var rhs val
	if op == 0 {
		rhs = f.expr(s.Rhs)
	} else {
		old := f.expr(s.Lhs)
		r := f.expr(s.Rhs)
		lt := f.typeOf(s.Lhs)
		rhs = val{t: types.ArithType(op, lt, r.t), r: f.arith(op, old, r, types.SignedOp(lt, r.t))}
	}
	switch l := s.Lhs.(type) {
	case *lang.Var:
		f.setVar(l, rhs)
	case *lang.MapExpr:
		f.mapStore(l, rhs)
	}
}

// let compiles `let $x [: type] [= value]`; a declared variable without a
// value starts as zero.
func (f *fn) let(s *lang.LetStmt) {
	if s.Value != nil {
		f.setVar(s.Var, f.expr(s.Value))
		return
	}
	t := f.c.info.TypeOf(s.Var)
	if t == nil {
		return
	}
	if t.InRegister() {
		f.setVar(s.Var, val{t: t, r: f.imm(0)})
		return
	}
	m := f.alloc(t.Size)
	f.zero(m, t.Size)
	f.setVar(s.Var, val{t: t, m: &m})
}

func (f *fn) setVar(v *lang.Var, x val) {
	t := f.c.info.TypeOf(v)
	slot, ok := f.vars[v.Key()]
	if !ok {
		slot = val{t: t}
		if x.m != nil || f.addressed[v.Key()] {
			m := f.alloc(t.Size)
			slot.m = &m
		} else {
			slot.r = f.newReg()
		}
		f.vars[v.Key()] = slot
	}
	if t.Kind == types.Int && x.t.Kind == types.Int && !types.FitsInt(x.t, t) {
		// a declared variable keeps its width: the value wraps to it
		x = val{t: t, r: f.narrow(f.scalar(x), t.Size, t.Signed)}
	}
	if slot.m != nil {
		f.storeVal(*slot.m, t, x, true)
		return
	}
	f.emit(&inst{op: opMov, dst: slot.r, a: f.scalar(x)})
}

// leave ends the probe's program (return, exit()): a loop callback stops
// its loop and tells its caller to leave too.
func (f *fn) leave() {
	if f.leaveFlag != nil {
		f.storeImm(*f.leaveFlag, 8, 1)
		f.ret(1)
		return
	}
	f.ret(0)
}

// leaveWith ends the probe returning v (return v). In a loop callback
// the leave flag holds v+1, which the caller returns less one.
func (f *fn) leaveWith(v vreg) {
	if f.leaveFlag != nil {
		f.store(*f.leaveFlag, 8, f.aluImm(asm.Add, v, 1))
		f.ret(1)
		return
	}
	f.emit(&inst{op: opExit, a: v})
}
