package codegen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

// TestCInVM runs the cases of testdata/cimport in the VM: each is a C
// file (lib.bpf.c), a script importing it (main.gt) and the output the
// script must print (want), which is what C says each result is. The
// end-to-end tests run the same cases in the kernel.
func TestCInVM(t *testing.T) {
	files, _ := filepath.Glob("testdata/cimport/*.txtar")
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
			name := filepath.Join(dir, "main.gt")
			f, err := lang.Parse(name, src)
			if err != nil {
				t.Fatal(lang.Format(err, src))
			}
			info, err := types.Check(f, probes.NewEnv(probes.NewDirTarget("../probes/testdata")), types.Config{})
			if err != nil {
				t.Fatal(lang.Format(err, src))
			}
			prog, err := codegen.Compile(f, info, codegen.Target{NumCPU: 2})
			if err != nil {
				t.Fatal(lang.Format(err, src))
			}
			var out, errOut bytes.Buffer
			if _, err := runtime.Emulate(prog, runtime.Options{Out: &out, Err: &errOut, Quiet: true, NumCPU: 2,
				TaiStart: 1_700_000_000_000_000_000, Loc: time.UTC}); err != nil {
				t.Fatal(err)
			}
			if got := cimportOutput(out.Bytes()); got != want {
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
