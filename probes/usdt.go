package probes

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gotrace/gotrace/lang/types"
)

// USDTSite is one place a USDT probe is compiled in (a probe used in
// several places, or inlined, has several sites).
type USDTSite struct {
	Provider  string
	Name      string
	Addr      uint64 // virtual address of the probe's nop
	Offset    uint64 // file offset of Addr: where the uprobe goes
	Semaphore uint64 // file offset of the semaphore, 0 when there is none
	Args      []USDTArg
	ArgsText  string // as written in the note: "-4@%ebx 8@%r12"
}

// USDTArgKind says where a USDT argument lives.
type USDTArgKind int

const (
	USDTArgConst USDTArgKind = iota // $imm: the value is Const
	USDTArgReg                      // %reg: the value is in Reg
	USDTArgMem                      // off(%base,%index,scale): the value is in memory at that address
)

// USDTArg is one argument of a USDT site, in the assembler syntax of the
// note: x86-64's ("-4@%edi", "8@-8(%rbp)", "4@$5", "8@sym(%rip)") or
// arm64's ("-4@x0", "8@[sp, 16]", "4@[x19]", "4@5").
type USDTArg struct {
	Size   int  // bytes: 1, 2, 4 or 8
	Signed bool // a negative size in the note
	Kind   USDTArgKind
	Const  int64  // USDTArgConst: the value; USDTArgMem: the displacement
	Reg    string // USDTArgReg: the register; USDTArgMem: the base register ("" for none)
	Index  string // USDTArgMem: the index register, "" for none
	Scale  int    // USDTArgMem: index scale
	Sym    string // USDTArgMem: a symbol the displacement is relative to (sym(%rip))
}

// parseUSDTArgs reads the argument string of a stapsdt note of a file
// for machine. arm64 memory operands have a space after the comma
// ("8@[sp, 16]"), which is not an argument boundary.
func parseUSDTArgs(s string, machine elf.Machine) ([]USDTArg, error) {
	parse := parseUSDTArg
	if machine == elf.EM_AARCH64 {
		parse = parseUSDTArgARM64
		s = strings.ReplaceAll(s, ", ", ",")
	}
	var args []USDTArg
	for _, a := range strings.Fields(s) {
		arg, err := parse(a)
		if err != nil {
			return nil, fmt.Errorf("USDT argument %q: %v", a, err)
		}
		args = append(args, arg)
	}
	return args, nil
}

// usdtArgSize reads the size before the @ of an argument (negative:
// signed) and returns the argument with it, and the operand after the @.
func usdtArgSize(a string) (USDTArg, string, error) {
	var arg USDTArg
	size, loc, ok := strings.Cut(a, "@")
	if !ok {
		return arg, "", errors.New("no size")
	}
	n, err := strconv.Atoi(size)
	if err != nil {
		return arg, "", errors.New("bad size")
	}
	if n < 0 {
		arg.Signed, n = true, -n
	}
	switch n {
	case 1, 2, 4, 8:
	default:
		return arg, "", fmt.Errorf("unsupported size %d", n)
	}
	arg.Size = n
	return arg, loc, nil
}

