package vm

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"
)

// TestCorpus runs every conformance case of testdata in the machine.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/conformance/*.data")
	if len(files) < 300 {
		t.Fatalf("only %d cases", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		c, err := ParseCase(filepath.Base(f), string(b))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if _, _, ok, why := RunCase(c); !ok {
			t.Errorf("%s: %s", c.Name, why)
		}
	}
}

// TestDisassembleRoundTrip: what Disassemble writes assembles to the same bytes.
func TestDisassembleRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/conformance/*.data")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		c, err := ParseCase(filepath.Base(f), string(b))
		if err != nil {
			t.Fatal(err)
		}
		text, err := Disassemble(c.Program)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		again, err := Assemble(text)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.Name, err, text)
		}
		if !bytes.Equal(again, c.Program) {
			t.Errorf("%s: round trip differs:\n%s", c.Name, text)
		}
	}
}

func mustAsm(t testing.TB, src string) []byte {
	t.Helper()
	b, err := Assemble(src)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMemorySafety: programs touch only what they own; everything else
// stops the run with an error naming the instruction.
func TestMemorySafety(t *testing.T) {
	for _, src := range []string{
		"ldxdw %r0, [%r10]\nexit",
		"ldxdw %r0, [%r10-520]\nexit",
		"mov %r1, 0\nldxb %r0, [%r1]\nexit",
		"ldxdw %r0, [%r1+4]\nexit", // context is 8 bytes
		"lddw %r1, 0x700000000\nstxdw [%r1], %r1\nexit",
		"mov %r0, 0\nja -2", // endless loop: the budget
	} {
		m := New(Config{MaxInsns: 1000})
		p, err := m.Load(mustAsm(t, src))
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Run(p, make([]byte, 8))
		var re *RunError
		if err == nil || !errorsAs(err, &re) {
			t.Errorf("%q: got %v, want a RunError", src, err)
		}
	}
}

func errorsAs(err error, re **RunError) bool {
	e, ok := err.(*RunError)
	if ok {
		*re = e
	}
	return ok
}

// TestMapsAndHelpers exercises the emulated maps through programs.
func TestMapsAndHelpers(t *testing.T) {
	m := New(Config{NumCPU: 2, CPU: 1, PID: 42, TID: 43, UID: 1000, GID: 100, Comm: "tester",
		Clock: func() uint64 { return 12345 }, KernelStack: []uint64{0xffffffff81000010, 0xffffffff81000020}})
	hash, _ := m.CreateMap(MapSpec{Name: "h", Type: ebpf.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 2})
	pc, _ := m.CreateMap(MapSpec{Name: "pc", Type: ebpf.PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: 4})
	lru, _ := m.CreateMap(MapSpec{Name: "lru", Type: ebpf.LRUHash, KeySize: 8, ValueSize: 8, MaxEntries: 2})
	rb, _ := m.CreateMap(MapSpec{Name: "rb", Type: ebpf.RingBuf, MaxEntries: 4096})
	st, _ := m.CreateMap(MapSpec{Name: "st", Type: ebpf.StackTrace, KeySize: 4, ValueSize: 8 * 4, MaxEntries: 16})
	// A program: update h[1] = pid, increment pc[7] on this CPU, write 3
	// keys to lru (one is evicted), output comm through the ring buffer,
	// and record a kernel stack.
	prog := []byte{}
	ld := func(fd int) []byte { // lddw r1, map fd
		b := make([]byte, 16)
		b[0] = 0x18
		b[1] = 0x1 | 1<<4
		binary.LittleEndian.PutUint32(b[4:], uint32(fd))
		return b
	}
	prog = append(prog, mustAsm(t, "stdw [%r10-8], 1\ncall 14\nrsh %r0, 32\nstxdw [%r10-16], %r0")...)
	prog = append(prog, ld(hash)...)
	prog = append(prog, mustAsm(t, "mov %r2, %r10\nadd %r2, -8\nmov %r3, %r10\nadd %r3, -16\nmov %r4, 0\ncall 2")...)
	prog = append(prog, mustAsm(t, "stdw [%r10-8], 7")...)
	prog = append(prog, ld(pc)...)
	prog = append(prog, mustAsm(t, "mov %r2, %r10\nadd %r2, -8\nmov %r3, %r10\nadd %r3, -16\nmov %r4, 0\ncall 2")...)
	for _, k := range []int{1, 2, 3} {
		prog = append(prog, mustAsm(t, "stdw [%r10-8], "+itoa(k))...)
		prog = append(prog, ld(lru)...)
		prog = append(prog, mustAsm(t, "mov %r2, %r10\nadd %r2, -8\nmov %r3, %r10\nadd %r3, -16\nmov %r4, 0\ncall 2")...)
	}
	prog = append(prog, mustAsm(t, "mov %r1, %r10\nadd %r1, -32\nmov %r2, 16\ncall 16")...)
	prog = append(prog, ld(rb)...)
	prog = append(prog, mustAsm(t, "mov %r2, %r10\nadd %r2, -32\nmov %r3, 16\nmov %r4, 0\ncall 130")...)
	prog = append(prog, mustAsm(t, "mov %r6, %r1")...)
	prog = append(prog, ld(st)...)
	prog = append(prog, mustAsm(t, "mov %r2, %r1\nmov %r1, %r6\nmov %r3, 0\ncall 27\nexit")...)
	p, err := m.Load(prog)
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.Run(p, make([]byte, 8))
	if err != nil {
		t.Fatal(err)
	}
	key := func(k uint64) []byte { b := make([]byte, 8); binary.LittleEndian.PutUint64(b, k); return b }
	if v, ok := m.Map(hash).Lookup(key(1)); !ok || binary.LittleEndian.Uint64(v) != 42 {
		t.Errorf("h[1] = %v %v, want 42", v, ok)
	}
	if vals, ok := m.Map(pc).LookupPerCPU(key(7)); !ok || binary.LittleEndian.Uint64(vals[0]) != 0 || binary.LittleEndian.Uint64(vals[1]) != 42 {
		t.Errorf("pc[7] = %v, want CPU 1 only", vals)
	}
	if m.Map(lru).Len() != 2 {
		t.Errorf("lru holds %d entries, want 2", m.Map(lru).Len())
	}
	if _, ok := m.Map(lru).Lookup(key(1)); ok {
		t.Errorf("lru kept the least recently used key")
	}
	recs := m.Map(rb).Records()
	if len(recs) != 1 || string(bytes.TrimRight(recs[0], "\x00")) != "tester" {
		t.Errorf("ring buffer records %q", recs)
	}
	if s, ok := m.Map(st).Stack(uint32(id)); !ok || len(s) != 2 || s[0] != 0xffffffff81000010 {
		t.Errorf("stack %d: %x %v", id, s, ok)
	}
	// A full hash map refuses new keys with -E2BIG.
	h := m.Map(hash)
	if err := h.Update(key(2), key(2)); err != nil {
		t.Fatal(err)
	}
	if err := h.Update(key(3), key(3)); err != ErrFull {
		t.Errorf("update of a full map: %v", err)
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

func FuzzRun(f *testing.F) {
	files, _ := filepath.Glob("testdata/conformance/*.data")
	for _, fn := range files[:min(len(files), 60)] {
		b, _ := os.ReadFile(fn)
		if c, err := ParseCase(fn, string(b)); err == nil {
			f.Add(c.Program, c.Mem)
		}
	}
	f.Fuzz(func(t *testing.T, prog, mem []byte) {
		m := New(Config{MaxInsns: 10000})
		m.CreateMap(MapSpec{Name: "h", Type: ebpf.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 4})
		p, err := m.Load(prog)
		if err != nil {
			return
		}
		m.Run(p, mem)
		Disassemble(prog)
	})
}

// BenchmarkRun measures the interpreter on a loop-heavy program: the
// result is ns per executed instruction.
func BenchmarkRun(b *testing.B) {
	src := "mov %r0, 0\nmov %r1, 100000\ntop:\nadd %r0, %r1\nxor %r0, 3\nsub %r1, 1\njne %r1, 0, top\nexit"
	m := New(Config{MaxInsns: 1 << 30})
	p, err := m.Load(mustAsm(b, src))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Run(p, nil); err != nil {
			b.Fatal(err)
		}
	}
	insns := float64(2 + 4*100000 + 1)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/insns, "ns/insn")
}
