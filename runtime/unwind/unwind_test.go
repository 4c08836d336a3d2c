package unwind

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// need skips a test when a tool is missing, except in CI.
func need(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing but CI=true", tool)
		}
		t.Skipf("%s is missing", tool)
	}
}

// readelfRows parses readelf --debug-dump=frames-interp: the rule of
// every row readelf prints, as this package would keep it.
func readelfRows(t *testing.T, path string) map[uint64]Row {
	t.Helper()
	// readelf may exit 1 over a missing separate debug file, after
	// printing the tables
	out, err := exec.Command("readelf", "--debug-dump=frames-interp", path).Output()
	if len(out) == 0 {
		t.Fatalf("readelf %s: %v", path, err)
	}
	rows := map[uint64]Row{}
	var cols []string
	inFDE := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0:
			inFDE = false
		case len(f) > 3 && f[3] == "FDE":
			inFDE = true
		case f[0] == "LOC":
			cols = f
		case inFDE && len(f) == len(cols):
			pc, err := strconv.ParseUint(f[0], 16, 64)
			if err != nil {
				continue
			}
			r := Row{PC: pc}
			rule := map[string]string{}
			for i, c := range cols {
				rule[c] = f[i]
			}
			if rule["ra"] != "c-8" {
				rows[pc] = r
				continue
			}
			switch rbp := rule["rbp"]; {
			case rbp == "" || rbp == "u":
			case strings.HasPrefix(rbp, "c"):
				n, _ := strconv.Atoi(rbp[1:])
				r.RBPOff = int32(n)
			default:
				rows[pc] = r
				continue
			}
			cfa := rule["CFA"]
			switch {
			case strings.HasPrefix(cfa, "rsp+"):
				n, _ := strconv.Atoi(cfa[4:])
				r.Kind, r.CFAOff = RSP, int32(n)
			case strings.HasPrefix(cfa, "rbp+"):
				n, _ := strconv.Atoi(cfa[4:])
				r.Kind, r.CFAOff = RBP, int32(n)
			case cfa == "exp":
				r.Kind = PLT // or Undefined: readelf does not show the expression
			}
			if r.Kind == Undefined {
				r.RBPOff = 0
			}
			rows[pc] = r
		}
	}
	return rows
}

// at is the row of rows covering pc.
func at(rows []Row, pc uint64) (Row, bool) {
	i := sort.Search(len(rows), func(i int) bool { return rows[i].PC > pc })
	if i == 0 {
		return Row{}, false
	}
	return rows[i-1], true
}

func compare(t *testing.T, path string) int {
	t.Helper()
	rows, err := Rows(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].PC <= rows[i-1].PC {
			t.Fatalf("%s: rows not sorted at %d: %#x after %#x", path, i, rows[i].PC, rows[i-1].PC)
		}
		if sameRule(rows[i], rows[i-1]) {
			t.Fatalf("%s: rows %d and %d are alike", path, i-1, i)
		}
	}
	want := readelfRows(t, path)
	if len(want) == 0 {
		t.Fatalf("%s: readelf shows no rows", path)
	}
	bad := 0
	for pc, w := range want {
		got, ok := at(rows, pc)
		if w.Kind == PLT && ok && (got.Kind == Undefined || got.Kind == PLT) {
			continue // readelf does not show the expression
		}
		if !ok || !sameRule(got, w) {
			if bad < 10 {
				t.Errorf("%s at %#x: got %+v, readelf says %+v", filepath.Base(path), pc, got, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d rows differ", path, bad, len(want))
	}
	return len(rows)
}

const testProg = `
#include <stdio.h>
#include <stdlib.h>
volatile int sink;
__attribute__((noinline)) int leaf(int x) { sink = x; return x * 3; }
__attribute__((noinline)) int mid(int x) { char buf[64]; snprintf(buf, sizeof buf, "%d", x); return leaf(atoi(buf)) + 1; }
int main(int argc, char **argv) { printf("%d\n", mid(argc)); return 0; }
`

func TestAgainstReadelf(t *testing.T) {
	need(t, "readelf")
	need(t, "gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "p.c")
	if err := os.WriteFile(src, []byte(testProg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{{"-O2", "-fomit-frame-pointer"}, {"-O0"}, {"-O2", "-g", "-fno-asynchronous-unwind-tables"}} {
		bin := filepath.Join(dir, "p"+strings.Join(flags, ""))
		args := append(append([]string{}, flags...), "-o", bin, src)
		if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
			t.Fatalf("gcc %v: %v\n%s", flags, err, out)
		}
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			if n := compare(t, bin); n == 0 {
				t.Fatal("no rows")
			}
		})
	}
	for _, path := range []string{"/bin/ls", "/lib/x86_64-linux-gnu/libc.so.6"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s: %v", path, err)
			}
			t.Logf("%s: %d rows", path, compare(t, path))
		})
	}
}

