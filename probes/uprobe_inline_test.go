package probes

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// inlineSrc has square inlined into main and user and kept out of line
// for a call through a pointer, and cube inlined everywhere (no symbol).
const inlineSrc = `#include <stdlib.h>
static int square(int x) { return x * x; }
static inline int cube(int x) { return x * x * x; }
__attribute__((noinline)) int user(int v) { return square(v) + 1; }
__attribute__((noinline)) int (*pick(void))(int) { return square; }
int main(int argc, char **argv) {
	int s = 0;
	for (int i = 0; i < argc; i++)
		s += square(i + argc) + user(i);
	return s + pick()(argc) + cube(argc - 1);
}
`

// With probe_inline, a uprobe's contexts are its function's out-of-line
// copy and each inlined copy the DWARF lists (one uprobe-multi context
// where the kernel has them); a function inlined everywhere is found by
// its DWARF name alone; a block reading args is refused.
func TestProbeInline(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "root", "usr", "bin", "inl")
	os.MkdirAll(filepath.Dir(bin), 0o755)
	c := filepath.Join(dir, "inl.c")
	os.WriteFile(c, []byte(inlineSrc), 0o644)
	if out, err := exec.Command("gcc", "-O2", "-g", "-o", bin, c).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
		t.Skipf("cannot build the test program: %v %s", err, out)
	}
	tgt := NewDirTarget(dir)
	tgt.Features[FeatureUprobeMulti] = false
	contexts := func(multi, inline bool, src string) ([]*types.Context, error) {
		tgt.Features[FeatureUprobeMulti] = multi
		env := newEnvForTest(tgt)
		s := types.DefaultSettings()
		s.ProbeInline = inline
		env.Configure(s)
		f, err := lang.Parse("t.gt", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return env.BlockContexts(f.Probes[0], f.Probes[0].Specs[0])
	}
	const square = `uprobe:/usr/bin/inl:square { @[func] = count(); }`
	ctxs, err := contexts(false, false, square)
	if err != nil || len(ctxs) != 1 {
		t.Fatalf("without probe_inline: %d contexts, %v; want the out-of-line copy", len(ctxs), err)
	}
	outOfLine := attachPointOf(ctxs[0]).uprobe.offset
	ctxs, err = contexts(false, true, square)
	if err != nil || len(ctxs) < 3 {
		t.Fatalf("with probe_inline: %d contexts, %v; want the out-of-line copy and those in main and user", len(ctxs), err)
	}
	places := len(ctxs)
	seen := map[uint64]bool{}
	for _, c := range ctxs {
		off := attachPointOf(c).uprobe.offset
		if c.Name != "uprobe:/usr/bin/inl:square" || seen[off] {
			t.Errorf("context %s at 0x%x", c.Name, off)
		}
		seen[off] = true
	}
	if !seen[outOfLine] {
		t.Errorf("the out-of-line copy at 0x%x is not among %v", outOfLine, seen)
	}
	ctxs, err = contexts(true, true, square)
	if err != nil || len(ctxs) != 1 || !ctxs[0].UprobeMulti || ctxs[0].Count() != places || ctxs[0].Name != "uprobe:/usr/bin/inl:square" {
		t.Fatalf("with uprobe-multi: %v, %v; want one context of %d places named as the function", ctxs, err, places)
	}
	if ctxs, err := contexts(false, true, `uprobe:/usr/bin/inl:cube { @ = count(); }`); err != nil || len(ctxs) != 1 {
		t.Errorf("cube, inlined everywhere: %d contexts, %v; want 1", len(ctxs), err)
	}
	if _, err := contexts(false, false, `uprobe:/usr/bin/inl:cube { @ = count(); }`); err == nil {
		t.Errorf("cube found without probe_inline")
	}
	_, err = contexts(false, true, `uprobe:/usr/bin/inl:square { @ = args.x; }`)
	if err == nil || !strings.Contains(err.Error(), "The args builtin can only be used when the probe_inline config is disabled") {
		t.Errorf("args with probe_inline: %v", err)
	}
	if ctxs, err := contexts(false, true, `uretprobe:/usr/bin/inl:square { @ = retval; }`); err != nil || len(ctxs) != 1 {
		t.Errorf("uretprobe with probe_inline: %d contexts, %v; want the out-of-line copy", len(ctxs), err)
	}
}
