package probes

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// nsProgram is the program a "container" runs: top calls leaf in a
// loop, with a USDT probe in leaf; the host's program at the same path
// has other functions and no probe.
const nsProgram = `
#include <stdio.h>
#include <unistd.h>
#include <sys/sdt.h>
volatile int sink;
__attribute__((noinline)) void leaf(int i) { sink += i; DTRACE_PROBE1(srv, tick, i); }
__attribute__((noinline)) void top(void) { for (int i = 0; i < 10; i++) leaf(i); }
int main(void) {
	FILE *f = fopen("ready.tmp", "w");
	fprintf(f, "%d\n", getpid());
	fclose(f);
	rename("ready.tmp", "ready");
	for (int i = 0; i < 3000; i++) { top(); getpid(); usleep(5000); }
	return 0;
}
`

const hostProgram = `
#include <unistd.h>
volatile int sink;
__attribute__((noinline)) void alpha(void) { sink++; }
int main(void) { alpha(); return 0; }
`

// buildProgram compiles C with gcc in dir (the test is skipped without
// gcc, or fails under CI=true).
func buildProgram(t *testing.T, dir, name, src string) string {
	t.Helper()
	c := filepath.Join(dir, name+".c")
	os.WriteFile(c, []byte(src), 0o644)
	bin := filepath.Join(dir, name)
	if out, err := exec.Command("gcc", "-O0", "-o", bin, c).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
		t.Skipf("cannot build the test program: %v %s", err, out)
	}
	return bin
}

// TestUprobeInMountNamespace: with ForPID (gotrace -p), uprobe and USDT
// attach points name the files of the process's mount namespace: its
// app/srv is the container's program, bind-mounted over the host's, and
// the probes find its functions and fire in it.
func TestUprobeInMountNamespace(t *testing.T) {
	requireKernel(t)
	if !host.Has(FeatureUprobe) {
		t.Skip("no uprobes")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare (util-linux)")
	}
	dir := t.TempDir()
	ctr := buildProgram(t, dir, "ctr", nsProgram)
	hostBin := buildProgram(t, dir, "host", hostProgram)
	app := filepath.Join(dir, "srv")
	if out, err := exec.Command("cp", hostBin, app).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
		fmt.Sprintf("mount --bind %s %s && exec %s", ctr, app, app))
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the container's program did not start")
		}
	}

	contexts := func(env types.Env, raw string) ([]*types.Context, error) {
		return env.Contexts(&lang.ProbeSpec{Raw: raw})
	}
	// on the host, app/srv has no function top and no USDT probe
	if _, err := contexts(NewEnv(host), "uprobe:"+app+":top"); err == nil || !strings.Contains(lang.Format(err, nil), "function top not found") {
		t.Errorf("on the host: %v", err)
	}
	env := NewEnv(host, ForPID(pid))
	for _, raw := range []string{"uprobe:" + app + ":top", "usdt:" + app + ":srv:tick"} {
		ctxs, err := contexts(env, raw)
		if err != nil || len(ctxs) != 1 {
			t.Errorf("%s with -p: %v %v", raw, ctxs, err)
			continue
		}
		c := newCounter(t, ebpf.Kprobe)
		l, err := AttachPID(pid)(ctxs[0], c.prog)
		if err != nil {
			t.Errorf("attach %s: %v", raw, err)
			continue
		}
		time.Sleep(300 * time.Millisecond)
		l.Close()
		if c.count(t) == 0 {
			t.Errorf("%s never fired in the container's process", raw)
		}
	}
	// a short name: the files the process maps, as it sees them
	if ctxs, err := contexts(env, "uprobe:srv:top"); err != nil || len(ctxs) != 1 || ctxs[0].Name != "uprobe:"+app+":top" {
		t.Errorf("uprobe:srv:top with -p: %v %v", ctxs, err)
	}
	if ctxs, err := contexts(env, "uprobe:libc:getpid"); err != nil || len(ctxs) != 1 || !strings.Contains(ctxs[0].Name, "libc") {
		t.Errorf("uprobe:libc:getpid with -p: %v %v", ctxs, err)
	}
	// listing, as the process sees its files
	if got, err := List(host, "uprobe:"+app+":to*", ForPID(pid)); err != nil || len(got) != 1 || got[0] != "uprobe:"+app+":top" {
		t.Errorf("List uprobes with -p: %v %v", got, err)
	}
	if got, err := List(host, "usdt:"+app+":*", ForPID(pid)); err != nil || len(got) != 1 || got[0] != "usdt:"+app+":srv:tick" {
		t.Errorf("List usdt with -p: %v %v", got, err)
	}
	if got, _ := List(host, "uprobe:"+app+":to*"); len(got) != 0 {
		t.Errorf("List on the host: %v", got)
	}
	// a path the process does not have
	if _, err := contexts(env, "uprobe:"+dir+"/nope:top"); err == nil || !strings.Contains(lang.Format(err, nil), fmt.Sprintf("does not exist in the mount namespace of process %d", pid)) {
		t.Errorf("missing file: %v", err)
	}
}
