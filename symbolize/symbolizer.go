package symbolize

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ianlancetaylor/demangle"
)

// Frame is an address named: the function holding it, the offset into
// the function, and the object it belongs to (its path as the process
// sees it, or the perf map that named it).
type Frame struct {
	Name   string
	Off    uint64
	Object string
}

// Symbolizer names the addresses of processes. It keeps, per process,
// the mappings last read, and per mapped object an open file and (once
// needed) its symbol table, so that a process that has exited since
// still names its addresses. Its methods may be called from several
// goroutines.
type Symbolizer struct {
	// Proc is where proc(5) is mounted: "" means /proc (tests set a
	// fake one).
	Proc string
	// Root is prefixed to the host's own paths (the host's perf maps
	// and debug files); "" in real use.
	Root string
	// DebugDirs are the directories of separate debug files, as paths
	// in each view of the file system; nil means DefaultDebugDirs.
	DebugDirs []string
	// Demangle turns C++ and Rust symbol names into their source
	// spelling (bpftrace's cpp_demangle, on by default there).
	Demangle bool
	// Warn, when set, reports what keeps names from being right (once
	// each).
	Warn func(format string, args ...any)
	// NoCache keeps nothing between lookups (bpftrace's
	// cache_user_symbols = NONE): each address is named from the
	// process's mappings and symbol tables read anew, which costs time
	// and saves memory, and names what a JIT rewrote since; a process
	// that has exited has no names left.
	NoCache bool

	mu     sync.Mutex
	procs  map[int]*process
	objs   map[Key]*object
	tables map[string]*Table // by build id: one table per build, however many copies are mapped
	warned map[string]bool
	open   int // objects whose file is kept open

	vdsoOnce sync.Once
	vdsoTab  *vdsoTable

	preloaded []preloaded            // see Preload
	sources   map[string]*sourceInfo // source lines by build id (see Source)
}

// process is what is known of one process.
type process struct {
	pid         int
	raw         string    // the text of /proc/PID/maps last read
	maps        []Mapping // its executable mappings
	objs        []*object // the object of each of maps; nil where no file is mapped
	read        time.Time // when maps was last read
	gone        bool      // the process has exited: maps are the last read
	perf        *perfMap
	perfChecked time.Time
}

// object is a mapped file: the file kept open from when a mapping of
// it was first seen, and its symbol table once read.
type object struct {
	path   string // as the process that mapped it first sees it
	file   *os.File
	err    error // why it could not be opened
	table  *Table
	source *sourceInfo // its source lines, once asked for
}

// rereadAfter is how old a process's mappings must be before an address
// outside all of them makes them be read again (a library loaded
// since, with dlopen).
const rereadAfter = 50 * time.Millisecond

func (s *Symbolizer) proc() string {
	if s.Proc == "" {
		return "/proc"
	}
	return s.Proc
}

func (s *Symbolizer) init() {
	if s.procs == nil {
		s.procs = map[int]*process{}
		s.objs = map[Key]*object{}
		s.tables = map[string]*Table{}
		s.warned = map[string]bool{}
	}
}

func (s *Symbolizer) warnOnce(key, format string, args ...any) {
	if s.warned[key] || s.Warn == nil {
		return
	}
	s.warned[key] = true
	s.Warn(format, args...)
}

// Track reads the mappings of process pid now, and opens the files
// newly mapped, so that its addresses can be named after it exits. The
// runtime calls it for the processes it knows it traces (-p, -c) when
// they start and while they run.
func (s *Symbolizer) Track(pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	p := s.procs[pid]
	if p == nil {
		p = &process{pid: pid}
		s.procs[pid] = p
	}
	s.refresh(p)
	// JIT code: read its perf map while the process (and its /tmp) is there
	for i, m := range p.maps {
		if p.objs[i] == nil && !strings.HasPrefix(m.Path, "[v") { // not [vdso], [vsyscall]
			s.loadPerfMap(p)
			break
		}
	}
}

// Watch tracks the processes until ctx ends, on Poll's schedule.
func (s *Symbolizer) Watch(ctx context.Context, pids []int) {
	Poll(ctx, func() {
		for _, pid := range pids {
			s.Track(pid)
		}
	})
}

// Poll calls reread until ctx ends: every 5 ms for the first 2 s (a
// command that has just started maps its libraries), then every 250 ms.
// What reads a process's mappings while it runs follows this schedule.
func Poll(ctx context.Context, reread func()) {
	start := time.Now()
	for {
		every := 250 * time.Millisecond
		if time.Since(start) < 2*time.Second {
			every = 5 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		reread()
	}
}

// process returns what is known of pid, reading its mappings the first
// time.
func (s *Symbolizer) process(pid int) *process {
	s.init()
	p := s.procs[pid]
	if p == nil {
		p = &process{pid: pid}
		s.procs[pid] = p
		s.refresh(p)
	}
	return p
}

// refresh rereads the mappings of a running process, keeping the last
// ones of a process that has exited.
func (s *Symbolizer) refresh(p *process) {
	if p.gone {
		return
	}
	raw, err := os.ReadFile(fmt.Sprintf("%s/%d/maps", s.proc(), p.pid))
	p.read = time.Now()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			p.gone = true
		}
		return
	}
	if len(raw) == 0 && p.raw != "" {
		p.gone = true // a zombie: its memory is gone, its last mappings stay
		return
	}
	if string(raw) == p.raw {
		return
	}
	p.raw = string(raw)
	p.maps, p.objs = p.maps[:0], p.objs[:0]
	for _, m := range ParseMaps(raw) {
		if !m.Exec() {
			continue
		}
		var o *object
		if m.File() {
			o = s.object(p.pid, m)
		}
		p.maps = append(p.maps, m)
		p.objs = append(p.objs, o)
	}
}

