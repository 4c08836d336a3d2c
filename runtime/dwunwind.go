package runtime

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime/unwind"
	"github.com/gotrace/gotrace/symbolize"
)

// dwUnwinder feeds dw_ustack's maps (see codegen's dwunwind.go): the
// unwind rows of every object the traced processes map, and each
// process's executable mappings. Rows are read once per object, known
// by its device and inode (not its path: two containers may each have
// their own /app/srv), and read as the process maps it (see
// symbolize.OpenMapped); the mappings are read again whenever
// /proc/PID/maps changes.
type dwUnwinder struct {
	mu      sync.Mutex
	pids    []int
	objects map[symbolize.Key]*dwObject
	rows    []dwRow        // rows not yet written
	next    uint32         // index of the next free row
	cap     uint32         // rows the map holds
	maps    map[int]string // last /proc/PID/maps read, per pid
	rowsMap *ebpf.Map
	mapsMap *ebpf.Map
	warned  map[string]bool
	warn    func(format string, args ...any)
}

// dwObject is an object file's rows in the rows map.
type dwObject struct {
	first, n uint32
	elf      *elf.File // its program headers, for the load bias
}

// dwRow is a row as the map holds it (codegen.DWRowSize bytes).
type dwRow struct {
	PC     uint64
	CFAOff int32
	RBPOff int16
	Kind   uint8
	_      uint8
}

// dwHeadroom is how many rows are kept free for objects mapped later
// (dlopen, a -c command's libraries mapped after it starts).
const dwHeadroom = 1 << 18

// newDWUnwinder reads the rows of what the processes map now and, for
// a -c command not started yet (command is its program's path), of that
// program, its interpreter and the libraries it needs.
func newDWUnwinder(pids []int, command string, warn func(string, ...any)) *dwUnwinder {
	u := &dwUnwinder{pids: pids, objects: map[symbolize.Key]*dwObject{}, maps: map[int]string{}, warned: map[string]bool{}, warn: warn}
	if command != "" {
		// not started yet: its files are the host's
		for _, path := range neededObjects(command) {
			var st unix.Stat_t
			if unix.Stat(path, &st) == nil {
				u.object(symbolize.StatKey(&st), path, func() (*os.File, error) { return os.Open(path) })
			}
		}
	}
	for _, pid := range pids {
		ms, _ := symbolize.ReadMaps("/proc", pid)
		for _, m := range execFiles(ms) {
			u.object(m.Key(), m.Path, func() (*os.File, error) { return symbolize.OpenMapped("/proc", pid, m) })
		}
	}
	u.cap = u.next + dwHeadroom
	return u
}

// object returns the rows of the object key (path names it in
// warnings; open opens it), reading them the first time.
func (u *dwUnwinder) object(key symbolize.Key, path string, open func() (*os.File, error)) *dwObject {
	if o, ok := u.objects[key]; ok {
		return o
	}
	o := &dwObject{}
	u.objects[key] = o
	file, err := open()
	if err != nil {
		if !u.warned[path] && u.warn != nil {
			u.warned[path] = true
			u.warn("dw_ustack: cannot read %s: %v", path, err)
		}
		return o
	}
	defer file.Close()
	f, err := elf.NewFile(file)
	if err != nil {
		return o
	}
	o.elf = f
	rows, err := unwind.RowsFromELF(f)
	if err != nil || len(rows) == 0 {
		if err != nil && !u.warned[path] && u.warn != nil {
			u.warned[path] = true
			u.warn("dw_ustack: no unwind information in %s: %v", path, err)
		}
		return o
	}
	if u.cap != 0 && u.next+uint32(len(rows)) > u.cap {
		if !u.warned[path] && u.warn != nil {
			u.warned[path] = true
			u.warn("dw_ustack: no room left for the unwind rows of %s, mapped after the start", path)
		}
		return o
	}
	o.first, o.n = u.next, uint32(len(rows))
	for _, r := range rows {
		row := dwRow{PC: r.PC, CFAOff: r.CFAOff, RBPOff: int16(r.RBPOff), Kind: uint8(r.Kind)}
		if int32(row.RBPOff) != r.RBPOff {
			row = dwRow{PC: r.PC} // an rbp slot the row cannot hold: stop there
		}
		u.rows = append(u.rows, row)
	}
	u.next += o.n
	return o
}

// size sets the rows map's size in the program before it is loaded.
func (u *dwUnwinder) size(spec *ebpf.CollectionSpec) {
	if m := spec.Maps[codegen.DWRowsMap]; m != nil {
		m.MaxEntries = max(u.cap, 1)
	}
}

// start writes the rows read so far and the mappings of the processes.
func (u *dwUnwinder) start(coll *ebpf.Collection) error {
	u.rowsMap, u.mapsMap = coll.Maps[codegen.DWRowsMap], coll.Maps[codegen.DWMapsMap]
	if err := u.flushRows(); err != nil {
		return err
	}
	for _, pid := range u.pids {
		u.refresh(pid)
	}
	return nil
}

// flushRows writes the rows not written yet.
func (u *dwUnwinder) flushRows() error {
	if len(u.rows) == 0 {
		return nil
	}
	first := u.next - uint32(len(u.rows))
	keys := make([]uint32, len(u.rows))
	for i := range keys {
		keys[i] = first + uint32(i)
	}
	if _, err := u.rowsMap.BatchUpdate(keys, u.rows, nil); err != nil {
		for i, r := range u.rows {
			if err := u.rowsMap.Put(keys[i], r); err != nil {
				return fmt.Errorf("dw_ustack: writing unwind rows: %w", err)
			}
		}
	}
	u.rows = u.rows[:0]
	return nil
}

