package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// loopLabels are where break and continue go in the innermost loop.
type loopLabels struct{ next, end string }

func (f *fn) loop(next, end string, body *lang.Block) {
	f.loops = append(f.loops, loopLabels{next, end})
	f.block(body)
	f.loops = f.loops[:len(f.loops)-1]
}

// forMap compiles for ($kv : @m) { body } with bpf_for_each_map_elem: the
// body becomes a callback function. Variables of the enclosing scope that
// the body uses are handed over in scratch memory (which both frames see)
// and read back after the loop, so the body's changes persist.
func (f *fn) forMap(s *lang.ForStmt) {
	mm := f.mapMeta(s.Map)
	kvT := f.typeOf(s.Var)
	// bpf_for_each_map_elem calls fn(map, key, value, ctx)
	name, reload := f.loopCallback(s, 4, func(cb *fn) {
		keyReg, valReg := cb.newReg(), cb.newReg()
		cb.prologue = append(cb.prologue, &inst{op: opArg, dst: keyReg, imm: 2}, &inst{op: opArg, dst: valReg, imm: 3})
		kv := cb.allocScratch(kvT.Size)
		cb.zero(kv, kvT.Size)
		keyField, valField := kvT.Fields[0], kvT.Fields[1]
		cb.copyMem(kv.plus(keyField.Offset), mem{base: keyReg}, min(mm.KeySize, keyField.Type.Size))
		if mm.PerCPU {
			cb.store(kv.plus(valField.Offset), 8, cb.scalar(cb.aggMerge(mm, mem{base: keyReg}, valField.Type)))
		} else {
			// an integer narrower than its 8-byte slot: its low bytes
			cb.copyMem(kv.plus(valField.Offset), mem{base: valReg}, valField.Type.Size)
		}
		cb.vars[s.Var.Key()] = val{t: kvT, m: &kv}
	})
	f.pos = s.At
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: name})
	f.call(asm.FnForEachMapElem, f.mapPtr(mm.SpecName), fp, f.imm(0), f.imm(0))
	reload()
}

// forRange compiles for ($i : lo..hi) as bpf_loop(hi - lo, fn, ctx), as
// bpftrace does: the kernel verifies the body once, whatever the bounds.
func (f *fn) forRange(s *lang.ForStmt) {
	lo := f.scalar(f.expr(s.Lo))
	hi := f.scalar(f.expr(s.Hi))
	f.pos = s.At
	loSlot := f.allocScratch(8)
	f.store(loSlot, 8, lo)
	// bpf_loop calls fn(index, ctx); $i is lo + index
	name, reload := f.loopCallback(s, 2, func(cb *fn) {
		idx := cb.newReg()
		cb.prologue = append(cb.prologue, &inst{op: opArg, dst: idx, imm: 1})
		i := cb.alu(asm.Add, cb.load(mem{base: cb.scrReg, off: loSlot.off}, 8), idx)
		// lo + index lies between the bounds; $i's type is lo's, which
		// may not hold hi's values when they differ in sign only
		// ((int8)-3..(uint8)200): then $i wraps at its width
		t := f.typeOf(s.Var)
		if lt, ht := f.typeOf(s.Lo), f.typeOf(s.Hi); !types.FitsInt(lt, t) || !types.FitsInt(ht, t) {
			i = cb.narrow(i, t.Size, t.Signed)
		}
		cb.vars[s.Var.Key()] = val{t: t, r: i}
	})
	f.pos = s.At
	n := f.newReg()
	f.emit(&inst{op: opMovImm, dst: n, imm: 0})
	skip := f.label()
	f.emit(&inst{op: opJcc, a: lo, b: hi, cc: asm.JSGE, label: skip})
	f.emit(&inst{op: opALU, dst: n, a: hi, b: lo, alu: asm.Sub})
	f.mark(skip)
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: name})
	r := f.call(asm.FnLoop, n, fp, f.imm(0), f.imm(0))
	if !constantBounds(s) {
		f.countRefusedLoop(s.At, r)
	}
	reload()
}

// constantBounds tells whether both bounds of a for range are integer
// literals, which the checker held to bpf_loop's limit.
func constantBounds(s *lang.ForStmt) bool {
	_, lo := lang.Unparen(s.Lo).(*lang.IntLit)
	_, hi := lang.Unparen(s.Hi).(*lang.IntLit)
	return lo && hi
}

// countRefusedLoop counts, in a slot of the globals map of its own, the
// times bpf_loop refused the loop at at for asking more iterations than
// the kernel allows (r is -E2BIG): user space reports it
// (Program.LongLoops).
func (f *fn) countRefusedLoop(at lang.Pos, r vreg) {
	c := f.c
	off := GlobalsSize + 8*len(c.prog.Maps) + 8*len(c.prog.LongLoops)
	c.prog.LongLoops = append(c.prog.LongLoops, LongLoop{Off: off, Pos: at})
	// refused = (r == -7) in the low 32 bits (the kernel's inlined
	// bpf_loop sets the error with a 32-bit move), without a branch, as
	// mapUpdate counts
	x := f.aluImm(asm.LSh, f.aluImm(asm.Add, r, 7), 32)
	nx := f.newReg()
	f.emit(&inst{op: opNeg, dst: nx, a: x})
	refused := f.aluImm(asm.Xor, f.aluImm(asm.RSh, f.alu(asm.Or, x, nx), 63), 1)
	f.countGlobal(off, refused)
}

