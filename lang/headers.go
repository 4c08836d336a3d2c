package lang

import (
	"os"
	"path/filepath"
	"runtime"
)

// Headers. A script's #include lines (and the command line's --include)
// name C headers. gotrace takes the kernel's types from BTF rather than
// from headers, but a header that does not exist is an error, as it is
// for a C compiler: FindHeaders looks for each where the compiler would.

// SystemHeaderDirs are where <header.h> is looked for after -I's
// directories.
var SystemHeaderDirs = []string{
	"/usr/local/include",
	"/usr/include/" + map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH] + "-linux-gnu",
	"/usr/include",
}

// FindHeaders checks that every header f includes exists: "h" in the
// script's directory (the current one for -e and stdin) and then where
// <h> is looked for; <h> in dirs (-I), then the system's directories.
// The error says which header is missing, at its #include line.
func FindHeaders(f *File, dirs []string) error {
	var errs ErrorList
	for _, inc := range f.Includes {
		var search []string
		if !inc.System {
			search = append(search, scriptDir(f.Name))
		}
		search = append(append(search, dirs...), SystemHeaderDirs...)
		if filepath.IsAbs(inc.Path) {
			search = []string{""}
		}
		found := false
		for _, d := range search {
			if st, err := os.Stat(filepath.Join(d, inc.Path)); err == nil && !st.IsDir() {
				found = true
				break
			}
		}
		if !found {
			errs.Add(inc.At, "'%s' file not found", inc.Path).Hint = "add the directory that holds it with -I DIR"
		}
	}
	return errs.Err()
}

// scriptDir is the directory of the script named name: "." for -e and
// stdin.
func scriptDir(name string) string {
	if _, err := os.Stat(name); err != nil {
		return "."
	}
	return filepath.Dir(name)
}

// Headers are what the C headers of a script define, as the reader given
// to ParseWith found them: the script sees their macros and enum
// constants as it sees its own #defines, and the type checker their
// structs, unions, enums and typedefs.
type Headers struct {
	// Macros are the #defines still defined after the last header, in
	// the order they were defined.
	Macros []*HeaderMacro
	// Enumerators are the constants of the headers' enums; Enum is the
	// enum's type name ("enum x"), or "" for an anonymous enum.
	Enumerators []*HeaderEnumerator
	// Decls are the headers' declarations for the type checker, as the
	// reader parsed them (lang/types reads them with lang/cc).
	Decls any
	// Skipped are the declarations of system headers the reader could
	// not read, as warnings; their names are left undefined.
	Skipped ErrorList
}

// HeaderMacro is one #define of a header. Body is its replacement text;
// a function-like macro (Func) has Params.
type HeaderMacro struct {
	At     Pos
	Name   string
	Func   bool
	Params []string
	Body   string
}

// HeaderEnumerator is one constant of an enum of a header.
type HeaderEnumerator struct {
	At    Pos
	Name  string
	Value int64
	Enum  string
}

// HeaderReader reads the headers incs names (in order; "h" is looked for
// first in dir, the directory of the script).
type HeaderReader func(incs []*Include, dir string) (*Headers, error)

// Options are what ParseWith needs beyond the script: the headers of
// --include, put before the script's own #include lines, and the reader
// of headers (nil: headers are recorded and checked for existence only).
type Options struct {
	Includes    []string
	IncludeDirs []string
	Headers     HeaderReader
}
