package codegen

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang/types"
)

// DWARF unwinding of user stacks (dw_ustack).
//
// User space turns the call-frame information (.eh_frame) of every object
// the traced processes map into rows, "from this address on, the caller's
// frame is found so", and writes them to two maps before and while the
// programs run:
//
//   - DWRowsMap, an array of DWRowSize-byte rows: the first address the
//     row covers (u64, in the object's own addresses), the offset of the
//     canonical frame address (CFA) from its base register (s32), where
//     the caller's rbp is saved relative to the CFA (s16, 0: rbp is
//     unchanged) and the kind of rule (u8: DWUndefined, DWRSP, DWRBP,
//     DWPLT, whose offset is 16 minus the byte of the PLT entry from
//     which its pushed index counts). Each object's rows are one sorted
//     run of the array.
//   - DWMapsMap, a hash from a process id to its executable mappings,
//     sorted by start address: a u32 count, a u32 pad, then up to
//     DWMaxMappings of {start, end, bias (u64 each), first row, rows
//     (u32 each)}; an address in the mapping minus bias is an address of
//     the object.
//
// The program reads the user registers the task entered the kernel with
// (bpf_task_pt_regs), then unwinds one frame per bpf_loop iteration: it
// records the address, finds its mapping and then its row with two
// branch-free binary searches, computes the CFA, and reads the return
// address (at CFA-8, as everywhere on x86-64) and, where the row says so,
// the caller's rbp from user memory. It stops at an address no mapping or
// row covers, at an undefined rule, at a failed read, or at the limit.
// The frames go to a hash map (DWStackMapName) under a hash of their
// addresses, which is the stack id, so a dw_ustack value is 8 bytes like
// every other stack, with the pid in its upper half.

// Names and sizes of the unwinding maps.
const (
	DWRowsMap      = "dw_rows"
	DWMapsMap      = "dw_maps"
	DWRowSize      = 16
	DWMaxMappings  = 128
	DWMappingSize  = 32
	DWMapsValue    = 8 + DWMaxMappings*DWMappingSize
	dwRowSearches  = 24 // rows an object may have: 1<<24
	dwMapSearches  = 7  // log2(DWMaxMappings)
	dwStackEntries = 4096
)

// Rule kinds of a row.
const (
	DWUndefined = iota
	DWRSP
	DWRBP
	DWPLT
)

// dwRegs is the struct pt_regs dw_ustack starts from: the rows it
// follows are x86-64's (DWRSP, DWRBP), so it reads x86-64's registers
// whatever the probe; dwRegsRead is how much of the struct it reads.
var (
	dwRegs     = types.RegsAMD64
	dwRegsRead = int(dwRegs.SP) + 8
)

// DWNoDataWarning is the run-time warning of dw_ustack in a process
// without unwinding data.
const DWNoDataWarning = "No DWARF unwind data available for this process. Use -p or --dwarf-pid to name the processes to unwind."

// DWStackMapName is the hash map that holds dw_ustack frames of a limit.
func DWStackMapName(limit int) string { return fmt.Sprintf("dwstack_%d", limit) }

