package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

func (f *fn) unary(e *lang.Unary, t *types.Type) val {
	op := f.c.info.OpOf(e)
	switch op {
	case types.OpInc, types.OpDec:
		return f.incDec(e)
	case types.OpNot:
		return f.boolVal(e, t)
	case types.OpAddr:
		return f.addressOf(e, t)
	}
	if op == types.OpDeref {
		pt := f.typeOf(e.X)
		addr := f.scalar(f.expr(e.X))
		f.pos = e.At
		user := pt.User
		if pt.Kind == types.Int && f.ctx.Mem == types.UserMem {
			// an integer address: user memory in user-space probes
			user = true
		}
		return f.fromAddr(addr, user, t)
	}
	x := f.scalar(f.expr(e.X))
	f.pos = e.At
	switch op {
	case types.OpNeg:
		d := f.newReg()
		f.emit(&inst{op: opNeg, dst: d, a: x})
		return val{t: t, r: d}
	case types.OpCompl:
		return val{t: t, r: f.aluImm(asm.Xor, x, -1)}
	}
	f.fail(e.At, "operator %s not supported by the code generator yet", op)
	return val{}
}

func (f *fn) incDec(e *lang.Unary) val {
	old := f.expr(e.X)
	t := f.typeOf(e.X)
	delta := int64(1)
	if f.c.info.OpOf(e) == types.OpDec {
		delta = -1
	}
	oldR := f.scalar(old)
	if t.Kind == types.Ptr {
		delta *= elemSize(t)
	}
	nv := f.aluImm(asm.Add, oldR, delta)
	if t.Kind == types.Int && t.Size < 8 {
		// a variable declared narrower (let $x: uint8) wraps at its width
		nv = f.narrow(nv, t.Size, t.Signed)
	}
	switch x := e.X.(type) {
	case *lang.Var:
		keep := f.newReg()
		f.emit(&inst{op: opMov, dst: keep, a: oldR})
		f.setVar(x, val{t: t, r: nv})
		oldR = keep
	case *lang.MapExpr:
		f.mapStore(x, val{t: t, r: nv})
	}
	if e.Postfix {
		return val{t: t, r: oldR}
	}
	return val{t: t, r: nv}
}

// aluOps are the instructions of the arithmetic and bitwise operators
// (unsigned; arith and C's make them signed where they must be).
var aluOps = map[types.Op]asm.ALUOp{
	types.OpAdd: asm.Add, types.OpSub: asm.Sub, types.OpMul: asm.Mul, types.OpDiv: asm.Div, types.OpMod: asm.Mod,
	types.OpAnd: asm.And, types.OpOr: asm.Or, types.OpXor: asm.Xor, types.OpShl: asm.LSh, types.OpShr: asm.RSh,
}

// arith computes x op y, signed or not.
func (f *fn) arith(op types.Op, x, y val, signed bool) vreg {
	a, b := f.scalar(x), f.scalar(y)
	if op == types.OpAdd || op == types.OpSub {
		// pointer arithmetic counts elements
		switch {
		case x.t.Kind == types.Ptr && y.t.Kind != types.Ptr:
			if n := elemSize(x.t); n != 1 {
				b = f.aluImm(asm.Mul, b, n)
			}
		case y.t.Kind == types.Ptr && x.t.Kind != types.Ptr:
			if n := elemSize(y.t); n != 1 {
				a = f.aluImm(asm.Mul, a, n)
			}
		}
	}
	alu := aluOps[op]
	if signed {
		switch alu {
		case asm.Div, asm.Mod:
			return f.signedDiv(alu, a, b)
		case asm.RSh:
			alu = asm.ArSh
		}
	}
	return f.alu(alu, a, b)
}

// elemSize is the size of what pointer type t points to (1 for void).
func elemSize(t *types.Type) int64 {
	if t.Elem == nil || t.Elem.Size <= 0 {
		return 1
	}
	return int64(t.Elem.Size)
}

