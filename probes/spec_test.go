package probes

import (
	"testing"
)

func TestParseNames(t *testing.T) {
	tests := []struct {
		raw, provider, name string
	}{
		{"BEGIN", "begin", "begin"},
		{"begin", "begin", "begin"},
		{"END", "end", "end"},
		{"end", "end", "end"},
		{"t:syscalls:sys_enter_openat", "tracepoint", "tracepoint:syscalls:sys_enter_openat"},
		{"tracepoint:sched:sched_switch", "tracepoint", "tracepoint:sched:sched_switch"},
		{"tracepoint:*open*", "tracepoint", "tracepoint:*:*open*"},
		{"interval:1s", "interval", "interval:us:1000000"},
		{"i:1000000000", "interval", "interval:us:1000000"},
		{"interval:s:1", "interval", "interval:s:1"},
		{"interval:ms:100", "interval", "interval:ms:100"},
		{"interval:hz:99", "interval", "interval:hz:99"},
		{"interval:100ms", "interval", "interval:us:100000"},
		{"profile:hz:99", "profile", "profile:hz:99"},
		{"p:99us", "profile", "profile:us:99"},
		{"profile:1e6", "profile", "profile:us:1000"},
		{"s:faults:100", "software", "software:faults:100"},
		{"software:cpu-clock:", "software", "software:cpu-clock"},
		{"software:cs", "software", "software:cs"},
		{"h:cycles:1000", "hardware", "hardware:cycles:1000"},
		{"k:vfs_read", "kprobe", "kprobe:vfs_read"},
		{"kprobe:vfs_read+16", "kprobe", "kprobe:vfs_read+16"},
		{"kprobe:kvm:x86_emulate_insn", "kprobe", "kprobe:kvm:x86_emulate_insn"},
		{"kr:vfs_read", "kretprobe", "kretprobe:vfs_read"},
		{"u:/bin/bash:readline", "uprobe", "uprobe:/bin/bash:readline"},
		{"ur:/bin/bash:readline", "uretprobe", "uretprobe:/bin/bash:readline"},
		{`uprobe:/x:cpp:"A::b"`, "uprobe", "uprobe:/x:cpp:A::b"},
		{"U:/usr/lib/libc.so.6:libc:setjmp", "usdt", "usdt:/usr/lib/libc.so.6:libc:setjmp"},
		{"usdt:/bin/x:probe", "usdt", "usdt:/bin/x:probe"},
		{"rt:sched_switch", "rawtracepoint", "rawtracepoint:*:sched_switch"},
		{"rawtracepoint:vmlinux:sched_switch", "rawtracepoint", "rawtracepoint:vmlinux:sched_switch"},
		{"f:vfs_read", "fentry", "fentry:vfs_read"},
		{"kfunc:vfs_read", "fentry", "fentry:vfs_read"},
		{"fr:vfs_read", "fexit", "fexit:vfs_read"},
		{"kretfunc:vmlinux:vfs_read", "fexit", "fexit:vmlinux:vfs_read"},
		{"w:0x10000000:8:rw", "watchpoint", "watchpoint:268435456:8:rw"},
		{"self:signal:SIGUSR1", "self", "self:signal:SIGUSR1"},
		{"test:okay", "test", "test:okay"},
		{"iter:task", "iter", "iter:task"},
		{"it:task_file:pin", "iter", "iter:task_file"},
		{"myname=tracepoint:sched:sched_switch", "tracepoint", "myname"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.raw)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.raw, err)
			continue
		}
		if s.Provider != tt.provider || s.Name() != tt.name {
			t.Errorf("Parse(%q) = %s %q, want %s %q", tt.raw, s.Provider, s.Name(), tt.provider, tt.name)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		raw, msg, hint string
	}{
		{"tracepint:a:b", "invalid probe type: tracepint", "did you mean tracepoint?"},
		{"tracepoint:a", "tracepoint probe type requires 2 arguments, found 1", ""},
		{"tracepoint:a:b:c", "tracepoint probe type requires 2 arguments, found 3", ""},
		{"BEGIN:x", "begin probes should not have a target", ""},
		{"interval:xs:1", "xs is not an accepted unit of time", "use one of s, ms, us, hz, e.g. interval:ms:100"},
		{"interval:s:0", "interval frequency should be a positive integer", ""},
		{"interval:100", "Invalid rate of interval probe. Minimum is 1000 or 1us. Found: 100 nanoseconds", ""},
		{"interval:s:abc", "Invalid rate of interval probe: invalid integer: abc", ""},
		{"interval", "interval probe type requires 1 or 2 arguments, found 0", ""},
		{"software:nope", "nope is not a software probe", "list them with: gotrace -l 'software:*'"},
		{"software:*", "wildcards are not allowed for software probe type", ""},
		{"software:cs:x", "Invalid count for software probe: invalid integer: x", ""},
		{"kretprobe:f+1", "Offset not allowed", ""},
		{"watchpoint:0:8:w", "watchpoint must be attached to a non-zero address", ""},
		{"watchpoint:0x1000:3:w", "watchpoint length must be one of (1,2,4,8)", ""},
		{"self:signal:SIGINT", "SIGINT is not a supported signal", ""},
		{`uprobe:"/x:f`, `unterminated quote in attach point uprobe:"/x:f`, ""},
		{"*:foo", "wildcards in the probe type are only supported when listing probes: *", "list the matching probes with: gotrace -l '*:foo'"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.raw)
		se, ok := err.(*SpecError)
		if !ok {
			t.Errorf("Parse(%q) error = %v, want a *SpecError", tt.raw, err)
			continue
		}
		if se.Msg != tt.msg || se.Hint != tt.hint {
			t.Errorf("Parse(%q) error = %q (hint %q), want %q (hint %q)", tt.raw, se.Msg, se.Hint, tt.msg, tt.hint)
		}
	}
}

