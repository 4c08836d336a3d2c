package probes

import (
	"bytes"
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
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/symbolize"
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
func FindLibrary(t Target, name string) string { return findLibrary(fileView{t: t}, name) }

// findLibrary looks a short library name up in the view's
// /etc/ld.so.cache.
func findLibrary(v fileView, name string) string {
	b, err := v.ReadFile("/etc/ld.so.cache")
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

// resolveBinary turns a uprobe/usdt target into a path of the view: a
// path is kept; a short name is, with -p, first looked for among the
// files the process maps (its program, its libraries); then a library
// name ("libc") in /etc/ld.so.cache and a program name in $PATH.
func resolveBinary(v fileView, target string) (string, error) {
	if strings.Contains(target, "/") {
		if _, err := v.Stat(target); err != nil {
			return "", missingf("binary %s does not exist%s", target, v.where())
		}
		return target, nil
	}
	for _, p := range v.mappedFiles() {
		if base := filepath.Base(p); base == target || strings.HasPrefix(target, "lib") && libraryMatches(base, target) {
			return p, nil
		}
	}
	if strings.HasPrefix(target, "lib") {
		if p := findLibrary(v, target); p != "" {
			return p, nil
		}
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, target)
		if fi, err := v.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	e := specErrorf("could not find binary or library %s%s", target, v.where())
	if strings.HasPrefix(target, "lib") {
		e.Hint = "give the library's full path, e.g. /usr/lib/" + target + ".so"
	} else {
		e.Hint = "give the program's full path"
	}
	return "", e
}

// ---- contexts ----

// uprobeSite is where a uprobe context attaches, decided when the
// attach point was checked: the file gotrace opens (through the
// process's root with -p) and the offset in it, or for a uprobe-multi
// context the offsets of all its functions (see uprobe_multi.go).
type uprobeSite struct {
	open    string
	offset  uint64
	offsets []uint64
}

func (e *env) uprobeContexts(s Spec) ([]*types.Context, error) {
	if !e.t.Has(FeatureUprobe) {
		return nil, specErrorf("this kernel has no uprobes (CONFIG_UPROBE_EVENTS)")
	}
	if s.Lang != "" && s.Lang != "cpp" {
		return nil, specErrorf("unsupported language %s in %s (uprobes know cpp)", s.Lang, s.Raw)
	}
	return e.overBinaries(s, e.uprobeContextsIn)
}

// uprobeContextsIn expands a uprobe attach point of one binary.
func (e *env) uprobeContextsIn(s Spec) ([]*types.Context, error) {
	v := e.view()
	target, srcFile := s.Target, ""
	if i := strings.LastIndexByte(target, '@'); i > 0 {
		if _, err := v.Stat(target); err != nil {
			target, srcFile = target[:i], target[i+1:]
		}
	}
	path, err := resolveBinary(v, target)
	if err != nil {
		return nil, err
	}
	bin, err := v.openBinary(path)
	if err != nil {
		if s.Func == "" && srcFile == "" && !isELF(v, path) {
			return e.flatContexts(v, s, path)
		}
		return nil, err
	}
	defer bin.Close()
	sp := s
	sp.Target = path
	if srcFile != "" {
		sp.Target = path + "@" + srcFile
	}
	// the DWARF is read once a probe is known to go into the binary (a
	// pattern of files names many that hold no match) and its block
	// reads args
	mk := func(sp Spec, addr uint64) (*types.Context, error) {
		off, err := bin.fileOffset(addr)
		if err != nil {
			return nil, specErrorf("%s: %v", path, err)
		}
		e.noteBinary(v, path)
		c := e.context(sp, &types.Context{Provider: s.Provider, Name: sp.Name(), Kind: types.ProgKprobe})
		if l := c.Regs; sp.Provider == "uprobe" && sp.Func != "" && sp.Offset == 0 && !e.noArgs && l != nil && bin.elf.Machine == l.Machine {
			// args sit in the registers of the calling convention
			if di := bin.debugInfo(); di != nil {
				c.Args = di.argsType(sp.Func, l)
			}
		}
		placeUprobe(c, &uprobeSite{open: bin.open, offset: off})
		return c, nil
	}
	if srcFile != "" {
		return e.sourceLineContexts(bin, bin.debugInfo(), sp, srcFile, mk)
	}
	if s.Address != 0 {
		if err := e.checkAddress(bin, sp); err != nil {
			return nil, err
		}
		c, err := mk(sp, s.Address)
		if err != nil {
			return nil, err
		}
		return []*types.Context{c}, nil
	}
	funcs := bin.funcs()
	inline := e.inlines(bin, s)
	if inline != nil {
		// a function inlined everywhere has no symbol
		for _, n := range inline.inlinedNames() {
			if _, ok := funcs[n]; !ok {
				funcs[n] = symbolize.Symbol{Name: n}
			}
		}
	}
	var names []string
	if s.Lang == "cpp" {
		names = matchCpp(funcs, s.Func)
	} else if !HasWildcard(s.Func) {
		if _, ok := funcs[s.Func]; ok {
			names = []string{s.Func}
		}
	} else {
		for n := range funcs {
			if Match(s.Func, n) {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		what := s.Func
		if s.Lang != "" {
			what = s.Lang + ":" + s.Func
		}
		hint := "list its functions with: gotrace -l '" + s.Provider + ":" + path + ":*'"
		if s.Lang != "" {
			hint = "list its functions with: gotrace -l '" + s.Provider + ":" + path + ":" + s.Lang + ":*'"
		}
		if !HasWildcard(s.Func) {
			e := missingf("function %s not found in %s%s", what, path, v.where())
			e.Hint = hint
			return nil, e
		}
		return nil, &SpecError{Msg: "no function of " + path + " matches " + what, Hint: hint}
	}
	sort.Strings(names)
	var ctxs []*types.Context
	for _, n := range names {
		fn := funcs[n]
		one := sp
		one.Func = n
		if inline != nil {
			more, err := e.inlineContexts(inline, one, mk)
			if err != nil {
				return nil, err
			}
			ctxs = append(ctxs, more...)
			if fn.Addr == 0 {
				continue // no out-of-line copy
			}
		}
		if s.Offset != 0 {
			if err := e.checkOffset(bin, sp, fn, s.Offset); err != nil {
				return nil, err
			}
		} else if fn.Size == 0 && !e.unsafe && !HasWildcard(s.Func) {
			// a symbol without a size (_init, hand-written assembly) may
			// not be a function's start
			se := specErrorf("Could not determine boundary for %s (symbol has size 0).", n)
			se.Hint = "Use --unsafe to force attachment. WARNING: This option could lead to data corruption in the target process."
			return nil, se
		}
		c, err := mk(one, fn.Addr+s.Offset)
		if err != nil {
			return nil, err
		}
		ctxs = append(ctxs, c)
	}
	return e.multiUprobe(s, path, ctxs), nil
}

// matchCpp finds the C++ functions a cpp:PATTERN attach point names, as
// bpftrace matches them: by their demangled names, without the
// parameter list unless the pattern has one ("foo::bar" matches
// foo::bar() and foo::bar(int); "foo::bar(int)" only the second).
func matchCpp(funcs map[string]symbolize.Symbol, pattern string) []string {
	withParams := strings.Contains(pattern, "(")
	var out []string
	for n := range funcs {
		d := symbolize.Demangle(n)
		if d == n {
			if Match(pattern, n) {
				out = append(out, n) // not a C++ name: as written
			}
			continue
		}
		if !withParams {
			d = stripParams(d)
		}
		if Match(pattern, d) {
			out = append(out, n)
		}
	}
	return out
}

// stripParams removes the parameter list from a demangled function name
// as bpftrace does: everything from the last "(" on ("ns::f<int>(int)
// const" is "ns::f<int>", "f(int) [clone .cold]" is "f").
func stripParams(d string) string {
	if i := strings.LastIndexByte(d, '('); i > 0 {
		return d[:i]
	}
	return d
}

// quoteName quotes a demangled name for an attach point: inside double
// quotes, with " and \ escaped by a backslash (as the attach point
// parser reads them).
func quoteName(d string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(d) + `"`
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func attachUprobe(ctx *types.Context, s Spec, name string, prog *ebpf.Program, pid int, ret bool) (io.Closer, error) {
	var at *uprobeSite
	if a := attachPointOf(ctx); a != nil {
		at = a.uprobe
	}
	if at == nil {
		// a context the Env did not make: find (and check) the place on
		// the host, or in the process's view with a pid
		e := &env{t: host, shapes: map[string]*types.Type{}, pid: pid}
		ctxs, err := e.uprobeContexts(s)
		if err != nil || len(ctxs) != 1 {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
		at = attachPointOf(ctxs[0]).uprobe
	}
	if ctx.UprobeMulti {
		return attachUprobeMulti(ctx, at, name, prog, pid, ret)
	}
	if at.offset == 0 || ctx.Freeze == types.FreezeByAttachment {
		// cilium/ebpf reads a 0 as "look the symbol up"; a probe
		// frozen by its attachment needs the bpf_link apart from the
		// perf event (perfAttachment.Freeze)
		return attachUprobeAt(name, at.open, at.offset, ret, prog, pid)
	}
	ex, err := link.OpenExecutable(at.open)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	opts := &link.UprobeOptions{Address: at.offset, PID: pid}
	sym := s.Func
	if sym == "" {
		sym = fmt.Sprintf("0x%x", s.Address)
	}
	var l link.Link
	if ret {
		l, err = ex.Uretprobe(sym, prog, opts)
	} else {
		l, err = ex.Uprobe(sym, prog, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	return l, nil
}

// listUprobes lists "uprobe:PATH:FUNC" for the functions of one binary;
// with the cpp qualifier ("uprobe:PATH:cpp:PATTERN"), its C++ functions
// matched and listed by their demangled names, quoted so that a line
// can be used as an attach point as it is (as bpftrace lists them).
func listUprobes(t Target, provider, rest string, verbose bool) ([]string, error) {
	parts, err := splitParts(rest)
	if err != nil {
		return nil, err
	}
	target, lang, fn := parts[0], "", "*"
	switch {
	case len(parts) == 1:
	case len(parts) == 2:
		fn = orStar(parts[1])
	case parts[1] == "cpp":
		// a C++ name's colons need no quotes here: cpp:ns::Class::*
		lang, fn = parts[1], orStar(strings.Join(parts[2:], ":"))
	case len(parts) == 3:
		lang, fn = parts[1], orStar(parts[2])
	default:
		return nil, specErrorf("listing %s probes: too many parts in %s", provider, rest)
	}
	if lang != "" && lang != "cpp" {
		return nil, specErrorf("unsupported language %s (uprobes know cpp)", lang)
	}
	if target == "" || HasWildcard(target) {
		return nil, specErrorf("listing %s probes needs a binary: gotrace -l '%s:/path/to/binary:*'", provider, provider)
	}
	v := viewOf(t)
	path, err := resolveBinary(v, target)
	if err != nil {
		return nil, err
	}
	bin, err := v.openBinary(path)
	if err != nil {
		return nil, err
	}
	defer bin.Close()
	funcs := bin.funcs()
	var out []string
	if lang == "cpp" {
		for _, n := range matchCpp(funcs, fn) {
			name := n
			if d := symbolize.Demangle(n); d != n {
				name = quoteName(d)
			}
			out = append(out, provider+":"+path+":cpp:"+name)
		}
	} else {
		var names []string
		for n := range funcs {
			if Match(fn, n) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		var di *debugInfo
		if verbose {
			di = bin.debugInfo()
		}
		for _, n := range names {
			out = append(out, provider+":"+path+":"+n)
			if di != nil {
				out = append(out, di.listArgs(n)...)
			}
		}
		return out, nil
	}
	sort.Strings(out)
	return out, nil
}

// uprobeProvider is the uprobe provider (ret: uretprobe): a function
// (or an address) of a binary or library, entry or return, in every
// process or in the process of -p.
type uprobeProvider struct{ ret bool }

func (p uprobeProvider) parse(s *Spec, args []string) error {
	n := len(args)
	if n != 2 && n != 3 {
		return countError(s.Provider, n, 2, 3)
	}
	s.Target = args[0]
	if n == 3 {
		s.Lang = args[1]
	}
	if s.Target == "" {
		return specErrorf("%s probe must have a binary or library", s.Provider)
	}
	if err := parseFuncOffset(s, args[n-1], !p.ret); err != nil {
		return err
	}
	if s.Address != 0 && HasWildcard(s.Target) {
		return specErrorf("Cannot use wildcards with absolute address")
	}
	return nil
}

func (uprobeProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.uprobeContexts(s)
}

func (p uprobeProvider) facts(c *types.Context) {
	c.InProcess = true
	c.Mem = types.UserMem
	c.Return = p.ret
	// func: the probed function; in a uretprobe the kernel knows it
	// (bpf_get_func_ip), the instruction pointer being the caller's
	c.Func = types.FuncUser
	if !p.ret {
		c.ArgN = types.ArgRegs
	}
}

// placeUprobe gives uprobe context c the place it fires at. Its program
// skips gotrace's own events (types.Context.SkipSelf) only where gotrace
// maps that file: its own executable, and the C libraries of a build
// with cgo (the static build maps no other file). Elsewhere no event of
// gotrace's (nor of the child it holds stopped for -c, a copy of itself
// until the command's exec) can reach the probe.
func placeUprobe(c *types.Context, site *uprobeSite) {
	attachPointOf(c).uprobe = site
	c.SkipSelf = mappedBySelf(site.open)
}

// fileID names a file by its device and inode.
type fileID struct {
	major, minor uint32
	ino          uint64
}

// selfMapped are the files mapped in gotrace's own process, from
// /proc/self/maps (nil where it cannot be read).
var selfMapped = sync.OnceValue(func() map[fileID]bool {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil
	}
	ids := map[fileID]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		// address perms offset major:minor inode path
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		var id fileID
		if _, err := fmt.Sscanf(f[3]+" "+f[4], "%x:%x %d", &id.major, &id.minor, &id.ino); err == nil && id.ino != 0 {
			ids[id] = true
		}
	}
	return ids
})

// mappedBySelf says whether the file at path is mapped in gotrace's own
// process; where that cannot be told, it says yes.
func mappedBySelf(path string) bool {
	ids := selfMapped()
	var st unix.Stat_t
	if ids == nil || unix.Stat(path, &st) != nil {
		return true
	}
	return ids[fileID{unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino}]
}

// freezesByLink: a uprobe at one place is a perf event of its own
// (attachUprobeAt); uprobe-multi links keep the stop flag.
func (uprobeProvider) freezesByLink(c *types.Context) bool { return !c.UprobeMulti }

func (p uprobeProvider) attach(a attachment) (io.Closer, error) {
	return attachUprobe(a.ctx, a.spec, a.name, a.prog, a.pid, p.ret)
}

func (uprobeProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return listUprobes(t, name, rest, verbose)
}
