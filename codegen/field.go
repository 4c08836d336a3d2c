package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// place is where a struct-typed value lives without reading it: local
// memory (the context, the stack, scratch), or an address in kernel or
// user memory that must be read with a probe_read helper.
type place struct {
	m    *mem
	addr vreg
	user bool
}

func (p place) plus(off int) place {
	if p.m != nil {
		m := p.m.plus(off)
		return place{m: &m}
	}
	return p
}

// placeOf finds where the struct (or pointer to struct) e lives.
func (f *fn) placeOf(e lang.Expr) (place, *types.Type) {
	t := f.typeOf(e)
	if t.Kind == types.Ptr {
		return place{addr: f.scalar(f.expr(e)), user: t.User}, t.Elem
	}
	if ie, ok := e.(*lang.Index); ok && t.Kind == types.Struct && f.typeOf(ie.X).Kind == types.Ptr {
		addr, user := f.elemAddr(ie, t)
		return place{addr: addr, user: user}, t
	}
	if fe, ok := e.(*lang.Field); ok && t.Kind == types.Struct {
		p, st := f.placeOf(fe.X)
		if st.Kind == types.Struct {
			fld, _ := st.Field(fe.Name)
			if p.m == nil {
				f.pos = fe.At
				p.addr = f.aluImm(asm.Add, p.addr, int64(fld.Offset))
				return p, t
			}
			return p.plus(fld.Offset), t
		}
	}
	x := f.expr(e)
	if x.m == nil {
		f.fail(e.Pos(), "internal error: %s value not in memory", t)
	}
	return place{m: x.m}, t
}

func (f *fn) field(e *lang.Field, t *types.Type) val {
	p, st := f.placeOf(e.X)
	f.pos = e.At
	if st.Kind == types.Tuple {
		fld, ok := st.Field(e.Name)
		if !ok {
			var idx int
			fmt.Sscan(e.Name, &idx)
			fld = st.Fields[idx]
		}
		return f.fromMem(p.m.plus(fld.Offset), fld.Type)
	}
	fld, _ := st.Field(e.Name)
	if p.m != nil && p.m.ctx && f.ctx.Kind == types.ProgTracing {
		// fentry/fexit arguments: each in a u64 slot of the context,
		// read whole (the kernel allows only that) and narrowed.
		r := f.load(p.m.plus(fld.Offset), 8)
		if fld.Type.Kind == types.Int {
			r = f.narrow(r, fld.Type.Size, fld.Type.Signed)
		}
		if fld.Type.Kind == types.Ptr && f.ctx.Iter {
			f.skipIfNull(r)
		}
		return val{t: fld.Type, r: r}
	}
	if fld.BitSize > 0 {
		var unit val
		if p.m == nil {
			unit = f.fromAddr(f.aluImm(asm.Add, p.addr, int64(fld.Offset)), p.user, fld.Type)
		} else {
			unit = f.fromMem(p.m.plus(fld.Offset), fld.Type)
		}
		return f.bitfield(unit, fld)
	}
	if p.m == nil {
		addr := f.aluImm(asm.Add, p.addr, int64(fld.Offset))
		return f.fromAddr(addr, p.user, fld.Type)
	}
	at := p.m.plus(fld.Offset)
	if fld.DataLoc {
		// The u32 holds (length << 16 | offset from the start of the record).
		loc := f.aluImm(asm.And, f.load(at, 4), 0xffff)
		src := f.alu(asm.Add, p.m.base, loc)
		m := f.alloc(t.Size)
		f.call(asm.FnProbeReadKernelStr, f.addr(m), f.imm(int64(t.Size)), src)
		return val{t: t, m: &m}
	}
	return f.fromMem(at, fld.Type)
}

// bitfield extracts fld's bits from the unit that holds them: shifted to
// the top of the register and back, so that a signed field is
// sign-extended.
func (f *fn) bitfield(unit val, fld types.Field) val {
	r := f.scalar(unit)
	if fld.Type.Signed && fld.Type.Size < 8 {
		// fromMem/fromAddr sign-extended the unit: start from its raw bits.
		r = f.aluImm(asm.And, r, int64(uint64(1)<<(fld.Type.Size*8)-1))
	}
	r = f.aluImm(asm.LSh, r, int64(64-fld.BitOff-fld.BitSize))
	shift := asm.RSh
	if fld.Type.Signed {
		shift = asm.ArSh
	}
	r = f.aluImm(shift, r, int64(64-fld.BitSize))
	return val{t: fld.Type, r: r}
}

// fromAddr reads a value of type t at a kernel (or user) address.
func (f *fn) fromAddr(addr vreg, user bool, t *types.Type) val {
	read := asm.FnProbeReadKernel
	if user {
		read = asm.FnProbeReadUser
	}
	if t.Kind == types.Int || t.Kind == types.Bool || inWord(t) {
		size := t.Size
		if inWord(t) {
			size = 8
		}
		tmp := f.alloc(8)
		f.storeImm(tmp, 8, 0)
		f.call(read, f.addr(tmp), f.imm(int64(size)), addr)
		return f.fromMem(tmp, t)
	}
	rt := t
	if t.Kind == types.Array && t.Elem.Kind == types.Int && t.Elem.Size == 1 {
		rt = types.StrType(t.Size)
	}
	m := f.alloc(t.Size)
	f.call(read, f.addr(m), f.imm(int64(t.Size)), addr)
	return val{t: rt, m: &m}
}

// inWord tells whether a value of type t, not an integer, is held in a
// register and stored as an 8-byte word: a pointer, a username (a uid).
func inWord(t *types.Type) bool {
	return t.Kind != types.Int && t.Kind != types.Bool && t.InRegister() && (t.Kind == types.Ptr || t.Size == 8)
}

// fromMem reads a value of type t stored at m.
func (f *fn) fromMem(m mem, t *types.Type) val {
	switch {
	case t.Kind == types.Int, t.Kind == types.Bool:
		return val{t: t, r: f.extend(f.load(m, t.Size), t.Size, t.Signed)}
	case inWord(t):
		// pointers and the values held as 8-byte words (usernames, ...)
		return val{t: t, r: f.load(m, 8)}
	case t.Kind == types.Array:
		if t.Elem.Kind == types.Int && t.Elem.Size == 1 {
			// char arrays are strings
			st := types.StrType(t.Size)
			d := f.alloc(t.Size)
			f.copyMem(d, m, t.Size)
			return val{t: st, m: &d}
		}
	}
	if m.ctx {
		d := f.alloc(t.Size)
		f.copyMem(d, m, t.Size)
		return val{t: t, m: &d}
	}
	return val{t: t, m: &m}
}

// skipIfNull ends the program (returning 0) when the pointer in r is
// NULL. An iterator's program runs once more after the last object, with
// NULL in its ctx members (the kernel's "stop" call); reading a pointer
// member of ctx skips that run, as bpftrace does. The check is on the
// loaded register itself, so the kernel's verifier knows the pointer is
// not NULL after it (it refuses arithmetic on pointers that may be).
func (f *fn) skipIfNull(r vreg) {
	ok := f.label()
	f.emit(&inst{op: opJcc, a: r, cc: asm.JNE, useImm: true, imm: 0, label: ok})
	f.ret(0)
	f.mark(ok)
}
