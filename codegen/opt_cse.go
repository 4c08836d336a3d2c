package codegen

import (
	"slices"
	"sync"

	"github.com/cilium/ebpf/asm"
)

// Common subexpressions and copies.
//
// reuseValues is a forward "available values" dataflow over the basic
// blocks. A value is available at a point when every path there computed
// it into a register that nothing has written since:
//
//   - the result of a helper that answers the same during one run of a
//     program (pid and tid, uid and gid, the CPU, the task): a body that
//     names pid three times calls get_current_pid_tgid once;
//   - an arithmetic operation on registers (and an immediate), such as
//     the pid's `>> 32`;
//   - a load from the context (args.ret in a filter and again in the
//     body), with no helper call or store to memory but the stack in
//     between;
//   - a copy (d = s): later reads of d read s instead, so the copy dies.
//
// A repeated computation becomes a move from the register that holds it.
// Helpers whose answer moves (nsecs, random numbers) or that write memory
// are never merged, nor loads from other memory, which stores may change.

// invariantHelpers are the helpers whose result cannot change during one
// run of a program.
var invariantHelpers = map[asm.BuiltinFunc]bool{
	asm.FnGetCurrentPidTgid:  true,
	asm.FnGetCurrentUidGid:   true,
	asm.FnGetSmpProcessorId:  true,
	asm.FnGetCurrentTask:     true,
	asm.FnGetCurrentTaskBtf:  true,
	asm.FnGetCurrentCgroupId: true,
}

// valueKey names a computation by its operation and operands. It holds
// no pointer (a map is named by its number in regs.refs), so the states
// of the analysis are plain memory.
type valueKey struct {
	fn     asm.BuiltinFunc
	a, b   int32 // vregs
	ref    int32
	imm    int64
	alu    asm.ALUOp
	op     uint8 // an op
	size   asm.Size
	useImm bool
}

// pureKey gives the key of in's result when in computes it from its
// operands alone. r.ctx holds the registers of the context pointer, whose
// memory only helper calls and stores through pointers may change.
func pureKey(in *inst, r *regs) (valueKey, bool) {
	switch in.op {
	case opLoad:
		return valueKey{op: uint8(opLoad), size: in.size, a: int32(in.a), imm: int64(in.off)}, r.ctx.has(in.a) && in.dst != in.a
	case opCall:
		if in.kfunc == 0 && in.callee == "" && len(in.args) == 0 && in.dst != 0 && invariantHelpers[in.fn] {
			return valueKey{op: uint8(opCall), fn: in.fn}, true
		}
	case opALU:
		k := valueKey{op: uint8(opALU), alu: in.alu, a: int32(in.a), useImm: in.useImm, imm: in.imm}
		if !in.useImm {
			k.b, k.imm = int32(in.b), 0
		}
		// (an address on the stack kept in a register costs one move
		// where it is used again, computing it again two)
		return k, in.dst != in.a && (in.useImm || in.dst != in.b)
	case opMapPtr, opMapValue:
		// a map's address: kept in a register, a move (lddw is two
		// instruction slots)
		return valueKey{op: uint8(in.op), ref: r.ref(in.ref), imm: int64(in.off)}, true
	case opNeg:
		return valueKey{op: uint8(opNeg), a: int32(in.a)}, in.dst != in.a
	case opSwap:
		return valueKey{op: uint8(opSwap), a: int32(in.a), imm: in.imm}, in.dst != in.a
	}
	return valueKey{}, false
}

// maxAvailable bounds the values and the copies available at one point,
// so that the analysis costs O(n) for a program of n instructions:
// forgetting a value is always safe.
const maxAvailable = 16

type valueEntry struct {
	k valueKey
	v int32 // vreg
}

type copyEntry struct{ d, s int32 } // d = s (vregs)

// available is the state of the dataflow at one point: small arrays,
// copied by value.
type available struct {
	vals   [maxAvailable]valueEntry
	nv     int
	copies [maxAvailable]copyEntry
	nc     int
}

func (a *available) val(k valueKey) (vreg, bool) {
	for _, e := range a.vals[:a.nv] {
		if e.k == k {
			return vreg(e.v), true
		}
	}
	return 0, false
}

func (a *available) copyOf(d vreg) (vreg, bool) {
	for _, e := range a.copies[:a.nc] {
		if e.d == int32(d) {
			return vreg(e.s), true
		}
	}
	return 0, false
}

