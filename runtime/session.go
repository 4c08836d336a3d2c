// Package runtime runs a compiled script against the kernel.
//
// A session loads the CollectionSpec (maps first, then programs), writes
// the globals (start time), runs the BEGIN programs through
// BPF_PROG_TEST_RUN, attaches every other program through the probes
// package, and then reads the ring buffer: printf records are formatted
// and printed, an exit record stops the session. Stopping (exit(),
// SIGINT, SIGTERM, or the context) freezes every attached program (each
// as its provider decided, types.FreezeKind: the stop flag they test,
// perf events disabled, raw tracepoints detached), runs the END
// programs, drains what is left in the ring buffer, prints every
// non-empty map the way bpftrace prints them at exit, and then detaches
// every probe.
//
// A program the kernel's verifier rejects is reported at the script
// position of the failing instruction (the instruction's index maps to a
// position through codegen.ProbeProg.Positions).
//
// session.go loads, attaches and ends a session; eventloop.go reads the
// ring buffer while it runs, records.go handles each record, and maps.go
// reads, prints and clears maps.
package runtime

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime/output"
)

// Attacher attaches a loaded program where its context says. The probes
// package provides the real one.
type Attacher func(ctx *types.Context, prog *ebpf.Program) (io.Closer, error)

// Options configure a session.
type Options struct {
	Out    io.Writer // program output (stdout)
	Err    io.Writer // diagnostics (stderr)
	Format output.Format
	Quiet  bool // -q: no "Attached N probes"
	Attach Attacher
	// OnAttached runs once every probe is attached (before events flow).
	OnAttached func()
	// NoSignals leaves SIGINT/SIGTERM alone (tests drive ctx instead).
	NoSignals bool
	// TestMode (--test) runs the test: probes once each after BEGIN and
	// then stops, instead of attaching the other probes.
	TestMode bool
	// PID, when set (-p), ends the session when that process exits.
	PID int
	// DwarfPIDs (--dwarf-pid) are processes whose user stacks dw_ustack
	// unwinds, besides PID and the Child.
	DwarfPIDs []int
	// NoVerify skips gotrace's own verifier before loading.
	NoVerify bool
	// Target is the host the programs load on: what gotrace's verifier
	// must know of it (possible CPUs, private stacks).
	Target probes.Target
	// TaiStart is the TAI time in nanoseconds at which --emulate starts
	// its clock (0: now), so tests can print fixed tseries times.
	TaiStart uint64
	// Loc is the time zone of printed times (nil: the local one).
	Loc *time.Location
	// Child, when set, is released once every probe is attached; the
	// session ends when it exits (-c CMD), even when the script has no
	// probes but BEGIN and END.
	Child *Child
	// Buffer says when output is written (-B): by default whenever the
	// ring buffer is drained.
	Buffer Buffering
	// Profile, when set, takes the maps keyed by stacks instead of the
	// printer (-f pprof, -f flamegraph); the caller closes it after Run
	// to write the file.
	Profile *output.ProfileWriter
	// JSONMeta, when set, adds a time and a host to every JSON record
	// (--json-meta).
	JSONMeta *output.JSONMeta
	// Color colours the first line of run-time warnings as bpftrace does
	// on a terminal (BPFTRACE_COLOR).
	Color bool

	// Hooks of command-line options (modes.go has the rest).
	//
	// OnAttach, when set, is told of each probe once it is attached, with
	// how many of the total are attached then (-v names them, a terminal
	// shows the count). Cancelling the context while probes attach stops
	// the attaching: what was attached is detached, END does not run,
	// and Run returns ErrInterrupted.
	OnAttach func(p *codegen.ProbeProg, done, total int)
	// AttachSyscalls, when set, attaches many system-call tracepoints
	// of one probe at once (probes.AttachSyscalls); an error leaves them
	// to Attach, one by one.
	AttachSyscalls func(exit bool, progs map[int]*ebpf.Program) (io.Closer, error)
	// DryRun (--dry-run) stops once every probe is attached: BEGIN has
	// run, but nothing is printed, END does not run and no map is
	// printed.
	DryRun bool
	// NoWarnings (--no-warnings) drops warnf() and the runtime's
	// warnings.
	NoWarnings bool
	// VerifierLog keeps the kernel verifier's log of every program as
	// it loads (Session.Programs), for -d verifier.
	VerifierLog bool
	// VerboseLoad (-v) loads the programs with the verifier's log at
	// its first level. With either log, a log longer than log_size
	// fails the load, as the kernel does with a buffer of that size
	// (logTooLong).
	VerboseLoad bool
	// BenchMode (--bench) runs the bench: probes after BEGIN, each
	// repeatedly, and reports each through OnBench; nothing else is
	// attached.
	BenchMode bool
	// TestStart and TestDone, with TestMode, are called around each
	// test: probe (TestStart before it runs, TestDone with how it went);
	// OnBench, with BenchMode, with each benchmark's result.
	TestStart func(name string)
	TestDone  func(TestResult)
	OnBench   func(BenchResult)
}

