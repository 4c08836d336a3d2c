package codegen

import (
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
)

// checkAllocation asserts the allocation's invariants: values live at the
// same time sit in different registers, and values live across a call sit
// in callee-saved registers.
func checkAllocation(t *testing.T, code []*inst, nregs int, al *allocation) {
	t.Helper()
	in, out := liveness(code, nregs)
	for i, ins := range code {
		distinct := func(set bitset, extra vreg) {
			seen := map[asm.Register]vreg{}
			check := func(v vreg) {
				r, ok := al.regOf(v)
				if !ok {
					t.Fatalf("inst %d (%v): v%d is live but has no register", i, ins, v)
				}
				if o, dup := seen[r]; dup && o != v {
					t.Fatalf("inst %d (%v): v%d and v%d both in %v", i, ins, o, v, r)
				}
				seen[r] = v
			}
			set.forEach(check)
			if extra != 0 {
				check(extra)
			}
		}
		distinct(in[i], 0)
		distinct(out[i], ins.def())
		if ins.op == opALU && !ins.useImm && ins.b != ins.a && al.reg[ins.b] == al.reg[ins.dst] {
			t.Fatalf("inst %d (%v): the result overwrites the second operand", i, ins)
		}
		if ins.op == opALU && !ins.useImm && !commutative(ins.alu) && ins.alu != asm.Sub {
			// lowered through r0 when the result goes to the second
			// operand's register
			out[i].forEach(func(v vreg) {
				if v != ins.dst && al.reg[v] == asm.R0 {
					t.Fatalf("inst %d (%v): v%d lives across it in r0", i, ins, v)
				}
			})
		}
		if ins.op == opCall {
			out[i].forEach(func(v vreg) {
				if v != ins.dst && !inPool(al.reg[v], calleeSaved) {
					t.Fatalf("inst %d: v%d lives across a call in %v", i, v, al.reg[v])
				}
			})
		}
	}
}

func TestAllocateSpillsAcrossCalls(t *testing.T) {
	// Ten values defined before a call and all used after it: only four
	// callee-saved registers exist, so six must be spilled.
	nregs := 2
	newReg := func() vreg { nregs++; return vreg(nregs - 1) }
	var code []*inst
	var vals []vreg
	for i := 0; i < 10; i++ {
		v := newReg()
		code = append(code, &inst{op: opMovImm, dst: v, imm: int64(i)})
		vals = append(vals, v)
	}
	code = append(code, &inst{op: opCall, dst: newReg(), fn: asm.FnKtimeGetNs})
	sum := vals[0]
	for _, v := range vals[1:] {
		d := newReg()
		code = append(code, &inst{op: opALU, alu: asm.Add, dst: d, a: sum, b: v})
		sum = d
	}
	code = append(code, &inst{op: opExit, a: sum})
	noSpill := map[vreg]bool{}
	out, al, err := allocate(code, &nregs, 0, noSpill)
	if err != nil {
		t.Fatal(err)
	}
	spills := 0
	for _, in := range out {
		if in.op == opSpill {
			spills++
		}
	}
	if spills < 6 {
		t.Errorf("got %d spills, want at least 6", spills)
	}
	if al.stackSize < 6*8 {
		t.Errorf("stack size %d, want room for 6 spill slots", al.stackSize)
	}
	checkAllocation(t, out, nregs, al)
	if _, _, err := lower(out, al); err != nil {
		t.Fatal(err)
	}
}

// TestAllocateCallResultInR0: a helper's result read before the next
// call stays in r0; one read after it goes to a callee-saved register,
// and so does a value live across a division by a register.
func TestAllocateCallResultInR0(t *testing.T) {
	nregs := 8
	code := []*inst{
		{op: opCall, dst: 2, fn: asm.FnKtimeGetNs},
		{op: opJcc, a: 2, cc: asm.JEq, useImm: true, imm: 0, label: "out"},
		{op: opCall, dst: 3, fn: asm.FnGetPrandomU32},
		{op: opMovImm, dst: 4, imm: 10},
		{op: opALU, alu: asm.Div, dst: 5, a: 4, b: 3},
		{op: opALU, alu: asm.Add, dst: 6, a: 5, b: 3},
		{op: opCall, dst: 7, fn: asm.FnKtimeGetNs},
		{op: opALU, alu: asm.Add, dst: 7, a: 7, b: 6},
		{op: opExit, a: 7},
		{op: opLabel, label: "out"},
		{op: opExit, useImm: true},
	}
	out, al, err := allocate(code, &nregs, 0, map[vreg]bool{})
	if err != nil {
		t.Fatal(err)
	}
	checkAllocation(t, out, nregs, al)
	if al.reg[2] != asm.R0 {
		t.Errorf("the first result is in %v, want r0", al.reg[2])
	}
	if al.reg[3] == asm.R0 {
		t.Errorf("the second result, live across a division, is in r0")
	}
	if !inPool(al.reg[6], calleeSaved) {
		t.Errorf("v6, live across a call, is in %v", al.reg[6])
	}
	insns, _, err := lower(out, al)
	if err != nil {
		t.Fatal(err)
	}
	if insns[1].OpCode.JumpOp() != asm.JEq || insns[1].Dst != asm.R0 {
		t.Errorf("the call's result is not tested in r0 right after it:\n%v", insns)
	}
}

