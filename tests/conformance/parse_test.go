package main

import (
	"reflect"
	"strings"
	"testing"
)

var x86 = []string{"x86_64", "le"}

func TestParseSample(t *testing.T) {
	tests, skipped, err := ParseFile("testdata/runtime/sample", x86)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tt := range tests {
		names = append(names, tt.ID())
	}
	want := []string{"sample.one line", "sample.multi line prog and expect", "sample.run with placeholders", "sample.json", "sample.return code"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("tests = %q, want %q", names, want)
	}
	if len(skipped) != 1 || skipped[0].Name != "big endian only" {
		t.Fatalf("skipped = %v, want the big-endian test", skipped)
	}

	one := tests[0]
	if one.Prog != `begin { printf("hello\n"); exit(); }` || one.Timeout != defaultTimeout || one.Line != 3 {
		t.Errorf("one line: %+v", one)
	}
	if got := one.Expects; len(got) != 1 || got[0] != (Expect{expectText, "hello"}) {
		t.Errorf("one line expects %v", got)
	}

	multi := tests[1]
	wantProg := "begin {\n  printf(\"a\\n\");\n  printf(\"b\\n\");\n  exit();\n}"
	if multi.Prog != wantProg {
		t.Errorf("multi-line PROG = %q, want %q", multi.Prog, wantProg)
	}
	if len(multi.Expects) != 1 || multi.Expects[0].Text != "a\nb" {
		t.Errorf("multi-line EXPECT = %q", multi.Expects)
	}
	if multi.Timeout != 3 {
		t.Errorf("TIMEOUT = %d", multi.Timeout)
	}

	run := tests[2]
	if !strings.HasPrefix(run.Run, "{{BPFTRACE}} -p {{BEFORE_PID}}") || len(run.Befores) != 1 {
		t.Errorf("run: %+v", run)
	}
	modes := []expectMode{expectRegex, expectTextNone, expectRegexNone}
	for i, e := range run.Expects {
		if e.Mode != modes[i] {
			t.Errorf("expect %d mode %v, want %v", i, e.Mode, modes[i])
		}
	}
	if run.Env["BPFTRACE_MAX_STRLEN"] != "9999" || run.Env["OTHER"] != "x" || !reflect.DeepEqual(run.EnvOrder, []string{"BPFTRACE_MAX_STRLEN", "OTHER"}) {
		t.Errorf("ENV = %v %v", run.Env, run.EnvOrder)
	}
	if !reflect.DeepEqual(run.Features, []string{"btf"}) || !reflect.DeepEqual(run.NegFeatures, []string{"fentry"}) {
		t.Errorf("features %v !%v", run.Features, run.NegFeatures)
	}
	if !reflect.DeepEqual(run.Arch, []string{"x86_64", "aarch64"}) || !reflect.DeepEqual(run.Requires, []string{"true"}) {
		t.Errorf("arch %v requires %v", run.Arch, run.Requires)
	}

	js := tests[3]
	if !js.HasExactExpect || !js.WillFail || js.KernelMin != "5.10" || js.KernelMax != "99.0" || js.Expects[0].Mode != expectJSON {
		t.Errorf("json: %+v", js)
	}

	rc := tests[4]
	if rc.ReturnCode != 3 || rc.Setup != "true" || rc.Cleanup != "true" || !rc.NewPidNS ||
		rc.After != "./testprogs/syscall nanosleep 1e8" || rc.LocalizeTS != 0 ||
		rc.SkipIfEnvHas == nil || *rc.SkipIfEnvHas != [2]string{"CI", "true"} || len(rc.Expects) != 0 {
		t.Errorf("return code: %+v", rc)
	}
}

func TestParseErrors(t *testing.T) {
	for file, msg := range map[string]string{
		"bad_directive": "EXPECTS is not a runtime test directive",
		"bad_both":      "RUN and PROG both given",
		"bad_exact":     "EXPECT_JSON or EXPECT_FILE can not be used with other EXPECTs",
		"bad_feature":   "warp_drive is invalid for REQUIRES_FEATURE",
	} {
		_, _, err := ParseFile("testdata/runtime/"+file, x86)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want one saying %q", file, err, msg)
		}
	}
}

func TestParseEdges(t *testing.T) {
	for _, c := range []struct {
		name, text string
		n          int
		check      func(*Test) bool
	}{
		// The last test needs no blank line after it.
		{"no trailing blank", "NAME a\nPROG x\nEXPECT y", 1, func(tt *Test) bool { return tt.Expects[0].Text == "y" }},
		// A continuation line loses its last character, taken as its
		// newline, even at the end of a file without one (as the engine's
		// slicing does).
		{"continuation at the end", "NAME a\nEXPECT y\nPROG x\n     yz", 1, func(tt *Test) bool { return tt.Prog == "x\ny" }},
		{"several blank lines", "\n\nNAME a\nPROG x\nEXPECT y\n\n\n\nNAME b\nPROG z\nEXPECT w\n", 2, nil},
		// A comment as the very last line leaves the test before it unread.
		{"comment last", "NAME a\nPROG x\nEXPECT y\n# the end\n", 0, nil},
		{"return code alone", "NAME a\nRUN false\nRETURN_CODE 1\n", 1, func(tt *Test) bool { return tt.ReturnCode == 1 }},
		{"value spacing", "NAME   spaced name  \nPROG x\nEXPECT   two  words \n", 1, func(tt *Test) bool {
			return tt.Name == "spaced name" && tt.Expects[0].Text == "two  words"
		}},
		{"negated arch", "NAME a\nPROG x\nEXPECT y\nARCH !x86_64\n", 0, nil},
		{"endianness", "NAME a\nPROG x\nEXPECT y\nARCH le\n", 1, nil},
	} {
		tests, _, err := ParseText("suite", c.text, x86)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(tests) != c.n {
			t.Errorf("%s: %d tests, want %d", c.name, len(tests), c.n)
			continue
		}
		if c.check != nil && !c.check(tests[0]) {
			t.Errorf("%s: unexpected %+v", c.name, tests[0])
		}
	}
}

func TestArchMatches(t *testing.T) {
	for _, c := range []struct {
		want []string
		ok   bool
	}{
		{nil, true},
		{[]string{"x86_64"}, true},
		{[]string{"aarch64"}, false},
		{[]string{"aarch64", "x86_64"}, true},
		{[]string{"!s390x"}, true},
		{[]string{"!x86_64"}, false},
		{[]string{"le"}, true},
		{[]string{"be"}, false},
		{[]string{"x86_64", "!le"}, false},
	} {
		if got := archMatches(c.want, x86); got != c.ok {
			t.Errorf("archMatches(%q) = %v, want %v", c.want, got, c.ok)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"6.12", "6.18.44-fc-v1272", -1},
		{"6.18.44-fc-v1272", "6.1", 1},
		{"5.10", "5.10", 0},
		{"5.10", "5.9", 1},
		{"5.10.0", "5.10", 1},
		{"6.1", "6.1.0-rc1", -1},
	} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