// dwStack unwinds the user stack with the DWARF rows and returns its id.
func (f *fn) dwStack(t *types.Type) val {
	p := f.c.prog.Spec
	if _, ok := p.Maps[DWRowsMap]; !ok {
		// The runtime sizes the rows array to the objects it loads.
		p.Maps[DWRowsMap] = &ebpf.MapSpec{Name: DWRowsMap, Type: ebpf.Array, KeySize: 4, ValueSize: DWRowSize, MaxEntries: 1}
		p.Maps[DWMapsMap] = &ebpf.MapSpec{Name: DWMapsMap, Type: ebpf.Hash, KeySize: 4, ValueSize: DWMapsValue, MaxEntries: 1024}
	}
	name := StackMapName(t)
	if _, ok := p.Maps[name]; !ok {
		p.Maps[name] = &ebpf.MapSpec{Name: name, Type: ebpf.LRUHash, KeySize: 4, ValueSize: uint32(8 * t.Len), MaxEntries: dwStackEntries}
	}

	// The state the iterations share, in scratch memory: pc, sp, bp, the
	// hash of the frames so far, the pid (the key of DWMapsMap), a key
	// slot, a slot to read user memory into, then the frames.
	st := f.allocScratch(7*8 + 8*t.Len)
	pcS, spS, bpS, hashS, pidS, keyS, tmpS, framesS := st, st.plus(8), st.plus(16), st.plus(24), st.plus(32), st.plus(40), st.plus(48), st.plus(56)
	f.zero(framesS, 8*t.Len)
	f.store(pidS, 8, f.aluImm(asm.RSh, f.pidTgid(), 32))
	f.store(hashS, 8, f.imm(-0x340d631b7bdddcdb)) // FNV-1a offset basis

	regs := f.allocScratch(dwRegsRead)
	task := f.call(asm.FnGetCurrentTaskBtf)
	f.call(asm.FnProbeReadKernel, f.addr(regs), f.imm(int64(dwRegsRead)), f.call(asm.FnTaskPtRegs, task))
	f.store(pcS, 8, f.load(regs.plus(int(dwRegs.IP)), 8))
	f.store(spS, 8, f.load(regs.plus(int(dwRegs.SP)), 8))
	f.store(bpS, 8, f.load(regs.plus(int(dwRegs.FP)), 8))

	cb := f.newCallback(f.pos)
	idx := cb.newReg()
	cb.prologue = append(cb.prologue, &inst{op: opArg, dst: idx, imm: 1})
	cb.unwindFrame(t.Len, idx, func(m mem) mem { return mem{base: cb.scrReg, off: m.off} },
		pcS, spS, bpS, hashS, pidS, keyS, tmpS, framesS)
	exit := cb.label()
	cb.mark(exit)
	cb.ret(1)
	fname := f.finishCallback(cb, exit, f.pos, 2)

	// A process whose mappings user space has not loaded (it is not one
	// of -p, -c or --dwarf-pid) cannot be unwound: a run-time warning
	// says so, and its stack is empty.
	at := f.pos
	unwind, done := f.label(), f.label()
	ms := f.call(asm.FnMapLookupElem, f.mapPtr(DWMapsMap), f.addr(pidS))
	f.emit(&inst{op: opJcc, a: ms, cc: asm.JNE, useImm: true, imm: 0, label: unwind})
	f.runtimeWarning(DWNoDataWarning, at)
	f.jmp(done)
	f.mark(unwind)
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: fname})
	f.call(asm.FnLoop, f.imm(int64(t.Len)), fp, f.imm(0), f.imm(0))
	f.mark(done)
	f.pos = at
	key := f.aluImm(asm.And, f.load(hashS, 8), 0x7fffffff)
	f.store(keyS, 4, key)
	f.call(asm.FnMapUpdateElem, f.mapPtr(name), f.addr(keyS), f.addr(framesS), f.imm(0))
	return val{t: t, r: f.stackID(t, key)}
}

