package main

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseArgs: options are read as getopt_long reads bpftrace's.
func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		check func(o *options) bool
	}{
		{[]string{"-qe", "BEGIN {}"}, func(o *options) bool { return o.quiet && o.programs[0] == "BEGIN {}" }},
		{[]string{"-fjson", "-ofile", "-e", "x"}, func(o *options) bool { return o.formatStr == "json" && o.outFile == "file" }},
		{[]string{"--output=f", "--format", "json", "--quiet", "--verbose", "-e", "x"}, func(o *options) bool {
			return o.outFile == "f" && o.formatStr == "json" && o.quiet && o.verbose
		}},
		{[]string{"--pid", "1", "-e", "x"}, func(o *options) bool { return o.pidStr == "1" }},
		{[]string{"--cmd", "ls", "-e", "x"}, func(o *options) bool { return o.command == "ls" }},
		// options after the script file, parameters around them
		{[]string{"s.bt", "p1", "-q", "p2"}, func(o *options) bool {
			return o.file == "s.bt" && o.quiet && reflect.DeepEqual(o.params, []string{"p1", "p2"})
		}},
		// with -e every operand is a parameter; after -- --x are named
		{[]string{"-e", "x", "s.bt", "--", "--aa=1", "--bb", "p3"}, func(o *options) bool {
			return o.file == "" && reflect.DeepEqual(o.params, []string{"s.bt", "p3"}) && reflect.DeepEqual(o.named, []string{"aa=1", "bb"})
		}},
		{[]string{"-lv", "struct task_struct"}, func(o *options) bool { return o.list && o.verbose && o.listTarget == "struct task_struct" }},
		{[]string{"--list"}, func(o *options) bool { return o.list && o.listTarget == "" }},
		{[]string{"-d", "ast,asm", "-dtypes", "-e", "x"}, func(o *options) bool { return reflect.DeepEqual(o.debug, []string{"ast,asm", "types"}) }},
		{[]string{"--test", "-e", "x"}, func(o *options) bool { return o.mode == "test" }},
		{[]string{"--bench", "-e", "x"}, func(o *options) bool { return o.mode == "bench" }},
		{[]string{"--verify-llvm-ir", "-e", "x"}, func(o *options) bool { return o.verifyLLVM }},
		{[]string{"-", "a"}, func(o *options) bool { return o.file == "-" && o.params[0] == "a" }},
	} {
		o, err := parseArgs(tc.args, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !tc.check(o) {
			t.Errorf("%q: parsed as %+v", tc.args, *o)
		}
	}
}

// TestParseArgsErrors: mistakes are reported in getopt's or bpftrace's
// words.
func TestParseArgsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-Z"}, "invalid option -- 'Z'"},
		{[]string{"--frob"}, "unrecognized option '--frob'"},
		{[]string{"-e"}, "option requires an argument -- 'e'"},
		{[]string{"--output"}, "option '--output' requires an argument"},
		{[]string{"-e", "x", "--aa=20"}, "unrecognized option '--aa'"},
		{[]string{"-c", "ls", "-p", "1", "-e", "x"}, "USAGE: Cannot use both -c and -p."},
		{[]string{"-kk", "-e", "x"}, "USAGE: -kk has been deprecated"},
		{[]string{"-k", "--no-warnings", "-e", "x"}, "USAGE: -k, --warnings conflicts with --no-warnings"},
		{[]string{"--test", "--mode", "bench", "-e", "x"}, "conflicts with existing --mode"},
		{[]string{"--mode", "x", "-e", "x"}, "USAGE: --mode can only be"},
		{[]string{"-l", "a", "b"}, "USAGE: -l takes one"},
	} {
		_, err := parseArgs(tc.args, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestParsePID: bpftrace's messages for a bad pid.
func TestParsePID(t *testing.T) {
	for in, want := range map[string]string{
		"a1111":   "Failed to parse pid: invalid integer: a1111",
		"111a1":   "Failed to parse pid: invalid trailing bytes: 111a1",
		"5000000": "Pid out of range: 5000000",
		"-1":      "Failed to parse pid: invalid integer: -1",
	} {
		if _, err := parsePID(in); err == nil || err.Error() != want {
			t.Errorf("parsePID(%q) = %v, want %q", in, err, want)
		}
	}
	if pid, err := parsePID("42"); err != nil || pid != 42 {
		t.Errorf("parsePID(42) = %d, %v", pid, err)
	}
}

// TestAOTArgs: an ahead-of-time copy puts its saved options before the
// ones it is given, and its saved parameters first.
func TestAOTArgs(t *testing.T) {
	p := &aotPayload{Name: "s.bt", Src: "BEGIN {}", Flags: []string{"-q"}, Params: []string{"saved"}, Named: []string{"aa=1"}}
	o, err := parseArgs([]string{"more", "--", "--aa=2"}, p)
	if err != nil {
		t.Fatal(err)
	}
	if !o.quiet || o.aotName != "s.bt" || !reflect.DeepEqual(o.params, []string{"saved", "more"}) || !reflect.DeepEqual(o.named, []string{"aa=1", "aa=2"}) {
		t.Errorf("parsed as %+v", *o)
	}
	if _, err := parseArgs([]string{"-e", "x"}, p); err == nil {
		t.Error("-e in an AOT copy was accepted")
	}
	if got, n := findPayload(append([]byte("ELF image"), mustPayload(t, p)...)); got == nil || got.Src != p.Src || n == 0 {
		t.Errorf("the appendix does not read back: %+v", got)
	}
}

func mustPayload(t *testing.T, p *aotPayload) []byte {
	t.Helper()
	b, err := encodePayload(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSplitUserSearch: searches of binaries the probes package does not
// expand itself go through the command line's expansion.
func TestSplitUserSearch(t *testing.T) {
	for _, tc := range []struct {
		search string
		pid    int
		kernel string
		user   []userSearch
	}{
		{"tracepoint:syscalls:*", 0, "tracepoint:syscalls:*", nil},
		{"uprobe:/bin/sh:main", 0, "uprobe:/bin/sh:main", nil},
		{"uprobe:*:malloc", 9, "-", []userSearch{{"uprobe", "*", "malloc", true}}},
		{"uprobe:./t*:*", 0, "-", []userSearch{{"uprobe", "./t*", "*", true}}},
		{"usdt:*", 9, "-", []userSearch{{"usdt", "*", "*", true}}},
		{"*:./x:f", 0, "*:./x:f", []userSearch{{"uprobe", "./x", "f", true}, {"uretprobe", "./x", "f", true}, {"usdt", "./x", "f", true}}},
		{"", 9, "", []userSearch{{"uprobe", "*", "*", true}, {"usdt", "*", "*:*", true}}},
		{"", 0, "", nil},
	} {
		k, u := splitUserSearch(tc.search, tc.pid)
		if k != tc.kernel || !reflect.DeepEqual(u, tc.user) {
			t.Errorf("splitUserSearch(%q, %d) = %q, %+v; want %q, %+v", tc.search, tc.pid, k, u, tc.kernel, tc.user)
		}
	}
}
