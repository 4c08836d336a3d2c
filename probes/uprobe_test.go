package probes

import (
	"encoding/binary"
	"os"
	"path/filepath"
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
		{"uprobe:libfoo:" + uprobeTestSym + "+2", "uprobe:/lib/libfoo.so.2:" + uprobeTestSym + "+2"},
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
		{"uprobe:/usr/bin/app:" + uprobeTestSym + "+100000", "offset 100000 is beyond the end of " + uprobeTestSym},
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
