package runtime

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/runtime/output"
)

// Reading a session while it runs: its maps, and its own health. This is
// what --metrics serves on each scrape (package runtime/metrics). Reads
// take no lock of the session's printing: a scrape never holds up
// events, print() or exit, and what it reads is the maps as they are at
// that moment (per-CPU values are added up when printed, as at exit).

// ReadMaps reads every user map of the program now, in name order, with
// what printing them needs (types, bucketing). It may be called from any
// goroutine while the session runs, and after Run has returned until
// Close.
func (S *Session) ReadMaps() ([]*output.Map, error) {
	var out []*output.Map
	for _, mm := range S.s.prog.Maps {
		om, err := S.s.maps.read(mm)
		if err != nil {
			return out, fmt.Errorf("reading %s: %w", mm.Name, err)
		}
		out = append(out, om)
	}
	return out, nil
}

// Symbolizer names the addresses and stacks of the session's maps, for
// printing what ReadMaps returns.
func (S *Session) Symbolizer() output.Symbolizer { return S.s.printer.Sym }

// Health is what a session says of itself.
type Health struct {
	// Probes is the number of probes the script attaches (what
	// "Attached N probes" counts); Attached says they are attached (Run
	// has attached them and not yet detached them).
	Probes   int
	Attached bool
	// Lost counts the records the ring buffer had no room for ("Lost N
	// events").
	Lost uint64
	// MapsFull counts, per map name, the updates the map refused because
	// it was full.
	MapsFull map[string]uint64
	// Programs are the kernel's statistics of each loaded program.
	Programs []ProgramStats
}

// ProgramStats are the kernel's statistics of one program (BPF_ENABLE_STATS
// or kernel.bpf_stats_enabled=1 must be on for run time and count to
// grow; see EnableStats).
type ProgramStats struct {
	Program string // the program's name in the collection
	Probe   string // the probe it runs for ("tracepoint:syscalls:sys_enter_openat")
	// RunTime and RunCount: the time spent in the program and how often
	// it ran.
	RunTime  time.Duration
	RunCount uint64
	// RecursionMisses counts the times it did not run because another
	// program was running on that CPU.
	RecursionMisses uint64
}

// Health reads the session's health now: the globals map's counters and
// each program's statistics. It may be called from any goroutine.
func (S *Session) Health() Health {
	s := S.s
	h := Health{Probes: countProbes(s.prog.Probes), Attached: s.attached.Load(), MapsFull: map[string]uint64{}}
	if m := s.coll.Maps[codegen.GlobalsMap]; m != nil {
		buf := make([]byte, m.ValueSize())
		if m.Lookup(uint32(0), &buf) == nil {
			h.Lost = binary.LittleEndian.Uint64(buf[codegen.GlobalLost:])
			for _, mm := range s.prog.Maps {
				if mm.FullOff+8 <= len(buf) {
					h.MapsFull[mm.Name] = codegen.RefusedUpdates(binary.LittleEndian.Uint64(buf[mm.FullOff:]))
				}
			}
		}
	}
	for _, p := range s.prog.Probes {
		prog := s.coll.Programs[p.Prog]
		if prog == nil {
			continue
		}
		ps := ProgramStats{Program: p.Prog, Probe: p.Ctx.Name}
		if st, err := prog.Stats(); err == nil {
			ps.RunTime, ps.RunCount, ps.RecursionMisses = st.Runtime, st.RunCount, st.RecursionMisses
		}
		h.Programs = append(h.Programs, ps)
	}
	return h
}

// EnableStats turns on the kernel's run-time statistics of BPF programs
// (run time and run count per program) until the returned Closer is
// closed, without touching the kernel.bpf_stats_enabled sysctl: the
// kernel counts while any process holds such a descriptor, and stops
// when the last one is closed (so a killed gotrace leaves nothing on).
// Counting costs some tens of nanoseconds per program run. It needs
// Linux 5.8 and CAP_SYS_ADMIN.
func EnableStats() (io.Closer, error) {
	return ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
}
