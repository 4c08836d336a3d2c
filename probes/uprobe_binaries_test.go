package probes

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// runningFiles lists the program of a running process, and no file
// twice however many processes map it.
func TestRunningFiles(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep program")
	}
	sleep, _ = filepath.EvalSymlinks(sleep)
	var cmds []*exec.Cmd
	for range 2 {
		cmd := exec.Command(sleep, "30")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	defer func() {
		for _, cmd := range cmds {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	want, err := os.Stat(sleep)
	if err != nil {
		t.Fatal(err)
	}
	type fileID struct{ dev, ino uint64 }
	seen := map[fileID]string{}
	found := 0
	for _, f := range runningFiles() {
		fi, err := os.Stat(f)
		if err != nil {
			continue // a process that ended meanwhile
		}
		st := fi.Sys().(*syscall.Stat_t)
		id := fileID{uint64(st.Dev), st.Ino}
		if prev, dup := seen[id]; dup {
			t.Errorf("%s and %s are one file", prev, f)
		}
		seen[id] = f
		if os.SameFile(fi, want) {
			found++
		}
	}
	if found != 1 {
		t.Errorf("%s, run twice, listed %d times; want once", sleep, found)
	}
}
