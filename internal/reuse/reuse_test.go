package reuse

import "testing"

// TestZeroed: the memory is kept when it is large enough, grown when it
// is not, and what an earlier use wrote is cleared.
func TestZeroed(t *testing.T) {
	var buf []int
	a := Zeroed(&buf, 4)
	if len(a) != 4 || cap(buf) < 4 {
		t.Fatalf("len %d, buffer cap %d", len(a), cap(buf))
	}
	a[0], a[3] = 7, 9
	b := Zeroed(&buf, 3)
	if &b[0] != &a[0] {
		t.Errorf("a smaller array did not reuse the buffer")
	}
	for i, x := range b {
		if x != 0 {
			t.Errorf("element %d is %d, not cleared", i, x)
		}
	}
	if a[3] != 9 {
		t.Errorf("an element past the requested length was cleared")
	}
	c := Zeroed(&buf, 10)
	if len(c) != 10 || cap(buf) < 10 {
		t.Errorf("not grown: len %d, buffer cap %d", len(c), cap(buf))
	}
	type bits []uint64
	var named bits
	if got := Zeroed(&named, 2); len(got) != 2 {
		t.Errorf("a named slice type: len %d", len(got))
	}
}
