package runtime

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	goruntime "runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ChildArg is the hidden first argument with which gotrace re-executes
// itself to run a -c command: the re-executed process says on fd 4 that
// it is ready (its Go runtime started, before any probe is attached),
// waits until the parent closes the pipe on fd 3 (every probe attached),
// then execs the command. That way the command's very first instruction is traced, and
// the parent knows its pid before any probe runs (for cpid).
const ChildArg = "__gotrace_child"

// Child is a -c command started but held until Release.
type Child struct {
	// Path is the command's program, as found on PATH.
	Path    string
	cmd     *exec.Cmd
	release *os.File
	done    chan struct{}
	err     error
	waiter  sync.Once
}

// StartChild starts command (split on spaces, like bpftrace's -c) held
// before exec.
func StartChild(command string, stdout, stderr *os.File) (*Child, error) {
	args := strings.Fields(command)
	if len(args) == 0 {
		return nil, fmt.Errorf("-c needs a command")
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		return nil, fmt.Errorf("-c: cannot run %s: %v", args[0], err)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	cmd := exec.Command(self, append([]string{ChildArg, path}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.ExtraFiles = []*os.File{r, readyW}
	err = cmd.Start()
	r.Close()
	readyW.Close()
	if err != nil {
		w.Close()
		readyR.Close()
		return nil, fmt.Errorf("-c: %v", err)
	}
	c := &Child{Path: path, cmd: cmd, release: w, done: make(chan struct{})}
	// Wait until the child's runtime has started and it waits for the
	// release: what it did until then is not traced, and what it does
	// while waiting the probes skip (HeldMap).
	readyR.SetReadDeadline(time.Now().Add(10 * time.Second))
	readyR.Read(make([]byte, 1))
	readyR.Close()
	return c, nil
}

// Pid is the child's process id (also after exec).
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// wait starts waiting for the child's exit, once: not before
// ReleaseAtEntry has let go of it, as waiting would take its ptrace
// stops.
func (c *Child) wait() {
	c.waiter.Do(func() {
		go func() {
			c.err = c.cmd.Wait()
			close(c.done)
		}()
	})
}

// Release lets the child exec its command.
func (c *Child) Release() error {
	c.wait()
	return c.letGo()
}

func (c *Child) letGo() error {
	if c.release == nil {
		return nil
	}
	_, err := c.release.Write([]byte{1})
	c.release.Close()
	c.release = nil
	return err
}

// ReleaseAtEntry lets the child exec its command and stops it at the
// program's entry point, where the dynamic loader has mapped the
// libraries it needs; there it calls at, then lets the command go on.
// It traces the child with ptrace: a breakpoint at the entry point
// (AT_ENTRY), removed again before the command runs on. If tracing
// fails, the command just runs.
func (c *Child) ReleaseAtEntry(at func()) error {
	defer c.wait()
	errc := make(chan error, 1)
	go func() {
		// every ptrace request must come from the tracing thread
		goruntime.LockOSThread()
		defer goruntime.UnlockOSThread()
		errc <- c.runToEntry(at)
	}()
	return <-errc
}

func (c *Child) runToEntry(at func()) error {
	pid := c.Pid()
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(pid), 0, unix.PTRACE_O_TRACEEXEC, 0, 0)
	if e != 0 {
		at()
		return c.letGo()
	}
	defer unix.PtraceDetach(pid)
	if err := c.letGo(); err != nil {
		return err
	}
	// stop: wait for the next ptrace stop, passing other signals on
	stop := func(want func(unix.WaitStatus) bool) bool {
		for {
			var ws unix.WaitStatus
			if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
				return false
			}
			if want(ws) {
				return true
			}
			sig := 0
			if s := ws.StopSignal(); s != unix.SIGTRAP && s != unix.SIGSTOP {
				sig = int(s)
			}
			if unix.PtraceCont(pid, sig) != nil {
				return false
			}
		}
	}
	if !stop(func(ws unix.WaitStatus) bool { return ws.TrapCause() == unix.PTRACE_EVENT_EXEC }) {
		return nil
	}
	entry, ok := auxEntry(pid)
	word := make([]byte, 8)
	if ok {
		_, err := unix.PtracePeekData(pid, uintptr(entry), word)
		ok = err == nil
	}
	if ok && len(breakpointInsn) > 0 {
		trap := append(append([]byte{}, breakpointInsn...), word[len(breakpointInsn):]...)
		_, err := unix.PtracePokeData(pid, uintptr(entry), trap)
		ok = err == nil
	}
	if !ok || len(breakpointInsn) == 0 {
		at()
		return nil
	}
	unix.PtraceCont(pid, 0)
	hit := stop(func(ws unix.WaitStatus) bool {
		var regs unix.PtraceRegs
		return ws.StopSignal() == unix.SIGTRAP && ws.TrapCause() <= 0 &&
			unix.PtraceGetRegs(pid, &regs) == nil && programCounter(&regs) == entry+breakpointAdvance
	})
	if hit {
		var regs unix.PtraceRegs
		unix.PtraceGetRegs(pid, &regs)
		setProgramCounter(&regs, entry)
		unix.PtraceSetRegs(pid, &regs)
		unix.PtracePokeData(pid, uintptr(entry), word)
	}
	at()
	return nil
}

// auxEntry reads the entry point of the program a process runs from
// its auxiliary vector (AT_ENTRY).
func auxEntry(pid int) (uint64, bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/auxv", pid))
	if err != nil {
		return 0, false
	}
	for i := 0; i+16 <= len(raw); i += 16 {
		if binary.LittleEndian.Uint64(raw[i:]) == 9 { // AT_ENTRY
			return binary.LittleEndian.Uint64(raw[i+8:]), true
		}
	}
	return 0, false
}

// Wait waits for the child to exit.
func (c *Child) Wait() {
	c.wait()
	<-c.done
}

// Kill ends a child that was never released or still runs.
func (c *Child) Kill() {
	if c.release != nil {
		c.release.Close()
		c.release = nil
	}
	c.wait()
	select {
	case <-c.done:
	default:
		c.cmd.Process.Kill()
		<-c.done
	}
}

// ChildMain is what the re-executed gotrace runs: wait for the release,
// then exec the command. args are the path followed by argv.
func ChildMain(args []string) int {
	f := os.NewFile(3, "release")
	ready := os.NewFile(4, "ready")
	ready.Write([]byte{1})
	ready.Close()
	b := make([]byte, 1)
	if n, _ := f.Read(b); n != 1 {
		return 1 // the parent went away without releasing us
	}
	f.Close()
	if len(args) < 2 {
		return 1
	}
	err := syscall.Exec(args[0], args[1:], os.Environ())
	fmt.Fprintf(os.Stderr, "gotrace: -c: cannot run %s: %v\n", args[0], err)
	return 127
}

// watchExit calls done when process pid exits (or ctx ends first).
func watchExit(ctx context.Context, pid int, done func()) error {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("-p %d: %v", pid, err)
	}
	go func() {
		defer unix.Close(fd)
		for ctx.Err() == nil {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, err := unix.Poll(fds, 200)
			if err != nil && err != unix.EINTR {
				return
			}
			if n > 0 {
				done()
				return
			}
		}
	}()
	return nil
}
