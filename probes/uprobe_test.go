package probes

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang/types"
)

// testdata/bin/prog (see prog.c) has the function gt_add and the USDT
// probe gotrace:tick.
const uprobeTestSym = "gt_add"

// makeLdCache writes a glibc "new format" ld.so.cache.
func makeLdCache(entries []ldCacheEntry) []byte {
	le := binary.LittleEndian
	hdr := make([]byte, 48)
	copy(hdr, ldCacheMagic)
	le.PutUint32(hdr[20:], uint32(len(entries)))
	strOff := 48 + 24*len(entries)
	var strs []byte
	ents := make([]byte, 24*len(entries))
	for i, e := range entries {
		le.PutUint32(ents[24*i:], uint32(e.Flags))
		le.PutUint32(ents[24*i+4:], uint32(strOff+len(strs)))
		strs = append(append(strs, e.Name...), 0)
		le.PutUint32(ents[24*i+8:], uint32(strOff+len(strs)))
		strs = append(append(strs, e.Path...), 0)
	}
	le.PutUint32(hdr[24:], uint32(len(strs)))
	// an old-format cache in front must not matter
	return append(append(append([]byte("ld.so-1.7.0\x00\x00\x00\x00\x00"), hdr...), ents...), strs...)
}

// uprobeTarget is a DirTarget whose root holds testdata/bin/prog as
// /usr/bin/app, as libc and as libfoo, and an ld.so.cache naming them.
func uprobeTarget(t *testing.T) *DirTarget {
	t.Helper()
	exe, err := filepath.Abs("testdata/bin/prog")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, p := range []string{"root/usr/bin/app", "root/lib/x86_64-linux-gnu/libc.so.6", "root/lib/libfoo.so.2"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(exe, full); err != nil {
			t.Fatal(err)
		}
	}
	flags := ldCacheArchFlags()
	cache := makeLdCache([]ldCacheEntry{
		{Flags: 0x0803, Name: "libc.so.6", Path: "/lib32/libc.so.6"}, // another architecture
		{Flags: flags, Name: "libc.so.6", Path: "/lib/x86_64-linux-gnu/libc.so.6"},
		{Flags: flags, Name: "libfoo.so.2", Path: "/lib/libfoo.so.2"},
	})
	if err := os.MkdirAll(filepath.Join(dir, "root/etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "root/etc/ld.so.cache"), cache, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "/nonexistent:/usr/bin")
	return NewDirTarget(dir)
}

func TestParseLdCache(t *testing.T) {
	entries, err := parseLdCache(makeLdCache([]ldCacheEntry{{Flags: 3, Name: "a.so", Path: "/x/a.so"}}))
	if err != nil || len(entries) != 1 || entries[0] != (ldCacheEntry{Flags: 3, Name: "a.so", Path: "/x/a.so"}) {
		t.Errorf("got %+v, %v", entries, err)
	}
	if _, err := parseLdCache([]byte("nope")); err == nil {
		t.Errorf("accepted garbage")
	}
	if b, err := os.ReadFile("/etc/ld.so.cache"); err == nil {
		entries, err := parseLdCache(b)
		if err != nil || len(entries) == 0 {
			t.Errorf("this machine's ld.so.cache: %d entries, %v", len(entries), err)
		}
	}
}

func TestUprobeContexts(t *testing.T) {
	tgt := uprobeTarget(t)
	env := newEnvForTest(tgt)
	tests := []struct{ raw, name string }{
		{"uprobe:/usr/bin/app:" + uprobeTestSym, "uprobe:/usr/bin/app:" + uprobeTestSym},
		{"u:app:" + uprobeTestSym, "uprobe:/usr/bin/app:" + uprobeTestSym},
		{"ur:libc:" + uprobeTestSym, "uretprobe:/lib/x86_64-linux-gnu/libc.so.6:" + uprobeTestSym},
		{"uprobe:libc.so.6:" + uprobeTestSym, "uprobe:/lib/x86_64-linux-gnu/libc.so.6:" + uprobeTestSym},
		{"uprobe:libfoo:" + uprobeTestSym + "+3", "uprobe:/lib/libfoo.so.2:" + uprobeTestSym + "+3"},
	}
	for _, tt := range tests {
		ctxs, err := env.contexts(tt.raw)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		c := ctxs[0]
		if len(ctxs) != 1 || c.Name != tt.name || c.Kind != types.ProgKprobe || c.Args != nil {
			t.Errorf("%s: got %+v", tt.raw, c)
		}
	}
	ctxs, err := env.contexts("uprobe:/usr/bin/app:gt_*")
	if err != nil || len(ctxs) != 1 || ctxs[0].Name != "uprobe:/usr/bin/app:"+uprobeTestSym {
		t.Errorf("wildcard: %v, %v", ctxs, err)
	}
	ctxs, err = env.contexts("uprobe:/usr/bin/app:*")
	if err != nil || len(ctxs) < 2 {
		t.Errorf("wildcard over tests: %d, %v", len(ctxs), err)
	}
	errs := []struct{ raw, msg string }{
		{"uprobe:/usr/bin/app:nosuchfunction", "function nosuchfunction not found in /usr/bin/app"},
		{"uprobe:/usr/bin/nope:f", "binary /usr/bin/nope does not exist"},
		{"uprobe:nope:f", "could not find binary or library nope"},
		{"uprobe:libnope:f", "could not find binary or library libnope"},
		{"uprobe:/usr/bin/app:zzz*", "no function of /usr/bin/app matches zzz*"},
		{"uprobe:/etc/ld.so.cache:f", "/etc/ld.so.cache is not an ELF binary: bad magic number"},
		{"uprobe:/usr/bin/app:" + uprobeTestSym + "+100000", "Offset outside the function bounds ('" + uprobeTestSym + "' size is 4)"},
		{"uprobe:/usr/bin/app:" + uprobeTestSym + "+2", "Could not add uprobe into middle of instruction: /usr/bin/app:" + uprobeTestSym + "+2"},
		{"uprobe:/usr/bin/app:cobol:" + uprobeTestSym, "unsupported language cobol"},
	}
	for _, tt := range errs {
		_, err := env.contexts(tt.raw)
		if err == nil || !strings.HasPrefix(err.Error(), tt.msg) {
			t.Errorf("%s: error %v, want %q", tt.raw, err, tt.msg)
		}
	}
	tgt.Features[FeatureUprobe] = false
	if _, err := env.contexts("uprobe:/usr/bin/app:main"); err == nil || !strings.Contains(err.Error(), "no uprobes") {
		t.Errorf("without uprobes: %v", err)
	}
}

func TestListUprobes(t *testing.T) {
	tgt := uprobeTarget(t)
	got, err := List(tgt, "uprobe:/usr/bin/app:*t_add")
	if err != nil || len(got) != 1 || got[0] != "uprobe:/usr/bin/app:"+uprobeTestSym {
		t.Errorf("List = %v, %v", got, err)
	}
	got, err = List(tgt, "uretprobe:libc:gt_add")
	if err != nil || len(got) != 1 || got[0] != "uretprobe:/lib/x86_64-linux-gnu/libc.so.6:"+uprobeTestSym {
		t.Errorf("List = %v, %v", got, err)
	}
	if _, err := List(tgt, "uprobe:*"); err == nil {
		t.Errorf("listing uprobes without a binary should fail")
	}
}

// TestUprobePlaces: offsets into a function and addresses inside one
// must start an instruction (gt_add is lea (%rdi,%rsi),%eax; ret: a
// 3-byte and a 1-byte instruction), unless --unsafe, which warns.
func TestUprobePlaces(t *testing.T) {
	tgt := uprobeTarget(t)
	env := newEnvForTest(tgt)
	bin, err := fileView{t: tgt}.openBinary("/usr/bin/app")
	if err != nil {
		t.Fatal(err)
	}
	fn := bin.funcs()[uprobeTestSym]
	bin.Close()
	at := func(off uint64) string { return "uprobe:/usr/bin/app:" + strconv.FormatUint(fn.Addr+off, 10) }
	for _, ok := range []string{
		"uprobe:/usr/bin/app:" + uprobeTestSym + "+3",
		at(0), at(3),
		"uretprobe:/usr/bin/app:" + strconv.FormatUint(fn.Addr, 10),
	} {
		if _, err := env.contexts(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for raw, msg := range map[string]string{
		"uprobe:/usr/bin/app:" + uprobeTestSym + "+1": "Could not add uprobe into middle of instruction: /usr/bin/app:gt_add+1",
		at(2): "Could not add uprobe into middle of instruction: /usr/bin/app:gt_add+2",
		"uretprobe:/usr/bin/app:" + strconv.FormatUint(fn.Addr+3, 10): "uretprobes cannot be attached at function offset. (address resolved to: gt_add+3)",
	} {
		_, err := env.contexts(raw)
		if err == nil || err.Error() != msg {
			t.Errorf("%s: error %v, want %q", raw, err, msg)
		}
	}
	_, err = env.contexts("uprobe:/usr/bin/app:" + uprobeTestSym + "+2")
	if se, ok := err.(*SpecError); !ok || !strings.Contains(se.Hint, "instructions of gt_add start at gt_add+0 and gt_add+3") {
		t.Errorf("hint: %#v", err)
	}

	unsafe := newEnvForTest(tgt)
	Unsafe(true)(unsafe)
	for _, raw := range []string{"uprobe:/usr/bin/app:" + uprobeTestSym + "+2", at(1)} {
		if _, err := unsafe.contexts(raw); err != nil {
			t.Errorf("--unsafe %s: %v", raw, err)
		}
	}
	ws := Warnings(unsafe)
	if len(ws) != 2 || ws[0].Msg != "Unsafe uprobe in the middle of the instruction: /usr/bin/app:gt_add+2" || !ws[0].Warning {
		t.Errorf("warnings: %v", ws)
	}
}

func TestInstructionStarts(t *testing.T) {
	// endbr64; push %rbp; mov %rsp,%rbp; mov $0x7,%eax; pop %rbp; ret
	code := []byte{0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5, 0xb8, 0x07, 0, 0, 0, 0x5d, 0xc3}
	for off, want := range map[uint64]placeState{0: placeOK, 4: placeOK, 5: placeOK, 8: placeOK, 13: placeOK, 14: placeOK,
		1: placeInside, 2: placeInside, 6: placeInside, 9: placeInside, 12: placeInside} {
		if got, _ := instructionStarts(elf.EM_X86_64, code, off); got != want {
			t.Errorf("x86-64 +%d: %v, want %v", off, got, want)
		}
	}
	// vzeroupper; ret; vzeroall (3-byte VEX); ret
	vz := []byte{0xc5, 0xf8, 0x77, 0xc3, 0xc4, 0xe1, 0x7c, 0x77, 0xc3}
	for off, want := range map[uint64]placeState{3: placeOK, 4: placeOK, 8: placeOK, 2: placeInside, 7: placeInside} {
		if got, _ := instructionStarts(elf.EM_X86_64, vz, off); got != want {
			t.Errorf("vzeroupper/vzeroall +%d: %v, want %v", off, got, want)
		}
	}
	if got, _ := instructionStarts(elf.EM_X86_64, []byte{0x0f, 0xff, 0xff, 0xff, 0x90}, 4); got != placeFailed {
		t.Errorf("undecodable code: %v", got)
	}
	// arm64: nop; ret
	a64 := []byte{0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03, 0x5f, 0xd6}
	for off, want := range map[uint64]placeState{4: placeOK, 2: placeInside, 6: placeInside} {
		if got, _ := instructionStarts(elf.EM_AARCH64, a64, off); got != want {
			t.Errorf("arm64 +%d: %v, want %v", off, got, want)
		}
	}
	if got, _ := instructionStarts(elf.EM_RISCV, a64, 4); got != placeUnknown {
		t.Errorf("riscv: %v", got)
	}
}

func TestCppNames(t *testing.T) {
	for in, want := range map[string]string{
		"ns::f<int>(int) const": "ns::f<int>",
		"f(int) [clone .cold]":  "f",
		"Foo::operator()(int)":  "Foo::operator()",
		"main":                  "main",
	} {
		if got := stripParams(in); got != want {
			t.Errorf("stripParams(%q) = %q, want %q", in, got, want)
		}
	}
	if got := quoteName(`a"b\c`); got != `"a\"b\\c"` {
		t.Errorf("quoteName: %s", got)
	}
	parts, err := splitParts("x:" + quoteName(`op"(x)`))
	if err != nil || parts[1] != `op"(x)` {
		t.Errorf("quoted name does not read back: %q %v", parts, err)
	}
}
