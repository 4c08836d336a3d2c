package codegen

import (
	"sort"

	"github.com/cilium/ebpf/asm"
)

// Stack memory: forwarded loads and dead stores.
//
// Values are often built in one stack slot and copied to another: a
// tracepoint's char array read into a temporary, then copied into a map
// key; a key zeroed, then written. Two rewrites remove that traffic before
// values are reused (opt_cse.go), which then propagates the copies:
//
//   - Forwarding: within a basic block, an 8-byte load of a stack slot the
//     block last wrote with an 8-byte store of register v becomes a copy of
//     v, when nothing since may have written the slot (a store that
//     overlaps it, a store through a pointer that may point to the stack,
//     a call) and v still holds that value.
//   - Dead stores: a store to a stack allocation (emit.go's alloc) whose
//     address is never taken (no helper or pointer can reach it) and whose
//     bytes no load reads is removed; so is a store whose bytes a later
//     store of the same block, or a helper that fills a buffer whatever
//     happens (helperFills), overwrites before anything may read them.
//
// Forwarding runs before values are reused, so that the copies it makes
// propagate; dead stores after, when the helper calls values reuse has
// removed no longer separate a store from the one that overwrites it.
func (f *fn) reuseMemoryAndValues(code []*inst) []*inst {
	code = reuseValues(forwardStackLoads(code, f.scrReg))
	if merged := f.mergeKeySlots(code); len(merged) < len(code) {
		code = reuseValues(merged)
	}
	return f.deadStackStores(code)
}

type stackSlot struct {
	off  int32
	size int
}

func (s stackSlot) overlaps(o stackSlot) bool {
	return s.off < o.off+int32(o.size) && o.off < s.off+int32(s.size)
}

// stackAccess returns the stack bytes in touches through the frame
// pointer: loads and stores (not atomic ones) based on fp.
func stackAccess(in *inst) (stackSlot, bool) {
	switch in.op {
	case opLoad, opStore, opStoreImm:
		if in.a == fpReg && !in.atomic {
			return stackSlot{in.off, sizeBytes(in.size)}, true
		}
	}
	return stackSlot{}, false
}

func sizeBytes(s asm.Size) int {
	switch s {
	case asm.Byte:
		return 1
	case asm.Half:
		return 2
	case asm.Word:
		return 4
	}
	return 8
}

func forwardStackLoads(code []*inst, scr vreg) []*inst {
	type known struct {
		slot stackSlot
		v    vreg
	}
	var held []known
	forget := func(keep func(known) bool) {
		k := held[:0]
		for _, h := range held {
			if keep(h) {
				k = append(k, h)
			}
		}
		held = k
	}
	out := make([]*inst, 0, len(code))
	for _, in := range code {
		switch in.op {
		case opLabel, opJmp, opJcc, opExit, opCall:
			held = held[:0]
		}
		if s, ok := stackAccess(in); ok {
			if in.op == opLoad && s.size == 8 {
				for _, h := range held {
					if h.slot == s {
						in = &inst{op: opMov, dst: in.dst, a: h.v, pos: in.pos}
						break
					}
				}
			} else if in.op != opLoad {
				forget(func(h known) bool { return !h.slot.overlaps(s) })
			}
			if in.op == opStore && s.size == 8 && in.b != in.a {
				held = append(held, known{s, in.b})
			}
		} else if (in.op == opStore || in.op == opStoreImm || in.op == opFetch) && in.a != scr {
			held = held[:0] // a pointer that may point to the stack
		}
		if d := in.def(); d != 0 {
			forget(func(h known) bool { return h.v != d })
		}
		out = append(out, in)
	}
	return out
}

