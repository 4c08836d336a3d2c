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