// unwindFrame is the body of one bpf_loop iteration: it records frame
// idx and steps to its caller, returning 1 (stop) or 0 (go on). at moves
// a slot of the caller's scratch memory to the callback's base register.
func (f *fn) unwindFrame(limit int, idx vreg, at func(mem) mem, pcS, spS, bpS, hashS, pidS, keyS, tmpS, framesS mem) {
	stop := f.label()
	jcc := func(a vreg, cc asm.JumpOp, imm int64, l string) {
		f.emit(&inst{op: opJcc, a: a, cc: cc, useImm: true, imm: imm, label: l})
	}
	jcc(idx, asm.JGE, int64(limit), stop)
	pc := f.load(at(pcS), 8)
	jcc(pc, asm.JEq, 0, stop)
	slot := f.alu(asm.Add, f.addr(at(framesS)), f.aluImm(asm.LSh, idx, 3))
	f.store(mem{base: slot}, 8, pc)
	hash := f.aluImm(asm.Mul, f.alu(asm.Xor, f.load(at(hashS), 8), pc), 0x100000001b3) // FNV-1a prime
	f.store(at(hashS), 8, hash)

	// The process's mappings, and the last one that starts at or below pc.
	ms := f.call(asm.FnMapLookupElem, f.mapPtr(DWMapsMap), f.addr(at(pidS)))
	jcc(ms, asm.JEq, 0, stop)
	count := f.load(mem{base: ms}, 4)
	jcc(count, asm.JEq, 0, stop)
	jcc(count, asm.JGT, DWMaxMappings, stop)
	entry := func(i vreg) vreg {
		off := f.aluImm(asm.LSh, f.aluImm(asm.And, i, DWMaxMappings-1), 5)
		return f.aluImm(asm.Add, f.alu(asm.Add, ms, off), 8)
	}
	base := f.search(f.imm(0), count, pc, dwMapSearches, func(i vreg) vreg {
		return f.load(mem{base: entry(i)}, 8)
	})
	m := entry(base)
	jccReg := func(a, b vreg, cc asm.JumpOp, l string) {
		f.emit(&inst{op: opJcc, a: a, b: b, cc: cc, label: l})
	}
	jccReg(pc, f.load(mem{base: m}, 8), asm.JLT, stop)
	jccReg(pc, f.load(mem{base: m, off: 8}, 8), asm.JGE, stop)
	first := f.load(mem{base: m, off: 24}, 4)
	nrows := f.load(mem{base: m, off: 28}, 4)
	jcc(nrows, asm.JEq, 0, stop)
	// A caller's address is a return address, just after its call: the
	// row that matters is the call's.
	addr := f.alu(asm.Sub, pc, f.load(mem{base: m, off: 16}, 8))
	first0 := f.label()
	jcc(idx, asm.JEq, 0, first0)
	f.emit(&inst{op: opALU, dst: addr, a: addr, useImm: true, imm: 1, alu: asm.Sub})
	f.mark(first0)

	row := func(i vreg) vreg {
		f.store(at(keyS), 4, i)
		r := f.call(asm.FnMapLookupElem, f.mapPtr(DWRowsMap), f.addr(at(keyS)))
		jcc(r, asm.JEq, 0, stop)
		return r
	}
	r := row(f.search(first, nrows, addr, dwRowSearches, func(i vreg) vreg {
		return f.load(mem{base: row(i)}, 8)
	}))
	jccReg(f.load(mem{base: r}, 8), addr, asm.JGT, stop)
	kind := f.load(mem{base: r, off: 14}, 1)
	cfaOff := f.narrow(f.load(mem{base: r, off: 8}, 4), 4, true)
	bpOff := f.narrow(f.load(mem{base: r, off: 12}, 2), 2, true)

	cfa := f.newReg()
	rsp, rbp, plt, got := f.label(), f.label(), f.label(), f.label()
	jcc(kind, asm.JEq, DWRSP, rsp)
	jcc(kind, asm.JEq, DWRBP, rbp)
	jcc(kind, asm.JEq, DWPLT, plt)
	f.jmp(stop)
	f.mark(rsp)
	f.emit(&inst{op: opALU, dst: cfa, a: f.load(at(spS), 8), b: cfaOff, alu: asm.Add})
	f.jmp(got)
	f.mark(rbp)
	f.emit(&inst{op: opALU, dst: cfa, a: f.load(at(bpS), 8), b: cfaOff, alu: asm.Add})
	f.jmp(got)
	f.mark(plt)
	// In a PLT entry the push of the entry's index moves the CFA by 8 from
	// byte T of the 16-byte entry on, and the row's offset is 16 - T:
	// CFA = rsp + 8 + (((pc & 15) + 16 - T) >> 4) * 8.
	late := f.aluImm(asm.LSh, f.aluImm(asm.RSh, f.alu(asm.Add, f.aluImm(asm.And, pc, 15), cfaOff), 4), 3)
	f.emit(&inst{op: opALU, dst: cfa, a: f.aluImm(asm.Add, f.load(at(spS), 8), 8), b: late, alu: asm.Add})
	f.mark(got)

	readUser := func(from vreg) vreg {
		return f.call(asm.FnProbeReadUser, f.addr(at(tmpS)), f.imm(8), from)
	}
	jcc(readUser(f.aluImm(asm.Sub, cfa, 8)), asm.JNE, 0, stop)
	ra := f.load(at(tmpS), 8)
	keepBP := f.label()
	jcc(bpOff, asm.JEq, 0, keepBP)
	jcc(readUser(f.alu(asm.Add, cfa, bpOff)), asm.JNE, 0, keepBP)
	f.store(at(bpS), 8, f.load(at(tmpS), 8))
	f.mark(keepBP)
	f.store(at(spS), 8, cfa)
	f.store(at(pcS), 8, ra)
	f.ret(0)
	f.mark(stop)
	f.ret(1)
}

// search returns the last index i in [first, first+n) whose key(i) is
// at or below x (first itself when none is), for n up to 1<<steps. The
// loop is unrolled and free of branches: the step taken is multiplied by
// the comparison's 0 or 1, so the verifier walks it once.
func (f *fn) search(first, n, x vreg, steps int, key func(i vreg) vreg) vreg {
	base := f.newReg()
	f.emit(&inst{op: opMov, dst: base, a: first})
	length := f.newReg()
	f.emit(&inst{op: opMov, dst: length, a: n})
	for range steps {
		half := f.aluImm(asm.RSh, length, 1)
		k := key(f.alu(asm.Add, base, half))
		f.emit(&inst{op: opALU, dst: base, a: base, b: f.alu(asm.Mul, half, f.atOrBelow(k, x)), alu: asm.Add})
		f.emit(&inst{op: opALU, dst: length, a: length, b: half, alu: asm.Sub})
	}
	return base
}

// atOrBelow is 1 when k <= x (unsigned) and 0 otherwise, without a
// branch: the borrow out of x - k is the top bit of
// (^x & k) | (^(x ^ k) & (x - k)).
func (f *fn) atOrBelow(k, x vreg) vreg {
	notX := f.aluImm(asm.Xor, x, -1)
	a := f.alu(asm.And, notX, k)
	b := f.alu(asm.And, f.aluImm(asm.Xor, f.alu(asm.Xor, x, k), -1), f.alu(asm.Sub, x, k))
	borrow := f.aluImm(asm.RSh, f.alu(asm.Or, a, b), 63)
	return f.aluImm(asm.Xor, borrow, 1)
}
