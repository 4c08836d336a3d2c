package codegen

import (
	"fmt"
	"math/bits"
	"slices"
	"sync"

	"github.com/cilium/ebpf/asm"
)

// Register allocation.
//
//  1. Liveness: a backward dataflow over the basic blocks (liveness.go;
//     successors from fall-through, jumps and branches) to a fixed point,
//     so values live around loops are live over the whole loop.
//  2. Intervals: each virtual register occupies the instructions where it is
//     live on entry or defined; its interval is the hull of those. A value
//     used by an instruction and the value it defines overlap at that
//     instruction, so a two-address lowering (mov d, a; op d, b) never
//     clobbers an operand.
//  3. A value live across a helper call must sit in a callee-saved register
//     (r6-r9); any other value may use r1-r9 (r1-r5 first), and r0 where no
//     instruction over its interval writes r0 (r0Safe: no other call, no
//     division or shift the lowering routes through r0). A helper's
//     result takes r0 first when it may: it stays where the call left it,
//     with no move out. One that lives across a later call is split first
//     (splitCallResults): the uses before that call read it in r0, a move
//     keeps it in a callee-saved register for the rest.
//  4. Linear scan over intervals by start. When no register fits, the
//     interval that ends last (among the current one and the active ones it
//     could displace) is spilled: every definition is followed by a store to
//     its stack slot and every use is preceded by a reload into a fresh,
//     short-lived virtual register. Then allocation starts over; reload
//     registers are never spilled, so this ends.
type allocation struct {
	// reg is the register of each virtual register, by number; noReg
	// for one that has none (a dead value).
	reg []asm.Register
	// resultUsed tells, by instruction, whether a call's result is read.
	resultUsed []bool
	stackSize  int // bytes of stack including spill slots
}

// noReg marks a virtual register without a physical one.
const noReg = asm.Register(0xff)

// regOf returns v's register, and whether it has one.
func (al *allocation) regOf(v vreg) (asm.Register, bool) {
	if int(v) >= len(al.reg) || al.reg[v] == noReg {
		return 0, false
	}
	return al.reg[v], true
}

type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }
func (b bitset) has(v vreg) bool {
	return b[int(v)/64]&(1<<(uint(v)%64)) != 0
}
func (b bitset) set(v vreg)   { b[int(v)/64] |= 1 << (uint(v) % 64) }
func (b bitset) clear(v vreg) { b[int(v)/64] &^= 1 << (uint(v) % 64) }
func (b bitset) forEach(f func(vreg)) {
	for i, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			f(vreg(i*64 + t))
			w &^= 1 << uint(t)
		}
	}
}

// unreachable removes instructions that no path from the entry reaches
// (the kernel rejects programs that have any), labels no jump targets, and
// jumps to the label right after them. It repeats until nothing changes.
func unreachable(code []*inst) []*inst {
	at := map[string]int{}
	var reached, targeted []bool
	var work []int
	for {
		clear(at)
		for i, in := range code {
			if in.op == opLabel {
				at[in.label] = i
			}
		}
		reached = slices.Grow(reached[:0], len(code))[:len(code)]
		clear(reached)
		work = append(work[:0], 0)
		for len(work) > 0 {
			i := work[len(work)-1]
			work = work[:len(work)-1]
			for ; i < len(code) && !reached[i]; i++ {
				reached[i] = true
				in := code[i]
				if in.op == opJmp || in.op == opJcc {
					work = append(work, at[in.label])
				}
				if in.op == opJmp || in.op == opExit {
					break
				}
			}
		}
		// targeted is by the index of the label (the last of its name)
		targeted = slices.Grow(targeted[:0], len(code))[:len(code)]
		clear(targeted)
		for i, in := range code {
			if reached[i] && (in.op == opJmp || in.op == opJcc) {
				if j, ok := at[in.label]; ok {
					targeted[j] = true
				}
			}
		}
		var kept []*inst
		changed := false
		for i, in := range code {
			drop := !reached[i] || in.op == opLabel && !targeted[at[in.label]]
			if !drop && in.op == opJmp {
				// A jump to the next live label falls through instead.
				for j := i + 1; j < len(code); j++ {
					if !reached[j] {
						continue
					}
					if code[j].op != opLabel {
						break
					}
					if code[j].label == in.label {
						drop = true
						break
					}
				}
			}
			if drop {
				if !changed {
					kept = append(make([]*inst, 0, len(code)), code[:i]...)
				}
				changed = true
				continue
			}
			if changed {
				kept = append(kept, in)
			}
		}
		if !changed {
			return code
		}
		code = kept
	}
}

