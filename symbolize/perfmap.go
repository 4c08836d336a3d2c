package symbolize

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// perfMap is a JIT runtime's /tmp/perf-PID.map: one line per piece of
// generated code, "START SIZE NAME" (START and SIZE in hex, NAME to the
// end of the line), as perf's jit-interface.txt describes.
type perfMap struct {
	path  string // where it was read, as gotrace opens it
	shown string // the name frames show as their object
	syms  []Symbol
	size  int64
	mtime time.Time
}

// parsePerfMap reads a perf map's lines; unreadable ones are skipped.
// Later lines win over earlier ones at the same start (code that was
// freed and generated again).
func parsePerfMap(raw []byte) []Symbol {
	var syms []Symbol
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for i := 0; sc.Scan(); i++ {
		f := strings.SplitN(strings.TrimSpace(sc.Text()), " ", 3)
		if len(f) != 3 {
			continue
		}
		start, err1 := strconv.ParseUint(strings.TrimPrefix(f[0], "0x"), 16, 64)
		size, err2 := strconv.ParseUint(strings.TrimPrefix(f[1], "0x"), 16, 64)
		name := strings.TrimSpace(f[2])
		if err1 != nil || err2 != nil || size == 0 || name == "" {
			continue
		}
		syms = append(syms, Symbol{Name: name, Addr: start, Size: size, rank: -i})
	}
	sort.SliceStable(syms, func(i, j int) bool {
		if syms[i].Addr != syms[j].Addr {
			return syms[i].Addr < syms[j].Addr
		}
		return syms[i].rank < syms[j].rank
	})
	return syms
}

func (pm *perfMap) lookup(addr uint64) (Symbol, bool) {
	i := sort.Search(len(pm.syms), func(i int) bool { return pm.syms[i].Addr > addr }) - 1
	// overlapping entries: the nearest start that covers addr
	for n := 0; i >= 0 && n < 64; i, n = i-1, n+1 {
		if s := pm.syms[i]; addr < s.Addr+s.Size {
			return s, true
		}
	}
	return Symbol{}, false
}

// perfMapCandidates are where the perf map of process pid may be, in
// bcc's order (and so bpftrace's): the file the process itself wrote,
// /tmp/perf-NSPID.map in its own mount namespace with its pid in its
// own pid namespace (the last number of NSpid in /proc/PID/status);
// then /tmp/perf-PID.map of the host, written by a tool running there
// (perf-map-agent attached from outside).
func (s *Symbolizer) perfMapCandidates(pid int) (paths, shown []string) {
	nspid := pid
	if b, err := os.ReadFile(fmt.Sprintf("%s/%d/status", s.proc(), pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					if n, err := strconv.Atoi(f[len(f)-1]); err == nil {
						nspid = n
					}
				}
			}
		}
	}
	inside := fmt.Sprintf("/tmp/perf-%d.map", nspid)
	paths = append(paths, RootPath(s.proc(), pid, inside))
	shown = append(shown, inside)
	host := fmt.Sprintf("/tmp/perf-%d.map", pid)
	paths = append(paths, s.Root+host)
	shown = append(shown, host)
	return paths, shown
}

// processUID is the owner of process pid (the owner of /proc/PID).
func (s *Symbolizer) processUID(pid int) (uint32, bool) {
	var st unix.Stat_t
	if unix.Stat(fmt.Sprintf("%s/%d", s.proc(), pid), &st) != nil {
		return 0, false
	}
	return st.Uid, true
}

// perfMapCheckEvery is how often a running process's perf map is looked
// at again (a stat, and a read when it changed).
const perfMapCheckEvery = 100 * time.Millisecond

// loadPerfMap (re)reads the perf map of p when it appeared or changed
// since the last look, at most every perfMapCheckEvery while it runs;
// the map of a process that has exited stays as last read. A perf map
// is believed only if root or the process's owner wrote it (owns it):
// anyone may create a file in /tmp, and a map planted there would name
// the process's code wrongly. (perf believes only root's or its user's.)
func (s *Symbolizer) loadPerfMap(p *process) *perfMap {
	if p.gone || time.Since(p.perfChecked) < perfMapCheckEvery && !p.perfChecked.IsZero() {
		return p.perf
	}
	p.perfChecked = time.Now()
	paths, shown := s.perfMapCandidates(p.pid)
	uid, uidOK := s.processUID(p.pid)
	for i, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(int(f.Fd()), &st) != nil {
			f.Close()
			continue
		}
		if st.Uid != 0 && (!uidOK || st.Uid != uid) {
			f.Close()
			s.warnOnce("perfmap:"+path, "ignoring %s: it belongs to uid %d, neither root nor the owner of process %d", shown[i], st.Uid, p.pid)
			continue
		}
		mtime := time.Unix(st.Mtim.Unix())
		if pm := p.perf; pm != nil && pm.path == path && pm.size == st.Size && pm.mtime.Equal(mtime) {
			f.Close()
			return pm
		}
		raw, err := readAll(f, st.Size)
		f.Close()
		if err != nil {
			continue
		}
		p.perf = &perfMap{path: path, shown: shown[i], syms: parsePerfMap(raw), size: st.Size, mtime: mtime}
		return p.perf
	}
	return p.perf
}

func readAll(f *os.File, size int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(size, 64<<20)) + 512)
	_, err := buf.ReadFrom(f)
	return buf.Bytes(), err
}
