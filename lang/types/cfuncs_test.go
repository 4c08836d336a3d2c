package types_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// TestCErrors runs the chunks of testdata/cerrors.c (see its first
// lines): each is imported by a script, and the errors must be the ones
// its lines expect, at those lines of the C file or of the script.
func TestCErrors(t *testing.T) {
	data, err := os.ReadFile("testdata/cerrors.c")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`###\s*"(.*)"\s*$`)
	env := testEnv(t)
	for i, chunk := range strings.Split(string(data), "\n---\n") {
		dir := t.TempDir()
		var c strings.Builder
		script := "BEGIN { }"
		type expect struct {
			file string
			line int
			re   *regexp.Regexp
		}
		var exps []expect
		n := 0
		for _, line := range strings.Split(chunk, "\n") {
			var re *regexp.Regexp
			if m := want.FindStringSubmatchIndex(line); m != nil {
				re = regexp.MustCompile(line[m[2]:m[3]])
				line = line[:m[0]]
			}
			if s, ok := strings.CutPrefix(line, "//script:"); ok {
				script = strings.TrimSpace(s)
				if re != nil {
					exps = append(exps, expect{"main.gt", 1, re})
				}
				continue
			}
			if re != nil && strings.TrimSpace(line) == "" {
				// an expectation on a line of its own: anywhere in the C
				exps = append(exps, expect{"lib.bpf.c", 0, re})
				continue
			}
			n++
			c.WriteString(line + "\n")
			if re != nil {
				exps = append(exps, expect{"lib.bpf.c", n, re})
			}
		}
		os.WriteFile(filepath.Join(dir, "lib.bpf.c"), []byte(c.String()), 0o644)
		main := filepath.Join(dir, "main.gt")
		src := []byte(`import "lib.bpf.c"; ` + script)
		os.WriteFile(main, src, 0o644)
		f, err := lang.Parse(main, src)
		var info *types.Info
		if err == nil {
			info, err = types.Check(f, env, types.Config{})
		}
		if err == nil {
			_, err = codegen.Compile(f, info, codegen.Target{NumCPU: 1})
		}
		var got lang.ErrorList
		switch e := err.(type) {
		case nil:
		case lang.ErrorList:
			got = e
		case *lang.Error:
			got = lang.ErrorList{e}
		default:
			t.Errorf("chunk %d: %v", i, err)
			continue
		}
		if len(exps) == 0 && len(got) > 0 {
			t.Errorf("chunk %d: unexpected errors:\n%v", i, got)
			continue
		}
		for _, x := range exps {
			found := false
			for _, g := range got {
				if filepath.Base(g.Pos.File) == x.file && (x.line == 0 || g.Pos.Line == x.line) && x.re.MatchString(g.Msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("chunk %d: want an error at %s:%d matching %q, got:\n%v", i, x.file, x.line, x.re, got)
			}
		}
	}
}
