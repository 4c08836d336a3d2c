package probes

import (
	"github.com/cilium/ebpf/btf"

	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/lang/types"
)

// perfEvent is one of the perf_event_open(2) events the software and
// hardware providers name.
type perfEvent struct {
	Name    string
	Alias   string
	Config  uint64 // PERF_COUNT_SW_* or PERF_COUNT_HW_*
	Default uint64 // sample period when the spec gives no count
}

var softwareEvents = []perfEvent{
	{"alignment-faults", "", unix.PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
	{"bpf-output", "", unix.PERF_COUNT_SW_BPF_OUTPUT, 1},
	{"context-switches", "cs", unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	{"cpu-clock", "cpu", unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	{"cpu-migrations", "", unix.PERF_COUNT_SW_CPU_MIGRATIONS, 1},
	{"dummy", "", unix.PERF_COUNT_SW_DUMMY, 1},
	{"emulation-faults", "", unix.PERF_COUNT_SW_EMULATION_FAULTS, 1},
	{"major-faults", "", unix.PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
	{"minor-faults", "", unix.PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
	{"page-faults", "faults", unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	{"task-clock", "", unix.PERF_COUNT_SW_TASK_CLOCK, 1},
}

var hardwareEvents = []perfEvent{
	{"backend-stalls", "", unix.PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000},
	{"branch-instructions", "branches", unix.PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
	{"branch-misses", "", unix.PERF_COUNT_HW_BRANCH_MISSES, 100000},
	{"bus-cycles", "", unix.PERF_COUNT_HW_BUS_CYCLES, 100000},
	{"cache-misses", "", unix.PERF_COUNT_HW_CACHE_MISSES, 1000000},
	{"cache-references", "", unix.PERF_COUNT_HW_CACHE_REFERENCES, 1000000},
	{"cpu-cycles", "cycles", unix.PERF_COUNT_HW_CPU_CYCLES, 1000000},
	{"frontend-stalls", "", unix.PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000},
	{"instructions", "", unix.PERF_COUNT_HW_INSTRUCTIONS, 1000000},
	{"ref-cycles", "", unix.PERF_COUNT_HW_REF_CPU_CYCLES, 1000000},
}

func lookupPerfEvent(provider, name string) *perfEvent {
	list := softwareEvents
	if provider == "hardware" {
		list = hardwareEvents
	}
	for i := range list {
		if list[i].Name == name || (list[i].Alias != "" && list[i].Alias == name) {
			return &list[i]
		}
	}
	return nil
}

// perfContexts answers Contexts for interval, profile, software and
// hardware probes: programs of type perf_event, no args.
// perfCtx is the type of `ctx` in perf event probes (interval, profile,
// software, hardware): struct bpf_perf_event_data from the kernel's BTF
// (the registers, sample_period, addr), nil without BTF.
func (e *env) perfCtx() *types.Type {
	spec, err := e.t.KernelBTF()
	if err != nil {
		return nil
	}
	var st *btf.Struct
	if spec.TypeByName("bpf_perf_event_data", &st) != nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.btfConv().convert(st)
}

func perfContexts(t Target, s Spec) ([]*types.Context, error) {
	if !t.Has(FeaturePerfEvent) {
		return nil, specErrorf("%s probes need perf_event BPF programs, which this kernel does not have", s.Provider)
	}
	if s.Provider == "hardware" && !t.Has(FeatureHardware) {
		return nil, &SpecError{
			Msg:  "hardware probe " + s.Name() + " is not available: this machine has no hardware performance counters",
			Hint: "virtual machines often have no PMU; software:cpu-clock or profile probes sample on timers instead",
		}
	}
	return []*types.Context{{Provider: s.Provider, Name: s.Name(), Kind: types.ProgPerfEvent}}, nil
}

// openPerfEvent opens a sampling perf event on one CPU for all processes.
// freq says whether period is a frequency in Hz rather than a period.
func openPerfEvent(typ uint32, config, period uint64, freq bool, cpu int) (int, error) {
	return openPerfEventOn(typ, config, period, freq, -1, cpu, false)
}

// openPerfEventOn opens a perf event on a thread (tid; -1: every thread)
// and a CPU (-1: every CPU).
func openPerfEventOn(typ uint32, config, period uint64, freq bool, tid, cpu int, inherit bool) (int, error) {
	attr := unix.PerfEventAttr{
		Type:        typ,
		Config:      config,
		Size:        uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample:      period,
		Sample_type: unix.PERF_SAMPLE_RAW,
		Wakeup:      1,
	}
	if freq {
		attr.Bits |= unix.PerfBitFreq
	}
	if inherit {
		// the threads and processes the thread starts later count too
		// (the kernel gives their copies of the event the program)
		attr.Bits |= unix.PerfBitInherit
	}
	fd, err := unix.PerfEventOpen(&attr, tid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return -1, err
	}
	return fd, nil
}

// perfAttachment holds the perf events of one probe and what attached the
// program to them. Close detaches and closes everything.
type perfAttachment struct {
	fds   []int
	links []link.Link
	// overflow: the program runs on the events' overflows (a perf event
	// program: profile, interval, software, hardware, watchpoint), so
	// disabling the events stops it (Freeze). The program of a
	// tracepoint's, kprobe's or uprobe's event runs whether the event is
	// enabled or not: Freeze closes its bpf_links instead.
	overflow bool
}

// Freezer is an attachment whose program user space can stop at once,
// cheaply, before detaching it (types.FreezeByAttachment).
type Freezer interface {
	Freeze() error
}

// Freeze stops the program. Events that run it on their overflows are
// disabled: once PERF_EVENT_IOC_DISABLE returns (it runs on the event's
// CPU, or where its thread runs), no overflow runs it. Other events
// (tracepoints, uprobes) lose the program itself: closing a perf
// bpf_link takes the program out of the event's program array, which
// costs the kernel one RCU grace period and, done from many goroutines
// at once, one for them all (200 tracepoints: about 90 ms), while
// closing the perf event itself waits for a grace period under the
// kernel's event mutex, one event after another (about 40 ms each).
// The events stay open until Close.
func (p *perfAttachment) Freeze() error {
	if p.overflow {
		var errs []error
		for _, fd := range p.fds {
			errs = append(errs, unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_DISABLE, 0))
		}
		return errors.Join(errs...)
	}
	if len(p.links) == 0 {
		return errors.New("the program of this perf event was attached without a bpf_link, and runs until the event is closed")
	}
	var errs []error
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	p.links = nil
	return errors.Join(errs...)
}

func (p *perfAttachment) Close() error {
	var errs []error
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	for _, fd := range p.fds {
		unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_DISABLE, 0)
		errs = append(errs, unix.Close(fd))
	}
	p.links, p.fds = nil, nil
	return errors.Join(errs...)
}

// perfLinkOK says whether to attach perf events through bpf_links; tests
// replace it to exercise the ioctl path.
var perfLinkOK = sync.OnceValue(func() bool { return host.Has(FeaturePerfLink) })

// attachPerf opens the event on each of cpus and attaches prog to every
// one.
func attachPerf(name string, prog *ebpf.Program, typ uint32, config, period uint64, freq bool, cpus []int) (io.Closer, error) {
	return attachPerfOn(name, prog, typ, config, period, freq, cpus, nil, false)
}

// attachPerfOn opens the event on each of cpus, or with tids, on each of
// those threads wherever they run (with inherit, also on the threads and
// processes they start later), and attaches prog to every one.
func attachPerfOn(name string, prog *ebpf.Program, typ uint32, config, period uint64, freq bool, cpus, tids []int, inherit bool) (io.Closer, error) {
	pa := &perfAttachment{overflow: true}
	type place struct{ tid, cpu int }
	var places []place
	for _, cpu := range cpus {
		places = append(places, place{-1, cpu})
	}
	if tids != nil {
		places = places[:0]
		for _, tid := range tids {
			places = append(places, place{tid, -1})
		}
	}
	for _, at := range places {
		fd, err := openPerfEventOn(typ, config, period, freq, at.tid, at.cpu, inherit)
		if err != nil {
			pa.Close()
			switch {
			case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EOPNOTSUPP):
				return nil, fmt.Errorf("cannot attach probe %s: the kernel has no such perf event (%v)", name, err)
			case at.tid >= 0 && errors.Is(err, unix.ESRCH):
				continue // the thread has exited since it was listed
			case at.tid >= 0:
				return nil, fmt.Errorf("cannot attach probe %s: perf_event_open on thread %d: %v", name, at.tid, err)
			}
			return nil, fmt.Errorf("cannot attach probe %s: perf_event_open on CPU %d: %v", name, at.cpu, err)
		}
		if err := attachPerfFD(pa, fd, prog); err != nil {
			pa.Close()
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
	}
	runtime.KeepAlive(prog)
	return pa, nil
}

// attachPerfFD adds the perf event fd to pa and attaches prog to it:
// through a perf bpf_link when the kernel has them (5.15+), else with
// PERF_EVENT_IOC_SET_BPF and PERF_EVENT_IOC_ENABLE.
func attachPerfFD(pa *perfAttachment, fd int, prog *ebpf.Program) error {
	pa.fds = append(pa.fds, fd)
	if perfLinkOK() {
		l, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
		if err != nil {
			return err
		}
		pa.links = append(pa.links, l)
		return nil
	}
	if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_SET_BPF, prog.FD()); err != nil {
		return fmt.Errorf("PERF_EVENT_IOC_SET_BPF: %v", err)
	}
	if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
		return fmt.Errorf("PERF_EVENT_IOC_ENABLE: %v", err)
	}
	return nil
}

// onlineCPUs lists the CPUs perf events can be opened on.
func onlineCPUs() []int {
	var cpus []int
	if b, err := readSmall("/sys/devices/system/cpu/online"); err == nil {
		cpus = parseCPURanges(b)
	}
	if len(cpus) == 0 {
		for i := 0; i < runtime.NumCPU(); i++ {
			cpus = append(cpus, i)
		}
	}
	return cpus
}

// ratePeriod turns an interval/profile spec into a perf sample period in
// nanoseconds of cpu-clock, or a frequency (freq true) for hz.
func ratePeriod(s Spec) (period uint64, freq bool) {
	switch s.Target {
	case "s":
		return s.Freq * 1e9, false
	case "ms":
		return s.Freq * 1e6, false
	case "us":
		return s.Freq * 1e3, false
	case "hz":
		return s.Freq, true
	}
	return s.Freq, false
}

// attachInterval attaches an interval probe (on one CPU) or a profile
// probe (on every CPU, or, with pid, on the threads of that process, and
// with inherit on what it starts later).
func attachInterval(s Spec, name string, prog *ebpf.Program, pid int, inherit bool) (io.Closer, error) {
	period, freq := ratePeriod(s)
	cpus := []int{0}
	if s.Provider == "profile" {
		cpus = onlineCPUs()
		if pid > 0 {
			tids, err := processThreads(pid)
			if err != nil {
				return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
			}
			return attachPerfOn(name, prog, unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_CLOCK, period, freq, nil, tids, inherit)
		}
	} else if on := onlineCPUs(); len(on) > 0 {
		cpus = on[:1]
	}
	return attachPerf(name, prog, unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_CLOCK, period, freq, cpus)
}

// attachPerfCounter attaches a software or hardware probe on every CPU,
// or, with pid, on the threads of that process (and with inherit on what
// it starts later).
func attachPerfCounter(s Spec, name string, prog *ebpf.Program, pid int, inherit bool) (io.Closer, error) {
	ev := lookupPerfEvent(s.Provider, s.Target)
	if ev == nil {
		return nil, fmt.Errorf("cannot attach probe %s: %s is not a %s probe", name, s.Target, s.Provider)
	}
	typ := uint32(unix.PERF_TYPE_SOFTWARE)
	if s.Provider == "hardware" {
		typ = unix.PERF_TYPE_HARDWARE
	}
	period := s.Freq
	if period == 0 {
		period = ev.Default
	}
	var tids []int
	if pid > 0 {
		var err error
		if tids, err = processThreads(pid); err != nil {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
	}
	return attachPerfOn(name, prog, typ, ev.Config, period, false, onlineCPUs(), tids, inherit)
}

// IntervalPeriod is the period in nanoseconds of an interval or profile
// probe's context (for the VM, which simulates time).
func IntervalPeriod(ctx *types.Context) (uint64, error) {
	s, err := specOf(ctx)
	if err != nil {
		return 0, err
	}
	period, freq := ratePeriod(s)
	if freq && period > 0 {
		period = 1_000_000_000 / period
	}
	if period == 0 {
		return 0, fmt.Errorf("probe %s has no period", ctx.Name)
	}
	return period, nil
}

// timerProvider is the profile provider (interval: the interval
// provider): a perf timer event on every CPU (interval: on one).
type timerProvider struct{ interval bool }

func (timerProvider) parse(s *Spec, args []string) error {
	return parseRate(s, args)
}

func (timerProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.perfContexts(s)
}

func (p timerProvider) facts(c *types.Context) {
	c.Timer = p.interval
	c.InProcess = !p.interval // profile samples whatever process runs
	c.Freeze = types.FreezeByAttachment
}

func (timerProvider) attach(a attachment) (io.Closer, error) {
	return attachInterval(a.spec, a.name, a.prog, a.pid, a.descendants)
}

func (timerProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return matchNames(name, []string{"hz:", "ms:", "s:", "us:"}, rest), nil
}

// counterProvider is the software and hardware providers: a perf event
// counter that fires every so many events.
type counterProvider struct{}

func (counterProvider) parse(s *Spec, args []string) error {
	n := len(args)
	if n != 1 && n != 2 {
		return countError(s.Provider, n, 1, 2)
	}
	s.Target = args[0]
	if n == 2 && args[1] != "*" && args[1] != "" {
		v, err := ParseUint(args[1])
		if err != nil {
			return specErrorf("Invalid count for %s probe: %v", s.Provider, err)
		}
		s.Freq = v
	}
	if s.Target == "" {
		return specErrorf("%s probe must have a %s event name", s.Provider, s.Provider)
	}
	if HasWildcard(s.Target) {
		return specErrorf("wildcards are not allowed for %s probe type", s.Provider)
	}
	if lookupPerfEvent(s.Provider, s.Target) == nil {
		e := specErrorf("%s is not a %s probe", s.Target, s.Provider)
		e.Hint = "list them with: gotrace -l '" + s.Provider + ":*'"
		return e
	}
	return nil
}

func (counterProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.perfContexts(s)
}

func (counterProvider) facts(c *types.Context) {
	c.InProcess = true
	c.Freeze = types.FreezeByAttachment
}

func (counterProvider) attach(a attachment) (io.Closer, error) {
	return attachPerfCounter(a.spec, a.name, a.prog, a.pid, a.descendants)
}

func (counterProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	list := softwareEvents
	if name == "hardware" {
		if !t.Has(FeatureHardware) {
			return nil, nil
		}
		list = hardwareEvents
	}
	var names []string
	for _, ev := range list {
		names = append(names, ev.Name+":")
		if ev.Alias != "" {
			names = append(names, ev.Alias+":")
		}
	}
	return matchNames(name, names, rest), nil
}

// perfContexts expands a perf event attach point; its programs see
// struct bpf_perf_event_data through ctx.
func (e *env) perfContexts(s Spec) ([]*types.Context, error) {
	ctxs, err := perfContexts(e.t, s)
	ctx := e.perfCtx()
	for _, c := range ctxs {
		c.Ctx = ctx
		e.context(s, c)
	}
	return ctxs, err
}
