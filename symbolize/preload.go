package symbolize

import (
	"debug/elf"
	"os"
)

// A process may exit before its mappings are ever read: a uprobe on a
// short-lived program fires, the program ends, and only then are the
// addresses the probe recorded printed. /proc/PID/maps is gone by then.
// The binaries the uprobes and USDT probes name are known before any of
// it runs, so they are read ahead (Preload). A position-dependent
// executable (ET_EXEC) is loaded at the addresses its program headers
// give, so its addresses name themselves without the process's map; a
// position-independent one is placed anywhere and cannot be used so.

// preloaded is an executable read ahead, with where it is mapped.
type preloaded struct {
	path   string
	table  *Table
	segs   []segment   // its executable segments, at their addresses
	source *sourceInfo // its source lines, read on first use
}

// Preload reads the symbols of binary path (a host path) ahead, so that
// the addresses of its processes still get names when they have exited
// before their mappings were read. Only position-dependent executables
// are kept; others are passed over.
func (s *Symbolizer) Preload(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil || ef.Type != elf.ET_EXEC {
		return
	}
	var segs []segment
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 {
			segs = append(segs, segment{off: p.Off, vaddr: p.Vaddr, filesz: p.Filesz})
		}
	}
	t := ReadTable(ef, path, Debug{Openers: []Opener{HostOpener}, Dirs: s.DebugDirs})
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.preloaded {
		if p.path == path {
			return
		}
	}
	s.preloaded = append(s.preloaded, preloaded{path: path, table: t, segs: segs})
}

// lookupPreloaded names addr from the preloaded executables whose code
// is mapped there.
func (s *Symbolizer) lookupPreloaded(addr uint64) (Frame, bool) {
	for _, p := range s.preloaded {
		for _, sg := range p.segs {
			if addr < sg.vaddr || addr >= sg.vaddr+sg.filesz {
				continue
			}
			if sym, ok := p.table.Lookup(addr); ok {
				return Frame{Name: s.name(sym.Name), Off: addr - sym.Addr, Object: p.path}, true
			}
			return Frame{Object: p.path}, false
		}
	}
	return Frame{}, false
}
