package probes

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"
)

// Feature is a kernel facility a provider may need.
type Feature int

const (
	FeatureTracepoint    Feature = iota // tracefs tracepoints (BPF_PROG_TYPE_TRACEPOINT)
	FeatureRawTracepoint                // raw tracepoints (4.17+)
	FeatureKprobe                       // kprobes and kretprobes (CONFIG_KPROBE_EVENTS)
	FeatureUprobe                       // uprobes and uretprobes (CONFIG_UPROBE_EVENTS)
	FeatureFentry                       // fentry/fexit trampolines (5.5+, arch support)
	FeaturePerfEvent                    // software perf events with BPF programs
	FeatureHardware                     // a hardware PMU (perf "cpu" device)
	FeatureBTF                          // kernel BTF (/sys/kernel/btf/vmlinux)
	FeaturePerfLink                     // bpf_link for perf events (5.15+)
	FeatureKprobeMulti                  // kprobe-multi links (5.18+, fprobe)
	FeatureIter                         // BPF iterators (5.8+, BTF)
	FeatureBreakpoint                   // hardware breakpoints (perf PERF_TYPE_BREAKPOINT) that fire
	FeaturePrivateStack                 // the verifier gives tracing subprograms with big frames a stack of their own (6.13+, JIT support)
	FeatureKallsymsData                 // /proc/kallsyms lists data symbols (CONFIG_KALLSYMS_ALL), through which the kernel finds variables
	FeatureWriteUser                    // programs may call bpf_probe_write_user (refused where the kernel is locked down)
	FeatureKprobeSession                // kprobe session links (6.10+): one program at a function's entry and return
	FeatureTpBTF                        // raw tracepoints typed by BTF (tp_btf, 5.5+): their programs see the arguments as typed kernel pointers
	FeatureUprobeMulti                  // uprobe-multi links (6.6+)
)

var featureNames = [...]string{
	FeatureTracepoint:    "tracepoints",
	FeatureRawTracepoint: "raw tracepoints",
	FeatureKprobe:        "kprobes",
	FeatureUprobe:        "uprobes",
	FeatureFentry:        "fentry/fexit",
	FeaturePerfEvent:     "perf events",
	FeatureHardware:      "hardware perf events",
	FeatureBTF:           "kernel BTF",
	FeaturePerfLink:      "perf event bpf links",
	FeatureKprobeMulti:   "kprobe-multi links",
	FeatureIter:          "BPF iterators",
	FeatureBreakpoint:    "hardware breakpoints",
	FeaturePrivateStack:  "private stacks for subprograms",
	FeatureKallsymsData:  "kallsyms data symbols",
	FeatureWriteUser:     "bpf_probe_write_user",
	FeatureKprobeSession: "kprobe session links",
	FeatureTpBTF:         "BTF-typed raw tracepoints",
	FeatureUprobeMulti:   "uprobe-multi links",
}

func (f Feature) String() string {
	if int(f) < len(featureNames) {
		return featureNames[f]
	}
	return "feature(" + strconv.Itoa(int(f)) + ")"
}

// Target is every fact about the host that compiling and attaching probes
// needs. HostTarget is the machine gotrace runs on; DirTarget serves the
// same facts from files, so that the compiler is testable anywhere and
// without root.
type Target interface {
	// Tracefs returns the root of tracefs (e.g. /sys/kernel/tracing).
	Tracefs() (string, error)
	// TracepointFormat returns the text of events/<category>/<event>/format.
	TracepointFormat(category, event string) ([]byte, error)
	// TracepointCategories lists the tracepoint categories (subsystems), sorted.
	TracepointCategories() ([]string, error)
	// Tracepoints lists the events of a category, sorted.
	Tracepoints(category string) ([]string, error)
	// NumCPU is the number of possible CPUs (the size of per-CPU maps).
	NumCPU() int
	// Has reports whether the kernel offers a facility.
	Has(f Feature) bool
	// KernelBTF returns the kernel's BTF.
	KernelBTF() (*btf.Spec, error)
	// KernelFuncs lists the kernel functions kprobes may attach to
	// (tracefs available_filter_functions, else /proc/kallsyms).
	KernelFuncs() ([]KernelFunc, error)
	// ReadFile reads a host file (ELF binaries, /etc/ld.so.cache, ...).
	ReadFile(path string) ([]byte, error)
	// Stat describes a host file.
	Stat(path string) (fs.FileInfo, error)
	// BPFPrograms lists the functions of the loaded BPF programs that
	// have BTF (what fentry:bpf and fexit:bpf attach to).
	BPFPrograms() ([]BPFProg, error)
	// Arch is the kernel's architecture as GOARCH spells it ("amd64",
	// "arm64"): it decides the layout of struct pt_regs.
	Arch() string
}