// Result is how a session ended.
type Result struct {
	ExitCode int
}

// Run executes prog until exit(), a signal or ctx ends it.
func Run(ctx context.Context, prog *codegen.Program, opts Options) (*Result, error) {
	s, err := Load(prog, opts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Run(ctx)
}

// Session is a loaded program. Run attaches and runs it; while it runs,
// PrintMap and ClearMap may be called from other goroutines (the REPL's
// .print and .clear of a background program).
type Session struct {
	s *session
}

// Load checks prog with gotrace's verifier and loads it into the kernel.
func Load(prog *codegen.Program, opts Options) (*Session, error) {
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Err == nil {
		opts.Err = os.Stderr
	}
	if !opts.NoVerify {
		var undecided *UndecidedError
		if err := Check(prog, opts.Target, false); err != nil && !errors.As(err, &undecided) {
			return nil, err
		}
	}
	dw, err := dwarfUnwinder(prog, opts)
	if err != nil {
		return nil, err
	}
	_ = rlimit.RemoveMemlock()
	spec := withRingSize(prog.Spec, eventRingBytes(prog))
	spec, release, err := withAttachTargets(prog, spec)
	if err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{
		Programs: loadOptions(prog, opts),
	})
	release()
	if err != nil {
		return nil, explainLoadError(prog, err)
	}
	if err := logTooLong(prog, coll, opts); err != nil {
		coll.Close()
		return nil, err
	}
	if dw != nil {
		if err := dw.start(coll); err != nil {
			coll.Close()
			return nil, err
		}
	}
	s := newSession(prog, opts)
	s.coll, s.maps, s.dw = coll, kernelMaps{coll}, dw
	sym := NewSymbols(coll)
	sym.Demangle = prog.Settings.CppDemangle
	sym.DebugInfo = prog.Settings.ShowDebugInfo
	sym.NoCache = prog.Settings.CacheUserSymbols == "NONE"
	errOut := opts.Err
	sym.Warn = func(format string, args ...any) { fmt.Fprintf(errOut, "WARNING: "+format+"\n", args...) }
	if opts.NoWarnings {
		sym.Warn = func(string, ...any) {}
	}
	s.sym = sym
	s.printer.Sym = sym
	return &Session{s: s}, nil
}

// Run attaches the probes and runs the program until exit(), a signal
// or ctx ends it; then END runs and the maps are printed.
func (S *Session) Run(ctx context.Context) (*Result, error) { return S.s.run(ctx) }

// Close releases the program and its maps.
func (S *Session) Close() { S.s.coll.Close() }

// MapNames lists the program's maps, in name order.
func (S *Session) MapNames() []string {
	var names []string
	for _, m := range S.s.prog.Maps {
		names = append(names, m.Name)
	}
	return names
}

// PrintMap prints one map (as print(@m) would) now.
func (S *Session) PrintMap(name string) error {
	mm := S.s.prog.MapByName(name)
	if mm == nil {
		return fmt.Errorf("the program has no map %s", name)
	}
	om, err := S.s.maps.read(mm)
	if err != nil {
		return err
	}
	S.s.out.Lock()
	defer S.s.out.Unlock()
	err = S.s.printer.Map(om)
	if S.s.opts.Buffer != FullyBuffered {
		S.s.w.Flush()
	}
	return err
}

