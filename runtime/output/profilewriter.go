package output

import (
	"github.com/gotrace/gotrace/lang/types"

	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// How profiles reach the printer's user.
//
// -f folded is a Format: the printer prints maps keyed by stacks as
// folded stacks where text would show them (at exit, print(@m), the
// REPL's .print), everything else as text, and no blank lines before the
// maps at exit, so that its output goes straight into flamegraph.pl,
// inferno or speedscope.
//
// pprof profiles and SVG flame graphs are files written once: a
// ProfileWriter set as the printer's Profile takes every map keyed by
// stacks the printer is asked to print (the last print of a map wins;
// at exit that is its final content), and writes them all, as one
// profile, when it is closed. Everything else the script prints goes on
// through the printer as text (or JSON), so the script's own output is
// still seen while the profile is written to its file.

// ProfileFormat is the kind of file a ProfileWriter writes.
type ProfileFormat int

const (
	PprofProfile  ProfileFormat = iota + 1 // gzip-compressed pprof protobuf
	FlameGraphSVG                          // interactive SVG flame graph
	FoldedProfile                          // folded stacks, as text
)

// ParseFormat reads the value of -f: text, json, folded (Formats of the
// printer), or pprof and flamegraph, which print text and write their
// profile to a ProfileWriter (prof is then set).
func ParseFormat(s string) (f Format, prof ProfileFormat, err error) {
	switch s {
	case "text":
		return Text, 0, nil
	case "json":
		return JSON, 0, nil
	case "folded":
		return Folded, 0, nil
	case "pprof":
		return Text, PprofProfile, nil
	case "flamegraph", "svg":
		return Text, FlameGraphSVG, nil
	}
	return Text, 0, fmt.Errorf("unknown output format %q: text, json, folded, pprof or flamegraph", s)
}

// ProfileWriter gathers the profile maps a printer prints and writes
// them as one file when closed. Its methods may be called from several
// goroutines.
type ProfileWriter struct {
	w      io.Writer
	format ProfileFormat
	// Pprof is what a pprof profile records besides its samples (Time
	// defaults to when the writer was made, Duration to the time until
	// Close).
	Pprof PprofOptions
	// FlameGraph titles an SVG flame graph.
	FlameGraph FlameGraphOptions

	mu      sync.Mutex
	start   time.Time
	order   []string
	maps    map[string]*StackProfile
	closed  bool
	written bool
}

// NewProfileWriter returns a writer of profiles of the given format to w.
func NewProfileWriter(w io.Writer, f ProfileFormat) *ProfileWriter {
	return &ProfileWriter{w: w, format: f, start: time.Now(), maps: map[string]*StackProfile{}}
}

// Add keeps a profile map read with ProfileOf, replacing an earlier one
// of the same map.
func (pw *ProfileWriter) Add(p *StackProfile) {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	if _, ok := pw.maps[p.Map]; !ok {
		pw.order = append(pw.order, p.Map)
	}
	pw.maps[p.Map] = p
}

// Profiles returns the maps kept, in the order they were first added.
func (pw *ProfileWriter) Profiles() []*StackProfile {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	ps := make([]*StackProfile, 0, len(pw.order))
	for _, name := range pw.order {
		ps = append(ps, pw.maps[name])
	}
	return ps
}

// ErrNoProfile is what Close returns when no map keyed by stacks was
// printed: the script made no profile (the file is still written, empty
// of samples, so that a pipeline reading it sees why).
var ErrNoProfile = errors.New("no map keyed by a stack (kstack, ustack) was printed: there is no profile to write")

// Close writes the profile once; later calls do nothing. It does not
// close the underlying writer.
func (pw *ProfileWriter) Close() error {
	ps := pw.Profiles()
	pw.mu.Lock()
	if pw.closed {
		pw.mu.Unlock()
		return nil
	}
	pw.closed = true
	pw.mu.Unlock()
	var err error
	switch pw.format {
	case PprofProfile:
		opts := pw.Pprof
		if opts.Time.IsZero() {
			opts.Time = pw.start
		}
		if opts.Duration == 0 {
			opts.Duration = time.Since(pw.start)
		}
		err = WritePprof(pw.w, ps, opts)
	case FlameGraphSVG:
		err = WriteFlameGraph(pw.w, ps, pw.FlameGraph)
	case FoldedProfile:
		err = WriteFolded(pw.w, ps...)
	default:
		err = fmt.Errorf("unknown profile format %d", pw.format)
	}
	if err == nil && len(ps) == 0 {
		err = ErrNoProfile
	}
	return err
}

// profileMap is the printer's part: a map keyed by stacks goes to the
// ProfileWriter or is printed as folded stacks; done says it was.
// MapAs prints m in the format print(@m, "format") asks for: text,
// JSON or folded stacks wherever the output goes, even under another
// -f, and even when -f pprof or flamegraph collect the maps keyed by
// stacks into a file (the script asked for this one to be printed).
// MapFormatDefault prints as Map does.
func (p *Printer) MapAs(m *Map, as types.MapFormat) error {
	f, ok := map[types.MapFormat]Format{types.MapFormatText: Text, types.MapFormatJSON: JSON, types.MapFormatFolded: Folded}[as]
	if !ok {
		return p.Map(m)
	}
	q := *p
	q.f, q.Profile = f, nil
	return q.Map(m)
}

func (p *Printer) profileMap(m *Map) (done bool, err error) {
	if (p.Profile == nil && p.f != Folded) || !IsProfile(m) {
		return false, nil
	}
	sp, err := ProfileOf(m, p.Sym)
	if err != nil {
		return true, err
	}
	if p.Profile != nil {
		p.Profile.Add(sp)
		return true, nil
	}
	return true, WriteFolded(p.w, sp)
}
