package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestManPage: docs/gotrace.1 is what --man prints, and both it and
// --help name every option that is not hidden, and the environment
// and exit status sections.
func TestManPage(t *testing.T) {
	var man, help bytes.Buffer
	manPage(&man)
	usage(&help)
	want, err := os.ReadFile("../../docs/gotrace.1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, man.Bytes()) {
		t.Error("docs/gotrace.1 is out of date: go run ./cmd/gotrace --man > docs/gotrace.1")
	}
	for _, f := range flagTable {
		if f.hidden {
			continue
		}
		left := flagLeft(f)
		if !strings.Contains(help.String(), left) {
			t.Errorf("--help does not mention %s", left)
		}
		if !strings.Contains(man.String(), strings.ReplaceAll(left, "-", `\-`)) {
			t.Errorf("the man page does not mention %s", left)
		}
	}
	for _, sec := range []string{"ENVIRONMENT", "EXIT STATUS", "USAGE:"} {
		if !strings.Contains(help.String(), sec) {
			t.Errorf("--help has no %s section", sec)
		}
	}
	for _, sec := range []string{".SH ENVIRONMENT", ".SH EXIT STATUS"} {
		if !strings.Contains(man.String(), sec) {
			t.Errorf("the man page has no %s section", sec)
		}
	}
}
