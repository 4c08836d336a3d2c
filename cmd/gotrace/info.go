package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/probes"
)

// --info: what this kernel offers and what this gotrace is, in
// bpftrace's layout (sections of "name: yes|no" pairs, two to a line)
// and, for what both have, bpftrace's names, which test harnesses look
// for. Every kernel answer is probed (probes' feature probes and
// cilium/ebpf's), none assumed.

type infoItem struct{ name, value string }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func helperOK(pt ebpf.ProgramType, fn asm.BuiltinFunc) bool {
	return features.HaveProgramHelper(pt, fn) == nil
}

// tabulate writes items two to a line, each padded to 35 columns.
func tabulate(w io.Writer, items []infoItem) {
	for i := 0; i < len(items); i += 2 {
		left := "  " + items[i].name + ": " + items[i].value
		if i+1 < len(items) {
			fmt.Fprintf(w, "%-35s%s: %s\n", left, items[i+1].name, items[i+1].value)
		} else {
			fmt.Fprintln(w, left)
		}
	}
}

func printInfo(w io.Writer, o *options) {
	var uts unix.Utsname
	unix.Uname(&uts)
	str := func(b []byte) string { return strings.TrimRight(string(b), "\x00") }
	fmt.Fprintf(w, "System\n  OS: %s %s %s\n  Arch: %s\n\n", str(uts.Sysname[:]), str(uts.Release[:]), str(uts.Version[:]), str(uts.Machine[:]))

	commit, gov, _ := buildInfo()
	fmt.Fprintf(w, "Build\n  version: v%s (gotrace %s)\n", bpftraceVersion, version)
	if commit != "" {
		fmt.Fprintf(w, "  commit: %s\n", commit)
	}
	fmt.Fprintf(w, "  Go: %s\n  compiler: gotrace's own code generator and verifier (no LLVM, no clang)\n", gov)
	fmt.Fprintf(w, "  dwunwind (DWARF stack unwinding): yes\n")
	fmt.Fprintf(w, "  DWARF of traced binaries: symbols, debug files and unwinding; function arguments and source lines not yet\n\n")

	t, err := newTarget(o)
	if err != nil {
		t = probes.HostTarget()
	}
	fentry := t.Has(probes.FeatureFentry)
	tp := ebpf.TracePoint
	helpers := []infoItem{
		{"probe_read_kernel", yesNo(helperOK(tp, asm.FnProbeReadKernel))},
		{"probe_read_user", yesNo(helperOK(tp, asm.FnProbeReadUser))},
		{"send_signal", yesNo(helperOK(tp, asm.FnSendSignal))},
		{"override_return", yesNo(helperOK(ebpf.Kprobe, asm.FnOverrideReturn))},
		{"get_boot_ns", yesNo(helperOK(tp, asm.FnKtimeGetBootNs))},
		{"dpath", yesNo(fentry && helperOK(ebpf.Tracing, asm.FnDPath))},
		{"skboutput", yesNo(fentry && helperOK(ebpf.Tracing, asm.FnSkbOutput))},
		{"get_tai_ns", yesNo(helperOK(tp, asm.FnKtimeGetTaiNs))},
		{"get_func_ip", yesNo(helperOK(ebpf.Kprobe, asm.FnGetFuncIp))},
		{"jiffies64", yesNo(helperOK(tp, asm.FnJiffies64))},
		{"lookup_percpu_elem", yesNo(helperOK(tp, asm.FnMapLookupPercpuElem))},
		{"loop", yesNo(helperOK(tp, asm.FnLoop))},
	}
	fmt.Fprintln(w, "Kernel helpers")
	tabulate(w, helpers)
	fmt.Fprintln(w)

	limit := "4096"
	if features.HaveLargeInstructions() == nil {
		limit = "1000000"
	}
	kfeatures := []infoItem{
		{"Instruction limit", limit},
		{"Loop support", yesNo(features.HaveBoundedLoops() == nil)},
		{"btf", yesNo(t.Has(probes.FeatureBTF))},
		{"module btf", yesNo(moduleBTF())},
		{"map batch", yesNo(mapBatch())},
		{"ringbuf", yesNo(features.HaveMapType(ebpf.RingBuf) == nil)},
		{"private stack", yesNo(t.Has(probes.FeaturePrivateStack))},
		{"write_user (not locked down)", yesNo(t.Has(probes.FeatureWriteUser))},
		{"kallsyms data symbols", yesNo(t.Has(probes.FeatureKallsymsData))},
		{"perf event links", yesNo(t.Has(probes.FeaturePerfLink))},
	}
	fmt.Fprintln(w, "Kernel features")
	tabulate(w, kfeatures)
	fmt.Fprintln(w)

	ptypes := []infoItem{
		{"kprobe", yesNo(t.Has(probes.FeatureKprobe))},
		{"uprobe", yesNo(t.Has(probes.FeatureUprobe))},
		{"tracepoint", yesNo(t.Has(probes.FeatureTracepoint))},
		{"rawtracepoint", yesNo(t.Has(probes.FeatureRawTracepoint))},
		{"perf_event", yesNo(t.Has(probes.FeaturePerfEvent))},
		{"hardware", yesNo(t.Has(probes.FeatureHardware))},
		{"watchpoint", yesNo(t.Has(probes.FeatureBreakpoint))},
		{"fentry", yesNo(fentry)},
		{"iter", yesNo(t.Has(probes.FeatureIter))},
		{"kprobe_multi", yesNo(t.Has(probes.FeatureKprobeMulti))},
		{"uprobe_multi", yesNo(t.Has(probes.FeatureUprobeMulti))},
		{"kprobe_session", yesNo(t.Has(probes.FeatureKprobeSession))},
	}
	fmt.Fprintln(w, "Probe types")
	tabulate(w, ptypes)
	fmt.Fprintln(w)
}

// moduleBTF reports whether modules have BTF of their own
// (/sys/kernel/btf holds more than vmlinux).
func moduleBTF() bool {
	ents, err := os.ReadDir("/sys/kernel/btf")
	return err == nil && len(ents) > 1
}

// mapBatch reports whether the kernel looks up map entries in batches.
func mapBatch() bool {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return false
	}
	defer m.Close()
	keys := make([]uint32, 1)
	vals := make([]uint32, 1)
	var cursor ebpf.MapBatchCursor
	_, err = m.BatchLookup(&cursor, keys, vals, nil)
	return err == nil || errors.Is(err, ebpf.ErrKeyNotExist)
}