// TestO0 checks the rbp-based rows of a function with a frame pointer.
func TestO0(t *testing.T) {
	need(t, "gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "p.c")
	os.WriteFile(src, []byte(testProg), 0o644)
	bin := filepath.Join(dir, "p")
	if out, err := exec.Command("gcc", "-O0", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := RowsFromELF(f)
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Name != "leaf" {
			continue
		}
		// push rbp; mov rbp, rsp: then CFA = rbp + 16, rbp saved at CFA-16
		r, ok := at(rows, s.Value+s.Size-2)
		if !ok || r.Kind != RBP || r.CFAOff != 16 || r.RBPOff != -16 {
			t.Fatalf("leaf's body: got %+v", r)
		}
		r, _ = at(rows, s.Value)
		if r.Kind != RSP || r.CFAOff != 8 || r.RBPOff != 0 {
			t.Fatalf("leaf's entry: got %+v", r)
		}
		return
	}
	t.Fatal("no symbol leaf")
}

func TestBias(t *testing.T) {
	f := &elf.File{Progs: []*elf.Prog{
		{ProgHeader: elf.ProgHeader{Type: elf.PT_LOAD, Flags: elf.PF_R, Off: 0, Vaddr: 0, Filesz: 0x1000, Align: 0x1000}},
		{ProgHeader: elf.ProgHeader{Type: elf.PT_LOAD, Flags: elf.PF_R | elf.PF_X, Off: 0x1000, Vaddr: 0x401000, Filesz: 0x2345, Align: 0x1000}},
	}}
	bias, ok := Bias(f, 0x7f0000001000, 0x1000)
	if !ok || 0x7f0000001234-bias != 0x401234 {
		t.Fatalf("bias %#x %v", bias, ok)
	}
	if _, ok := Bias(f, 0x7f0000001000, 0x9000); ok {
		t.Fatal("an offset outside every segment has a bias")
	}

	// a running program: the address of a function minus the bias of
	// its mapping is the function's symbol value
	need(t, "gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "b.c")
	os.WriteFile(src, []byte(biasProg), 0o644)
	bin := filepath.Join(dir, "b")
	if out, err := exec.Command("gcc", "-O2", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	first, maps, _ := strings.Cut(string(out), "\n")
	entry, err := strconv.ParseUint(strings.TrimPrefix(first, "0x"), 16, 64)
	if err != nil {
		t.Fatalf("address %q: %v", first, err)
	}
	self, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	syms, err := self.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	var value uint64
	for _, s := range syms {
		if s.Name == "leaf" {
			value = s.Value
		}
	}
	for _, line := range strings.Split(maps, "\n") {
		fl := strings.Fields(line)
		if len(fl) < 6 {
			continue
		}
		lo, hi, _ := strings.Cut(fl[0], "-")
		start, _ := strconv.ParseUint(lo, 16, 64)
		end, _ := strconv.ParseUint(hi, 16, 64)
		off, _ := strconv.ParseUint(fl[2], 16, 64)
		if entry < start || entry >= end {
			continue
		}
		bias, ok := Bias(self, start, off)
		if !ok || entry-bias != value {
			t.Fatalf("leaf at %#x - bias %#x != symbol %#x", entry, bias, value)
		}
		return
	}
	t.Fatalf("leaf (%#x) is in no mapping:\n%s", entry, maps)
}

const biasProg = `
#include <stdio.h>
__attribute__((noinline)) int leaf(int x) { return x + 1; }
int main(void) {
	printf("%p\n", (void *)leaf);
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	while (f && fgets(line, sizeof line, f)) fputs(line, stdout);
	return leaf(-1);
}
`

func FuzzRows(f *testing.F) {
	exe, err := os.Executable()
	if err == nil {
		if ef, err := elf.Open(exe); err == nil {
			if s := ef.Section(".eh_frame"); s != nil {
				if b, err := s.Data(); err == nil && len(b) > 0 {
					f.Add(b[:min(len(b), 4096)])
				}
			}
			ef.Close()
		}
	}
	f.Add([]byte{0x14, 0, 0, 0, 0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 0x10, 1, 0x1b, 0x0c, 7, 8, 0x90, 1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, eh := range []bool{true, false} {
			p := &parser{data: data, addr: 0x1000, eh: eh, cies: map[uint64]*cie{}}
			if fdes, err := p.parse(); err == nil {
				join(fdes)
			}
		}
	})
}
