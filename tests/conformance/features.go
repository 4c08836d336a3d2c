package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"

	"github.com/gotrace/gotrace/probes"
)

// Machine holds what this host offers, probed once: the kernel features
// REQUIRES_FEATURE names, and the probe types a test may use without
// declaring them (bpftrace's CI kernels all have kprobes and fentry).
type Machine struct {
	Kernel string // uname -r
	// Features answers REQUIRES_FEATURE names.
	Features map[string]bool
	// FeatureSource says where each answer came from ("kernel", "gotrace --info", "assumed").
	FeatureSource map[string]string
	// Probes says whether the kernel can attach each probe family the
	// static scan looks for (kprobe, fentry, hardware, watchpoint).
	Probes map[string]bool
}

// toolFeatures are REQUIRES_FEATURE names that are build options of
// bpftrace (libraries it was linked with), not kernel facilities. gotrace
// is one binary meant to run every bpftrace script, so they count as
// present unless `gotrace --info` says otherwise; "aot" (bpftrace's
// ahead-of-time mode) has no gotrace counterpart.
var toolFeatures = map[string]bool{
	"dwarf": true, "dwunwind": true, "blazesym": true, "libpath_resolv": true, "aot": false,
}

// infoLine is how bpftrace's --info prints each feature: the text the
// engine searches for, "<label>: yes".
var infoLabel = map[string]string{
	"loop": "Loop support", "probe_read_kernel": "probe_read_kernel", "btf": "btf",
	"fentry": "fentry", "dpath": "dpath", "signal": "send_signal", "iter": "iter",
	"libpath_resolv": "bcc library path resolution", "dwarf": "libdw (DWARF support)",
	"kprobe_multi": "kprobe_multi", "kprobe_session": "kprobe_session",
	"uprobe_multi": "uprobe_multi", "skboutput": "skboutput", "get_tai_ns": "get_ktime_ns",
	"get_func_ip": "get_func_ip", "jiffies64": "jiffies64", "lookup_percpu_elem": "lookup_percpu_elem",
	"dwunwind": "dwunwind (DWARF stack unwinding)", "blazesym": "blazesym (advanced symbolization)",
}

func helper(pt ebpf.ProgramType, fn asm.BuiltinFunc) bool {
	return features.HaveProgramHelper(pt, fn) == nil
}

// ProbeMachine finds out what this host offers. Kernel features are
// probed by loading programs (through gotrace's probes package and
// cilium/ebpf's feature probes), never assumed; tool features come from
// `gotrace --info` when it reports them.
func ProbeMachine(gotrace string) *Machine {
	h := probes.HostTarget()
	m := &Machine{Features: map[string]bool{}, FeatureSource: map[string]string{}, Probes: map[string]bool{}}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	fentry := h.Has(probes.FeatureFentry)
	kprobeMulti := h.Has(probes.FeatureKprobeMulti)
	kernel := map[string]bool{
		"loop":               features.HaveBoundedLoops() == nil,
		"probe_read_kernel":  helper(ebpf.TracePoint, asm.FnProbeReadKernel),
		"btf":                h.Has(probes.FeatureBTF),
		"fentry":             fentry,
		"dpath":              fentry && helper(ebpf.Tracing, asm.FnDPath),
		"signal":             helper(ebpf.TracePoint, asm.FnSendSignal),
		"iter":               h.Has(probes.FeatureIter),
		"kprobe_multi":       kprobeMulti,
		"kprobe_session":     kprobeMulti && features.HaveBPFLinkKprobeSession() == nil,
		"uprobe_multi":       h.Has(probes.FeatureUprobeMulti),
		"skboutput":          fentry && helper(ebpf.Tracing, asm.FnSkbOutput),
		"get_tai_ns":         helper(ebpf.TracePoint, asm.FnKtimeGetTaiNs),
		"get_func_ip":        helper(ebpf.Kprobe, asm.FnGetFuncIp),
		"jiffies64":          helper(ebpf.TracePoint, asm.FnJiffies64),
		"lookup_percpu_elem": helper(ebpf.TracePoint, asm.FnMapLookupPercpuElem),
	}
	for f, v := range kernel {
		m.Features[f], m.FeatureSource[f] = v, "kernel"
	}
	info := gotraceInfo(gotrace)
	for f, v := range toolFeatures {
		m.Features[f], m.FeatureSource[f] = v, "assumed"
		if said, ok := info[f]; ok {
			m.Features[f], m.FeatureSource[f] = said, "gotrace --info"
		}
	}
	m.Probes["kprobe"] = h.Has(probes.FeatureKprobe)
	m.Probes["fentry"] = fentry
	m.Probes["hardware"] = h.Has(probes.FeatureHardware)
	m.Probes["watchpoint"] = h.Has(probes.FeatureBreakpoint)
	return m
}

