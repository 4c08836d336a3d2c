package codegen

import (
	"sync"

	"github.com/gotrace/gotrace/internal/reuse"
)

// Liveness on basic blocks.
//
// The instruction list is cut into basic blocks (a label starts one, a
// jump, branch or exit ends one), and the backward dataflow runs over the
// blocks to a fixed point: one live-in and one live-out set per block,
// not per instruction, so a program of n instructions and m virtual
// registers costs O(blocks·m/64 + n) per sweep instead of O(n·m/64).
// Passes that need the live set at each instruction walk a block
// backward from its live-out set (forEachLive).
//
// A program's passes build a graph and its sets many times, and the
// workers that finish programs finish a hundred of them for a large
// script: a graph's memory goes back to a pool when its pass is done
// with it (release), and the next graph is built in it.

// flowGraph is the basic blocks of a function's code.
type flowGraph struct {
	code  []*inst
	start []int   // first instruction of each block
	end   []int   // one past the last instruction of each block
	succ  []succs // successor blocks
	// forward: every successor comes after its block (no loop), so one
	// sweep in order, or backward for liveness, reaches the fixed point
	forward bool

	// the memory reused from graph to graph
	bounds            []int
	blockAt           map[string]int
	inBits, outBits   bitset
	live, forEachBits bitset
}

var flowGraphs = sync.Pool{New: func() any { return &flowGraph{blockAt: map[string]int{}} }}

// newFlowGraph cuts code into blocks. The caller releases the graph
// when it is done with it and with the sets blockLiveness returned.
func newFlowGraph(code []*inst) *flowGraph {
	g := flowGraphs.Get().(*flowGraph)
	g.code = code
	blocks := 1
	for _, in := range code {
		switch in.op {
		case opLabel:
			blocks++
		case opJmp, opJcc, opExit:
			blocks++
		}
	}
	blockAt := g.blockAt // label -> block
	clear(blockAt)
	bounds := reuse.Zeroed(&g.bounds, 2*blocks)
	g.start, g.end = bounds[:0:blocks], bounds[blocks:blocks:2*blocks]
	for i, in := range code {
		leader := i == 0 || in.op == opLabel
		if i > 0 {
			switch code[i-1].op {
			case opJmp, opJcc, opExit:
				leader = true
			}
		}
		if leader {
			if len(g.start) > 0 {
				g.end = append(g.end, i)
			}
			g.start = append(g.start, i)
		}
		if in.op == opLabel {
			blockAt[in.label] = len(g.start) - 1
		}
	}
	if len(code) > 0 {
		g.end = append(g.end, len(code))
	}
	g.succ = reuse.Zeroed(&g.succ, len(g.start))
	g.forward = true
	for b := range g.start {
		last := code[g.end[b]-1]
		next := b + 1
		s := &g.succ[b]
		switch last.op {
		case opExit:
		case opJmp:
			s.add(blockAt[last.label])
		case opJcc:
			s.add(next)
			s.add(blockAt[last.label])
		default:
			if next < len(g.start) {
				s.add(next)
			}
		}
		for _, t := range s.list() {
			g.forward = g.forward && t > b
		}
	}
	return g
}

// succs are the successors of a block: at most two.
type succs struct {
	n     int
	block [2]int
}

func (s *succs) add(b int) {
	s.block[s.n] = b
	s.n++
}

func (s *succs) list() []int { return s.block[:s.n] }

// step moves live from after ins to before it. With strong set, an
// instruction whose only effect is a definition nobody reads uses
// nothing (it is dead code), so the chains of values only dead code
// reads are dead too.
func step(live bitset, ins *inst, strong bool) {
	d := ins.def()
	if strong && d != 0 && !ins.sideEffects() && !live.has(d) {
		return
	}
	if d != 0 {
		live.clear(d)
	}
	var buf [2]vreg
	for _, v := range ins.operands(&buf) {
		if v != 0 && v != fpReg {
			live.set(v)
		}
	}
}

// blockSets is a set of registers for each block, in one array.
type blockSets struct {
	words int
	bits  bitset
}

// newBlockSets makes sets of nregs registers for blocks blocks, in
// *mem's memory.
func newBlockSets(mem *bitset, blocks, nregs int) blockSets {
	words := (nregs + 63) / 64
	return blockSets{words, reuse.Zeroed(mem, blocks*words)}
}

// release gives g's memory, and that of the sets its blockLiveness
// returned, to the next graph.
func (g *flowGraph) release() {
	g.code, g.start, g.end, g.succ = nil, nil, nil, g.succ[:0]
	flowGraphs.Put(g)
}

// at returns block b's set.
func (s blockSets) at(b int) bitset {
	return s.bits[b*s.words : (b+1)*s.words : (b+1)*s.words]
}

// blockLiveness computes the live-in and live-out sets of every block.
func (g *flowGraph) blockLiveness(nregs int, strong bool) (in, out blockSets) {
	n := len(g.start)
	in, out = newBlockSets(&g.inBits, n, nregs), newBlockSets(&g.outBits, n, nregs)
	live := reuse.Zeroed(&g.live, (nregs+63)/64)
	for changed := true; changed; {
		changed = false
		// (without a loop, the first sweep, from the end, is final)
		for b := n - 1; b >= 0; b-- {
			bout, bin := out.at(b), in.at(b)
			for _, s := range g.succ[b].list() {
				for w, word := range in.at(s) {
					bout[w] |= word
				}
			}
			copy(live, bout)
			for i := g.end[b] - 1; i >= g.start[b]; i-- {
				step(live, g.code[i], strong)
			}
			for w := range live {
				if live[w] != bin[w] {
					copy(bin, live)
					changed = !g.forward
					break
				}
			}
		}
	}
	return in, out
}

// forEachLive calls f with every instruction's index and the set live
// after it, block by block, last instruction first. The set belongs to
// forEachLive: f must not keep it.
func (g *flowGraph) forEachLive(out blockSets, nregs int, strong bool, f func(i int, liveOut bitset)) {
	live := reuse.Zeroed(&g.forEachBits, (nregs+63)/64)
	for b := range g.start {
		copy(live, out.at(b))
		for i := g.end[b] - 1; i >= g.start[b]; i-- {
			f(i, live)
			step(live, g.code[i], strong)
		}
	}
}

// liveness computes live-in and live-out sets for every instruction (for
// tests; the passes work on blocks).
func liveness(code []*inst, nregs int) (in, out []bitset) {
	g := newFlowGraph(code)
	defer g.release()
	_, bout := g.blockLiveness(nregs, false)
	in = make([]bitset, len(code))
	out = make([]bitset, len(code))
	g.forEachLive(bout, nregs, false, func(i int, live bitset) {
		out[i] = append(bitset(nil), live...)
		in[i] = append(bitset(nil), live...)
		step(in[i], code[i], false)
	})
	return in, out
}

// deadCode removes instructions whose result is never used and that have
// no other effect, with the values only they read (strong liveness: one
// analysis removes whole dead chains).
func deadCode(code []*inst, nregs int) []*inst {
	code = unreachable(code)
	g := newFlowGraph(code)
	defer g.release()
	_, out := g.blockLiveness(nregs, true)
	dead := make([]bool, len(code))
	removed := false
	g.forEachLive(out, nregs, true, func(i int, live bitset) {
		ins := code[i]
		if d := ins.def(); d != 0 && !ins.sideEffects() && !live.has(d) {
			dead[i] = true
			removed = true
		}
	})
	if !removed {
		return code
	}
	kept := make([]*inst, 0, len(code))
	for i, ins := range code {
		if !dead[i] {
			kept = append(kept, ins)
		}
	}
	return kept
}
