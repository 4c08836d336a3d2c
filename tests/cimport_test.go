package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gotrace/gotrace/internal/livetest"
)

// TestCImportKernel runs the code generator's imported-C cases
// (codegen/testdata/cimport, which runtime's TestCInVM runs in the VM) with the
// built binary in the kernel: both must print the same.
func TestCImportKernel(t *testing.T) {
	livetest.NeedBPF(t)
	files, _ := filepath.Glob("../codegen/testdata/cimport/*.txtar")
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
			want := ""
			for _, f := range ar.Files {
				if f.Name == "want" {
					want = string(f.Data)
				}
				if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), runLimit)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(binDir, "gotrace"), "-q", "main.gt")
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if ctx.Err() != nil {
				t.Fatalf("gotrace -q main.gt still ran after %v: killed\n%s", runLimit, stderr.Bytes())
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr.Bytes())
			}
			got := string(bytes.Replace(bytes.TrimRight(out, "\n"), []byte("\n\n\n"), []byte("\n"), 1)) + "\n"
			if got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
