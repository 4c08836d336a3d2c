package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Aggregations: the assignment of one to a map updates this CPU's value
// of the map (per-CPU maps: no count is lost), by the map's AggFn, in the
// layouts MapMeta documents; reading one merges the CPUs' values.

// aggregate compiles @m[k] = count(), sum(x), min(x), max(x), avg(x),
// stats(x), and the bucketed hist, lhist and tseries.
func (f *fn) aggregate(m *lang.MapExpr, call *lang.Call) {
	f.pos = call.At
	mm := f.mapMeta(m)
	var x vreg
	if len(call.Args) >= 1 { // the value; hist and lhist parameters are constants
		x = f.scalar(f.expr(call.Args[0]))
	}
	agg := mm.Value.AggFn
	if agg == types.AggTseries {
		f.tseries(m, mm, x)
		return
	}
	if mm.Bucketed {
		f.histogram(m, mm, x)
		return
	}
	p, k := f.mapLookup(m, mm)
	initL, done := f.label(), f.label()
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: initL})
	pm := mem{base: p}
	switch agg {
	case types.AggCount:
		f.store(pm, 8, f.aluImm(asm.Add, f.load(pm, 8), 1))
	case types.AggSum:
		f.store(pm, 8, f.alu(asm.Add, f.load(pm, 8), x))
	case types.AggAvg, types.AggStats:
		f.store(pm, 8, f.alu(asm.Add, f.load(pm, 8), x))
		f.store(pm.plus(8), 8, f.aluImm(asm.Add, f.load(pm.plus(8), 8), 1))
	case types.AggMin, types.AggMax:
		write := f.label()
		set := f.load(pm.plus(8), 8)
		f.emit(&inst{op: opJcc, a: set, cc: asm.JEq, useImm: true, imm: 0, label: write})
		cur := f.load(pm, 8)
		cc := asm.JSGE // min: keep when x >= cur
		if agg == types.AggMax {
			cc = asm.JSLE
		}
		f.emit(&inst{op: opJcc, a: x, b: cur, cc: cc, label: done})
		f.mark(write)
		f.store(pm, 8, x)
		f.storeImm(pm.plus(8), 8, 1)
	}
	f.jmp(done)
	f.mark(initL)
	if agg == types.AggCount && mm.ValSize == 8 {
		f.mapUpdate(mm, k, f.globalOne())
		f.mark(done)
		return
	}
	v := f.alloc(mm.ValSize)
	switch agg {
	case types.AggSum:
		f.store(v, 8, x)
	default:
		f.store(v, 8, x)
		f.storeImm(v.plus(8), 8, 1)
	}
	f.mapUpdate(mm, k, v)
	f.mark(done)
}

// histogram compiles @m[k] = hist(x[, bits]) and lhist(x, min, max, step):
// the bucket index goes after the key, and the bucket's count goes up.
func (f *fn) histogram(m *lang.MapExpr, mm *MapMeta, x vreg) {
	var b vreg
	params := mm.Value.AggParams
	if mm.Value.AggFn == types.AggLhist {
		b = f.lhistBucket(x, params[0], params[1], params[2])
	} else {
		b = f.log2Bucket(x, params[0])
	}
	k := f.key(m, mm)
	f.store(k.plus(mm.BucketOff), 8, b)
	p := f.call(asm.FnMapLookupElem, f.mapPtr(mm.SpecName), f.addr(k))
	initL, done := f.label(), f.label()
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: initL})
	pm := mem{base: p}
	f.store(pm, 8, f.aluImm(asm.Add, f.load(pm, 8), 1))
	f.jmp(done)
	f.mark(initL)
	f.mapUpdate(mm, k, f.globalOne())
	f.mark(done)
}

// log2Bucket computes the hist() bucket of x (see MapMeta).
func (f *fn) log2Bucket(x vreg, k int64) vreg {
	b := f.newReg()
	done := f.label()
	f.emit(&inst{op: opMovImm, dst: b, imm: 0})
	f.emit(&inst{op: opJcc, a: x, cc: asm.JSLT, useImm: true, imm: 0, label: done})
	small := int64(1) << k
	if k == 0 {
		f.emit(&inst{op: opMovImm, dst: b, imm: 1})
		f.emit(&inst{op: opJcc, a: x, cc: asm.JEq, useImm: true, imm: 0, label: done})
	} else {
		// values below 2^k: bucket 1+x
		big := f.label()
		f.emit(&inst{op: opJcc, a: x, cc: asm.JGE, useImm: true, imm: small, label: big})
		f.emit(&inst{op: opALU, alu: asm.Add, dst: b, a: x, useImm: true, imm: 1})
		f.jmp(done)
		f.mark(big)
	}
	// l = floor(log2(x)) by binary search on the highest set bit, x >= 1:
	// n keeps the bits of x above those counted in l. A step of sh bits
	// is a compare with 2^sh, a shift and an add; 2^32 does not fit an
	// immediate, so that step tests n >> 32 instead. With k = 0 the
	// bucket is l + 2, so l starts at 2 in b itself.
	l := b
	if k == 0 {
		f.emit(&inst{op: opMovImm, dst: b, imm: 2})
	} else {
		l = f.newReg()
		f.emit(&inst{op: opMovImm, dst: l, imm: 0})
	}
	n := f.newReg()
	f.emit(&inst{op: opMov, dst: n, a: x})
	for _, sh := range []int64{32, 16, 8, 4, 2, 1} {
		skip := f.label()
		switch sh {
		case 32:
			t := f.aluImm(asm.RSh, n, sh)
			f.emit(&inst{op: opJcc, a: t, cc: asm.JEq, useImm: true, imm: 0, label: skip})
			f.emit(&inst{op: opMov, dst: n, a: t})
		case 1:
			f.emit(&inst{op: opJcc, a: n, cc: asm.JLT, useImm: true, imm: 2, label: skip})
		default:
			f.emit(&inst{op: opJcc, a: n, cc: asm.JLT, useImm: true, imm: 1 << sh, label: skip})
			f.emit(&inst{op: opALU, alu: asm.RSh, dst: n, a: n, useImm: true, imm: sh})
		}
		f.emit(&inst{op: opALU, alu: asm.Add, dst: l, a: l, useImm: true, imm: sh})
		f.mark(skip)
	}
	if k != 0 {
		// 1 + 2^k + (l-k)*2^k + ((x >> (l-k)) - 2^k)
		shift := f.aluImm(asm.Sub, l, k)
		top := f.alu(asm.RSh, x, shift)
		base := f.aluImm(asm.LSh, shift, k)
		sum := f.alu(asm.Add, base, top)
		f.emit(&inst{op: opALU, alu: asm.Add, dst: b, a: sum, useImm: true, imm: 1})
	}
	f.mark(done)
	return b
}