// ClearMap empties one map now.
func (S *Session) ClearMap(name string) error {
	mm := S.s.prog.MapByName(name)
	if mm == nil {
		return fmt.Errorf("the program has no map %s", name)
	}
	return S.s.maps.clear(mm, false)
}

type session struct {
	prog *codegen.Program
	coll *ebpf.Collection
	opts Options
	// events reads the event ring buffer while the script runs (nil
	// before and after, and when it is emulated).
	events *ringbuf.Reader
	// w gathers the output (opts.Out) and writes it as opts.Buffer says;
	// printer prints into it.
	w       *bufio.Writer
	printer *output.Printer
	// formats holds the compiled format of each printf-like event (by
	// event id; nil for the others).
	formats []*output.Formatter
	// rec is the ring buffer record read into, reused.
	rec         ringbuf.Record
	pollTimeout time.Duration
	maps        mapStore    // where the maps are read and cleared
	dw          *dwUnwinder // feeds dw_ustack's maps (nil: not used)
	sym         *Symbols    // names addresses
	out         sync.Mutex  // held while printing, so output from PrintMap does not interleave
	// fullWarned holds the maps already reported full.
	fullWarned map[string]bool
	// loopWarned holds the for ranges whose refusal by bpf_loop was
	// reported (Program.LongLoops).
	loopWarned map[lang.Pos]bool
	// lost is the lost-record count already reported.
	lost    uint64
	selfSig map[os.Signal][]*codegen.ProbeProg
	// watches holds the links of the watchpoint probes by the address
	// they watch, which unwatch() closes.
	watches map[uint64][]io.Closer
	mu      sync.Mutex
	exited  atomic.Bool
	code    int // exit()'s code, set under mu
	// attached: the probes are attached (Health).
	attached atomic.Bool
	errorfs  int // errorf() records handled (--test fails a test that has any)
	// frozen are the links of the probes frozen by stopping their
	// attachment (types.FreezeByAttachment), which stop freezes.
	frozen []*onceCloser
	// walking: an iter probe's walk is under way; walked: the script
	// walked an iterator (its output after exit() is kept).
	walking atomic.Bool
	walked  bool
}

