package codegen

import (
	"math"
	"slices"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
)

// Rematerialization.
//
// Reusing values (opt_cse.go, opt_stack.go) makes some of them live
// across helper calls, and a call keeps its values in the four
// callee-saved registers r6-r9 only: a fifth must be spilled to the stack
// and loaded back. Some values cost less to compute again than to keep:
// a constant, an address on the stack (fp + off), a map's address (lddw),
// the answer of a helper that answers the same throughout a run (pid and
// tid from get_current_pid_tgid), and a few arithmetic operations on
// those (the pid's >> 32). Where a call must keep more than four values,
// rematerialize picks as few of them as bring every call down to three,
// cheapest first, and gives each use of them that a call separates from
// their definition a computation of its own, just before it. The
// definition then dies before the calls; the uses next to it (in its
// block, up to the next call) keep reading it.
//
// Three, not four: the allocator gives each value the one interval from
// its first definition to its last use (regalloc.go), which may span a
// call the value is not live across, so a program whose calls keep four
// values may still spill. With one register to spare it seldom does; the
// caller allocates the program as written when it does all the same.

// rematKeep is how many values rematerialize leaves a call keeping.
const rematKeep = 3

// maxRematDepth bounds the instructions a value is computed again with.
const maxRematDepth = 3

// callKeeps is what the calls of a program keep (live after the call, not
// its result): the most values one keeps, and the values of each call
// that keeps more than rematKeep.
type callKeeps struct {
	most int
	over [][]vreg
}

func (k *callKeeps) add(vals []vreg) {
	k.most = max(k.most, len(vals))
	if len(vals) > rematKeep {
		k.over = append(k.over, slices.Clone(vals))
	}
}

// rematPlan is how to compute a value again: instructions in order, the
// last defining the value, each reading only registers the ones before
// it define (or the frame pointer).
type rematPlan []*inst

// cost is what the plan costs, in instruction slots, with one more for
// each helper call (it takes r1-r5 from the values around it).
func (p rematPlan) cost() int {
	c := 0
	for _, in := range p {
		switch {
		case in.op == opMapPtr || in.op == opMapValue:
			c += 2 // lddw
		case in.op == opMovImm && (in.imm < math.MinInt32 || in.imm > math.MaxInt32):
			c += 2
		case in.op == opCall:
			c += 2
		default:
			c++
		}
	}
	return c
}

// rematerializer finds the plans of a program's registers.
type rematerializer struct {
	code  []*inst
	defs  []int32 // definitions of each register
	defAt []int32 // where the one there is, is
	plans map[vreg]rematPlan
}

func newRematerializer(code []*inst, nregs int) *rematerializer {
	r := &rematerializer{code: code, defs: make([]int32, nregs), defAt: make([]int32, nregs), plans: map[vreg]rematPlan{}}
	for i, in := range code {
		if d := in.def(); d != 0 {
			r.defs[d]++
			r.defAt[d] = int32(i)
		}
	}
	return r
}

// plan returns how to compute v again anywhere, or nil.
func (r *rematerializer) plan(v vreg) rematPlan {
	if p, ok := r.plans[v]; ok {
		return p
	}
	p := r.planAt(v, maxRematDepth)
	r.plans[v] = p
	return p
}

func (r *rematerializer) planAt(v vreg, depth int) rematPlan {
	if depth == 0 || v == 0 || int(v) >= len(r.defs) || r.defs[v] != 1 {
		return nil
	}
	in := r.code[r.defAt[v]]
	switch in.op {
	case opMovImm, opStackAddr, opMapPtr, opMapValue:
		return rematPlan{in}
	case opCall:
		if in.kfunc == 0 && in.callee == "" && len(in.args) == 0 && invariantHelpers[in.fn] {
			return rematPlan{in}
		}
		return nil
	case opALU:
		if in.a == fpReg && !(in.useImm && in.alu == asm.Add) {
			return nil
		}
	case opNeg, opSwap, opMov:
	default:
		return nil
	}
	// an operation on values that can be computed again
	var p rematPlan
	var buf [2]vreg
	for _, u := range in.operands(&buf) {
		if u == 0 || u == fpReg {
			continue
		}
		up := r.planAt(u, depth-1)
		if up == nil {
			return nil
		}
		p = append(p, up...)
	}
	return append(p, in)
}

