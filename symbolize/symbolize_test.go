package symbolize

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseMaps(t *testing.T) {
	raw := `55d0c9a00000-55d0c9a02000 r--p 00000000 fd:01 1048602                    /usr/bin/my prog
55d0c9a02000-55d0c9a07000 r-xp 00002000 fd:01 1048602                    /usr/bin/my prog
7f1e4c000000-7f1e4c021000 rwxp 00000000 00:00 0 
7f1e4d1f0000-7f1e4d216000 r-xp 00028000 103:02 77  /app/lib/libx.so (deleted)
7ffd5e1f3000-7ffd5e1f5000 r-xp 00000000 00:00 0                          [vdso]
garbage
`
	ms := ParseMaps([]byte(raw))
	if len(ms) != 5 {
		t.Fatalf("%d mappings: %+v", len(ms), ms)
	}
	m := ms[1]
	if m.Start != 0x55d0c9a02000 || m.End != 0x55d0c9a07000 || m.Off != 0x2000 || !m.Exec() || !m.File() ||
		m.Path != "/usr/bin/my prog" || m.Inode != 1048602 || m.Dev != unix.Mkdev(0xfd, 1) {
		t.Errorf("mapping 1: %+v", m)
	}
	if ms[0].Exec() {
		t.Errorf("r--p is not executable")
	}
	if a := ms[2]; a.File() || !a.Exec() || a.Path != "" {
		t.Errorf("anonymous: %+v", a)
	}
	if d := ms[3]; d.Path != "/app/lib/libx.so" || !d.Deleted || d.Dev != unix.Mkdev(0x103, 2) {
		t.Errorf("deleted: %+v", d)
	}
	if v := ms[4]; v.File() || v.Path != "[vdso]" {
		t.Errorf("vdso: %+v", v)
	}
}

func TestDemangle(t *testing.T) {
	for in, want := range map[string]string{
		"_ZN3foo3barEv":       "foo::bar()",
		"_Z3fooi":             "foo(int)",
		"main":                "main",
		"_Z3fooi.constprop.0": "foo(int) [clone .constprop.0]",
		"_Zgarbage":           "_Zgarbage",
		"__libc_start_main":   "__libc_start_main",
	} {
		if got := Demangle(in); got != want {
			t.Errorf("Demangle(%q) = %q, want %q", in, got, want)
		}
	}
}

