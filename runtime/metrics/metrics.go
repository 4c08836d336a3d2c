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
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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

// Collector is a prometheus.Collector reading a Source on every scrape.
type Collector struct {
	src     Source
	created time.Time

	mu    sync.Mutex
	descs map[string]*prometheus.Desc
}

// NewCollector returns a collector of src's maps and health. Counters,
// histograms and summaries record now as their creation time (the maps
// start empty when the session is loaded).
func NewCollector(src Source) *Collector {
	return &Collector{src: src, created: time.Now(), descs: map[string]*prometheus.Desc{}}
}

// Describe sends nothing: the maps' metrics are known when they are
// read (an unchecked collector).
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

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

func (c *Collector) desc(name, help string, labels []string) *prometheus.Desc {
	key := name + "\x00" + strings.Join(labels, ",")
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.descs[key]
	if d == nil {
		d = prometheus.NewDesc(name, help, labels, nil)
		c.descs[key] = d
	}
	return d
}

// Collect reads the maps and the health of the source now.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.collectHealth(ch)
	maps, err := c.src.ReadMaps()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(prometheus.NewDesc("gotrace_map_read_error", "a map could not be read", nil, nil), err)
	}
	sym := c.src.Symbolizer()
	for _, m := range maps {
		c.collectMap(ch, m, sym)
	}
}

func (c *Collector) collectMap(ch chan<- prometheus.Metric, m *output.Map, sym output.Symbolizer) {
	kind := KindOf(m.Value)
	if kind == 0 || !output.HasSeries(m) {
		return
	}
	series := m.Series(sym)
	if len(series) == 0 {
		return
	}
	labels := make([]string, len(series[0].Keys))
	for i := range labels {
		labels[i] = fmt.Sprintf("key%d", i)
	}
	d := c.desc(Name(m.Name, kind), help(m), labels)
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
		var metric prometheus.Metric
		var err error
		switch kind {
		case Counter:
			metric, err = prometheus.NewConstMetricWithCreatedTimestamp(d, prometheus.CounterValue, s.Value, c.created, s.Keys...)
		case Gauge:
			metric, err = prometheus.NewConstMetric(d, prometheus.GaugeValue, s.Value, s.Keys...)
		case Summary:
			metric, err = prometheus.NewConstSummaryWithCreatedTimestamp(d, s.Count, s.Sum, nil, c.created, s.Keys...)
		case Histogram:
			buckets := map[float64]uint64{}
			var cum uint64
			for _, b := range s.Buckets {
				cum += b.Count
				if !math.IsInf(b.UpperBound, 1) {
					buckets[b.UpperBound] = cum
				}
			}
			metric, err = prometheus.NewConstHistogramWithCreatedTimestamp(d, s.Count, s.Sum, buckets, c.created, s.Keys...)
		}
		if err != nil {
			metric = prometheus.NewInvalidMetric(d, err)
		}
		ch <- metric
	}
}

func (c *Collector) collectHealth(ch chan<- prometheus.Metric) {
	h := c.src.Health()
	gauge := func(name, help string, v float64) {
		ch <- prometheus.MustNewConstMetric(c.desc(name, help, nil), prometheus.GaugeValue, v)
	}
	gauge("gotrace_probes", "probes of the script", float64(h.Probes))
	attached := 0
	if h.Attached {
		attached = h.Probes
	}
	gauge("gotrace_probes_attached", "probes of the script attached now", float64(attached))
	ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(c.desc("gotrace_lost_events_total",
		"records the ring buffer had no room for", nil), prometheus.CounterValue, float64(h.Lost), c.created)
	names := make([]string, 0, len(h.MapsFull))
	for name := range h.MapsFull {
		names = append(names, name)
	}
	sort.Strings(names)
	full := c.desc("gotrace_map_full_updates_total", "updates a full map refused", []string{"map"})
	for _, name := range names {
		ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(full, prometheus.CounterValue, float64(h.MapsFull[name]), c.created, name)
	}
	pl := []string{"probe", "program"}
	runs := c.desc("gotrace_program_runs_total", "times the BPF program ran (with BPF statistics enabled)", pl)
	secs := c.desc("gotrace_program_run_seconds_total", "time spent in the BPF program (with BPF statistics enabled)", pl)
	miss := c.desc("gotrace_program_recursion_misses_total", "times the BPF program could not run because another ran on that CPU", pl)
	for _, p := range h.Programs {
		ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(runs, prometheus.CounterValue, float64(p.RunCount), c.created, p.Probe, p.Program)
		ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(secs, prometheus.CounterValue, p.RunTime.Seconds(), c.created, p.Probe, p.Program)
		ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(miss, prometheus.CounterValue, float64(p.RecursionMisses), c.created, p.Probe, p.Program)
	}
}

// Handler serves the source's metrics, and gotrace's process metrics,
// at any path: Prometheus text, or OpenMetrics when the scraper asks.
func Handler(src Source) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(src))
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorHandling:     promhttp.ContinueOnError,
		Timeout:           10 * time.Second,
	})
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
