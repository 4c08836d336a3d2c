package output

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// pprof profiles (github.com/google/pprof/proto/profile.proto), the
// format of `go tool pprof`, pprof's web UI, Pyroscope, Parca, Grafana
// and most continuous profilers.
//
// Each profile map is one sample type, named after the map ("@cpu" is
// "cpu", "@" is "samples"), so several maps share one file and
// `go tool pprof -sample_index=NAME` picks one; a sample of one map has 0
// for the others. The unit is count for count(), else read from the
// map's name: a name ending in _ns, _us, _ms, _s or _bytes has that unit
// (@offcpu_ns[kstack] = sum(...) is in nanoseconds), else count.
//
// A sample's locations are its frames, leaf first. Every frame is named
// already (gotrace names them while the processes are there), so each
// mapping says HasFunctions and pprof does not look for the binaries.
// User frames keep the process's mapping (start, limit, file offset, the
// file as the process sees it, its build id), so that a pprof that has
// the binaries (PPROF_BINARY_PATH, by build id) can add source lines;
// kernel frames are in one [kernel.kallsyms] mapping with the running
// kernel's build id, kernel modules in one mapping each. A label of the
// key (comm, pid, ...) is a string label, or a numeric one for integers.

// PprofOptions are what a profile records besides its samples.
type PprofOptions struct {
	Time     time.Time     // when profiling started (zero: not recorded)
	Duration time.Duration // how long it ran (0: not recorded)
	Comments []string      // shown by pprof -comments
}

// pprofUnits are the units a map's name may end with.
var pprofUnits = map[string]string{
	"ns": "nanoseconds", "us": "microseconds", "ms": "milliseconds", "s": "seconds",
	"bytes": "bytes",
}

// SampleType is the pprof sample type of a profile map: its name and
// unit.
func SampleType(p *StackProfile) (typ, unit string) {
	typ = strings.TrimPrefix(p.Map, "@")
	if typ == "" {
		typ = "samples"
	}
	unit = "count"
	if p.AggFn != "count" {
		if i := strings.LastIndexByte(typ, '_'); i >= 0 {
			if u, ok := pprofUnits[typ[i+1:]]; ok {
				unit = u
			}
		}
	}
	return typ, unit
}

// Pprof builds one pprof profile of several profile maps.
func Pprof(ps []*StackProfile, opts PprofOptions) (*profile.Profile, error) {
	b := &pprofBuilder{
		p:     &profile.Profile{Comments: opts.Comments},
		maps:  map[mappingKey]*profile.Mapping{},
		funcs: map[[2]string]*profile.Function{},
		locs:  map[locKey]*profile.Location{},
	}
	if !opts.Time.IsZero() {
		b.p.TimeNanos = opts.Time.UnixNano()
	}
	b.p.DurationNanos = int64(opts.Duration)
	seen := map[string]bool{}
	for _, sp := range ps {
		typ, unit := SampleType(sp)
		if seen[typ] {
			return nil, fmt.Errorf("two maps make the pprof sample type %q", typ)
		}
		seen[typ] = true
		b.p.SampleType = append(b.p.SampleType, &profile.ValueType{Type: typ, Unit: unit})
	}
	if len(b.p.SampleType) > 0 {
		b.p.DefaultSampleType = b.p.SampleType[0].Type
	}
	// Mappings of unknown extent cover the addresses seen in them.
	for _, sp := range ps {
		for _, s := range sp.Samples {
			for _, f := range s.Stack {
				b.extent(f)
			}
		}
	}
	for i, sp := range ps {
		for _, s := range sp.Samples {
			smp := &profile.Sample{Value: make([]int64, len(ps))}
			smp.Value[i] = s.Value
			for _, f := range s.Stack {
				smp.Location = append(smp.Location, b.location(f))
			}
			for _, l := range s.Labels {
				if l.IsNum {
					if smp.NumLabel == nil {
						smp.NumLabel = map[string][]int64{}
					}
					smp.NumLabel[l.Key] = append(smp.NumLabel[l.Key], l.Num)
					continue
				}
				if smp.Label == nil {
					smp.Label = map[string][]string{}
				}
				smp.Label[l.Key] = append(smp.Label[l.Key], l.Str)
			}
			b.p.Sample = append(b.p.Sample, smp)
		}
	}
	// pprof takes the first mapping for the main binary: user code's
	// mappings go first, the kernel's last.
	sort.SliceStable(b.p.Mapping, func(i, j int) bool {
		return !strings.HasPrefix(b.p.Mapping[i].File, "[") && strings.HasPrefix(b.p.Mapping[j].File, "[")
	})
	for i, m := range b.p.Mapping {
		m.ID = uint64(i + 1)
	}
	if err := b.p.CheckValid(); err != nil {
		return nil, err
	}
	return b.p, nil
}