// keepVals keeps the values keep accepts; keepCopies the copies.
func (a *available) keepVals(keep func(valueEntry) bool) {
	a.nv = filterInPlace(a.vals[:a.nv], keep)
}

func (a *available) keepCopies(keep func(copyEntry) bool) {
	a.nc = filterInPlace(a.copies[:a.nc], keep)
}

// filterInPlace moves the elements of s that keep accepts to its front
// and returns how many there are.
func filterInPlace[T any](s []T, keep func(T) bool) int {
	n := 0
	for _, e := range s {
		if keep(e) {
			s[n] = e
			n++
		}
	}
	return n
}

func (a *available) equal(b *available) bool {
	if b == nil || a.nv != b.nv || a.nc != b.nc {
		return false
	}
	for _, e := range a.vals[:a.nv] {
		if v, ok := b.val(e.k); !ok || v != vreg(e.v) {
			return false
		}
	}
	for _, e := range a.copies[:a.nc] {
		if s, ok := b.copyOf(vreg(e.d)); !ok || s != vreg(e.s) {
			return false
		}
	}
	return true
}

// meet keeps in a what b agrees with.
func (a *available) meet(b *available) {
	a.keepVals(func(e valueEntry) bool {
		v, ok := b.val(e.k)
		return ok && v == vreg(e.v)
	})
	a.keepCopies(func(e copyEntry) bool {
		s, ok := b.copyOf(vreg(e.d))
		return ok && s == vreg(e.s)
	})
}

// kill forgets what a write of d invalidates.
func (a *available) kill(d vreg) {
	r := int32(d)
	// (most writes invalidate nothing: look before moving entries, in
	// loops the compiler keeps free of calls)
	for i := range a.nv {
		if e := &a.vals[i]; e.v == r || e.k.a == r || e.k.b == r {
			a.keepVals(func(e valueEntry) bool { return e.v != r && e.k.a != r && e.k.b != r })
			break
		}
	}
	for i := range a.nc {
		if e := &a.copies[i]; e.d == r || e.s == r {
			a.keepCopies(func(e copyEntry) bool { return e.d != r && e.s != r })
			break
		}
	}
}

// regs are the registers of a function's entry values.
type regs struct {
	// entry are the registers of entry values (the context, callback
	// arguments): they are never copied through, as their register
	// choices are few and a longer life would spill them.
	entry regList
	ctx   regList // the registers of the context pointer
	// refs numbers the maps whose addresses the function takes
	refs map[string]int32
}

// ref returns the number of the map named name.
func (r *regs) ref(name string) int32 {
	n, ok := r.refs[name]
	if !ok {
		if r.refs == nil {
			r.refs = map[string]int32{}
		}
		n = int32(len(r.refs))
		r.refs[name] = n
	}
	return n
}

// regList is a set of a few registers.
type regList []vreg

func (l regList) has(v vreg) bool { return slices.Contains(l, v) }

// through moves a across in, which it rewrites: reads of copies read
// their sources, and a value available already is moved, not computed.
// It tells whether it changed in.
func (a *available) through(in *inst, r *regs) bool {
	changed := false
	src := func(v vreg) vreg {
		if s, ok := a.copyOf(v); ok {
			changed = changed || s != v
			return s
		}
		return v
	}
	switch in.op {
	case opFetch:
		// b must stay the destination
	case opCall:
		// (a new slice: the instruction's copies share the old one)
		for i, v := range in.args {
			if s := src(v); s != v {
				args := slices.Clone(in.args)
				for j := i; j < len(args); j++ {
					args[j] = src(args[j])
				}
				in.args = args
				break
			}
		}
	default:
		if in.a != 0 && in.a != fpReg {
			in.a = src(in.a)
		}
		if !in.useImm && in.b != 0 && in.b != fpReg {
			in.b = src(in.b)
		}
	}
	key, pure := pureKey(in, r)
	if pure {
		if v, ok := a.val(key); ok && v != in.dst {
			*in = inst{op: opMov, dst: in.dst, a: v, pos: in.pos}
			pure, changed = false, true
		}
	}
	// A helper may write the context, and so may a store (in program
	// types that allow it) through any pointer but the frame's.
	if in.op == opCall || (in.op == opStore || in.op == opStoreImm || in.op == opFetch) && in.a != fpReg {
		for i := range a.nv {
			if a.vals[i].k.op == uint8(opLoad) {
				a.keepVals(func(e valueEntry) bool { return e.k.op != uint8(opLoad) })
				break
			}
		}
	}
	d := in.def()
	if d == 0 {
		return changed
	}
	a.kill(d)
	switch {
	case pure && a.nv < maxAvailable:
		a.vals[a.nv] = valueEntry{key, int32(d)}
		a.nv++
	case in.op == opMov && in.a != d && in.a != fpReg && !r.entry.has(in.a) && a.nc < maxAvailable:
		a.copies[a.nc] = copyEntry{int32(d), int32(in.a)}
		a.nc++
	}
	return changed
}

