package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
)

// Run-time warnings. Some are always on: an array index out of bounds,
// a division by 0 (runtimeWarning sends user space the message and the
// expression's place). With -k (Target.RuntimeWarnings) the programs also
// check the
// return of each probe read and of each map lookup whose missing value
// reads as zero, and on a failure send user space an EventHelperError
// record holding the return code; the event says which helper failed and
// at which expression, and user space prints bpftrace's warning there.
// Without -k none of this code is emitted.

// checkedHelpers are the helpers whose failures -k reports, by the names
// bpftrace gives them.
var checkedHelpers = map[asm.BuiltinFunc]string{
	asm.FnProbeRead:          "probe_read",
	asm.FnProbeReadStr:       "probe_read_str",
	asm.FnProbeReadKernel:    "probe_read_kernel",
	asm.FnProbeReadKernelStr: "probe_read_kernel_str",
	asm.FnProbeReadUser:      "probe_read_user",
	asm.FnProbeReadUserStr:   "probe_read_user_str",
}

// reading makes e the expression failures are reported at while it is
// compiled, and returns what restores the one before. A field or an
// element is reported at the pointer it reads through, without
// parentheses, as bpftrace does.
func (f *fn) reading(e lang.Expr) func() {
	prev := f.readAt
	at := e.Pos()
	switch x := e.(type) {
	case *lang.Field:
		at = unparen(x.X).Pos()
	case *lang.Index:
		at = unparen(x.X).Pos()
	case *lang.Paren:
		at = prev // a parenthesis reads nothing itself
	}
	f.readAt = at
	return func() { f.readAt = prev }
}

func unparen(e lang.Expr) lang.Expr {
	for {
		p, ok := e.(*lang.Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

// callUnchecked calls a helper whose failure is not reported by -k: a
// first try that another read follows when it fails.
func (f *fn) callUnchecked(fnID asm.BuiltinFunc, args ...vreg) vreg {
	d := f.newReg()
	f.emit(&inst{op: opCall, dst: d, fn: fnID, args: args})
	return d
}

// checkRead reports a failed probe read (a negative return in ret) when
// -k asks for it.
func (f *fn) checkRead(fnID asm.BuiltinFunc, ret vreg) {
	name, ok := checkedHelpers[fnID]
	if !ok || !f.c.tgt.RuntimeWarnings {
		return
	}
	fine := f.label()
	code := f.aluImm(asm.LSh, ret, 32) // the helpers return an int
	code = f.aluImm(asm.ArSh, code, 32)
	f.emit(&inst{op: opJcc, a: code, cc: asm.JSGE, useImm: true, imm: 0, label: fine})
	f.helperError(name, code, f.readAt)
	f.mark(fine)
}

// checkLookup reports a map lookup that found nothing (p is 0) when -k
// asks for it; the value then reads as zero.
func (f *fn) checkLookup(p vreg, at lang.Pos) {
	if !f.c.tgt.RuntimeWarnings {
		return
	}
	found := f.label()
	f.emit(&inst{op: opJcc, a: p, cc: asm.JNE, useImm: true, imm: 0, label: found})
	f.helperError("map_lookup_elem", f.imm(0), at)
	f.mark(found)
}

// runtimeWarning sends user space a warning about the expression at.
func (f *fn) runtimeWarning(msg string, at lang.Pos) {
	pos := f.pos
	f.sendEvent(&Event{Kind: EventRuntimeWarning, Pos: at, Size: 8, Format: msg}, nil)
	f.pos = pos
}

// helperError sends the record of a failed helper: its return code.
func (f *fn) helperError(helper string, code vreg, at lang.Pos) {
	pos := f.pos
	f.sendEvent(&Event{Kind: EventHelperError, Pos: at, Size: 16, Helper: helper},
		func(rec mem) { f.store(rec.plus(8), 8, code) })
	f.pos = pos
}
