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
