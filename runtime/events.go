package runtime

import (
	"bufio"
	"bytes"
	"maps"
	"os"
	"strconv"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/runtime/output"
)

// Buffering says when a session writes the output it has gathered (-B).
type Buffering int

const (
	// LineBuffered (-B line, the default) writes whenever the ring buffer
	// is drained: a line appears at once when events are few, and a
	// backlog goes out in large writes, not in a write per line.
	LineBuffered Buffering = iota
	// FullyBuffered (-B full) writes when outBufSize bytes have gathered,
	// and at the end.
	FullyBuffered
	// Unbuffered (-B none) writes after every record.
	Unbuffered
)

// ParseBuffering reads -B's argument: line, full or none.
func ParseBuffering(mode string) (Buffering, bool) {
	switch mode {
	case "line":
		return LineBuffered, true
	case "full":
		return FullyBuffered, true
	case "none":
		return Unbuffered, true
	}
	return 0, false
}

const (
	// outBufSize is the session's output buffer: what -B full gathers
	// before a write, and the largest write of a backlog.
	outBufSize = 64 << 10
	// pollTimeout is how long the event loop waits for a record before it
	// looks at lost events, signals and exit() again.
	pollTimeout = 100 * time.Millisecond
	// lostEvery is how often lost events are reported while events flow.
	lostEvery = 200 * time.Millisecond
	// A drain that found floodBatch records or more is a flood: the event
	// loop pauses floodPause before it reads on, so that records arrive
	// in batches and the kernel wakes it up at most once a pause, instead
	// of once every few records. A person watching sees a line at once
	// when events are few; at two million records a second, a pause
	// gathers about 64 KiB of records, which a ring buffer of
	// minPauseRing holds many times over (smaller ones never pause).
	floodBatch   = 64
	floodPause   = time.Millisecond
	minPauseRing = 1 << 20
	// checkEvery is how many records the event loop handles between looks
	// at the clock (for lost events) while a backlog lasts.
	checkEvery = 256
)

// newSession prepares what a session prints with: the buffered writer,
// the printer, and each event's compiled format.
func newSession(prog *codegen.Program, opts Options) *session {
	s := &session{prog: prog, opts: opts, pollTimeout: pollTimeout}
	s.w = bufio.NewWriterSize(opts.Out, outBufSize)
	s.printer = newPrinter(s.w, opts)
	if prog.File != nil {
		s.printer.Src = prog.File.Src
	}
	s.formats = make([]*output.Formatter, len(prog.Events))
	for i, ev := range prog.Events {
		switch ev.Kind {
		case codegen.EventPrintf, codegen.EventErrorf, codegen.EventWarnf, codegen.EventCat, codegen.EventSystem:
			slots := make([]output.Slot, len(ev.Args))
			for j, a := range ev.Args {
				slots[j] = output.Slot{Type: a.Type, Offset: a.Offset, Size: slotBytes(a.Type)}
			}
			s.formats[i] = output.NewFormatter(ev.Format, ev.Conversions, slots)
		}
	}
	return s
}

// flushDrained writes the gathered output now that the ring buffer is
// drained, unless output is fully buffered.
func (s *session) flushDrained() {
	if s.opts.Buffer == FullyBuffered {
		return
	}
	s.out.Lock()
	s.w.Flush()
	s.out.Unlock()
}

// beforeStderr writes the gathered output before a message goes to
// stderr, so that the two keep their order, unless output is fully
// buffered (then stdout is written at the end) or JSON (then messages go
// to the output too). The caller holds s.out.
func (s *session) beforeStderr() {
	if s.opts.Buffer != FullyBuffered && s.opts.Format != output.JSON {
		s.w.Flush()
	}
}

// flush writes all gathered output.
func (s *session) flush() {
	s.out.Lock()
	s.w.Flush()
	s.out.Unlock()
}

