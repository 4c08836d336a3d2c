package probes

import (
	"strings"
	"testing"
)

func TestList(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"tracepoint:sched:*", []string{
			"tracepoint:sched:sched_process_exec",
			"tracepoint:sched:sched_process_fork",
			"tracepoint:sched:sched_switch",
			"tracepoint:sched:sched_wakeup",
		}},
		{"t:syscalls:sys_enter_open*", []string{"tracepoint:syscalls:sys_enter_openat"}},
		{"tracepoint:*openat*", []string{"tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_exit_openat"}},
		{"*openat*", []string{"tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_exit_openat"}},
		{"software:*fault*", []string{
			"software:alignment-faults:", "software:emulation-faults:", "software:faults:",
			"software:major-faults:", "software:minor-faults:", "software:page-faults:",
		}},
		{"interval:*", []string{"interval:hz:", "interval:ms:", "interval:s:", "interval:us:"}},
		{"interval", nil}, // a bare word is searched in probe names
		{"sched_switch,*exit_read", []string{"tracepoint:sched:sched_switch", "tracepoint:syscalls:sys_exit_read"}},
		{"vfs_read*", []string{"kprobe:vfs_read", "kprobe:vfs_readv"}},
		{"tracepoint:sched:sched_switch", []string{"tracepoint:sched:sched_switch"}},
		{"tracepoint:sched:nosuch", nil},
	}
	for _, tt := range tests {
		got, err := List(testTarget(), tt.pattern)
		if err != nil {
			t.Errorf("List(%q): %v", tt.pattern, err)
			continue
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("List(%q) =\n%s\nwant\n%s", tt.pattern, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}

func TestListVerbose(t *testing.T) {
	got, err := ListVerbose(testTarget(), "tracepoint:s*:sys_enter_openat")
	if err != nil {
		t.Fatal(err)
	}
	want := `tracepoint:syscalls:sys_enter_openat
    int __syscall_nr
    int dfd
    const char * filename
    int flags
    umode_t mode`
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("got\n%s\nwant\n%s", g, want)
	}
	got, _ = ListVerbose(testTarget(), "tracepoint:sched:sched_process_exec")
	want = `tracepoint:sched:sched_process_exec
    __data_loc char[] filename
    pid_t pid
    pid_t old_pid`
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("got\n%s\nwant\n%s", g, want)
	}
}

func TestListAll(t *testing.T) {
	got, err := List(testTarget(), "")
	if err != nil {
		t.Fatal(err)
	}
	// hardware is absent (no PMU in the default DirTarget), interval and
	// profile are only listed when named; the kprobes, software events and
	// the 13 tracepoints are there, in that order.
	if len(got) != 6+14+13 || got[0] != "kprobe:do_nanosleep" || got[len(got)-1] != "tracepoint:syscalls:sys_exit_read" {
		t.Errorf("List all: %d lines: %v", len(got), got)
	}
}
