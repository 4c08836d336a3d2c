package symbolize

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"os"
	"sync"
)

// Source lines. With an object's DWARF, an address also names the
// source line it was compiled from and the functions inlined there: the
// line table (.debug_line) gives the file and line of each instruction,
// and the tree of DW_TAG_inlined_subroutine entries under the function
// holding the address gives the calls the compiler inlined, innermost
// last, each with the place of its call in the function around it
// (DW_AT_call_file, DW_AT_call_line).
//
// So an address inside myclock, inlined into mywrapper_inlined, itself
// inlined into mywrapper, is three frames, leaf first:
//
//	[inlined] myclock@t.c:15             the address's own line
//	[inlined] mywrapper_inlined@t.c:19   where myclock was called
//	mywrapper+48@t.c:24                  where mywrapper_inlined was called
//
// Source lines come from the object's own DWARF, or from a separate
// debug file its .gnu_debuglink names or the --debuginfo directories
// hold; the system's build-id tree (/usr/lib/debug/.build-id) is not
// searched for them. Its files are those of the system's libraries
// (libc6-dbg's libc alone is 15 MB of DWARF, most of a second to open),
// and stacks are named while output is printed: symbols come from
// there, source lines are left to the programs a user builds.

// SourceFrame is one source-level frame of an address.
type SourceFrame struct {
	Func    string // the inlined function's name; "" for the function the symbol names
	File    string // the source file's path, as the compiler recorded it
	Line    int
	Inlined bool
}

// sourceInfo answers source questions for one object.
type sourceInfo struct {
	mu   sync.Mutex
	d    *DWARF
	memo map[uint64][]SourceFrame
}

// Source returns the source frames of address v of the object (its own
// virtual address, as symbols use), leaf first; nil without DWARF or
// when no line holds v.
func (si *sourceInfo) Source(v uint64) []SourceFrame {
	if si == nil || si.d == nil {
		return nil
	}
	si.mu.Lock()
	defer si.mu.Unlock()
	if fr, ok := si.memo[v]; ok {
		return fr
	}
	fr := sourceFrames(si.d.Main, v)
	si.memo[v] = fr
	return fr
}

// noDebugDirs are the debug directories source lines are looked for
// in: none (see above).
var noDebugDirs = []string{}

// newSourceInfo reads the DWARF of object f (known as objPath).
func newSourceInfo(f *elf.File, objPath string, dbg Debug) *sourceInfo {
	d, err := ReadDWARF(f, objPath, dbg)
	if err != nil {
		return &sourceInfo{}
	}
	return &sourceInfo{d: d, memo: map[uint64][]SourceFrame{}}
}

