package runtime

import (
	"runtime/debug"
	"sync"
)

// Compiling is a burst of short-lived allocations (ASTs, IR, verifier
// states) whose live heap stays small: at the default pace the
// collector runs every few megabytes, a seventh of the time of --check
// on a 100-probe script. While a compilation runs, the heap may grow to
// nine times what is live before a collection (GOGC=800), as Go's own
// compiler relaxes its collector: the first collection comes after 32
// MB, so a script of a hundred probes (some 22 MB of allocation, most of
// it memory the passes reuse from program to program) compiles without
// one, which took 5-10% of its --check; its peak heap grows by 5 MB. The
// pace is restored when the last concurrent compilation ends, before
// any probe runs. A GOGC set by the user is left as it is.

var gcPace struct {
	sync.Mutex
	users int
	prev  int
}

// relaxGC slows the collector for a compilation; the function it
// returns restores the pace.
func relaxGC() (restore func()) {
	gcPace.Lock()
	defer gcPace.Unlock()
	if gcPace.users == 0 {
		gcPace.prev = debug.SetGCPercent(compileGCPercent)
		if gcPace.prev != 100 { // the user's own setting
			debug.SetGCPercent(gcPace.prev)
		}
	}
	gcPace.users++
	return func() {
		gcPace.Lock()
		defer gcPace.Unlock()
		if gcPace.users--; gcPace.users == 0 {
			debug.SetGCPercent(gcPace.prev)
		}
	}
}

// compileGCPercent is the collector's pace while compiling.
const compileGCPercent = 800
