package probes_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// blockContexts parses src and asks env for the contexts of each probe
// block's attach points, as the checker does: one line per block, each
// context as name=funcs.
func blockContexts(t *testing.T, env types.Env, src string) ([]string, [][]*types.Context) {
	t.Helper()
	f, err := lang.Parse("t.gt", []byte(src))
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	var lines []string
	var all [][]*types.Context
	for _, p := range f.Probes {
		var parts []string
		var block []*types.Context
		for _, spec := range p.Specs {
			ctxs, err := env.(types.BlockEnv).BlockContexts(p, spec)
			if err != nil {
				t.Fatal(lang.Format(err, []byte(src)))
			}
			for _, c := range ctxs {
				parts = append(parts, c.Name+"="+strings.Join(c.Funcs, "+"))
			}
			block = append(block, ctxs...)
		}
		lines = append(lines, strings.Join(parts, " "))
		all = append(all, block)
	}
	return lines, all
}

// A wildcard kprobe is one kprobe-multi context (attached to all its
// functions) where the kernel has them, unless its block reads `probe`
// or the spec names a module. (runtime's TestKprobeMultiPrograms checks
// the programs they compile to.)
func TestKprobeMulti(t *testing.T) {
	const src = `kprobe:vfs_* { @[func] = count(); }
kretprobe:vfs_read* { @r[func] = count(); }
kprobe:vfs_* { @p[probe] = count(); }
kprobe:kvm:kvm_* { @k = count(); }
kprobe:vfs_read { @one = count(); }`
	tgt := probes.NewDirTarget("testdata")
	tgt.Features[probes.FeatureKprobeMulti] = true
	got, ctxs := blockContexts(t, probes.NewEnv(tgt), src)
	want := []string{
		"kprobe:vfs_*=vfs_read+vfs_readv+vfs_write",
		"kretprobe:vfs_read*=vfs_read+vfs_readv",
		"kprobe:vfs_read= kprobe:vfs_readv= kprobe:vfs_write=",
		"kprobe:kvm:kvm_get_msr= kprobe:kvm:kvm_set_msr=",
		"kprobe:vfs_read=",
	}
	if !slices.Equal(got, want) {
		t.Errorf("contexts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := ctxs[0][0].Count(); n != 3 {
		t.Errorf("a kprobe-multi context counts as %d probes, want 3", n)
	}

	// Without kprobe-multi links: a context per function.
	tgt.Features[probes.FeatureKprobeMulti] = false
	_, ctxs = blockContexts(t, probes.NewEnv(tgt), src)
	if n := len(ctxs[0]); n != 3 || len(ctxs[0][0].Funcs) != 0 {
		t.Errorf("without kprobe-multi: %d contexts", n)
	}
}

// Where the kernel has kprobe session links, a block with one kprobe or
// kretprobe attach point (no module, offset or address, not reading
// `probe`) carries a session key and the session's functions, for the
// checker to pair a kprobe block with its kretprobe block; elsewhere
// none does.
func TestKprobeSessionKeys(t *testing.T) {
	const src = `kprobe:vfs_* { @a = 1; }
kretprobe:vfs_* { @b = retval; }
kprobe:vfs_read { @c = arg0; }
kprobe:vfs_read,kprobe:vfs_write { @d = 1; }
kprobe:vfs_read+8 { @e = 1; }
kprobe:vfs_* { @f[probe] = 1; }
kprobe:kvm:kvm_get_msr { @g = 1; }`
	tgt := probes.NewDirTarget("testdata")
	tgt.Features[probes.FeatureKprobeMulti] = true
	tgt.Features[probes.FeatureKprobeSession] = true
	_, ctxs := blockContexts(t, probes.NewEnv(tgt), src)
	var got []string
	for _, block := range ctxs {
		var keys []string
		for _, c := range block {
			keys = append(keys, c.SessionKey+"="+strings.Join(c.SessionFuncs, "+"))
		}
		got = append(got, strings.Join(keys, " "))
	}
	want := []string{"vfs_*=vfs_read+vfs_readv+vfs_write", "vfs_*=vfs_read+vfs_readv+vfs_write", "vfs_read=vfs_read", "= =", "=", "= = =", "="}
	if !slices.Equal(got, want) {
		t.Errorf("session keys:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	tgt.Features[probes.FeatureKprobeSession] = false
	_, ctxs = blockContexts(t, probes.NewEnv(tgt), src)
	for _, block := range ctxs {
		for _, c := range block {
			if c.SessionKey != "" {
				t.Errorf("without session links, %s has session key %q", c.Name, c.SessionKey)
			}
		}
	}
}
