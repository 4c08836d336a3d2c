package probes

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/symbolize"
)

// EnvOption adjusts what an Env (NewEnv) answers.
type EnvOption func(*env)

// ForPID makes the Env read the files that uprobe and USDT attach points
// name as process pid sees them (gotrace -p PID): a path through the
// process's root directory (/proc/PID/root: its mount namespace, its
// chroot), a library's short name among the files the process maps and
// then in its own /etc/ld.so.cache. A process in a container gets the
// probes of the files it runs, never of the host's files at the same
// paths. Pass the same pid to AttachPID.
func ForPID(pid int) EnvOption { return func(e *env) { e.pid = pid } }

// Unsafe lets uprobes attach where gotrace cannot show that their
// offset starts an instruction (--unsafe), with a warning; without it,
// such probes are refused.
func Unsafe(on bool) EnvOption { return func(e *env) { e.unsafe = on } }

// Warnings returns the warnings an Env from NewEnv gave while expanding
// attach points (an --unsafe uprobe at an unchecked place), each at its
// attach point; the checker's Info.Warnings is where they belong.
func Warnings(te types.Env) []*lang.Error {
	if e, ok := te.(*env); ok {
		e.mu.Lock()
		defer e.mu.Unlock()
		return append([]*lang.Error(nil), e.warnings...)
	}
	return nil
}

// warnf records a warning at the attach point being expanded.
func (e *env) warnf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.warnings = append(e.warnings, &lang.Error{Pos: e.at, Msg: fmt.Sprintf(format, args...), Warning: true})
}

// processTarget is a Target listed with ForPID: uprobes and USDT probes
// are listed from the files of process pid.
type processTarget struct {
	Target
	pid int
}

// listTarget applies List's options to its Target.
func listTarget(t Target, opts []EnvOption) Target {
	e := &env{t: t}
	for _, o := range opts {
		o(e)
	}
	if e.pid > 0 {
		return processTarget{Target: t, pid: e.pid}
	}
	return t
}

// viewOf is the view in which listing finds binaries.
func viewOf(t Target) fileView {
	if pt, ok := t.(processTarget); ok {
		return fileView{t: pt.Target, pid: pt.pid}
	}
	return fileView{t: t}
}

// view is where the Env reads the files of uprobes and USDT probes.
func (e *env) view() fileView { return fileView{t: e.t, pid: e.pid} }

// fileView is a view of the file system in which the binary of a uprobe
// or USDT probe is looked up: the host's (through the Target), or with
// -p the traced process's, through /proc/PID/root.
type fileView struct {
	t   Target
	pid int // > 0: process pid's view
}

// hostPath is where gotrace opens the file the view knows as p.
func (v fileView) hostPath(p string) string {
	if v.pid > 0 {
		return symbolize.RootPath("/proc", v.pid, p)
	}
	if d, ok := v.t.(*DirTarget); ok {
		if hp, err := d.hostPath(p); err == nil {
			return hp
		}
	}
	return p
}

// native reports whether the view's files are opened where they are
// (not through a Target that only reads them whole).
func (v fileView) native() bool {
	if v.pid > 0 || v.t == Target(host) {
		return true
	}
	_, ok := v.t.(*DirTarget)
	return ok
}

func (v fileView) ReadFile(p string) ([]byte, error) {
	if v.pid > 0 {
		b, err := os.ReadFile(v.hostPath(p))
		return b, v.renamed(err, p)
	}
	return v.t.ReadFile(p)
}

func (v fileView) Stat(p string) (fs.FileInfo, error) {
	if v.pid > 0 {
		fi, err := os.Stat(v.hostPath(p))
		return fi, v.renamed(err, p)
	}
	return v.t.Stat(p)
}

// open opens a file of the view for reading at offsets.
func (v fileView) open(p string) (symbolize.File, error) {
	if v.native() {
		f, err := os.Open(v.hostPath(p))
		return f, v.renamed(err, p)
	}
	b, err := v.t.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return bytesFile{bytes.NewReader(b)}, nil
}