// buildC compiles a C program with gcc (the test is skipped without it,
// and fails under CI=true).
func buildC(t *testing.T, dir, name, src string, flags ...string) string {
	t.Helper()
	c := filepath.Join(dir, name+".c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	args := append(append([]string{"-O0", "-o", bin}, flags...), c)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
		t.Skipf("no C compiler: %v %s", err, out)
	}
	return bin
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

const staticProg = `
#include <unistd.h>
static int __attribute__((noinline)) hidden_helper(int x) { return x * 7; }
int main(int argc, char **argv) { if (argc > 1) pause(); return hidden_helper(argc); }
`

// symbolOf finds a symbol by name in an object's table.
func symbolOf(t *testing.T, tab *Table, name string) Symbol {
	t.Helper()
	for _, s := range tab.Symbols() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("%s not in the table", name)
	return Symbol{}
}

func readTable(t *testing.T, path string, dbg Debug) *Table {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return ReadTable(f, path, dbg)
}

// TestDebugByBuildID: a stripped program's static function is named
// from its debug file under a debug directory's .build-id tree, and a
// debug file of another build at that place is not believed.
func TestDebugByBuildID(t *testing.T) {
	dir := t.TempDir()
	bin := buildC(t, dir, "p", staticProg, "-g", "-Wl,--build-id")
	full := readTable(t, bin, Debug{})
	helper := symbolOf(t, full, "hidden_helper")
	id := full.BuildID
	if len(id) != 40 {
		t.Fatalf("build id %q", id)
	}
	debugRoot := filepath.Join(dir, "debug")
	dbgFile := filepath.Join(debugRoot, ".build-id", id[:2], id[2:]+".debug")
	os.MkdirAll(filepath.Dir(dbgFile), 0o755)
	run(t, "objcopy", "--only-keep-debug", bin, dbgFile)
	run(t, "strip", "--strip-all", bin)

	dbg := Debug{Openers: []Opener{HostOpener}, Dirs: []string{debugRoot}}
	stripped := readTable(t, bin, Debug{Openers: []Opener{HostOpener}, Dirs: []string{filepath.Join(dir, "none")}})
	if s, ok := stripped.Lookup(helper.Addr + 1); ok && s.Name == "hidden_helper" {
		t.Fatalf("the stripped program still names hidden_helper")
	}
	tab := readTable(t, bin, dbg)
	if s, ok := tab.Lookup(helper.Addr + 1); !ok || s.Name != "hidden_helper" {
		t.Errorf("with the debug file: %+v %v", s, ok)
	}
	if tab.Debug != dbgFile {
		t.Errorf("Debug = %q, want %q", tab.Debug, dbgFile)
	}

	// another build's debug file at this build id's place
	other := buildC(t, dir, "q", strings.ReplaceAll(staticProg, "hidden_helper", "other_helper"), "-g", "-Wl,--build-id")
	run(t, "objcopy", "--only-keep-debug", other, dbgFile)
	tab = readTable(t, bin, dbg)
	if s, ok := tab.Lookup(helper.Addr + 1); ok && s.Name == "other_helper" {
		t.Errorf("a debug file of another build was believed")
	}
	if tab.Debug != "" {
		t.Errorf("Debug = %q for a mismatched file", tab.Debug)
	}
}

// TestDebugLink: a program without build id finds its debug file by its
// .gnu_debuglink name, next to it or in .debug/, checked by CRC.
func TestDebugLink(t *testing.T) {
	for _, sub := range []string{"", ".debug"} {
		t.Run("dir="+sub, func(t *testing.T) {
			dir := t.TempDir()
			bin := buildC(t, dir, "p", staticProg, "-g", "-Wl,--build-id=none")
			helper := symbolOf(t, readTable(t, bin, Debug{}), "hidden_helper")
			dbgFile := filepath.Join(dir, sub, "p.debug")
			os.MkdirAll(filepath.Dir(dbgFile), 0o755)
			run(t, "objcopy", "--only-keep-debug", bin, filepath.Join(dir, "p.debug"))
			run(t, "strip", "--strip-all", bin)
			run(t, "objcopy", "--add-gnu-debuglink="+filepath.Join(dir, "p.debug"), bin)
			if sub != "" {
				os.Rename(filepath.Join(dir, "p.debug"), dbgFile)
			}
			dbg := Debug{Openers: []Opener{HostOpener}, Dirs: []string{filepath.Join(dir, "none")}}
			tab := readTable(t, bin, dbg)
			if s, ok := tab.Lookup(helper.Addr); !ok || s.Name != "hidden_helper" || tab.Debug != dbgFile {
				t.Errorf("%+v %v from %q", s, ok, tab.Debug)
			}
			// a debug file changed since (another CRC) is not believed
			f, _ := os.OpenFile(dbgFile, os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte("x"))
			f.Close()
			if tab := readTable(t, bin, dbg); tab.Debug != "" {
				t.Errorf("a debug file with another CRC was used: %s", tab.Debug)
			}
		})
	}
}

// TestExitedProcess: a process tracked while it ran still names its
// addresses once it has exited.
func TestExitedProcess(t *testing.T) {
	dir := t.TempDir()
	bin := buildC(t, dir, "p", staticProg)
	helper := symbolOf(t, readTable(t, bin, Debug{}), "hidden_helper")
	cmd := exec.Command(bin, "wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	var addr uint64
	for deadline := time.Now().Add(5 * time.Second); addr == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ms, _ := ReadMaps("/proc", pid)
		tab := readTable(t, bin, Debug{})
		for _, m := range ms {
			if m.Exec() && m.Path == bin {
				// the file offset of hidden_helper, in this mapping
				for _, sg := range tab.segs {
					if helper.Addr >= sg.vaddr && helper.Addr < sg.vaddr+sg.filesz {
						off := helper.Addr - sg.vaddr + sg.off
						if off >= m.Off && off < m.Off+m.End-m.Start {
							addr = m.Start + off - m.Off
						}
					}
				}
			}
		}
	}
	if addr == 0 {
		cmd.Process.Kill()
		t.Fatal("the program's text is not mapped")
	}
	if fr, ok := (&Symbolizer{}).Lookup(pid, addr+2); !ok || fr.Name != "hidden_helper" || fr.Off != 2 || fr.Object != bin {
		t.Errorf("running: %+v %v", fr, ok)
	}
	if _, ok := (&Symbolizer{}).Lookup(pid, 0x10); ok {
		t.Errorf("an unmapped address has a name")
	}
	s := &Symbolizer{}
	s.Track(pid)
	cmd.Process.Kill()
	cmd.Wait()
	// rename the program away too: its open file is what is read
	os.Rename(bin, bin+".gone")
	fr, ok := s.Lookup(pid, addr+2)
	if !ok || fr.Name != "hidden_helper" || fr.Off != 2 || fr.Object != bin {
		t.Errorf("after exit: %+v %v", fr, ok)
	}
}

// TestPerfMap names code in anonymous memory from a fake process's perf
// map, in its root under its namespace pid, and only when its owner or
// root wrote it.
func TestPerfMap(t *testing.T) {
	proc := t.TempDir()
	pid := 4242
	pd := filepath.Join(proc, fmt.Sprint(pid))
	root := filepath.Join(t.TempDir(), "ctr")
	os.MkdirAll(filepath.Join(root, "tmp"), 0o755)
	os.MkdirAll(pd, 0o755)
	os.Symlink(root, filepath.Join(pd, "root"))
	os.WriteFile(filepath.Join(pd, "maps"), []byte("7f0000000000-7f0000010000 rwxp 00000000 00:00 0 \n"), 0o644)
	os.WriteFile(filepath.Join(pd, "status"), []byte("Name:\tjava\nNSpid:\t4242\t7\n"), 0o644)
	os.WriteFile(filepath.Join(root, "tmp", "perf-7.map"), []byte(
		"7f0000001000 40 LazyCompile:*hot /app/x.js:3\n"+
			"0x7f0000002000 0x20 Interpreter\n"+
			"bad line\n"), 0o644)
	s := &Symbolizer{Proc: proc, Root: t.TempDir()}
	fr, ok := s.Lookup(pid, 0x7f0000001010)
	if !ok || fr.Name != "LazyCompile:*hot /app/x.js:3" || fr.Off != 0x10 || fr.Object != "/tmp/perf-7.map" {
		t.Errorf("jit frame: %+v %v", fr, ok)
	}
	if fr, ok := s.Lookup(pid, 0x7f000000201f); !ok || fr.Name != "Interpreter" {
		t.Errorf("0x prefixed line: %+v %v", fr, ok)
	}
	if _, ok := s.Lookup(pid, 0x7f0000001040); ok {
		t.Errorf("past the end of an entry")
	}

	// no map in the process's /tmp: the host's, by the host's pid
	os.Remove(filepath.Join(root, "tmp", "perf-7.map"))
	os.MkdirAll(filepath.Join(s.Root, "tmp"), 0o755)
	os.WriteFile(filepath.Join(s.Root, "tmp", "perf-4242.map"), []byte("7f0000001000 40 from_the_host\n"), 0o644)
	s = &Symbolizer{Proc: proc, Root: s.Root}
	if fr, ok := s.Lookup(pid, 0x7f0000001010); !ok || fr.Name != "from_the_host" || fr.Object != "/tmp/perf-4242.map" {
		t.Errorf("host's map: %+v %v", fr, ok)
	}
}

func TestPerfMapOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files away")
	}
	proc := t.TempDir()
	pid := 99
	pd := filepath.Join(proc, fmt.Sprint(pid))
	os.MkdirAll(filepath.Join(pd, "root", "tmp"), 0o755)
	os.WriteFile(filepath.Join(pd, "maps"), []byte("1000-2000 r-xp 00000000 00:00 0 \n"), 0o644)
	mapFile := filepath.Join(pd, "root", "tmp", "perf-99.map")
	os.WriteFile(mapFile, []byte("1000 100 planted\n"), 0o644)
	os.Chown(pd, 1000, 1000)      // the process belongs to uid 1000
	os.Chown(mapFile, 2000, 2000) // someone else wrote the map
	var warned []string
	s := &Symbolizer{Proc: proc, Root: t.TempDir(), Warn: func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }}
	if fr, ok := s.Lookup(pid, 0x1010); ok {
		t.Errorf("a map of another user was believed: %+v", fr)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "uid 2000") {
		t.Errorf("warnings: %q", warned)
	}
	os.Chown(mapFile, 1000, 1000)
	s = &Symbolizer{Proc: proc, Root: t.TempDir()}
	if fr, ok := s.Lookup(pid, 0x1010); !ok || fr.Name != "planted" {
		t.Errorf("the owner's map: %+v %v", fr, ok)
	}
}

