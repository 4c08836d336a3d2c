package probes_test

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// iter probes: a tracing program of attach type BPF_TRACE_ITER, whose
// ctx is typed from the kernel's BTF; -lv lists an iterator's members.
// (runtime's TestIterProgram checks the program it compiles to.)
func TestIter(t *testing.T) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF on this machine: %v", err)
	}
	var st *btf.Struct
	if spec.TypeByName("bpf_iter__task_file", &st) != nil {
		t.Skip("this kernel's BTF has no task_file iterator")
	}
	tgt := probes.NewDirTarget("testdata")
	tgt.BTF = spec
	tgt.Features[probes.FeatureIter] = true
	ctxs, err := probes.NewEnv(tgt).Contexts(&lang.ProbeSpec{Raw: "iter:task_file"})
	if err != nil || len(ctxs) != 1 {
		t.Fatalf("iter:task_file: %v %v", ctxs, err)
	}
	c := ctxs[0]
	if c.Name != "iter:task_file" || c.Kind != types.ProgTracing || c.AttachTo != "task_file" || c.Ctx == nil || c.Ctx.Name != "struct bpf_iter__task_file" {
		t.Fatalf("context %+v", c)
	}

	lines, err := probes.ListVerbose(tgt, "iter:task_vma")
	if err != nil || strings.Join(lines, "\n") != "iter:task_vma\n    struct task_struct * task\n    struct vm_area_struct * vma" {
		t.Errorf("-lv iter:task_vma: %q %v", lines, err)
	}
	for raw, msg := range map[string]string{
		"iter:nosuch":       "iter nosuch not available for your kernel version.",
		"iter:task:/x":      "pinning an iterator (iter:task:/x) is not supported",
		"iter:bpf_map_elem": "iter bpf_map_elem walks the elements of one map",
	} {
		_, err := probes.NewEnv(tgt).Contexts(&lang.ProbeSpec{Raw: raw})
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", raw, err, msg)
		}
	}
}