// ---- the real host ----

type hostTarget struct {
	tracefsOnce sync.Once
	tracefs     string
	tracefsErr  error

	featMu sync.Mutex
	feats  map[Feature]bool
}

var host = &hostTarget{}

// HostTarget returns the Target of the machine gotrace runs on. It finds
// tracefs at /sys/kernel/tracing or /sys/kernel/debug/tracing and, when it
// is missing and the process is root, mounts it at /sys/kernel/tracing.
func HostTarget() Target { return host }

func isTracefs(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false
	}
	return st.Type == unix.TRACEFS_MAGIC
}

func (h *hostTarget) Tracefs() (string, error) {
	h.tracefsOnce.Do(func() {
		for _, dir := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
			if isTracefs(dir) {
				h.tracefs = dir
				return
			}
		}
		const dir = "/sys/kernel/tracing"
		if os.Geteuid() != 0 {
			h.tracefsErr = fmt.Errorf("tracefs is not mounted at %s (mount it as root: mount -t tracefs nodev %s)", dir, dir)
			return
		}
		if err := unix.Mount("nodev", dir, "tracefs", 0, ""); err != nil {
			h.tracefsErr = fmt.Errorf("tracefs is not mounted and mounting it at %s failed: %v", dir, err)
			return
		}
		h.tracefs = dir
	})
	return h.tracefs, h.tracefsErr
}

// validName rejects path elements that would leave the events folder.
func validName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\x00")
}

func (h *hostTarget) TracepointFormat(category, event string) ([]byte, error) {
	root, err := h.Tracefs()
	if err != nil {
		return nil, err
	}
	if !validName(category) || !validName(event) {
		return nil, fs.ErrNotExist
	}
	return os.ReadFile(filepath.Join(root, "events", category, event, "format"))
}

func listDirs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

func (h *hostTarget) TracepointCategories() ([]string, error) {
	root, err := h.Tracefs()
	if err != nil {
		return nil, err
	}
	return listDirs(filepath.Join(root, "events"))
}

func (h *hostTarget) Tracepoints(category string) ([]string, error) {
	root, err := h.Tracefs()
	if err != nil {
		return nil, err
	}
	if !validName(category) {
		return nil, fs.ErrNotExist
	}
	return listDirs(filepath.Join(root, "events", category))
}

// Arch is the architecture gotrace was built for, which is the
// kernel's: gotrace runs natively.
func (h *hostTarget) Arch() string { return runtime.GOARCH }

func (h *hostTarget) NumCPU() int {
	if n, err := possibleCPUs("/sys/devices/system/cpu/possible"); err == nil && n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// possibleCPUs parses a CPU list file such as "0-3,8-11" and returns the
// highest CPU number plus one.
func possibleCPUs(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return parseCPUList(string(b))
}

func parseCPUList(s string) (int, error) {
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(s), ",") {
		if part == "" {
			continue
		}
		hi := part
		if i := strings.IndexByte(part, '-'); i >= 0 {
			hi = part[i+1:]
		}
		v, err := strconv.Atoi(hi)
		if err != nil {
			return 0, fmt.Errorf("bad CPU list %q", s)
		}
		if v+1 > n {
			n = v + 1
		}
	}
	return n, nil
}

