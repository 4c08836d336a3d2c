package codegen

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
)

func irText(code []*inst) string {
	var b strings.Builder
	for _, in := range code {
		b.WriteString(in.String())
		b.WriteString("\n")
	}
	return b.String()
}

// TestForwardStackLoads: an 8-byte load of a slot the block just stored
// becomes a copy, unless something since may have written the slot.
func TestForwardStackLoads(t *testing.T) {
	st := func(off int32, v vreg) *inst {
		return &inst{op: opStore, a: fpReg, b: v, off: off, size: asm.DWord}
	}
	ld := func(d vreg, off int32) *inst {
		return &inst{op: opLoad, dst: d, a: fpReg, off: off, size: asm.DWord}
	}
	for _, c := range []struct {
		name    string
		between []*inst
		forward bool
	}{
		{"nothing between", nil, true},
		{"another slot written", []*inst{st(-16, 4)}, true},
		{"the slot partly written", []*inst{{op: opStoreImm, a: fpReg, off: -4, size: asm.Word, imm: 1}}, false},
		{"a call", []*inst{{op: opCall, dst: 5, fn: asm.FnKtimeGetNs}}, false},
		{"a store through a pointer", []*inst{{op: opStore, a: 6, b: 4, size: asm.DWord}}, false},
		{"the register redefined", []*inst{{op: opMovImm, dst: 2, imm: 7}}, false},
		{"a label", []*inst{{op: opLabel, label: "L"}}, false},
	} {
		code := append([]*inst{st(-8, 2)}, c.between...)
		code = append(code, ld(3, -8))
		got := forwardStackLoads(code, 9)
		last := got[len(got)-1]
		if forwarded := last.op == opMov && last.a == 2; forwarded != c.forward {
			t.Errorf("%s: forwarded %v, want %v:\n%s", c.name, forwarded, c.forward, irText(got))
		}
	}
}

// TestDeadStackStores: stores to an allocation nothing can read go, and
// stores that a later store or a filling helper overwrites first.
func TestDeadStackStores(t *testing.T) {
	f := &fn{stackAllocs: []stackSlot{{-24, 16}, {-32, 8}}}
	zero := func(off int32) *inst { return &inst{op: opStoreImm, a: fpReg, off: off, size: asm.DWord} }
	addr := &inst{op: opALU, alu: asm.Add, dst: 2, a: fpReg, useImm: true, imm: -24}
	size := &inst{op: opMovImm, dst: 3, imm: 16}
	for _, c := range []struct {
		name string
		code []*inst
		kept int // stores left
	}{
		{"never read", []*inst{zero(-32), zero(-24)}, 0},
		{"read by a load", []*inst{zero(-32), {op: opLoad, dst: 4, a: fpReg, off: -32, size: asm.DWord}}, 1},
		{"address taken", []*inst{zero(-24), addr, {op: opCall, dst: 4, fn: asm.FnMapLookupElem, args: []vreg{5, 2}}}, 1},
		{"filled by get_current_comm", []*inst{zero(-24), zero(-16), addr, size, {op: opCall, dst: 4, fn: asm.FnGetCurrentComm, args: []vreg{2, 3}}}, 0},
		{"read before the fill", []*inst{zero(-24), addr, size, {op: opCall, dst: 4, fn: asm.FnMapLookupElem, args: []vreg{5, 2}}, {op: opCall, dst: 4, fn: asm.FnGetCurrentComm, args: []vreg{2, 3}}}, 1},
		{"overwritten in the block", []*inst{zero(-24), addr, {op: opStore, a: fpReg, b: 6, off: -24, size: asm.DWord}, {op: opCall, dst: 4, fn: asm.FnMapLookupElem, args: []vreg{5, 2}}}, 1},
		{"overwritten by two stores", []*inst{zero(-24), {op: opStore, a: fpReg, b: 6, off: -24, size: asm.Word}, {op: opStore, a: fpReg, b: 6, off: -20, size: asm.Word}, addr, {op: opCall, dst: 4, fn: asm.FnMapLookupElem, args: []vreg{5, 2}}}, 2},
		{"overwritten after a label", []*inst{zero(-24), addr, {op: opLabel, label: "L"}, {op: opStore, a: fpReg, b: 6, off: -24, size: asm.DWord}, {op: opCall, dst: 4, fn: asm.FnMapLookupElem, args: []vreg{5, 2}}}, 2},
	} {
		got := f.deadStackStores(c.code)
		n := 0
		for _, in := range got {
			if in.op == opStore || in.op == opStoreImm {
				n++
			}
		}
		if n != c.kept {
			t.Errorf("%s: %d stores kept, want %d:\n%s", c.name, n, c.kept, irText(got))
		}
	}
}