func (s *session) run(ctx context.Context) (*Result, error) {
	defer s.flush()
	if err := s.writeGlobals(); err != nil {
		return nil, err
	}
	rd, err := ringbuf.NewReader(s.coll.Maps[codegen.EventsMap])
	if err != nil {
		return nil, fmt.Errorf("cannot read the event ring buffer: %w", err)
	}
	defer rd.Close()
	s.events = rd
	defer func() { s.events = nil }()
	var skb *skbWriter
	if len(s.prog.SkbOutputs) > 0 {
		skb, err = startSkbOutput(s.prog, s.coll.Maps[codegen.SkbMap], bufferPages(s.prog.Settings.PerfRbPages, true, possibleCPUs(), os.Getpagesize(), memAvailableKB()))
		if err != nil {
			return nil, err
		}
		defer skb.close()
	}

	var begin, end, tests, benches, rest []*codegen.ProbeProg
	selfSig := map[os.Signal][]*codegen.ProbeProg{}
	for _, p := range s.prog.Probes {
		switch p.Ctx.Run {
		case types.RunBegin:
			begin = append(begin, p)
		case types.RunEnd:
			end = append(end, p)
		case types.RunTest:
			tests = append(tests, p)
		case types.RunBench:
			benches = append(benches, p)
		case types.RunSignal:
			sig, err := selfSignal(p.Ctx.Name)
			if err != nil {
				return nil, lang.Errorf(specPos(p), "%v", err)
			}
			selfSig[sig] = append(selfSig[sig], p)
		default:
			rest = append(rest, p)
		}
	}
	s.selfSig = selfSig
	rest = attachOrder(rest)
	if err := checkIterAlone(rest); err != nil {
		return nil, err
	}
	total := countProbes(begin) + countProbes(end) + countProbes(rest)
	for _, ps := range selfSig {
		total += countProbes(ps)
	}
	runBegin := func() error {
		if err := s.runBegin(begin); err != nil {
			return err
		}
		s.drain(rd, true)
		return nil
	}

	var links []io.Closer
	detach := func() {
		s.attached.Store(false)
		s.frozen = nil
		closeAll(links)
		links = nil
	}
	defer detach()
	if s.opts.TestMode || s.opts.BenchMode {
		if err := runBegin(); err != nil {
			return nil, err
		}
		run := s.runTests
		if !s.opts.TestMode {
			run = s.runBenches
			tests = benches
		}
		if err := run(rd, tests); err != nil {
			return nil, err
		}
	} else {
		// Names of user addresses are read ahead (the probed binaries
		// now, the processes of -p and -c as they start), so that a
		// process that exits still has them, unless lazy_symbolication
		// asks for them to be read only when printed, or nothing is kept.
		userSyms := usesUserSymbols(s.prog) && !s.prog.Settings.LazySymbolicate && s.prog.Settings.CacheUserSymbols != "NONE"
		s.preloadProbed(userSyms)
		// BEGIN runs before the other probes are attached, as bpftrace
		// does: what it records (a start time) precedes every event. What
		// it prints, and the commands it runs with system(), are handled
		// once the probes are attached, so those commands are traced.
		if err := s.runBegin(begin); err != nil {
			return nil, err
		}
		// After exit() in BEGIN nothing is attached: the script has
		// stopped.
		begunExit := len(begin) > 0 && s.exitRan()
		done := total - countProbes(rest)
		grouped := map[*codegen.ProbeProg]bool{}
		if s.opts.AttachSyscalls != nil && !begunExit {
			for _, g := range syscallGroups(rest) {
				if ctx.Err() != nil {
					return nil, ErrInterrupted
				}
				progs := map[int]*ebpf.Program{}
				for nr, p := range g.slots {
					progs[nr] = s.coll.Programs[p.Prog]
				}
				l, err := s.opts.AttachSyscalls(g.exit, progs)
				if err != nil {
					break // attached one by one below
				}
				if g.frozen() {
					// frozen at the stop, detached afterwards
					l = &onceCloser{c: l}
					s.frozen = append(s.frozen, l.(*onceCloser))
				}
				links = append(links, l)
				for _, p := range g.slots {
					grouped[p] = true
					if done += p.Ctx.Count(); s.opts.OnAttach != nil {
						s.opts.OnAttach(p, done, total)
					}
				}
			}
		}
		for _, p := range rest {
			if begunExit {
				break
			}
			if grouped[p] {
				continue
			}
			if ctx.Err() != nil {
				return nil, ErrInterrupted // links are closed by detach
			}
			if s.opts.Attach == nil {
				return nil, fmt.Errorf("no way to attach probe %s", p.Ctx.Name)
			}
			l, err := s.opts.Attach(p.Ctx, s.coll.Programs[p.Prog])
			if err != nil {
				return nil, lang.Errorf(specPos(p), "%v", err)
			}
			if p.Ctx.Freeze == types.FreezeByAttachment && !p.TestsStop {
				// frozen at the stop, detached afterwards
				l = &onceCloser{c: l}
				s.frozen = append(s.frozen, l.(*onceCloser))
			}
			if p.Ctx.WatchAddr != 0 {
				if _, ok := l.(*onceCloser); !ok {
					l = &onceCloser{c: l}
				}
				s.mu.Lock()
				if s.watches == nil {
					s.watches = map[uint64][]io.Closer{}
				}
				s.watches[p.Ctx.WatchAddr] = append(s.watches[p.Ctx.WatchAddr], l)
				s.mu.Unlock()
			}
			links = append(links, l)
			if done += p.Ctx.Count(); s.opts.OnAttach != nil {
				s.opts.OnAttach(p, done, total)
			}
		}
		if s.opts.DryRun {
			return &Result{}, nil
		}
		if !s.opts.Quiet {
			s.printer.Attached(s.opts.Err, total)
		}
		s.attached.Store(true)
		if s.opts.OnAttached != nil {
			if s.opts.Buffer != FullyBuffered {
				s.flush() // JSON's attached_probes comes first
			}
			s.opts.OnAttached()
		}
		s.drain(rd, true)
		tracked := s.trackedPIDs(userSyms)
		if s.opts.Child != nil {
			if err := s.setHeld(0); err != nil {
				return nil, err
			}
			release := s.opts.Child.Release
			if s.dw != nil || userSyms {
				// Unwinding needs the libraries the command maps, and
				// naming its addresses once it has exited needs them read
				// while it runs: from its entry point on, where the
				// dynamic loader has mapped them.
				pid := s.opts.Child.Pid()
				release = func() error {
					return s.opts.Child.ReleaseAtEntry(func() {
						if s.dw != nil {
							s.dw.refresh(pid)
						}
						if userSyms {
							s.sym.Track(pid)
						}
					})
				}
			}
			if err := release(); err != nil {
				return nil, err
			}
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			defer cancel()
			go func() {
				s.opts.Child.Wait()
				// Give events the child caused a moment to arrive.
				time.Sleep(50 * time.Millisecond)
				cancel()
			}()
		}
		if s.dw != nil {
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go s.dw.watch(wctx)
		}
		if len(tracked) > 0 {
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go s.sym.Watch(wctx, tracked)
		}
		if s.opts.PID > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			defer cancel()
			if err := watchExit(ctx, s.opts.PID, cancel); err != nil {
				return nil, err
			}
		}
		// A script of BEGIN and END probes only ends after BEGIN, as
		// bpftrace's does.
		if len(rest) > 0 || len(s.selfSig) > 0 || len(begin)+len(end) == 0 || s.opts.Child != nil {
			var waitIter func()
			ctx, waitIter = s.iterate(ctx, links)
			s.loop(ctx, rd)
			waitIter()
		}
	}
	// Freeze the results, then report them, then detach: detaching
	// hundreds of tracepoints can take seconds (the kernel waits for a
	// grace period per tracepoint), and once frozen the attached programs
	// count and print nothing more.
	s.stop(len(links) > 0)
	if s.isExited() && !s.walked {
		// exit() ends the output: what other probes wrote after it is
		// dropped, as bpftrace stops reading at exit().
		s.discard(rd)
	}
	for _, p := range end {
		if err := s.trigger(p); err != nil {
			return nil, err
		}
	}
	s.drain(rd, false)
	if skb != nil {
		if err := skb.close(); err != nil {
			return nil, err
		}
	}
	s.reportLost()
	s.printer.End()
	if s.prog.Settings.PrintMapsOnExit && !s.opts.TestMode && !s.opts.BenchMode {
		if err := s.printMaps(); err != nil {
			return nil, err
		}
	}
	s.flush()
	detach()
	return &Result{ExitCode: s.code}, nil
}

