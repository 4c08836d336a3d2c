package codegen

import "testing"

// TestInstArena: an instruction is copied into the arena (changing the
// original afterwards changes nothing), chunks fill one after another,
// and a released arena's memory is cleared before the next program's
// instructions take it.
func TestInstArena(t *testing.T) {
	a := &instArena{}
	var got []*inst
	for i := range instChunk + 3 {
		in := &inst{op: opMovImm, dst: vreg(i), imm: int64(i), label: "l"}
		got = append(got, a.copyOf(in))
		in.imm = -1
	}
	for i, p := range got {
		if p.imm != int64(i) || p.dst != vreg(i) {
			t.Fatalf("instruction %d holds imm %d dst %d", i, p.imm, p.dst)
		}
	}
	if len(a.chunks) != 2 || a.chunk != 1 || a.used != 3 {
		t.Fatalf("%d chunks, filling %d at %d", len(a.chunks), a.chunk, a.used)
	}
	first := got[0]
	a.release()
	if first.label != "" || first.imm != 0 {
		t.Errorf("a released instruction still holds %+v", *first)
	}
	b := newInstArena()
	defer b.release()
	if p := b.copyOf(&inst{op: opExit}); p.op != opExit || p.label != "" {
		t.Errorf("after reuse: %+v", *p)
	}
	if p := (*instArena)(nil).copyOf(&inst{op: opExit}); p.op != opExit {
		t.Errorf("without an arena: %+v", *p)
	}
}
