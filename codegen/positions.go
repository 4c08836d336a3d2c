package codegen

import (
	"sort"

	"github.com/gotrace/gotrace/lang"
)

// Positions maps a program's raw instruction slots (an lddw takes two) to
// the script positions they were compiled from. Consecutive instructions
// mostly share one position, so it is kept as runs: a run starts at a
// slot and lasts to the next run's start, and points to the position
// the instructions were emitted with (one lang.Pos, shared). A program of
// 400 instructions has about 150 runs; a lang.Pos per slot would take 64
// bytes each, and a --check of a large script makes tens of thousands of
// them.
type Positions struct {
	runs  []posRun
	slots int
}

type posRun struct {
	start int32
	pos   *lang.Pos // nil: none
}

// Len is the number of slots.
func (p *Positions) Len() int { return p.slots }

// At is the position of slot i (the zero Pos outside the program).
func (p *Positions) At(i int) lang.Pos {
	if i < 0 || i >= p.slots {
		return lang.Pos{}
	}
	// the last run starting at or before i
	k := sort.Search(len(p.runs), func(k int) bool { return int(p.runs[k].start) > i }) - 1
	if pos := p.runs[k].pos; pos != nil {
		return *pos
	}
	return lang.Pos{}
}

// add appends n slots of position pos.
func (p *Positions) add(pos *lang.Pos, n int) {
	if n <= 0 {
		return
	}
	if len(p.runs) == 0 || !samePos(p.runs[len(p.runs)-1].pos, pos) {
		p.runs = append(p.runs, posRun{start: int32(p.slots), pos: pos})
	}
	p.slots += n
}

func samePos(a, b *lang.Pos) bool {
	return a == b || a != nil && b != nil && *a == *b
}

// addAll appends q's slots after p's.
func (p *Positions) addAll(q Positions) {
	for k, r := range q.runs {
		end := q.slots
		if k+1 < len(q.runs) {
			end = int(q.runs[k+1].start)
		}
		p.add(r.pos, end-int(r.start))
	}
}

// withFirst is p with one slot of the first slot's position put before
// its slots.
func (p Positions) withFirst() Positions {
	runs := make([]posRun, len(p.runs))
	for k, r := range p.runs {
		runs[k] = posRun{start: r.start + 1, pos: r.pos}
	}
	if len(runs) > 0 {
		runs[0].start = 0
	}
	return Positions{runs: runs, slots: p.slots + 1}
}
