package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// boolVal materializes a condition as 0 or 1.
func (f *fn) boolVal(e lang.Expr, t *types.Type) val {
	d := f.newReg()
	no := f.label()
	f.emit(&inst{op: opMovImm, dst: d, imm: 0})
	f.branch(e, no, false)
	f.emit(&inst{op: opMovImm, dst: d, imm: 1})
	f.mark(no)
	return val{t: t, r: d}
}

func (f *fn) ternary(e *lang.Ternary, t *types.Type) val {
	els, end := f.label(), f.label()
	if t.Kind == types.Void && e.Then != nil {
		f.branch(e.Cond, els, false)
		f.exprStmt(e.Then)
		f.jmp(end)
		f.mark(els)
		f.exprStmt(e.Else)
		f.mark(end)
		return val{t: t}
	}
	if t.Kind == types.Str || t.Kind == types.Tuple || t.Kind == types.Buf {
		m := f.alloc(t.Size)
		res := val{t: t, m: &m}
		if e.Then == nil {
			c := f.expr(e.Cond)
			f.storeVal(m, t, c, true)
			f.strTruth(c, els, true)
			f.storeVal(m, t, f.expr(e.Else), true)
			f.mark(els)
			return res
		}
		f.branch(e.Cond, els, false)
		f.storeVal(m, t, f.expr(e.Then), true)
		f.jmp(end)
		f.mark(els)
		f.storeVal(m, t, f.expr(e.Else), true)
		f.mark(end)
		return res
	}
	d := f.newReg()
	if e.Then == nil {
		c := f.scalar(f.expr(e.Cond))
		f.emit(&inst{op: opMov, dst: d, a: c})
		f.emit(&inst{op: opJcc, a: c, cc: asm.JNE, useImm: true, imm: 0, label: end})
		f.emit(&inst{op: opMov, dst: d, a: f.scalar(f.expr(e.Else))})
		f.mark(end)
		return val{t: t, r: d}
	}
	f.branch(e.Cond, els, false)
	f.emit(&inst{op: opMov, dst: d, a: f.scalar(f.expr(e.Then))})
	f.jmp(end)
	f.mark(els)
	f.emit(&inst{op: opMov, dst: d, a: f.scalar(f.expr(e.Else))})
	f.mark(end)
	return val{t: t, r: d}
}

// cmpOps are the jumps of the comparisons: unsigned, signed.
var cmpOps = map[types.Op][2]asm.JumpOp{
	types.OpEq: {asm.JEq, asm.JEq}, types.OpNe: {asm.JNE, asm.JNE},
	types.OpLt: {asm.JLT, asm.JSLT}, types.OpLe: {asm.JLE, asm.JSLE},
	types.OpGt: {asm.JGT, asm.JSGT}, types.OpGe: {asm.JGE, asm.JSGE},
}

// branch jumps to label when the truth of e equals when, and falls through
// otherwise. && and || short-circuit.
func (f *fn) branch(e lang.Expr, label string, when bool) {
	switch x := e.(type) {
	case *lang.Paren:
		f.branch(x.X, label, when)
		return
	case *lang.Unary:
		if f.c.info.OpOf(x) == types.OpNot {
			f.branch(x.X, label, !when)
			return
		}
	case *lang.Binary:
		op := f.c.info.OpOf(x)
		switch op {
		case types.OpLAnd, types.OpLOr:
			and := op == types.OpLAnd
			if and != when { // && jumping on false, || jumping on true
				f.branch(x.X, label, when)
				f.branch(x.Y, label, when)
				return
			}
			skip := f.label()
			f.branch(x.X, skip, !when)
			f.branch(x.Y, label, when)
			f.mark(skip)
			return
		}
		if op.Compare() {
			xt, yt := f.typeOf(x.X), f.typeOf(x.Y)
			if types.BytesComparable(xt, yt) {
				f.bytesCompare(x, op, label, when)
				return
			}
			if xt.Kind == types.Str {
				f.strCompare(x, op, label, when)
				return
			}
			if !when {
				op = op.Not()
			}
			ops := cmpOps[op]
			cc := ops[0]
			if types.SignedOp(xt, yt) {
				cc = ops[1]
			}
			a := f.scalar(f.expr(x.X))
			if lit, ok := x.Y.(*lang.IntLit); ok && lit.Val <= 1<<31-1 {
				f.pos = x.At
				f.emit(&inst{op: opJcc, a: a, cc: cc, useImm: true, imm: int64(lit.Val), label: label})
				return
			}
			b := f.scalar(f.expr(x.Y))
			f.pos = x.At
			f.emit(&inst{op: opJcc, a: a, b: b, cc: cc, label: label})
			return
		}
	}
	v := f.expr(e)
	if v.m != nil {
		f.strTruth(v, label, when)
		return
	}
	cc := asm.JNE
	if !when {
		cc = asm.JEq
	}
	f.emit(&inst{op: opJcc, a: v.r, cc: cc, useImm: true, imm: 0, label: label})
}

