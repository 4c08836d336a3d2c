package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
)

// cgroupFilter resolves --cgroup PATH: the cgroup's id is the inode of
// its directory, and its level is its depth in the cgroup v2 hierarchy,
// counted from the hierarchy's real root: the depth of PATH below the
// mount it is in, plus the depth of that mount's root in the hierarchy
// (a cgroup namespace, or a bind mount of a subtree, mounts a cgroup
// other than the root).
func cgroupFilter(path string) (codegen.CgroupFilter, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return codegen.CgroupFilter{}, fmt.Errorf("--cgroup %s: %v", path, err)
	}
	abs, err = filepath.EvalSymlinks(abs)
	if err != nil {
		return codegen.CgroupFilter{}, fmt.Errorf("--cgroup %s: %s", path, errText(err))
	}
	if !isCgroup2(abs) {
		return codegen.CgroupFilter{}, fmt.Errorf("--cgroup %s: not a directory of the cgroup v2 hierarchy (mounted where `mount -t cgroup2` shows)", path)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(abs, &st); err != nil {
		return codegen.CgroupFilter{}, fmt.Errorf("--cgroup %s: %s", path, errText(err))
	}
	// up to the top of the mount: the directories above that are on the
	// same cgroup2 mount
	top, level := abs, 0
	for top != "/" {
		parent := filepath.Dir(top)
		var pst syscall.Stat_t
		if !isCgroup2(parent) || syscall.Stat(parent, &pst) != nil || pst.Dev != st.Dev {
			break
		}
		top, level = parent, level+1
	}
	level += mountRootDepth(top)
	return codegen.CgroupFilter{ID: st.Ino, Level: level}, nil
}

func isCgroup2(path string) bool {
	var fs unix.Statfs_t
	return unix.Statfs(path, &fs) == nil && fs.Type == unix.CGROUP2_SUPER_MAGIC
}

// mountRootDepth is how deep in its hierarchy the root of the cgroup2
// mount at dir is: 0 for a mount of the whole hierarchy.
func mountRootDepth(dir string) int {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	depth := 0
	for sc.Scan() {
		// id parent major:minor root mountpoint options ... - fstype source
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || fields[4] != dir {
			continue
		}
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(fields) || fields[sep+1] != "cgroup2" {
			continue
		}
		depth = 0
		if root := strings.Trim(fields[3], "/"); root != "" {
			depth = strings.Count(root, "/") + 1
		}
	}
	return depth
}
