package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotrace/gotrace/internal/livetest"
)

// exampleRuns says how each tool of examples/ is exercised on this kernel:
// a workload to run once the tool is attached, and what its output must
// then show. Tools listed in examples/QEMU need kprobes or fentry and run
// in the qemu kernel tests instead.
var exampleRuns = map[string]struct{ workload, want string }{
	"execsnoop":      {"ls /", `(?m)^\d+ +\d+ +\d+ +sh +/(usr/)?bin/ls$`},
	"opensnoop":      {"cat /etc/hostname", `(?m)cat +3 +0 /etc/hostname$`},
	"syscount":       {"ls /", `(?s)Top 10 processes by syscalls:\n.*@comm\[`},
	"biolatency":     {"true", `Tracing block device I/O`},
	"biosnoop":       {"true", `TIME\(ms\) +COMM +DEV`},
	"bitesize":       {"true", `Tracing block I/O sizes`},
	"runqlat":        {"sh -c 'for i in 1 2 3 4 5; do sleep 0.02; done'", `(?m)^@usecs:$`},
	"runqlen":        {"sleep 0.3", `(?m)^@runqlen:$`},
	"cpuwalk":        {"sh -c 'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done'", `(?m)^@cpu:$`},
	"killsnoop":      {"sh -c 'kill -0 $$'", `(?m)^\d+ +sh +0 +\d+ +0$`},
	"statsnoop":      {"ls -l /etc/hostname", `/etc/hostname`},
	"syncsnoop":      {"sync", `sys_enter_sync`},
	"setuids":        {"python3 -c 'import os; os.setuid(0)'", `setuid +uid=0`},
	"naptime":        {"sleep 0.2", `(?m)sleep +0\.200$`},
	"pidpersec":      {"sh -c 'for i in 1 2 3 4 5 6 7 8; do /bin/true; sleep 0.2; done'", `new processes/s: [1-9]`},
	"writeback":      {"true", `TIME\(ms\) +DEVICE`},
	"tcpdrop":        {"true", `Tracing dropped packets`},
	"tcpretrans":     {"true", `SPORT +DPORT +STATE`},
	"tcpconnect":     {`python3 -c 'import socket; s=socket.socket(); s.settimeout(0.5); s.connect_ex(("127.0.0.1", 9))'`, `(?m)python3 +2 +\d+ +9$`},
	"tcpaccept":      {tcpPair, `(?m)^\d+ +\d+ +2$`},
	"tcplife":        {tcpPair, `@transitions\[`},
	"oomkill":        {"true", `Tracing OOM kills`},
	"hardirqs":       {"true", `Counting hard interrupts`},
	"gethostlatency": {`python3 -c 'import socket; socket.getaddrinfo("localhost", 80)'`, `(?m)python3 +\d+ +localhost$`},
	"bashreadline":   {"true", `PID +COMMAND`},
	"threadsnoop":    {`python3 -c 'import threading; t=threading.Thread(target=print); t.start(); t.join()'`, `python3`},
	"sslsnoop":       {"true", `FUNC +BYTES`},
	"mallocsize":     {"ls /", `(?m)^@bytes\[ls\]:$`},
}

const tcpPair = `python3 -c 'import socket; l=socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(); c=socket.create_connection(l.getsockname()); a=l.accept(); c.close()'`

// TestExamples runs every tool of examples/ this kernel can run: it must
// attach, see its workload, and stop cleanly on Ctrl-C.
func TestExamples(t *testing.T) {
	livetest.NeedBPF(t)
	qemu, _ := os.ReadFile("../examples/QEMU")
	inQemu := map[string]bool{}
	for _, n := range strings.Fields(string(qemu)) {
		inQemu[strings.TrimSuffix(n, ".gt")] = true
	}
	files, _ := filepath.Glob("../examples/*.gt")
	if len(files) < 25 {
		t.Errorf("only %d examples", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".gt")
		if inQemu[name] {
			continue
		}
		run, ok := exampleRuns[name]
		if !ok {
			t.Errorf("%s: no run in exampleRuns", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			out := runExample(t, f, run.workload)
			if !regexp.MustCompile(run.want).MatchString(out) {
				t.Errorf("no %q in:\n%s", run.want, out)
			}
		})
	}
}

// runExample starts a tool, waits for its probes, runs the workload,
// gives it a moment, then stops it with SIGINT and returns its output.
func runExample(t *testing.T, file, workload string) string {
	abs, _ := filepath.Abs(file)
	r, ok, err := startAttached(".", abs)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		r.wait()
		t.Fatalf("exited before attaching:\n%s%s", r.stdout.String(), r.stderr.String())
	}
	if out, err := exec.Command("sh", "-c", workload).CombinedOutput(); err != nil {
		t.Logf("workload %q: %v\n%s", workload, err, out)
	}
	time.Sleep(1200 * time.Millisecond)
	r.cmd.Process.Signal(syscall.SIGINT)
	if err := r.wait(); err != nil {
		t.Errorf("exit after Ctrl-C: %v\n%s", err, r.stderr.String())
	}
	if strings.Contains(r.stderr.String(), "panic") {
		t.Errorf("stderr: %s", r.stderr.String())
	}
	return r.stdout.String()
}