// TestMountNamespace: a process whose path names another file in its
// mount namespace than on the host gets the names of its own file.
func TestMountNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for unshare -m")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare")
	}
	dir := t.TempDir()
	a := buildC(t, dir, "a", strings.ReplaceAll(staticProg, "hidden_helper", "host_function"))
	b := buildC(t, dir, "b", strings.ReplaceAll(staticProg, "hidden_helper", "container_function")+"\nint pad1(void){return 1;}\n")
	helper := symbolOf(t, readTable(t, b, Debug{}), "container_function")
	app := filepath.Join(dir, "app")
	run(t, "cp", a, app)
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", fmt.Sprintf("mount --bind %s %s && exec %s wait", b, app, app))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	var text Mapping
	for deadline := time.Now().Add(5 * time.Second); text.Start == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ms, _ := ReadMaps("/proc", pid)
		for _, m := range ms {
			if m.Exec() && m.Path == app {
				text = m
			}
		}
	}
	if text.Start == 0 {
		t.Fatal("the program never ran at its path")
	}
	tab := readTable(t, b, Debug{})
	var addr uint64
	for _, sg := range tab.segs {
		if helper.Addr >= sg.vaddr && helper.Addr < sg.vaddr+sg.filesz {
			addr = text.Start + helper.Addr - sg.vaddr + sg.off - text.Off
		}
	}
	s := &Symbolizer{}
	fr, ok := s.Lookup(pid, addr)
	if !ok || fr.Name != "container_function" || fr.Object != app {
		t.Errorf("Lookup = %+v %v, want container_function in %s", fr, ok, app)
	}
}