// loopCallback compiles the body of a for loop as a callback that a loop
// helper calls with nargs arguments; setup gives the callback its loop
// variable from them. The probe's variables the body uses are shared
// through scratch memory: copied there before the helper runs, written
// back by the callback, and read back by reload afterwards. The callback
// returns 0 to go on and 1 to stop (break).
func (f *fn) loopCallback(s *lang.ForStmt, nargs int, setup func(cb *fn)) (string, func()) {
	type shared struct {
		name string
		v    val
		slot mem
	}
	var shares []shared
	for _, name := range varsUsed(s.Body) {
		v, ok := f.vars[name]
		if !ok || name == s.Var.Key() {
			continue
		}
		sh := shared{name: name, v: v}
		switch {
		case v.m == nil:
			sh.slot = f.allocScratch(8)
			f.store(sh.slot, 8, v.r)
		case v.m.base == fpReg:
			sh.slot = f.allocScratch(v.t.Size)
			f.copyMem(sh.slot, *v.m, v.t.Size)
		default:
			sh.slot = *v.m
		}
		shares = append(shares, sh)
	}

	leave := f.allocScratch(8)
	f.storeImm(leave, 8, 0)
	cb := f.newCallback(s.At)
	cb.leaveFlag = &mem{base: cb.scrReg, off: leave.off}
	rebase := func(m mem) mem { return mem{base: cb.scrReg, off: m.off} }
	for _, sh := range shares {
		if sh.v.m == nil {
			cb.vars[sh.name] = val{t: sh.v.t, r: cb.load(rebase(sh.slot), 8)}
		} else {
			m := rebase(sh.slot)
			cb.vars[sh.name] = val{t: sh.v.t, m: &m}
		}
	}
	setup(cb)
	cont, stop, exit := cb.label(), cb.label(), cb.label()
	err := cb.catch(func() { cb.loop(cont, stop, s.Body) })
	if err != nil {
		panic(err)
	}
	writeBack := func(ret int64) {
		for _, sh := range shares {
			if sh.v.m == nil {
				cb.store(rebase(sh.slot), 8, cb.vars[sh.name].r)
			}
		}
		cb.ret(ret)
	}
	cb.pos = s.At
	cb.mark(cont)
	writeBack(0)
	cb.mark(stop)
	writeBack(1)
	cb.mark(exit)
	cb.ret(1)
	name := f.finishCallback(cb, exit, s.At, nargs)
	return name, func() {
		for _, sh := range shares {
			switch {
			case sh.v.m == nil:
				slot := f.near(sh.slot)
				f.emit(&inst{op: opLoad, dst: sh.v.r, a: slot.base, off: slot.off, size: asm.DWord})
			case sh.v.m.base == fpReg:
				f.copyMem(*sh.v.m, sh.slot, sh.v.t.Size)
			}
		}
		// return or exit() in the body ends the probe, returning what
		// the flag holds less one
		goOn := f.label()
		flag := f.load(leave, 8)
		f.emit(&inst{op: opJcc, a: flag, cc: asm.JEq, useImm: true, imm: 0, label: goOn})
		f.leaveWith(f.aluImm(asm.Add, flag, -1))
		f.mark(goOn)
	}
}

// callback is a compiled bpf-to-bpf function placed after its program.
type callback struct {
	insns     asm.Instructions
	positions Positions
	stack     int
}

// newCallback starts a bpf-to-bpf callback function: its scratch memory
// follows the caller's, and its code is added with finishCallback.
func (f *fn) newCallback(at lang.Pos) *fn {
	cb := &fn{c: f.c, ctx: f.ctx, nregs: 2, vars: map[string]val{}, noSpill: map[vreg]bool{}, root: f.root, scratch: f.scratch, frame: scratchKeySlot, insts: f.insts}
	cb.pos = at
	cb.scrReg = cb.newReg()
	return cb
}

// finishCallback allocates the callback's registers, places it after the
// program, and returns its name for opFuncPtr; exit is the label of its
// failure return and nargs the number of arguments the helper passes.
func (f *fn) finishCallback(cb *fn, exit string, at lang.Pos, nargs int) string {
	body := cb.code
	cb.code = cb.prologue
	insns, positions, stack, ferr := cb.finish(body, exit, at)
	if ferr != nil {
		panic(ferr)
	}
	f.root.ncallbacks++
	name := fmt.Sprintf("cb%d", f.root.ncallbacks)
	// The kernel wants BTF function info for every function of a program
	// that has callbacks.
	insns, positions = nameFunc(insns, positions, name, funcInfo(name, nargs))
	f.root.callbacks = append(f.root.callbacks, callback{insns, positions, stack})
	if cb.scratch > f.scratch {
		f.scratch = cb.scratch
	}
	return name
}

// varsUsed lists the $variables a block mentions, in first-use order.
func varsUsed(b *lang.Block) []string {
	var keys []string
	seen := map[string]bool{}
	lang.Inspect(b, func(n lang.Node) bool {
		if v, ok := n.(*lang.Var); ok && !seen[v.Key()] {
			seen[v.Key()] = true
			keys = append(keys, v.Key())
		}
		return true
	})
	return keys
}
