package probes

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gotrace/gotrace/lang/types"
)

// KernelFunc is a kernel function kprobes can attach to.
type KernelFunc struct {
	Name   string
	Module string // "" for vmlinux
}

// parseFilterFunctions reads tracefs available_filter_functions lines
// ("vfs_read", "kvm_set_msr [kvm]").
func parseFilterFunctions(b []byte) []KernelFunc {
	var out []KernelFunc
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		kf := KernelFunc{Name: f[0]}
		if len(f) > 1 && strings.HasPrefix(f[1], "[") {
			kf.Module = strings.Trim(f[1], "[]")
		}
		out = append(out, kf)
	}
	return out
}

// parseKallsyms reads the text symbols of /proc/kallsyms
// ("ffffffff81234560 T vfs_read", "... t foo	[mod]").
func parseKallsyms(b []byte) []KernelFunc {
	var out []KernelFunc
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || (f[1] != "t" && f[1] != "T") {
			continue
		}
		kf := KernelFunc{Name: f[2]}
		if len(f) > 3 {
			kf.Module = strings.Trim(f[3], "[]")
		}
		out = append(out, kf)
	}
	return out
}

func hostKernelFuncs(h *hostTarget) ([]KernelFunc, error) {
	if root, err := h.Tracefs(); err == nil {
		if b, err := os.ReadFile(filepath.Join(root, "available_filter_functions")); err == nil {
			return parseFilterFunctions(b), nil
		}
	}
	b, err := os.ReadFile("/proc/kallsyms")
	if err != nil {
		return nil, err
	}
	return parseKallsyms(b), nil
}

func (e *env) kprobeContexts(s Spec) ([]*types.Context, error) {
	if !e.t.Has(FeatureKprobe) {
		return nil, &SpecError{
			Msg:  "kprobes are not available on this kernel (no CONFIG_KPROBE_EVENTS)",
			Hint: "tracepoints and rawtracepoints work without kprobes: gotrace -l 'tracepoint:*'",
		}
	}
	if s.Address != 0 {
		if err := e.kprobeAddressCheck(s); err != nil {
			return nil, err
		}
		return []*types.Context{kprobeAtIP(s, e.context(s, &types.Context{Provider: s.Provider, Name: s.Name(), Kind: types.ProgKprobe}))}, nil
	}
	if e.t.Arch() == "arm64" && s.Offset%4 != 0 {
		// The kernel checks x86-64 offsets against its instructions;
		// on arm64 it only refuses a misaligned one, with EINVAL.
		se := specErrorf("Could not add %s into middle of instruction: %s+%d", s.Provider, s.Func, s.Offset)
		se.Hint = "arm64 instructions are 4 bytes: the offset must be a multiple of 4"
		return nil, se
	}
	funcs, err := e.t.KernelFuncs()
	if err != nil {
		return nil, specErrorf("cannot list kernel functions: %v", err)
	}
	mod := s.Target
	var names []KernelFunc
	seen := map[KernelFunc]bool{}
	for _, f := range funcs {
		if Match(s.Func, f.Name) && (mod == "" || Match(mod, f.Module) || (mod == "vmlinux" && f.Module == "")) && !seen[f] {
			seen[f] = true
			names = append(names, f)
		}
	}
	if len(names) == 0 {
		what := s.Func
		if mod != "" {
			what = mod + ":" + s.Func
		}
		if HasWildcard(s.Func) {
			return nil, &SpecError{Msg: "no kernel function matches " + what, Hint: "list them with: gotrace -l '" + s.Provider + ":*'"}
		}
		return nil, &SpecError{Missing: true, Msg: "kernel function " + what + " not found or not traceable", Hint: "list them with: gotrace -l '" + s.Provider + ":*" + s.Func + "*'"}
	}
	sort.Slice(names, func(i, j int) bool {
		if names[i].Module != names[j].Module {
			return names[i].Module < names[j].Module
		}
		return names[i].Name < names[j].Name
	})
	var ctxs []*types.Context
	for _, f := range names {
		if s.Offset != 0 {
			if err := e.kprobeOffsetCheck(s, f.Module, f.Name); err != nil {
				return nil, err
			}
		}
		sp := s
		sp.Func = f.Name
		if mod != "" {
			sp.Target = f.Module
			if sp.Target == "" {
				sp.Target = "vmlinux"
			}
		}
		ctxs = append(ctxs, kprobeAtIP(sp, e.context(sp, &types.Context{Provider: s.Provider, Name: sp.Name(), Kind: types.ProgKprobe})))
	}
	return ctxs, nil
}

func attachKprobe(s Spec, name string, prog *ebpf.Program, ret bool) (io.Closer, error) {
	if s.Address != 0 || s.Offset != 0 {
		return attachKprobeAt(s, name, prog, ret)
	}
	var l link.Link
	var err error
	if ret {
		l, err = link.Kretprobe(s.Func, prog, nil)
	} else {
		l, err = link.Kprobe(s.Func, prog, &link.KprobeOptions{Offset: s.Offset})
	}
	if err != nil {
		return nil, kprobeAttachError(name, err)
	}
	return l, nil
}

func listKprobes(t Target, provider, rest string) ([]string, error) {
	if !t.Has(FeatureKprobe) {
		return nil, nil
	}
	funcs, err := t.KernelFuncs()
	if err != nil {
		return nil, nil
	}
	mod, fn := "", orStar(rest)
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		mod, fn = rest[:i], orStar(rest[i+1:])
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range funcs {
		if !Match(fn, f.Name) {
			continue
		}
		line := provider + ":" + f.Name
		if mod != "" {
			m := f.Module
			if m == "" {
				m = "vmlinux"
			}
			if !Match(mod, m) {
				continue
			}
			line = provider + ":" + m + ":" + f.Name
		}
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	sort.Strings(out)
	return out, nil
}

// kprobeProvider is the kprobe provider (ret: kretprobe): a kernel
// function's entry (or return), one program per function or, for a
// wildcard, one program on a kprobe-multi link.
type kprobeProvider struct{ ret bool }

func (p kprobeProvider) parse(s *Spec, args []string) error {
	n := len(args)
	if n != 1 && n != 2 {
		return countError(s.Provider, n, 1, 2)
	}
	fn := args[n-1]
	if n == 2 {
		s.Target = args[0]
	}
	return parseFuncOffset(s, fn, !p.ret)
}

func (kprobeProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.kprobeContexts(s)
}

func (p kprobeProvider) facts(c *types.Context) {
	c.SkipSelf = true
	c.AnyProcess = true
	c.InProcess = true
	c.Func = types.FuncKernel
	c.Return = p.ret
	if !p.ret {
		c.ArgN = types.ArgRegs
		c.Overridable = true
	}
}

func (p kprobeProvider) attach(a attachment) (io.Closer, error) {
	if len(a.ctx.Funcs) > 0 {
		return attachKprobeMulti(a.ctx, a.name, a.prog, p.ret)
	}
	return attachKprobe(a.spec, a.name, a.prog, p.ret)
}

func (kprobeProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return listKprobes(t, name, rest)
}