// parseUSDTArg reads one argument in x86-64 assembler (AT&T) syntax.
func parseUSDTArg(a string) (USDTArg, error) {
	arg, loc, err := usdtArgSize(a)
	if err != nil {
		return arg, err
	}
	switch {
	case strings.HasPrefix(loc, "$"):
		v, err := strconv.ParseInt(loc[1:], 0, 64)
		if err != nil {
			return arg, errors.New("bad constant")
		}
		arg.Kind, arg.Const = USDTArgConst, v
	case strings.HasPrefix(loc, "%"):
		arg.Kind, arg.Reg = USDTArgReg, loc[1:]
	default:
		arg.Kind = USDTArgMem
		open := strings.IndexByte(loc, '(')
		disp := loc
		if open >= 0 {
			disp = loc[:open]
			if !strings.HasSuffix(loc, ")") {
				return arg, errors.New("unbalanced parenthesis")
			}
			regs := strings.Split(loc[open+1:len(loc)-1], ",")
			arg.Reg = strings.TrimPrefix(strings.TrimSpace(regs[0]), "%")
			if len(regs) > 1 {
				arg.Index = strings.TrimPrefix(strings.TrimSpace(regs[1]), "%")
				arg.Scale = 1
			}
			if len(regs) > 2 {
				if arg.Scale, err = strconv.Atoi(strings.TrimSpace(regs[2])); err != nil {
					return arg, errors.New("bad scale")
				}
			}
		}
		if disp != "" {
			v, err := strconv.ParseInt(disp, 0, 64)
			if err != nil {
				if disp[0] == '-' || (disp[0] >= '0' && disp[0] <= '9') {
					return arg, errors.New("bad displacement")
				}
				// sym or sym+off
				sym, off := disp, int64(0)
				if i := strings.IndexAny(disp, "+-"); i > 0 {
					sym = disp[:i]
					if off, err = strconv.ParseInt(disp[i:], 0, 64); err != nil {
						return arg, errors.New("bad displacement")
					}
				}
				arg.Sym, v = sym, off
			}
			arg.Const = v
		}
	}
	return arg, nil
}

// parseUSDTArgARM64 reads one argument in arm64 assembler syntax: a
// constant ("4@5", "4@-1"), a register ("8@x1", "4@w2", "8@sp") or memory
// at a register plus an offset ("8@[sp,16]", "4@[x19]").
func parseUSDTArgARM64(a string) (USDTArg, error) {
	arg, loc, err := usdtArgSize(a)
	if err != nil {
		return arg, err
	}
	isReg := func(r string) bool {
		if r == "sp" {
			return true
		}
		if len(r) < 2 || (r[0] != 'x' && r[0] != 'w') {
			return false
		}
		i, err := strconv.Atoi(r[1:])
		return err == nil && i >= 0 && i <= 30
	}
	switch {
	case strings.HasPrefix(loc, "["):
		if !strings.HasSuffix(loc, "]") {
			return arg, errors.New("unbalanced bracket")
		}
		base, off, hasOff := strings.Cut(loc[1:len(loc)-1], ",")
		arg.Kind, arg.Reg = USDTArgMem, strings.TrimSpace(base)
		if !isReg(arg.Reg) {
			return arg, fmt.Errorf("unknown register %s", arg.Reg)
		}
		if hasOff {
			v, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(off), "#"), 0, 64)
			if err != nil {
				return arg, errors.New("bad offset")
			}
			arg.Const = v
		}
	case isReg(loc):
		arg.Kind, arg.Reg = USDTArgReg, loc
	default:
		v, err := strconv.ParseInt(strings.TrimPrefix(loc, "#"), 0, 64)
		if err != nil {
			return arg, fmt.Errorf("unknown operand %s", loc)
		}
		arg.Kind, arg.Const = USDTArgConst, v
	}
	return arg, nil
}

// PtRegsOffset returns the offset in struct pt_regs (x86-64) of the
// 64-bit register holding reg, whatever width reg names ("edi", "di",
// "dil", "r8d", "rdi").
func PtRegsOffset(reg string) (int, bool) {
	r := reg
	switch {
	case len(r) == 3 && r[0] == 'e': // eax, edi, esp, ...
		r = "r" + r[1:]
	case len(r) == 2 && (r[1] == 'x' || r == "si" || r == "di" || r == "bp" || r == "sp"): // ax, si
		r = "r" + r
	case len(r) == 2 && r[1] == 'l': // al, bl, cl, dl
		r = "r" + r[:1] + "x"
	case len(r) == 3 && r[2] == 'l' && (r[:2] == "si" || r[:2] == "di" || r[:2] == "bp" || r[:2] == "sp"): // sil, dil
		r = "r" + r[:2]
	case strings.HasPrefix(r, "r") && len(r) > 2 && (strings.HasSuffix(r, "d") || strings.HasSuffix(r, "w") || strings.HasSuffix(r, "b")):
		if _, err := strconv.Atoi(r[1 : len(r)-1]); err == nil { // r8d, r10w, r12b
			r = r[:len(r)-1]
		}
	}
	off := types.RegsAMD64.Offset(r)
	return off, off >= 0
}

