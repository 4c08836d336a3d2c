package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Time: the clocks are the kernel's helpers (nsecs is the boot clock, as
// bpftrace's); elapsed counts from the start the runtime leaves in the
// globals; strftime keeps the nanoseconds, which user space formats; time
// sends user space a record, and it prints the time.

func init() {
	define(types.BuiltinNsecs, builtinCode{
		// the boot clock, as bpftrace's nsecs (nsecs(monotonic) for the other)
		ident: helperValue(asm.FnKtimeGetBootNs),
		call:  (*fn).nsecs,
	})
	define(types.BuiltinElapsed, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		now := f.call(asm.FnKtimeGetNs)
		g := f.newReg()
		f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalStartNs})
		return val{t: t, r: f.alu(asm.Sub, now, f.load(mem{base: g}, 8))}
	}})
	define(types.BuiltinJiffies, builtinCode{ident: helperValue(asm.FnJiffies64)})
	define(types.BuiltinStrftime, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		return val{t: t, r: f.scalar(f.expr(e.Args[1]))}
	}})
	define(types.BuiltinTime, builtinCode{stmt: func(f *fn, e *lang.Call) {
		ev := &Event{Kind: EventTime, Pos: e.At, Size: 8, Format: "%H:%M:%S\n"}
		if len(e.Args) == 1 {
			ev.Format = e.Args[0].(*lang.StrLit).Val
		}
		f.sendEvent(ev, nil)
	}})
}

// nsecs compiles nsecs(clock).
func (f *fn) nsecs(e *lang.Call, t *types.Type) val {
	switch e.Args[0].(*lang.Ident).Name {
	case "monotonic":
		return val{t: t, r: f.call(asm.FnKtimeGetNs)}
	case "boot":
		return val{t: t, r: f.call(asm.FnKtimeGetBootNs)}
	case "tai":
		return val{t: t, r: f.call(asm.FnKtimeGetTaiNs)}
	}
	// sw_tai: boot time plus the TAI offset user space measured at the
	// start, for kernels without bpf_ktime_get_tai_ns
	return val{t: t, r: f.taiNow()}
}

// taiNow is the TAI time as the boot time plus the offset between the
// two clocks that the runtime leaves in the globals.
func (f *fn) taiNow() vreg {
	if name := f.c.info.ClockMap; name != "" {
		// BPFTRACE_DUMMY_TS_MAP: the time is the map's value (0 unset)
		m := &lang.MapExpr{At: f.pos, Name: name}
		p, _ := f.mapLookup(m, f.mapMeta(m))
		d, unset := f.newReg(), f.label()
		f.emit(&inst{op: opMovImm, dst: d, imm: 0})
		f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: unset})
		f.emit(&inst{op: opLoad, dst: d, a: p, size: asm.DWord})
		f.mark(unset)
		return d
	}
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalTaiDelta})
	return f.alu(asm.Add, f.call(asm.FnKtimeGetBootNs), f.load(mem{base: g}, 8))
}
