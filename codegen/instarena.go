package codegen

import "sync"

// instArena holds the instructions a program emits, in chunks, and is
// reused by the programs emitted after it: a large script's hundred
// programs emit about 60,000 instructions of 144 bytes, and in a fresh
// process each new page of them costs a page fault. The program's passes
// make their new instructions on the heap; the emitted ones stay in the
// arena until the program is lowered, when finishProbe releases it.
type instArena struct {
	chunks [][]inst
	chunk  int // the chunk being filled
	used   int // its instructions handed out
}

// instChunk is the number of instructions in a chunk.
const instChunk = 512

var instArenas = sync.Pool{New: func() any { return new(instArena) }}

func newInstArena() *instArena { return instArenas.Get().(*instArena) }

// copyOf returns a copy of in in the arena (on the heap when a is nil).
func (a *instArena) copyOf(in *inst) *inst {
	if a == nil {
		c := *in
		return &c
	}
	if a.chunk == len(a.chunks) {
		a.chunks = append(a.chunks, make([]inst, instChunk))
	}
	p := &a.chunks[a.chunk][a.used]
	*p = *in
	if a.used++; a.used == instChunk {
		a.chunk, a.used = a.chunk+1, 0
	}
	return p
}

// release clears what the arena holds and gives it to the next program.
// Nothing may use its instructions after.
func (a *instArena) release() {
	if a == nil {
		return
	}
	for k := 0; k <= a.chunk && k < len(a.chunks); k++ {
		clear(a.chunks[k])
	}
	a.chunk, a.used = 0, 0
	instArenas.Put(a)
}
