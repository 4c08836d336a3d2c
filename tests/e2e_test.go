// Package tests holds the end-to-end tests of the built gotrace binary.
//
// TestMain builds cmd/gotrace once into a temporary directory and puts it
// on PATH; every file in testdata/script is a testscript (txtar) that runs
// the binary and checks its output. Scripts that need the kernel start
// with `[!bpf] skip`: the bpf condition is false when BPF is unavailable
// (not root, no bpf syscall), except under CI=true, where a missing BPF
// is an error, so a CI run can never pass by skipping its kernel tests.
package tests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gotrace/gotrace/internal/livetest"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/probes"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gotrace-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(self))
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "gotrace"), "./cmd/gotrace")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building gotrace: %v\n%s", err, out)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runLimit is how long one run of gotrace in a test script may take
// before it is killed and the script fails with its output.
const runLimit = 90 * time.Second

// hostConditions are the testscript conditions that are facts of the
// machine, each decided by the probe gotrace itself uses
// (probes.HostTarget), so that a script expects what gotrace will do
// here: [breakpoints] hardware breakpoints fire, [pmu] a hardware PMU,
// [kprobes], [fentry], [kallsyms_data] /proc/kallsyms lists variables,
// [write_user] the kernel lets programs write user memory (not locked
// down), [private_stack] the verifier gives big subprogram frames a
// stack of their own, [btf] the kernel describes its types in BTF,
// [tp_btf] raw tracepoint programs may be typed by BTF, [uprobe_multi]
// the kernel has uprobe-multi links.
var hostConditions = map[string]probes.Feature{
	"breakpoints":   probes.FeatureBreakpoint,
	"pmu":           probes.FeatureHardware,
	"kprobes":       probes.FeatureKprobe,
	"fentry":        probes.FeatureFentry,
	"kallsyms_data": probes.FeatureKallsymsData,
	"write_user":    probes.FeatureWriteUser,
	"private_stack": probes.FeaturePrivateStack,
	"btf":           probes.FeatureBTF,
	"tp_btf":        probes.FeatureTpBTF,
	"uprobe_multi":  probes.FeatureUprobeMulti,
}

func TestScripts(t *testing.T) {
	bpfErr := livetest.BPFAvailable()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		// [bpf] holds when this process may load BPF programs. Under
		// CI=true it is an error for it not to hold, so a CI run can
		// never pass by skipping its kernel tests.
		Condition: func(cond string) (bool, error) {
			if f, ok := hostConditions[cond]; ok {
				return bpfErr == nil && probes.HostTarget().Has(f), nil
			}
			if h, ok := strings.CutPrefix(cond, "header:"); ok {
				// [header:time.h]: the system has that C header
				for _, d := range lang.SystemHeaderDirs {
					if _, err := os.Stat(filepath.Join(d, h)); err == nil {
						return true, nil
					}
				}
				return false, nil
			}
			if cond != "bpf" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			if bpfErr == nil {
				return true, nil
			}
			if os.Getenv("CI") == "true" {
				return false, fmt.Errorf("BPF is not available (%v) but CI=true: kernel tests must run", bpfErr)
			}
			return false, nil
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gotrace": gotraceCmd,
			"traced":  traced,
		},
	})
}