// sourceFrames finds the compilation unit holding v, its line for v and
// the inlined calls there.
func sourceFrames(d *dwarf.Data, v uint64) []SourceFrame {
	r := d.Reader()
	cu, err := r.SeekPC(v)
	if err != nil || cu == nil {
		return nil
	}
	lr, err := d.LineReader(cu)
	if err != nil || lr == nil {
		return nil
	}
	var le dwarf.LineEntry
	if lr.SeekPC(v, &le) != nil || le.File == nil {
		return nil
	}
	files := lr.Files()
	// the chain of inlined calls holding v, outermost first
	type call struct {
		name       string
		file, line int
	}
	var chain []call
	names := map[dwarf.Offset]string{}
	nameOf := func(e *dwarf.Entry) string {
		for depth := 0; e != nil && depth < 4; depth++ {
			if n, ok := e.Val(dwarf.AttrName).(string); ok {
				return n
			}
			off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
			if !ok {
				off, ok = e.Val(dwarf.AttrSpecification).(dwarf.Offset)
			}
			if !ok {
				return ""
			}
			if n, ok := names[off]; ok {
				return n
			}
			rr := d.Reader()
			rr.Seek(off)
			e, _ = rr.Next()
		}
		return ""
	}
	holds := func(e *dwarf.Entry) bool {
		rs, err := d.Ranges(e)
		if err != nil {
			return false
		}
		for _, rg := range rs {
			if v >= rg[0] && v < rg[1] {
				return true
			}
		}
		return false
	}
	// walk the unit's tree, entering only the entries that hold v
	depth := 0
	inSub := false
	for depth >= 0 {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag == 0 {
			depth--
			continue
		}
		enter := false
		switch e.Tag {
		case dwarf.TagSubprogram:
			if !inSub && holds(e) {
				inSub, enter = true, true
			}
		case dwarf.TagInlinedSubroutine:
			if inSub && holds(e) {
				f, _ := e.Val(dwarf.AttrCallFile).(int64)
				l, _ := e.Val(dwarf.AttrCallLine).(int64)
				chain = append(chain, call{name: nameOf(e), file: int(f), line: int(l)})
				enter = true
			}
		case dwarf.TagLexDwarfBlock:
			enter = inSub && holds(e)
		}
		if e.Children {
			if enter {
				depth++
			} else {
				r.SkipChildren()
			}
		}
	}
	fileName := func(i int) string {
		if i >= 0 && i < len(files) && files[i] != nil {
			return files[i].Name
		}
		return ""
	}
	out := make([]SourceFrame, 0, len(chain)+1)
	file, line := le.File.Name, le.Line
	for i := len(chain) - 1; i >= 0; i-- {
		out = append(out, SourceFrame{Func: chain[i].name, File: file, Line: line, Inlined: true})
		file, line = fileName(chain[i].file), chain[i].line
	}
	out = append(out, SourceFrame{File: file, Line: line})
	return out
}

// Source names the source lines of address addr of process pid (see
// SourceFrame), leaf first; nil when its object has no DWARF or the
// address is in none.
func (s *Symbolizer) Source(pid int, addr uint64) []SourceFrame {
	s.mu.Lock()
	p := s.process(pid)
	m, o, found := p.find(addr)
	if !found || o == nil {
		s.mu.Unlock()
		return s.preloadedSource(addr)
	}
	t := s.table(pid, o)
	si := s.source(pid, o)
	s.mu.Unlock()
	if t == nil || si == nil {
		return nil
	}
	v, ok := t.Vaddr(addr - m.Start + m.Off)
	if !ok {
		return nil
	}
	return si.Source(v)
}

// source returns the source information of an object, reading its
// DWARF the first time (shared by the objects of one build id).
func (s *Symbolizer) source(pid int, o *object) *sourceInfo {
	if o.source != nil || o.file == nil {
		return o.source
	}
	id := ""
	if o.table != nil {
		id = o.table.BuildID
	}
	if si := s.sources[id]; id != "" && si != nil {
		o.source = si
		return si
	}
	f, err := elf.NewFile(o.file)
	if err != nil {
		o.source = &sourceInfo{}
		return o.source
	}
	openers := []Opener{RootOpener(fmt.Sprintf("%s/%d/root", s.proc(), pid))}
	if !s.sameRoot(pid) {
		openers = append(openers, RootOpener(s.Root+"/"))
	}
	o.source = newSourceInfo(f, o.path, Debug{Openers: openers, Dirs: noDebugDirs})
	if id != "" {
		if s.sources == nil {
			s.sources = map[string]*sourceInfo{}
		}
		s.sources[id] = o.source
	}
	return o.source
}

// preloadedSource names the source lines of an address of a preloaded
// executable (see Preload), reading its DWARF the first time.
func (s *Symbolizer) preloadedSource(addr uint64) []SourceFrame {
	s.mu.Lock()
	var si *sourceInfo
	for i := range s.preloaded {
		p := &s.preloaded[i]
		for _, sg := range p.segs {
			if addr >= sg.vaddr && addr < sg.vaddr+sg.filesz {
				if p.source == nil {
					p.source = &sourceInfo{}
					if f, err := os.Open(p.path); err == nil {
						if ef, err := elf.NewFile(f); err == nil {
							p.source = newSourceInfo(ef, p.path, Debug{Openers: []Opener{HostOpener}, Dirs: noDebugDirs})
						}
						f.Close()
					}
				}
				si = p.source
			}
		}
	}
	s.mu.Unlock()
	return si.Source(addr)
}
