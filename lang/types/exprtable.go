package types

import "github.com/gotrace/gotrace/lang"

// ExprTable holds a value for each of some expressions of a file: in
// arrays indexed by the expression's number (lang.ExprNum), and in a map
// for the expressions a pass made after parsing, which have none. The
// checker writes its tables a few times a sweep for every expression,
// and the code generator reads them for each; by number that is an index,
// where a map keyed by an interface hashes the dynamic type and the
// pointer and misses the cache on a large script.
type ExprTable[V any] struct {
	at    []int32 // by number: 1 + the value's index in vals; 0 for none
	vals  []V
	other map[lang.Expr]V
}

// newExprTable makes a table for the expressions of a file whose largest
// number is exprs.
func newExprTable[V any](exprs int) ExprTable[V] {
	return ExprTable[V]{at: make([]int32, exprs+1)}
}

// Get returns e's value and whether it has one.
func (t *ExprTable[V]) Get(e lang.Expr) (V, bool) {
	if n := int(lang.NumOf(e)); n > 0 && n < len(t.at) {
		if k := t.at[n]; k > 0 {
			return t.vals[k-1], true
		}
		var zero V
		return zero, false
	}
	v, ok := t.other[e]
	return v, ok
}

// Of returns e's value, or the zero value.
func (t *ExprTable[V]) Of(e lang.Expr) V {
	v, _ := t.Get(e)
	return v
}

// Set gives e the value v.
func (t *ExprTable[V]) Set(e lang.Expr, v V) {
	if n := int(lang.NumOf(e)); n > 0 && n < len(t.at) {
		if k := t.at[n]; k > 0 {
			t.vals[k-1] = v
			return
		}
		t.vals = append(t.vals, v)
		t.at[n] = int32(len(t.vals))
		return
	}
	if t.other == nil {
		t.other = map[lang.Expr]V{}
	}
	t.other[e] = v
}
