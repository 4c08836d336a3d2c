package probes

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// fentryTarget is the fake target with this machine's kernel BTF (readable
// without root); its available_filter_functions name vfs_read.
func fentryTarget(t *testing.T) *DirTarget {
	t.Helper()
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF on this machine: %v", err)
	}
	d := NewDirTarget("testdata")
	d.BTF = spec
	return d
}

func TestFentryContexts(t *testing.T) {
	env := NewEnv(fentryTarget(t))
	for _, raw := range []string{"fentry:vfs_read", "kfunc:vfs_read", "f:vmlinux:vfs_read", "fexit:vfs_read", "kretfunc:vfs_re*d"} {
		ctxs, err := env.Contexts(&lang.ProbeSpec{Raw: raw})
		if err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		if len(ctxs) != 1 {
			t.Errorf("%s: %d contexts", raw, len(ctxs))
			continue
		}
		c := ctxs[0]
		if c.Kind != types.ProgTracing || c.AttachTo != "vfs_read" || c.NumArgs != 4 {
			t.Errorf("%s: %+v", raw, c)
		}
		want := "fentry:vmlinux:vfs_read"
		if strings.HasPrefix(raw, "fexit") || strings.HasPrefix(raw, "kretfunc") {
			want = "fexit:vmlinux:vfs_read"
			if c.Retval == nil || c.Retval.Kind != types.Int || !c.Retval.Signed || c.Retval.Size != 8 {
				t.Errorf("%s: retval %v, want int64 (ssize_t)", raw, c.Retval)
			}
		}
		if c.Name != want {
			t.Errorf("%s: name %s, want %s", raw, c.Name, want)
		}
		// vfs_read(struct file *file, char *buf, size_t count, loff_t *pos)
		var got []string
		for _, f := range c.Args.Fields {
			got = append(got, f.Name+"@"+strconv.Itoa(f.Offset)+":"+f.Type.String())
		}
		if strings.Join(got, " ") != "file@0:struct file * buf@8:int8 * count@16:uint64 pos@24:int64 *" {
			t.Errorf("%s: args %v", raw, got)
		}
	}
	if _, err := env.Contexts(&lang.ProbeSpec{Raw: "fentry:no_such_function"}); err == nil {
		t.Error("a missing function was accepted")
	}
	off := fentryTarget(t)
	off.Features[FeatureFentry] = false
	_, err := NewEnv(off).Contexts(&lang.ProbeSpec{Raw: "fentry:vfs_read"})
	if err == nil || !strings.Contains(err.Error(), "fentry probes are not available on this kernel") {
		t.Errorf("kernel without trampolines: %v", err)
	}
}

func TestFentryList(t *testing.T) {
	d := fentryTarget(t)
	got, err := ListVerbose(d, "fexit:vfs_read")
	if err != nil {
		t.Fatal(err)
	}
	want := "fexit:vmlinux:vfs_read\n    struct file * file\n    char * buf\n    size_t count\n    loff_t * pos\n    ssize_t retval"
	if strings.Join(got, "\n") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
}

// TestFentryBPF: fentry:bpf[:ID]:NAME expands to one probe per loaded
// program function it names, each knowing the program it attaches to;
// fexit's retval is typed from the function's BTF; -l lists them.
func TestFentryBPF(t *testing.T) {
	tgt := testTarget()
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	proto := &btf.FuncProto{Return: i32, Params: []btf.FuncParam{{Name: "ctx", Type: &btf.Pointer{Target: &btf.Void{}}}}}
	tgt.Progs = []BPFProg{{ID: 7, Name: "p0_tracepoint", Proto: proto}, {ID: 7, Name: "helper", Proto: proto}, {ID: 9, Name: "p0_tracepoint", Proto: proto}}
	env := newEnvForTest(tgt)
	for raw, want := range map[string][]string{
		"fentry:bpf:p0_tracepoint": {"fentry:bpf:7:p0_tracepoint", "fentry:bpf:9:p0_tracepoint"},
		"fexit:bpf:9:p0_*":         {"fexit:bpf:9:p0_tracepoint"},
		"fentry:bpf:7:*":           {"fentry:bpf:7:p0_tracepoint", "fentry:bpf:7:helper"},
		"fentry:bpf:*:helper":      {"fentry:bpf:7:helper"},
	} {
		ctxs, err := env.contexts(raw)
		if err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		var names []string
		for _, c := range ctxs {
			names = append(names, c.Name)
			id, _ := strconv.Atoi(strings.Split(c.Name, ":")[2])
			if c.Kind != types.ProgTracing || c.AttachProg != uint32(id) || c.AttachTo != strings.Split(c.Name, ":")[3] || c.NumArgs != 1 || c.Args != nil {
				t.Errorf("%s: %+v", raw, c)
			}
			if c.Return != (c.Provider == "fexit") || (c.Return && (c.Retval == nil || c.Retval.Size != 4)) {
				t.Errorf("%s: return %v, retval %v", raw, c.Return, c.Retval)
			}
		}
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v, want %v", raw, names, want)
		}
	}
	src := "fentry:bpf:p0_tracepoint { print(args.ctx); }"
	f, err := lang.Parse("t.gt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := types.Check(f, NewEnv(tgt), types.Config{}); err == nil || !strings.Contains(err.Error(), "The args builtin cannot be used for 'fentry/fexit:bpf' probes") {
		t.Errorf("args in fentry:bpf: %v", err)
	}
	if _, err := env.contexts("fentry:bpf:8:p0_tracepoint"); err == nil || err.Error() != "no loaded BPF program with BTF has a function 8:p0_tracepoint" {
		t.Errorf("no such program: %v", err)
	}
	got, err := List(tgt, "fentry:bpf:*")
	if err != nil || strings.Join(got, " ") != "fentry:bpf:7:p0_tracepoint fentry:bpf:7:helper fentry:bpf:9:p0_tracepoint" {
		t.Errorf("List = %v, %v", got, err)
	}
	got, err = List(tgt, "fexit:bpf:9:*")
	if err != nil || strings.Join(got, " ") != "fexit:bpf:9:p0_tracepoint" {
		t.Errorf("List = %v, %v", got, err)
	}
}
