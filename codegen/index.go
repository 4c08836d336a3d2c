package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// index compiles x[i] on what is not a map (the checker's index says
// which): a pointer's i-th element, or a flexible array member's, is read
// from kernel or user memory; an
// array's or string's from where the value is, directly for a constant
// index and through a bounds check and a probe_read for another (an index
// out of range reads 0, and for an array sends a run-time warning); a
// tuple's like x.i.
func (f *fn) index(e *lang.Index, t *types.Type) val {
	xt := f.typeOf(e.X)
	switch xt.Kind {
	case types.Tuple:
		x := f.expr(e.X)
		fld := xt.Fields[f.c.info.Consts.Of(e.Index).Int]
		f.pos = e.At
		return f.fromMem(x.m.plus(fld.Offset), fld.Type)
	case types.Ptr:
		addr, user := f.elemAddr(e, t)
		return f.fromAddr(addr, user, t)
	case types.Array:
		if xt.Len == 0 {
			return f.flexElem(e, xt, t)
		}
	}
	elem := types.Int8
	if xt.Kind == types.Array {
		elem = xt.Elem
	}
	x := f.expr(e.X)
	if x.m == nil {
		f.fail(e.At, "internal error: %s value not in memory", xt)
	}
	m := *x.m
	if k, ok := f.c.info.Consts.Get(e.Index); ok {
		f.pos = e.At
		return f.fromMem(m.plus(int(k.Int)*elem.Size), elem)
	}
	if m.ctx {
		// no variable offsets into the context: copy it out first
		d := f.alloc(xt.Size)
		f.copyMem(d, m, xt.Size)
		m = d
	}
	idx := f.scalar(f.expr(e.Index))
	f.pos = e.At
	n := xt.Size / elem.Size
	tmp := f.alloc(elem.Size)
	f.zero(tmp, elem.Size)
	skip := f.label()
	if xt.Kind == types.Array {
		// out of bounds: warned about, as bpftrace does
		inside := f.label()
		f.emit(&inst{op: opJcc, a: idx, cc: asm.JLT, useImm: true, imm: int64(n), label: inside})
		f.runtimeWarning("Array access out of bounds. This can lead to unexpected results.", e.Pos())
		f.jmp(skip)
		f.mark(inside)
	} else {
		f.emit(&inst{op: opJcc, a: idx, cc: asm.JGE, useImm: true, imm: int64(n), label: skip})
	}
	src := f.alu(asm.Add, f.addr(m), f.aluImm(asm.Mul, idx, int64(elem.Size)))
	f.call(asm.FnProbeReadKernel, f.addr(tmp), f.imm(int64(elem.Size)), src)
	f.mark(skip)
	return f.fromMem(tmp, elem)
}

// flexElem compiles x.arr[i] for a flexible array member (`int y[0]` at
// the end of a struct): it has no length and the struct holds none of
// its elements, so the i-th is read at the member's address plus i
// elements, from the memory the struct pointer points into.
func (f *fn) flexElem(e *lang.Index, xt, t *types.Type) val {
	fe, ok := e.X.(*lang.Field)
	var p place
	var st *types.Type
	if ok {
		p, st = f.placeOf(fe.X)
	}
	if !ok || p.m != nil || st.Kind != types.Struct {
		f.fail(e.At, "the flexible array member %s can be indexed only through a pointer to its struct", xt)
	}
	fld, _ := st.Field(fe.Name)
	f.pos = e.At
	base := f.aluImm(asm.Add, p.addr, int64(fld.Offset))
	size := int64(xt.Elem.Size)
	var addr vreg
	if k, ok := f.c.info.Consts.Get(e.Index); ok {
		addr = f.aluImm(asm.Add, base, k.Int*size)
	} else {
		idx := f.scalar(f.expr(e.Index))
		f.pos = e.At
		addr = f.alu(asm.Add, base, f.aluImm(asm.Mul, idx, size))
	}
	return f.fromAddr(addr, p.user, t)
}

// elemAddr computes the address of p[i] for a pointer p, and whether it
// is in user memory; t is the element's type.
func (f *fn) elemAddr(e *lang.Index, t *types.Type) (vreg, bool) {
	xt := f.typeOf(e.X)
	base := f.scalar(f.expr(e.X))
	size := int64(t.Size)
	if t.Kind == types.Ptr {
		size = 8
	}
	f.pos = e.At
	if k, ok := f.c.info.Consts.Get(e.Index); ok {
		return f.aluImm(asm.Add, base, k.Int*size), xt.User
	}
	idx := f.scalar(f.expr(e.Index))
	f.pos = e.At
	return f.alu(asm.Add, base, f.aluImm(asm.Mul, idx, size)), xt.User
}
