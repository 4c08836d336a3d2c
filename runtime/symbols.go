package runtime

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/symbolize"
)

// Symbols turns addresses into names: kernel addresses through
// /proc/kallsyms (read once), user addresses through the processes' own
// view of their files (see package symbolize: the mapping in
// /proc/PID/maps, the file as the process maps it, its symbol table or
// separate debug file, demangling, perf maps for JIT code). Stack values
// are looked up in the program's stack trace maps by id.
type Symbols struct {
	// Stacks returns the stack trace map of a stack type (nil: none).
	Stacks func(t *types.Type) *ebpf.Map
	// Root is prefixed to /proc and file paths (tests).
	Root string
	// Demangle prints C++ names as their source spelling (cpp_demangle).
	Demangle bool
	// DebugInfo adds the source file and line to the frames of user
	// stacks, and the functions inlined there (show_debug_info).
	DebugInfo bool
	// Warn, when set, reports what keeps user addresses from their names.
	Warn func(format string, args ...any)
	// NoCache reads user symbols anew for every address
	// (cache_user_symbols = NONE; see symbolize.Symbolizer.NoCache).
	NoCache bool

	once  sync.Once
	kern  []ksym
	mu    sync.Mutex
	users map[uint64]string

	usymOnce sync.Once
	usym     *symbolize.Symbolizer

	gfpOnce sync.Once
	gfp     map[string]int // GFPBits

	bootOnce sync.Once
	bootWall int64 // bootWallNs, read once
}

type ksym struct {
	addr   uint64
	name   string
	module string
}

// userSyms is the symbolizer of user addresses, made on first use with
// the settings then in s.
func (s *Symbols) userSyms() *symbolize.Symbolizer {
	s.usymOnce.Do(func() {
		s.usym = &symbolize.Symbolizer{Demangle: s.Demangle, Warn: s.Warn, NoCache: s.NoCache}
		if s.Root != "" {
			s.usym.Proc, s.usym.Root = s.Root+"/proc", s.Root
		}
	})
	return s.usym
}

// Track reads the mappings of a traced process now and keeps its files
// open, so that its addresses keep their names after it exits.
func (s *Symbols) Track(pid int) { s.userSyms().Track(pid) }

// Preload reads the symbols of a binary the probes name ahead, so that
// its processes' addresses get names even when they exit before their
// mappings are read (see symbolize.Symbolizer.Preload).
func (s *Symbols) Preload(path string) { s.userSyms().Preload(path) }

// Watch tracks processes until ctx ends (see symbolize.Symbolizer.Watch).
func (s *Symbols) Watch(ctx context.Context, pids []int) { s.userSyms().Watch(ctx, pids) }

// Time formats nanoseconds of the boot clock (what nsecs returns) as wall
// time with a strftime format, as strftime() prints: with bpftrace's
// extensions of the format (strftimeFractions). The wall time of boot is
// read once, so timestamps keep their distances to the nanosecond.
func (s *Symbols) Time(format string, ns uint64) string {
	s.bootOnce.Do(func() { s.bootWall = bootWallNs() })
	t := time.Unix(0, s.bootWall+int64(ns))
	return Strftime(strftimeFractions(format, t), t)
}

// NewSymbols returns a symbolizer for a loaded collection.
func NewSymbols(coll *ebpf.Collection) *Symbols {
	return &Symbols{Stacks: func(t *types.Type) *ebpf.Map {
		if coll == nil {
			return nil
		}
		return coll.Maps[codegen.StackMapName(t)]
	}}
}

func (s *Symbols) loadKallsyms() {
	f, err := os.Open(s.Root + "/proc/kallsyms")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		switch fields[1] {
		case "t", "T", "w", "W":
		default:
			continue
		}
		addr, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil || addr == 0 {
			continue
		}
		k := ksym{addr: addr, name: fields[2]}
		if len(fields) > 3 {
			k.module = strings.Trim(fields[3], "[]")
		}
		s.kern = append(s.kern, k)
	}
	sort.Slice(s.kern, func(i, j int) bool { return s.kern[i].addr < s.kern[j].addr })
}

