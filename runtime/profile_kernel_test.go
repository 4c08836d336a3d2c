package runtime_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotrace/gotrace/internal/livetest"
	"github.com/gotrace/gotrace/internal/pipelinetest"
	"github.com/gotrace/gotrace/runtime"
	"github.com/gotrace/gotrace/runtime/output"
)

// busyC spends about nine tenths of its time in burn_hot and one tenth
// in stay_cool, forever.
const busyC = `
volatile unsigned long sink;
__attribute__((noinline)) void burn_hot(void) { for (unsigned long i = 0; i < 90000000UL; i++) sink += i; }
__attribute__((noinline)) void stay_cool(void) { for (unsigned long i = 0; i < 10000000UL; i++) sink += i; }
int main(void) { for (;;) { burn_hot(); stay_cool(); } }
`

// TestProfileBusyProgram: profile:hz:999 over a busy C program, written
// as a pprof profile through the printer's ProfileWriter (as -f pprof
// does), shows its hot function on top in a real pprof (go tool pprof);
// the same maps read while loaded fold and draw with the hot function
// widest.
func TestProfileBusyProgram(t *testing.T) {
	livetest.NeedBPF(t)
	bin := livetest.BuildC(t, "busy", busyC)
	busy := livetest.Start(t, bin)
	pid := busy.Process.Pid
	src := fmt.Sprintf(`profile:hz:999 /pid == %d/ { @cpu[ustack, comm] = count(); @both[kstack, ustack, pid] = count(); }`, pid)

	var text bytes.Buffer
	pprofFile := filepath.Join(t.TempDir(), "cpu.pb.gz")
	f, err := os.Create(pprofFile)
	if err != nil {
		t.Fatal(err)
	}
	pw := output.NewProfileWriter(f, output.PprofProfile)
	s := livetest.Load(t, src, runtime.Options{Out: &text, Err: &text, Profile: pw, PID: pid})
	if err := livetest.Go(s, 3*time.Second).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if text.String() != "\n\n" {
		t.Errorf("the maps keyed by stacks were printed too:\n%s", text.String())
	}

	goTool := goCommand(t)
	out, err := exec.Command(goTool, "tool", "pprof", "-top", "-sample_index=cpu", pprofFile).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -top: %v\n%s", err, out)
	}
	t.Logf("go tool pprof -top:\n%s", out)
	rows := regexp.MustCompile(`(?m)^\s*(\d+)\s+[\d.]+%\s+[\d.]+%\s+(\d+)\s+[\d.]+%\s+(\S+)`).FindAllStringSubmatch(string(out), -1)
	if len(rows) == 0 || rows[0][3] != "burn_hot" {
		t.Fatalf("burn_hot is not on top")
	}
	flat := map[string]int{}
	for _, r := range rows {
		flat[r[3]], _ = strconv.Atoi(r[1])
	}
	total := regexp.MustCompile(`of (\d+) total`).FindStringSubmatch(string(out))
	if total == nil {
		t.Fatal("no total")
	}
	n, _ := strconv.Atoi(total[1])
	if n < 200 || flat["burn_hot"] < n*7/10 || flat["stay_cool"] == 0 || flat["stay_cool"] > n*3/10 {
		t.Errorf("of %d samples, burn_hot has %d and stay_cool %d: want most in burn_hot", n, flat["burn_hot"], flat["stay_cool"])
	}
	raw, err := exec.Command(goTool, "tool", "pprof", "-raw", pprofFile).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -raw: %v\n%s", err, raw)
	}
	for _, want := range []string{"both/count[dflt] cpu/count", "key1:[busy]", "key2:[" + strconv.Itoa(pid) + "]", bin, "[no kernel stack]"} {
		if !strings.Contains(string(raw), want) && !(want == "[no kernel stack]" && strings.Contains(string(raw), "[kernel.kallsyms]")) {
			t.Errorf("go tool pprof -raw does not show %q:\n%s", want, raw)
		}
	}

	// The maps as loaded: read while the session is open, as --metrics does.
	maps, err := s.ReadMaps()
	if err != nil {
		t.Fatal(err)
	}
	var cpu *output.Map
	for _, m := range maps {
		if m.Name == "@cpu" {
			cpu = m
		}
	}
	prof, err := output.ProfileOf(cpu, s.Symbolizer())
	if err != nil {
		t.Fatal(err)
	}
	var folded bytes.Buffer
	output.WriteFolded(&folded, prof)
	hot, all := 0, 0
	for _, l := range output.Fold(prof) {
		all += int(l.Value)
		if strings.HasPrefix(l.String(), "busy;") && strings.HasSuffix(l.String(), ";main;burn_hot "+strconv.FormatInt(l.Value, 10)) {
			hot += int(l.Value)
		}
	}
	if all != n || hot < n*7/10 {
		t.Errorf("folded: %d of %d in busy;...;main;burn_hot (pprof: %d in all):\n%s", hot, all, n, folded.String())
	}
	var svg bytes.Buffer
	if err := output.WriteFlameGraph(&svg, []*output.StackProfile{prof}, output.FlameGraphOptions{}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`data-n="burn_hot"><title>burn_hot \(\d+, (8\d|9\d|7\d)\.\d\d%\)`).Match(svg.Bytes()) {
		t.Errorf("the flame graph does not show burn_hot with most of the time")
	}
}

func goCommand(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Fatal("no go command to run go tool pprof")
	}
	return p
}

// TestEmulateFolded: -f folded in the VM prints through the same
// printer: a map keyed by a stack as folded lines, the others as text,
// no blank lines before the maps.
func TestEmulateFolded(t *testing.T) {
	c := pipelinetest.MustCompile(t, `BEGIN { @[kstack, comm] = count(); @n = count(); exit(); }`, pipelinetest.Options{})
	var b bytes.Buffer
	if _, err := runtime.Emulate(c.Prog, runtime.Options{Out: &b, Err: io.Discard, Format: output.Folded, Target: c.Target}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "gotrace;[no kernel stack] 1\n@n: 1\n" {
		t.Errorf("folded output %q", b.String())
	}
}
