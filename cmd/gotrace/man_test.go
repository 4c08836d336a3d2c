package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestManPage: docs/gotrace.1 is what --man prints, and both it and
// --help name every flag.
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
	for _, f := range flagDoc {
		name := strings.Fields(strings.TrimSuffix(f.flag, ","))[0]
		if !strings.Contains(help.String(), name) {
			t.Errorf("--help does not mention %s", name)
		}
		if !strings.Contains(man.String(), strings.ReplaceAll(name, "-", `\-`)) {
			t.Errorf("the man page does not mention %s", name)
		}
	}
}
