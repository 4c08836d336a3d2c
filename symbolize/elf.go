package symbolize

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// Symbol is a function of an object: its name as the symbol table has
// it (mangled), its address in the object's own address space (as its
// program headers lay it out) and its size (0: unknown).
type Symbol struct {
	Name       string
	Addr, Size uint64
	rank       int // among symbols at one address, lower is the better name
}

// Table is what naming an address of an object needs: its function
// symbols and its loadable segments.
type Table struct {
	// BuildID is the object's GNU build id in hex ("" without one).
	BuildID string
	// Debug is the separate debug file the symbols were read from too
	// ("" when the object has its own symbol table, or none was found).
	Debug string
	// Machine is the object's architecture.
	Machine elf.Machine
	syms    []Symbol // by address; at one address, the best name first
	segs    []segment
}

type segment struct{ off, vaddr, filesz uint64 }

// File is what symbol tables are read from: an open file, or bytes.
type File interface {
	io.ReaderAt
	io.Closer
}

// Opener opens a file by path in some view of the file system: the
// host's, or a process's (through /proc/PID/root).
type Opener func(path string) (File, error)

// HostOpener opens paths of the host.
func HostOpener(p string) (File, error) { return os.Open(p) }

// RootOpener opens paths under a root directory: /proc/PID/root for a
// process's view, or a test's folder.
func RootOpener(root string) Opener {
	return func(p string) (File, error) { return os.Open(root + path.Clean("/"+p)) }
}

// DefaultDebugDirs are where separate debug files are installed
// (Debian's -dbg and -dbgsym packages, Fedora's debuginfo).
var DefaultDebugDirs = []string{"/usr/lib/debug"}

// Debug says where an object's separate debug file may be: in which
// views of the file system (the traced process's first, then the
// host's) and under which debug directories.
type Debug struct {
	Openers []Opener
	Dirs    []string // nil: DefaultDebugDirs
}

// SearchDirs are directories the user named (gotrace --debuginfo),
// looked in first: an absolute one as it is, a relative one under the
// object's directory. Each may hold the debug file by its debug link's
// name or, without one, by the object's name plus ".debug", directly or
// under the object's directory, or by build id.
var SearchDirs []string

// ReadTable reads the function symbols of the ELF object f, which its
// process knows as objPath. When f has no .symtab (a stripped object
// keeps only the dynamic symbols its linking needs), the full table is
// read from its separate debug file (see FindDebugFile), and the
// dynamic symbols are added to it.
func ReadTable(f *elf.File, objPath string, dbg Debug) *Table {
	t := &Table{Machine: f.Machine, BuildID: BuildID(f)}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			t.segs = append(t.segs, segment{off: p.Off, vaddr: p.Vaddr, filesz: p.Filesz})
		}
	}
	seen := map[Symbol]bool{}
	add := func(syms []elf.Symbol) {
		for _, sy := range syms {
			typ := elf.ST_TYPE(sy.Info)
			if (typ != elf.STT_FUNC && typ != elf.STT_GNU_IFUNC) || sy.Value == 0 || sy.Section == elf.SHN_UNDEF {
				continue
			}
			name := sy.Name
			if i := strings.IndexByte(name, '@'); i > 0 {
				name = name[:i] // versioned: memcpy@@GLIBC_2.14
			}
			s := Symbol{Name: name, Addr: sy.Value, Size: sy.Size, rank: rank(name, elf.ST_BIND(sy.Info))}
			k := Symbol{Name: s.Name, Addr: s.Addr}
			if seen[k] {
				continue
			}
			seen[k] = true
			t.syms = append(t.syms, s)
		}
	}
	syms, err := f.Symbols()
	if err == nil && len(syms) > 0 {
		add(syms)
	} else if df := FindDebugFile(f, objPath, dbg); df != nil {
		if syms, err := df.Symbols(); err == nil {
			add(syms)
			t.Debug = df.Path
		}
		df.Close()
	}
	if syms, err := f.DynamicSymbols(); err == nil {
		add(syms)
	}
	sort.SliceStable(t.syms, func(i, j int) bool {
		a, b := t.syms[i], t.syms[j]
		if a.Addr != b.Addr {
			return a.Addr < b.Addr
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.Name < b.Name
	})
	return t
}

