package lang

import (
	"sync/atomic"
	"testing"
)

// TestOnEveryCPU: every index is done once, and a panic in one reaches
// the caller.
func TestOnEveryCPU(t *testing.T) {
	var hits [1000]atomic.Int32
	onEveryCPU(len(hits), func(i int) { hits[i].Add(1) })
	for i := range hits {
		if n := hits[i].Load(); n != 1 {
			t.Fatalf("index %d done %d times", i, n)
		}
	}
	onEveryCPU(0, func(int) { t.Fatal("called with nothing to do") })
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the panic of index 7", r)
		}
	}()
	onEveryCPU(20, func(i int) {
		if i == 7 {
			panic("boom")
		}
	})
	t.Error("the panic did not reach the caller")
}
