package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
)

// What the command line's options need of a session beyond running a
// script: --test and --bench runs, the programs as loaded (-v, -d
// verifier), --no-warnings, and an attach stopped by Ctrl-C.

// ErrInterrupted is Run's error when the context ended while probes
// were being attached (Ctrl-C during a long attach): every probe
// attached so far has been detached again.
var ErrInterrupted = errors.New("interrupted while attaching probes")

// TestResult is how one test: probe went (TestMode). A test passes when
// its program returns 0, it calls no exit() with a non-zero code and no
// errorf().
type TestResult struct {
	Name         string // the probe's name: test:NAME
	Index, Total int    // its place among the script's tests
	Passed       bool
	Duration     time.Duration // the test's run, as timed around the kernel's test run
}

// BenchResult is how one bench: probe went (BenchMode).
type BenchResult struct {
	Name         string // bench:NAME
	Index, Total int
	// Average is the program's average run time; Iters the runs it is
	// the average of.
	Average time.Duration
	Iters   int
	// Skipped: the program returned non-zero, as a benchmark does to
	// skip itself. Failed: it called exit() with a non-zero code or
	// errorf(). Neither has an Average.
	Skipped, Failed bool
	// KernelTimed says that Average is the kernel's own count of the
	// program's run time (kernel.bpf_stats), not a time measured around
	// the system calls that ran it.
	KernelTimed bool
}

// LoadedProgram is one program as the kernel loaded it.
type LoadedProgram struct {
	Probe string // the attach point's name
	Name  string // the program's name in the collection
	ID    uint32 // the kernel's program id (bpftool prog show id N)
	// VerifierLog is the kernel verifier's log (with Options.VerifierLog).
	VerifierLog string
	Insns       int
}

// Programs lists the loaded programs in the order of the script's
// probes.
func (S *Session) Programs() []LoadedProgram {
	var out []LoadedProgram
	for _, p := range S.s.prog.Probes {
		prog := S.s.coll.Programs[p.Prog]
		if prog == nil {
			continue
		}
		lp := LoadedProgram{Probe: p.Ctx.Name, Name: p.Prog, VerifierLog: prog.VerifierLog}
		if ps := S.s.prog.Spec.Programs[p.Prog]; ps != nil {
			lp.Insns = len(ps.Instructions)
		}
		if info, err := prog.Info(); err == nil {
			if id, ok := info.ID(); ok {
				lp.ID = uint32(id)
			}
		}
		out = append(out, lp)
	}
	return out
}

// loadOptions are the options programs load with: the verifier's log is
// kept, at the script's log_size, when asked for.
func loadOptions(prog *codegen.Program, opts Options) ebpf.ProgramOptions {
	po := ebpf.ProgramOptions{LogSizeStart: 1 << 20}
	if opts.VerifierLog || opts.VerboseLoad {
		po.LogLevel = ebpf.LogLevelBranch
		if opts.VerifierLog {
			po.LogLevel |= ebpf.LogLevelStats
		}
		if n := prog.Settings.LogSize; n > 0 {
			po.LogSizeStart = uint32(min(n, 1<<30))
		}
	}
	return po
}

// logTooLong is the error of a load whose verifier log (asked for with
// -v or -d verifier) is longer than log_size: the kernel fails such a
// load with ENOSPC when the log buffer is log_size bytes, as bpftrace's
// is. (The loader itself grows the buffer until the log fits, so the
// length is known.) The program is named as bpftrace names it.
func logTooLong(prog *codegen.Program, coll *ebpf.Collection, opts Options) error {
	n := prog.Settings.LogSize
	if !opts.VerifierLog && !opts.VerboseLoad || n <= 0 {
		return nil
	}
	for i, p := range prog.Probes {
		lp := coll.Programs[p.Prog]
		if lp == nil || len(lp.VerifierLog)+1 <= n {
			continue
		}
		name := bpftraceProgName(p.Ctx.Name, i+1)
		return fmt.Errorf("Error loading BPF program for %s. Error code: -%d (No space left on device).\n"+
			"WARNING: Kernel log seems to be trimmed: the verifier's log of %s is %d bytes, log_size is %d; "+
			"raise it with BPFTRACE_LOG_SIZE or `config = { log_size = N }`",
			name, int(unix.ENOSPC), p.Ctx.Name, len(lp.VerifierLog)+1, n)
	}
	return nil
}

// bpftraceProgName is the name bpftrace gives the program of the index-th
// probe (from 1): the probe's name with each character other than a
// letter, a digit or '_' made '_', then _index.
func bpftraceProgName(probe string, index int) string {
	b := []byte(probe)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return fmt.Sprintf("%s_%d", b, index)
}

// skip reports whether a ring buffer record is not to be handled:
// warnf() with NoWarnings. It counts errorf() records for --test.
func (s *session) skip(rec []byte) bool {
	if len(rec) < 8 {
		return false
	}
	id := binary.LittleEndian.Uint64(rec)
	if id >= uint64(len(s.prog.Events)) {
		return false
	}
	switch s.prog.Events[id].Kind {
	case codegen.EventWarnf:
		return s.opts.NoWarnings
	case codegen.EventErrorf:
		s.mu.Lock()
		s.errorfs++
		s.mu.Unlock()
	}
	return false
}