func specPos(p *codegen.ProbeProg) lang.Pos {
	for _, sp := range p.Probe.Specs {
		return sp.At
	}
	return p.Probe.At
}

// trigger runs a BEGIN or END program once in the current process.
func (s *session) trigger(p *codegen.ProbeProg) error {
	prog := s.coll.Programs[p.Prog]
	if _, err := prog.Run(&ebpf.RunOptions{}); err != nil {
		return fmt.Errorf("running %s: %w", p.Ctx.Name, err)
	}
	return nil
}

// selfSignal returns the signal of a self:signal:NAME probe.
func selfSignal(name string) (os.Signal, error) {
	parts := strings.Split(name, ":")
	sig := parts[len(parts)-1]
	if !strings.HasPrefix(sig, "SIG") {
		sig = "SIG" + sig
	}
	n := unix.SignalNum(sig)
	if n == 0 {
		return nil, fmt.Errorf("unknown signal %s in probe %s", parts[len(parts)-1], name)
	}
	switch n {
	case unix.SIGKILL, unix.SIGSTOP, unix.SIGINT, unix.SIGTERM:
		return nil, fmt.Errorf("probe %s: %s cannot be used (gotrace needs it to stop)", name, sig)
	}
	return n, nil
}

// taiDelta is CLOCK_TAI minus CLOCK_BOOTTIME in nanoseconds, read with
// the two clocks as close together as can be (tseries() adds it to the
// boot time, as bpftrace does).
func taiDelta() uint64 {
	var tai, boot unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &boot) != nil || unix.ClockGettime(unix.CLOCK_TAI, &tai) != nil {
		return uint64(time.Now().UnixNano())
	}
	return uint64(tai.Nano() - boot.Nano())
}

