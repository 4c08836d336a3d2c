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
				r, ok := al.reg[v]
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
	pos := []lang.Pos{{Line: 1}, {Line: 2}}
	got, gotPos := nameFunc(insns, pos, "f", funcInfo("f", 1))
	if len(got) != 3 || len(gotPos) != 3 || got[0].Symbol() != "f" || got[1].Symbol() != "top" {
		t.Fatalf("got %v", got)
	}
	plain, _ := nameFunc(asm.Instructions{asm.Return()}, pos[:1], "g", funcInfo("g", 1))
	if len(plain) != 1 || plain[0].Symbol() != "g" {
		t.Fatalf("got %v", plain)
	}
}