func (h *hostTarget) Has(f Feature) bool {
	h.featMu.Lock()
	defer h.featMu.Unlock()
	if v, ok := h.feats[f]; ok {
		return v
	}
	v := probeFeature(h, f)
	if h.feats == nil {
		h.feats = map[Feature]bool{}
	}
	h.feats[f] = v
	return v
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

var kernelBTF = sync.OnceValues(btf.LoadKernelSpec)

func (h *hostTarget) KernelBTF() (*btf.Spec, error) { return kernelBTF() }

func (h *hostTarget) KernelFuncs() ([]KernelFunc, error) { return hostKernelFuncs(h) }

func (h *hostTarget) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

func (h *hostTarget) BPFPrograms() ([]BPFProg, error) { return hostBPFProgs() }

func (h *hostTarget) Stat(path string) (fs.FileInfo, error) { return os.Stat(path) }

// ---- a target served from files ----

// DirTarget is a Target whose facts come from a folder, for tests:
//
//	events/<category>/<event>/format   tracepoint format files
//	available_filter_functions         kernel functions for kprobes
//	btf/vmlinux                        kernel BTF (raw), optional
//	root/...                           host files (ReadFile("/x") reads root/x)
//
// NumCPUs and Features are set by the test.
type DirTarget struct {
	Dir      string
	NumCPUs  int              // 0 means 4
	Features map[Feature]bool // missing means false
	BTF      *btf.Spec        // kernel BTF; nil: read btf/vmlinux
	GOARCH   string           // the architecture; "" means amd64
	Progs    []BPFProg        // the loaded BPF programs' functions
}

// NewDirTarget returns a DirTarget over dir with 4 CPUs and the features
// of a typical modern kernel (tracepoints, raw tracepoints, kprobes,
// uprobes, fentry, perf events, BTF, perf links; no hardware PMU).
func NewDirTarget(dir string) *DirTarget {
	return &DirTarget{Dir: dir, Features: map[Feature]bool{
		FeatureTracepoint: true, FeatureRawTracepoint: true, FeatureKprobe: true,
		FeatureUprobe: true, FeatureFentry: true, FeaturePerfEvent: true,
		FeatureBTF: true, FeaturePerfLink: true,
	}}
}

func (d *DirTarget) Tracefs() (string, error) { return d.Dir, nil }

func (d *DirTarget) TracepointFormat(category, event string) ([]byte, error) {
	if !validName(category) || !validName(event) {
		return nil, fs.ErrNotExist
	}
	return os.ReadFile(filepath.Join(d.Dir, "events", category, event, "format"))
}

func (d *DirTarget) TracepointCategories() ([]string, error) {
	return listDirs(filepath.Join(d.Dir, "events"))
}

func (d *DirTarget) Tracepoints(category string) ([]string, error) {
	if !validName(category) {
		return nil, fs.ErrNotExist
	}
	return listDirs(filepath.Join(d.Dir, "events", category))
}

func (d *DirTarget) NumCPU() int {
	if d.NumCPUs > 0 {
		return d.NumCPUs
	}
	return 4
}

func (d *DirTarget) Has(f Feature) bool { return d.Features[f] }

// Arch is GOARCH, or amd64 when it is empty.
func (d *DirTarget) Arch() string {
	if d.GOARCH == "" {
		return "amd64"
	}
	return d.GOARCH
}

func (d *DirTarget) KernelBTF() (*btf.Spec, error) {
	if d.BTF != nil {
		return d.BTF, nil
	}
	b, err := os.ReadFile(filepath.Join(d.Dir, "btf", "vmlinux"))
	if err != nil {
		return nil, fmt.Errorf("no kernel BTF: %w", err)
	}
	return btf.LoadSpecFromReader(bytes.NewReader(b))
}

// KernelFuncs reads available_filter_functions in the folder.
func (d *DirTarget) KernelFuncs() ([]KernelFunc, error) {
	b, err := os.ReadFile(filepath.Join(d.Dir, "available_filter_functions"))
	if err != nil {
		return nil, err
	}
	return parseFilterFunctions(b), nil
}

func (d *DirTarget) BPFPrograms() ([]BPFProg, error) { return d.Progs, nil }

func (d *DirTarget) hostPath(path string) (string, error) {
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("%s: %w", path, fs.ErrNotExist)
	}
	return filepath.Join(d.Dir, "root", filepath.Clean(path)), nil
}

func (d *DirTarget) ReadFile(path string) ([]byte, error) {
	p, err := d.hostPath(path)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: errors.Unwrap(err)}
	}
	return b, nil
}

func (d *DirTarget) Stat(path string) (fs.FileInfo, error) {
	p, err := d.hostPath(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: errors.Unwrap(err)}
	}
	return fi, nil
}

func readSmall(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

// parseCPURanges expands a CPU list such as "0-3,8" into CPU numbers.
func parseCPURanges(s string) []int {
	var cpus []int
	for _, part := range strings.Split(strings.TrimSpace(s), ",") {
		if part == "" {
			continue
		}
		lo, hi := part, part
		if i := strings.IndexByte(part, '-'); i >= 0 {
			lo, hi = part[:i], part[i+1:]
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || b < a {
			return nil
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus
}