// kernel finds the function holding addr and the offset into it.
func (s *Symbols) kernel(addr uint64) (ksym, uint64, bool) {
	s.once.Do(s.loadKallsyms)
	i := sort.Search(len(s.kern), func(i int) bool { return s.kern[i].addr > addr }) - 1
	if i < 0 {
		return ksym{}, 0, false
	}
	return s.kern[i], addr - s.kern[i].addr, true
}

// Kernel is ksym(): the name of the kernel function holding addr, or the
// address in hex.
func (s *Symbols) Kernel(addr uint64) string {
	if k, _, ok := s.kernel(addr); ok {
		return k.name
	}
	return fmt.Sprintf("0x%x", addr)
}

// User is usym(): the name of the function of process pid holding addr,
// or the address in hex.
func (s *Symbols) User(pid uint32, addr uint64) string {
	if name, _, _, ok := s.user(pid, addr); ok {
		return name
	}
	return fmt.Sprintf("0x%x", addr)
}

func (s *Symbols) user(pid uint32, addr uint64) (name string, off uint64, path string, ok bool) {
	fr, ok := s.userSyms().Lookup(int(pid), addr)
	return fr.Name, fr.Off, fr.Object, ok
}

// stack reads the frames of a kstack or ustack value (raw is its 8
// bytes: the stack map's id and the process's pid) from its stack map:
// 8 bytes a frame, or a build id and an offset in build_id mode. ok is
// false for a stack that could not be captured.
func (s *Symbols) stack(t *types.Type, raw []byte) (buf []byte, pid uint32, ok bool) {
	if len(raw) < 8 || s.Stacks == nil {
		return nil, 0, false
	}
	v := binary.LittleEndian.Uint64(raw)
	id, pid := uint32(v), uint32(v>>32)
	if int32(id) < 0 {
		return nil, 0, false
	}
	m := s.Stacks(t)
	if m == nil {
		return nil, 0, false
	}
	size := 8
	if t.Mode == "build_id" {
		size = codegen.BuildIDFrameSize
	}
	buf = make([]byte, size*t.Len)
	if err := m.Lookup(id, buf); err != nil {
		return nil, 0, false
	}
	return buf, pid, true
}

// Frames reads a kstack or ustack value (raw is its 8 bytes) and returns
// its frames formatted for the type's mode: "func+off" (bpftrace), the
// address, the symbol and the object (perf), or the bare address (raw).
// A stack that could not be captured has no frames.
func (s *Symbols) Frames(t *types.Type, raw []byte) []string {
	buf, pid, ok := s.stack(t, raw)
	if !ok {
		return nil
	}
	if t.Mode == "build_id" {
		return buildIDFrames(buf)
	}
	var out []string
	for i := 0; i < t.Len; i++ {
		addr := binary.LittleEndian.Uint64(buf[8*i:])
		if addr == 0 {
			break
		}
		out = append(out, s.frames(t, pid, addr)...)
	}
	return out
}

// buildIDFrames formats the frames of a build_id stack: the build id in
// hex and the offset in its file where the kernel found the object's
// build id, else the bare address. An empty record ends the stack.
func buildIDFrames(buf []byte) []string {
	var out []string
	for ; len(buf) >= codegen.BuildIDFrameSize; buf = buf[codegen.BuildIDFrameSize:] {
		status := int32(binary.LittleEndian.Uint32(buf))
		v := binary.LittleEndian.Uint64(buf[24:])
		switch status {
		case 1: // BPF_STACK_BUILD_ID_VALID
			out = append(out, fmt.Sprintf("%x 0x%02x", buf[4:24], v))
		case 2: // BPF_STACK_BUILD_ID_IP
			out = append(out, fmt.Sprintf("%x", v))
		default:
			return out
		}
	}
	return out
}