// WritePprof writes profile maps as one gzip-compressed pprof profile.
func WritePprof(w io.Writer, ps []*StackProfile, opts PprofOptions) error {
	p, err := Pprof(ps, opts)
	if err != nil {
		return err
	}
	return p.Write(w)
}

type mappingKey struct {
	start, limit, off uint64
	file, buildID     string
}

type locKey struct {
	mapping uint64
	addr    uint64
	fn      string
}

type pprofBuilder struct {
	p     *profile.Profile
	maps  map[mappingKey]*profile.Mapping
	funcs map[[2]string]*profile.Function
	locs  map[locKey]*profile.Location
}

// mappingOf is the key of a frame's mapping; frames whose mapping is
// not known share one per object (and build id).
func mappingOf(f Frame) (mappingKey, bool) {
	if f.Object == "" && f.BuildID == "" {
		return mappingKey{}, false
	}
	if f.MapLimit == 0 {
		return mappingKey{file: f.Object, buildID: f.BuildID}, true
	}
	return mappingKey{start: f.MapStart, limit: f.MapLimit, off: f.MapOff, file: f.Object, buildID: f.BuildID}, true
}

// extent makes or widens the mapping of a frame of unknown extent to
// cover its address.
func (b *pprofBuilder) extent(f Frame) {
	k, ok := mappingOf(f)
	if !ok || f.MapLimit != 0 {
		return
	}
	m := b.maps[k]
	if m == nil {
		m = &profile.Mapping{ID: uint64(len(b.p.Mapping) + 1), Start: f.Addr, Limit: f.Addr + 1, File: f.Object,
			BuildID: f.BuildID, HasFunctions: true}
		b.maps[k] = m
		b.p.Mapping = append(b.p.Mapping, m)
		return
	}
	m.Start = min(m.Start, f.Addr)
	m.Limit = max(m.Limit, f.Addr+1)
}

func (b *pprofBuilder) mapping(f Frame) *profile.Mapping {
	k, ok := mappingOf(f)
	if !ok {
		return nil
	}
	if m := b.maps[k]; m != nil {
		return m
	}
	m := &profile.Mapping{ID: uint64(len(b.p.Mapping) + 1), Start: f.MapStart, Limit: f.MapLimit, Offset: f.MapOff,
		File: f.Object, BuildID: f.BuildID, HasFunctions: true}
	b.maps[k] = m
	b.p.Mapping = append(b.p.Mapping, m)
	return m
}

func (b *pprofBuilder) location(f Frame) *profile.Location {
	m := b.mapping(f)
	var mid uint64
	if m != nil {
		mid = m.ID
	}
	name := f.Name()
	k := locKey{mapping: mid, addr: f.Addr, fn: name}
	if l := b.locs[k]; l != nil {
		return l
	}
	fk := [2]string{name, f.Object}
	fn := b.funcs[fk]
	if fn == nil {
		fn = &profile.Function{ID: uint64(len(b.p.Function) + 1), Name: name, SystemName: name}
		b.funcs[fk] = fn
		b.p.Function = append(b.p.Function, fn)
	}
	l := &profile.Location{ID: uint64(len(b.p.Location) + 1), Mapping: m, Address: f.Addr,
		Line: []profile.Line{{Function: fn}}}
	b.locs[k] = l
	b.p.Location = append(b.p.Location, l)
	return l
}
