package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotrace/gotrace/internal/livetest"
)

// cgroup2Root is where the whole cgroup v2 hierarchy is mounted, or "".
func cgroup2Root() string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, fl := range fields {
			if fl == "-" && i+1 < len(fields) && fields[i+1] == "cgroup2" && fields[3] == "/" {
				return fields[4]
			}
		}
	}
	return ""
}

// testCgroup makes a cgroup with a cgroup inside it, removed at the end.
func testCgroup(t *testing.T) (outer, inner string) {
	root := cgroup2Root()
	if root == "" {
		t.Skip("no cgroup v2 hierarchy is mounted")
	}
	outer = filepath.Join(root, fmt.Sprintf("gotrace-test-%d", os.Getpid()))
	inner = filepath.Join(outer, "inner")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Skipf("cannot make a cgroup: %v", err)
	}
	t.Cleanup(func() {
		os.Remove(inner)
		os.Remove(outer)
	})
	return outer, inner
}

// TestCgroupFilterResolves: --cgroup's id is the directory's inode and
// its level one more than its parent's; a directory that is not a
// cgroup is refused.
func TestCgroupFilterResolves(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making cgroups needs root")
	}
	outer, inner := testCgroup(t)
	o, err := cgroupFilter(outer)
	if err != nil {
		t.Fatal(err)
	}
	i, err := cgroupFilter(inner)
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	syscall.Stat(inner, &st)
	if i.ID != st.Ino || i.Level != o.Level+1 || o.Level < 1 {
		t.Errorf("outer %+v, inner %+v (inode %d)", o, i, st.Ino)
	}
	if _, err := cgroupFilter(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a directory of the cgroup v2 hierarchy") {
		t.Errorf("a plain directory: %v", err)
	}
}

// TestCgroupFilterRun: with --cgroup, a tracepoint sees the execs of a
// process once it has moved into a cgroup below the one named, and not
// those before.
func TestCgroupFilterRun(t *testing.T) {
	livetest.NeedBPF(t)
	outer, inner := testCgroup(t)
	dir := t.TempDir()
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip(err)
	}
	b, err := os.ReadFile(truePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"outside_mark", "inside_mark"} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := "./outside_mark\necho $$ > " + filepath.Join(inner, "cgroup.procs") + "\n./inside_mark\n"
	if err := os.WriteFile(filepath.Join(dir, "run.sh"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gotraceBinary(t), "--cgroup", outer, "-c", "sh run.sh",
		"-e", `tracepoint:sched:sched_process_exec { printf("exec %s\n", comm); }`)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "exec inside_mark\n") || strings.Contains(string(out), "outside_mark") {
		t.Errorf("--cgroup %s: want the exec of inside_mark only:\n%s", outer, out)
	}
}

// TestCgroupFilterProfile: with --cgroup, profile samples are those of
// the processes in the cgroup: a busy shell that moved itself in, and
// no other command (without the filter, the idle tasks and every other
// process show up).
func TestCgroupFilterProfile(t *testing.T) {
	livetest.NeedBPF(t)
	outer, inner := testCgroup(t)
	dir := t.TempDir()
	busy := "echo $$ > " + filepath.Join(inner, "cgroup.procs") + "\ni=0\nwhile [ $i -lt 400000 ]; do i=$((i+1)); done\n"
	if err := os.WriteFile(filepath.Join(dir, "busy.sh"), []byte(busy), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gotraceBinary(t), "--cgroup", outer, "-c", "sh busy.sh",
		"-e", `profile:hz:999 { @[comm] = count(); }`)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var comms []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "@[") {
			comms = append(comms, l)
		}
	}
	if len(comms) != 1 || !strings.HasPrefix(comms[0], "@[sh]: ") {
		t.Errorf("--cgroup %s: want the samples of sh only:\n%s", outer, out)
	}
}
