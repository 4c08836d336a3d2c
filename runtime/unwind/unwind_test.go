package unwind

import (
	"bufio"
	"bytes"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
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

// readelfTable is what readelf --debug-dump=frames-interp says of an
// object, as this package would keep it.
type readelfTable struct {
	rows   map[uint64]Row // the rule from each row readelf prints
	ranges [][2]uint64    // every FDE's [begin, end)
}

// readelfRows parses readelf --debug-dump=frames-interp. A CFA that is
// an expression ("exp") is a PLT row inside a .plt* section (the only
// expression gcc and binutils put there) and Undefined elsewhere. An
// FDE whose instructions are all nops has no table of its own: its rule
// is the last row of its CIE's table.
func readelfRows(t *testing.T, path string, f *elf.File) readelfTable {
	t.Helper()
	// readelf may exit 1 over a missing separate debug file, after
	// printing the tables
	out, err := exec.Command("readelf", "--debug-dump=frames-interp", path).Output()
	if len(out) == 0 {
		t.Fatalf("readelf %s: %v", path, err)
	}
	inPLT := func(pc uint64) bool {
		for _, s := range f.Sections {
			if strings.HasPrefix(s.Name, ".plt") && pc >= s.Addr && pc < s.Addr+s.Size {
				return true
			}
		}
		return false
	}
	parse := func(cols, f []string) Row {
		var r Row
		pc, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil {
			t.Fatalf("readelf row %q: %v", f, err)
		}
		r.PC = pc
		rule := map[string]string{}
		for i, c := range cols {
			rule[c] = f[i]
		}
		if rule["ra"] != "c-8" {
			return r
		}
		switch rbp := rule["rbp"]; {
		case rbp == "" || rbp == "u" || rbp == "s":
		case strings.HasPrefix(rbp, "c"):
			n, _ := strconv.Atoi(rbp[1:])
			r.RBPOff = int32(n)
		default:
			return r
		}
		cfa := rule["CFA"]
		switch {
		case strings.HasPrefix(cfa, "rsp+"):
			n, _ := strconv.Atoi(cfa[4:])
			r.Kind, r.CFAOff = RSP, int32(n)
		case strings.HasPrefix(cfa, "rbp+"):
			n, _ := strconv.Atoi(cfa[4:])
			r.Kind, r.CFAOff = RBP, int32(n)
		case cfa == "exp" && inPLT(pc):
			r.Kind, r.CFAOff = PLT, 5
		}
		if r.Kind == Undefined {
			r.RBPOff = 0
		}
		return r
	}

	tab := readelfTable{rows: map[uint64]Row{}}
	cieLast := map[string]Row{} // by section and offset
	var (
		section, entry string // the section, and the CIE being read ("" in an FDE)
		cols           []string
		fdeBegin       uint64
		fdeCIE         string
		fdeRows        int
	)
	endFDE := func() {
		if fdeCIE != "" && fdeRows == 0 {
			r := cieLast[fdeCIE]
			r.PC = fdeBegin
			tab.rows[fdeBegin] = r
		}
		fdeCIE = ""
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		fl := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "Contents of the "):
			endFDE()
			section, entry = fl[3], ""
		case len(fl) > 3 && fl[3] == "CIE":
			endFDE()
			entry = section + fl[0]
			cieLast[entry] = Row{}
		case len(fl) > 5 && fl[3] == "FDE":
			endFDE()
			entry = ""
			cie, ok1 := strings.CutPrefix(fl[4], "cie=")
			pcs, ok2 := strings.CutPrefix(fl[5], "pc=")
			lo, hi, ok3 := strings.Cut(pcs, "..")
			if !ok1 || !ok2 || !ok3 {
				t.Fatalf("readelf FDE line %q", line)
			}
			b, err1 := strconv.ParseUint(lo, 16, 64)
			e, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("readelf FDE line %q", line)
			}
			if e > b {
				tab.ranges = append(tab.ranges, [2]uint64{b, e})
				fdeBegin, fdeCIE, fdeRows = b, section+cie, 0
			}
		case len(fl) > 0 && fl[0] == "LOC":
			cols = fl
		case len(fl) > 0 && len(fl) == len(cols) && len(fl[0]) == 16:
			r := parse(cols, fl)
			if entry != "" {
				cieLast[entry] = r
			} else if fdeCIE != "" {
				tab.rows[r.PC] = r
				fdeRows++
			}
		}
	}
	endFDE()
	return tab
}

