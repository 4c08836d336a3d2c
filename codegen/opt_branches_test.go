package codegen

import (
	"math"
	"testing"

	"github.com/cilium/ebpf/asm"
)

// TestFoldBranches: a jump the code before it decides goes (never taken)
// or becomes unconditional (always taken); what a label joins, or a
// write, is not known any more.
func TestFoldBranches(t *testing.T) {
	jcc := func(cc asm.JumpOp, a vreg, k int64, label string) *inst {
		return &inst{op: opJcc, a: a, cc: cc, useImm: true, imm: k, label: label}
	}
	code := []*inst{
		{op: opLoad, dst: 2, a: 3, size: asm.DWord},
		jcc(asm.JSLE, 2, 0, "out"), // past it, r2 >= 1
		jcc(asm.JSLT, 2, 0, "a"),   // never
		jcc(asm.JEq, 2, 0, "a"),    // never
		jcc(asm.JGE, 2, 1, "b"),    // always (unsigned, both not negative)
		{op: opLabel, label: "a"},
		jcc(asm.JSLT, 2, 0, "a"), // a label: unknown again
		{op: opMovImm, dst: 4, imm: 7},
		{op: opMov, dst: 5, a: 4},
		jcc(asm.JNE, 5, 7, "out"), // never: r5 is 7
		{op: opALU, dst: 5, a: 5, alu: asm.Add, useImm: true, imm: 1},
		jcc(asm.JNE, 5, 8, "out"), // r5 was written: unknown
		{op: opLabel, label: "b"},
		{op: opLabel, label: "out"},
		{op: opExit, useImm: true},
	}
	got := (&fn{}).foldBranches(append([]*inst(nil), code...))
	var ops []string
	for _, in := range got {
		switch in.op {
		case opJcc:
			ops = append(ops, "jcc "+in.label)
		case opJmp:
			ops = append(ops, "jmp "+in.label)
		case opLabel:
			ops = append(ops, in.label+":")
		default:
			ops = append(ops, "-")
		}
	}
	want := []string{"-", "jcc out", "jmp b", "a:", "jcc a", "-", "-", "-", "jcc out", "b:", "out:", "-"}
	if len(ops) != len(want) {
		t.Fatalf("got %q, want %q", ops, want)
	}
	for i := range want {
		if ops[i] != want[i] {
			t.Fatalf("got %q, want %q", ops, want)
		}
	}
}

// TestDecideBranch: each comparison is decided only where every value of
// the range agrees.
func TestDecideBranch(t *testing.T) {
	all := valueRange{math.MinInt64, math.MaxInt64}
	pos := valueRange{1, math.MaxInt64}
	for _, tc := range []struct {
		cc   asm.JumpOp
		r    valueRange
		k    int64
		want int
	}{
		{asm.JSLT, pos, 0, never}, {asm.JSLT, pos, 1, never}, {asm.JSLT, pos, 2, undecided},
		{asm.JSGT, pos, 0, always}, {asm.JSGE, pos, 1, always}, {asm.JSLE, pos, 0, never},
		{asm.JEq, pos, 0, never}, {asm.JEq, pos, 5, undecided}, {asm.JNE, pos, -3, always},
		{asm.JEq, valueRange{4, 4}, 4, always}, {asm.JNE, valueRange{4, 4}, 4, never},
		{asm.JLT, pos, 1, never}, {asm.JGT, pos, 0, always},
		{asm.JLT, valueRange{-1, 5}, 10, undecided}, // -1 is huge unsigned
		{asm.JLT, pos, -1, undecided},
		{asm.JSGT, all, 0, undecided}, {asm.JSet, pos, 1, undecided},
	} {
		if got := decide(tc.cc, tc.r, tc.k); got != tc.want {
			t.Errorf("%v %v %d: %d, want %d", tc.r, tc.cc, tc.k, got, tc.want)
		}
	}
}
