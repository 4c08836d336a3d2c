package metrics_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotrace/gotrace/internal/livetest"
	"github.com/gotrace/gotrace/runtime"
	"github.com/gotrace/gotrace/runtime/metrics"
)

// writerC writes 10 bytes to /dev/null 100 times and 300 bytes 50
// times, then waits.
const writerC = `
#include <fcntl.h>
#include <unistd.h>
int main(void) {
	char buf[512] = {0};
	int fd = open("/dev/null", O_WRONLY);
	for (int i = 0; i < 100; i++) write(fd, buf, 10);
	for (int i = 0; i < 50; i++) write(fd, buf, 300);
	pause();
	return 0;
}
`

// TestPrometheusScrapesLiveMaps: a real Prometheus server (Debian's
// prometheus) scrapes --metrics while a script counts a known workload's
// writes; its HTTP API then shows the count, the histograms' buckets and
// gotrace's health, and the script still prints its maps at exit as it
// would without scrapes.
func TestPrometheusScrapesLiveMaps(t *testing.T) {
	livetest.NeedBPF(t)
	prom := livetest.Need(t, "prometheus", "prometheus")
	bin := livetest.BuildC(t, "gtwriter", writerC)

	stats, err := runtime.EnableStats()
	if err != nil {
		t.Fatalf("enabling BPF statistics: %v", err)
	}
	defer stats.Close()

	var out syncBuffer
	var started sync.WaitGroup
	started.Add(1)
	src := `tracepoint:syscalls:sys_enter_write /comm == "gtwriter"/ { @writes = count(); @size = hist(args.count); @bycomm[comm] = lhist(args.count, 0, 400, 100); }`
	s := livetest.Load(t, src, runtime.Options{Out: &out, Err: &out, OnAttached: func() {
		livetest.Start(t, bin)
		started.Done()
	}})
	srv, err := metrics.Serve("127.0.0.1:0", s)
	if err != nil {
		t.Fatal(err)
	}
	run := livetest.Go(s, 2*time.Minute)
	started.Wait()

	api := startPrometheus(t, prom, srv.Addr())
	want := map[string]float64{
		`gotrace_writes_total`:                                    150,
		`gotrace_size_bucket{le=~"15(\\.0)?"}`:                    100,
		`gotrace_size_bucket{le=~"511(\\.0)?"}`:                   150,
		`gotrace_size_bucket{le="+Inf"}`:                          150,
		`gotrace_size_count`:                                      150,
		`gotrace_bycomm_bucket{key0="gtwriter",le=~"99(\\.0)?"}`:  100,
		`gotrace_bycomm_bucket{key0="gtwriter",le=~"399(\\.0)?"}`: 150,
		`gotrace_probes_attached`:                                 1,
		`up{job="gotrace"}`:                                       1,
		`gotrace_program_runs_total > bool 0`:                     1,
		`histogram_quantile(0.5, gotrace_size_bucket) <= bool 15`: 1,
	}
	deadline := time.Now().Add(60 * time.Second)
	var got map[string]string
	for {
		got = map[string]string{}
		ok := true
		for q, v := range want {
			val, err := query(api, q)
			got[q] = fmt.Sprint(val, err)
			if err != nil || val != v {
				ok = false
			}
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus does not show what was written: got %v", got)
		}
		time.Sleep(500 * time.Millisecond)
	}

	// The scrapes changed nothing of what the script prints.
	if err := srv.Close(); err != nil {
		t.Error(err)
	}
	if err := run.Stop(); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, w := range []string{"@writes: 150\n", "[8, 16)              100 |", "@bycomm[gtwriter]:\n"} {
		if !strings.Contains(text, w) {
			t.Errorf("the maps printed at exit lack %q:\n%s", w, text)
		}
	}
}

// startPrometheus runs Prometheus on a loopback port, scraping target
// every second, with its data in a temporary folder; it returns the
// address of its HTTP API.
func startPrometheus(t *testing.T, prom, target string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	conf := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: gotrace
    static_configs:
      - targets: ['%s']
`, target)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	var log bytes.Buffer
	cmd := exec.Command(prom, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("prometheus:\n%s", log.String())
		}
	})
	api := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(api + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return api
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus is not ready: %v\n%s", err, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// query asks Prometheus's HTTP API for an instant vector of one sample
// and returns its value.
func query(api, q string) (float64, error) {
	resp, err := http.Get(api + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any
			}
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("%s: %v", body, err)
	}
	if r.Status != "success" || len(r.Data.Result) != 1 {
		return 0, fmt.Errorf("%s", body)
	}
	s, _ := r.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(s, 64)
}

// syncBuffer is a buffer written by the session and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