type interval struct {
	v          vreg // 0: no interval (the register occurs nowhere)
	start, end int
	crossCall  bool
	noSpill    bool
	// entry is the register an entry value (the context, a function's
	// argument) arrives in: the one register besides r6-r9 it may take.
	entry asm.Register
}

var (
	calleeSaved = []asm.Register{asm.R6, asm.R7, asm.R8, asm.R9}
	anyReg      = []asm.Register{asm.R1, asm.R2, asm.R3, asm.R4, asm.R5, asm.R6, asm.R7, asm.R8, asm.R9}
	// the pools of values that may take r0: a helper's result prefers
	// it, any other value takes it last
	r0First = append([]asm.Register{asm.R0}, anyReg...)
	r0Last  = append(append([]asm.Register(nil), anyReg...), asm.R0)
	// entryPools[r] is the pool of an entry value arriving in r
	entryPools = func() (p [asm.R6][]asm.Register) {
		for r := asm.R1; r < asm.R6; r++ {
			p[r] = append([]asm.Register{r}, calleeSaved...)
		}
		return p
	}()
)

// allocMem is allocate's working memory, reused from program to
// program (the result's arrays are not in it).
type allocMem struct {
	w       r0Writers
	ivs     []interval
	list    []*interval
	byStart []int32
}

var allocMems = sync.Pool{New: func() any { return new(allocMem) }}

// r0Writers counts, for each prefix of the code, the instructions that
// write r0 while other values live (calls, and two-address divisions,
// modulos and shifts by a register, which the lowering routes through
// r0), so that r0Safe answers for an interval at once.
type r0Writers struct {
	calls, alus []int32 // calls[i]: the calls in code[:i]; alus likewise
}

func (w *r0Writers) count(code []*inst) {
	w.calls = slices.Grow(w.calls[:0], len(code)+1)[:len(code)+1]
	w.alus = slices.Grow(w.alus[:0], len(code)+1)[:len(code)+1]
	var calls, alus int32
	for i, in := range code {
		w.calls[i], w.alus[i] = calls, alus
		switch in.op {
		case opCall:
			calls++
		case opALU:
			if !in.useImm && !commutative(in.alu) && in.alu != asm.Sub {
				alus++
			}
		}
	}
	w.calls[len(code)], w.alus[len(code)] = calls, alus
}

