package lang

import (
	goruntime "runtime"
	"sync"
	"sync/atomic"
)

// onEveryCPU calls do(i) for each i from 0 to n-1, on as many goroutines
// as there are CPUs to run them (the caller's among them), each taking
// the next i when it is done with one. A panic in do is raised again on
// the caller's goroutine once every call has returned. The parser uses
// it for the work it does once per probe: parsing bodies, converting
// probes.
func onEveryCPU(n int, do func(i int)) {
	var next atomic.Int64
	var panicked atomic.Value
	work := func() {
		defer func() {
			if r := recover(); r != nil {
				panicked.CompareAndSwap(nil, r)
			}
		}()
		for {
			i := int(next.Add(1)) - 1
			if i >= n {
				return
			}
			do(i)
		}
	}
	var wg sync.WaitGroup
	for range min(goruntime.GOMAXPROCS(0), n) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	if r := panicked.Load(); r != nil {
		panic(r)
	}
}