// at is the row of rows covering pc.
func at(rows []Row, pc uint64) (Row, bool) {
	i := sort.Search(len(rows), func(i int) bool { return rows[i].PC > pc })
	if i == 0 {
		return Row{}, false
	}
	return rows[i-1], true
}

// checkTable checks what Rows promises of any table.
func checkTable(rows []Row) error {
	for i := 1; i < len(rows); i++ {
		if rows[i].PC <= rows[i-1].PC {
			return errors.New("rows not sorted at " + strconv.Itoa(i))
		}
		if sameRule(rows[i], rows[i-1]) {
			return errors.New("rows alike at " + strconv.Itoa(i))
		}
	}
	if n := len(rows); n > 0 && rows[n-1].Kind != Undefined {
		return errors.New("the last row is not Undefined")
	}
	return nil
}

// compare checks the rows of the object at path against readelf's and
// returns how many there are.
func compare(t *testing.T, path string) int {
	t.Helper()
	rows, err := Rows(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := checkTable(rows); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := readelfRows(t, path, f)
	if len(want.rows) == 0 {
		t.Fatalf("%s: readelf shows no rows", path)
	}
	bad := 0
	report := func(format string, args ...any) {
		if bad < 10 {
			t.Errorf(filepath.Base(path)+": "+format, args...)
		}
		bad++
	}
	kinds := map[Kind]int{}
	for pc, w := range want.rows {
		got, ok := at(rows, pc)
		kinds[w.Kind]++
		if !ok || !sameRule(got, w) {
			report("at %#x: got %+v, readelf says %+v", pc, got, w)
		}
	}
	// the end of a function not followed by another is Undefined
	begins := map[uint64]bool{}
	for _, r := range want.ranges {
		begins[r[0]] = true
	}
	for _, r := range want.ranges {
		covered := begins[r[1]]
		for _, o := range want.ranges {
			covered = covered || r[1] > o[0] && r[1] < o[1]
		}
		if got, _ := at(rows, r[1]); !covered && got.Kind != Undefined {
			report("at %#x, the end of the function from %#x: got %+v, want Undefined", r[1], r[0], got)
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d checks fail", path, bad, len(want.rows)+len(want.ranges))
	}
	t.Logf("%s: %d rows (readelf: %d rows of %d FDEs; RSP %d, RBP %d, PLT %d, Undefined %d)", path, len(rows),
		len(want.rows), len(want.ranges), kinds[RSP], kinds[RBP], kinds[PLT], kinds[Undefined])
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

// gcc compiles testProg with flags.
func gcc(t *testing.T, src string, flags ...string) string {
	t.Helper()
	need(t, "gcc")
	dir := t.TempDir()
	c := filepath.Join(dir, "p.c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "p")
	args := append(append([]string{}, flags...), "-o", bin, c)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", flags, err, out)
	}
	return bin
}

func TestAgainstReadelf(t *testing.T) {
	for _, flags := range [][]string{
		{"-O2", "-fomit-frame-pointer"},
		{"-O0"},
		{"-O2", "-g", "-fno-asynchronous-unwind-tables"},
		{"-O2", "-fcf-protection=full", "-Wl,-z,now"}, // .plt.sec
	} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			need(t, "readelf")
			compare(t, gcc(t, testProg, flags...))
		})
	}
	for _, path := range []string{"/bin/ls", "/lib/x86_64-linux-gnu/libc.so.6"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			need(t, "readelf")
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s: %v", path, err)
			}
			compare(t, path)
		})
	}
	// a Go binary: no .eh_frame, a compressed .debug_frame
	t.Run("go", func(t *testing.T) {
		need(t, "readelf")
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		f, err := elf.Open(exe)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if f.Section(".debug_frame") == nil {
			// go test links without DWARF: build a program with it
			need(t, "go")
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module p\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "p.go"), []byte("package main\nfunc main() { println(1) }\n"), 0o644)
			exe = filepath.Join(dir, "p")
			cmd := exec.Command("go", "build", "-o", exe)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
		}
		compare(t, exe)
	})
}

