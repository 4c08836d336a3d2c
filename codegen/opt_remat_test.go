package codegen

import (
	"testing"

	"github.com/cilium/ebpf/asm"
)

// TestRematerialize: a call keeping five values gives up the two that
// cost one instruction to compute again (a constant and a stack address),
// not the map's address (lddw) or the helper's answer; each is computed
// again just before its use after the call, and the definitions nothing
// reads in place go.
func TestRematerialize(t *testing.T) {
	code := []*inst{
		{op: opCtx, dst: 2},
		{op: opMapPtr, dst: 5, ref: "m"},
		{op: opALU, alu: asm.Add, dst: 6, a: fpReg, useImm: true, imm: -16},
		{op: opMovImm, dst: 7, imm: 1},
		{op: opCall, dst: 8, fn: asm.FnGetCurrentPidTgid},
		{op: opCall, dst: 9, fn: asm.FnKtimeGetNs},
		{op: opStore, a: fpReg, b: 9, off: -16, size: asm.DWord},
		{op: opCall, dst: 10, fn: asm.FnMapLookupElem, args: []vreg{5, 6}},
		{op: opLoad, dst: 11, a: 2, off: 8, size: asm.DWord},
		{op: opALU, alu: asm.Add, dst: 11, a: 11, b: 7},
		{op: opALU, alu: asm.Add, dst: 11, a: 11, b: 8},
		{op: opALU, alu: asm.Add, dst: 11, a: 11, b: 5},
		{op: opExit, a: 11},
	}
	nregs := 12
	split, keeps := splitCallResults(code, &nregs)
	if keeps.most != 5 {
		t.Fatalf("the calls keep %d values, want 5 at ktime_get_ns", keeps.most)
	}
	out, most, ok := rematerialize(split, &nregs, keeps)
	if !ok || most != 3 {
		t.Fatalf("rematerialize: changed %v, most kept %d, want 3:\n%s", ok, most, irText(out))
	}
	count := map[op]int{}
	for _, in := range out {
		count[in.op]++
	}
	if count[opMovImm] != 1 || count[opMapPtr] != 1 || count[opCall] != 3 {
		t.Errorf("constants %d, map addresses %d, calls %d; want 1, 1, 3 (only the constant and the stack address move):\n%s",
			count[opMovImm], count[opMapPtr], count[opCall], irText(out))
	}
	// the stack address is computed just before the lookup, the constant
	// just before the add that reads it
	for i, in := range out {
		switch {
		case in.op == opCall && in.fn == asm.FnMapLookupElem:
			prev := out[i-1]
			if prev.op != opALU || prev.a != fpReg || prev.imm != -16 || in.args[1] != prev.dst {
				t.Errorf("lookup reads %v, after %v", in.args, prev)
			}
		case in.op == opMovImm:
			next := out[i+1]
			if next.op != opALU || next.b != in.dst || i < 5 {
				t.Errorf("the constant is defined at %d, before %v", i, next)
			}
		}
	}
	if _, after := splitCallResults(out, &nregs); after.most != 3 {
		t.Errorf("a call keeps %d values, want 3:\n%s", after.most, irText(out))
	}
}

// TestRematerializeHelper: the pid (get_current_pid_tgid >> 32), kept
// across a call with four values read from the context, is asked of the
// helper again after it, with its shift.
func TestRematerializeHelper(t *testing.T) {
	load := func(dst vreg, off int32) *inst { return &inst{op: opLoad, dst: dst, a: 2, off: off, size: asm.DWord} }
	code := []*inst{
		{op: opCtx, dst: 2},
		load(3, 0), load(4, 8), load(5, 16),
		{op: opCall, dst: 6, fn: asm.FnGetCurrentPidTgid},
		{op: opALU, alu: asm.RSh, dst: 7, a: 6, useImm: true, imm: 32},
		{op: opJcc, a: 7, cc: asm.JEq, useImm: true, imm: 0, label: "out"},
		{op: opCall, dst: 8, fn: asm.FnKtimeGetNs},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 8},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 4},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 5},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 7},
		{op: opExit, a: 3},
		{op: opLabel, label: "out"},
		{op: opExit, useImm: true},
	}
	nregs := 9
	split, keeps := splitCallResults(code, &nregs)
	out, _, ok := rematerialize(split, &nregs, keeps)
	if !ok {
		t.Fatalf("nothing rematerialized:\n%s", irText(split))
	}
	pids := 0
	for i, in := range out {
		if in.op == opCall && in.fn == asm.FnGetCurrentPidTgid {
			pids++
			if pids == 2 && (out[i+1].op != opALU || out[i+1].alu != asm.RSh || out[i+1].a != in.dst) {
				t.Errorf("the pid asked again is not shifted: %v", out[i+1])
			}
		}
	}
	if pids != 2 {
		t.Errorf("get_current_pid_tgid called %d times, want 2:\n%s", pids, irText(out))
	}
	if _, after := splitCallResults(out, &nregs); after.most != 3 {
		t.Errorf("a call keeps %d values, want 3 (the three fields):\n%s", after.most, irText(out))
	}
}