func (f *fn) deadStackStores(code []*inst) []*inst {
	// the allocation each stack offset belongs to, and whether its
	// address is taken
	allocOf := func(off int32) int {
		for i, a := range f.stackAllocs {
			if off >= a.off && off < a.off+int32(a.size) {
				return i
			}
		}
		return -1
	}
	escaped := make([]bool, len(f.stackAllocs))
	var read frameBytes
	for _, in := range code {
		if s, ok := stackAccess(in); ok {
			if in.op == opLoad {
				read.add(s)
			}
			continue
		}
		uses := in.op == opStore && in.b == fpReg
		switch in.op {
		case opALU:
			uses = uses || in.a == fpReg || !in.useImm && in.b == fpReg
		case opMov, opLoad, opStore, opStoreImm, opFetch, opNeg, opSwap, opJcc, opExit:
			uses = uses || in.a == fpReg || in.b == fpReg
		case opCall:
			for _, a := range in.args {
				uses = uses || a == fpReg
			}
		case opStackAddr:
			uses = true
		}
		if !uses {
			continue
		}
		var off int32
		switch {
		case in.op == opStackAddr:
			off = in.off
		case in.op == opALU && in.a == fpReg && in.useImm:
			off = int32(in.imm)
		default:
			return code // an address of the stack we cannot place
		}
		// The code generator takes addresses inside an allocation (its
		// start, or a member's) and reaches only that allocation through
		// them; an address outside every allocation is a fixed slot (the
		// scratch map's key), which reaches none.
		if i := allocOf(off); i >= 0 {
			escaped[i] = true
		}
	}
	dead := make([]bool, len(code))
	for i, in := range code {
		s, ok := stackAccess(in)
		if !ok || in.op == opLoad {
			continue
		}
		a := allocOf(s.off)
		if a < 0 || escaped[a] {
			continue
		}
		dead[i] = !read.any(s)
	}
	// overwritten within the block before anything may read them
	filled := helperFills(code)
	var later []stackSlot
	for i := len(code) - 1; i >= 0; i-- {
		in := code[i]
		s, ok := stackAccess(in)
		if fill, ok := filled[i]; ok {
			if in.fn != asm.FnGetCurrentComm { // it reads no memory
				later = later[:0]
			}
			later = append(later, fill)
			continue
		}
		switch {
		case ok && in.op == opLoad:
			k := later[:0]
			for _, l := range later {
				if !l.overlaps(s) {
					k = append(k, l)
				}
			}
			later = k
		case ok:
			dead[i] = dead[i] || covered(s, later)
			later = append(later, s)
		case in.op == opLabel || in.op == opJmp || in.op == opJcc || in.op == opExit || in.op == opCall || in.op == opLoad || in.op == opFetch:
			later = later[:0]
		}
	}
	out := make([]*inst, 0, len(code))
	for i, in := range code {
		if !dead[i] {
			out = append(out, in)
		}
	}
	return out
}

// frameBytes is a set of the bytes of a frame (at negative offsets from
// fp, down to -maxStack); a slot outside it makes every byte a member.
type frameBytes struct {
	bits [maxStack / 64]uint64
	all  bool
}

func (b *frameBytes) add(s stackSlot) {
	if s.off < -maxStack || s.off+int32(s.size) > 0 {
		b.all = true
		return
	}
	for o := s.off + maxStack; o < s.off+maxStack+int32(s.size); o++ {
		b.bits[o/64] |= 1 << (o % 64)
	}
}

// any tells whether one of s's bytes may be in the set (a slot outside
// the frame may).
func (b *frameBytes) any(s stackSlot) bool {
	if b.all || s.off < -maxStack || s.off+int32(s.size) > 0 {
		return true
	}
	for o := s.off + maxStack; o < s.off+maxStack+int32(s.size); o++ {
		if b.bits[o/64]&(1<<(o%64)) != 0 {
			return true
		}
	}
	return false
}

// helperFills finds the calls of helpers that write every byte of a
// buffer on the stack whatever happens (bpf_get_current_comm pads with
// zeros; the probe_read helpers clear the buffer when the read fails), at
// an address and of a size the code states as constants.
func helperFills(code []*inst) map[int]stackSlot {
	// the calls, and the registers of their buffers and sizes
	type def struct {
		n   int // definitions
		off int32
		imm int64
		ok  bool // the one definition is fp + off or a constant
	}
	var calls []int
	regs := map[vreg]*def{}
	for i, in := range code {
		if in.op != opCall || in.kfunc != 0 || in.callee != "" || len(in.args) < 2 {
			continue
		}
		switch in.fn {
		case asm.FnGetCurrentComm, asm.FnProbeReadKernel, asm.FnProbeReadUser:
			calls = append(calls, i)
			regs[in.args[0]], regs[in.args[1]] = &def{}, &def{}
		}
	}
	if len(calls) == 0 {
		return nil
	}
	for _, in := range code {
		r := regs[in.def()]
		if r == nil {
			continue
		}
		r.n++
		switch {
		case in.op == opALU && in.alu == asm.Add && in.a == fpReg && in.useImm:
			r.off, r.ok = int32(in.imm), true
		case in.op == opMovImm:
			r.imm, r.ok = in.imm, true
		}
	}
	fills := map[int]stackSlot{}
	for _, i := range calls {
		buf, size := regs[code[i].args[0]], regs[code[i].args[1]]
		if buf.n == 1 && buf.ok && buf.off < 0 && size.n == 1 && size.ok && size.off == 0 && size.imm > 0 && size.imm <= 512 {
			fills[i] = stackSlot{buf.off, int(size.imm)}
		}
	}
	return fills
}