func TestParseUint(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		bad  bool
	}{
		{"0", 0, false}, {"99", 99, false}, {"1_000", 1000, false}, {"0x10", 16, false},
		{"0b101", 5, false}, {"010", 8, false}, {"1e6", 1000000, false}, {"5s", 5e9, false},
		{"10ms", 10e6, false}, {"3us", 3000, false}, {"7ns", 7, false}, {"2m", 120e9, false},
		{"1h", 3600e9, false}, {"1d", 86400e9, false}, {"12u", 12, false}, {"4ull", 4, false},
		{"", 0, true}, {"x", 0, true}, {"1q", 0, true}, {"12e3", 0, true}, {"99999999999999999999", 0, true},
		{"20000000000d", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseUint(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("ParseUint(%q) = %d, %v; want %d (error: %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"sys_enter_open*", "sys_enter_openat", true},
		{"sys_enter_open*", "sys_exit_openat", false},
		{"*open*", "sys_enter_openat", true},
		{"*", "", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"abc", "abc", true},
		{"*at", "openat", true},
		{"a*a", "a", false},
	}
	for _, tt := range tests {
		if got := Match(tt.pat, tt.s); got != tt.want {
			t.Errorf("Match(%q, %q) = %v", tt.pat, tt.s, got)
		}
	}
}

func TestCanonicalProvider(t *testing.T) {
	for in, want := range map[string]string{
		"U": "usdt", "u": "uprobe", "BEGIN": "begin", "Tracepoint": "tracepoint", "kfunc": "fentry",
		"it": "iter", "rt": "rawtracepoint", "bogus": "",
	} {
		if got := CanonicalProvider(in); got != want {
			t.Errorf("CanonicalProvider(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCPURanges(t *testing.T) {
	if got := parseCPURanges("0-2,5"); len(got) != 4 || got[3] != 5 {
		t.Errorf("parseCPURanges = %v", got)
	}
}
