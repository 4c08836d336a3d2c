package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// builder builds the test programs (tests/testprogs) and libraries
// (tests/testlibs) that the selected tests use, with the flags bpftrace's
// CMake files give them, into the work directory.
type builder struct {
	src   string // bpftrace's tests directory
	work  string // the work directory: testprogs/ and testlibs/ go here
	cflag []string
	log   func(string)
}

// progSources maps a test program's name to its source file.
func (b *builder) progSources() map[string]string {
	m := map[string]string{}
	for _, ext := range []string{".c", ".cpp", ".go", ".rs"} {
		files, _ := filepath.Glob(filepath.Join(b.src, "testprogs", "*"+ext))
		for _, f := range files {
			m[strings.TrimSuffix(filepath.Base(f), ext)] = f
		}
	}
	return m
}

var (
	progRef = regexp.MustCompile(`testprogs/([A-Za-z0-9_.+/-]+)`)
	libRef  = regexp.MustCompile(`testlibs/lib([A-Za-z0-9_+-]+)\.so`)
)

// needed lists the build targets the tests refer to: testprogs/NAME paths,
// testlibs/libNAME.so paths, and bare words naming a test program (a
// wrapper's argument, such as "mountns_wrapper usdt_test").
func (b *builder) needed(tests []*Test) (progs, libs []string) {
	sources := b.progSources()
	ps, ls := map[string]bool{}, map[string]bool{}
	for _, t := range tests {
		text := strings.Join(append(append([]string{scriptText(t), t.After, t.Setup, t.Cleanup}, t.Befores...), t.Requires...), "\n")
		for _, m := range progRef.FindAllStringSubmatchIndex(text, -1) {
			name := strings.TrimSuffix(strings.Split(text[m[2]:m[3]], "/")[0], ".")
			ps[name] = true
			if m[1] < len(text) && text[m[1]] == '*' && !strings.Contains(text[m[2]:m[3]], "/") {
				// a pattern (usdt:./testprogs/usdt_test*::*) matches every
				// program bpftrace builds under that prefix, PIE or not
				for src := range sources {
					if strings.HasPrefix(src, name) {
						ps[src], ps[src+"-pie"] = true, true
					}
				}
			}
		}
		for _, m := range libRef.FindAllStringSubmatch(text, -1) {
			ls[m[1]] = true
		}
		for _, w := range strings.FieldsFunc(text, func(r rune) bool {
			return !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) {
			if _, ok := sources[strings.TrimSuffix(w, "-pie")]; ok && strings.Contains(w, "_") {
				ps[w] = true
			}
		}
	}
	for p := range ps {
		progs = append(progs, p)
	}
	for l := range ls {
		libs = append(libs, l)
	}
	sort.Strings(progs)
	sort.Strings(libs)
	return progs, libs
}

// run runs a build command in dir and returns an error with its output.
func run(dir string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// tool returns the first of names found on PATH.
func tool(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return names[len(names)-1]
}

// upToDate reports whether out exists and is newer than every input.
func upToDate(out string, inputs ...string) bool {
	st, err := os.Stat(out)
	if err != nil {
		return false
	}
	for _, in := range inputs {
		if si, err := os.Stat(in); err != nil || si.ModTime().After(st.ModTime()) {
			return false
		}
	}
	return true
}

// testprogCflags are the flags CMake gives every test program: -g -O0,
// plus frame pointers where the compiler takes the flags.
func (b *builder) testprogCflags() []string {
	if b.cflag != nil {
		return b.cflag
	}
	flags := []string{"-g", "-O0"}
	for _, f := range []string{"-fno-omit-frame-pointer", "-mno-omit-leaf-frame-pointer"} {
		if run(os.TempDir(), "gcc", "-Werror", f, "-x", "c", "-c", "/dev/null", "-o", "/dev/null") == nil {
			flags = append(flags, f)
		}
	}
	b.cflag = flags
	return flags
}

func (b *builder) buildLib(name string) error {
	src := filepath.Join(b.src, "testlibs", name+".c")
	out := filepath.Join(b.work, "testlibs", "lib"+name+".so")
	if upToDate(out, src) {
		return nil
	}
	if err := run(b.work, "gcc", "-g", "-O0", "-fPIC", "-shared", "-I", filepath.Join(b.src, "include"), "-o", out, src); err != nil {
		return err
	}
	// Cleared like CMake does: bpftrace must trace non-executable libraries.
	return os.Chmod(out, 0o644)
}

// buildProg builds one target of tests/testprogs.
func (b *builder) buildProg(name string) error {
	dir := filepath.Join(b.work, "testprogs")
	sources := b.progSources()
	objcopy := tool("objcopy", "llvm-objcopy")
	switch {
	case name == "false.bin":
		src := filepath.Join(b.src, "testprogs", "false.c")
		out := filepath.Join(dir, "false.bin")
		if upToDate(out, src) {
			return nil
		}
		if err := run(dir, "gcc", "-c", src, "-o", "false.o"); err != nil {
			return err
		}
		defer os.Remove(filepath.Join(dir, "false.o"))
		return run(dir, objcopy, "-S", "--only-section=.text", "--keep-symbol=main", "-O", "binary", "false.o", "false.bin")
	case name == "archive.zip":
		if err := b.buildProg("true"); err != nil {
			return err
		}
		out := filepath.Join(dir, "archive.zip")
		if upToDate(out, filepath.Join(dir, "true")) {
			return nil
		}
		os.Remove(out)
		return run(dir, "zip", "-0", "-j", "archive.zip", "true")
	case name == "uprobe_test-stripped" || name == "external_debug":
		if err := b.buildProg("uprobe_test"); err != nil {
			return err
		}
		ext := filepath.Join(dir, "external_debug")
		for _, d := range []string{ext, filepath.Join(ext, "dwo"), filepath.Join(ext, "dwp"), filepath.Join(dir, ".debug")} {
			os.MkdirAll(d, 0o755)
		}
		in := filepath.Join(dir, "uprobe_test")
		if !upToDate(filepath.Join(dir, "uprobe_test-stripped"), in) {
			if err := run(dir, objcopy, "--only-keep-debug", in, filepath.Join(ext, "uprobe_test-stripped.debug")); err != nil {
				return err
			}
			if err := run(dir, objcopy, "--strip-debug", in, filepath.Join(dir, "uprobe_test-stripped")); err != nil {
				return err
			}
		}
		if name == "uprobe_test-stripped" {
			return nil
		}
		src := filepath.Join(b.src, "testprogs", "uprobe_test.c")
		if out := filepath.Join(ext, "dwo", "uprobe_test-split"); !upToDate(out, src) {
			if err := run(dir, "gcc", "-g", "-O0", "-gsplit-dwarf", src, "-o", out); err != nil {
				return err
			}
		}
		if out := filepath.Join(ext, "dwp", "uprobe_test-split"); !upToDate(out+".dwp", src) {
			if err := run(dir, "gcc", "-g", "-O0", "-gsplit-dwarf", src, "-o", out); err != nil {
				return err
			}
			if err := run(dir, tool("llvm-dwp", "dwp"), "-e", out, "-o", out+".dwp"); err != nil {
				return err
			}
			dwos, _ := filepath.Glob(filepath.Join(ext, "dwp", "*.dwo"))
			for _, f := range dwos {
				os.Remove(f)
			}
		}
		return nil
	case name == "uprobe_separate_debug-stripped":
		if err := b.buildProg("uprobe_separate_debug"); err != nil {
			return err
		}
		in := filepath.Join(dir, "uprobe_separate_debug")
		out := filepath.Join(dir, "uprobe_separate_debug-stripped")
		if upToDate(out, in) {
			return nil
		}
		os.MkdirAll(filepath.Join(dir, ".debug"), 0o755)
		dbg := filepath.Join(dir, ".debug", "uprobe_separate_debug-stripped.debug")
		if err := run(dir, objcopy, "--only-keep-debug", in, dbg); err != nil {
			return err
		}
		if err := run(dir, objcopy, "--strip-debug", in, out); err != nil {
			return err
		}
		return run(dir, objcopy, "--add-gnu-debuglink="+dbg, out)
	}
	base, pie := strings.CutSuffix(name, "-pie")
	src, ok := sources[base]
	if !ok {
		return nil // a name tests mention that is no build target
	}
	out := filepath.Join(dir, name)
	if upToDate(out, src) {
		return nil
	}
	switch filepath.Ext(src) {
	case ".go":
		return run(filepath.Dir(src), "go", "build", "-o", out, src)
	case ".rs":
		return run(filepath.Dir(src), tool("rustc"), "-C", "symbol_mangling_version=v0", "-o", out, src)
	}
	compiler := "gcc"
	if filepath.Ext(src) == ".cpp" {
		compiler = "g++"
	}
	flags := append([]string{}, b.testprogCflags()...)
	if base == "uprobe_nofp" {
		flags = []string{"-g", "-O1", "-fomit-frame-pointer", "-fno-optimize-sibling-calls"}
	}
	args := append(flags, "-I", filepath.Join(b.src, "include"))
	if pie {
		args = append(args, "-fpie", "-pie")
	} else {
		args = append(args, "-no-pie")
	}
	var libs []string
	if base == "usdt_lib" {
		if err := b.buildLib("usdt_tp"); err != nil {
			return err
		}
		lib := filepath.Join(b.work, "testlibs")
		args = append(args, "-fPIC", "-I", filepath.Join(b.src, "testlibs"))
		libs = []string{"-L" + lib, "-Wl,-rpath," + lib, "-lusdt_tp"}
	}
	args = append(args, src, "-o", out)
	args = append(args, libs...)
	return run(dir, compiler, args...)
}

// pool runs fns two at a time and collects their errors.
func pool(fns []func() error) []error {
	var mu sync.Mutex
	var errs []error
	jobs := make(chan func() error)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := j(); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range fns {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	return errs
}

// Build builds what tests need, two at a time; it returns the targets
// that failed (their tests then fail, as they would with a broken build).
func (b *builder) Build(tests []*Test) []error {
	os.MkdirAll(filepath.Join(b.work, "testprogs"), 0o755)
	os.MkdirAll(filepath.Join(b.work, "testlibs"), 0o755)
	progs, libs := b.needed(tests)
	b.testprogCflags()
	var first []func() error
	haveTP := false
	for _, l := range libs {
		haveTP = haveTP || l == "usdt_tp"
		first = append(first, func() error { return b.buildLib(l) })
	}
	if len(progs) > 0 && !haveTP { // usdt_lib links libusdt_tp
		first = append(first, func() error { return b.buildLib("usdt_tp") })
	}
	errs := pool(first)
	// Targets derived from other programs are built afterwards, one at a
	// time, so that two workers never build the same program at once.
	var direct []func() error
	var derived []string
	for _, p := range progs {
		switch p {
		case "archive.zip", "uprobe_test-stripped", "external_debug", "uprobe_separate_debug-stripped":
			derived = append(derived, p)
			continue
		}
		direct = append(direct, func() error { return b.buildProg(p) })
	}
	errs = append(errs, pool(direct)...)
	for _, p := range derived {
		if err := b.buildProg(p); err != nil {
			errs = append(errs, err)
		}
	}
	if b.log != nil {
		b.log(fmt.Sprintf("built %d test programs and %d libraries in %s", len(progs), len(libs), b.work))
	}
	return errs
}
