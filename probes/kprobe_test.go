package probes

import (
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang/types"
)

func TestKprobeContexts(t *testing.T) {
	tgt := testTarget()
	env := newEnvForTest(tgt)
	tests := []struct {
		raw   string
		names []string
	}{
		{"kprobe:vfs_read", []string{"kprobe:vfs_read"}},
		{"k:vfs_read+8", []string{"kprobe:vfs_read+8"}},
		{"kr:vfs_read*", []string{"kretprobe:vfs_read", "kretprobe:vfs_readv"}},
		{"kprobe:kvm:kvm_*", []string{"kprobe:kvm:kvm_get_msr", "kprobe:kvm:kvm_set_msr"}},
		{"kprobe:vmlinux:vfs_write", []string{"kprobe:vmlinux:vfs_write"}},
	}
	for _, tt := range tests {
		ctxs, err := env.contexts(tt.raw)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		var names []string
		for _, c := range ctxs {
			names = append(names, c.Name)
			if c.Kind != types.ProgKprobe || c.Args != nil {
				t.Errorf("%s: %+v", tt.raw, c)
			}
		}
		if strings.Join(names, " ") != strings.Join(tt.names, " ") {
			t.Errorf("%s: %v, want %v", tt.raw, names, tt.names)
		}
	}
	for raw, msg := range map[string]string{
		"kprobe:nosuch":       "kernel function nosuch not found or not traceable",
		"kprobe:nosuch*":      "no kernel function matches nosuch*",
		"kprobe:kvm:vfs_read": "kernel function kvm:vfs_read not found or not traceable",
		"kprobe:0xffff1234":   "Probing by address requires --unsafe",
		"kprobe:vfs_read+144": "Offset outside the function bounds ('vfs_read' size is 144)",
	} {
		if _, err := env.contexts(raw); err == nil || err.Error() != msg {
			t.Errorf("%s: %v, want %q", raw, err, msg)
		}
	}
	tgt.Features[FeatureKprobe] = false
	if _, err := env.contexts("kprobe:vfs_read"); err == nil || !strings.HasPrefix(err.Error(), "kprobes are not available on this kernel") {
		t.Errorf("without kprobes: %v", err)
	}
	tgt.Features[FeatureFentry] = false
	if _, err := env.contexts("fentry:vfs_read"); err == nil || !strings.HasPrefix(err.Error(), "fentry probes are not available on this kernel") {
		t.Errorf("without fentry: %v", err)
	}
}

// TestKprobeAddress: with --unsafe, an address inside a kernel function
// (in the target's /proc/kallsyms) is one probe named by the address in
// decimal; an address outside every function, a kretprobe's off a
// function's entry and an arm64 address between instructions are
// refused.
func TestKprobeAddress(t *testing.T) {
	tgt := testTarget()
	env := newEnvForTest(tgt)
	Unsafe(true)(env)
	// func: a kprobe away from a function's entry reads the instruction
	// pointer, which bpf_get_func_ip does not give there
	for raw, want := range map[string]struct {
		name string
		fn   types.FuncSource
	}{
		"kprobe:0xffffffff81234565":    {"kprobe:18446744071581156709", types.FuncKernelIP},
		"kretprobe:0xffffffff81234560": {"kretprobe:18446744071581156704", types.FuncKernel},
		"kprobe:vfs_read+143":          {"kprobe:vfs_read+143", types.FuncKernelIP},
		"kprobe:vfs_read":              {"kprobe:vfs_read", types.FuncKernel},
	} {
		ctxs, err := env.contexts(raw)
		if err != nil || len(ctxs) != 1 || ctxs[0].Name != want.name || ctxs[0].Kind != types.ProgKprobe || ctxs[0].Func != want.fn {
			t.Errorf("%s: %v, %v; want one kprobe context %s", raw, ctxs, err, want.name)
		}
	}
	for raw, msg := range map[string]string{
		"kprobe:0xffffffff81234900":    "address 0xffffffff81234900 is not in a kernel function",
		"kprobe:0x1000":                "address 0x1000 is not in a kernel function",
		"kretprobe:0xffffffff81234565": "a kretprobe must be at a function's entry: 0xffffffff81234565 is vfs_read+5",
	} {
		if _, err := env.contexts(raw); err == nil || err.Error() != msg {
			t.Errorf("%s: %v, want %q", raw, err, msg)
		}
	}
	tgt.GOARCH = "arm64"
	if _, err := env.contexts("kprobe:0xffffffff81234562"); err == nil || err.Error() != "Could not add kprobe into middle of instruction: 0xffffffff81234562" {
		t.Errorf("arm64 address between instructions: %v", err)
	}
}

func TestListKprobes(t *testing.T) {
	got, err := List(testTarget(), "kprobe:vfs_*")
	if err != nil || strings.Join(got, " ") != "kprobe:vfs_read kprobe:vfs_readv kprobe:vfs_write" {
		t.Errorf("List = %v, %v", got, err)
	}
	got, err = List(testTarget(), "kretprobe:kvm:*")
	if err != nil || strings.Join(got, " ") != "kretprobe:kvm:kvm_get_msr kretprobe:kvm:kvm_set_msr" {
		t.Errorf("List = %v, %v", got, err)
	}
}

func TestParseKallsyms(t *testing.T) {
	got := parseKallsyms([]byte("ffffffff81000000 T _stext\nffffffff81000010 t helper\nffffffff82000000 D data\nffffffffc0000000 t kvm_x\t[kvm]\n"))
	want := []KernelFunc{{"_stext", ""}, {"helper", ""}, {"kvm_x", "kvm"}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got, want)
		}
	}
}