// gotraceCmd runs `gotrace ARGS...` like exec, within runLimit: a run
// that passes it is killed, and the script fails there with the command
// and what it printed, rather than hanging until the package's timeout.
// Scripts call gotrace this way (or through traced); a shell line that
// runs gotrace wraps it in timeout(1) itself (TestScriptsLimitRuns).
func gotraceCmd(ts *testscript.TestScript, neg bool, args []string) {
	secs := strconv.Itoa(int(runLimit / time.Second))
	err := ts.Exec("timeout", append([]string{"-k", "5", secs, filepath.Join(binDir, "gotrace")}, args...)...)
	var ee *exec.ExitError
	if errors.As(err, &ee) && (ee.ExitCode() == 124 || ee.ExitCode() == 137) {
		ts.Fatalf("gotrace %s: still running after %v, killed\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), runLimit, ts.ReadFile("stdout"), ts.ReadFile("stderr"))
	}
	switch {
	case err == nil && neg:
		ts.Fatalf("gotrace succeeded, but it should have failed")
	case err != nil && !neg:
		ts.Fatalf("gotrace failed: %v", err)
	}
}

// TestScriptsLimitRuns: every run of gotrace in a test script has a time
// limit: the script's gotrace and traced commands have one, and a shell
// line that starts gotrace must do so through timeout(1).
func TestScriptsLimitRuns(t *testing.T) {
	files, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	bare := regexp.MustCompile(`(^|[;&|('"]\s*|exec\s+)gotrace\s`)
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(ar.Comment), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			// the command, after its conditions and negation
			cmd := regexp.MustCompile(`^((\[[^]]*\]|!)\s*)*`).ReplaceAllString(line, "")
			if strings.HasPrefix(cmd, "exec gotrace ") || strings.HasPrefix(cmd, "exec timeout") && strings.Contains(cmd, " gotrace ") {
				t.Errorf("%s:%d: run gotrace as the script command `gotrace` (it has a time limit), not through exec", f, i+1)
				continue
			}
			if strings.HasPrefix(cmd, "exec ") && bare.MatchString(cmd[len("exec "):]) {
				t.Errorf("%s:%d: a shell line must run gotrace through timeout(1): %s", f, i+1, line)
			}
		}
	}
}

// attachedRun is a gotrace started with __BPFTRACE_NOTIFY_PROBES_ATTACHED
// set: its stdout (without the notification line) and stderr are kept.
type attachedRun struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	attached       chan bool
	copied         chan struct{}
}

// startAttached starts gotrace with args in dir and waits (at most 30 s)
// until it says every probe is attached; ok is false when it exited
// before.
func startAttached(dir string, args ...string) (*attachedRun, bool, error) {
	r := &attachedRun{attached: make(chan bool, 1), copied: make(chan struct{})}
	r.cmd = exec.Command(filepath.Join(binDir, "gotrace"), args...)
	r.cmd.Dir = dir
	r.cmd.Env = append(os.Environ(), "__BPFTRACE_NOTIFY_PROBES_ATTACHED=1")
	r.cmd.Stderr = &r.stderr
	pipe, err := r.cmd.StdoutPipe()
	if err != nil {
		return nil, false, err
	}
	if err := r.cmd.Start(); err != nil {
		return nil, false, err
	}
	go func() {
		defer close(r.copied)
		br := bufio.NewReader(pipe)
		for {
			line, err := br.ReadString('\n')
			if strings.TrimSpace(line) == "__BPFTRACE_NOTIFY_PROBES_ATTACHED" {
				r.attached <- true
			} else {
				r.stdout.WriteString(line)
			}
			if err != nil {
				r.attached <- false
				return
			}
		}
	}()
	select {
	case ok := <-r.attached:
		return r, ok, nil
	case <-time.After(30 * time.Second):
		r.cmd.Process.Kill()
		return r, false, fmt.Errorf("gotrace did not attach within 30 s; stderr:\n%s", r.stderr.String())
	}
}

// wait waits (at most 30 s) for gotrace to exit.
func (r *attachedRun) wait() error {
	done := make(chan error, 1)
	go func() { <-r.copied; done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		r.cmd.Process.Kill()
		<-done
		return fmt.Errorf("gotrace did not exit within 30 s")
	}
}

// traced runs `gotrace ARGS... -- WORKLOAD...`: it starts gotrace, waits
// until every probe is attached, runs the workload, then waits for
// gotrace to exit. gotrace's stdout and stderr become the command's
// output for the assertions that follow.
func traced(ts *testscript.TestScript, neg bool, args []string) {
	sep := -1
	for i, a := range args {
		if a == "--" {
			sep = i
		}
	}
	if sep < 0 || sep == len(args)-1 {
		ts.Fatalf("usage: traced GOTRACE-ARGS... -- WORKLOAD...")
	}
	r, ok, err := startAttached(ts.Getenv("WORK"), args[:sep]...)
	ts.Check(err)
	if ok {
		work := exec.Command(args[sep+1], args[sep+2:]...)
		work.Dir = ts.Getenv("WORK")
		if out, err := work.CombinedOutput(); err != nil {
			ts.Logf("workload: %v\n%s", err, out)
		}
	}
	err = r.wait()
	io.Copy(ts.Stdout(), &r.stdout)
	io.Copy(ts.Stderr(), &r.stderr)
	if (err != nil) != neg {
		ts.Fatalf("gotrace: %v (negated: %v)", err, neg)
	}
}
