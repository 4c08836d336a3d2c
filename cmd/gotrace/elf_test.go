package main

import (
	"bytes"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

// TestEmitELF: the object --emit-elf writes reads back (with cilium's ELF
// reader) as the same programs, in sections of their kind, with the same
// maps and the same map references.
func TestEmitELF(t *testing.T) {
	src := `BEGIN { @a[comm] = count(); printf("%s %d\n", comm, @a[comm]); }
interval:ms:100 { @n = count(); if (@n > 2) { exit(); } }
END { print(@a); }`
	c, err := runtime.Compile("x.bt", []byte(src), runtime.CompileOptions{Target: probes.HostTarget(), Stop: runtime.StageCompile})
	if err != nil {
		t.Fatal(err)
	}
	b, err := buildELF(c.Prog)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("reading the object back: %v", err)
	}
	want := c.Prog.Spec
	if len(got.Maps) != len(want.Maps) {
		t.Errorf("%d maps, want %d", len(got.Maps), len(want.Maps))
	}
	for n, wm := range want.Maps {
		gm := got.Maps[n]
		if gm == nil {
			t.Errorf("map %s is missing", n)
			continue
		}
		if gm.Type != wm.Type || gm.KeySize != wm.KeySize || gm.ValueSize != wm.ValueSize || gm.MaxEntries != wm.MaxEntries {
			t.Errorf("map %s: %v, want %v", n, gm, wm)
		}
	}
	sections := map[string]string{"p0_begin": "raw_tracepoint/begin", "p1_interval": "perf_event", "p2_end": "raw_tracepoint/end"}
	for n, wp := range want.Programs {
		gp := got.Programs[n]
		if gp == nil {
			t.Errorf("program %s is missing", n)
			continue
		}
		if s, ok := sections[n]; ok && gp.SectionName != s {
			t.Errorf("program %s in section %s, want %s", n, gp.SectionName, s)
		}
		if gp.Type != wp.Type {
			t.Errorf("program %s: type %v, want %v", n, gp.Type, wp.Type)
		}
		if len(gp.Instructions) != len(wp.Instructions) {
			t.Errorf("program %s: %d instructions, want %d", n, len(gp.Instructions), len(wp.Instructions))
			continue
		}
		for i := range wp.Instructions {
			w, g := wp.Instructions[i], gp.Instructions[i]
			if w.IsLoadFromMap() {
				if g.Reference() != w.Reference() {
					t.Errorf("program %s, instruction %d: loads map %q, want %q", n, i, g.Reference(), w.Reference())
				}
				continue
			}
			if g.OpCode != w.OpCode || g.Dst != w.Dst || g.Src != w.Src {
				t.Errorf("program %s, instruction %d: %v, want %v", n, i, g, w)
			}
		}
	}
}
