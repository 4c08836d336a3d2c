package main

import (
	"bytes"
	"context"

	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// attachTimeout is how long a bpftrace run may take to print the attach
// notification before the test's own TIMEOUT starts; bpftrace's engine
// uses the same 10 s.
const attachTimeout = 10 * time.Second

// commandLimit bounds each SETUP, CLEANUP and REQUIRES command, which
// bpftrace's engine lets run forever.
const commandLimit = 60 * time.Second

// notifyLine is what bpftrace (and gotrace) print on stdout once every
// probe is attached, when __BPFTRACE_NOTIFY_PROBES_ATTACHED is set.
const notifyLine = "__BPFTRACE_NOTIFY_PROBES_ATTACHED\n"

// Status is a test's outcome.
type Status int

const (
	Pass   Status = iota
	Fail          // ran and did not do what the test expects (timeouts included)
	Skip          // not applicable here by the test's own rules (ARCH, SKIP_IF_ENV_HAS, REQUIRES, a tool feature)
	Cannot        // this kernel lacks what the test needs (a probe type, a kernel feature, a kernel version)
)

var statusNames = [...]string{Pass: "PASS", Fail: "FAIL", Skip: "SKIP", Cannot: "CANNOT"}

func (s Status) String() string { return statusNames[s] }

// MarshalText lets reports name statuses in JSON.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Result is what running one test gave.
type Result struct {
	ID       string        `json:"id"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Status   Status        `json:"status"`
	Reason   string        `json:"reason,omitempty"`
	Command  string        `json:"command,omitempty"`
	ExitCode *int          `json:"exit_code,omitempty"`
	Failed   []string      `json:"failed_expects,omitempty"`
	Output   string        `json:"output,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Runner runs tests in a work directory laid out like bpftrace's build
// tree: runtime/ (the test files), testprogs/ and testlibs/ (built).
type Runner struct {
	Dir string // the work directory; the process's working directory
	// Bin is the path of a link named bpftrace to the gotrace binary.
	Bin string
	// VerifyFlag is what the engine adds after the binary in every call
	// (" --verify-llvm-ir"), or "" when -no-verify-llvm-ir is given.
	VerifyFlag string
	Machine    *Machine

	mu     sync.Mutex
	groups map[int]bool // process groups of the running test, for Ctrl-C
}

// trackGroup remembers a process group to kill on interrupt.
func (r *Runner) trackGroup(pid int, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.groups == nil {
		r.groups = map[int]bool{}
	}
	if on {
		r.groups[pid] = true
	} else {
		delete(r.groups, pid)
	}
}

// KillAll kills every process group a test has running.
func (r *Runner) KillAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for pid := range r.groups {
		syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// proc is a helper process (BEFORE, AFTER) with its output captured.
type proc struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

func (r *Runner) startProc(cmd *exec.Cmd) (*proc, error) {
	p := &proc{cmd: cmd}
	cmd.Dir = r.Dir
	cmd.Stdout = &p.out
	cmd.Stderr = &p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r.trackGroup(cmd.Process.Pid, true)
	return p, nil
}

// finish waits up to grace for the process to end by itself, then kills
// its process group, as the engine's communicate(timeout=1) does.
func (r *Runner) finish(p *proc, grace time.Duration) string {
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	r.trackGroup(p.cmd.Process.Pid, false)
	return p.out.String()
}

// shell runs a command with /bin/sh in the work directory, bounded by
// commandLimit, and returns its combined output.
func (r *Runner) shell(command string, quiet bool) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.Dir = r.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	if !quiet {
		cmd.Stdout, cmd.Stderr = &out, &out
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v", commandLimit)
	}
	return out.String(), err
}

// child is one process in /proc.
type child struct {
	pid, ppid int
	comm      string
}

// childrenOf lists the processes whose parent is ppid, as `ps --ppid`.
func childrenOf(ppid int) []child {
	ents, _ := os.ReadDir("/proc")
	var res []child
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		f := strings.Fields(s[close+1:])
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		if pp == ppid {
			res = append(res, child{pid, pp, s[open+1 : close]})
		}
	}
	sort.Slice(res, func(i, j int) bool { return res[i].pid < res[j].pid })
	return res
}

// waitChildren polls the children of ppid every 100 ms until cond holds
// or timeout passes.
func waitChildren(ppid int, timeout time.Duration, cond func([]child) bool) []child {
	deadline := time.Now().Add(timeout)
	for {
		c := childrenOf(ppid)
		if len(c) > 0 && cond(c) {
			return c
		}
		if time.Now().After(deadline) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// commName is the name a process started from path shows in comm: the
// base name, cut to 15 bytes.
func commName(path string) string {
	b := filepath.Base(path)
	if len(b) > 15 {
		b = b[:15]
	}
	return b
}

// lastWord and firstWord split a BEFORE command as the engine does.
func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

var (
	bpftraceRe  = regexp.MustCompile(`\{\{BPFTRACE\}\}`)
	beforePidRe = regexp.MustCompile(`\{\{BEFORE_PID\}\}`)
)

// Command is the shell command the engine runs for a test: RUN with
// {{BPFTRACE}} replaced, or PROG passed with -e (with -q -f json when the
// test expects JSON), after an nsenter prefix for NEW_PIDNS tests.
func (r *Runner) Command(t *Test, nsenter []string) string {
	prefix := ""
	if len(nsenter) > 0 {
		prefix = strings.Join(nsenter, " ") + " "
	}
	if t.Run != "" {
		return prefix + bpftraceRe.ReplaceAllLiteralString(t.Run, r.Bin+r.VerifyFlag)
	}
	useJSON := ""
	if len(t.Expects) > 0 && t.Expects[0].Mode == expectJSON {
		useJSON = "-q -f json"
	}
	escaped := strings.ReplaceAll(t.Prog, "'", `'\''`)
	return fmt.Sprintf("%s%s %s%s -e '%s'", prefix, r.Bin, useJSON, r.VerifyFlag, escaped)
}

// precheck decides whether the test can run here at all; it returns the
// status and reason when it cannot.
func (r *Runner) precheck(t *Test) (Status, string, bool) {
	m := r.Machine
	if t.KernelMin != "" && compareVersions(t.KernelMin, m.Kernel) > 0 {
		return Cannot, "kernel older than MIN_KERNEL " + t.KernelMin, true
	}
	if t.KernelMax != "" && compareVersions(t.KernelMax, m.Kernel) < 0 {
		return Cannot, "kernel newer than MAX_KERNEL " + t.KernelMax, true
	}
	if t.SkipIfEnvHas != nil && os.Getenv(t.SkipIfEnvHas[0]) == t.SkipIfEnvHas[1] {
		return Skip, "environment has " + t.SkipIfEnvHas[0] + "=" + t.SkipIfEnvHas[1], true
	}
	for _, req := range t.Requires {
		if _, err := r.shell(req, true); err != nil {
			return Skip, "REQUIRES " + req + " failed", true
		}
	}
	unmet := func(f string, want bool) (Status, string, bool) {
		st, what := Cannot, "kernel"
		if _, tool := toolFeatures[f]; tool {
			st, what = Skip, "gotrace"
		}
		if want {
			return st, what + " lacks feature " + f, true
		}
		return st, what + " has feature " + f + " (test wants !" + f + ")", true
	}
	for _, f := range t.Features {
		if !m.Features[f] {
			return unmet(f, true)
		}
	}
	for _, f := range t.NegFeatures {
		if m.Features[f] {
			return unmet(f, false)
		}
	}
	if fam := m.missingProbeFamily(t); fam != "" {
		return Cannot, "kernel cannot attach " + fam + " probes", true
	}
	return 0, "", false
}

// Run runs one test the way bpftrace's runtime engine does.
func (r *Runner) Run(t *Test) (res Result) {
	start := time.Now()
	res = Result{ID: t.ID(), File: t.File, Line: t.Line}
	defer func() { res.Duration = time.Since(start) }()
	if st, why, stop := r.precheck(t); stop {
		res.Status, res.Reason = st, why
		return res
	}
	failf := func(format string, a ...any) Result {
		res.Status, res.Reason = Fail, fmt.Sprintf(format, a...)
		return res
	}
	if t.NewPidNS && len(t.Befores) == 0 {
		return failf("NEW_PIDNS needs a BEFORE")
	}
	if t.Setup != "" {
		if out, err := r.shell(t.Setup, false); err != nil {
			return failf("SETUP failed (%v): %s", err, strings.TrimSpace(out))
		}
	}

	var (
		befores    []*proc
		after      *proc
		nsenter    []string
		output     strings.Builder
		timedOut   bool
		gotResult  bool
		failed     []string
		exitCode   int
		haveExit   bool
		setupError string
	)
	pidNSCmd := func(cmd string) []string {
		args := append([]string{}, nsenter...)
		for _, w := range strings.Fields(cmd) {
			if abs, err := filepath.Abs(w); err == nil {
				w = abs
			}
			args = append(args, w)
		}
		return args
	}
	cleanupProcs := func() {
		for _, b := range befores {
			r.finish(b, time.Second)
		}
		if after != nil {
			r.finish(after, time.Second)
		}
	}

	// BEFORE: started, then waited for until each shows up by name.
	func() {
		if len(t.Befores) == 0 {
			return
		}
		timeout := time.Duration(t.Timeout) * time.Second
		if t.NewPidNS {
			args := append([]string{"unshare", "--fork", "--pid", "--mount-proc", "-r", "--kill-child", "--"}, strings.Fields(t.Befores[0])...)
			p, err := r.startProc(exec.Command(args[0], args[1:]...))
			if err != nil {
				setupError = err.Error()
				return
			}
			befores = append(befores, p)
			kids := waitChildren(p.cmd.Process.Pid, timeout, func([]child) bool { return true })
			if kids == nil {
				setupError = "timed out waiting to create a new PID namespace"
				return
			}
			nsenter = []string{"nsenter", "-p", "-m", "-t", strconv.Itoa(kids[0].pid)}
			for _, b := range t.Befores[1:] {
				args := pidNSCmd(b)
				p, err := r.startProc(exec.Command(args[0], args[1:]...))
				if err != nil {
					setupError = err.Error()
					return
				}
				befores = append(befores, p)
				name := commName(strings.Fields(b)[0])
				if waitChildren(p.cmd.Process.Pid, timeout, func(c []child) bool {
					for _, k := range c {
						if k.comm == name {
							return true
						}
					}
					return false
				}) == nil {
					setupError = "timed out waiting for BEFORE " + b
					return
				}
			}
			return
		}
		var want []string
		for _, b := range t.Befores {
			f := strings.Fields(b)
			if len(f) == 0 {
				setupError = "empty BEFORE"
				return
			}
			p, err := r.startProc(exec.Command(f[0], f[1:]...))
			if err != nil {
				setupError = fmt.Sprintf("BEFORE %s: %v", b, err)
				return
			}
			befores = append(befores, p)
			want = append(want, commName(lastWord(b)))
		}
		sort.Strings(want)
		me := os.Getpid()
		if waitChildren(me, timeout, func(c []child) bool {
			var got []string
			for _, k := range c {
				if k.comm != "ps" {
					got = append(got, k.comm)
				}
			}
			sort.Strings(got)
			return strings.Join(got, "\x00") == strings.Join(want, "\x00")
		}) == nil {
			setupError = fmt.Sprintf("timed out waiting for BEFORE(s) %q", t.Befores)
		}
	}()

	var bpf *exec.Cmd
	if setupError == "" {
		call := r.Command(t, nsenter)
		res.Command = call
		if len(t.Befores) > 0 && strings.Contains(call, "{{BEFORE_PID}}") {
			if t.NewPidNS {
				setupError = "BEFORE_PID cannot be used with NEW_PIDNS"
			} else {
				name := filepath.Base(lastWord(t.Befores[0]))
				out, _ := exec.Command("pidof", name).Output()
				f := strings.Fields(string(out))
				if len(f) == 0 {
					setupError = "pidof " + name + " found nothing"
				} else {
					call = beforePidRe.ReplaceAllLiteralString(call, f[0])
					res.Command = call
				}
			}
		}
		if setupError == "" {
			bpf = exec.Command("/bin/sh", "-c", call)
			env := []string{
				"test=" + t.Name,
				"__BPFTRACE_NOTIFY_PROBES_ATTACHED=1",
				"__BPFTRACE_NOTIFY_AOT_PORTABILITY_DISABLED=1",
				"PATH=" + os.Getenv("PATH"),
			}
			for _, k := range t.EnvOrder {
				env = append(env, k+"="+t.Env[k])
			}
			bpf.Env = dedupEnv(env)
			timedOut, exitCode, haveExit = r.runMain(t, bpf, &output, &after, pidNSCmd)
			gotResult = true
			failed = checkAll(t, output.String(), r.Dir)
		}
	}
	cleanupProcs()
	if t.Cleanup != "" {
		if out, err := r.shell(t.Cleanup, false); err != nil {
			res.Output = output.String()
			return failf("CLEANUP failed (%v): %s", err, strings.TrimSpace(out))
		}
	}
	res.Output = output.String()
	if haveExit {
		ec := exitCode
		res.ExitCode = &ec
	}
	res.Failed = failed
	if setupError != "" {
		return failf("%s", setupError)
	}
	if !gotResult {
		return failf("not run")
	}
	if timedOut {
		if len(failed) > 0 {
			return failf("timed out (TIMEOUT %d s after attach, or %v before it)", t.Timeout, attachTimeout)
		}
		res.Status = Pass
		return res
	}
	if exitCode != t.ReturnCode && !t.WillFail {
		return failf("exit code %d, want %d", exitCode, t.ReturnCode)
	}
	if exitCode == 0 && t.WillFail {
		return failf("exit code 0, want a failure (WILL_FAIL)")
	}
	if len(failed) > 0 {
		return failf("output does not match")
	}
	res.Status = Pass
	return res
}

// dedupEnv keeps the last value of each variable.
func dedupEnv(env []string) []string {
	seen := map[string]int{}
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := seen[k]; ok {
			out[i] = kv
			continue
		}
		seen[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// runMain runs the bpftrace command: output is read line by line; the
// attach notification starts the test's TIMEOUT (before it, the attach
// timeout counts), drops earlier output for EXPECT_FILE/EXPECT_JSON
// tests, and starts AFTER. On timeout the process group gets SIGTERM, a
// second to finish, then SIGKILL.
func (r *Runner) runMain(t *Test, cmd *exec.Cmd, output *strings.Builder, after **proc, pidNSCmd func(string) []string) (timedOut bool, exitCode int, haveExit bool) {
	rd, wr, err := os.Pipe()
	if err != nil {
		output.WriteString(err.Error())
		return false, -1, false
	}
	cmd.Dir = r.Dir
	cmd.Stdout, cmd.Stderr = wr, wr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		wr.Close()
		rd.Close()
		output.WriteString(err.Error())
		return false, -1, false
	}
	wr.Close()
	pid := cmd.Process.Pid
	r.trackGroup(pid, true)
	defer r.trackGroup(pid, false)

	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		var sp lineSplitter
		buf := make([]byte, 32*1024)
		for {
			n, err := rd.Read(buf)
			sp.Write(buf[:n])
			for _, l := range sp.Lines() {
				lines <- l
			}
			if err != nil {
				if rest := sp.Rest(); rest != "" {
					lines <- rest
				}
				rd.Close()
				return
			}
		}
	}()
	waited := make(chan struct{})
	var waitOnce sync.Once
	startWait := func() {
		waitOnce.Do(func() { go func() { cmd.Wait(); close(waited) }() })
	}

	timer := time.NewTimer(attachTimeout)
	defer timer.Stop()
	attached := false
	eof := false
	for !eof {
		select {
		case l, ok := <-lines:
			if !ok {
				eof = true
				break
			}
			output.WriteString(l)
			if !attached && l == notifyLine {
				attached = true
				if t.HasExactExpect {
					output.Reset()
				}
				if !timer.Stop() {
					<-timer.C
				}
				timer.Reset(time.Duration(t.Timeout) * time.Second)
				if t.After != "" {
					var c *exec.Cmd
					if t.NewPidNS {
						args := pidNSCmd(t.After)
						c = exec.Command("/bin/sh", "-c", strings.Join(args, " "))
					} else {
						c = exec.Command("/bin/sh", "-c", t.After)
					}
					if p, err := r.startProc(c); err == nil {
						*after = p
					} else {
						output.WriteString("AFTER: " + err.Error() + "\n")
					}
				}
			}
		case <-timer.C:
			timedOut = true
			eof = true
		}
	}
	if !timedOut {
		startWait()
		select {
		case <-waited:
		case <-timer.C:
			timedOut = true
		}
	}
	if timedOut {
		startWait()
		select {
		case <-waited:
		default:
			syscall.Kill(-pid, syscall.SIGTERM)
		}
		grace := time.After(time.Second)
		drain := func(deadline <-chan time.Time) bool {
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						select {
						case <-waited:
							return true
						case <-deadline:
							return false
						}
					}
					output.WriteString(l)
				case <-deadline:
					return false
				}
			}
		}
		if !drain(grace) {
			syscall.Kill(-pid, syscall.SIGKILL)
			drain(time.After(5 * time.Second))
		}
		return true, 0, false
	}
	return false, exitStatus(cmd.ProcessState), true
}

// exitStatus is the exit code as Python's subprocess reports it: the
// negated signal number when a signal ended the process.
func exitStatus(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -int(ws.Signal())
	}
	return ps.ExitCode()
}
