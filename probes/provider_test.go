package probes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// TestProviderFacts checks the typed facts each provider decides for its
// contexts, which the checker, codegen and runtime read instead of the
// provider's name.
func TestProviderFacts(t *testing.T) {
	tgt := testTarget()
	tgt.Features[FeatureBreakpoint] = true
	utgt := uprobeTarget(t) // a file system with binaries
	type facts struct {
		mem      types.MemSpace
		argN     types.ArgSource
		ret      bool
		fn       types.FuncSource
		regs     bool
		skipSelf bool
		any      bool
		inProc   bool
		override bool
		run      types.RunKind
		timer    bool
		freeze   types.FreezeKind
	}
	for _, tc := range []struct {
		spec string
		want facts
	}{
		{"BEGIN", facts{run: types.RunBegin, freeze: types.FreezeByRuntime}},
		{"END", facts{run: types.RunEnd, freeze: types.FreezeNever}},
		{"self:signal:SIGUSR1", facts{run: types.RunSignal}},
		{"test:x", facts{run: types.RunTest}},
		{"bench:x", facts{run: types.RunBench}},
		// the fake hosts have perf bpf_links, which stop a tracepoint's
		// or a uprobe's program when closed
		{"tracepoint:syscalls:sys_enter_openat", facts{skipSelf: true, any: true, inProc: true, freeze: types.FreezeByAttachment}},
		{"kprobe:vfs_read", facts{argN: types.ArgRegs, fn: types.FuncKernel, regs: true, skipSelf: true, any: true, inProc: true, override: true}},
		{"kretprobe:vfs_read", facts{ret: true, fn: types.FuncKernel, regs: true, skipSelf: true, any: true, inProc: true}},
		// gotrace's events never reach a uprobe outside its own executable
		{"uprobe:/usr/bin/app:" + uprobeTestSym, facts{mem: types.UserMem, argN: types.ArgRegs, fn: types.FuncUser, regs: true, inProc: true, freeze: types.FreezeByAttachment}},
		{"uretprobe:/usr/bin/app:" + uprobeTestSym, facts{mem: types.UserMem, ret: true, fn: types.FuncUser, regs: true, inProc: true, freeze: types.FreezeByAttachment}},
		{"interval:s:1", facts{regs: true, timer: true, freeze: types.FreezeByAttachment}},
		{"profile:hz:99", facts{regs: true, inProc: true, freeze: types.FreezeByAttachment}},
		{"software:cpu-clock:1000", facts{regs: true, inProc: true, freeze: types.FreezeByAttachment}},
		{"watchpoint:0x1000:8:w", facts{regs: true, freeze: types.FreezeByAttachment}},
	} {
		host := tgt
		if strings.HasPrefix(tc.spec, "u") {
			host = utgt
		}
		ctxs, err := NewEnv(host).Contexts(&lang.ProbeSpec{At: lang.Pos{Line: 1, Col: 1}, Raw: tc.spec})
		if err != nil || len(ctxs) == 0 {
			t.Errorf("Contexts(%q): %v", tc.spec, err)
			continue
		}
		c := ctxs[0]
		got := facts{mem: c.Mem, argN: c.ArgN, ret: c.Return, fn: c.Func, regs: c.Regs != nil, skipSelf: c.SkipSelf, any: c.AnyProcess, inProc: c.InProcess,
			override: c.Overridable, run: c.Run, timer: c.Timer, freeze: c.Freeze}
		if got != tc.want {
			t.Errorf("%s: facts %+v, want %+v", tc.spec, got, tc.want)
		}
		if c.Regs != nil && c.Regs != types.RegsAMD64 {
			t.Errorf("%s: registers of %s, want the fake host's amd64", tc.spec, c.Regs.Arch)
		}
		if s, err := specOf(c); err != nil || s.Raw != tc.spec {
			t.Errorf("%s: the context keeps spec %q (%v)", tc.spec, s.Raw, err)
		}
	}

	// without perf bpf_links, a tracepoint's or a uprobe's program runs
	// until its event is closed: it tests the stop flag
	tgt.Features[FeaturePerfLink] = false
	utgt.Features[FeaturePerfLink] = false
	for _, spec := range []string{"tracepoint:syscalls:sys_enter_openat", "uprobe:/usr/bin/app:" + uprobeTestSym} {
		host := tgt
		if strings.HasPrefix(spec, "u") {
			host = utgt
		}
		ctxs, err := NewEnv(host).Contexts(&lang.ProbeSpec{At: lang.Pos{Line: 1, Col: 1}, Raw: spec})
		if err != nil || len(ctxs) == 0 || ctxs[0].Freeze != types.FreezeByFlag {
			t.Errorf("%s without perf links: %v, %v", spec, ctxs, err)
		}
	}

	// a uprobe in gotrace's own executable (here the test's, through a
	// symbolic link too) skips gotrace's own events
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "self")
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{exe: true, link: true, "/bin/sh": false} {
		c := &types.Context{Attach: &attachPoint{}}
		placeUprobe(c, &uprobeSite{open: path})
		if c.SkipSelf != want {
			t.Errorf("a uprobe in %s: skips gotrace's events %v, want %v", path, c.SkipSelf, want)
		}
	}

	// the register layout is the target's architecture's
	tgt.GOARCH = "arm64"
	ctxs, err := NewEnv(tgt).Contexts(&lang.ProbeSpec{Raw: "kprobe:vfs_read"})
	if err != nil || ctxs[0].Regs != types.RegsARM64 {
		t.Errorf("arm64 kprobe: %v, %v", ctxs, err)
	}
}

// TestRegistry checks that every provider name and short name parses to
// itself and that the registry has a value for each.
func TestRegistry(t *testing.T) {
	for _, p := range registry {
		if p.p == nil {
			t.Errorf("%s has no provider value", p.name)
		}
		for _, n := range append([]string{p.name}, p.aliases...) {
			if got := CanonicalProvider(n); got != p.name {
				t.Errorf("CanonicalProvider(%q) = %q, want %q", n, got, p.name)
			}
		}
	}
}
