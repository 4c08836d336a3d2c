// Package reuse helps passes that run once per program keep their
// working memory from one program to the next. Compiling and verifying a
// large script runs each pass a hundred times over arrays of about the
// same size; making them anew each time costs the allocator, the
// collector and, in a fresh process, a page fault for every 4 KiB, where
// clearing memory already touched costs little.
package reuse

// Zeroed returns n zero elements in *buf's memory, and grows *buf when
// it holds fewer than n. The result is *buf's until the next call, so
// each array a pass keeps needs a buffer of its own.
func Zeroed[S ~[]E, E any](buf *S, n int) S {
	if cap(*buf) < n {
		*buf = make(S, n)
	}
	s := (*buf)[:n]
	clear(s)
	return s
}
