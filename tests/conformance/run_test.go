package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeRunner is a Runner whose bpftrace is testdata/fakebpftrace, on a
// machine with kernel 6.1, BTF, and neither kprobes nor fentry.
func fakeRunner(t *testing.T) *Runner {
	t.Helper()
	dir := t.TempDir()
	fake, err := filepath.Abs("testdata/fakebpftrace")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin", "bpftrace")
	os.MkdirAll(filepath.Dir(bin), 0o755)
	if err := os.Symlink(fake, bin); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "testprogs"), 0o755)
	waiter := "#!/bin/sh\nwhile :; do sleep 0.05; done\n"
	if err := os.WriteFile(filepath.Join(dir, "testprogs", "waiter"), []byte(waiter), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "expected.txt"), []byte("\nfirst\nsecond\n"), 0o644)
	return &Runner{
		Dir: dir,
		Bin: bin,
		Machine: &Machine{
			Kernel:   "6.1.0-18-amd64",
			Features: map[string]bool{"btf": true, "fentry": false, "dwarf": true, "aot": false},
			Probes:   map[string]bool{"kprobe": false, "fentry": false, "hardware": false, "watchpoint": true},
		},
	}
}

// parseOne parses the text of one test.
func parseOne(t *testing.T, text string) *Test {
	t.Helper()
	tests, _, err := ParseText("fake", text, x86)
	if err != nil || len(tests) != 1 {
		t.Fatalf("parse %q: %v (%d tests)", text, err, len(tests))
	}
	return tests[0]
}