// mergeKeySlots lets a stack slot stand for a later one that holds the
// same value: a map key built again (@start[tid] in a predicate, read and
// deleted in the body) uses the first slot, and its store goes. Both are
// 8-byte allocations written once, with the same register of a single
// definition; the first one's store comes before every use of the
// second on every path (the function jumps only forward, and no jump
// from before the store lands between it and those uses); and the first
// one's address goes only to map helpers, which read the key and value
// they are given.
func (f *fn) mergeKeySlots(code []*inst) []*inst {
	seen := map[string]bool{} // the labels before
	for _, in := range code {
		switch in.op {
		case opLabel:
			seen[in.label] = true
		case opJmp, opJcc:
			if seen[in.label] {
				return code // a backward jump
			}
		}
	}
	n := f.nregs
	for _, in := range code {
		n = max(n, int(in.def())+1)
	}
	defs := make([]int32, n) // definitions of each register
	for _, in := range code {
		if d := in.def(); d != 0 {
			defs[d]++
		}
	}
	type slotInfo struct {
		store   int    // the one store's index, or -1 (none, or more)
		addrs   []vreg // registers holding its address
		uses    []int  // instructions using those registers
		readers bool   // every use is a map helper's key or value
	}
	slots := map[int32]*slotInfo{}
	for _, a := range f.stackAllocs {
		if a.size == 8 {
			slots[a.off] = &slotInfo{store: -1, readers: true}
		}
	}
	stores := map[int32]int{}
	for i, in := range code {
		if s, ok := stackAccess(in); ok {
			if in.op == opLoad {
				delete(slots, s.off)
				continue
			}
			if si := slots[s.off]; si != nil && s.size == 8 && in.op == opStore {
				si.store = i
			}
			stores[s.off]++
			continue
		}
		if in.op == opALU && in.a == fpReg && in.useImm && in.alu == asm.Add {
			if si := slots[int32(in.imm)]; si != nil {
				if defs[in.dst] != 1 {
					si.readers = false
				}
				si.addrs = append(si.addrs, in.dst)
			}
		}
	}
	addrOf := map[vreg]int32{}
	for off, si := range slots {
		if stores[off] != 1 {
			si.store = -1
		}
		for _, a := range si.addrs {
			addrOf[a] = off
		}
	}
	for i, in := range code {
		in.eachUse(func(u vreg) {
			off, ok := addrOf[u]
			if !ok {
				return
			}
			si := slots[off]
			si.uses = append(si.uses, i)
			if in.op != opCall || in.kfunc != 0 || in.callee != "" || in.args[0] == u {
				si.readers = false
				return
			}
			switch in.fn {
			case asm.FnMapLookupElem, asm.FnMapUpdateElem, asm.FnMapDeleteElem, asm.FnMapLookupPercpuElem:
			default:
				si.readers = false
			}
		})
	}
	// jumpsInto tells whether a jump before p lands in (p, q].
	jumpsInto := func(p, q int) bool {
		labels := map[string]bool{}
		for k := p + 1; k <= q; k++ {
			if code[k].op == opLabel {
				labels[code[k].label] = true
			}
		}
		for k := 0; k < p; k++ {
			if (code[k].op == opJmp || code[k].op == opJcc) && labels[code[k].label] {
				return true
			}
		}
		return false
	}
	moveTo := map[int32]int32{} // a slot's address -> the earlier slot's
	dead := map[int]bool{}
	var offs []int32
	for off := range slots {
		offs = append(offs, off)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] > offs[j] }) // in the order of allocation
	for _, b := range offs {
		sb := slots[b]
		if sb.store < 0 || !sb.readers || len(sb.uses) == 0 {
			continue
		}
		v := code[sb.store].b
		if defs[v] != 1 {
			continue
		}
		for _, a := range offs {
			sa := slots[a]
			if a == b || sa.store < 0 || !sa.readers || code[sa.store].b != v || moveTo[a] != 0 || sa.store > sb.store {
				continue
			}
			last := sb.uses[len(sb.uses)-1]
			if sb.uses[0] < sa.store || jumpsInto(sa.store, last) {
				continue
			}
			moveTo[b] = a
			dead[sb.store] = true
			break
		}
	}
	if len(moveTo) == 0 {
		return code
	}
	out := make([]*inst, 0, len(code))
	for i, in := range code {
		if dead[i] {
			continue
		}
		if in.op == opALU && in.a == fpReg && in.useImm && in.alu == asm.Add {
			if to, ok := moveTo[int32(in.imm)]; ok {
				c := *in
				c.imm = int64(to)
				in = &c
			}
		}
		out = append(out, in)
	}
	return out
}

// covered tells whether the slots of later together hold every byte of s.
func covered(s stackSlot, later []stackSlot) bool {
	for b := s.off; b < s.off+int32(s.size); b++ {
		in := false
		for _, l := range later {
			if l.off <= b && b < l.off+int32(l.size) {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}
