package runtime

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
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
	cmd     *exec.Cmd
	release *os.File
	done    chan struct{}
	err     error
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
	c := &Child{cmd: cmd, release: w, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
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

// Release lets the child exec its command.
func (c *Child) Release() error {
	if c.release == nil {
		return nil
	}
	_, err := c.release.Write([]byte{1})
	c.release.Close()
	c.release = nil
	return err
}

// Wait waits for the child to exit.
func (c *Child) Wait() { <-c.done }

// Kill ends a child that was never released or still runs.
func (c *Child) Kill() {
	if c.release != nil {
		c.release.Close()
		c.release = nil
	}
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