// signedDiv divides (or takes the remainder) of signed values without the
// v4 instruction set's sdiv/smod, which older kernels lack: it divides the
// magnitudes and fixes the sign (C semantics: the quotient truncates toward
// zero, the remainder has the dividend's sign).
func (f *fn) signedDiv(alu asm.ALUOp, a, b vreg) vreg {
	abs := func(v vreg) (vreg, vreg) {
		neg := f.newReg()
		r := f.newReg()
		pos := f.label()
		f.emit(&inst{op: opMovImm, dst: neg, imm: 0})
		f.emit(&inst{op: opMov, dst: r, a: v})
		f.emit(&inst{op: opJcc, a: v, cc: asm.JSGE, useImm: true, imm: 0, label: pos})
		f.emit(&inst{op: opNeg, dst: r, a: r})
		f.emit(&inst{op: opMovImm, dst: neg, imm: 1})
		f.mark(pos)
		return r, neg
	}
	ua, na := abs(a)
	ub, nb := abs(b)
	res := f.alu(alu, ua, ub)
	flip := na
	if alu == asm.Div {
		flip = f.alu(asm.Xor, na, nb)
	}
	done := f.label()
	f.emit(&inst{op: opJcc, a: flip, cc: asm.JEq, useImm: true, imm: 0, label: done})
	f.emit(&inst{op: opNeg, dst: res, a: res})
	f.mark(done)
	return res
}

func (f *fn) binary(e *lang.Binary, t *types.Type) val {
	if op := f.c.info.OpOf(e); op.Arith() {
		x, y := f.expr(e.X), f.expr(e.Y)
		f.pos = e.At
		if (op == types.OpDiv || op == types.OpMod) && !nonZeroLit(e.Y) {
			return val{t: t, r: f.checkedDiv(e, op, x, y, t.Signed)}
		}
		return val{t: t, r: f.arith(op, x, y, t.Signed)}
	}
	return f.boolVal(e, t)
}

// checkedDiv divides as bpftrace does when the divisor may be 0: the
// result is then 1, with a warning at the operator.
func (f *fn) checkedDiv(e *lang.Binary, op types.Op, x, y val, signed bool) vreg {
	res := f.newReg()
	ok, done := f.label(), f.label()
	f.emit(&inst{op: opJcc, a: f.scalar(y), cc: asm.JNE, useImm: true, imm: 0, label: ok})
	f.runtimeWarning("Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.", e.Pos())
	f.emit(&inst{op: opMovImm, dst: res, imm: 1})
	f.jmp(done)
	f.mark(ok)
	f.pos = e.At
	f.emit(&inst{op: opMov, dst: res, a: f.arith(op, x, y, signed)})
	f.mark(done)
	return res
}

// nonZeroLit tells whether e is an integer literal other than 0.
func nonZeroLit(e lang.Expr) bool {
	for {
		p, ok := e.(*lang.Paren)
		if !ok {
			break
		}
		e = p.X
	}
	lit, ok := e.(*lang.IntLit)
	return ok && lit.Val != 0
}

// addressedVars finds the variables of a probe whose address is taken.
func (c *compiler) addressedVars(b *lang.Block) map[string]bool {
	vars := map[string]bool{}
	lang.Inspect(b, func(n lang.Node) bool {
		if u, ok := n.(*lang.Unary); ok && c.info.OpOf(u) == types.OpAddr {
			if v, ok := u.X.(*lang.Var); ok {
				vars[v.Key()] = true
			}
		}
		return true
	})
	return vars
}

// addressOf compiles &x: the address of a variable's memory, of a map
// value (0 when the key is absent) or of a struct field.
func (f *fn) addressOf(e *lang.Unary, t *types.Type) val {
	switch x := e.X.(type) {
	case *lang.Var:
		v, ok := f.vars[x.Key()]
		if !ok || v.m == nil {
			f.fail(x.At, "variable %s is used before it is assigned", x.Name)
		}
		return val{t: t, r: f.addr(*v.m)}
	case *lang.MapExpr:
		p, _ := f.mapLookup(x, f.mapMeta(x))
		d := f.newReg()
		f.emit(&inst{op: opMov, dst: d, a: p})
		return val{t: t, r: d}
	case *lang.Field:
		p, st := f.placeOf(x.X)
		fld, _ := st.Field(x.Name)
		f.pos = e.At
		if p.m != nil {
			return val{t: t, r: f.addr(p.m.plus(fld.Offset))}
		}
		return val{t: t, r: f.aluImm(asm.Add, p.addr, int64(fld.Offset))}
	}
	f.fail(e.At, "& takes a $variable, an @map or a struct field")
	return val{}
}