func TestRunFake(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes for seconds")
	}
	r := fakeRunner(t)
	for _, c := range []struct {
		name, text string
		want       Status
		reason     string
	}{
		{"pass", "NAME a\nPROG print:hello\nEXPECT hello\n", Pass, ""},
		{"output before attach is kept", "NAME a\nPROG print:hello\nEXPECT early output\n", Pass, ""},
		{"exact expect drops output before attach", "NAME a\nPROG print:first print:second\nEXPECT_FILE expected.txt\n", Pass, ""},
		{"expect fails", "NAME a\nPROG print:hello\nEXPECT goodbye\n", Fail, "output does not match"},
		{"exit code", "NAME a\nPROG print:hello fail\nEXPECT hello\n", Fail, "exit code 1, want 0"},
		{"will fail", "NAME a\nPROG print:hello fail\nEXPECT hello\nWILL_FAIL\n", Pass, ""},
		{"will fail but passes", "NAME a\nPROG print:hello\nEXPECT hello\nWILL_FAIL\n", Fail, "WILL_FAIL"},
		{"return code", "NAME a\nRUN {{BPFTRACE}} -e fail\nRETURN_CODE 1\n", Pass, ""},
		{"return code of the shell", "NAME a\nRUN exit 7\nRETURN_CODE 7\n", Pass, ""},
		{"timeout with matching output passes", "NAME a\nPROG print:ready hang\nEXPECT ready\nTIMEOUT 1\n", Pass, ""},
		{"timeout gets SIGTERM first", "NAME a\nPROG hang\nEXPECT got TERM\nTIMEOUT 1\n", Pass, ""},
		{"timeout without the output fails", "NAME a\nPROG hang\nEXPECT ready\nTIMEOUT 1\n", Fail, "timed out"},
		{"after runs once attached", "NAME a\nPROG touch:flag\nAFTER touch flag\nEXPECT saw flag\nTIMEOUT 3\n", Pass, ""},
		{"env", "NAME the name\nPROG env\nENV FOO=bar\nEXPECT test=the name FOO=bar\n", Pass, ""},
		{"comm is bpftrace", "NAME a\nPROG comm\nEXPECT bpftrace\n", Pass, ""},
		{"before", "NAME a\nPROG print:ok\nBEFORE ./testprogs/waiter\nEXPECT ok\nTIMEOUT 2\n", Pass, ""},
		{"before never shows up", "NAME a\nPROG print:ok\nBEFORE ./testprogs/waiter x\nEXPECT ok\nTIMEOUT 1\n", Fail, "timed out waiting for BEFORE"},
		{"setup fails", "NAME a\nPROG print:ok\nSETUP false\nEXPECT ok\n", Fail, "SETUP failed"},
		{"cleanup fails", "NAME a\nPROG print:ok\nCLEANUP exit 3\nEXPECT ok\n", Fail, "CLEANUP failed"},
		{"requires", "NAME a\nPROG print:ok\nREQUIRES test -d /nonexistent\nEXPECT ok\n", Skip, "REQUIRES"},
		{"kernel feature", "NAME a\nPROG print:ok\nREQUIRES_FEATURE btf fentry\nEXPECT ok\n", Cannot, "kernel lacks feature fentry"},
		{"negated feature", "NAME a\nPROG print:ok\nREQUIRES_FEATURE !btf\nEXPECT ok\n", Cannot, "kernel has feature btf"},
		{"tool feature", "NAME a\nPROG print:ok\nREQUIRES_FEATURE aot\nEXPECT ok\n", Skip, "gotrace lacks feature aot"},
		{"probe type", "NAME a\nPROG kprobe:vfs_read { exit(); }\nEXPECT ok\n", Cannot, "kprobe"},
		{"probe type in an expectation", "NAME a\nRUN {{BPFTRACE}} -l 'kprobe*'\nEXPECT_REGEX kprobe:.*\n", Cannot, "kprobe"},
		{"min kernel", "NAME a\nPROG print:ok\nMIN_KERNEL 6.12\nEXPECT ok\n", Cannot, "MIN_KERNEL"},
		{"max kernel", "NAME a\nPROG print:ok\nMAX_KERNEL 5.15\nEXPECT ok\n", Cannot, "MAX_KERNEL"},
		{"max kernel met", "NAME a\nPROG print:ok\nMAX_KERNEL 6.2\nEXPECT ok\n", Pass, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			tt := parseOne(t, c.text)
			start := time.Now()
			res := r.Run(tt)
			if res.Status != c.want || !strings.Contains(res.Reason, c.reason) {
				t.Errorf("%v (%s), want %v (%s)\ncommand: %s\noutput:\n%s", res.Status, res.Reason, c.want, c.reason, res.Command, res.Output)
			}
			if d := time.Since(start); d > 8*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// BEFORE processes are gone once their test is over.
	time.Sleep(200 * time.Millisecond)
	for _, c := range childrenOf(os.Getpid()) {
		if c.comm == "waiter" {
			t.Errorf("a BEFORE process (pid %d) outlived its test", c.pid)
		}
	}
}

func TestCommand(t *testing.T) {
	r := &Runner{Bin: "/x/bpftrace", VerifyFlag: " --verify-llvm-ir"}
	prog := parseOne(t, "NAME a\nPROG begin { printf(\"it's\\n\"); }\nEXPECT x\n")
	if got, want := r.Command(prog, nil), `/x/bpftrace  --verify-llvm-ir -e 'begin { printf("it'\''s\n"); }'`; got != want {
		t.Errorf("PROG command\n got %s\nwant %s", got, want)
	}
	js := parseOne(t, "NAME a\nPROG begin {}\nEXPECT_JSON f.json\n")
	if got, want := r.Command(js, nil), `/x/bpftrace -q -f json --verify-llvm-ir -e 'begin {}'`; got != want {
		t.Errorf("JSON command\n got %s\nwant %s", got, want)
	}
	run := parseOne(t, "NAME a\nRUN {{BPFTRACE}} -e 'x' | {{BPFTRACE}} -l\nEXPECT x\n")
	if got, want := r.Command(run, []string{"nsenter", "-t", "5"}), `nsenter -t 5 /x/bpftrace --verify-llvm-ir -e 'x' | /x/bpftrace --verify-llvm-ir -l`; got != want {
		t.Errorf("RUN command\n got %s\nwant %s", got, want)
	}
	r.VerifyFlag = ""
	if got, want := r.Command(run, nil), `/x/bpftrace -e 'x' | /x/bpftrace -l`; got != want {
		t.Errorf("RUN command without the flag\n got %s\nwant %s", got, want)
	}
}

func TestProbeFamilies(t *testing.T) {
	m := &Machine{Probes: map[string]bool{"kprobe": false, "fentry": false, "hardware": false, "watchpoint": false}}
	for _, c := range []struct{ prog, want string }{
		{"kprobe:vfs_read { }", "kprobe"},
		{"begin { } kr:vfs_read { }", "kprobe"},
		{"tracepoint:syscalls:sys_enter_read,k:*vfs* { }", "kprobe"},
		{"fentry:vmlinux:vfs_read { }", "fentry"},
		{"f:vfs_read { }", "fentry"},
		{"kfunc:vfs_read { }", "fentry"},
		{"h:cache-misses:10 { }", "hardware"},
		{"watchpoint:0x10000:8:w { }", "watchpoint"},
		{"begin { printf(\"%f: %d k: %d\", 1.0, 2, 3); @k[1] = 1; }", ""},
		{"uprobe:./testprogs/uprobe_test:f { }", ""},
		{"interval:s:1 { } software:cpu-clock:1 { }", ""},
	} {
		tt := &Test{Prog: c.prog}
		if got := m.missingProbeFamily(tt); got != c.want {
			t.Errorf("%q: %q, want %q", c.prog, got, c.want)
		}
	}
}