// usdtSites reads the .note.stapsdt notes of an ELF file (reading only
// its headers and that section).
func usdtSites(r io.ReaderAt) ([]USDTSite, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sec := f.Section(".note.stapsdt")
	if sec == nil {
		return nil, nil
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	var baseAddr uint64
	if bs := f.Section(".stapsdt.base"); bs != nil {
		baseAddr = bs.Addr
	}
	bo := f.ByteOrder
	var sites []USDTSite
	align4 := func(n int) int { return (n + 3) &^ 3 }
	for len(data) >= 12 {
		namesz := int(bo.Uint32(data[0:]))
		descsz := int(bo.Uint32(data[4:]))
		typ := bo.Uint32(data[8:])
		p := 12
		if p+align4(namesz)+descsz > len(data) {
			return nil, errors.New("truncated .note.stapsdt")
		}
		name := string(bytes.TrimRight(data[p:p+namesz], "\x00"))
		p += align4(namesz)
		desc := data[p : p+descsz]
		data = data[min(len(data), p+align4(descsz)):]
		if name != "stapsdt" || typ != 3 || len(desc) < 24 {
			continue
		}
		pc, base, sem := bo.Uint64(desc[0:]), bo.Uint64(desc[8:]), bo.Uint64(desc[16:])
		strs := strings.Split(string(desc[24:]), "\x00")
		if len(strs) < 3 {
			continue
		}
		if baseAddr != 0 && base != 0 {
			// prelinked files moved: the note holds link-time addresses
			pc += baseAddr - base
			if sem != 0 {
				sem += baseAddr - base
			}
		}
		s := USDTSite{Provider: strs[0], Name: strs[1], Addr: pc, ArgsText: strs[2]}
		if s.Args, err = parseUSDTArgs(strs[2], f.Machine); err != nil {
			return nil, fmt.Errorf("%s:%s: %v", s.Provider, s.Name, err)
		}
		if s.Offset, err = vaddrOffset(f, pc, true); err != nil {
			return nil, fmt.Errorf("%s:%s: %v", s.Provider, s.Name, err)
		}
		if sem != 0 {
			if s.Semaphore, err = vaddrOffset(f, sem, false); err != nil {
				return nil, fmt.Errorf("%s:%s semaphore: %v", s.Provider, s.Name, err)
			}
		}
		sites = append(sites, s)
	}
	return sites, nil
}

// vaddrOffset converts a virtual address to a file offset through the
// loadable segments (exec: only executable ones).
func vaddrOffset(f *elf.File, addr uint64, exec bool) (uint64, error) {
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || (exec && p.Flags&elf.PF_X == 0) {
			continue
		}
		if addr >= p.Vaddr && addr < p.Vaddr+p.Memsz {
			return addr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("address 0x%x is not in a loadable segment", addr)
}

// usdtInfo is what a USDT context attaches to, kept with its spec.
type usdtInfo struct {
	Path  string // where gotrace opens the binary (with -p, through the process's root)
	Sites []USDTSite
}

// usdtOf is what the Env kept of the USDT probe of ctx, or nil.
func usdtOf(ctx *types.Context) *usdtInfo {
	if a := attachPointOf(ctx); a != nil {
		return a.usdt
	}
	return nil
}

// usdtSitesIn reads the USDT notes of the file the view knows as path.
func (v fileView) usdtSitesIn(path string) ([]USDTSite, error) {
	f, err := v.open(path)
	if err != nil {
		return nil, specErrorf("cannot read %s%s: %v", path, v.where(), unwrapPath(err))
	}
	defer f.Close()
	sites, err := usdtSites(f)
	if err != nil {
		return nil, specErrorf("cannot read the USDT notes of %s: %v", path, err)
	}
	return sites, nil
}

// USDTArgs returns the arguments of a USDT probe's context, for the code
// generator's argN; ok is false for contexts that are not USDT probes.
// All sites of one probe have the same arguments in the common case; the
// first site's are returned.
func USDTArgs(ctx *types.Context) (args []USDTArg, ok bool) {
	info := usdtOf(ctx)
	if info == nil || len(info.Sites) == 0 {
		return nil, false
	}
	return info.Sites[0].Args, true
}

func (e *env) usdtContexts(s Spec) ([]*types.Context, error) {
	if !e.t.Has(FeatureUprobe) {
		return nil, specErrorf("this kernel has no uprobes (CONFIG_UPROBE_EVENTS), which USDT probes need")
	}
	if s.Target == "" && e.pid <= 0 {
		return nil, specErrorf("usdt probe must specify at least path or pid to probe. To target all paths/pids set the path to '*'.")
	}
	return e.overBinaries(s, e.usdtContextsIn)
}

// usdtContextsIn expands a USDT attach point of one binary.
func (e *env) usdtContextsIn(s Spec) ([]*types.Context, error) {
	v := e.view()
	path, err := resolveBinary(v, s.Target)
	if err != nil {
		return nil, err
	}
	sites, err := v.usdtSitesIn(path)
	if err != nil {
		return nil, err
	}
	type key struct{ prov, name string }
	groups := map[key][]USDTSite{}
	for _, site := range sites {
		if (s.Ns == "" || Match(s.Ns, site.Provider)) && Match(s.Func, site.Name) {
			k := key{site.Provider, site.Name}
			groups[k] = append(groups[k], site)
		}
	}
	if len(groups) == 0 {
		what := s.Func
		if s.Ns != "" {
			what = s.Ns + ":" + s.Func
		}
		return nil, &SpecError{
			Msg:  "no USDT probe " + what + " in " + path,
			Hint: "list its probes with: gotrace -l 'usdt:" + path + ":*'",
		}
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].prov != keys[j].prov {
			return keys[i].prov < keys[j].prov
		}
		return keys[i].name < keys[j].name
	})
	if s.Ns == "" && !HasWildcard(s.Func) && len(keys) > 1 {
		return nil, &SpecError{
			Msg:  fmt.Sprintf("USDT probe %s is in more than one provider of %s (%s and %s)", s.Func, path, keys[0].prov, keys[1].prov),
			Hint: "name the provider: usdt:" + path + ":" + keys[0].prov + ":" + s.Func,
		}
	}
	var ctxs []*types.Context
	for _, k := range keys {
		sp := s
		sp.Target, sp.Ns, sp.Func = path, k.prov, k.name
		c := e.context(sp, &types.Context{Provider: "usdt", Name: sp.Name(), Kind: types.ProgKprobe})
		if sites := groups[k]; len(sites) > 0 {
			locs, err := argLocs(sites[0].Args, c.Regs)
			if err != nil {
				return nil, specErrorf("USDT probe %s: %v", sp.Name(), err)
			}
			c.USDTArgs = locs
		}
		attachPointOf(c).usdt = &usdtInfo{Path: v.hostPath(path), Sites: groups[k]}
		c.SkipSelf = mappedBySelf(v.hostPath(path))
		ctxs = append(ctxs, c)
	}
	return ctxs, nil
}