// needTool skips a test without a tool a CI machine must have: under
// CI=true its absence is a failure (.ci/run installs it).
func needTool(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing, and CI must have it", what)
	}
	t.Skipf("%s is missing", what)
}

// TestCxx: the functions of a running C++ program are named by their
// demangled names, or as they are when Demangle is off.
func TestCxx(t *testing.T) {
	_, err := exec.LookPath("g++")
	needTool(t, err == nil, "g++ (Debian package g++)")
	dir := t.TempDir()
	src := filepath.Join(dir, "c.cpp")
	os.WriteFile(src, []byte(`#include <unistd.h>
namespace shop { struct Cart { int total = 0;
	__attribute__((noinline)) void add(int n) { total += n; } }; }
int main(int argc, char **) { shop::Cart c; c.add(argc); if (argc > 1) pause(); return c.total; }
`), 0o644)
	bin := filepath.Join(dir, "c")
	run(t, "g++", "-O0", "-o", bin, src)
	add := symbolOf(t, readTable(t, bin, Debug{}), "_ZN4shop4Cart3addEi")
	cmd := exec.Command(bin, "wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	addr := addressIn(t, cmd.Process.Pid, bin, add.Addr)
	for demangle, want := range map[bool]string{true: "shop::Cart::add(int)", false: "_ZN4shop4Cart3addEi"} {
		s := &Symbolizer{Demangle: demangle}
		if fr, ok := s.Lookup(cmd.Process.Pid, addr+1); !ok || fr.Name != want || fr.Off != 1 {
			t.Errorf("Demangle %v: %+v %v, want %s+1", demangle, fr, ok, want)
		}
	}
}

// addressIn waits until process pid maps bin and returns where the
// byte of bin at virtual address vaddr is in the process.
func addressIn(t *testing.T, pid int, bin string, vaddr uint64) uint64 {
	t.Helper()
	tab := readTable(t, bin, Debug{})
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ms, _ := ReadMaps("/proc", pid)
		for _, m := range ms {
			if !m.Exec() || m.Path != bin {
				continue
			}
			for _, sg := range tab.segs {
				if vaddr >= sg.vaddr && vaddr < sg.vaddr+sg.filesz {
					if off := vaddr - sg.vaddr + sg.off; off >= m.Off && off < m.Off+m.End-m.Start {
						return m.Start + off - m.Off
					}
				}
			}
		}
	}
	t.Fatalf("%s is not mapped by process %d", bin, pid)
	return 0
}