// refresh rereads the mappings of pid when they changed, reads the
// rows of objects it has not seen, and writes the pid's mappings.
func (u *dwUnwinder) refresh(pid int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil || string(raw) == u.maps[pid] {
		return
	}
	u.maps[pid] = string(raw)
	var entries [][codegen.DWMappingSize]byte
	for _, m := range execFiles(symbolize.ParseMaps(raw)) {
		o := u.object(m.Key(), m.Path, func() (*os.File, error) { return symbolize.OpenMapped("/proc", pid, m) })
		if o.n == 0 || o.elf == nil {
			continue
		}
		bias, ok := unwind.Bias(o.elf, m.Start, m.Off)
		if !ok {
			continue
		}
		var e [codegen.DWMappingSize]byte
		binary.LittleEndian.PutUint64(e[0:], m.Start)
		binary.LittleEndian.PutUint64(e[8:], m.End)
		binary.LittleEndian.PutUint64(e[16:], bias)
		binary.LittleEndian.PutUint32(e[24:], o.first)
		binary.LittleEndian.PutUint32(e[28:], o.n)
		entries = append(entries, e)
	}
	if err := u.flushRows(); err != nil {
		u.warn("%v", err)
		return
	}
	sort.Slice(entries, func(i, j int) bool {
		return binary.LittleEndian.Uint64(entries[i][:]) < binary.LittleEndian.Uint64(entries[j][:])
	})
	if len(entries) > codegen.DWMaxMappings {
		entries = entries[:codegen.DWMaxMappings]
	}
	val := make([]byte, codegen.DWMapsValue)
	binary.LittleEndian.PutUint32(val, uint32(len(entries)))
	for i, e := range entries {
		copy(val[8+i*codegen.DWMappingSize:], e[:])
	}
	if err := u.mapsMap.Put(uint32(pid), val); err != nil {
		u.warn("dw_ustack: writing the mappings of pid %d: %v", pid, err)
	}
}

// watch rereads the processes' mappings until ctx ends, on
// symbolize.Poll's schedule.
func (u *dwUnwinder) watch(ctx context.Context) {
	symbolize.Poll(ctx, func() {
		for _, pid := range u.pids {
			u.refresh(pid)
		}
	})
}

// dwarfUnwinder prepares dw_ustack's unwinding for the processes it
// traces (nil when the program does not use it) and sizes its rows map.
func dwarfUnwinder(prog *codegen.Program, opts Options) (*dwUnwinder, error) {
	if prog.Spec.Maps[codegen.DWRowsMap] == nil {
		return nil, nil
	}
	pids := append([]int(nil), opts.DwarfPIDs...)
	if opts.PID > 0 {
		pids = append(pids, opts.PID)
	}
	command := ""
	var started []int
	if opts.Child != nil {
		command = opts.Child.Path
		started = []int{opts.Child.Pid()}
	}
	if len(pids)+len(started) == 0 {
		return nil, fmt.Errorf("dw_ustack requires a target process. Use -p, -c, or --dwarf-pid to specify one.")
	}
	warn := func(format string, args ...any) {
		fmt.Fprintf(opts.Err, "WARNING: "+format+"\n", args...)
	}
	u := newDWUnwinder(pids, command, warn)
	// The -c command's process still runs gotrace: its mappings count
	// once it has started the command.
	u.pids = append(u.pids, started...)
	u.size(prog.Spec)
	return u, nil
}

// execFiles keeps the executable mappings of files.
func execFiles(ms []symbolize.Mapping) []symbolize.Mapping {
	var out []symbolize.Mapping
	for _, m := range ms {
		if m.Exec() && m.File() {
			out = append(out, m)
		}
	}
	return out
}

// neededObjects lists a program, its interpreter and the shared
// libraries it needs (transitively), found as the dynamic loader finds
// them: DT_RUNPATH/DT_RPATH, then /etc/ld.so.cache (as uprobes find
// libraries by name).
func neededObjects(path string) []string {
	seen := map[string]bool{}
	var out []string
	queue := []string{path}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		out = append(out, p)
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				b := make([]byte, prog.Filesz)
				if _, err := prog.ReadAt(b, 0); err == nil {
					queue = append(queue, strings.TrimRight(string(b), "\x00"))
				}
			}
		}
		needed, _ := f.DynString(elf.DT_NEEDED)
		var runpath []string
		for _, tag := range []elf.DynTag{elf.DT_RUNPATH, elf.DT_RPATH} {
			if rp, _ := f.DynString(tag); len(rp) > 0 {
				for _, d := range strings.Split(rp[0], ":") {
					runpath = append(runpath, strings.ReplaceAll(d, "$ORIGIN", filepath.Dir(p)))
				}
			}
		}
		f.Close()
	libs:
		for _, lib := range needed {
			for _, d := range runpath {
				if c := filepath.Join(d, lib); fileExists(c) {
					queue = append(queue, c)
					continue libs
				}
			}
			if c := probes.FindLibrary(probes.HostTarget(), lib); c != "" {
				queue = append(queue, c)
			}
		}
	}
	return out
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
