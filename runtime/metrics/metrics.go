// Package metrics serves a running script's maps as Prometheus metrics
// (gotrace --metrics ADDR): on every scrape the maps are read from the
// kernel as they are at that moment and turned into metrics, in the
// Prometheus text format or OpenMetrics, as the scraper asks.
//
// # From maps to metrics
//
// Each map with numbers is one metric family named gotrace_NAME (@ alone
// is gotrace_map), its key's elements labels key0, key1, ... in the
// key's order, each as bpftrace prints it (a stack as its frames from
// the root, joined by ';'). The aggregation decides the type:
//
//	count(), sum() of unsigned values  counter gotrace_NAME_total
//	sum() of signed values             gauge (a counter may not go down)
//	min(), max(), avg()                gauge (avg: the average)
//	stats()                            summary: _count and _sum (the total)
//	hist(), lhist()                    histogram with the same buckets
//
// A histogram's bucket le is the largest value the bucket holds (the
// buckets hold integers: bpftrace's [4, 8) is le="7"), as bpftrace's
// JSON gives "max"; an lhist has all its buckets, a hist those up to its
// last non-empty one, and both the +Inf bucket. bpftrace's histograms do
// not keep the sum of their values, so _sum is NaN.
//
// Only aggregations are exported. Maps of plain values (@start[tid] =
// nsecs) are a script's state in bpftrace's idiom, keyed by thread or
// request: exported, each key would be a series of its own, and Prometheus
// would keep millions. A value meant as a metric is written with an
// aggregation (max(), sum()); tseries are left out too.
//
// # gotrace's own health
//
//	gotrace_probes                              probes of the script ("Attached N probes")
//	gotrace_probes_attached                     those attached now (0 before attaching and after exit)
//	gotrace_lost_events_total                   records the ring buffer had no room for
//	gotrace_map_full_updates_total{map}         updates a full map refused
//	gotrace_program_runs_total{probe,program}   times each BPF program ran
//	gotrace_program_run_seconds_total{...}      time spent in it
//	gotrace_program_recursion_misses_total{...} times it could not run (another program ran on that CPU)
//	process_*                                   gotrace's own CPU time, memory and descriptors
//
// Program runs and run time are counted by the kernel while statistics
// are enabled (runtime.EnableStats, which --metrics turns on for the
// session, or kernel.bpf_stats_enabled=1); without them they stay 0.
//
// A map whose metric name would be one of these gets the name
// gotrace_map_NAME instead.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/runtime"
	"github.com/gotrace/gotrace/runtime/output"
)

// Source is what metrics are read from: a running session
// (*runtime.Session).
type Source interface {
	ReadMaps() ([]*output.Map, error)
	Health() runtime.Health
	Symbolizer() output.Symbolizer
}

var _ Source = (*runtime.Session)(nil)

// Collector reads a Source's maps and health as metric families, on
// every scrape.
type Collector struct {
	src Source
}

// NewCollector returns a collector of src's maps and health.
func NewCollector(src Source) *Collector {
	return &Collector{src: src}
}

var healthNames = map[string]bool{
	"gotrace_probes": true, "gotrace_probes_attached": true, "gotrace_lost_events_total": true,
	"gotrace_map_full_updates_total": true, "gotrace_program_runs_total": true,
	"gotrace_program_run_seconds_total": true, "gotrace_program_recursion_misses_total": true,
}

// Kind is the Prometheus type a map's values get.
type Kind int

const (
	Counter Kind = iota + 1
	Gauge
	Summary
	Histogram
)

// KindOf decides the metric type of a map's values (0: the map has no
// numbers to export).
func KindOf(v *types.Type) Kind {
	if v == nil {
		return 0
	}
	if v.Kind != types.Agg {
		return 0 // plain values are state, not metrics
	}
	switch v.AggFn {
	case types.AggCount:
		return Counter
	case types.AggSum:
		if v.AggArg != nil && v.AggArg.Signed {
			return Gauge
		}
		return Counter
	case types.AggMin, types.AggMax, types.AggAvg:
		return Gauge
	case types.AggStats:
		return Summary
	case types.AggHist, types.AggLhist:
		return Histogram
	}
	return 0
}

// Name is the metric family name of a map of that kind.
func Name(mapName string, k Kind) string {
	base := sanitize(strings.TrimPrefix(mapName, "@"))
	if base == "" {
		base = "map"
	}
	name := "gotrace_" + base
	if k == Counter && !strings.HasSuffix(name, "_total") {
		name += "_total"
	}
	if healthNames[name] || healthNames[name+"_total"] {
		name = "gotrace_map_" + strings.TrimPrefix(name, "gotrace_")
	}
	return name
}