// bootNow is CLOCK_BOOTTIME in nanoseconds.
func bootNow() uint64 {
	var boot unix.Timespec
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &boot)
	return uint64(boot.Nano())
}

func (s *session) writeGlobals() error {
	m := s.coll.Maps[codegen.GlobalsMap]
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return err
	}
	buf := make([]byte, m.ValueSize())
	binary.LittleEndian.PutUint64(buf[codegen.GlobalStartNs:], uint64(ts.Nano()))
	binary.LittleEndian.PutUint64(buf[codegen.GlobalTaiDelta:], taiDelta())
	binary.LittleEndian.PutUint64(buf[codegen.GlobalOne:], 1)
	if s.opts.Child != nil {
		binary.LittleEndian.PutUint64(buf[codegen.GlobalCpid:], uint64(s.opts.Child.Pid()))
		if err := s.setHeld(s.opts.Child.Pid()); err != nil {
			return err
		}
	}
	return m.Put(uint32(0), buf)
}

// stop freezes the attached programs: it stops the attachments that
// can be stopped at once (types.FreezeByAttachment: perf events
// disabled, raw tracepoints detached) and sets the stop flag
// (codegen.StopMap) that the others test, as exit() does in the kernel.
// From then on only END's programs do anything, so what is printed at
// exit is what was counted until then, however long detaching takes.
// With attached probes, it returns once the programs that were already
// running have finished (settle), so that their records are in the ring
// buffer and their map updates are done.
func (s *session) stop(attached bool) {
	// at once: closing a bpf_link waits for a grace period, which
	// closes running together share
	var wg sync.WaitGroup
	for _, l := range s.frozen {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Freeze()
		}()
	}
	wg.Wait()
	if m := s.coll.Maps[codegen.StopMap]; m != nil {
		m.Put(uint32(0), uint64(1))
	}
	if attached {
		settle()
	}
}

// runBegin runs the BEGIN programs in order, and no more of them once
// one has called exit() (they do not test the stop flag:
// types.FreezeByRuntime).
func (s *session) runBegin(begin []*codegen.ProbeProg) error {
	for i, p := range begin {
		if i > 0 && s.exitRan() {
			break
		}
		if err := s.trigger(p); err != nil {
			return err
		}
	}
	return nil
}

// exitRan reports whether a program has called exit(), from its code in
// the globals, before its record is read.
func (s *session) exitRan() bool {
	buf, ok := s.readGlobals()
	return ok && binary.LittleEndian.Uint64(buf[codegen.GlobalExit:]) != 0
}

// settle waits until every BPF program running on any CPU has returned.
// The kernel runs the programs of tracepoints, kprobes, uprobes and perf
// events inside RCU read-side sections (preemption disabled, or
// rcu_read_lock), and membarrier's global command returns only after a
// full RCU grace period on a machine of more than one CPU, that is after
// every such section that had begun has ended. Where the command is
// refused (nohz_full CPUs), a pause far longer than any probe's program
// does instead.
func settle() {
	const membarrierCmdGlobal = 1 // MEMBARRIER_CMD_GLOBAL
	if _, _, errno := unix.Syscall(unix.SYS_MEMBARRIER, membarrierCmdGlobal, 0, 0); errno != 0 {
		time.Sleep(10 * time.Millisecond)
	}
}

// setHeld tells the probes which process is the -c child still waiting
// to exec its command (0: none), so that they skip its events.
func (s *session) setHeld(pid int) error {
	m := s.coll.Maps[codegen.HeldMap]
	if m == nil {
		return nil
	}
	return m.Put(uint32(0), uint64(pid))
}
