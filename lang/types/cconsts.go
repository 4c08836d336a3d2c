package types

//go:generate go run gensyscalls.go

import (
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// The constants C headers define that scripts name when they #include
// <errno.h>, <signal.h> or <syscall.h>: errno values (EPERM), signal
// numbers (SIGINT) and x86-64 system call numbers (__NR_read). gotrace
// reads no headers, so these names resolve whether or not the script
// includes one, wherever no variable, builtin or #define claims them.

var (
	cConstsOnce sync.Once
	errnos      map[string]int64
	syscallNums map[string]int64
)

// cConstant gives the value of one of those constants.
func cConstant(name string) (int64, bool) {
	switch {
	case strings.HasPrefix(name, "SIG") && len(name) > 3:
		if n := SignalNumber(name); n > 0 {
			return int64(n), true
		}
		return 0, false
	case strings.HasPrefix(name, "__NR_"), strings.HasPrefix(name, "E"):
	default:
		return 0, false
	}
	cConstsOnce.Do(func() {
		errnos = map[string]int64{}
		for i := 1; i < 4096; i++ {
			if n := unix.ErrnoName(syscall.Errno(i)); n != "" {
				errnos[n] = int64(i)
			}
		}
		syscallNums = map[string]int64{}
		for n, s := range SyscallNames {
			syscallNums["__NR_"+s] = int64(n)
		}
	})
	if v, ok := syscallNums[name]; ok {
		return v, true
	}
	v, ok := errnos[name]
	return v, ok
}
