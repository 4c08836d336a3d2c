package metrics_test

import (
	"io"
	"testing"
	"time"

	"github.com/gotrace/gotrace/internal/livetest"
	"github.com/gotrace/gotrace/runtime"
)

// TestHealthCountsRefusedUpdates: a map of 3 entries given 10 keys
// refuses 7 updates, and Health (gotrace_map_full_updates_total) says 7,
// the count the programs keep in the kernel.
func TestHealthCountsRefusedUpdates(t *testing.T) {
	s := livetest.Load(t, `let @m = hash(3); BEGIN { $i = 0; while ($i < 10) { @m[$i] = 1; $i++; } exit(); }`,
		runtime.Options{Out: io.Discard, Err: io.Discard})
	if err := livetest.Go(s, time.Minute).Wait(); err != nil {
		t.Fatal(err)
	}
	if got := s.Health().MapsFull["@m"]; got != 7 {
		t.Errorf("MapsFull[@m] = %d, want 7", got)
	}
}