// gotraceInfo runs `gotrace --info` and reads the features it reports in
// bpftrace's words. It returns nothing when gotrace has no --info.
func gotraceInfo(gotrace string) map[string]bool {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, gotrace, "--info").CombinedOutput()
	if err != nil {
		return nil
	}
	res := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for f, label := range infoLabel {
			if strings.HasPrefix(line, label+": ") {
				res[f] = strings.HasPrefix(line[len(label)+2:], "yes")
			}
		}
	}
	return res
}

// Describe lists the machine's answers, sorted, for the report's header.
func (m *Machine) Describe() string {
	var parts []string
	for f, v := range m.Features {
		s := "no"
		if v {
			s = "yes"
		}
		parts = append(parts, f+"="+s)
	}
	sort.Strings(parts)
	var probeParts []string
	for p, v := range m.Probes {
		s := "no"
		if v {
			s = "yes"
		}
		probeParts = append(probeParts, p+"="+s)
	}
	sort.Strings(probeParts)
	return "kernel " + m.Kernel + "; probes: " + strings.Join(probeParts, " ") + "; features: " + strings.Join(parts, " ")
}

// probeFamilies are the attach-point prefixes (long and short forms) of
// the probe types a kernel may lack, by Machine.Probes key.
var probeFamilies = []struct {
	family string
	re     *regexp.Regexp
}{
	{"kprobe", probeRe("kprobe", "kretprobe", "k", "kr")},
	{"fentry", probeRe("fentry", "fexit", "kfunc", "kretfunc", "f", "fr")},
	{"hardware", probeRe("hardware", "h")},
	{"watchpoint", probeRe("watchpoint", "asyncwatchpoint", "w", "aw")},
}

// probeRe matches an attach point of one of the given provider names: the
// name after a separator (start, blank, quote, brace, comma, semicolon,
// parenthesis), then a colon, then what an attach point's target starts
// with. "%f: " in a format string or "@k: " does not match.
func probeRe(names ...string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\s'"{};,(])(?:` + strings.Join(names, "|") + `):[A-Za-z0-9_*./$\[{-]`)
}

// scriptText is the text of a test in which attach points are looked
// for: the program, the command, and any script file the command names.
func scriptText(t *Test) string {
	text := t.Prog + "\n" + t.Run
	for _, w := range strings.Fields(t.Run) {
		w = strings.Trim(w, `'"`)
		if strings.HasSuffix(w, ".bt") || strings.HasSuffix(w, ".gt") || strings.Contains(w, "runtime/scripts/") {
			if b, err := os.ReadFile(w); err == nil {
				text += "\n" + string(b)
			}
		}
	}
	return text
}

// missingProbeFamily returns the first probe family the test's text uses
// that the machine cannot attach, or "".
//
// The expectations are searched too: a test that expects "kprobe:..." in
// the output of a listing is about kprobes even when its command names
// none.
func (m *Machine) missingProbeFamily(t *Test) string {
	text := scriptText(t)
	for _, e := range t.Expects {
		if e.Mode == expectText || e.Mode == expectRegex {
			text += "\n" + e.Text
		}
	}
	for _, pf := range probeFamilies {
		if !m.Probes[pf.family] && pf.re.MatchString(text) {
			return pf.family
		}
	}
	return ""
}
