// Command progstats prints the BPF programs a process holds, as the
// kernel has them: for each, its name, its instruction count after the
// kernel's rewriting (xlated), and how often it ran and for how long
// (run_cnt, run_time_ns: counted while kernel.bpf_stats_enabled is 1).
// The benchmark scripts under tests/bench use it to compare the code of
// two tracers side by side.
//
//	go run ./tests/bench/progstats PID
//
// Output: one line per program, "name insns runs ns", then a line
// "total insns runs ns".
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: progstats PID")
		os.Exit(2)
	}
	pid := os.Args[1]
	fds, err := filepath.Glob("/proc/" + pid + "/fdinfo/*")
	if err != nil || len(fds) == 0 {
		fmt.Fprintf(os.Stderr, "progstats: no file descriptors of process %s\n", pid)
		os.Exit(1)
	}
	seen := map[uint64]bool{}
	var insns, runs, ns uint64
	for _, fd := range fds {
		info := fdinfo(fd)
		id, err := strconv.ParseUint(info["prog_id"], 10, 32)
		if err != nil || seen[id] {
			continue
		}
		seen[id] = true
		prog, err := ebpf.NewProgramFromID(ebpf.ProgramID(id))
		if err != nil {
			continue
		}
		pi, err := prog.Info()
		prog.Close()
		if err != nil {
			continue
		}
		n := 0
		if xl, err := pi.Instructions(); err == nil {
			for _, ins := range xl {
				n += int(ins.Width())
			}
		}
		cnt, _ := strconv.ParseUint(info["run_cnt"], 10, 64)
		t, _ := strconv.ParseUint(info["run_time_ns"], 10, 64)
		fmt.Printf("%s %d %d %d\n", pi.Name, n, cnt, t)
		insns += uint64(n)
		runs += cnt
		ns += t
	}
	fmt.Printf("total %d %d %d\n", insns, runs, ns)
}

// fdinfo reads the "key:\tvalue" lines of /proc/PID/fdinfo/FD.
func fdinfo(path string) map[string]string {
	m := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}
