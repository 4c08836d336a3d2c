package types

import (
	"testing"

	"github.com/gotrace/gotrace/lang"
)

// TestExprTable: numbered expressions are kept by number, others (made
// after parsing, or numbered beyond the table) in the map; a value can be
// replaced, and an expression without one has none.
func TestExprTable(t *testing.T) {
	tab := newExprTable[int](3)
	a, b := &lang.IntLit{Val: 1}, &lang.IntLit{Val: 2}
	a.Num, b.Num = 1, 3
	late := &lang.IntLit{Val: 3} // no number
	far := &lang.Ident{Name: "x"}
	far.Num = 9 // beyond the table
	if _, ok := tab.Get(a); ok {
		t.Fatal("a value before any was set")
	}
	tab.Set(a, 10)
	tab.Set(late, 30)
	tab.Set(far, 90)
	tab.Set(b, 20)
	tab.Set(a, 11)
	for _, c := range []struct {
		e    lang.Expr
		want int
	}{{a, 11}, {b, 20}, {late, 30}, {far, 90}} {
		if v, ok := tab.Get(c.e); !ok || v != c.want || tab.Of(c.e) != c.want {
			t.Errorf("%v: %d %v, want %d", c.e, v, ok, c.want)
		}
	}
	if len(tab.other) != 2 || len(tab.vals) != 2 {
		t.Errorf("%d in the map, %d by number; want 2 and 2", len(tab.other), len(tab.vals))
	}
	var zero ExprTable[int] // (Info{} of a C header check)
	zero.Set(a, 1)
	if zero.Of(a) != 1 {
		t.Errorf("the zero table lost its value")
	}
}
