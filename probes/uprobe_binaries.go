package probes

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gotrace/gotrace/lang/types"
)

// The binary of a uprobe or USDT attach point may be a pattern:
// "uprobe:*:fn" with -p PID is every file the process maps, without -p
// every file a running process maps (each file once),
// "usdt:./bin/test*::*" every file of ./bin whose name matches, and an
// empty binary with -p ("usdt::prov:probe") is the process's files too.
// Each file is expanded as if it had been named; the files where
// nothing matches are passed over, and only when none has a match is
// the attach point an error (the first file's).

// overBinaries expands s over the files its binary names, with one
// expanding the attach point for one file.
func (e *env) overBinaries(s Spec, one func(Spec) ([]*types.Context, error)) ([]*types.Context, error) {
	if !HasWildcard(s.Target) && (s.Target != "" || e.pid <= 0) {
		return one(s)
	}
	files := e.view().binariesMatching(s.Target)
	var out []*types.Context
	var first error
	for _, f := range files {
		sf := s
		sf.Target = f
		ctxs, err := one(sf)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		out = append(out, ctxs...)
	}
	if len(out) > 0 {
		return out, nil
	}
	if first != nil && len(files) == 1 {
		return nil, first
	}
	what := s.Func
	if s.Ns != "" {
		what = s.Ns + ":" + s.Func
	}
	if len(files) == 0 {
		return nil, missingf("no file matches %s%s", orStar(s.Target), e.view().where())
	}
	return nil, missingf("no %s probe %s in the %d files matching %s%s", s.Provider, what, len(files), orStar(s.Target), e.view().where())
}

// BinariesMatching lists the files a uprobe or USDT binary pattern
// names on t, as binariesMatching does for process pid (0: none), for
// listing (gotrace -l 'usdt:*:*').
func BinariesMatching(t Target, pattern string, pid int) []string {
	if !HasWildcard(pattern) && pattern != "" {
		return []string{pattern}
	}
	return fileView{t: t, pid: pid}.binariesMatching(pattern)
}

// binariesMatching lists the files a binary pattern names: with a
// process, the files it maps that match (all of them for "" or "*"),
// as it names them; without one, "*" is every file a running process
// maps (runningFiles), and another pattern the regular files of its
// directory whose names match, spelled with the directory as written.
func (v fileView) binariesMatching(pattern string) []string {
	if v.pid > 0 {
		var out []string
		for _, f := range v.mappedFiles() {
			if pattern == "" || pattern == "*" || Match(pattern, f) || Match(pattern, filepath.Base(f)) {
				out = append(out, f)
			}
		}
		return out
	}
	if pattern == "*" {
		if _, ok := v.t.(*DirTarget); !ok {
			return runningFiles()
		}
	}
	dir, name, prefix := ".", pattern, ""
	if i := strings.LastIndexByte(pattern, '/'); i >= 0 {
		dir, name, prefix = pattern[:i], pattern[i+1:], pattern[:i+1]
		if dir == "" {
			dir = "/"
		}
	}
	if HasWildcard(dir) {
		return nil
	}
	hostDir := v.hostPath(dir)
	ents, err := os.ReadDir(hostDir)
	if err != nil {
		return nil
	}
	var out []string
	for _, en := range ents {
		if !Match(name, en.Name()) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(hostDir, en.Name())); err == nil && fi.Mode().IsRegular() {
			out = append(out, prefix+en.Name())
		}
	}
	return out
}

// UserBinary is the file a uprobe, uretprobe or USDT context attaches
// to, as gotrace opens it (through /proc/PID/root with -p); "" for
// other contexts.
func UserBinary(c *types.Context) string {
	if a := attachPointOf(c); a != nil && a.uprobe != nil {
		return a.uprobe.open
	}
	if u := usdtOf(c); u != nil {
		return u.Path
	}
	return ""
}

// runningFiles lists the files the running processes map, each file
// once (by device and inode) and in the order first seen: by the path a
// process names it with when the process shares gotrace's mount
// namespace, through /proc/PID/root when it has one of its own. Processes
// that end meanwhile, or whose maps cannot be read, are passed over.
func runningFiles() []string {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self, _ := os.Readlink("/proc/self/ns/mnt")
	type fileID struct{ dev, ino uint64 }
	seen := map[fileID]bool{}
	var out []string
	for _, en := range ents {
		pid, err := strconv.Atoi(en.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", pid))
		if err != nil {
			continue
		}
		pv := fileView{pid: pid}
		for _, f := range pv.mappedFiles() {
			open := f
			if ns != self {
				open = pv.hostPath(f)
			}
			fi, err := os.Stat(open)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				id := fileID{uint64(st.Dev), st.Ino}
				if seen[id] {
					continue
				}
				seen[id] = true
			}
			out = append(out, open)
		}
	}
	return out
}
