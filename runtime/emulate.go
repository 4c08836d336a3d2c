package runtime

import (
	"encoding/binary"
	"fmt"
	"os"
	"sort"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime/output"
	"github.com/gotrace/gotrace/vm"
)

// Emulate runs prog in the VM instead of the kernel (gotrace --emulate):
// no privileges, no kernel. BEGIN runs first; with TestMode the test:
// probes run once each; otherwise the interval probes fire in simulated
// time (each at its period, in order, the clock advancing to the next
// firing) until exit() or MaxTicks firings. Then END runs and the maps are
// printed, through the same printer the kernel path uses. Probes that
// need the kernel (tracepoints, kprobes, uprobes, ...) are reported and
// left out.
func Emulate(prog *codegen.Program, opts Options) (*Result, error) {
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Err == nil {
		opts.Err = os.Stderr
	}
	ncpu := 0
	if opts.Target != nil {
		ncpu = opts.Target.NumCPU()
	}
	if ncpu <= 0 {
		ncpu = 1
	}
	now := uint64(1_000_000_000)
	m := vm.New(vm.Config{
		NumCPU: ncpu, PID: uint32(os.Getpid()), TID: uint32(os.Getpid()),
		UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), Comm: "gotrace",
		Clock: func() uint64 { return now },
	})
	c, err := m.LoadCollection(prog.Spec)
	if err != nil {
		return nil, fmt.Errorf("emulating: %v", err)
	}
	s := newSession(prog, opts)
	s.maps = vmMaps{m: m, c: c}
	defer s.flush()
	printer := s.printer
	globals := make([]byte, prog.Spec.Maps[codegen.GlobalsMap].ValueSize)
	binary.LittleEndian.PutUint64(globals[codegen.GlobalStartNs:], now)
	// The simulated clock runs from now; tseries() times are TAI times
	// from when the emulation starts.
	tai := opts.TaiStart
	if tai == 0 {
		tai = uint64(taiDelta()) + bootNow()
	}
	binary.LittleEndian.PutUint64(globals[codegen.GlobalTaiDelta:], tai-now)
	binary.LittleEndian.PutUint64(globals[codegen.GlobalOne:], 1)
	if err := m.Map(c.Maps[codegen.GlobalsMap]).Update([]byte{0, 0, 0, 0}, globals); err != nil {
		return nil, err
	}
	events := m.Map(c.Maps[codegen.EventsMap])
	runProbe := func(p *codegen.ProbeProg) error {
		if _, err := m.Run(c.Programs[p.Prog], make([]byte, ctxSize(p.Ctx))); err != nil {
			return fmt.Errorf("emulating %s: %v", p.Ctx.Name, err)
		}
		for _, rec := range events.Records() {
			if !s.isExited() {
				s.handle(rec)
			}
		}
		s.flushDrained()
		return nil
	}

	var begin, end, tests, timers []*codegen.ProbeProg
	attached := 0
	for _, p := range prog.Probes {
		switch {
		case p.Ctx.Run == types.RunBegin:
			begin = append(begin, p)
		case p.Ctx.Run == types.RunEnd:
			end = append(end, p)
		case p.Ctx.Run == types.RunTest:
			tests = append(tests, p)
		case p.Ctx.Timer:
			timers = append(timers, p)
		default:
			fmt.Fprintf(opts.Err, "gotrace: --emulate: %s needs the kernel; it is left out\n", p.Ctx.Name)
			continue
		}
		attached++
	}
	if !opts.Quiet {
		printer.Attached(opts.Err, attached)
	}
	if opts.OnAttached != nil {
		if opts.Buffer != FullyBuffered {
			s.flush() // JSON's attached_probes comes first
		}
		opts.OnAttached()
	}
	for _, p := range begin {
		if s.isExited() {
			break // BEGIN programs do not test the stop flag
		}
		if err := runProbe(p); err != nil {
			return nil, err
		}
	}
	if opts.TestMode {
		for _, p := range tests {
			if s.isExited() {
				break
			}
			if err := runProbe(p); err != nil {
				return nil, err
			}
		}
	} else if len(timers) > 0 {
		type timer struct {
			p      *codegen.ProbeProg
			period uint64
			next   uint64
		}
		var ts []*timer
		for _, p := range timers {
			period, err := probes.IntervalPeriod(p.Ctx)
			if err != nil {
				return nil, fmt.Errorf("--emulate: %v", err)
			}
			ts = append(ts, &timer{p: p, period: period, next: now + period})
		}
		for tick := 0; tick < MaxTicks && !s.isExited(); tick++ {
			sort.SliceStable(ts, func(i, j int) bool { return ts[i].next < ts[j].next })
			t := ts[0]
			now = t.next
			t.next += t.period
			if err := runProbe(t.p); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range end {
		s.exited.Store(false) // END's output is printed
		if err := runProbe(p); err != nil {
			return nil, err
		}
	}
	if g, ok := m.Map(c.Maps[codegen.GlobalsMap]).Lookup([]byte{0, 0, 0, 0}); ok {
		s.reportCounters(g)
	}
	printer.End()
	if prog.Settings.PrintMapsOnExit {
		if err := s.printMaps(); err != nil {
			return nil, err
		}
	}
	return &Result{ExitCode: s.code}, nil
}

// MaxTicks bounds how many interval firings an emulated run simulates.
const MaxTicks = 100000

// ctxSize is the size of the (zeroed) context an emulated probe gets.
func ctxSize(ctx *types.Context) int {
	if ctx.Args != nil && ctx.Args.Size > 0 {
		return ctx.Args.Size
	}
	return 8 * 13
}

// vmMaps reads and clears maps in the VM.
type vmMaps struct {
	m *vm.Machine
	c *vm.Collection
}

func (v vmMaps) read(mm *codegen.MapMeta) (*output.Map, error) {
	mp := v.m.Map(v.c.Maps[mm.SpecName])
	om := outputMap(mm)
	for _, k := range mp.Keys() {
		e := output.Entry{Key: k}
		if mm.PerCPU {
			e.PerCPU, _ = mp.LookupPerCPU(k)
		} else {
			val, _ := mp.Lookup(k)
			e.PerCPU = [][]byte{val}
		}
		om.Entries = append(om.Entries, e)
	}
	return om, nil
}

func (v vmMaps) clear(mm *codegen.MapMeta, zero bool) error {
	mp := v.m.Map(v.c.Maps[mm.SpecName])
	for _, k := range mp.Keys() {
		if zero {
			n := 1
			if mm.PerCPU {
				vals, _ := mp.LookupPerCPU(k)
				n = len(vals)
			}
			zeros := make([][]byte, n)
			for i := range zeros {
				zeros[i] = make([]byte, mm.ValSize)
			}
			if err := mp.UpdatePerCPU(k, zeros); err != nil {
				return err
			}
			continue
		}
		if err := mp.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
