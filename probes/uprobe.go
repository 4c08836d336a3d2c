package probes

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gotrace/gotrace/lang/types"
)

// ---- /etc/ld.so.cache ----

// ldCacheEntry is one library of the dynamic linker's cache.
type ldCacheEntry struct {
	Flags int32
	Name  string // soname, e.g. "libc.so.6"
	Path  string // e.g. "/lib/x86_64-linux-gnu/libc.so.6"
}

const ldCacheMagic = "glibc-ld.so.cache1.1"

// parseLdCache reads the "new" glibc cache format (glibc 2.2+): a 48-byte
// header, nlibs entries of 24 bytes (flags, key, value, osversion, hwcap),
// then strings; key and value are offsets from the start of the header.
// The format may follow an old-format cache in the same file.
func parseLdCache(b []byte) ([]ldCacheEntry, error) {
	base := bytes.Index(b, []byte(ldCacheMagic))
	if base < 0 {
		return nil, errors.New("not a glibc ld.so.cache")
	}
	c := b[base:]
	if len(c) < 48 {
		return nil, errors.New("truncated ld.so.cache")
	}
	le := binary.LittleEndian
	n := int(le.Uint32(c[20:]))
	if 48+24*n > len(c) {
		return nil, errors.New("truncated ld.so.cache")
	}
	str := func(off uint32) string {
		if int(off) >= len(c) {
			return ""
		}
		s := c[off:]
		if i := bytes.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return string(s)
	}
	entries := make([]ldCacheEntry, 0, n)
	for i := 0; i < n; i++ {
		e := c[48+24*i:]
		entries = append(entries, ldCacheEntry{
			Flags: int32(le.Uint32(e[0:])),
			Name:  str(le.Uint32(e[4:])),
			Path:  str(le.Uint32(e[8:])),
		})
	}
	return entries, nil
}

// ldCacheArchFlags are the cache flags of libraries for this machine
// (FLAG_ELF_LIBC6 plus the architecture's 64-bit flag).
func ldCacheArchFlags() int32 {
	switch runtime.GOARCH {
	case "amd64":
		return 0x0303
	case "arm64":
		return 0x0a03
	case "riscv64":
		return 0x1003 // FLAG_RISCV_FLOAT_ABI_DOUBLE | FLAG_ELF_LIBC6
	}
	return 0
}

// FindLibrary resolves a short library name ("libc", "libssl.so.3") to a
// path through /etc/ld.so.cache; "" when it is not there.
func FindLibrary(t Target, name string) string {
	b, err := t.ReadFile("/etc/ld.so.cache")
	if err != nil {
		return ""
	}
	entries, err := parseLdCache(b)
	if err != nil {
		return ""
	}
	want := name
	if !strings.Contains(want, ".so") {
		want += ".so"
	}
	flags := ldCacheArchFlags()
	for _, e := range entries {
		if flags != 0 && e.Flags != flags {
			continue
		}
		if e.Name == want || strings.HasPrefix(e.Name, want+".") {
			return e.Path
		}
	}
	return ""
}

// resolveBinary turns a uprobe/usdt target into a path: a path is kept, a
// short library name ("libc") is looked up in /etc/ld.so.cache, and a bare
// program name is looked up in $PATH.
func resolveBinary(t Target, target string) (string, error) {
	if strings.Contains(target, "/") {
		if _, err := t.Stat(target); err != nil {
			return "", missingf("binary %s does not exist", target)
		}
		return target, nil
	}
	if strings.HasPrefix(target, "lib") {
		if p := FindLibrary(t, target); p != "" {
			return p, nil
		}
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, target)
		if fi, err := t.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	e := specErrorf("could not find binary or library %s", target)
	if strings.HasPrefix(target, "lib") {
		e.Hint = "give the library's full path, e.g. /usr/lib/" + target + ".so"
	} else {
		e.Hint = "give the program's full path"
	}
	return "", e
}

// ---- ELF symbols ----

// elfFunc is a function symbol of a binary.
type elfFunc struct {
	Name string
	Addr uint64 // virtual address
	Size uint64
}

// elfFuncs lists the defined function symbols of an ELF file (static and
// dynamic symbol tables), by name.
func elfFuncs(b []byte) (map[string]elfFunc, error) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	funcs := map[string]elfFunc{}
	add := func(syms []elf.Symbol) {
		for _, s := range syms {
			typ := elf.ST_TYPE(s.Info)
			if (typ != elf.STT_FUNC && typ != elf.STT_GNU_IFUNC) || s.Value == 0 || s.Section == elf.SHN_UNDEF {
				continue
			}
			name := s.Name
			if i := strings.Index(name, "@"); i > 0 {
				name = name[:i] // versioned dynamic names: malloc@@GLIBC_2.2.5
			}
			if _, ok := funcs[name]; !ok {
				funcs[name] = elfFunc{Name: name, Addr: s.Value, Size: s.Size}
			}
		}
	}
	if syms, err := f.Symbols(); err == nil {
		add(syms)
	}
	if syms, err := f.DynamicSymbols(); err == nil {
		add(syms)
	}
	return funcs, nil
}