// argLocs converts a site's arguments for the code generator, with the
// registers where regs, the architecture's struct pt_regs, has them.
func argLocs(args []USDTArg, regs *types.RegLayout) ([]types.ArgLoc, error) {
	var out []types.ArgLoc
	reg := func(name string) (int, error) {
		if name == "" {
			return -1, nil
		}
		var off int
		ok := false
		switch {
		case regs == nil:
			return 0, fmt.Errorf("gotrace has no register layout for %s", runtime.GOARCH)
		case regs.Arch == "amd64":
			off, ok = PtRegsOffset(name)
		case regs.Arch == "arm64" && (strings.HasPrefix(name, "x") || strings.HasPrefix(name, "w") || name == "sp"):
			// w2 is the low half of x2; pt_regs is little-endian, so
			// the argument's size reads the half.
			off = regs.Offset("x" + name[1:])
			if name == "sp" {
				off = regs.Offset(name)
			}
			ok = off >= 0
		}
		if !ok {
			return 0, fmt.Errorf("unknown register %%%s", name)
		}
		return off, nil
	}
	for i, a := range args {
		l := types.ArgLoc{Size: a.Size, Signed: a.Signed, Reg: -1, Index: -1, Scale: a.Scale, Disp: a.Const}
		var err error
		switch a.Kind {
		case USDTArgConst:
			// the constant as the argument's size and sign make it
			// (4@$-202182160 is the unsigned 4092785136)
			l.Const = true
			if a.Size > 0 && a.Size < 8 {
				sh := uint(64 - 8*a.Size)
				if a.Signed {
					l.Disp = l.Disp << sh >> sh
				} else {
					l.Disp = int64(uint64(l.Disp) << sh >> sh)
				}
			}
		case USDTArgReg:
			l.Reg, err = reg(a.Reg)
		case USDTArgMem:
			if a.Sym != "" {
				return nil, fmt.Errorf("argument %d is at %s(%%rip), which gotrace cannot read yet", i, a.Sym)
			}
			l.Mem = true
			if l.Reg, err = reg(a.Reg); err == nil {
				l.Index, err = reg(a.Index)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("argument %d: %v", i, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// multiCloser closes several links.
type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

func attachUSDT(ctx *types.Context, s Spec, name string, prog *ebpf.Program, pid int) (io.Closer, error) {
	info := usdtOf(ctx)
	if info == nil {
		sites, err := fileView{t: host}.usdtSitesIn(s.Target)
		if err != nil {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
		info = &usdtInfo{Path: s.Target}
		for _, site := range sites {
			if site.Provider == s.Ns && site.Name == s.Func {
				info.Sites = append(info.Sites, site)
			}
		}
	}
	if len(info.Sites) == 0 {
		return nil, fmt.Errorf("cannot attach probe %s: no such USDT probe in %s", name, s.Target)
	}
	ex, err := link.OpenExecutable(info.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	var links multiCloser
	for _, site := range info.Sites {
		l, err := ex.Uprobe(s.Ns+":"+s.Func, prog, &link.UprobeOptions{Address: site.Offset, RefCtrOffset: site.Semaphore, PID: pid})
		if err != nil {
			links.Close()
			return nil, fmt.Errorf("cannot attach probe %s at 0x%x: %v", name, site.Addr, err)
		}
		links = append(links, l)
	}
	return links, nil
}

// listUSDT lists "usdt:PATH:PROVIDER:NAME" for the probes of one binary.
func listUSDT(t Target, rest string) ([]string, error) {
	parts := strings.Split(rest, ":")
	target := parts[0]
	ns, fn := "*", "*"
	switch len(parts) {
	case 2:
		fn = orStar(parts[1])
	case 3:
		ns, fn = orStar(parts[1]), orStar(parts[2])
	}
	if target == "" || HasWildcard(target) {
		return nil, specErrorf("listing usdt probes needs a binary: gotrace -l 'usdt:/path/to/binary:*'")
	}
	v := viewOf(t)
	path, err := resolveBinary(v, target)
	if err != nil {
		return nil, err
	}
	sites, err := v.usdtSitesIn(path)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range sites {
		line := "usdt:" + path + ":" + s.Provider + ":" + s.Name
		if Match(ns, s.Provider) && Match(fn, s.Name) && !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	sort.Strings(out)
	return out, nil
}

// usdtProvider is the usdt provider: the statically defined probes of
// a binary's .note.stapsdt notes, argN where each note says.
type usdtProvider struct{}

func (usdtProvider) parse(s *Spec, args []string) error {
	n := len(args)
	switch n {
	case 2:
		s.Target, s.Func = args[0], args[1]
	case 3:
		s.Target, s.Ns, s.Func = args[0], args[1], args[2]
	default:
		return countError(s.Provider, n, 2, 3)
	}
	return nil
}

func (usdtProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.usdtContexts(s)
}

func (usdtProvider) facts(c *types.Context) {
	c.InProcess = true
	c.Mem = types.UserMem
	c.ArgN = types.ArgUSDT
}

func (usdtProvider) attach(a attachment) (io.Closer, error) {
	return attachUSDT(a.ctx, a.spec, a.name, a.prog, a.pid)
}

func (usdtProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return listUSDT(t, rest)
}
