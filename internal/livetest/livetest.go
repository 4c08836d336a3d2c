// Package livetest runs scripts in the kernel for tests at the Go level:
// compiled for this host through runtime.Compile, loaded with
// runtime.Load, attached with the probes package and run with
// runtime.Options a test chooses (a ProfileWriter, metrics while it
// runs), without the command line.
//
// Tests that need the kernel call NeedBPF first: it skips where BPF is
// unavailable (not root, no bpf syscall), except under CI=true, where it
// fails, so that a CI run cannot pass by skipping them.
package livetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

// BPFAvailable tells whether this process may load BPF programs (it
// loads a trivial one, once): nil, or why not.
func BPFAvailable() error { return bpfOnce() }

var bpfOnce = sync.OnceValue(func() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("not running as root")
	}
	_ = rlimit.RemoveMemlock()
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.SocketFilter,
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
		License:      "GPL",
	})
	if err != nil {
		return err
	}
	p.Close()
	return nil
})

// NeedBPF skips a test where BPF is unavailable, and fails it instead
// under CI=true.
func NeedBPF(t testing.TB) {
	t.Helper()
	if err := bpfOnce(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("BPF is not available (%v) but CI=true", err)
		}
		t.Skip(err)
	}
}

// Need fails a test under CI=true when a command it needs is missing
// (naming the Debian package that has it), and skips it otherwise.
func Need(t testing.TB, command, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(command)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing but CI=true: install Debian's %s", command, pkg)
		}
		t.Skipf("%s is missing (Debian's %s)", command, pkg)
	}
	return p
}

// BuildC compiles a C program with gcc (frame pointers kept, so that
// ustack unwinds it) and returns its path.
func BuildC(t testing.TB, name, src string) string {
	t.Helper()
	cc := Need(t, "gcc", "gcc")
	dir := t.TempDir()
	file := filepath.Join(dir, name+".c")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	out, err := exec.Command(cc, "-O0", "-g", "-fno-omit-frame-pointer", "-o", bin, file).CombinedOutput()
	if err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return bin
}

// Start runs a command until the test ends.
func Start(t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// Load compiles src for this host and loads it with opts (Target,
// Attach and NoSignals are filled in). The session is closed when the
// test ends.
func Load(t testing.TB, src string, opts runtime.Options) *runtime.Session {
	t.Helper()
	NeedBPF(t)
	c, err := runtime.Compile("t.gt", []byte(src), runtime.CompileOptions{Self: os.Getpid(), PID: opts.PID})
	if err != nil {
		t.Fatalf("compiling:\n%s", lang.Format(err, []byte(src)))
	}
	opts.Target = c.Target
	opts.NoVerify = true
	opts.NoSignals = true
	opts.Quiet = true
	if opts.Attach == nil {
		opts.Attach = probes.AttachPID(opts.PID)
	}
	s, err := runtime.Load(c.Prog, opts)
	if err != nil {
		t.Fatalf("loading: %s", lang.Format(err, []byte(src)))
	}
	t.Cleanup(s.Close)
	return s
}

// Running is a session running in the background.
type Running struct {
	cancel context.CancelFunc
	done   chan struct{}
	Result *runtime.Result
	Err    error
}

// Go runs a loaded session in the background until Stop, exit() or d
// passes.
func Go(s *runtime.Session, d time.Duration) *Running {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	r := &Running{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.Result, r.Err = s.Run(ctx)
	}()
	return r
}

// Stop ends the session and waits for Run to return.
func (r *Running) Stop() error {
	r.cancel()
	<-r.done
	return r.Err
}

// Wait waits for Run to return.
func (r *Running) Wait() error {
	<-r.done
	return r.Err
}