// renamed names a file in an error by the view's path, not gotrace's.
func (v fileView) renamed(err error, p string) error {
	if pe, ok := err.(*fs.PathError); ok {
		pe.Path = p
	}
	return err
}

// where says which view the message is about ("" for the host).
func (v fileView) where() string {
	if v.pid > 0 {
		return fmt.Sprintf(" in the mount namespace of process %d", v.pid)
	}
	return ""
}

type bytesFile struct{ *bytes.Reader }

func (bytesFile) Close() error { return nil }

// mappedFiles lists the paths of the files process pid maps, as it sees
// them, in the order of its memory map.
func (v fileView) mappedFiles() []string {
	if v.pid <= 0 {
		return nil
	}
	ms, err := symbolize.ReadMaps("/proc", v.pid)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		if m.File() && !m.Deleted && !seen[m.Path] {
			seen[m.Path] = true
			out = append(out, m.Path)
		}
	}
	return out
}

// libraryMatches reports whether a file's base name is the library a
// short name means: "libc" is libc.so, libc.so.6 or libc-2.31.so;
// "libc.so.6" only itself.
func libraryMatches(base, short string) bool {
	if strings.Contains(short, ".so") {
		return base == short || strings.HasPrefix(base, short+".")
	}
	return base == short+".so" || strings.HasPrefix(base, short+".so.") ||
		strings.HasPrefix(base, short+"-") && strings.HasSuffix(base, ".so")
}

// elfBinary is an ELF file a uprobe or USDT probe names, open for reading.
type elfBinary struct {
	path string // as the view knows it (what probe names show)
	open string // where gotrace opens it: what the uprobe attaches to
	view fileView
	file symbolize.File
	elf  *elf.File

	tableOnce sync.Once
	table     *symbolize.Table
}

// openBinary opens the ELF file the view knows as path.
func (v fileView) openBinary(path string) (*elfBinary, error) {
	f, err := v.open(path)
	if err != nil {
		return nil, specErrorf("cannot read %s%s: %v", path, v.where(), unwrapPath(err))
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		f.Close()
		return nil, specErrorf("%s is not an ELF binary: %v", path, err)
	}
	return &elfBinary{path: path, open: v.hostPath(path), view: v, file: f, elf: ef}, nil
}

func (b *elfBinary) Close() error { return b.file.Close() }

// symbols is the binary's symbol table, with its separate debug file's
// symbols when it is stripped (see symbolize.ReadTable), looked for in
// the view and then on the host.
func (b *elfBinary) symbols() *symbolize.Table {
	b.tableOnce.Do(func() {
		openers := []symbolize.Opener{b.view.open}
		if b.view.pid > 0 {
			openers = append(openers, symbolize.HostOpener)
		}
		abs := b.path
		if !filepath.IsAbs(abs) {
			abs, _ = filepath.Abs(abs)
		}
		b.table = symbolize.ReadTable(b.elf, abs, symbolize.Debug{Openers: openers})
	})
	return b.table
}

// funcs lists the binary's functions by name (the first symbol of each
// name, in address order).
func (b *elfBinary) funcs() map[string]symbolize.Symbol {
	out := map[string]symbolize.Symbol{}
	for _, s := range b.symbols().Symbols() {
		if _, ok := out[s.Name]; !ok {
			out[s.Name] = s
		}
	}
	return out
}

// fileOffset converts a virtual address of the binary to the offset in
// its file where a uprobe is placed.
func (b *elfBinary) fileOffset(addr uint64) (uint64, error) {
	for _, p := range b.elf.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && addr >= p.Vaddr && addr < p.Vaddr+p.Filesz {
			return addr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("address 0x%x is not in an executable segment", addr)
}

// code reads n bytes of the binary's code from virtual address addr.
func (b *elfBinary) code(addr, n uint64) ([]byte, error) {
	off, err := b.fileOffset(addr)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	if _, err := b.file.ReadAt(buf, int64(off)); err != nil {
		return nil, err
	}
	return buf, nil
}
