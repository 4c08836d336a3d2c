package runtime

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUserSymbols resolves addresses of a program built here through a
// fake /proc holding its memory map.
func TestUserSymbols(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "p.c")
	os.WriteFile(src, []byte("int __attribute__((noinline)) hello(int x) { return x * 3; }\nint main(void) { return hello(1); }\n"), 0o644)
	bin := filepath.Join(dir, "p")
	if out, err := exec.Command("gcc", "-O0", "-o", bin, src).CombinedOutput(); err != nil {
		t.Skipf("no C compiler: %v %s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, _ := f.Symbols()
	var hello elf.Symbol
	for _, s := range syms {
		if s.Name == "hello" {
			hello = s
		}
	}
	if hello.Value == 0 {
		t.Fatal("hello not in the symbol table")
	}
	// Map the file's first executable segment at 0x10000000.
	var text *struct{ off, vaddr, size uint64 }
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && hello.Value >= p.Vaddr && hello.Value < p.Vaddr+p.Filesz {
			text = &struct{ off, vaddr, size uint64 }{p.Off, p.Vaddr, p.Filesz}
		}
	}
	if text == nil {
		t.Fatal("no segment holds hello")
	}
	var st unix.Stat_t
	if err := unix.Stat(bin, &st); err != nil {
		t.Fatal(err)
	}
	// a fake /proc/42 whose root is the host's
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "proc", "42"), 0o755)
	os.Symlink("/", filepath.Join(root, "proc", "42", "root"))
	base := uint64(0x10000000)
	line := strings.Join([]string{hex(base) + "-" + hex(base+text.size+0x1000), "r-xp", hex(text.off), "00:00", strconv.FormatUint(st.Ino, 10), bin}, " ")
	os.WriteFile(filepath.Join(root, "proc", "42", "maps"), []byte(line+"\n"), 0o644)
	s := &Symbols{Root: root}
	addr := base + (hello.Value - text.vaddr) + 4
	if got := s.User(42, addr); got != "hello" {
		t.Errorf("User = %q, want hello", got)
	}
	name, off, path, ok := s.user(42, addr)
	if !ok || name != "hello" || off != 4 || path != bin {
		t.Errorf("user = %q+%d in %s (%v)", name, off, path, ok)
	}
	if got := s.User(42, 0x1234); got != "0x1234" {
		t.Errorf("unmapped address: %q", got)
	}
}

func TestKernelSymbols(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "proc"), 0o755)
	os.WriteFile(filepath.Join(root, "proc", "kallsyms"), []byte(
		"ffffffff81000000 T _stext\nffffffff81001000 t do_thing\nffffffff81002000 D some_data\nffffffffc0001000 t mod_fn\t[mymod]\n"), 0o644)
	s := &Symbols{Root: root}
	if got := s.Kernel(0xffffffff81001010); got != "do_thing" {
		t.Errorf("Kernel = %q", got)
	}
	k, off, ok := s.kernel(0xffffffffc0001008)
	if !ok || k.name != "mod_fn" || k.module != "mymod" || off != 8 {
		t.Errorf("module symbol: %+v %d", k, off)
	}
	if got := s.Kernel(0x10); got != "0x10" {
		t.Errorf("below every symbol: %q", got)
	}
}

func hex(v uint64) string { return strconv.FormatUint(v, 16) }
