package runtime

import (
	"runtime/debug"
	"testing"
)

// TestRelaxGC: compilations slow the collector while any runs, the last
// one to end restores the pace, and a pace the user set is kept.
func TestRelaxGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	a := relaxGC()
	b := relaxGC()
	if p := debug.SetGCPercent(-1); p != compileGCPercent {
		t.Errorf("while compiling: GOGC %d, want %d", p, compileGCPercent)
	}
	debug.SetGCPercent(compileGCPercent)
	a()
	if p := debug.SetGCPercent(compileGCPercent); p != compileGCPercent {
		t.Errorf("with one compilation still running: GOGC %d, want %d", p, compileGCPercent)
	}
	b()
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("after the compilations: GOGC %d, want 100", p)
	}
	debug.SetGCPercent(50) // the user's
	relaxGC()()
	if p := debug.SetGCPercent(100); p != 50 {
		t.Errorf("with the user's GOGC=50: %d after a compilation", p)
	}
}
