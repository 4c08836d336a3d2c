package scriptgen

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// LargeTracefs writes, in a temporary directory of tb, the tracefs
// events of the probes of Large (the format file of each tracepoint),
// and returns the directory, for a probes.DirTarget.
func LargeTracefs(tb testing.TB, probes int) string {
	tb.Helper()
	dir := tb.TempDir()
	for i := 0; i < probes; i++ {
		d := filepath.Join(dir, "events", "syscalls", "sys_enter_call"+strconv.Itoa(i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "format"), []byte(LargeFormat(i)), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