// allocate assigns physical registers, rewriting code with spills as
// needed. frame is the number of stack bytes already used by the function
// (below fp); spill slots go below them. It returns the final code.
func allocate(code []*inst, nregs *int, frame int, noSpill map[vreg]bool) ([]*inst, *allocation, error) {
	mem := allocMems.Get().(*allocMem)
	defer func() {
		clear(mem.list[:cap(mem.list)])
		allocMems.Put(mem)
	}()
	w, ivs, list, byStart := &mem.w, mem.ivs, mem.list, mem.byStart
	defer func() { mem.ivs, mem.list, mem.byStart = ivs, list, byStart }()
	for round := 0; ; round++ {
		if round > 64 {
			return nil, nil, fmt.Errorf("register allocation did not converge")
		}
		n := *nregs
		g := newFlowGraph(code)
		blockIn, blockOut := g.blockLiveness(n, false)
		ivs = slices.Grow(ivs[:0], n)[:n]
		clear(ivs)
		occupy := func(v vreg, i int) {
			iv := &ivs[v]
			if iv.v == 0 {
				*iv = interval{v: v, start: i, end: i, noSpill: noSpill[v]}
				return
			}
			iv.start = min(iv.start, i)
			iv.end = max(iv.end, i)
		}
		// A register's interval is the hull of the instructions where it
		// is live on entry or defined: within a block, those are its
		// uses and definitions, the block's first instruction when it is
		// live into the block and the last when it is live out of it.
		for b := range g.start {
			blockIn.at(b).forEach(func(v vreg) { occupy(v, g.start[b]) })
			blockOut.at(b).forEach(func(v vreg) { occupy(v, g.end[b]-1) })
		}
		for i, ins := range code {
			ins.eachUse(func(u vreg) { occupy(u, i) })
			if d := ins.def(); d != 0 {
				occupy(d, i)
			}
			if ins.op == opCtx || ins.op == opArg {
				// Entry registers are read from r1-r5 by moves that must
				// not overwrite each other's sources: an entry value stays
				// in the register it came in or goes to r6-r9.
				ivs[ins.dst].entry = asm.R1
				if ins.op == opArg {
					ivs[ins.dst].entry = asm.R0 + asm.Register(ins.imm)
				}
			}
		}
		resultUsed := make([]bool, len(code))
		g.forEachLive(blockOut, n, false, func(i int, live bitset) {
			ins := code[i]
			if ins.op != opCall {
				return
			}
			d := ins.def()
			resultUsed[i] = d != 0 && live.has(d)
			live.forEach(func(v vreg) {
				if v != d {
					ivs[v].crossCall = true
				}
			})
		})
		g.release()
		// A value that dies as a helper's argument prefers that
		// argument's register: the call then needs no move for it
		// (noReg: no preference).
		reg := make([]asm.Register, 2*n)
		prefer, reg := reg[n:], reg[:n]
		for v := range reg {
			reg[v], prefer[v] = noReg, noReg
		}
		for i, ins := range code {
			if ins.op != opCall {
				continue
			}
			for k, a := range ins.args {
				if int(a) < n && ivs[a].v != 0 && ivs[a].end == i {
					prefer[a] = asm.R1 + asm.Register(k)
				}
			}
		}
		// the intervals by start, then by register
		byStart = slices.Grow(byStart[:0], len(code)+1)[:len(code)+1]
		clear(byStart)
		count := 0
		for v := range ivs {
			if ivs[v].v != 0 {
				byStart[ivs[v].start+1]++
				count++
			}
		}
		for i := 1; i < len(byStart); i++ {
			byStart[i] += byStart[i-1]
		}
		list = slices.Grow(list[:0], count)[:count]
		for v := range ivs {
			if iv := &ivs[v]; iv.v != 0 {
				list[byStart[iv.start]] = iv
				byStart[iv.start]++
			}
		}
		w.count(code)

		var active []*interval
		var spill []bool
		for _, cur := range list {
			// Expire intervals that ended before cur starts. The source
			// operand of cur's defining move or ALU instruction may also
			// end exactly there: cur can then take over its register,
			// which makes the two-address lowering a single instruction.
			hint := twoAddressSource(code[cur.start], cur.start, cur.v, ivs)
			keep := active[:0]
			for _, a := range active {
				if a.end >= cur.start && a != hint {
					keep = append(keep, a)
				}
			}
			active = keep
			var used [asm.RFP + 1]bool
			for _, a := range active {
				used[reg[a.v]] = true
			}
			pool := anyReg
			switch {
			case cur.crossCall:
				pool = calleeSaved
			case cur.entry != 0:
				pool = entryPools[cur.entry]
			case w.r0Safe(code, cur):
				if code[cur.start].op == opCall && code[cur.start].dst == cur.v {
					// a helper's result stays where the helper left it
					pool = r0First
				} else {
					pool = r0Last
				}
			}
			if r := pool[0]; r == asm.R0 && !used[r] {
				reg[cur.v] = r
				active = append(active, cur)
				continue
			}
			if hint != nil {
				if r := reg[hint.v]; r != noReg && !used[r] && inPool(r, pool) {
					reg[cur.v] = r
					active = append(active, cur)
					continue
				}
			}
			if r := prefer[cur.v]; r != noReg && !used[r] && inPool(r, pool) {
				reg[cur.v] = r
				active = append(active, cur)
				continue
			}
			got := false
			for _, r := range pool {
				if !used[r] {
					reg[cur.v] = r
					active = append(active, cur)
					got = true
					break
				}
			}
			if got {
				continue
			}
			// Pick a victim: the interval ending last among cur and the
			// active intervals holding a register cur may use.
			victim := cur
			if cur.noSpill {
				victim = nil
			}
			for _, a := range active {
				if a.noSpill || !inPool(reg[a.v], pool) {
					continue
				}
				if victim == nil || a.end > victim.end {
					victim = a
				}
			}
			if victim == nil {
				return nil, nil, fmt.Errorf("out of registers at instruction %d", cur.start)
			}
			if spill == nil {
				spill = make([]bool, n)
			}
			spill[victim.v] = true
			if victim != cur {
				reg[cur.v] = reg[victim.v]
				reg[victim.v] = noReg
				for i, a := range active {
					if a == victim {
						active[i] = cur
					}
				}
			}
		}
		if spill == nil {
			return code, &allocation{reg: reg, resultUsed: resultUsed, stackSize: frame}, nil
		}
		code, frame = rewriteSpills(code, nregs, frame, spill, noSpill)
	}
}