// Buffer sizes. Unset (0, the default), perf_rb_pages is bpftrace's
// automatic size: the memory available, at least 256 KiB and at most the
// ceiling, in the closest power of two of pages. bpftrace's ceiling is
// 16544 KiB; gotrace's is 4 MiB. The reader maps the ring buffer, and its
// pages count in gotrace's memory (twice: the kernel maps the data twice,
// so that records wrap around): 16 MiB would make a hello world take 43 MB
// instead of 12, 4 MiB takes 19, within a quarter of bpftrace's 90
// (DESIGN.md's budget), and 4 MiB holds 65 ms of backlog at two million
// 32-byte records a second, which the event loop, reading a millisecond's
// records at a time, is far from needing.
//
// Set, perf_rb_pages counts pages as bpftrace counts them: the pages of
// the whole event ring buffer (at least one per CPU), and for skboutput's
// perf buffer, which has a ring per CPU, the setting divided among the
// CPUs. The kernel wants a power of two: the closest one is taken.
const (
	ringFloorKB   = 256
	ringCeilingKB = 4096
)

// eventRingBytes is the size of the event ring buffer: perf_rb_pages
// when it is set, else the automatic size, except for a script whose
// programs all run through BPF_PROG_TEST_RUN (begin, end, self, test,
// bench) and none attached: those run one at a time while gotrace waits,
// and gotrace drains the ring after each batch, so the floor's 256 KiB
// holds what they write (some 8,000 printf records of a loop in BEGIN),
// and hello world does not pay for allocating and mapping 4 MiB (a few
// milliseconds, the largest part of its start-up).
func eventRingBytes(prog *codegen.Program) int {
	pageSize := os.Getpagesize()
	avail := 0
	switch {
	case prog.Settings.PerfRbPages > 0:
	case runByRuntimeOnly(prog):
		avail = ringFloorKB
	default:
		avail = memAvailableKB()
	}
	return pageSize * bufferPages(prog.Settings.PerfRbPages, false, possibleCPUs(), pageSize, avail)
}

// runByRuntimeOnly reports whether none of prog's probes is attached to
// an event: gotrace runs each of them itself.
func runByRuntimeOnly(prog *codegen.Program) bool {
	for _, p := range prog.Probes {
		if p.Ctx.Run == types.RunAttached {
			return false
		}
	}
	return true
}

// bufferPages is the number of pages of an event buffer for the
// perf_rb_pages setting (0: automatic), on ncpu CPUs with availKB KiB of
// memory available (0: unknown): of the one ring buffer, or, perCPU, of
// each CPU's ring of a perf event array.
func bufferPages(setting int, perCPU bool, ncpu, pageSize, availKB int) int {
	ncpu = max(ncpu, 1)
	if setting > 0 {
		if perCPU {
			return closestPow2((setting + ncpu - 1) / ncpu)
		}
		return closestPow2(max(setting, ncpu))
	}
	kb := ringCeilingKB
	if availKB > 0 {
		kb = min(availKB, ringCeilingKB)
	}
	bytes := max(kb, ringFloorKB) * 1024
	if perCPU {
		bytes /= ncpu
	}
	return closestPow2(max(bytes/pageSize, 1))
}

// closestPow2 is the power of two closest to n (the smaller one on a tie).
func closestPow2(n int) int {
	lo := 1
	for lo*2 <= n {
		lo *= 2
	}
	if lo == n || n-lo <= 2*lo-n {
		return lo
	}
	return 2 * lo
}

// memAvailableKB reads MemAvailable from /proc/meminfo (0: unknown).
func memAvailableKB() int {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("MemAvailable:")); ok {
			f := bytes.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.Atoi(string(f[0]))
				return n
			}
		}
	}
	return 0
}

// withRingSize returns spec with the event ring buffer of size bytes,
// leaving spec itself as it is.
func withRingSize(spec *ebpf.CollectionSpec, size int) *ebpf.CollectionSpec {
	ms := spec.Maps[codegen.EventsMap]
	if ms == nil || ms.MaxEntries == uint32(size) {
		return spec
	}
	cs := *spec
	cs.Maps = maps.Clone(spec.Maps)
	m := ms.Copy()
	m.MaxEntries = uint32(size)
	cs.Maps[codegen.EventsMap] = m
	return &cs
}
