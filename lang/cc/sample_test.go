package cc

import (
	"os"
	"testing"
)

func TestSample(t *testing.T) {
	src, err := os.ReadFile("testdata/sample.bpf.c")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("testdata/sample.bpf.c", src, Options{KernelType: func(string) bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	if !f.VMLinux {
		t.Error("VMLinux not set")
	}
	funcs := map[string]*FuncDecl{}
	for _, d := range f.Decls {
		if fd, ok := d.(*FuncDecl); ok {
			funcs[fd.Name] = fd
		}
	}
	x := funcs["bpf_x"]
	if x == nil || !x.Extern || !x.Ksym || !x.Weak || !x.Variadic || x.Body != nil {
		t.Errorf("bpf_x: %+v", x)
	}
	if a := funcs["bpf_task_acquire"]; a == nil || !a.Ksym || a.Weak {
		t.Errorf("bpf_task_acquire: %+v", a)
	}
	for _, name := range []string{"identity", "sum_cb", "sum", "scan_cb", "count_dots", "classify", "task_has_pid", "parse_dec", "field_offset"} {
		if fd := funcs[name]; fd == nil || fd.Body == nil {
			t.Errorf("no definition of %s", name)
		}
	}
	if !funcs["identity"].Inline || !funcs["identity"].Static {
		t.Error("identity is static inline")
	}
	// The header's enum and struct come first, once.
	var tags []string
	for _, d := range f.Decls {
		if td, ok := d.(*TagDecl); ok {
			tags = append(tags, td.Type.Name)
		}
	}
	want := []string{"enum verdict", "struct name_scan", "struct range", "struct sum_ctx"}
	if len(tags) != len(want) {
		t.Fatalf("tags %q, want %q", tags, want)
	}
	for i := range want {
		if tags[i] != want[i] {
			t.Errorf("tags %q, want %q", tags, want)
		}
	}
	if got := PosOf(funcs["count_dots"]).String(); got != "testdata/sample.bpf.c:99:5" {
		t.Errorf("count_dots at %s", got)
	}
	if got := PosOf(f.Decls[0]).String(); got != "testdata/helpers.h:15:1" {
		t.Errorf("first declaration at %s", got)
	}
}
