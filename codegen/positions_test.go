package codegen

import (
	"testing"

	"github.com/gotrace/gotrace/lang"
)

// TestPositions: runs of slots of one position give each slot its
// position, across appended programs, and nothing outside them.
func TestPositions(t *testing.T) {
	a, b, c := lang.Pos{Line: 1}, lang.Pos{Line: 2}, lang.Pos{Line: 3}
	c2 := c // another pointer to an equal position
	var p, q Positions
	p.add(&a, 2)
	p.add(&a, 1) // the same run
	p.add(&b, 0) // no slot: no run
	p.add(&c, 2)
	q.add(&c2, 1) // continues p's last run
	q.add(&b, 3)
	p.addAll(q)
	want := []lang.Pos{a, a, a, c, c, c, b, b, b}
	if p.Len() != len(want) || len(p.runs) != 3 {
		t.Fatalf("%d slots in %d runs, want %d in 3", p.Len(), len(p.runs), len(want))
	}
	for i, w := range want {
		if got := p.At(i); got != w {
			t.Errorf("slot %d at line %d, want %d", i, got.Line, w.Line)
		}
	}
	if p.At(-1).IsValid() || p.At(len(want)).IsValid() {
		t.Errorf("a slot outside the program has a position")
	}
	f := p.withFirst()
	if f.Len() != p.Len()+1 || f.At(0) != a || f.At(1) != a || f.At(4) != c || f.At(9) != b {
		t.Errorf("withFirst: %+v", f)
	}
	if p.At(0) != a || p.Len() != len(want) {
		t.Errorf("withFirst changed its receiver")
	}
	var none Positions
	none.add(nil, 1)
	if none.At(0).IsValid() {
		t.Errorf("a slot emitted without a position has one")
	}
}
