package probes_test

import (
	"runtime"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// ctx in perf event probes (interval, profile, software, hardware) is
// struct bpf_perf_event_data from the kernel's BTF, with the registers,
// the sample period and the address. (runtime's TestPerfCtxInVM reads
// them in programs run in the VM.)
func TestPerfCtx(t *testing.T) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF on this machine: %v", err)
	}
	tgt := probes.NewDirTarget("testdata")
	tgt.BTF = spec
	tgt.Features[probes.FeaturePerfEvent] = true
	for _, raw := range []string{"profile:hz:99", "interval:ms:1"} {
		ctxs, err := probes.NewEnv(tgt).Contexts(&lang.ProbeSpec{Raw: raw})
		if err != nil || len(ctxs) != 1 {
			t.Fatalf("%s: %v %v", raw, ctxs, err)
		}
		c := ctxs[0]
		if c.Ctx == nil || c.Ctx.Name != "struct bpf_perf_event_data" {
			t.Fatalf("ctx of %s: %v", c.Name, c.Ctx)
		}
		regs, ok1 := c.Ctx.Field("regs")
		_, ok2 := c.Ctx.Field("sample_period")
		_, ok3 := c.Ctx.Field("addr")
		if !ok1 || !ok2 || !ok3 || regs.Type.Kind != types.Struct {
			t.Fatalf("fields of %s: %+v", c.Ctx, c.Ctx.Fields)
		}
		if _, ok := regs.Type.Field("ip"); !ok && runtime.GOARCH == "amd64" {
			t.Fatalf("pt_regs fields %+v", regs.Type.Fields)
		}
	}
}
