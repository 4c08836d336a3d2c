package symbolize

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Mapping is one line of /proc/PID/maps: an address range of the process
// and what is mapped there.
type Mapping struct {
	Start, End uint64 // [Start, End)
	Off        uint64 // offset in the file of the byte at Start
	Perms      string // "r-xp"
	Dev        uint64 // the file's device (unix.Mkdev of the major:minor shown)
	Inode      uint64 // the file's inode; 0 for anonymous memory
	// Path is the file's path as the process sees it (in its mount
	// namespace), without the " (deleted)" the kernel appends to files
	// removed since; or a pseudo path such as "[heap]", "[vdso]",
	// "[anon:NAME]"; "" for anonymous memory.
	Path    string
	Deleted bool // the file was removed (or replaced) after it was mapped
}

// Exec reports whether the mapping holds code.
func (m Mapping) Exec() bool { return len(m.Perms) > 2 && m.Perms[2] == 'x' }

// File reports whether a file is mapped (an inode and an absolute path),
// as opposed to anonymous memory, the heap, the stack, the vdso.
func (m Mapping) File() bool { return m.Inode != 0 && strings.HasPrefix(m.Path, "/") }

// Key is the identity of the mapped file: its device and inode.
func (m Mapping) Key() Key { return Key{Dev: m.Dev, Inode: m.Inode} }

// Key names a file by device and inode, which do not change when the
// file is seen through another mount namespace or path.
type Key struct{ Dev, Inode uint64 }

// StatKey is the Key of an open file or path (what a Mapping of it
// would have).
func StatKey(st *unix.Stat_t) Key {
	return Key{Dev: unix.Mkdev(unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev))), Inode: st.Ino}
}

// ParseMaps reads the text of /proc/PID/maps. Lines it cannot read are
// skipped.
func ParseMaps(raw []byte) []Mapping {
	var out []Mapping
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if m, ok := parseMapsLine(sc.Text()); ok {
			out = append(out, m)
		}
	}
	return out
}

// parseMapsLine reads "START-END PERMS OFFSET MAJOR:MINOR INODE   PATH";
// the path is the rest of the line and may hold spaces.
func parseMapsLine(line string) (Mapping, bool) {
	var m Mapping
	rest := line
	field := func() string {
		rest = strings.TrimLeft(rest, " \t")
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			f := rest
			rest = ""
			return f
		}
		f := rest[:i]
		rest = rest[i:]
		return f
	}
	rng, perms, off, dev, ino := field(), field(), field(), field(), field()
	lo, hi, ok := strings.Cut(rng, "-")
	if !ok || len(perms) < 4 {
		return m, false
	}
	var err [6]error
	m.Start, err[0] = strconv.ParseUint(lo, 16, 64)
	m.End, err[1] = strconv.ParseUint(hi, 16, 64)
	m.Off, err[2] = strconv.ParseUint(off, 16, 64)
	maj, min, ok := strings.Cut(dev, ":")
	if !ok {
		return m, false
	}
	var ma, mi uint64
	ma, err[3] = strconv.ParseUint(maj, 16, 32)
	mi, err[4] = strconv.ParseUint(min, 16, 32)
	m.Inode, err[5] = strconv.ParseUint(ino, 10, 64)
	for _, e := range err {
		if e != nil {
			return m, false
		}
	}
	m.Dev = unix.Mkdev(uint32(ma), uint32(mi))
	m.Perms = perms
	m.Path = strings.TrimLeft(rest, " \t")
	if p, ok := strings.CutSuffix(m.Path, " (deleted)"); ok && m.Inode != 0 {
		m.Path, m.Deleted = p, true
	}
	return m, true
}

// ReadMaps reads and parses /proc/PID/maps under proc ("/proc").
func ReadMaps(proc string, pid int) ([]Mapping, error) {
	raw, err := os.ReadFile(fmt.Sprintf("%s/%d/maps", proc, pid))
	if err != nil {
		return nil, err
	}
	return ParseMaps(raw), nil
}

// RootPath is where gotrace finds the file a process knows as path:
// through the process's root directory, /proc/PID/root, which is its
// mount namespace's (and chroot's) view of the file system. A relative
// path is taken from gotrace's own working directory, as bpftrace does.
func RootPath(proc string, pid int, path string) string {
	if !filepath.IsAbs(path) {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	return fmt.Sprintf("%s/%d/root%s", proc, pid, filepath.Clean(path))
}

// OpenMapped opens the very file of a mapping of process pid:
// /proc/PID/map_files/START-END is a link to the file the kernel mapped,
// whatever its path, mount namespace or fate since (deleted, replaced);
// it needs CAP_SYS_ADMIN. Without it, the file is opened by its path
// through the process's root, and must still be the inode mapped: a
// file replaced since is refused rather than read in its place.
func OpenMapped(proc string, pid int, m Mapping) (*os.File, error) {
	f, err := os.Open(fmt.Sprintf("%s/%d/map_files/%x-%x", proc, pid, m.Start, m.End))
	if err == nil {
		return f, nil
	}
	if m.Deleted {
		return nil, fmt.Errorf("%s was deleted after process %d mapped it, and %v", m.Path, pid, err)
	}
	f, err = os.Open(RootPath(proc, pid, m.Path))
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, err
	}
	if st.Ino != m.Inode {
		f.Close()
		return nil, fmt.Errorf("%s in the mount namespace of process %d is no longer the file it mapped (inode %d, not %d)", m.Path, pid, st.Ino, m.Inode)
	}
	return f, nil
}
