package codegen_test

import (
	"bytes"
	"fmt"
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
			if _, err := runtime.Emulate(prog, runtime.Options{Out: &out, Err: &errOut, Quiet: true, Target: &probes.DirTarget{NumCPUs: 2},
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

// FuzzCImport checks and compiles fuzzed C files: a first check finds
// the functions they define, then a script calls each of them (1 for an
// integer, a string's address for a pointer). Whatever the C, the answer
// is a program or positioned errors, never a panic.
func FuzzCImport(f *testing.F) {
	files, _ := filepath.Glob("testdata/cimport/*.txtar")
	for _, file := range files {
		if ar, err := txtar.ParseFile(file); err == nil {
			for _, x := range ar.Files {
				if x.Name == "lib.bpf.c" {
					f.Add(string(x.Data))
				}
			}
		}
	}
	if b, err := os.ReadFile("../lang/types/testdata/cerrors.c"); err == nil {
		for _, chunk := range strings.Split(string(b), "\n---\n") {
			f.Add(chunk)
		}
	}
	env := probes.NewEnv(probes.NewDirTarget("../probes/testdata"))
	f.Fuzz(func(t *testing.T, c string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "lib.bpf.c"), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, "main.gt")
		compile := func(script string) *types.Info {
			src := []byte(`import "lib.bpf.c"; ` + script)
			file, err := lang.Parse(name, src)
			if err != nil {
				checkErrors(t, err)
				return nil
			}
			info, err := types.Check(file, env, types.Config{})
			if err != nil {
				checkErrors(t, err)
				return nil
			}
			if _, err := codegen.Compile(file, info, codegen.Target{NumCPU: 1}); err != nil {
				checkErrors(t, err)
			}
			return info
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