// exitsPool keeps the block exit states of reuseValues between programs:
// most of the memory it needs (a state is some 800 bytes), and the same
// for every program.
var exitsPool = sync.Pool{New: func() any { return new([]available) }}

// reuseValues rewrites code: it returns a new list, where the
// instructions it rewrites are new ones and the others are code's.
func reuseValues(code []*inst) []*inst {
	out := slices.Clone(code)
	// rewrite rewrites out[i] as a's through does
	rewrite := func(a *available, i int, r *regs) {
		c := *out[i]
		if a.through(&c, r) {
			n := c
			out[i] = &n
		}
	}
	var r regs
	for _, in := range code {
		if (in.op == opArg || in.op == opCtx) && !r.entry.has(in.dst) {
			r.entry = append(r.entry, in.dst)
		}
		if in.op == opCtx && !r.ctx.has(in.dst) {
			r.ctx = append(r.ctx, in.dst)
		}
	}
	for _, in := range code {
		if d := in.def(); d != 0 && in.op != opCtx && r.ctx.has(d) {
			r.ctx = slices.DeleteFunc(r.ctx, func(v vreg) bool { return v == d }) // written again: not the context throughout
		}
	}
	g := newFlowGraph(out)
	defer g.release()
	preds := make([][]int, len(g.start))
	for b := range g.succ {
		for _, s := range g.succ[b].list() {
			preds[s] = append(preds[s], b)
		}
	}
	exit := make([]*available, len(g.start))
	// blockIn is the meet of b's predecessors' exits; false when none
	// has been reached yet.
	blockIn := func(b int, in *available) bool {
		*in = available{}
		if b == 0 {
			return true
		}
		reached := false
		for _, p := range preds[b] {
			switch {
			case exit[p] == nil:
			case !reached:
				*in = *exit[p]
				reached = true
			default:
				in.meet(exit[p])
			}
		}
		return reached
	}
	var in available
	if g.forward {
		// Without a jump backward, the blocks in order see their
		// predecessors' final exits: one pass finds the fixed point and
		// rewrites the code. A block whose one predecessor is the block
		// before it goes on from that block's state; only the exits
		// other blocks start from are kept.
		keep := make([]bool, len(g.start))
		kept := 0
		for b := range g.succ {
			for _, s := range g.succ[b].list() {
				keep[b] = keep[b] || s != b+1 || len(preds[s]) != 1
			}
			if keep[b] {
				kept++
			}
		}
		buf := exitsPool.Get().(*[]available)
		defer exitsPool.Put(buf)
		exits := slices.Grow((*buf)[:0], kept)
		*buf = exits
		prev := false // the block before was reached, and in is its exit
		for b := range g.start {
			goesOn := prev && len(preds[b]) == 1 && preds[b][0] == b-1
			prev = goesOn || blockIn(b, &in)
			if !prev {
				continue
			}
			for i := g.start[b]; i < g.end[b]; i++ {
				rewrite(&in, i, &r)
			}
			if keep[b] {
				exits = append(exits, in)
				exit[b] = &exits[len(exits)-1]
			}
		}
		return out
	}
	// The analysis runs on scratch copies of each block; any fixed point
	// is sound, and loops that keep it from settling leave the code as
	// it was.
	scratch := make([]inst, 0, 64)
	for sweep, changed := 0, true; changed; sweep++ {
		if sweep > 16 {
			return code
		}
		changed = false
		for b := range g.start {
			if !blockIn(b, &in) {
				continue
			}
			scratch = scratch[:0]
			for i := g.start[b]; i < g.end[b]; i++ {
				scratch = append(scratch, *out[i])
				in.through(&scratch[len(scratch)-1], &r)
			}
			if !in.equal(exit[b]) {
				if exit[b] == nil {
					exit[b] = new(available)
				}
				*exit[b] = in
				changed = true
			}
		}
	}
	for b := range g.start {
		if !blockIn(b, &in) {
			continue
		}
		for i := g.start[b]; i < g.end[b]; i++ {
			rewrite(&in, i, &r)
		}
	}
	return out
}