// symbol is the value of the symbol name in f.
func symbol(t *testing.T, f *elf.File, name string) uint64 {
	t.Helper()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == name {
			return s.Value
		}
	}
	t.Fatalf("no symbol %s", name)
	return 0
}

// goSymbol is the entry of the Go function name in f, from .gopclntab.
func goSymbol(t *testing.T, f *elf.File, name string) uint64 {
	t.Helper()
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		t.Fatal("no .gopclntab or .text")
	}
	data, err := pcln.Data()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		t.Fatal(err)
	}
	fn := tab.LookupFunc(name)
	if fn == nil {
		t.Fatalf("no function %s", name)
	}
	return fn.Entry
}

// elfRows opens the object at path and reads its rows.
func elfRows(t *testing.T, path string) (*elf.File, []Row) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := RowsFromELF(f)
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	return f, rows
}

// TestO0 checks the rbp-based rows of a function with a frame pointer.
func TestO0(t *testing.T) {
	bin := gcc(t, testProg, "-O0")
	f, rows := elfRows(t, bin)
	defer f.Close()
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

// TestPLT checks that the PLT's FDE gives PLT rows.
func TestPLT(t *testing.T) {
	bin := gcc(t, testProg, "-O2")
	f, rows := elfRows(t, bin)
	defer f.Close()
	plt := f.Section(".plt")
	if plt == nil {
		t.Skip("no .plt")
	}
	// the first entry pushes and jumps; the others jump, push, jump
	found := false
	for pc := plt.Addr + 16; pc < plt.Addr+plt.Size; pc++ {
		if r, _ := at(rows, pc); r.Kind == PLT {
			found = true
			if r.CFAOff != 5 || r.RBPOff != 0 {
				t.Fatalf("at %#x: %+v", pc, r)
			}
		}
	}
	if !found {
		t.Fatal("no PLT row in .plt")
	}
}

// biasProg prints where leaf is and its own /proc/self/maps.
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

// checkMaps finds the mapping of addr in maps (as /proc/PID/maps) and
// checks that addr minus its bias is vaddr.
func checkMaps(t *testing.T, f *elf.File, maps string, addr, vaddr uint64) {
	t.Helper()
	for _, line := range strings.Split(maps, "\n") {
		fl := strings.Fields(line)
		if len(fl) < 6 {
			continue
		}
		lo, hi, _ := strings.Cut(fl[0], "-")
		start, _ := strconv.ParseUint(lo, 16, 64)
		end, _ := strconv.ParseUint(hi, 16, 64)
		off, _ := strconv.ParseUint(fl[2], 16, 64)
		if addr < start || addr >= end {
			continue
		}
		bias, ok := Bias(f, start, off)
		if !ok || addr-bias != vaddr {
			t.Fatalf("%#x - bias %#x (%v) != symbol %#x (mapping %s)", addr, bias, ok, vaddr, line)
		}
		return
	}
	t.Fatalf("%#x is in no mapping:\n%s", addr, maps)
}

func TestBias(t *testing.T) {
	type seg struct{ off, vaddr, filesz uint64 }
	for _, c := range []struct {
		name     string
		segs     []seg
		mapStart uint64
		mapOff   uint64
		in       int // the segment of the mapping
	}{
		// non-PIE: text at 0x401000 from offset 0x1000, loaded where linked
		{"exec", []seg{{0, 0x400000, 0x1000}, {0x1000, 0x401000, 0x2345}, {0x3e10, 0x404e10, 0x200}}, 0x401000, 0x1000, 1},
		{"exec data", []seg{{0, 0x400000, 0x1000}, {0x1000, 0x401000, 0x2345}, {0x3e10, 0x404e10, 0x200}}, 0x404000, 0x3000, 2},
		// PIE or shared object: linked at 0, loaded anywhere
		{"pie", []seg{{0, 0, 0x1000}, {0x1000, 0x1000, 0x5000}, {0x6de0, 0x7de0, 0x300}}, 0x7f1234561000, 0x1000, 1},
		{"pie data", []seg{{0, 0, 0x1000}, {0x1000, 0x1000, 0x5000}, {0x6de0, 0x7de0, 0x300}}, 0x7f1234567000, 0x6000, 2},
		// a mapping from the middle of a segment
		{"middle", []seg{{0, 0, 0x1000}, {0x1000, 0x1000, 0x50000}}, 0x7f0000020000, 0x20000, 1},
	} {
		f := &elf.File{}
		for i, s := range c.segs {
			flags := elf.PF_R
			if i == 1 {
				flags |= elf.PF_X
			}
			f.Progs = append(f.Progs, &elf.Prog{ProgHeader: elf.ProgHeader{Type: elf.PT_LOAD, Flags: flags,
				Off: s.off, Vaddr: s.vaddr, Filesz: s.filesz, Memsz: s.filesz, Align: 0x1000}})
		}
		bias, ok := Bias(f, c.mapStart, c.mapOff)
		if !ok {
			t.Fatalf("%s: no bias", c.name)
		}
		// the last byte of the segment: its file offset is off+filesz-1
		s := c.segs[c.in]
		vaddr := s.vaddr + s.filesz - 1
		runtime := c.mapStart + (s.off + s.filesz - 1 - c.mapOff)
		if runtime-bias != vaddr {
			t.Errorf("%s: %#x - bias %#x = %#x, want %#x", c.name, runtime, bias, runtime-bias, vaddr)
		}
	}
	f := &elf.File{Progs: []*elf.Prog{{ProgHeader: elf.ProgHeader{Type: elf.PT_LOAD, Off: 0, Vaddr: 0x400000, Filesz: 0x1000, Align: 0x1000}}}}
	if _, ok := Bias(f, 0x7f0000001000, 0x9000); ok {
		t.Fatal("an offset outside every segment has a bias")
	}

	// the test binary itself: the address of a function minus the bias
	// of its mapping is the function's symbol value
	t.Run("self", func(t *testing.T) {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		self, err := elf.Open(exe)
		if err != nil {
			t.Fatal(err)
		}
		defer self.Close()
		const name = "github.com/gotrace/gotrace/runtime/unwind.Bias"
		var value uint64
		if _, err := self.Symbols(); errors.Is(err, elf.ErrNoSymbols) {
			// go test links without an ELF symbol table (-s): Go's
			// own table has the same function addresses
			value = goSymbol(t, self, name)
		} else {
			value = symbol(t, self, name)
		}
		maps, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			t.Fatal(err)
		}
		addr := uint64(reflect.ValueOf(Bias).Pointer())
		checkMaps(t, self, string(maps), addr, value)
	})

	// a PIE C program, to have a load bias that is not 0
	t.Run("pie", func(t *testing.T) {
		bin := gcc(t, biasProg, "-O2", "-fPIE", "-pie")
		out, err := exec.Command(bin).Output()
		if err != nil {
			t.Fatal(err)
		}
		first, maps, _ := strings.Cut(string(out), "\n")
		addr, err := strconv.ParseUint(strings.TrimPrefix(first, "0x"), 16, 64)
		if err != nil {
			t.Fatalf("address %q: %v", first, err)
		}
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		checkMaps(t, f, maps, addr, symbol(t, f, "leaf"))
	})
}

