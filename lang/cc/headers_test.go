package cc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A script's headers: <h> found in IncludeDirs, the macros left defined
// listed in order, GNU's named variadic parameter, the compiler's own
// headers given when the system has none.
func TestIncludeDirs(t *testing.T) {
	dir := t.TempDir()
	hdr := `#define A 1
#define F(x, rest...) ((x) + 1)
#define GONE 2
#undef GONE
#include <stdarg.h>
typedef va_list my_list;
struct s { int a; };
`
	if err := os.WriteFile(filepath.Join(dir, "h.h"), []byte(hdr), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Parse("unit", []byte("#include <h.h>\n"), Options{IncludeDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range f.Macros {
		names = append(names, m.Name)
		if m.Name == "F" && (!m.Func || !m.Variadic || strings.Join(m.Params, ",") != "x,rest" || m.Body != "((x) + 1)") {
			t.Errorf("F: %+v", m)
		}
	}
	if got := strings.Join(names, " "); got != "A F" {
		t.Errorf("macros: %s", got)
	}
	if len(f.Decls) != 4 { // va_list, __gnuc_va_list, my_list, struct s
		t.Errorf("%d declarations", len(f.Decls))
	}
	if _, err := Parse("unit", []byte("#include <nope.h>\n"), Options{IncludeDirs: []string{dir}}); err == nil || !strings.Contains(err.Error(), "'nope.h' file not found") {
		t.Errorf("missing header: %v", err)
	}
}
