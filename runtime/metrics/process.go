package metrics

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// gotrace's own process metrics, the process_* families every
// Prometheus client exports, read from /proc on each scrape: CPU time,
// memory, file descriptors, the start time and the bytes its network
// namespace moved.

// processFamilies reads the process metrics now; what cannot be read is
// left out.
func processFamilies() []*family {
	var fams []*family
	add := func(name, help string, k Kind, v float64) {
		fams = append(fams, &family{name: name, help: help, kind: k, metrics: []metric{{value: v}}})
	}
	if st, ok := readStat(); ok {
		add("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", Counter, float64(st.utime+st.stime)/clockTicks)
		add("process_virtual_memory_bytes", "Virtual memory size in bytes.", Gauge, float64(st.vsize))
		add("process_resident_memory_bytes", "Resident memory size in bytes.", Gauge, float64(st.rss*int64(os.Getpagesize())))
		if boot, ok := bootTime(); ok {
			add("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", Gauge, boot+float64(st.starttime)/clockTicks)
		}
	}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		add("process_open_fds", "Number of open file descriptors.", Gauge, float64(len(ents)))
	}
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil {
		add("process_max_fds", "Maximum number of open file descriptors.", Gauge, float64(lim.Cur))
	}
	if unix.Getrlimit(unix.RLIMIT_AS, &lim) == nil {
		add("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", Gauge, float64(lim.Cur))
	}
	if in, out, ok := netOctets(); ok {
		add("process_network_receive_bytes_total", "Number of bytes received by the process over the network.", Counter, in)
		add("process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.", Counter, out)
	}
	return fams
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every
// architecture Linux runs gotrace on.
const clockTicks = 100

type procStat struct {
	utime, stime, starttime uint64
	vsize                   uint64
	rss                     int64
}

// readStat reads /proc/self/stat (proc(5): utime and stime are fields
// 14 and 15, starttime 22, vsize 23, rss 24, after the command's name
// in parentheses).
func readStat() (procStat, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:])) // from field 3 (state) on
	if len(f) < 22 {
		return procStat{}, false
	}
	u := func(n int) uint64 { v, _ := strconv.ParseUint(f[n-3], 10, 64); return v }
	rss, _ := strconv.ParseInt(f[24-3], 10, 64)
	return procStat{utime: u(14), stime: u(15), starttime: u(22), vsize: u(23), rss: rss}, true
}

// bootTime is when the machine booted, in seconds since the epoch
// (btime in /proc/stat).
func bootTime() (float64, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return float64(n), err == nil
		}
	}
	return 0, false
}

// netOctets are the bytes received and sent in the process's network
// namespace (IpExt InOctets and OutOctets of /proc/self/net/netstat).
func netOctets() (in, out float64, ok bool) {
	b, err := os.ReadFile("/proc/self/net/netstat")
	if err != nil {
		return 0, 0, false
	}
	lines := strings.Split(string(b), "\n")
	for i := 0; i+1 < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "IpExt:") || !strings.HasPrefix(lines[i+1], "IpExt:") {
			continue
		}
		names, values := strings.Fields(lines[i]), strings.Fields(lines[i+1])
		found := 0
		for j := 1; j < len(names) && j < len(values); j++ {
			v, err := strconv.ParseFloat(values[j], 64)
			if err != nil {
				continue
			}
			switch names[j] {
			case "InOctets":
				in, found = v, found+1
			case "OutOctets":
				out, found = v, found+1
			}
		}
		return in, out, found == 2
	}
	return 0, 0, false
}
