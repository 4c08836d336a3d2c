package probes

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gotrace/gotrace/lang"
)

// countingTarget counts the format files read, by tracepoint.
type countingTarget struct {
	*DirTarget
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingTarget) TracepointFormat(category, event string) ([]byte, error) {
	c.mu.Lock()
	c.reads[category+":"+event]++
	c.mu.Unlock()
	return c.DirTarget.TracepointFormat(category, event)
}

// TestPrefetchTracepoints: formats read ahead give the contexts and the
// errors of formats read when asked for, and each format is read once.
func TestPrefetchTracepoints(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	raws := []string{
		"tracepoint:syscalls:sys_enter_openat",
		"tracepoint:sched:sched_switch",
		"t:syscalls:sys_enter_openat", // the same tracepoint again
		"tracepoint:syscalls:sys_enter_opnat",
		"tracepoint:nosuch:zzz",
		"tracepoint:sched:sched_*", // a wildcard is not read ahead
		"interval:s:1",
	}
	var specs []*lang.ProbeSpec
	for i, raw := range raws {
		specs = append(specs, &lang.ProbeSpec{At: lang.Pos{Line: i + 1, Col: 1}, Raw: raw})
	}
	expand := func(prefetch bool) ([]string, map[string]int) {
		tgt := &countingTarget{DirTarget: testTarget(), reads: map[string]int{}}
		e := NewEnv(tgt).(*env)
		if prefetch {
			// the formats are read in the background, before any
			// Contexts asks for them
			e.Prefetch(specs)
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
				tgt.mu.Lock()
				n := len(tgt.reads)
				tgt.mu.Unlock()
				if n == 4 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("Prefetch read %d formats in 5 s, want 4", n)
				}
			}
		}
		var got []string
		for _, s := range specs {
			ctxs, err := e.Contexts(s)
			if err != nil {
				got = append(got, err.Error())
				continue
			}
			for _, c := range ctxs {
				got = append(got, c.Name)
				if c.Args == nil {
					continue
				}
				got = append(got, "  "+c.Args.String())
				for _, f := range c.Args.Fields {
					got = append(got, "  "+f.Name+" "+f.Type.String())
				}
			}
		}
		return got, tgt.reads
	}
	want, _ := expand(false)
	got, reads := expand(true)
	if len(got) != len(want) {
		t.Fatalf("with prefetch:\n%v\nwithout:\n%v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %q with prefetch, %q without", i, got[i], want[i])
		}
	}
	for _, key := range []string{"syscalls:sys_enter_openat", "sched:sched_switch", "syscalls:sys_enter_opnat", "nosuch:zzz"} {
		if reads[key] != 1 {
			t.Errorf("%s read %d times, want once", key, reads[key])
		}
	}
}
