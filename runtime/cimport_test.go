package runtime_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gotrace/gotrace/internal/pipelinetest"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/runtime"
)

// cimportCases are the imported-C cases of codegen/testdata/cimport.
var cimportCases = filepath.Join(pipelinetest.Root(), "codegen", "testdata", "cimport", "*.txtar")

// TestCInVM runs the imported-C cases (cimportCases) in the VM: each is
// a C file (lib.bpf.c), a script importing it (main.gt) and the output
// the script must print (want), which is what C says each result is.
// The end-to-end tests (tests/cimport_test.go) run the same cases in the
// kernel.
func TestCInVM(t *testing.T) {
	files, _ := filepath.Glob(cimportCases)
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var src []byte
			want := ""
			for _, f := range ar.Files {
				switch f.Name {
				case "want":
					want = string(f.Data)
				case "main.gt":
					src = f.Data
				}
				if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c := pipelinetest.MustCompile(t, string(src), pipelinetest.Options{Name: filepath.Join(dir, "main.gt")})
			if got := cimportOutput([]byte(pipelinetest.Emulate(t, c))); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// cimportOutput is how the cimport cases compare output: the blank lines
// printed at exit before the maps are left out, and the output ends in
// one newline.
func cimportOutput(out []byte) string {
	got := bytes.Replace(bytes.TrimRight(out, "\n"), []byte("\n\n\n"), []byte("\n"), 1)
	return string(got) + "\n"
}

// FuzzCImport checks and compiles fuzzed C files: a first check finds
// the functions they define, then a script calls each of them (1 for an
// integer, a string's address for a pointer). Whatever the C, the answer
// is a program or positioned errors, never a panic. (FuzzCompile fuzzes
// scripts, with a C file beside them, through the verifier and the VM.)
func FuzzCImport(f *testing.F) {
	files, _ := filepath.Glob(cimportCases)
	for _, file := range files {
		if ar, err := txtar.ParseFile(file); err == nil {
			for _, x := range ar.Files {
				if x.Name == "lib.bpf.c" {
					f.Add(string(x.Data))
				}
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(pipelinetest.Root(), "lang", "types", "testdata", "cerrors.c")); err == nil {
		for _, chunk := range strings.Split(string(b), "\n---\n") {
			f.Add(chunk)
		}
	}
	// One folder for every input: lang remembers each imported file's
	// text by its name, for diagnostics, and a folder per input would
	// grow that without end.
	dir := f.TempDir()
	name := filepath.Join(dir, "main.gt")
	target := pipelinetest.Target()
	f.Fuzz(func(t *testing.T, cText string) {
		if err := os.WriteFile(filepath.Join(dir, "lib.bpf.c"), []byte(cText), 0o644); err != nil {
			t.Fatal(err)
		}
		compile := func(script string) *types.Info {
			src := `import "lib.bpf.c"; ` + script
			if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := pipelinetest.Compile(src, pipelinetest.Options{Name: name, Target: target, Stop: runtime.StageCompile})
			if err != nil {
				checkErrors(t, err)
			}
			return c.Info
		}
		info := compile("BEGIN { }")
		if info == nil || info.C == nil {
			return
		}
		var calls []string
		for _, cf := range info.C.Order {
			var args []string
			for _, p := range cf.Params {
				if p.Type.Kind == types.Ptr {
					args = append(args, "&$s")
				} else {
					args = append(args, "1")
				}
			}
			calls = append(calls, fmt.Sprintf("%s(%s);", cf.Name, strings.Join(args, ", ")))
		}
		compile(`BEGIN { $s = "0123456789abcdef"; ` + strings.Join(calls, " ") + ` }`)
	})
}

// checkErrors fails unless err is positioned diagnostics.
func checkErrors(t *testing.T, err error) {
	switch e := err.(type) {
	case *lang.Error:
		if e.Msg == "" {
			t.Fatal("an empty error")
		}
	case lang.ErrorList:
		if len(e) == 0 {
			t.Fatal("an empty error list")
		}
	default:
		t.Fatalf("not a diagnostic: %T %v", err, err)
	}
}