// r0Safe tells whether the value of iv may live in r0: no instruction
// over its interval writes r0 while it is live. Calls do (their result),
// except the one defining the value and one reading it last as an
// argument; so does a two-address division, modulo or shift by a register
// whose destination is its second operand (lowered through r0, see lower).
// An exit writes r0 but ends its path, where the value is not live.
func (w *r0Writers) r0Safe(code []*inst, iv *interval) bool {
	if w.alus[iv.end+1] != w.alus[iv.start] {
		return false
	}
	calls := w.calls[iv.end+1] - w.calls[iv.start]
	if code[iv.end].op == opCall {
		calls--
	}
	if iv.start != iv.end && code[iv.start].op == opCall && code[iv.start].dst == iv.v {
		calls--
	}
	return calls == 0
}

// twoAddressSource returns the interval of the first operand of in when in
// defines v from it by a move or ALU operation and that operand's interval
// ends at in (and it is not also the second operand).
func twoAddressSource(in *inst, at int, v vreg, ivs []interval) *interval {
	if in.def() != v {
		return nil
	}
	switch in.op {
	case opMov, opNeg:
	case opALU:
		if !in.useImm && in.b == in.a {
			return nil
		}
	default:
		return nil
	}
	if int(in.a) >= len(ivs) {
		return nil
	}
	src := &ivs[in.a]
	if src.v == 0 || src.end != at {
		return nil
	}
	return src
}

func inPool(r asm.Register, pool []asm.Register) bool {
	for _, p := range pool {
		if p == r {
			return true
		}
	}
	return false
}