// TestLibcDebugFile: the C library of a Debian machine is stripped; with
// libc6-dbg its static functions are named from the debug file found by
// build id under /usr/lib/debug.
func TestLibcDebugFile(t *testing.T) {
	var libc string
	for _, p := range []string{"/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6"} {
		if _, err := os.Stat(p); err == nil {
			libc = p
		}
	}
	if libc == "" {
		t.Skip("no Debian C library here")
	}
	tab := readTable(t, libc, Debug{Openers: []Opener{HostOpener}})
	needTool(t, tab.Debug != "", "the C library's debug file (Debian package libc6-dbg)")
	if !strings.HasPrefix(tab.Debug, "/usr/lib/debug/.build-id/"+tab.BuildID[:2]+"/") {
		t.Errorf("debug file %s, build id %s", tab.Debug, tab.BuildID)
	}
	var static Symbol
	for _, s := range tab.Symbols() {
		if s.Name == "msort_with_tmp" || strings.HasPrefix(s.Name, "msort_with_tmp.") {
			static = s
		}
	}
	if static.Addr == 0 {
		t.Fatalf("no msort_with_tmp (a static function of qsort) in the table")
	}
	if s, ok := tab.Lookup(static.Addr + 1); !ok || !strings.HasPrefix(s.Name, "msort_with_tmp") {
		t.Errorf("Lookup: %+v %v", s, ok)
	}
}

// TestVDSO names an address in another process's vDSO.
func TestVDSO(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	s := &Symbolizer{}
	v := s.vdso()
	if v.table == nil {
		t.Skip("no vDSO here")
	}
	var fn Symbol
	for _, sym := range v.table.Symbols() {
		if strings.HasSuffix(sym.Name, "clock_gettime") {
			fn = sym
		}
	}
	if fn.Name == "" {
		t.Skip("no clock_gettime in the vDSO")
	}
	off, ok := uint64(0), false
	for _, sg := range v.table.segs {
		if fn.Addr >= sg.vaddr && fn.Addr < sg.vaddr+sg.filesz {
			off, ok = fn.Addr-sg.vaddr+sg.off, true
		}
	}
	if !ok {
		t.Fatal("clock_gettime is in no segment")
	}
	var vdso Mapping
	for deadline := time.Now().Add(5 * time.Second); vdso.Start == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ms, _ := ReadMaps("/proc", cmd.Process.Pid)
		for _, m := range ms {
			if m.Path == "[vdso]" {
				vdso = m
			}
		}
	}
	fr, found := s.Lookup(cmd.Process.Pid, vdso.Start+off+2)
	if !found || !strings.HasSuffix(fr.Name, "clock_gettime") || fr.Off != 2 || fr.Object != "[vdso]" {
		t.Errorf("Lookup = %+v %v", fr, found)
	}
}

// TestReplacedFile: without /proc/PID/map_files, a file is read through
// the process's root only while it is still the inode mapped: a file
// replaced since (a new deployment) names nothing rather than wrongly.
func TestReplacedFile(t *testing.T) {
	dir := t.TempDir()
	bin := buildC(t, dir, "p", staticProg)
	proc := t.TempDir()
	pd := filepath.Join(proc, "77")
	os.MkdirAll(pd, 0o755)
	os.Symlink("/", filepath.Join(pd, "root"))
	var st unix.Stat_t
	if err := unix.Stat(bin, &st); err != nil {
		t.Fatal(err)
	}
	line := func(ino uint64) string {
		return fmt.Sprintf("400000-500000 r-xp 00000000 00:00 %d %s\n", ino, bin)
	}
	if f, err := OpenMapped(proc, 77, ParseMaps([]byte(line(st.Ino)))[0]); err != nil {
		t.Errorf("the mapped inode: %v", err)
	} else {
		f.Close()
	}
	_, err := OpenMapped(proc, 77, ParseMaps([]byte(line(st.Ino + 1)))[0])
	if err == nil || !strings.Contains(err.Error(), "no longer the file it mapped") {
		t.Errorf("another inode: %v", err)
	}
	os.WriteFile(filepath.Join(pd, "maps"), []byte(line(st.Ino+1)), 0o644)
	var warned []string
	s := &Symbolizer{Proc: proc, Warn: func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }}
	if fr, ok := s.Lookup(77, 0x401000); ok {
		t.Errorf("a replaced file was read: %+v", fr)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "no longer the file it mapped") {
		t.Errorf("warnings: %q", warned)
	}
}