// frames formats the frame of addr in a stack of type t: one line, or
// with DebugInfo one line per function inlined there and the function
// itself, leaf first.
func (s *Symbols) frames(t *types.Type, pid uint32, addr uint64) []string {
	if t.Mode == "raw" {
		return []string{fmt.Sprintf("%x", addr)}
	}
	var name, obj string
	var off uint64
	var ok bool
	if t.Name == "kstack" {
		var k ksym
		k, off, ok = s.kernel(addr)
		name, obj = k.name, "[kernel.kallsyms]"
		if k.module != "" {
			obj = "[" + k.module + "]"
		}
	} else {
		name, off, obj, ok = s.user(pid, addr)
		if obj == "" {
			obj = "[unknown]"
		}
	}
	if !ok {
		if t.Mode == "perf" {
			return []string{fmt.Sprintf("\t%x [unknown] (%s)", addr, obj)}
		}
		return []string{fmt.Sprintf("0x%x", addr)}
	}
	var src []symbolize.SourceFrame
	if s.DebugInfo && t.Name != "kstack" {
		src = s.userSyms().Source(int(pid), addr)
	}
	var out []string
	for _, sf := range src {
		if !sf.Inlined {
			break
		}
		if t.Mode == "perf" {
			out = append(out, fmt.Sprintf("\t%x %s (inlined)", addr, sf.Func))
		} else {
			out = append(out, fmt.Sprintf("[inlined] %s@%s:%d", sf.Func, sf.File, sf.Line))
		}
	}
	switch {
	case t.Mode == "perf":
		out = append(out, fmt.Sprintf("\t%x %s+%d (%s)", addr, name, off, obj))
	case len(src) > 0 && src[len(src)-1].File != "":
		last := src[len(src)-1]
		out = append(out, fmt.Sprintf("%s+%d@%s:%d", name, off, last.File, last.Line))
	default:
		out = append(out, fmt.Sprintf("%s+%d", name, off))
	}
	return out
}

// UserName names a uid from the user database (/etc/passwd), or gives
// the number when it has no name.
func (s *Symbols) UserName(uid uint64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, ok := s.users[uid]; ok {
		return name
	}
	name := strconv.FormatUint(uid, 10)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	if s.users == nil {
		s.users = map[uint64]string{}
	}
	s.users[uid] = name
	return name
}

// CgroupPath finds the directories of a cgroup id (their inode number)
// in the mounted cgroup hierarchies whose names match filter: cgroup v2
// ones are called "unified", v1 ones by their mount point's last
// element. It gives "name:path" for each hierarchy where the id is, v2
// first, joined by commas; paths are relative to the mount point.
func (s *Symbols) CgroupPath(id uint64, filter string) string {
	b, err := os.ReadFile(s.Root + "/proc/mounts")
	if err != nil {
		return ""
	}
	type root struct{ name, dir string }
	var v2, v1 []root
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		switch f[2] {
		case "cgroup2":
			v2 = append(v2, root{"unified", f[1]})
		case "cgroup":
			v1 = append(v1, root{filepath.Base(f[1]), f[1]})
		}
	}
	sort.Slice(v1, func(i, j int) bool { return v1[i].name < v1[j].name })
	var parts []string
	for _, r := range append(v2, v1...) {
		if !probes.Match(filter, r.name) {
			continue
		}
		if p := cgroupDir(s.Root+r.dir, id); p != "" {
			parts = append(parts, r.name+":"+p)
		}
	}
	return strings.Join(parts, ",")
}

// cgroupDir walks a cgroup hierarchy for the directory whose inode is id.
func cgroupDir(base string, id uint64) string {
	found := ""
	filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		var st unix.Stat_t
		if unix.Stat(path, &st) == nil && st.Ino == id {
			found = strings.TrimPrefix(path, base)
			if found == "" {
				found = "/"
			}
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// GFPBits reads the bit of each single GFP flag from the kernel's BTF
// (the ___GFP_*_BIT enum of Linux 6.10 and later), once; nil when the
// kernel has no such enum.
func (s *Symbols) GFPBits() map[string]int {
	s.gfpOnce.Do(func() {
		spec, err := btf.LoadKernelSpec()
		if err != nil {
			return
		}
		for t, err := range spec.All() {
			if err != nil {
				return
			}
			en, ok := t.(*btf.Enum)
			if !ok || len(en.Values) == 0 || !strings.HasPrefix(en.Values[0].Name, "___GFP_") || !strings.HasSuffix(en.Values[0].Name, "_BIT") {
				continue
			}
			s.gfp = map[string]int{}
			for _, v := range en.Values {
				name := strings.TrimSuffix(strings.TrimPrefix(v.Name, "___GFP_"), "_BIT")
				if name != "LAST" && name != "UNUSED" {
					s.gfp[name] = int(v.Value)
				}
			}
			return
		}
	})
	return s.gfp
}
