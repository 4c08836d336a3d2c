package symbolize

import (
	"debug/dwarf"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const inlineProg = `
struct point { int x; int y; };
static inline __attribute__((always_inline)) int inner(int v)
{
	return v * 3;
}
int __attribute__((noinline)) outer(struct point *p)
{
	return inner(p->x) + p->y;
}
int main(void) { struct point p = { 1, 2 }; return outer(&p); }
`

// readDWARFOf opens bin and reads its DWARF.
func readDWARFOf(t *testing.T, bin string, dbg Debug) (*elf.File, *DWARF) {
	t.Helper()
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	ef, err := elf.NewFile(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadDWARF(ef, bin, dbg)
	if err != nil {
		t.Fatalf("ReadDWARF(%s): %v", bin, err)
	}
	return ef, d
}

// hasFunc reports whether some Data of d has a subprogram named name
// with a parameter named param.
func hasFunc(d *DWARF, name, param string) bool {
	for _, data := range d.All() {
		r := data.Reader()
		for {
			e, err := r.Next()
			if err != nil || e == nil {
				break
			}
			if e.Tag != dwarf.TagSubprogram || e.Val(dwarf.AttrName) != name {
				continue
			}
			for {
				c, err := r.Next()
				if err != nil || c == nil || c.Tag == 0 {
					break
				}
				if c.Tag == dwarf.TagFormalParameter && c.Val(dwarf.AttrName) == param {
					return true
				}
			}
		}
	}
	return false
}

func TestReadDWARF(t *testing.T) {
	dir := t.TempDir()
	plain := buildC(t, dir, "plain", inlineProg, "-g")
	if _, d := readDWARFOf(t, plain, Debug{}); !hasFunc(d, "outer", "p") || len(d.Split) != 0 || d.Path != "" {
		t.Errorf("plain: %+v", d)
	}

	// split DWARF: the skeleton in the binary, the rest in a .dwo
	split := buildC(t, dir, "split", inlineProg, "-g", "-gsplit-dwarf")
	if _, d := readDWARFOf(t, split, Debug{}); !hasFunc(d, "outer", "p") || len(d.Split) != 1 {
		t.Errorf("split: %d split units, outer found: %v", len(d.Split), hasFunc(d, "outer", "p"))
	}

	// stripped, its debug file in a directory the user names (relative
	// to the binary's), under the binary's name plus .debug
	stripped := filepath.Join(dir, "stripped")
	os.Mkdir(filepath.Join(dir, "dbg"), 0o755)
	run(t, "objcopy", "--only-keep-debug", plain, filepath.Join(dir, "dbg", "stripped.debug"))
	run(t, "objcopy", "--strip-debug", plain, stripped)
	f, _ := os.Open(stripped)
	defer f.Close()
	ef, _ := elf.NewFile(f)
	if _, err := ReadDWARF(ef, stripped, Debug{Openers: []Opener{HostOpener}}); err == nil {
		t.Errorf("stripped without --debuginfo: found DWARF")
	}
	SearchDirs = []string{"dbg"}
	defer func() { SearchDirs = nil }()
	d, err := ReadDWARF(ef, stripped, Debug{Openers: []Opener{HostOpener}})
	if err != nil || !hasFunc(d, "outer", "p") || !strings.HasSuffix(d.Path, "dbg/stripped.debug") {
		t.Errorf("stripped with --debuginfo dbg: %v, %+v", err, d)
	}
}

func TestSourceFrames(t *testing.T) {
	dir := t.TempDir()
	bin := buildC(t, dir, "inl", inlineProg, "-g")
	ef, d := readDWARFOf(t, bin, Debug{})
	tab := ReadTable(ef, bin, Debug{})
	outer := symbolOf(t, tab, "outer")
	si := &sourceInfo{d: d, memo: map[uint64][]SourceFrame{}}
	// some address of outer is in inner, inlined: two frames, inner's
	// own line (5) and the line of its call in outer (9)
	found := false
	for a := outer.Addr; a < outer.Addr+outer.Size; a++ {
		fr := si.Source(a)
		if len(fr) == 2 {
			if !fr[0].Inlined || fr[0].Func != "inner" || fr[0].Line != 5 || fr[1].Inlined || fr[1].Line != 9 ||
				!strings.HasSuffix(fr[0].File, "inl.c") || !strings.HasSuffix(fr[1].File, "inl.c") {
				t.Errorf("0x%x: %+v", a, fr)
			}
			found = true
			break
		}
	}
	if !found {
		t.Errorf("no address of outer is in the inlined inner")
	}
	// outer's first instruction: its own line, nothing inlined
	if fr := si.Source(outer.Addr); len(fr) != 1 || fr[0].Line != 8 || fr[0].Inlined {
		t.Errorf("outer's start: %+v", fr)
	}
}