// rewriteSpills gives every spilled register a stack slot, stores it after
// each definition and reloads it before each use.
func rewriteSpills(code []*inst, nregs *int, frame int, spill []bool, noSpill map[vreg]bool) ([]*inst, int) {
	slot := make([]int32, len(spill))
	for v, s := range spill {
		if s {
			frame += 8
			slot[v] = int32(-frame)
		}
	}
	spilled := func(v vreg) bool { return int(v) < len(spill) && spill[v] }
	fresh := func() vreg {
		*nregs++
		v := vreg(*nregs - 1)
		noSpill[v] = true
		return v
	}
	outCode := make([]*inst, 0, len(code)+len(code)/4)
	type renamed struct{ from, to vreg }
	var rename []renamed
	for _, ins := range code {
		// Reload spilled operands.
		rename = rename[:0]
		ins.eachUse(func(u vreg) {
			if !spilled(u) {
				return
			}
			for _, r := range rename {
				if r.from == u {
					return
				}
			}
			t := fresh()
			rename = append(rename, renamed{u, t})
			outCode = append(outCode, &inst{op: opReload, dst: t, off: slot[u], pos: ins.pos})
		})
		d := ins.def()
		if len(rename) == 0 && (d == 0 || !spilled(d)) {
			outCode = append(outCode, ins)
			continue
		}
		n := renameUses(ins, func(v vreg) vreg {
			for _, r := range rename {
				if r.from == v {
					return r.to
				}
			}
			return v
		})
		var after *inst
		if d != 0 && spilled(d) {
			t := fresh()
			n.dst = t
			after = &inst{op: opSpill, a: t, off: slot[d], pos: ins.pos}
		}
		outCode = append(outCode, n)
		if after != nil {
			outCode = append(outCode, after)
		}
	}
	return outCode, frame
}

// splitCallResults lets a helper's result that lives across a later call
// be read from r0 until then: the call defines a fresh register, which
// the uses in the rest of its block before the next call read, and a move
// gives the old register the value for the uses after (it goes to a
// callee-saved register). The fresh one may take r0, so a use that ends
// it (a shift, a test) works in r0 instead of copying the saved value.
//
// It also tells what the calls keep (callKeeps): the moves it adds
// change no call's values but the name of a result, which the calls
// after its block keep as before.
func splitCallResults(code []*inst, nregs *int) ([]*inst, callKeeps) {
	defs := make([]int32, *nregs)
	for _, in := range code {
		if d := in.def(); d != 0 {
			defs[d]++
		}
	}
	// the results live across a later call
	crossing := newBitset(*nregs)
	var keeps callKeeps
	var vals []vreg
	g := newFlowGraph(code)
	_, blockOut := g.blockLiveness(*nregs, false)
	g.forEachLive(blockOut, *nregs, false, func(i int, live bitset) {
		if code[i].op != opCall {
			return
		}
		vals = vals[:0]
		live.forEach(func(v vreg) {
			if v != code[i].dst && v != fpReg {
				crossing.set(v)
				vals = append(vals, v)
			}
		})
		keeps.add(vals)
	})
	g.release()
	out := make([]*inst, 0, len(code)+len(code)/8)
	for i := 0; i < len(code); i++ {
		in := code[i]
		out = append(out, in)
		d := in.dst
		if in.op != opCall || d == 0 || defs[d] != 1 || !crossing.has(d) {
			continue
		}
		// the uses before the next call, within the block
		end := i + 1
		for end < len(code) && code[end].op != opCall && code[end].op != opLabel {
			end++
			if op := code[end-1].op; op == opJmp || op == opJcc || op == opExit {
				break
			}
		}
		early := false
		for k := i + 1; k < end; k++ {
			code[k].eachUse(func(u vreg) { early = early || u == d })
		}
		if !early {
			continue
		}
		*nregs++
		d0 := vreg(*nregs - 1)
		c := *in
		c.dst = d0
		out[len(out)-1] = &c
		out = append(out, &inst{op: opMov, dst: d, a: d0, pos: in.pos})
		for k := i + 1; k < end; k++ {
			out = append(out, renameUses(code[k], func(v vreg) vreg {
				if v == d {
					return d0
				}
				return v
			}))
		}
		i = end - 1
	}
	return out, keeps
}

// renameUses returns a copy of in that reads sub(v) for each register v
// it reads.
func renameUses(in *inst, sub func(vreg) vreg) *inst {
	c := *in
	switch c.op {
	case opCall:
		c.args = append([]vreg(nil), c.args...)
		for j := range c.args {
			c.args[j] = sub(c.args[j])
		}
	default:
		c.a = sub(c.a)
		if !c.useImm {
			c.b = sub(c.b)
		}
	}
	return &c
}
