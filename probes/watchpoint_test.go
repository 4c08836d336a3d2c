package probes_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// Watchpoint specs parse and are checked as bpftrace's are; their
// context is a perf event program, where the machine has working
// hardware breakpoints.
func TestWatchpointSpecs(t *testing.T) {
	s, err := probes.Parse("w:0x10000000:8:wr")
	if runtime.GOARCH == "amd64" {
		if err != nil || s.Mode != "rw" || s.Name() != "watchpoint:268435456:8:rw" {
			t.Errorf("w:0x10000000:8:wr: %+v, %v", s, err)
		}
	}
	for raw, msg := range map[string]string{
		"watchpoint:0x1000:8:":   "watchpoint mode must be combination of (r,w,x)",
		"watchpoint:0x1000:8:wq": "watchpoint mode must be combination of (r,w,x)",
		"watchpoint:0x1000:8:ww": "watchpoint modes may not be duplicated",
	} {
		if _, err := probes.Parse(raw); err == nil || err.Error() != msg {
			t.Errorf("%s: %v, want %q", raw, err, msg)
		}
	}
	if runtime.GOARCH == "amd64" {
		_, err := probes.Parse("watchpoint:0x1000:8:r")
		se, _ := err.(*probes.SpecError)
		if se == nil || se.Msg != "invalid watchpoint mode: r" || se.Hint != "supported modes: rw,w,x" {
			t.Errorf("read-only watchpoint on x86: %v", err)
		}
	}

	// The context is a perf event program; a machine without working
	// breakpoints gets one line saying so.
	tgt := probes.NewDirTarget("testdata")
	tgt.Features[probes.FeatureBreakpoint] = true
	env := probes.NewEnv(tgt)
	ctxs, err := env.Contexts(&lang.ProbeSpec{Raw: "watchpoint:0x10000000:8:w"})
	if err != nil || len(ctxs) != 1 || ctxs[0].Kind != types.ProgPerfEvent || ctxs[0].Name != "watchpoint:268435456:8:w" {
		t.Fatalf("watchpoint context: %v %v", ctxs, err)
	}
	tgt.Features[probes.FeatureBreakpoint] = false
	_, err = env.Contexts(&lang.ProbeSpec{Raw: "watchpoint:0x10000000:8:w"})
	if err == nil || !strings.Contains(err.Error(), "this machine has no working hardware breakpoints") {
		t.Errorf("without breakpoints: %v", err)
	}
}
