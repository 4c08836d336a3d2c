package codegen

import (
	"math/bits"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/cc"
	"github.com/gotrace/gotrace/lang/types"
)

// Imported C: expressions and conditions.
//
// An expression's value is computed in 64 bits and kept as its type says
// (sign- or zero-extended), narrowed where an operation may carry out of
// a narrower type and wherever the checker's Conv records a conversion.
// Conditions compile to branches (branch) rather than to 0 or 1.

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