// rank orders the names of one address, best first, as perf chooses:
// a global or weak symbol over a local one (a file's static alias such
// as __GI_memcpy), then fewer leading underscores (getpid over
// __getpid), then a global one over a weak one, then the shorter name.
func rank(name string, bind elf.SymBind) int {
	r := 0
	if bind == elf.STB_LOCAL {
		r += 1 << 20
	}
	r += (len(name) - len(strings.TrimLeft(name, "_"))) << 16
	if bind == elf.STB_WEAK {
		r += 1 << 15
	}
	return r + min(len(name), 1<<15-1)
}

// Symbols lists every function symbol, aliases included, by address.
func (t *Table) Symbols() []Symbol { return t.syms }

// Vaddr turns an offset in the object's file into the address the
// symbols use, through the loadable segment holding that offset.
func (t *Table) Vaddr(fileOff uint64) (uint64, bool) {
	for _, s := range t.segs {
		if fileOff >= s.off && fileOff < s.off+s.filesz {
			return fileOff - s.off + s.vaddr, true
		}
	}
	return 0, false
}

// Lookup finds the function holding address v: the best-named symbol
// at the highest address not above v whose size covers v (a symbol of
// size 0 covers up to the next one).
func (t *Table) Lookup(v uint64) (Symbol, bool) {
	i := sort.Search(len(t.syms), func(i int) bool { return t.syms[i].Addr > v }) - 1
	// Look back a little for a symbol that covers v: a sized symbol
	// may end before v while an earlier, larger one holds it.
	for n := 0; i >= 0 && n < 64; n++ {
		j := i
		for j > 0 && t.syms[j-1].Addr == t.syms[i].Addr {
			j--
		}
		for _, s := range t.syms[j : i+1] { // one address, best name first
			if v < s.Addr+s.Size || s.Size == 0 && n == 0 {
				return s, true
			}
		}
		i = j - 1
	}
	return Symbol{}, false
}

// BuildID is the GNU build id of f in hex, "" when it has none. It is
// read from the note sections, or from the PT_NOTE segments of an
// object without section headers.
func BuildID(f *elf.File) string {
	var notes [][]byte
	for _, s := range f.Sections {
		if s.Type == elf.SHT_NOTE {
			if b, err := s.Data(); err == nil {
				notes = append(notes, b)
			}
		}
	}
	if len(notes) == 0 {
		for _, p := range f.Progs {
			if p.Type == elf.PT_NOTE {
				b := make([]byte, p.Filesz)
				if _, err := p.ReadAt(b, 0); err == nil {
					notes = append(notes, b)
				}
			}
		}
	}
	for _, b := range notes {
		if id := noteBuildID(b, f.ByteOrder); id != nil {
			return hex.EncodeToString(id)
		}
	}
	return ""
}

// noteBuildID finds the NT_GNU_BUILD_ID note ("GNU", type 3) in notes.
func noteBuildID(b []byte, bo interface{ Uint32([]byte) uint32 }) []byte {
	align4 := func(n uint32) uint32 { return (n + 3) &^ 3 }
	for len(b) >= 12 {
		namesz, descsz, typ := bo.Uint32(b), bo.Uint32(b[4:]), bo.Uint32(b[8:])
		p := uint64(12) + uint64(align4(namesz))
		end := p + uint64(align4(descsz))
		if p+uint64(descsz) > uint64(len(b)) {
			return nil
		}
		name := bytes.TrimRight(b[12:12+namesz], "\x00")
		if typ == 3 && string(name) == "GNU" && descsz > 0 {
			return b[p : p+uint64(descsz)]
		}
		if end > uint64(len(b)) {
			return nil
		}
		b = b[end:]
	}
	return nil
}

