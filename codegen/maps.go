package codegen

import (
	"math"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

func (f *fn) mapMeta(m *lang.MapExpr) *MapMeta {
	mm := f.c.maps[m.Name]
	if mm == nil {
		f.fail(m.At, "internal error: map %s has no storage", m.Name)
	}
	return mm
}

// key builds the key of map access m in memory.
func (f *fn) key(m *lang.MapExpr, mm *MapMeta) mem {
	k := f.alloc(mm.KeySize)
	if mm.Bucketed && len(m.Keys) == 1 {
		f.zero(k, mm.KeySize)
	}
	if len(m.Keys) == 0 {
		if !mm.Bucketed {
			f.storeImm(k, 8, 0)
		} // else the bucket is the whole key
		return k
	}
	keys := m.Keys
	if tl, ok := keys[0].(*lang.Tuple); ok && len(keys) == 1 && len(mm.Keys) > 1 {
		keys = tl.Elems // @m[(a, b)] is @m[a, b]
	}
	if len(keys) == 1 && len(mm.Keys) > 1 {
		// a tuple value as the keys: element by element, since the
		// map's strings may be longer than the tuple's
		tv := f.expr(keys[0])
		f.zero(k, mm.KeySize)
		for i, src := range tv.t.Fields {
			dst := mm.Key.Fields[i]
			f.storeField(k.plus(dst.Offset), dst.Type, f.fromMem(tv.m.plus(src.Offset), src.Type), false)
		}
		return k
	}
	if len(keys) == 1 {
		f.exprInto(keys[0], k, mm.Key, true)
		return k
	}
	f.zero(k, mm.KeySize)
	for i, ke := range keys {
		fld := mm.Key.Fields[i]
		if fld.Type.InRegister() {
			// an integer key as wide as its field
			f.storeField(k.plus(fld.Offset), fld.Type, f.expr(ke), false)
			continue
		}
		f.exprInto(ke, k.plus(fld.Offset), fld.Type, false)
	}
	return k
}

func (f *fn) mapStore(m *lang.MapExpr, x val) {
	mm := f.mapMeta(m)
	k := f.key(m, mm)
	v := f.alloc(mm.ValSize)
	f.storeVal(v, mm.Value, x, true)
	f.mapUpdate(mm, k, v)
}

// mapLookup returns a register holding a pointer to the value of m, or 0.
func (f *fn) mapLookup(m *lang.MapExpr, mm *MapMeta) (vreg, mem) {
	k := f.key(m, mm)
	p := f.call(asm.FnMapLookupElem, f.mapPtr(mm.SpecName), f.addr(k))
	return p, k
}

func (f *fn) mapRead(m *lang.MapExpr) val {
	mm := f.mapMeta(m)
	t := f.typeOf(m)
	if mm.PerCPU {
		return f.aggRead(m, mm, t)
	}
	if v, ok := f.reusedRead(m); ok && t.InRegister() {
		return v
	}
	p, _ := f.mapLookup(m, mm)
	f.checkLookup(p, m.At)
	done := f.label()
	if !t.InRegister() { // strings, tuples, usym, inet, buffers, arrays, ...
		dst := f.alloc(t.Size)
		f.zero(dst, t.Size)
		f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: done})
		f.copyMem(dst, mem{base: p}, t.Size)
		f.mark(done)
		return val{t: t, m: &dst}
	}
	// an integer narrower than its 8-byte slot is read at its width (what
	// a C function handed &@m writes) and extended as its type says
	size := slotSize(t)
	if t.Kind == types.Int && t.Size > 0 {
		size = t.Size
	}
	d := f.newReg()
	f.emit(&inst{op: opMovImm, dst: d, imm: 0})
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: done})
	f.emit(&inst{op: opLoad, dst: d, a: p, size: sizeOf(size)})
	f.mark(done)
	v := val{t: t, r: f.extend(d, size, t.Signed)}
	f.keepRead(m, v)
	return v
}

// mapUpdate writes value v at key k of map mm. Updates refused because
// the map is full (-E2BIG) are counted in the map's slot of the globals
// map (user space warns when the count moves), where the map can fill at
// all: not an LRU map, which evicts, nor one with fewer possible keys
// than entries. The count adds the helper's -7 itself, which saves
// loading a 1 (see MapMeta.FullOff).
func (f *fn) mapUpdate(mm *MapMeta, k, v mem) {
	r := f.call(asm.FnMapUpdateElem, f.mapPtr(mm.SpecName), f.addr(k), f.addr(v), f.imm(0))
	if !f.mayFill(mm) {
		return
	}
	if mm.FullPos == (lang.Pos{}) {
		mm.FullPos = f.pos
	}
	done := f.label()
	f.emit(&inst{op: opJcc, a: r, cc: asm.JNE, useImm: true, imm: -7, label: done})
	f.countGlobal(mm.FullOff, r)
	f.mark(done)
}

// mayFill tells whether updates of mm can find it full: it is not LRU,
// and it has keys of the user's, or more histogram buckets than entries.
func (f *fn) mayFill(mm *MapMeta) bool {
	spec := f.c.prog.Spec.Maps[mm.SpecName]
	switch {
	case spec == nil || len(mm.Keys) > 0:
		return true
	case spec.Type == ebpf.LRUHash || spec.Type == ebpf.LRUCPUHash:
		return false
	case mm.Bucketed:
		return bucketCount(mm.Value) > uint64(spec.MaxEntries)
	}
	return spec.MaxEntries < 1
}

// bucketCount bounds the buckets of a hist or lhist value (see MapMeta).
func bucketCount(t *types.Type) uint64 {
	p := t.AggParams
	switch {
	case t.AggFn == types.AggHist && len(p) == 0:
		return 66
	case t.AggFn == types.AggHist && p[0] >= 0 && p[0] < 16:
		return 66 << uint(p[0])
	case t.AggFn == types.AggLhist && len(p) == 3 && p[2] > 0 && p[1] >= p[0]:
		return uint64((p[1]-p[0])/p[2]) + 2
	}
	return math.MaxUint64
}