// TestMergeKeySlots: a key stored again with the same register uses the
// first slot, unless a path can reach its use without the first store.
func TestMergeKeySlots(t *testing.T) {
	f := &fn{stackAllocs: []stackSlot{{-8, 8}, {-16, 8}}}
	key := func(off int32, addr vreg) []*inst {
		return []*inst{
			{op: opStore, a: fpReg, b: 2, off: off, size: asm.DWord},
			{op: opALU, alu: asm.Add, dst: addr, a: fpReg, useImm: true, imm: int64(off)},
			{op: opCall, dst: addr + 10, fn: asm.FnMapLookupElem, args: []vreg{3, addr}},
		}
	}
	cat := func(parts ...[]*inst) []*inst {
		var c []*inst
		for _, p := range parts {
			c = append(c, p...)
		}
		return c
	}
	def := []*inst{{op: opCall, dst: 2, fn: asm.FnGetCurrentPidTgid}, {op: opMapPtr, dst: 3, ref: "m"}}
	for _, c := range []struct {
		name   string
		code   []*inst
		merged bool
	}{
		{"straight", cat(def, key(-8, 4), key(-16, 5)), true},
		{"a jump over the first store", cat(def, []*inst{{op: opJcc, a: 2, cc: asm.JEq, useImm: true, label: "L"}}, key(-8, 4), []*inst{{op: opLabel, label: "L"}}, key(-16, 5)), false},
		{"a jump past both", cat(def, []*inst{{op: opJcc, a: 2, cc: asm.JEq, useImm: true, label: "L"}}, key(-8, 4), key(-16, 5), []*inst{{op: opLabel, label: "L"}}), true},
		{"the first slot written by a helper", cat(def, key(-8, 4), []*inst{{op: opCall, fn: asm.FnGetCurrentComm, args: []vreg{4, 3}}}, key(-16, 5)), false},
	} {
		got := f.mergeKeySlots(c.code)
		if merged := len(got) < len(c.code); merged != c.merged {
			t.Errorf("%s: merged %v, want %v:\n%s", c.name, merged, c.merged, irText(got))
		}
	}
}

// TestFrameBytes: the bytes of the frame's slots read, against slots that
// share a byte with them or not; a slot outside the frame is taken as
// read.
func TestFrameBytes(t *testing.T) {
	var read frameBytes
	read.add(stackSlot{off: -16, size: 8})
	read.add(stackSlot{off: -maxStack, size: 1})
	for _, c := range []struct {
		s    stackSlot
		want bool
	}{
		{stackSlot{-16, 8}, true},
		{stackSlot{-9, 1}, true},
		{stackSlot{-8, 8}, false},
		{stackSlot{-24, 8}, false},
		{stackSlot{-20, 8}, true},
		{stackSlot{-maxStack, 8}, true},
		{stackSlot{-maxStack + 1, 8}, false},
		{stackSlot{-maxStack - 8, 8}, true},
		{stackSlot{-4, 8}, true},
	} {
		if got := read.any(c.s); got != c.want {
			t.Errorf("slot %+v: read %v, want %v", c.s, got, c.want)
		}
	}
	var all frameBytes
	all.add(stackSlot{off: -maxStack - 8, size: 8})
	if !all.any(stackSlot{-8, 8}) {
		t.Errorf("a read outside the frame does not make every slot read")
	}
}