// debugLink reads .gnu_debuglink: the debug file's name and the CRC-32
// of its contents.
func debugLink(f *elf.File) (string, uint32, bool) {
	s := f.Section(".gnu_debuglink")
	if s == nil {
		return "", 0, false
	}
	b, err := s.Data()
	if err != nil {
		return "", 0, false
	}
	i := bytes.IndexByte(b, 0)
	if i <= 0 {
		return "", 0, false
	}
	off := (i + 4) &^ 3
	if off+4 > len(b) {
		return "", 0, false
	}
	return string(b[:i]), f.ByteOrder.Uint32(b[off:]), true
}

// FindDebugFile finds the separate debug file of the stripped object f
// (known to its process as objPath) the way GDB and bcc do:
//
//   - by build id: DIR/.build-id/NN/REST.debug, where NN is the first
//     byte of the build id in hex and REST the others, for each debug
//     directory DIR (/usr/lib/debug);
//   - by the name in its .gnu_debuglink section: next to the object,
//     in .debug/ next to it, and under DIR followed by the object's
//     directory (/usr/lib/debug/usr/bin/NAME).
//
// Each place is tried in each view of the file system in turn (the
// traced process's before the host's). A candidate is taken only if it
// is the object's: the same build id when both have one, else the CRC
// the debug link names. It returns the open debug file and where it
// was found, or nil.
func FindDebugFile(f *elf.File, objPath string, dbg Debug) *DebugFile {
	dirs := dbg.Dirs
	if dirs == nil {
		dirs = DefaultDebugDirs
	}
	id := BuildID(f)
	link, crc, hasLink := debugLink(f)
	type cand struct {
		path  string
		byCRC bool
	}
	var cands []cand
	if len(SearchDirs) > 0 && path.IsAbs(objPath) {
		dir := path.Dir(objPath)
		name := link
		if !hasLink {
			name = path.Base(objPath) + ".debug"
		}
		for _, d := range SearchDirs {
			if !path.IsAbs(d) {
				d = path.Join(dir, d)
			}
			cands = append(cands, cand{path: path.Join(d, name), byCRC: hasLink}, cand{path: path.Join(d, dir, name), byCRC: hasLink})
			if len(id) > 2 {
				cands = append(cands, cand{path: path.Join(d, ".build-id", id[:2], id[2:]+".debug")})
			}
		}
	}
	if len(id) > 2 {
		for _, d := range dirs {
			cands = append(cands, cand{path: path.Join(d, ".build-id", id[:2], id[2:]+".debug")})
		}
	}
	if hasLink && path.IsAbs(objPath) {
		dir := path.Dir(objPath)
		for _, p := range []string{path.Join(dir, link), path.Join(dir, ".debug", link)} {
			if p != objPath {
				cands = append(cands, cand{path: p, byCRC: true})
			}
		}
		for _, d := range dirs {
			cands = append(cands, cand{path: path.Join(d, dir, link), byCRC: true})
		}
	}
	for _, open := range dbg.Openers {
		for _, c := range cands {
			r, err := open(c.path)
			if err != nil {
				continue
			}
			df, err := elf.NewFile(r)
			if err != nil {
				r.Close()
				continue
			}
			ok := false
			if did := BuildID(df); id != "" && did != "" {
				ok = did == id
			} else if c.byCRC {
				ok = fileCRC(r) == crc
			}
			if ok {
				return &DebugFile{File: df, Path: c.path, r: r}
			}
			r.Close()
		}
	}
	return nil
}

// DebugFile is a separate debug file found for an object.
type DebugFile struct {
	*elf.File
	Path string // where it was found, in its view of the file system
	r    File
}

// Close closes the debug file.
func (d *DebugFile) Close() error { return d.r.Close() }

// fileCRC is the CRC-32 (IEEE, as gnu_debuglink uses) of all of r.
func fileCRC(r io.ReaderAt) uint32 {
	h := crc32.NewIEEE()
	buf := make([]byte, 1<<20)
	for off := int64(0); ; {
		n, err := r.ReadAt(buf, off)
		h.Write(buf[:n])
		off += int64(n)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return h.Sum32()
			}
			return 0
		}
	}
}