// sanitize keeps the characters a metric name may have.
func sanitize(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == ':', r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

func help(m *output.Map) string {
	fn := "a value"
	if m.Value.Kind == types.Agg {
		fn = m.Value.AggFn.String() + "()"
	}
	return fmt.Sprintf("gotrace map %s: %s", m.Name, fn)
}

// gather reads the maps and the health of the source now, as families
// in exposition order. A map that cannot be read is left out.
func (c *Collector) gather() []*family {
	fams := c.health()
	maps, _ := c.src.ReadMaps()
	sym := c.src.Symbolizer()
	byName := map[string]*family{}
	for _, f := range fams {
		byName[f.name] = f
	}
	for _, m := range maps {
		f := c.mapFamily(m, sym)
		if f == nil {
			continue
		}
		if prev := byName[f.name]; prev != nil {
			// two maps whose names sanitize alike: one family
			prev.metrics = append(prev.metrics, f.metrics...)
			continue
		}
		byName[f.name] = f
		fams = append(fams, f)
	}
	sortFamilies(fams)
	return fams
}

func (c *Collector) mapFamily(m *output.Map, sym output.Symbolizer) *family {
	kind := KindOf(m.Value)
	if kind == 0 || !output.HasSeries(m) {
		return nil
	}
	series := m.Series(sym)
	if len(series) == 0 {
		return nil
	}
	names := make([]string, len(series[0].Keys))
	for i := range names {
		names[i] = fmt.Sprintf("key%d", i)
	}
	f := &family{name: Name(m.Name, kind), help: help(m), kind: kind}
	// Entries whose keys print the same (two stacks with the same
	// names) are one series: counts added, the first gauge kept.
	merged := map[string]*output.Series{}
	var order []string
	for i := range series {
		s := &series[i]
		k := strings.Join(s.Keys, "\x00")
		prev := merged[k]
		if prev == nil {
			merged[k] = s
			order = append(order, k)
			continue
		}
		switch kind {
		case Counter:
			prev.Value += s.Value
		case Summary:
			prev.Count += s.Count
			prev.Sum += s.Sum
		case Histogram:
			prev.Count += s.Count
			for j := range prev.Buckets {
				if j < len(s.Buckets) {
					prev.Buckets[j].Count += s.Buckets[j].Count
				}
			}
		}
	}
	for _, k := range order {
		s := merged[k]
		mt := metric{labels: labels(names, s.Keys)}
		switch kind {
		case Counter, Gauge:
			mt.value = s.Value
		case Summary:
			mt.count, mt.sum = s.Count, s.Sum
		case Histogram:
			mt.count, mt.sum = s.Count, s.Sum
			var cum uint64
			for _, b := range s.Buckets {
				cum += b.Count
				if !math.IsInf(b.UpperBound, 1) {
					mt.buckets = append(mt.buckets, bucket{le: b.UpperBound, count: cum})
				}
			}
			sort.SliceStable(mt.buckets, func(i, j int) bool { return mt.buckets[i].le < mt.buckets[j].le })
		}
		f.metrics = append(f.metrics, mt)
	}
	return f
}

// health is gotrace's own families (the package comment lists them).
func (c *Collector) health() []*family {
	h := c.src.Health()
	one := func(name, help string, k Kind, v float64) *family {
		return &family{name: name, help: help, kind: k, metrics: []metric{{value: v}}}
	}
	attached := 0
	if h.Attached {
		attached = h.Probes
	}
	fams := []*family{
		one("gotrace_probes", "probes of the script", Gauge, float64(h.Probes)),
		one("gotrace_probes_attached", "probes of the script attached now", Gauge, float64(attached)),
		one("gotrace_lost_events_total", "records the ring buffer had no room for", Counter, float64(h.Lost)),
	}
	full := &family{name: "gotrace_map_full_updates_total", help: "updates a full map refused", kind: Counter}
	for name, n := range h.MapsFull {
		full.metrics = append(full.metrics, metric{labels: labels([]string{"map"}, []string{name}), value: float64(n)})
	}
	runs := &family{name: "gotrace_program_runs_total", help: "times the BPF program ran (with BPF statistics enabled)", kind: Counter}
	secs := &family{name: "gotrace_program_run_seconds_total", help: "time spent in the BPF program (with BPF statistics enabled)", kind: Counter}
	miss := &family{name: "gotrace_program_recursion_misses_total", help: "times the BPF program could not run because another ran on that CPU", kind: Counter}
	pl := []string{"probe", "program"}
	for _, p := range h.Programs {
		ls := labels(pl, []string{p.Probe, p.Program})
		runs.metrics = append(runs.metrics, metric{labels: ls, value: float64(p.RunCount)})
		secs.metrics = append(secs.metrics, metric{labels: ls, value: p.RunTime.Seconds()})
		miss.metrics = append(miss.metrics, metric{labels: ls, value: float64(p.RecursionMisses)})
	}
	return append(fams, full, runs, secs, miss)
}

// Handler serves the source's metrics, and gotrace's process metrics,
// at any path: Prometheus text, or OpenMetrics when the scraper asks.
func Handler(src Source) http.Handler {
	c := NewCollector(src)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fams := append(c.gather(), processFamilies()...)
		sortFamilies(fams)
		om := acceptsOpenMetrics(r.Header.Get("Accept"))
		if om {
			w.Header().Set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores")
		} else {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8; escaping=underscores")
		}
		writeExposition(w, fams, om)
	})
}

// acceptsOpenMetrics reports whether an Accept header asks for
// OpenMetrics (version 1.0.0, or no version) before the text format.
func acceptsOpenMetrics(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		params := strings.Split(part, ";")
		switch strings.TrimSpace(params[0]) {
		case "application/openmetrics-text":
			for _, p := range params[1:] {
				if v, ok := strings.CutPrefix(strings.TrimSpace(p), "version="); ok && v != "1.0.0" && v != "0.0.1" {
					return false
				}
			}
			return true
		case "text/plain", "*/*":
			return false
		}
	}
	return false
}

// Server serves metrics over HTTP.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Serve listens on addr (host:port; ":9100", "127.0.0.1:0") now, so that
// a port in use is an error before the script runs, and serves the
// source's metrics at /metrics (and a pointer to it at /) until Close.
func Serve(addr string, src Source) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", Handler(src))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "gotrace: the metrics are at /metrics")
	})
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, ln: ln, done: make(chan error, 1)}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address the server listens on (with the port chosen, for
// port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving, waiting a moment for scrapes under way. Call it
// before the session is closed (a scrape reads its maps).
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if e := <-s.done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