// strCompare compiles a string == or != comparison (op) into a branch.
func (f *fn) strCompare(x *lang.Binary, op types.Op, label string, when bool) {
	var lit *lang.StrLit
	other := x.X
	if l, ok := x.Y.(*lang.StrLit); ok {
		lit = l
	} else if l, ok := x.X.(*lang.StrLit); ok {
		lit, other = l, x.Y
	}
	if lit == nil {
		a, b := f.expr(x.X), f.expr(x.Y)
		f.pos = x.At
		f.strStrEq(a, b, label, (op == types.OpEq) == when)
		return
	}
	s := f.expr(other)
	f.pos = x.At
	f.strEq(s, lit.Val, label, (op == types.OpEq) == when)
}

// strStrEq compares two strings in memory byte by byte, up to the first
// NUL or the shorter size, and jumps to label when their equality is
// onEqual. A string that ends at its size without a NUL equals the longer
// one only if the longer has a NUL there.
func (f *fn) strStrEq(a, b val, label string, onEqual bool) {
	if a.t.Size > b.t.Size {
		a, b = b, a
	}
	n := a.t.Size
	same, differ := f.label(), f.label()
	i, _, _ := f.byteLoop(f.addr(*a.m), f.addr(*b.m), n, true, same, differ)
	f.mark(same)
	if b.t.Size > n {
		// a ran out without a NUL: b must end here too.
		end := f.label()
		f.emit(&inst{op: opJcc, a: i, cc: asm.JLT, useImm: true, imm: int64(n), label: end})
		f.emit(&inst{op: opJcc, a: f.load(b.m.plus(n), 1), cc: asm.JNE, useImm: true, imm: 0, label: differ})
		f.mark(end)
	}
	if onEqual {
		f.jmp(label)
		f.mark(differ)
		return
	}
	done := f.label()
	f.jmp(done)
	f.mark(differ)
	f.jmp(label)
	f.mark(done)
}

// strTruth jumps to label when the truth of string s (non-empty) equals when.
func (f *fn) strTruth(s val, label string, when bool) {
	f.strEq(s, "", label, !when)
}

// strEq compares string s with the constant lit (up to s's size, as
// bpftrace compares strings) and jumps to label when (s == lit) equals
// onEqual.
func (f *fn) strEq(s val, lit string, label string, onEqual bool) {
	want := append([]byte(lit), 0)
	if len(want) > s.t.Size {
		if len(lit) > s.t.Size { // can never be equal
			if !onEqual {
				f.jmp(label)
			}
			return
		}
		want = want[:s.t.Size]
	}
	miss := label
	if onEqual {
		miss = f.label()
	}
	for i, ch := range want {
		b := f.load(s.m.plus(i), 1)
		f.emit(&inst{op: opJcc, a: b, cc: asm.JNE, useImm: true, imm: int64(ch), label: miss})
	}
	if onEqual {
		f.jmp(label)
		f.mark(miss)
	}
}

// bytesCompare compiles == or != (op) of tuples or arrays into a branch:
// they are equal when all their bytes are (tuples are laid out with
// zeroed padding).
func (f *fn) bytesCompare(x *lang.Binary, op types.Op, label string, when bool) {
	a, b := f.expr(x.X), f.expr(x.Y)
	f.pos = x.At
	r := f.memcmp(f.offStack(a), f.offStack(b), min(a.t.Size, b.t.Size))
	cc := asm.JEq
	if (op == types.OpEq) != when {
		cc = asm.JNE
	}
	f.emit(&inst{op: opJcc, a: r, cc: cc, useImm: true, imm: 0, label: label})
}

// byteLoop walks the bytes at pa and pb from index 0: it jumps to differ
// at the first pair that differs (ca and cb hold it), and to end after n
// bytes or, with stopAtNul, after a NUL both have.
func (f *fn) byteLoop(pa, pb vreg, n int, stopAtNul bool, end, differ string) (i, ca, cb vreg) {
	i = f.newReg()
	f.emit(&inst{op: opMovImm, dst: i, imm: 0})
	top := f.label()
	f.mark(top)
	f.emit(&inst{op: opJcc, a: i, cc: asm.JGE, useImm: true, imm: int64(n), label: end})
	ca = f.load(mem{base: f.alu(asm.Add, pa, i)}, 1)
	cb = f.load(mem{base: f.alu(asm.Add, pb, i)}, 1)
	f.emit(&inst{op: opJcc, a: ca, b: cb, cc: asm.JNE, label: differ})
	if stopAtNul {
		f.emit(&inst{op: opJcc, a: ca, cc: asm.JEq, useImm: true, imm: 0, label: end})
	}
	f.emit(&inst{op: opALU, alu: asm.Add, dst: i, a: i, useImm: true, imm: 1})
	f.jmp(top)
	return i, ca, cb
}
