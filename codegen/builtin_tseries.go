package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// tseries compiles @m[k] = tseries(x, interval, num[, agg]) as bpftrace
// does: the TAI time (boot time plus the offset the runtime leaves in the
// globals) divided by the interval is the epoch; the epoch modulo num is
// the bucket, a u64 after the key (as in histograms). The per-CPU value
// is {value, meta, epoch}: with no aggregation the last value and its
// time; with avg the sum and the count; with min and max the value and a
// "set" flag; with sum the sum. A bucket whose epoch is older starts
// again. User space merges the CPUs (runtime/output).
func (f *fn) tseries(m *lang.MapExpr, mm *MapMeta, x vreg) {
	params := mm.Value.AggParams
	interval, num, agg := params[0], params[1], params[2]
	now := f.taiNow()
	epoch := f.aluImm(asm.Div, now, interval)
	bucket := f.aluImm(asm.Mod, epoch, num)
	k := f.key(m, mm)
	f.store(k.plus(mm.BucketOff), 8, bucket)
	p := f.call(asm.FnMapLookupElem, f.mapPtr(mm.SpecName), f.addr(k))
	initL, done := f.label(), f.label()
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: initL})
	pv, pm, pe := mem{base: p}, mem{base: p, off: 8}, mem{base: p, off: 16}
	if agg != types.TSeriesLast {
		same := f.label()
		f.emit(&inst{op: opJcc, a: f.load(pe, 8), b: epoch, cc: asm.JEq, label: same})
		f.storeImm(pv, 8, 0)
		f.storeImm(pm, 8, 0)
		f.mark(same)
	}
	switch agg {
	case types.TSeriesLast:
		f.store(pv, 8, x)
		f.store(pm, 8, now)
	case types.TSeriesSum:
		f.store(pv, 8, f.alu(asm.Add, f.load(pv, 8), x))
	case types.TSeriesAvg:
		f.store(pv, 8, f.alu(asm.Add, f.load(pv, 8), x))
		f.store(pm, 8, f.aluImm(asm.Add, f.load(pm, 8), 1))
	case types.TSeriesMin, types.TSeriesMax:
		write, keep := f.label(), f.label()
		f.emit(&inst{op: opJcc, a: f.load(pm, 8), cc: asm.JEq, useImm: true, imm: 0, label: write})
		signed := mm.Value.AggArg != nil && mm.Value.AggArg.Signed
		var cc asm.JumpOp
		switch {
		case agg == types.TSeriesMin && signed:
			cc = asm.JSGE // keep when x >= cur
		case agg == types.TSeriesMin:
			cc = asm.JGE
		case signed:
			cc = asm.JSLE
		default:
			cc = asm.JLE
		}
		f.emit(&inst{op: opJcc, a: x, b: f.load(pv, 8), cc: cc, label: keep})
		f.mark(write)
		f.store(pv, 8, x)
		f.mark(keep)
		f.storeImm(pm, 8, 1)
	}
	f.store(pe, 8, epoch)
	f.jmp(done)
	f.mark(initL)
	v := f.alloc(24)
	f.store(v, 8, x)
	switch agg {
	case types.TSeriesLast:
		f.store(v.plus(8), 8, now)
	case types.TSeriesSum:
		f.storeImm(v.plus(8), 8, 0)
	default:
		f.storeImm(v.plus(8), 8, 1)
	}
	f.store(v.plus(16), 8, epoch)
	f.mapUpdate(mm, k, v)
	f.mark(done)
}
