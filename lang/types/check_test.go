package types_test

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// testEnv answers contexts from the probes package's fake target, so the
// checker is tested without root or tracefs.
func testEnv(t *testing.T) types.Env {
	t.Helper()
	return probes.NewEnv(probes.NewDirTarget("../../probes/testdata"))
}

// TestErrors runs the chunked cases of testdata/errors.gt: chunks are
// separated by lines of "---"; a line ending in `### "regexp"` must get an
// error matching regexp on that line, and a chunk without one must check
// cleanly.
func TestErrors(t *testing.T) {
	data, err := os.ReadFile("testdata/errors.gt")
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv(t)
	want := regexp.MustCompile(`###\s*"(.*)"\s*$`)
	for i, chunk := range strings.Split(string(data), "\n---\n") {
		type expect struct {
			line int
			re   *regexp.Regexp
		}
		var exps []expect
		var src strings.Builder
		for n, line := range strings.Split(chunk, "\n") {
			if m := want.FindStringSubmatchIndex(line); m != nil {
				exps = append(exps, expect{n + 1, regexp.MustCompile(line[m[2]:m[3]])})
				line = line[:m[0]]
			}
			src.WriteString(line + "\n")
		}
		f, err := lang.Parse("chunk", []byte(src.String()))
		if err == nil {
			_, err = types.Check(f, env, types.Config{Params: []string{"42", "hello"}})
		}
		var list lang.ErrorList
		var one *lang.Error
		switch {
		case errors.As(err, &list):
		case errors.As(err, &one):
			list = lang.ErrorList{one}
		case err != nil:
			t.Errorf("chunk %d: unpositioned error %v", i, err)
			continue
		}
		for _, e := range exps {
			found := false
			for _, got := range list {
				if got.Pos.Line == e.line && e.re.MatchString(got.Msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("chunk %d line %d: want error matching %q, got %v", i, e.line, e.re, list)
			}
		}
		if len(exps) == 0 && len(list) > 0 {
			t.Errorf("chunk %d: unexpected errors:\n%s", i, lang.Format(list, []byte(src.String())))
		}
	}
}

// TestSettings checks the order in which settings apply: defaults, the
// config block, then BPFTRACE_ environment variables.
func TestSettings(t *testing.T) {
	src := `config = { max_strlen = 100; stack_mode = perf; missing_probes = warn }
tracepoint:syscalls:sys_enter_nothing_here { @x = 1; }
BEGIN { @s = "a"; }`
	f, err := lang.Parse("s.gt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	info, err := types.Check(f, testEnv(t), types.Config{Env: map[string]string{"BPFTRACE_STACK_MODE": "raw", "BPFTRACE_MAX_MAP_KEYS": "77"}})
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	s := info.Settings
	if s.MaxStrlen != 100 || s.StackMode != "raw" || s.MaxMapKeys != 77 || !s.PrintMapsOnExit || s.MissingProbes != "warn" {
		t.Errorf("settings: %+v", s)
	}
	if len(info.Warnings) != 1 || !strings.Contains(lang.Format(lang.ErrorList(info.Warnings), []byte(src)), "s.gt:2:1: warning: tracepoint not found") {
		t.Errorf("warnings: %v", info.Warnings)
	}
	if len(info.Probes) != 1 {
		t.Errorf("the missing probe should be dropped: %d probes", len(info.Probes))
	}
	if _, err := types.Check(f, testEnv(t), types.Config{Env: map[string]string{"BPFTRACE_MAX_STRLEN": "x"}}); err == nil || !strings.Contains(err.Error(), "BPFTRACE_MAX_STRLEN=x: wants a non-negative integer") {
		t.Errorf("bad environment value: %v", err)
	}
}
