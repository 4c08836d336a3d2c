package metrics

import (
	"bytes"
	"encoding/binary"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/runtime"
	"github.com/gotrace/gotrace/runtime/output"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b
}

func str(s string, n int) []byte {
	b := make([]byte, n)
	copy(b, s)
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func agg(fn string, arg *types.Type, params ...int64) *types.Type {
	return &types.Type{Kind: types.Agg, AggFn: aggFns[fn], AggArg: arg, AggParams: params}
}

var aggFns = map[string]types.AggFn{"count": types.AggCount, "sum": types.AggSum, "min": types.AggMin, "max": types.AggMax,
	"avg": types.AggAvg, "stats": types.AggStats, "hist": types.AggHist, "lhist": types.AggLhist}

// per makes a value on two CPUs.
func per(a, b []byte) [][]byte { return [][]byte{a, b} }

// minmax is a min()/max() value: the value and a "set" word.
func minmax(v int64) []byte { return cat(u64(uint64(v)), u64(1)) }

type fakeSource struct {
	maps   []*output.Map
	health runtime.Health
}

func (f *fakeSource) ReadMaps() ([]*output.Map, error) { return f.maps, nil }
func (f *fakeSource) Health() runtime.Health           { return f.health }
func (f *fakeSource) Symbolizer() output.Symbolizer    { return nil }

// testSource has one map of each kind.
func testSource() *fakeSource {
	comm := types.StrType(16)
	return &fakeSource{
		maps: []*output.Map{
			{Name: "@syscalls", Key: comm, Value: agg("count", nil), Entries: []output.Entry{
				{Key: str("bash", 16), PerCPU: per(u64(3), u64(4))},
				{Key: str(`we"ird\`, 16), PerCPU: per(u64(1), u64(0))},
			}},
			{Name: "@", Value: agg("count", nil), Entries: []output.Entry{{Key: u64(0), PerCPU: per(u64(5), u64(5))}}},
			{Name: "@bytes", Key: types.TupleOf(comm, types.Int64), Value: agg("sum", types.Int64), Entries: []output.Entry{
				{Key: cat(str("cat", 16), u64(7)), PerCPU: per(u64(100), u64(^uint64(149)))},
			}},
			{Name: "@max", Value: agg("max", types.Int64), Entries: []output.Entry{{Key: u64(0), PerCPU: per(minmax(9), minmax(12))}}},
			{Name: "@avg", Value: agg("avg", types.Uint64), Entries: []output.Entry{{Key: u64(0), PerCPU: per(cat(u64(30), u64(2)), cat(u64(10), u64(2)))}}},
			{Name: "@st", Value: agg("stats", types.Uint64), Entries: []output.Entry{{Key: u64(0), PerCPU: per(cat(u64(30), u64(2)), cat(u64(10), u64(2)))}}},
			{Name: "@lat", Key: comm, Value: agg("hist", types.Int64, 0), Bucketed: true, BucketOff: 16, Entries: []output.Entry{
				// values 0 (bucket 1), 5 (bucket 4: [4, 8)) twice, 1000 (bucket 11: [512, 1K))
				{Key: cat(str("bash", 16), u64(1)), PerCPU: per(u64(1), u64(0))},
				{Key: cat(str("bash", 16), u64(4)), PerCPU: per(u64(1), u64(1))},
				{Key: cat(str("bash", 16), u64(11)), PerCPU: per(u64(0), u64(1))},
			}},
			{Name: "@lin", Value: agg("lhist", types.Int64, 0, 30, 10), Bucketed: true, BucketOff: 8, Entries: []output.Entry{
				// -5 (bucket 0), 15 (bucket 2: [10, 20)), 99 (bucket 4: [30, ...))
				{Key: cat(u64(0), u64(0)), PerCPU: per(u64(1), u64(0))},
				{Key: cat(u64(0), u64(2)), PerCPU: per(u64(1), u64(0))},
				{Key: cat(u64(0), u64(4)), PerCPU: per(u64(0), u64(1))},
			}},
			{Name: "@val", Key: types.Uint32, Value: types.Int64, Entries: []output.Entry{{Key: u64(1)[:4], PerCPU: [][]byte{u64(^uint64(0))}}}},
			{Name: "@names", Key: types.Uint32, Value: comm, Entries: []output.Entry{{Key: u64(1)[:4], PerCPU: [][]byte{str("x", 16)}}}},
			{Name: "@lost_events", Value: agg("count", nil), Entries: []output.Entry{{Key: u64(0), PerCPU: per(u64(1), u64(0))}}},
		},
		health: runtime.Health{Probes: 3, Attached: true, Lost: 2, MapsFull: map[string]uint64{"@syscalls": 0, "@lat": 4},
			Programs: []runtime.ProgramStats{{Program: "prog_0", Probe: "tracepoint:syscalls:sys_enter_openat", RunTime: 1500 * time.Microsecond, RunCount: 30}}},
	}
}

func exposition(t *testing.T, src Source) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(src))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestExposition: every kind of map as its metric (golden file).
func TestExposition(t *testing.T) {
	got := exposition(t, testSource())
	golden := filepath.Join("testdata", "exposition.txt")
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("exposition differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

// TestPromtool: the exposition served, as Prometheus text and as
// OpenMetrics, passes promtool check metrics (Debian's prometheus).
func TestPromtool(t *testing.T) {
	promtool := need(t, "promtool")
	srv := httptest.NewServer(Handler(testSource()))
	defer srv.Close()
	for _, accept := range []string{"text/plain", "application/openmetrics-text; version=1.0.0"} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("gotrace_syscalls_total")) {
			t.Fatalf("%s: %s\n%s", accept, resp.Status, body)
		}
		if accept != "text/plain" {
			if !bytes.HasSuffix(body, []byte("# EOF\n")) || !bytes.Contains(body, []byte("# TYPE gotrace_syscalls counter")) {
				t.Errorf("not OpenMetrics:\n%s", body)
			}
			continue // promtool checks the Prometheus text format
		}
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool check metrics: %v\n%s\n%s", err, out, body)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		m    string
		k    Kind
		want string
	}{
		{"@syscalls", Counter, "gotrace_syscalls_total"},
		{"@bytes_total", Counter, "gotrace_bytes_total"},
		{"@", Counter, "gotrace_map_total"},
		{"@lat", Histogram, "gotrace_lat"},
		{"@probes", Gauge, "gotrace_map_probes"},
		{"@lost_events", Counter, "gotrace_map_lost_events_total"},
		{"@x1", Gauge, "gotrace_x1"},
	} {
		if got := Name(tc.m, tc.k); got != tc.want {
			t.Errorf("Name(%s, %d) = %s, want %s", tc.m, tc.k, got, tc.want)
		}
	}
}

// need finds a command the test needs: missing, it fails under CI=true
// (naming the Debian package to install) and skips otherwise.
func need(t *testing.T, command string) string {
	t.Helper()
	p, err := exec.LookPath(command)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing but CI=true: install Debian's prometheus package", command)
		}
		t.Skipf("%s is missing (Debian's prometheus package)", command)
	}
	return p
}

func TestServe(t *testing.T) {
	s, err := Serve("127.0.0.1:0", testSource())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "gotrace_probes_attached 3") || !strings.Contains(string(body), "process_cpu_seconds_total") {
		t.Errorf("/metrics:\n%s", body)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if _, err := Serve(s.Addr(), testSource()); err != nil {
		t.Errorf("the port is not free after Close: %v", err)
	}
	busy, err := Serve("127.0.0.1:0", testSource())
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if _, err := Serve(busy.Addr(), testSource()); err == nil || !strings.HasPrefix(err.Error(), "--metrics: ") {
		t.Errorf("serving on a port in use: %v", err)
	}
}