// elfFileOffset converts a virtual address of an ELF file to the file
// offset uprobes are placed at.
func elfFileOffset(b []byte, addr uint64) (uint64, error) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && addr >= p.Vaddr && addr < p.Vaddr+p.Memsz {
			return addr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("address 0x%x is not in an executable segment", addr)
}

// ---- contexts ----

func (e *env) uprobeContexts(s Spec) ([]*types.Context, error) {
	if !e.t.Has(FeatureUprobe) {
		return nil, specErrorf("this kernel has no uprobes (CONFIG_UPROBE_EVENTS)")
	}
	if s.Lang != "" {
		return nil, specErrorf("the %s qualifier of uprobes is not supported yet", s.Lang)
	}
	if HasWildcard(s.Target) {
		return nil, specErrorf("wildcards in the binary of a %s are not supported yet", s.Provider)
	}
	path, err := resolveBinary(e.t, s.Target)
	if err != nil {
		return nil, err
	}
	b, err := e.t.ReadFile(path)
	if err != nil {
		return nil, specErrorf("cannot read %s: %v", path, unwrapPath(err))
	}
	sp := s
	sp.Target = path
	mk := func(sp Spec) *types.Context {
		return e.context(sp, &types.Context{Provider: s.Provider, Name: sp.Name(), Kind: types.ProgKprobe})
	}
	if s.Address != 0 {
		if _, err := elfFileOffset(b, s.Address); err != nil {
			return nil, specErrorf("%s: %v", path, err)
		}
		return []*types.Context{mk(sp)}, nil
	}
	funcs, err := elfFuncs(b)
	if err != nil {
		return nil, specErrorf("%s is not an ELF binary: %v", path, err)
	}
	if !HasWildcard(s.Func) {
		fn, ok := funcs[s.Func]
		if !ok {
			e := missingf("function %s not found in %s", s.Func, path)
			e.Hint = "list its functions with: gotrace -l 'uprobe:" + path + ":*'"
			return nil, e
		}
		if s.Offset != 0 && fn.Size != 0 && s.Offset >= fn.Size {
			return nil, specErrorf("offset %d is beyond the end of %s (%d bytes)", s.Offset, s.Func, fn.Size)
		}
		return []*types.Context{mk(sp)}, nil
	}
	var names []string
	for n := range funcs {
		if Match(s.Func, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, &SpecError{
			Msg:  "no function of " + path + " matches " + s.Func,
			Hint: "list its functions with: gotrace -l 'uprobe:" + path + ":*'",
		}
	}
	sort.Strings(names)
	var ctxs []*types.Context
	for _, n := range names {
		one := sp
		one.Func = n
		ctxs = append(ctxs, mk(one))
	}
	return ctxs, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func attachUprobe(s Spec, name string, prog *ebpf.Program, pid int) (io.Closer, error) {
	ex, err := link.OpenExecutable(s.Target)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	opts := &link.UprobeOptions{Offset: s.Offset, PID: pid}
	sym := s.Func
	if s.Address != 0 {
		b, err := os.ReadFile(s.Target)
		if err != nil {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
		off, err := elfFileOffset(b, s.Address)
		if err != nil {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
		opts.Address, opts.Offset = off, 0
		sym = fmt.Sprintf("0x%x", s.Address)
	}
	var l link.Link
	if s.Provider == "uretprobe" {
		l, err = ex.Uretprobe(sym, prog, opts)
	} else {
		l, err = ex.Uprobe(sym, prog, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	return l, nil
}

// listUprobes lists "uprobe:PATH:FUNC" for the functions of one binary.
func listUprobes(t Target, provider, rest string) ([]string, error) {
	target, fn := rest, "*"
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		target, fn = rest[:i], orStar(rest[i+1:])
	}
	if target == "" || HasWildcard(target) {
		return nil, specErrorf("listing %s probes needs a binary: gotrace -l '%s:/path/to/binary:*'", provider, provider)
	}
	path, err := resolveBinary(t, target)
	if err != nil {
		return nil, err
	}
	b, err := t.ReadFile(path)
	if err != nil {
		return nil, specErrorf("cannot read %s: %v", path, unwrapPath(err))
	}
	funcs, err := elfFuncs(b)
	if err != nil {
		return nil, specErrorf("%s is not an ELF binary: %v", path, err)
	}
	var out []string
	for n := range funcs {
		if Match(fn, n) {
			out = append(out, provider+":"+path+":"+n)
		}
	}
	sort.Strings(out)
	return out, nil
}
