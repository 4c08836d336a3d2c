package cc

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
)

// FuzzParse checks that no input makes Parse panic or hang, and that its
// errors are always a non-empty lang.ErrorList of positioned errors.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.src)
	}
	for _, c := range ppCases {
		f.Add(c.src)
	}
	for _, c := range errorCases {
		f.Add(c.src)
	}
	for _, name := range []string{"testdata/sample.bpf.c", "testdata/helpers.h"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("#include \"x.h\"\n#include \"vmlinux.h\"\nktype v; int f(void) { return (ktype)v; }")
	f.Add("#define a a b a\n#define b(x) x a b(x)\na b(a(b))")
	f.Fuzz(func(t *testing.T, src string) {
		opts := Options{
			ReadFile: func(path string) ([]byte, error) {
				if strings.HasSuffix(path, "x.h") {
					return []byte(src), nil
				}
				return nil, errors.New("no such file")
			},
			KernelType: func(name string) bool { return strings.HasPrefix(name, "k") },
		}
		file, err := Parse("f.c", []byte(src), opts)
		if file == nil {
			t.Fatal("nil File")
		}
		if err == nil {
			return
		}
		list, ok := err.(lang.ErrorList)
		if !ok || len(list) == 0 {
			t.Fatalf("error %T %v is not a non-empty lang.ErrorList", err, err)
		}
		for _, e := range list {
			if e.Msg == "" {
				t.Fatalf("empty message at %v", e.Pos)
			}
		}
	})
}
