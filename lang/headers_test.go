package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindHeaders(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"mine.h", "inc/other.h"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("struct s { int a; };\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(dir, "s.bt")
	if err := os.WriteFile(script, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		src  string
		dirs []string
		err  string
	}{
		{`#include "mine.h"` + "\nBEGIN {}", nil, ""},                             // next to the script
		{"#include <other.h>\nBEGIN {}", []string{filepath.Join(dir, "inc")}, ""}, // -I
		{"#include <mine.h>\nBEGIN {}", nil, "s.bt:1:10: ERROR: 'mine.h' file not found"},
		{"#include <lol/no.h>\nBEGIN {}", nil, "s.bt:1:10: ERROR: 'lol/no.h' file not found"},
		{"#ifdef NOPE\n#include <lol/no.h>\n#endif\nBEGIN {}", nil, ""}, // not taken
	} {
		f, err := Parse(script, []byte(tc.src))
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		err = FindHeaders(f, tc.dirs)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.src, err)
		case tc.err != "" && (err == nil || !strings.HasSuffix(err.Error(), tc.err)):
			t.Errorf("%q: got %v, want %s", tc.src, err, tc.err)
		}
	}
}
