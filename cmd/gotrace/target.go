package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/probes"
)

// cliTarget is the host as the command line's options and environment
// change it: --no-feature hides features, --traceable-functions names
// the functions kprobes may attach to, BPFTRACE_BTF names the BTF file
// the kernel's types come from.
type cliTarget struct {
	probes.Target
	off       map[probes.Feature]bool
	funcsFile string
	btfFile   string

	funcsOnce sync.Once
	funcs     []probes.KernelFunc
	funcsErr  error
	btfOnce   sync.Once
	btf       *btf.Spec
	btfErr    error
}

// noFeatureNames are the values --no-feature takes (bpftrace's), and the
// feature of gotrace's each turns off. uprobe_multi gives wildcard
// uprobes a uprobe per function, as kprobe_multi does for kprobes;
// kprobe_session (and kprobe_multi, which sessions need) keeps kprobe and
// kretprobe blocks of a function in programs of their own.
var noFeatureNames = map[string]probes.Feature{
	"kprobe_multi":   probes.FeatureKprobeMulti,
	"uprobe_multi":   probes.FeatureUprobeMulti,
	"kprobe_session": probes.FeatureKprobeSession,
}

// newTarget wraps the host when an option or the environment changes
// it.
func newTarget(o *options) (probes.Target, error) {
	t := &cliTarget{Target: probes.HostTarget(), off: map[probes.Feature]bool{}, funcsFile: o.traceableFuncs, btfFile: os.Getenv("BPFTRACE_BTF")}
	for _, list := range o.noFeatures {
		for _, f := range strings.Split(list, ",") {
			feat, ok := noFeatureNames[strings.TrimSpace(f)]
			if !ok {
				return nil, usageErrorf(false, "USAGE: --no-feature can only have values 'kprobe_multi,kprobe_session,uprobe_multi'.")
			}
			if feat >= 0 {
				t.off[feat] = true
			}
		}
	}
	if t.funcsFile != "" {
		if _, err := os.Stat(t.funcsFile); err != nil {
			return nil, fmt.Errorf("Failed to open kernel function info: %s: %v", t.funcsFile, errText(err))
		}
	}
	if t.btfFile != "" {
		if _, err := t.KernelBTF(); err != nil {
			return nil, err
		}
	}
	if len(t.off) == 0 && t.funcsFile == "" && t.btfFile == "" {
		return t.Target, nil
	}
	return t, nil
}

func (t *cliTarget) Has(f probes.Feature) bool {
	if t.off[f] {
		return false
	}
	if f == probes.FeatureBTF && t.btfFile != "" {
		_, err := t.KernelBTF()
		return err == nil
	}
	return t.Target.Has(f)
}

func (t *cliTarget) KernelBTF() (*btf.Spec, error) {
	if t.btfFile == "" {
		return t.Target.KernelBTF()
	}
	t.btfOnce.Do(func() {
		t.btf, t.btfErr = btf.LoadSpec(t.btfFile)
		if t.btfErr != nil {
			t.btfErr = fmt.Errorf("BPFTRACE_BTF=%s: %v", t.btfFile, t.btfErr)
		}
	})
	return t.btf, t.btfErr
}

func (t *cliTarget) KernelFuncs() ([]probes.KernelFunc, error) {
	if t.funcsFile == "" {
		return t.Target.KernelFuncs()
	}
	t.funcsOnce.Do(func() {
		b, err := os.ReadFile(t.funcsFile)
		if err != nil {
			t.funcsErr = err
			return
		}
		t.funcs = parseTraceableFuncs(b)
	})
	return t.funcs, t.funcsErr
}

// parseTraceableFuncs reads available_filter_functions' format: "name"
// or "name [module]" on each line.
func parseTraceableFuncs(b []byte) []probes.KernelFunc {
	var out []probes.KernelFunc
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		f := probes.KernelFunc{Name: fields[0]}
		if len(fields) > 1 {
			f.Module = strings.Trim(fields[1], "[]")
		}
		out = append(out, f)
	}
	return out
}