func TestParallelMovesCycle(t *testing.T) {
	// args currently in r2, r1: a swap needs a temporary.
	loc := map[vreg]asm.Register{3: asm.R2, 4: asm.R1}
	moves := parallelMoves([]vreg{3, 4}, func(v vreg) asm.Register { return loc[v] })
	regs := map[asm.Register]vreg{asm.R1: 4, asm.R2: 3}
	for _, m := range moves {
		regs[m[0]] = regs[m[1]]
	}
	if regs[asm.R1] != 3 || regs[asm.R2] != 4 {
		t.Fatalf("moves %v leave r1=v%d r2=v%d", moves, regs[asm.R1], regs[asm.R2])
	}
}

// A function whose first instruction is a jump target (a loop at its
// start) keeps its label: the name goes on an instruction of its own.
func TestNameFuncKeepsLabel(t *testing.T) {
	insns := asm.Instructions{asm.Ja.Label("top").WithSymbol("top"), asm.Return()}
	var pos, first Positions
	l1, l2 := lang.Pos{Line: 1}, lang.Pos{Line: 2}
	pos.add(&l1, 1)
	pos.add(&l2, 1)
	first.add(&l1, 1)
	got, gotPos := nameFunc(insns, pos, "f", funcInfo("f", 1))
	if len(got) != 3 || gotPos.Len() != 3 || got[0].Symbol() != "f" || got[1].Symbol() != "top" {
		t.Fatalf("got %v", got)
	}
	if gotPos.At(0).Line != 1 || gotPos.At(1).Line != 1 || gotPos.At(2).Line != 2 {
		t.Errorf("positions %v", gotPos)
	}
	plain, _ := nameFunc(asm.Instructions{asm.Return()}, first, "g", funcInfo("g", 1))
	if len(plain) != 1 || plain[0].Symbol() != "g" {
		t.Fatalf("got %v", plain)
	}
}

// TestSplitCallResults: a result live across a later call is read from
// r0 before that call; a move keeps it for after.
func TestSplitCallResults(t *testing.T) {
	nregs := 8
	code := []*inst{
		{op: opCall, dst: 2, fn: asm.FnGetCurrentPidTgid},
		{op: opALU, alu: asm.RSh, dst: 3, a: 2, useImm: true, imm: 32},
		{op: opJcc, a: 3, cc: asm.JEq, useImm: true, imm: 4242, label: "out"},
		{op: opCall, dst: 4, fn: asm.FnKtimeGetNs},
		{op: opALU, alu: asm.Add, dst: 5, a: 4, b: 2},
		{op: opExit, a: 5},
		{op: opLabel, label: "out"},
		{op: opExit, useImm: true},
	}
	split, keeps := splitCallResults(code, &nregs)
	if len(split) != len(code)+1 || split[1].op != opMov || split[1].dst != 2 || split[2].a != split[0].dst {
		t.Fatalf("not split:\n%s", irText(split))
	}
	if kept := keeps.most; kept != 1 {
		t.Errorf("the most values a call keeps: %d, want 1 (v2 across ktime_get_ns)", kept)
	}
	out, al, err := allocate(split, &nregs, 0, map[vreg]bool{})
	if err != nil {
		t.Fatal(err)
	}
	checkAllocation(t, out, nregs, al)
	if al.reg[split[0].dst] != asm.R0 || al.reg[3] != asm.R0 || !inPool(al.reg[2], calleeSaved) {
		t.Errorf("registers: result %v, shifted %v, kept %v", al.reg[split[0].dst], al.reg[3], al.reg[2])
	}
	// a result not live across a call stays as it is
	if got, _ := splitCallResults(code[3:], &nregs); len(got) != len(code)-3 {
		t.Errorf("split a result no call follows:\n%s", irText(got))
	}
}

// TestSureSpillKeepsCodeAsWritten: reusing get_current_pid_tgid across
// a call that already keeps four values (the context and three fields
// read from it) would make five, more than the callee-saved registers;
// the code as written needs no spill and is what optimizeAndAllocate
// gives, calling the helper twice.
func TestSureSpillKeepsCodeAsWritten(t *testing.T) {
	load := func(dst vreg, off int32) *inst {
		return &inst{op: opLoad, dst: dst, a: 2, off: off, size: asm.DWord}
	}
	code := []*inst{
		{op: opCtx, dst: 2},
		load(3, 0), load(4, 8), load(5, 16),
		{op: opCall, dst: 6, fn: asm.FnGetCurrentPidTgid},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 6},
		{op: opCall, dst: 7, fn: asm.FnKtimeGetNs},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 7},
		{op: opCall, dst: 8, fn: asm.FnGetCurrentPidTgid},
		load(9, 24),
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 4},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 5},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 8},
		{op: opALU, alu: asm.Add, dst: 3, a: 3, b: 9},
		{op: opExit, a: 3},
	}
	nregs := 10
	if _, kept := splitCallResults(deadCode((&fn{}).reuseMemoryAndValues(append([]*inst(nil), code...)), nregs), &nregs); kept.most != 5 {
		t.Fatalf("reused, a call keeps %d values, want 5", kept.most)
	}
	f := &fn{nregs: 10, frame: 8, noSpill: map[vreg]bool{}}
	out, al, err := f.optimizeAndAllocate(code)
	if err != nil {
		t.Fatal(err)
	}
	checkAllocation(t, out, f.nregs, al)
	calls := 0
	for _, in := range out {
		if in.op == opCall && in.fn == asm.FnGetCurrentPidTgid {
			calls++
		}
	}
	if al.stackSize != f.frame || calls != 2 {
		t.Errorf("stack %d (frame %d), get_current_pid_tgid called %d times, want the code as written:\n%s", al.stackSize, f.frame, calls, irText(out))
	}
}
