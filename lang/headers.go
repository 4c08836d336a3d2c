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

// systemHeaderDirs are where <header.h> is looked for after -I's
// directories.
var systemHeaderDirs = []string{
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
		search = append(append(search, dirs...), systemHeaderDirs...)
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