// clearGlobalExit zeroes exit()'s code in the globals map, so that the
// next test or benchmark starts as if none had run.
func (s *session) clearGlobalExit() {
	buf, ok := s.readGlobals()
	if !ok {
		return
	}
	binary.LittleEndian.PutUint64(buf[codegen.GlobalExit:], 0)
	s.coll.Maps[codegen.GlobalsMap].Put(uint32(0), buf)
	if stop := s.coll.Maps[codegen.StopMap]; stop != nil {
		stop.Put(uint32(0), uint64(0)) // the next run's probes run again
	}
}

// outcome is exit()'s code (when exit() ran) and the errorf() count so
// far, after what the ring buffer holds is handled.
func (s *session) outcome() (code, errorfs int) {
	s.reportLost() // exit() whose record found no room
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exited.Load() {
		code = s.code
	}
	return code, s.errorfs
}

// runTests runs each test: probe once, as bpftrace's --test does: in
// the order of the script, each from a clean exit() state, whatever the
// ones before did.
func (s *session) runTests(rd *ringbuf.Reader, tests []*codegen.ProbeProg) error {
	for i, p := range tests {
		s.resetExit()
		if s.opts.TestStart != nil {
			s.opts.TestStart(p.Ctx.Name)
		}
		start := time.Now()
		ret, err := s.coll.Programs[p.Prog].Run(&ebpf.RunOptions{})
		dur := time.Since(start)
		if err != nil {
			return err
		}
		s.drain(rd, true)
		code, errorfs := s.outcome()
		if s.opts.TestDone != nil {
			s.opts.TestDone(TestResult{Name: p.Ctx.Name, Index: i, Total: len(tests),
				Passed: ret == 0 && code == 0 && errorfs == 0, Duration: dur})
		}
	}
	s.resetExit()
	return nil
}

// runBenches runs each bench: probe repeatedly until the runs add up to
// a millisecond, as bpftrace's --bench does, with their output thrown
// away, and reports the average run time. The time is the kernel's own
// count (BPF_ENABLE_STATS) where it may be turned on, else the time
// around the system calls that run the program, which includes their
// cost.
func (s *session) runBenches(rd *ringbuf.Reader, benches []*codegen.ProbeProg) error {
	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err == nil {
		defer stats.Close()
	}
	for i, p := range benches {
		prog := s.coll.Programs[p.Prog]
		res := BenchResult{Name: p.Ctx.Name, Index: i, Total: len(benches)}
		for iters := 1; ; {
			s.resetExit()
			before, statErr := prog.Stats()
			start := time.Now()
			var ret uint32
			for k := 0; k < iters; k++ {
				if ret, err = prog.Run(&ebpf.RunOptions{}); err != nil {
					return err
				}
				if k%256 == 255 {
					s.countDiscarded(rd)
				}
			}
			total := time.Since(start)
			after, statErr2 := prog.Stats()
			s.countDiscarded(rd)
			code, errorfs := s.outcome()
			if code == 0 && ret != 0 {
				res.Skipped = true
				break
			}
			kernel := stats != nil && statErr == nil && statErr2 == nil && after.RunCount > before.RunCount
			if kernel {
				total = (after.Runtime - before.Runtime) * time.Duration(iters) / time.Duration(after.RunCount-before.RunCount)
			}
			switch {
			case total < time.Microsecond:
				iters *= 1000
				continue
			case total < 10*time.Microsecond:
				iters *= 100
				continue
			case total < 100*time.Microsecond:
				iters *= 10
				continue
			case total < time.Millisecond:
				iters *= 2
				continue
			}
			if code != 0 || errorfs != 0 {
				res.Failed = true
				break
			}
			res.Average, res.Iters, res.KernelTimed = total/time.Duration(iters), iters, kernel
			break
		}
		if s.opts.OnBench != nil {
			s.opts.OnBench(res)
		}
	}
	s.resetExit()
	return nil
}

// countDiscarded empties the ring buffer without printing anything (a
// benchmark's output is not shown), counting errorf() records; exit()
// leaves its code in the globals too, where outcome finds it.
func (s *session) countDiscarded(rd *ringbuf.Reader) {
	for {
		rd.SetDeadline(time.Now())
		rec, err := rd.Read()
		if err != nil {
			return
		}
		s.skip(rec.RawSample)
	}
}

// Interrupt ends a running session the way Ctrl-C ends bpftrace's: what
// the probes recorded and was not printed yet is dropped (a flood of
// events behind the signal is not worked through), then END runs and
// the maps are printed, and the status is exit()'s if exit() ran, else
// 0. Called before every probe is attached, it stops the attach early
// instead: use the context for that (Run then returns ErrInterrupted).
func (S *Session) Interrupt() {
	s := S.s
	s.mu.Lock()
	s.exited.Store(true) // s.code stays exit()'s, or 0
	s.mu.Unlock()
}

// closeAll closes the links of attached probes, many at a time: the
// kernel waits for an RCU grace period as each tracepoint loses its last
// program, and one after the other, 700 tracepoints took 30 s to detach
// (with Ctrl-C, gotrace seemed to hang); side by side the waits overlap
// and they take about a second.
func closeAll(links []io.Closer) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, 64)
	for _, l := range links {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			l.Close()
			<-slots
		}()
	}
	wg.Wait()
}