// lhistBucket computes the lhist() bucket of x (see MapMeta): 0 below lo,
// 1 + (hi-lo)/step from hi on, else 1 + (x-lo)/step.
func (f *fn) lhistBucket(x vreg, lo, hi, step int64) vreg {
	b := f.newReg()
	done := f.label()
	below := func(bound int64) *inst { // if x < bound goto done
		in := &inst{op: opJcc, a: x, cc: asm.JSLT, label: done}
		if fitsImm32(bound) {
			in.useImm, in.imm = true, bound
		} else {
			in.b = f.imm(bound)
		}
		return in
	}
	f.emit(&inst{op: opMovImm, dst: b, imm: 0})
	f.emit(below(lo))
	f.emit(&inst{op: opMovImm, dst: b, imm: 1 + (hi-lo)/step})
	atHi := below(hi)
	atHi.cc = asm.JSGE
	f.emit(atHi)
	off := x
	if lo != 0 {
		off = f.aluImm(asm.Sub, x, lo)
	}
	q := f.aluImm(asm.Div, off, step)
	f.emit(&inst{op: opALU, alu: asm.Add, dst: b, a: q, useImm: true, imm: 1})
	f.mark(done)
	return b
}

// aggRead reads an aggregation in the kernel: the per-CPU values are
// merged with bpf_map_lookup_percpu_elem in a loop over the CPUs, so the
// value is the same one user space prints.
func (f *fn) aggRead(m *lang.MapExpr, mm *MapMeta, t *types.Type) val {
	return f.aggMerge(mm, f.key(m, mm), t)
}

// aggMerge merges the per-CPU values of the aggregation at key k.
func (f *fn) aggMerge(mm *MapMeta, k mem, t *types.Type) val {
	agg := mm.Value.AggFn
	acc := f.newReg() // count/sum/total, or the min/max so far
	n := f.newReg()   // avg: the count; min/max: whether any CPU was set
	cpu := f.newReg()
	f.emit(&inst{op: opMovImm, dst: acc, imm: 0})
	f.emit(&inst{op: opMovImm, dst: n, imm: 0})
	f.emit(&inst{op: opMovImm, dst: cpu, imm: 0})
	top, next, end := f.label(), f.label(), f.label()
	f.mark(top)
	f.emit(&inst{op: opJcc, a: cpu, cc: asm.JGE, useImm: true, imm: int64(f.c.tgt.NumCPU), label: end})
	p := f.call(asm.FnMapLookupPercpuElem, f.mapPtr(mm.SpecName), f.addr(k), cpu)
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: next})
	pm := mem{base: p}
	switch agg {
	case types.AggCount, types.AggSum:
		f.emit(&inst{op: opALU, alu: asm.Add, dst: acc, a: acc, b: f.load(pm, 8)})
	case types.AggAvg:
		f.emit(&inst{op: opALU, alu: asm.Add, dst: acc, a: acc, b: f.load(pm, 8)})
		f.emit(&inst{op: opALU, alu: asm.Add, dst: n, a: n, b: f.load(pm.plus(8), 8)})
	case types.AggMin, types.AggMax:
		set := f.load(pm.plus(8), 8)
		f.emit(&inst{op: opJcc, a: set, cc: asm.JEq, useImm: true, imm: 0, label: next})
		v := f.load(pm, 8)
		take := f.label()
		f.emit(&inst{op: opJcc, a: n, cc: asm.JEq, useImm: true, imm: 0, label: take})
		cc := asm.JSGE // min: skip when v >= acc
		if agg == types.AggMax {
			cc = asm.JSLE
		}
		f.emit(&inst{op: opJcc, a: v, b: acc, cc: cc, label: next})
		f.mark(take)
		f.emit(&inst{op: opMov, dst: acc, a: v})
		f.emit(&inst{op: opMovImm, dst: n, imm: 1})
	}
	f.mark(next)
	f.emit(&inst{op: opALU, alu: asm.Add, dst: cpu, a: cpu, useImm: true, imm: 1})
	f.jmp(top)
	f.mark(end)
	if agg == types.AggAvg {
		done := f.label()
		res := f.newReg()
		f.emit(&inst{op: opMovImm, dst: res, imm: 0})
		f.emit(&inst{op: opJcc, a: n, cc: asm.JEq, useImm: true, imm: 0, label: done})
		if t.Signed {
			f.emit(&inst{op: opMov, dst: res, a: f.signedDiv(asm.Div, acc, n)})
		} else {
			f.emit(&inst{op: opALU, alu: asm.Div, dst: res, a: acc, b: n})
		}
		f.mark(done)
		return val{t: t, r: res}
	}
	return val{t: t, r: acc}
}
