package lang

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
)

// Imports.
//
// `import "path";` at the top of a script brings in other files: a .bt
// (or .gt) script, whose probes, macros and map declarations join the
// importing script's, or a .h header, whose struct, union and enum
// definitions and #define constants do. A directory imports its .bt, .gt
// and .h files (not its subdirectories), in name order. Paths are taken
// relative to the directory of the file that imports them (the working
// directory for a program given with -e). Each file is imported once;
// imported files may import others, and come before the file that
// imports them, so that their BEGIN probes run first and their END
// probes too. Files in world-writable directories are refused, and an
// imported script may not have a config block. A .bpf.c file is kept as
// text in File.CFiles: lang/types parses and checks its C (lang/cc) and
// the code generator compiles the functions the script calls.

// unit is one file of a program: the script or a file it imports.
type unit struct {
	name string
	src  []byte
	tree *gFile
}

// loader parses a script and, depth first, the files it imports.
type loader struct {
	parser *participle.Parser[gFile]
	units  []*unit
	cfiles []*CFile
	seen   map[string]bool // absolute paths already imported
	errs   ErrorList
	// imported holds the text of the imported files, by the name
	// diagnostics show (File.Imported).
	imported map[string][]byte
}

func (l *loader) load(name string, src []byte) {
	text, errs := conditionals(name, src)
	if len(errs) > 0 {
		l.errs = append(l.errs, errs...)
		return
	}
	tree, err := parseFile(l.parser, name, text)
	if err != nil {
		l.add(syntaxError(name, src, err))
		return
	}
	dir := "."
	if fi, err := os.Stat(name); err == nil && !fi.IsDir() {
		dir = filepath.Dir(name)
	}
	for _, it := range tree.Items {
		if it.Import == nil {
			continue
		}
		pos := Pos{File: name, Line: it.Pos.Line, Col: it.Pos.Column, Offset: it.Pos.Offset}
		path, err := strconv.Unquote(*it.Import)
		if err != nil {
			l.errs.Add(pos, "import: bad path %s", *it.Import)
			continue
		}
		if stdlibImport(dir, path) {
			if src, ok := stdlibC[filepath.Clean(path)]; ok && !l.seen[stdlibTestC] {
				l.seen[stdlibTestC] = true
				l.cfiles = append(l.cfiles, &CFile{At: pos, Name: stdlibTestC, Src: []byte(src)})
			}
			continue
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		l.importPath(path, pos)
	}
	l.units = append(l.units, &unit{name: name, src: src, tree: tree})
}

func (l *loader) add(err error) {
	switch e := err.(type) {
	case *Error:
		l.errs = append(l.errs, e)
	case ErrorList:
		l.errs = append(l.errs, e...)
	}
}

// importPath imports a file or the files of a directory.
func (l *loader) importPath(path string, at Pos) {
	abs, err := filepath.Abs(path)
	if err != nil {
		l.errs.Add(at, "import %q: %v", path, err)
		return
	}
	fi, err := os.Stat(abs)
	if err != nil {
		l.errs.Add(at, "import %q: %v", path, unwrapPathErr(err))
		return
	}
	if fi.IsDir() {
		if worldWritable(abs) {
			l.errs.Add(at, "import %q: the directory is world-writable; gotrace does not import from there", path)
			return
		}
		entries, err := os.ReadDir(abs)
		if err != nil {
			l.errs.Add(at, "import %q: %v", path, unwrapPathErr(err))
			return
		}
		var names []string
		for _, e := range entries {
			if !e.IsDir() && importable(e.Name()) {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			l.importFile(filepath.Join(abs, n), filepath.Join(path, n), at)
		}
		return
	}
	if !importable(abs) {
		l.errs.Add(at, "import %q: only .bt, .gt, .h and .bpf.c files (or a directory of them) can be imported", path)
		return
	}
	if worldWritable(filepath.Dir(abs)) {
		l.errs.Add(at, "import %q: its directory is world-writable; gotrace does not import from there", path)
		return
	}
	l.importFile(abs, path, at)
}

func (l *loader) importFile(abs, shown string, at Pos) {
	if l.seen[abs] {
		return
	}
	l.seen[abs] = true
	src, err := os.ReadFile(abs)
	if err != nil {
		l.errs.Add(at, "import %q: %v", shown, unwrapPathErr(err))
		return
	}
	if l.imported == nil {
		l.imported = map[string][]byte{}
	}
	l.imported[shown] = src
	if strings.HasSuffix(abs, ".bpf.c") {
		l.cfiles = append(l.cfiles, &CFile{At: at, Name: shown, Src: src})
		return
	}
	l.load(shown, src)
}

// stdlibFiles are the files of bpftrace's standard library. A script may
// import them by name (`import "stdlib/strings.bt";`); gotrace's builtins
// are that library and always there, so such an import brings in
// nothing more (but for the test module, stdlibC), unless a file of that
// path exists next to the script, which is then imported as any other.
var stdlibFiles = map[string]bool{
	"stdlib": true, "stdlib/base.bt": true, "stdlib/strings.bt": true, "stdlib/process.bt": true,
	"stdlib/meta.bt": true, "stdlib/kfunc.bt": true, "stdlib/internal.bt": true,
	"stdlib/base.bpf.c": true, "stdlib/map/map.bpf.c": true, "stdlib/process/process.bpf.c": true,
	"stdlib/stack/dwunwind.bpf.c": true, "stdlib/strings/strings.bpf.c": true,
	"stdlib/system/system.bpf.c": true, "stdlib/task/task.bpf.c": true, "stdlib/task/vma.bpf.c": true,
	"stdlib/usdt/usdt.bpf.c": true,
	"stdlib/test":            true, stdlibTestC: true,
}

// stdlibTestC is the standard library's test module, the one part of it
// that is not a builtin of gotrace: C functions that scripts testing the
// interop with imported C call.
const stdlibTestC = "stdlib/test/test.bpf.c"

// stdlibC holds the C sources of the standard library's modules that are
// C files, by the paths that import them.
var stdlibC = map[string]string{
	"stdlib/test": stdlibTestSrc, stdlibTestC: stdlibTestSrc,
}

const stdlibTestSrc = `// __always_true answers 1: a script calling it shows that calls into
// imported C work.
int __always_true(void) { return 1; }
`

// stdlibImport tells whether path, imported from dir, names a file of
// the standard library (see stdlibFiles).
func stdlibImport(dir, path string) bool {
	if !stdlibFiles[filepath.Clean(path)] {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, path))
	return err != nil
}

func importable(name string) bool {
	return strings.HasSuffix(name, ".bt") || strings.HasSuffix(name, ".gt") || strings.HasSuffix(name, ".h") || strings.HasSuffix(name, ".bpf.c")
}

// worldWritable reports whether anyone may write in dir (without the
// sticky bit's protection, that is anyone may replace its files).
func worldWritable(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.Mode().Perm()&0o002 != 0
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