// emit appends to out the computation of v by its plan, in fresh
// registers, at pos, and returns the register holding v.
func (r *rematerializer) emit(out []*inst, v vreg, nregs *int, pos *lang.Pos) ([]*inst, vreg) {
	fresh := map[vreg]vreg{}
	var last vreg
	for _, in := range r.plan(v) {
		c := *renameUses(in, func(u vreg) vreg {
			if f, ok := fresh[u]; ok {
				return f
			}
			return u
		})
		*nregs++
		last = vreg(*nregs - 1)
		fresh[in.dst] = last
		c.dst, c.pos = last, pos
		out = append(out, &c)
	}
	return out, last
}

// rematerialize returns code with the values it picks computed again at
// their uses across calls (keeps are code's calls, splitCallResults),
// the most values a call of the result keeps by its count (a helper it
// calls again is not counted), and whether it changed anything.
func rematerialize(code []*inst, nregs *int, keeps callKeeps) ([]*inst, int, bool) {
	r := newRematerializer(code, *nregs)
	picked := make([]bool, *nregs)
	any := false
	var remats []vreg
	for _, vals := range keeps.over {
		need := len(vals) - rematKeep
		remats = remats[:0]
		for _, v := range vals {
			switch {
			case picked[v]:
				need--
			case r.plan(v) != nil:
				remats = append(remats, v)
			}
		}
		slices.SortStableFunc(remats, func(a, b vreg) int { return r.plan(a).cost() - r.plan(b).cost() })
		for _, v := range remats {
			if need <= 0 {
				break
			}
			picked[v], any = true, true
			need--
		}
	}
	if !any {
		return code, keeps.most, false
	}
	most := rematKeep
	for _, vals := range keeps.over {
		n := len(vals)
		for _, v := range vals {
			if picked[v] {
				n--
			}
		}
		most = max(most, n)
	}
	// near[d]: the last instruction that reads in place the value the
	// instruction at d defines: the first call after d in its block, or
	// the block's last instruction.
	near := map[int]int{}
	for v, p := range picked {
		if !p {
			continue
		}
		d := int(r.defAt[v])
		end := d + 1
		for end < len(code) {
			op := code[end].op
			if op == opLabel {
				end--
				break
			}
			if op == opCall || op == opJmp || op == opJcc || op == opExit {
				break
			}
			end++
		}
		near[d] = min(end, len(code)-1)
	}
	result := make([]*inst, 0, len(code)+8)
	for u, in := range code {
		var fresh map[vreg]vreg
		in.eachUse(func(v vreg) {
			if int(v) >= len(picked) || !picked[v] {
				return
			}
			if d := int(r.defAt[v]); u > d && u <= near[d] {
				return // read in place
			}
			if _, ok := fresh[v]; ok {
				return
			}
			if fresh == nil {
				fresh = map[vreg]vreg{}
			}
			result, fresh[v] = r.emit(result, v, nregs, in.pos)
		})
		if fresh != nil {
			in = renameUses(in, func(v vreg) vreg {
				if f, ok := fresh[v]; ok {
					return f
				}
				return v
			})
		}
		result = append(result, in)
	}
	return dropUnread(result, *nregs, picked), most, true
}

// dropUnread removes the definitions of the picked registers that
// nothing reads any more, and then those of the registers only the
// removed ones read.
func dropUnread(code []*inst, nregs int, picked []bool) []*inst {
	reads := make([]int32, nregs)
	defs := make([]int32, nregs)
	defAt := make([]int32, nregs)
	for i, in := range code {
		in.eachUse(func(v vreg) { reads[v]++ })
		if d := in.def(); d != 0 {
			defs[d]++
			defAt[d] = int32(i)
		}
	}
	gone := make([]bool, len(code))
	var work []vreg
	for v, p := range picked {
		if p && reads[v] == 0 && defs[v] == 1 {
			work = append(work, vreg(v))
		}
	}
	any := false
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		i := defAt[v]
		in := code[i]
		if gone[i] || in.sideEffects() {
			continue
		}
		gone[i], any = true, true
		in.eachUse(func(u vreg) {
			if reads[u]--; reads[u] == 0 && defs[u] == 1 {
				work = append(work, u)
			}
		})
	}
	if !any {
		return code
	}
	kept := code[:0]
	for i, in := range code {
		if !gone[i] {
			kept = append(kept, in)
		}
	}
	return kept
}