// object returns the object of a file mapping, opening the file the
// first time its (device, inode) is seen. The open file keeps the inode
// alive, so the key cannot come to name another file while it is kept.
func (s *Symbolizer) object(pid int, m Mapping) *object {
	k := m.Key()
	if o := s.objs[k]; o != nil && (o.file != nil || o.table != nil) {
		return o
	}
	o := &object{path: m.Path}
	o.file, o.err = OpenMapped(s.proc(), pid, m)
	s.objs[k] = o
	if o.file != nil {
		if s.open >= maxOpenObjects {
			// enough files kept open: read this one's table now
			s.table(pid, o)
			o.file.Close()
			o.file = nil
		} else {
			s.open++
		}
	}
	return o
}

// maxOpenObjects is how many mapped files a Symbolizer keeps open; the
// tables of more are read when they are first seen (a system-wide
// profile of many processes), so as not to run out of descriptors.
const maxOpenObjects = 2048

// table returns the symbol table of an object, reading it the first
// time (or sharing the one of another copy with the same build id).
func (s *Symbolizer) table(pid int, o *object) *Table {
	if o.table != nil || o.file == nil {
		return o.table
	}
	f, err := elf.NewFile(o.file)
	if err != nil {
		o.table = &Table{}
		s.warnOnce("elf:"+o.path, "cannot read the symbols of %s: %v", o.path, err)
		return o.table
	}
	if id := BuildID(f); id != "" {
		if t := s.tables[id]; t != nil {
			o.table = t
			return t
		}
	}
	openers := []Opener{RootOpener(fmt.Sprintf("%s/%d/root", s.proc(), pid))}
	if !s.sameRoot(pid) {
		openers = append(openers, RootOpener(s.Root+"/"))
	}
	o.table = ReadTable(f, o.path, Debug{Openers: openers, Dirs: s.DebugDirs})
	if o.table.BuildID != "" {
		s.tables[o.table.BuildID] = o.table
	}
	return o.table
}

// sameRoot reports whether process pid sees the host's file system
// (then its debug files need not be looked for twice).
func (s *Symbolizer) sameRoot(pid int) bool {
	var a, b syscall.Stat_t
	if s.Root != "" {
		return false
	}
	if syscall.Stat(fmt.Sprintf("%s/%d/root/", s.proc(), pid), &a) != nil || syscall.Stat("/", &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}

// find returns the executable mapping of p holding addr and its object.
func (p *process) find(addr uint64) (Mapping, *object, bool) {
	for i, m := range p.maps {
		if addr >= m.Start && addr < m.End {
			return m, p.objs[i], true
		}
	}
	return Mapping{}, nil, false
}

// Lookup names address addr of process pid (the algorithm is in the
// package comment). ok is false when no function holds it; Object is
// then still set when the address is in a mapped file.
func (s *Symbolizer) Lookup(pid int, addr uint64) (fr Frame, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.NoCache {
		defer s.forget(pid)
	}
	p := s.process(pid)
	m, o, found := p.find(addr)
	if !found && !p.gone && time.Since(p.read) > rereadAfter {
		s.refresh(p)
		m, o, found = p.find(addr)
	}
	if found && m.Path == "[vdso]" {
		// the kernel's code in every process: named from gotrace's own copy
		if sym, ok := s.vdso().lookup(addr-m.Start, m.End-m.Start); ok {
			return Frame{Name: sym.Name, Off: addr - m.Start - sym.Addr, Object: m.Path}, true
		}
		return Frame{Object: m.Path}, false
	}
	if found && o != nil {
		fr.Object = m.Path
		t := s.table(pid, o)
		if t == nil {
			if o.err != nil {
				s.warnOnce("open:"+m.Path, "cannot read %s of process %d: %v", m.Path, pid, o.err)
			}
			return fr, false
		}
		v, okv := t.Vaddr(addr - m.Start + m.Off)
		if !okv {
			return fr, false
		}
		sym, oks := t.Lookup(v)
		if !oks {
			return fr, false
		}
		fr.Name, fr.Off = s.name(sym.Name), v-sym.Addr
		return fr, true
	}
	// Code without a file (JIT code in anonymous memory), or an address
	// outside every mapping (code freed since): the perf map may name it.
	if pm := s.loadPerfMap(p); pm != nil {
		if sym, ok := pm.lookup(addr); ok {
			return Frame{Name: s.name(sym.Name), Off: addr - sym.Addr, Object: pm.shown}, true
		}
	}
	if found {
		fr.Object = m.Path
		return fr, false
	}
	if p.gone || len(p.maps) == 0 {
		// a process that exited before its mappings were read
		return s.lookupPreloaded(addr)
	}
	return fr, false
}

// name is a symbol's name as printed: demangled unless turned off.
func (s *Symbolizer) name(n string) string {
	if s.Demangle {
		return Demangle(n)
	}
	return n
}

// Demangle turns a C++ (Itanium ABI: _Z...) or Rust (_R...) symbol name
// into its source spelling, "foo::bar(int)", as c++filt and bpftrace
// print it; other names are returned as they are.
func Demangle(name string) string {
	if len(name) < 2 || name[0] != '_' || (name[1] != 'Z' && name[1] != 'R') {
		return name
	}
	return demangle.Filter(name)
}

// forget drops what was read for lookups in process pid: its mappings and
// perf map, and every symbol table (NoCache). Open files stay open.
func (s *Symbolizer) forget(pid int) {
	delete(s.procs, pid)
	for _, o := range s.objs {
		o.table, o.source = nil, nil
	}
	clear(s.tables)
}
