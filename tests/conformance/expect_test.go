package main

import (
	"strings"
	"testing"
	"time"
)

func TestCheckExpect(t *testing.T) {
	out := "Attached 1 probe\n  @x: 10   \nhello world\nprice $5 (approx.)\n"
	for _, c := range []struct {
		e  Expect
		ok bool
	}{
		{Expect{expectText, "@x: 10"}, true},             // blanks around the line are ignored
		{Expect{expectText, "@x: 1"}, false},             // but it must be the whole line
		{Expect{expectText, "hello"}, false},             // not part of one
		{Expect{expectText, "price $5 (approx.)"}, true}, // regex characters are literal
		{Expect{expectText, "hello world\nprice $5 (approx.)"}, true},
		{Expect{expectTextNone, "hello"}, true},
		{Expect{expectTextNone, "hello world"}, false},
		{Expect{expectRegex, `^@x: \d+$`}, false},      // the line starts with blanks
		{Expect{expectRegex, `^\s+@x: \d+\s*$`}, true}, // multi-line mode: ^ and $ at lines
		{Expect{expectRegex, `world\Z`}, false},        // \Z is the end of the text
		{Expect{expectRegex, `approx\.\)\n\Z`}, true},
		{Expect{expectRegex, `Attached [0-9]+ probes?`}, true},
		{Expect{expectRegex, `a{,3}`}, true},
		{Expect{expectRegexNone, `ERROR`}, true},
		{Expect{expectRegexNone, `hel+o`}, false},
	} {
		ok, why := checkExpect(c.e, out, -1)
		if ok != c.ok {
			t.Errorf("%v %q: got %v (%s), want %v", c.e.Mode, c.e.Text, ok, why, c.ok)
		}
	}
}

func TestPythonRegexFallbacks(t *testing.T) {
	big := strings.Repeat("X", 5555)
	ok, err := matchRegex(`^/X{5555}$`, "/"+big+"\n")
	if err != nil || !ok {
		t.Errorf("big repeat: %v %v", ok, err)
	}
	ok, err = matchRegex(`^/X{5555}$`, "/"+big+"X\n")
	if err != nil || ok {
		t.Errorf("big repeat, one too many: %v %v", ok, err)
	}
	if _, err := pyRegexp(`(a)\1`); err == nil {
		t.Errorf("backreference compiled")
	}
	if _, err := pyRegexp(`foo(?=bar)`); err == nil {
		t.Errorf("lookahead compiled")
	}
	// Inside a class, '[' and a leading ']' are literals, as in Python.
	re, err := pyRegexp(`^[][:]+$`)
	if err != nil || !re.MatchString("[]:") {
		t.Errorf("class: %v", err)
	}
}

func TestCheckFile(t *testing.T) {
	// Leading and trailing blank lines are ignored on both sides; %H is
	// the hour of LOCALIZE_TIMESTAMPS's second in local time and %% a %.
	hour := time.Unix(0, 0).Local().Format("15")
	out := "\n\n@h:\n" + hour + ":00:00 | 5\n% done\n"
	if ok, why := checkExpect(Expect{expectFile, "testdata/outputs/stamps.txt"}, out, 0); !ok {
		t.Errorf("EXPECT_FILE with timestamps: %s", why)
	}
	if ok, _ := checkExpect(Expect{expectFile, "testdata/outputs/stamps.txt"}, out+"more\n", 0); ok {
		t.Errorf("EXPECT_FILE matched extra output")
	}
	if ok, _ := checkExpect(Expect{expectFile, "testdata/outputs/missing.txt"}, out, 0); ok {
		t.Errorf("EXPECT_FILE matched a missing file")
	}
}

func TestCheckJSON(t *testing.T) {
	for _, c := range []struct {
		file, out string
		ok        bool
	}{
		{"one.json", `{"data": {"@": 1}, "type": "map"}`, true}, // key order and 1 == 1.0
		{"one.json", "\n" + `{"type":"map","data":{"@":1}}` + "\n\n", true},
		{"one.json", `{"type": "map", "data": {"@": 2}}`, false},
		{"one.json", `{"type": "map", "data": {"@": 1}, "x": 0}`, false},
		{"one.json", "{\"type\": \"map\",\n \"data\": {\"@\": 1}}", false}, // one line only
		{"one.json", `not json`, false},
		{"two.ndjson", "{\"a\": 1.0}\n{\"b\": [1, 2, {\"c\": 1}]}\n", true}, // true == 1 in Python
		{"two.ndjson", "{\"b\": [1, 2, {\"c\": true}]}\n{\"a\": 1}\n", false},
		{"two.ndjson", "{\"a\": 1}\n", false},
	} {
		ok, why := checkExpect(Expect{expectJSON, "testdata/outputs/" + c.file}, c.out, -1)
		if ok != c.ok {
			t.Errorf("%s vs %q: got %v (%s), want %v", c.file, c.out, ok, why, c.ok)
		}
	}
}

func TestLineSplitter(t *testing.T) {
	var s lineSplitter
	s.Write([]byte("a\r\nb\rc\n\xffd"))
	s.Write([]byte("\r"))
	s.Write([]byte("\ne"))
	got := strings.Join(s.Lines(), "|") + "|" + s.Rest()
	if want := "a\n|b\n|c\n|\\xffd\n|e"; got != want {
		t.Errorf("lines %q, want %q", got, want)
	}
}

func TestPySplitLines(t *testing.T) {
	got := pySplitLines("a\nb\r\nc\rd\x0be\n")
	want := []string{"a", "b", "c", "d", "e"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("splitlines = %q", got)
	}
}