// cfi builds call-frame information by hand.
type cfi struct {
	b   []byte
	eh  bool
	ext bool // 64-bit DWARF: extended lengths, 8-byte CIE ids and pointers
}

func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func le(n int, v uint64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b[:n]
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

// entry appends an entry with this id field (a CIE id or CIE pointer,
// computed from the field's offset) and body; it returns its offset.
func (c *cfi) entry(id func(at uint64) uint64, body []byte) uint64 {
	start := uint64(len(c.b))
	n := 4
	if c.ext {
		n = 8
	}
	if c.ext {
		c.b = append(c.b, le(4, 0xffffffff)...)
		c.b = append(c.b, le(8, uint64(n+len(body)))...)
	} else {
		c.b = append(c.b, le(4, uint64(n+len(body)))...)
	}
	c.b = append(c.b, le(n, id(uint64(len(c.b))))...)
	c.b = append(c.b, body...)
	return start
}

func (c *cfi) cie(body []byte) uint64 {
	return c.entry(func(uint64) uint64 {
		if c.eh {
			return 0
		}
		return ^uint64(0)
	}, body)
}

// fde appends an FDE of the CIE at cie; body(at) gives its body, at
// being the section offset of the body.
func (c *cfi) fde(cie uint64, body func(at uint64) []byte) {
	n := uint64(8) // length and CIE pointer
	if c.ext {
		n = 4 + 8 + 8
	}
	at := uint64(len(c.b)) + n
	c.entry(func(pos uint64) uint64 {
		if c.eh {
			return pos - cie
		}
		return cie
	}, body(at))
}

func rowsOf(data []byte, addr uint64, eh bool) ([]Row, error) {
	p := &parser{data: data, addr: addr, eh: eh, cies: map[uint64]*cie{}}
	fdes, err := p.parse()
	if err != nil {
		return nil, err
	}
	return join(fdes), nil
}

var pltExpr = []byte{0x77, 8, 0x80, 0, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22}

// instrs exercises every instruction; want is what it gives from begin.
var instrs = cat(
	[]byte{0x41, 0x0e, 16, 0x86, 2},            // +1: def_cfa_offset 16; offset rbp, 2
	[]byte{0x02, 3, 0x0d, 6},                   // +3: def_cfa_register rbp
	[]byte{0x03, 0, 1, 0x0a, 0x0c, 7, 8, 0xc6}, // +0x100: remember_state; def_cfa rsp 8; restore rbp
	[]byte{0x04, 4, 0, 0, 0, 0x0b},             // +4: restore_state
	[]byte{0x42, 0x2e, 16, 0},                  // +2: GNU_args_size 16; nop
	[]byte{0x42, 0x12, 7}, sleb(-3),            // +2: def_cfa_sf rsp, -3*-8
	[]byte{0x42, 0x13}, sleb(-4), // +2: def_cfa_offset_sf -4*-8
	[]byte{0x42, 0x11, 6}, sleb(-3), // +2: offset_extended_sf rbp, -3*-8
	[]byte{0x42, 0x2f, 6, 5},                        // +2: GNU_negative_offset_extended rbp, 5
	[]byte{0x42, 0x05, 6, 3},                        // +2: offset_extended rbp, 3
	[]byte{0x42, 0x08, 6},                           // +2: same_value rbp
	[]byte{0x42, 0x09, 6, 3},                        // +2: register rbp, rbx
	[]byte{0x42, 0x07, 6},                           // +2: undefined rbp
	[]byte{0x42, 0x10, 6, 1, 0x30},                  // +2: expression rbp
	[]byte{0x42, 0x06, 6},                           // +2: restore_extended rbp
	[]byte{0x42, 0x14, 6, 1},                        // +2: val_offset rbp
	[]byte{0x42, 0x15, 6, 0x7f},                     // +2: val_offset_sf rbp
	[]byte{0x42, 0x16, 6, 1, 0x30},                  // +2: val_expression rbp
	[]byte{0x42, 0xc6},                              // +2: restore rbp
	[]byte{0x42, 0x0f, byte(len(pltExpr))}, pltExpr, // +2: def_cfa_expression (PLT)
	[]byte{0x42, 0x0f, 4, 0x77, 0xa0, 0x01, 0x06}, // +2: def_cfa_expression (other)
	[]byte{0x42, 0x0c, 6, 16},                     // +2: def_cfa rbp 16
	[]byte{0x42, 0x0c, 12, 8},                     // +2: def_cfa r12 8
	[]byte{0x42, 0x0c, 7, 8, 0x90, 2},             // +2: def_cfa rsp 8; offset ra, 2
	[]byte{0x42, 0x90, 1},                         // +2: offset ra, 1
	[]byte{0x42, 0x07, 16},                        // +2: undefined ra
	[]byte{0x42, 0x90, 1},                         // +2: offset ra, 1
)

// setLoc is a DW_CFA_set_loc to begin+0x140 (then def_cfa_offset 48).
func setLoc(ptr []byte) []byte { return cat([]byte{0x01}, ptr, []byte{0x0e, 48}) }

const fnSize = 0x150

func want(begin uint64) []Row {
	return []Row{
		{begin, RSP, 8, 0},
		{begin + 1, RSP, 16, -16},
		{begin + 4, RBP, 16, -16},
		{begin + 0x104, RSP, 8, 0},
		{begin + 0x108, RBP, 16, -16},
		{begin + 0x10c, RSP, 24, -16},
		{begin + 0x10e, RSP, 32, -16},
		{begin + 0x110, RSP, 32, 24},
		{begin + 0x112, RSP, 32, 40},
		{begin + 0x114, RSP, 32, -24},
		{begin + 0x116, RSP, 32, 0},
		{begin + 0x118, Undefined, 0, 0},
		{begin + 0x11a, RSP, 32, 0},
		{begin + 0x11c, Undefined, 0, 0},
		{begin + 0x11e, RSP, 32, 0},
		{begin + 0x120, Undefined, 0, 0},
		{begin + 0x126, RSP, 32, 0},
		{begin + 0x128, PLT, 5, 0},
		{begin + 0x12a, Undefined, 0, 0},
		{begin + 0x12c, RBP, 16, 0},
		{begin + 0x12e, Undefined, 0, 0},
		{begin + 0x132, RSP, 8, 0},
		{begin + 0x134, Undefined, 0, 0},
		{begin + 0x136, RSP, 8, 0},
		{begin + 0x140, RSP, 48, 0},
		{begin + fnSize, Undefined, 0, 0},
	}
}

// cieBody is a CIE's body after its id: version 1, augmentation aug
// with augmentation data augData, code and data alignment 1 and -8,
// return address column 16, CFA = rsp+8 and the return address at
// CFA-8.
func cieBody(aug string, augData []byte) []byte {
	b := cat([]byte{1}, []byte(aug), []byte{0}, uleb(1), sleb(-8), []byte{16})
	if aug != "" {
		b = cat(b, uleb(uint64(len(augData))), augData)
	}
	return cat(b, []byte{0x0c, 7, 8, 0x90, 1})
}

func TestEncodings(t *testing.T) {
	const secAddr = 0x10000
	for _, c := range []struct {
		name string
		enc  byte
		ptr  func(v, at uint64) []byte // v encoded at section offset at
	}{
		{"absptr", 0x00, func(v, _ uint64) []byte { return le(8, v) }},
		{"udata2", 0x02, func(v, _ uint64) []byte { return le(2, v) }},
		{"udata4", 0x03, func(v, _ uint64) []byte { return le(4, v) }},
		{"udata8", 0x04, func(v, _ uint64) []byte { return le(8, v) }},
		{"uleb128", 0x01, func(v, _ uint64) []byte { return uleb(v) }},
		{"sleb128", 0x09, func(v, _ uint64) []byte { return sleb(int64(v)) }},
		{"sdata2", 0x0a, func(v, _ uint64) []byte { return le(2, v) }},
		{"sdata4", 0x0b, func(v, _ uint64) []byte { return le(4, v) }},
		{"sdata8", 0x0c, func(v, _ uint64) []byte { return le(8, v) }},
		{"pcrel sdata4", 0x1b, func(v, at uint64) []byte { return le(4, v-(secAddr+at)) }},
		{"pcrel sdata8", 0x1c, func(v, at uint64) []byte { return le(8, v-(secAddr+at)) }},
		{"datarel sdata4", 0x3b, func(v, _ uint64) []byte { return le(4, v-secAddr) }},
		{"datarel sleb128", 0x39, func(v, _ uint64) []byte { return sleb(int64(v - secAddr)) }},
	} {
		for _, ext := range []bool{false, true} {
			name := c.name
			if ext {
				name += " 64-bit"
			}
			t.Run(name, func(t *testing.T) {
				// begin below 0x8000 for the 2-byte and signed encodings
				const begin, begin2 = 0x2000, 0x2000 + fnSize
				s := &cfi{eh: true, ext: ext}
				// a CIE with "zR", and one with "zPLR": a personality
				// (pcrel sdata4, indirect) and an LSDA pointer in the FDE
				zr := s.cie(cieBody("zR", []byte{c.enc}))
				zplr := s.cie(cieBody("zPLR", []byte{0x9b, 1, 2, 3, 4, 0x1b, c.enc}))
				for i, cie := range []uint64{zr, zplr} {
					b := uint64(begin)
					if i == 1 {
						b = begin2
					}
					s.fde(cie, func(at uint64) []byte {
						p := c.ptr(b, at)
						body := cat(p, rangeSize(c.enc, fnSize))
						if i == 0 {
							body = cat(body, uleb(0))
						} else {
							body = cat(body, uleb(4), le(4, 0))
						}
						loc := at + uint64(len(body)) + uint64(len(instrs)) + 1
						return cat(body, instrs, setLoc(c.ptr(b+0x140, loc)))
					})
				}
				s.b = append(s.b, 0, 0, 0, 0) // the terminator
				s.b = append(s.b, 0xde, 0xad) // and what follows it is not read
				rows, err := rowsOf(s.b, secAddr, true)
				if err != nil {
					t.Fatal(err)
				}
				w := want(begin)
				w = append(w[:len(w)-1], want(begin2)...)
				if !reflect.DeepEqual(rows, w) {
					t.Fatalf("got\n%v\nwant\n%v", rows, w)
				}
				if err := checkTable(rows); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// rangeSize encodes an FDE's address range in the format of enc.
func rangeSize(enc byte, v uint64) []byte {
	switch enc & 0x0f {
	case 0x00, 0x04, 0x0c:
		return le(8, v)
	case 0x02, 0x0a:
		return le(2, v)
	case 0x03, 0x0b:
		return le(4, v)
	case 0x01:
		return uleb(v)
	case 0x09:
		return sleb(int64(v))
	}
	panic("encoding")
}

func TestDebugFrame(t *testing.T) {
	for _, ext := range []bool{false, true} {
		for _, version := range []byte{1, 3, 4} {
			s := &cfi{ext: ext}
			body := cat([]byte{version, 0})
			if version == 4 {
				body = cat(body, []byte{8, 0})
			}
			body = cat(body, uleb(1), sleb(-8))
			if version == 1 {
				body = cat(body, []byte{16})
			} else {
				body = cat(body, uleb(16))
			}
			cie := s.cie(cat(body, []byte{0x0c, 7, 8, 0x90, 1}))
			// two functions with a gap, and one right after the second
			for _, b := range []uint64{0x401000, 0x402000, 0x402000 + fnSize} {
				s.fde(cie, func(uint64) []byte {
					return cat(le(8, b), le(8, fnSize), instrs, setLoc(le(8, b+0x140)))
				})
			}
			rows, err := rowsOf(s.b, 0, false)
			if err != nil {
				t.Fatalf("64-bit %v, version %d: %v", ext, version, err)
			}
			w := want(0x401000)
			w2 := want(0x402000)
			w = append(w, w2[:len(w2)-1]...)
			w = append(w, want(0x402000+fnSize)...)
			if !reflect.DeepEqual(rows, w) {
				t.Fatalf("64-bit %v, version %d: got\n%v\nwant\n%v", ext, version, rows, w)
			}
		}
	}
}

// TestAlignment checks the scaling by code and data alignment factors.
func TestAlignment(t *testing.T) {
	s := &cfi{eh: true}
	cie := s.cie(cat([]byte{3}, []byte("zR\x00"), uleb(4), sleb(-4), uleb(16), uleb(1), []byte{0x03},
		[]byte{0x0c, 7, 4, 0x90, 2})) // def_cfa rsp 4; ra at CFA-2*4
	s.fde(cie, func(uint64) []byte {
		return cat(le(4, 0x1000), le(4, 0x100), uleb(0),
			[]byte{0x41, 0x13}, sleb(-6), // +1*4: def_cfa_offset_sf -6*-4 = 24
			[]byte{0x02, 2, 0x86, 4}, // +2*4: rbp at CFA-16
		)
	})
	rows, err := rowsOf(s.b, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	w := []Row{{0x1000, RSP, 4, 0}, {0x1004, RSP, 24, 0}, {0x100c, RSP, 24, -16}, {0x1100, Undefined, 0, 0}}
	if !reflect.DeepEqual(rows, w) {
		t.Fatalf("got %v, want %v", rows, w)
	}
}

func TestMalformed(t *testing.T) {
	good := &cfi{eh: true}
	cie := good.cie(cieBody("zR", []byte{0x03}))
	good.fde(cie, func(uint64) []byte { return cat(le(4, 0x1000), le(4, 0x10), uleb(0), []byte{0x41, 0x0e, 16}) })
	if _, err := rowsOf(good.b, 0, true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"truncated", good.b[:len(good.b)-3]},
		{"length past the end", cat(le(4, 0x100), good.b[4:])},
		{"CIE pointer outside", func() []byte {
			s := &cfi{eh: true}
			s.entry(func(uint64) uint64 { return 0x1000 }, le(8, 0))
			return s.b
		}()},
		{"FDE pointer to an FDE", func() []byte {
			s := &cfi{eh: true}
			s.cie(cieBody("zR", []byte{0x03}))
			fde := uint64(len(s.b))
			s.fde(0, func(uint64) []byte { return cat(le(4, 0x1000), le(4, 0x10), uleb(0)) })
			s.fde(fde, func(uint64) []byte { return cat(le(4, 0x1000), le(4, 0x10), uleb(0)) })
			return s.b
		}()},
		{"unknown instruction", fdeWith([]byte{0x3f})},
		{"restore_state without remember_state", fdeWith([]byte{0x0b})},
		{"expression past the end", fdeWith([]byte{0x0f, 0x40, 1})},
		{"unknown pointer encoding", func() []byte {
			s := &cfi{eh: true}
			cie := s.cie(cieBody("zR", []byte{0x05}))
			s.fde(cie, func(uint64) []byte { return make([]byte, 16) })
			return s.b
		}()},
		{"textrel", func() []byte {
			s := &cfi{eh: true}
			cie := s.cie(cieBody("zR", []byte{0x23}))
			s.fde(cie, func(uint64) []byte { return make([]byte, 16) })
			return s.b
		}()},
		{"aligned personality past the end", func() []byte { // once a hang
			s := &cfi{eh: true}
			s.cie(cieBody("zPR", []byte{0x50}))
			return s.b
		}()},
		{"version 2", func() []byte {
			s := &cfi{eh: true}
			b := cieBody("zR", []byte{0x03})
			b[0] = 2
			s.cie(b)
			return s.b
		}()},
		{"unknown augmentation", func() []byte {
			s := &cfi{eh: true}
			s.cie(cieBody("xR", []byte{0x03}))
			return s.b
		}()},
	} {
		if _, err := rowsOf(c.data, 0, true); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// fdeWith is .eh_frame with one FDE of these instructions.
func fdeWith(code []byte) []byte {
	s := &cfi{eh: true}
	cie := s.cie(cieBody("zR", []byte{0x03}))
	s.fde(cie, func(uint64) []byte { return cat(le(4, 0x1000), le(4, 0x10), uleb(0), code) })
	return s.b
}

func FuzzRows(f *testing.F) {
	for _, path := range []string{"/bin/ls", "/lib/x86_64-linux-gnu/libc.so.6"} {
		ef, err := elf.Open(path)
		if err != nil {
			continue
		}
		if s := ef.Section(".eh_frame"); s != nil {
			if b, err := s.Data(); err == nil && len(b) > 0 {
				f.Add(b[:min(len(b), 2048)], true)
			}
		}
		ef.Close()
	}
	if exe, err := os.Executable(); err == nil {
		if ef, err := elf.Open(exe); err == nil {
			if s := ef.Section(".debug_frame"); s != nil {
				if b, err := s.Data(); err == nil && len(b) > 0 {
					f.Add(b[:min(len(b), 2048)], false)
				}
			}
			ef.Close()
		}
	}
	f.Add(fdeWith(instrs), true)
	f.Fuzz(func(t *testing.T, data []byte, eh bool) {
		rows, err := rowsOf(data, 0x1000, eh)
		if err != nil {
			return
		}
		if err := checkTable(rows); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPLTExpression checks which expressions are PLT rows: lit11 (gcc
// and binutils' .plt, .plt.sec) and lit10 (older linkers' lazy PLT)
// are; anything else is not.
func TestPLTExpression(t *testing.T) {
	lit10 := append([]byte{}, pltExpr...)
	lit10[6] = 0x3a
	for _, c := range []struct {
		e    []byte
		off  int
		isOK bool
	}{
		{pltExpr, 5, true},
		{lit10, 6, true},
		{pltExpr[:10], 0, false},
		{append(append([]byte{}, pltExpr...), 0x06), 0, false},
		{[]byte{0x77, 0xa0, 0x01, 0x06}, 0, false},
	} {
		th, ok := pltThreshold(c.e)
		if ok != c.isOK || ok && 16-th != c.off {
			t.Errorf("%x: threshold %d, %v", c.e, th, ok)
		}
	}
}
