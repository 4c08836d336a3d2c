package probes

import (
	"debug/dwarf"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/symbolize"
)

// The debug information (DWARF) of the binary a uprobe names gives it
// what the kernel's BTF gives fentry: the function's parameters by name
// and type, so that `args.n` reads the parameter n; the binary's own
// structs for casts (`(struct Foo *)arg0`); the parameters `-lv` lists;
// and source locations as attach points (`uprobe:bin@file.c:LINE`).
//
// A uprobe fires at the function's first instruction, where the
// parameters are still in the registers of the calling convention
// (x86-64: rdi, rsi, rdx, rcx, r8, r9; arm64: x0 to x7). So `args` is
// laid out over the probe's context, struct pt_regs (the layout of the
// architecture, types.RegLayout): each parameter is a field at the
// offset of its register, and `args.n` is a read of that slot (the low
// bytes of it for a narrower type, both being little-endian).
// Parameters that do not fit a register (structs passed by value,
// 128-bit integers) or come after the last argument register are left
// out of args; on arm64 a struct larger than 16 bytes is passed by
// reference, in one register. A binary of another architecture than the
// probes' gets no args.
//
// The DWARF is read only for a probe block that reads args, and for a
// cast that names a struct: a library's separate debug file (libc's is
// 15 MB of DWARF) takes most of a second to read.

// debugInfo is the DWARF of one binary, indexed: its functions by name,
// and on first use its structs and unions.
type debugInfo struct {
	d     *symbolize.DWARF
	funcs map[string]dwarfFunc
	conv  *dwarfTypes

	structsOnce sync.Once
	structs     map[string]dwarfFunc // by C name: "struct Foo"

	inline inlineIndex // see uprobe_inline.go
}

// dwarfFunc is an entry (a function's, a type's) in the Data that holds
// it.
type dwarfFunc struct {
	data *dwarf.Data
	off  dwarf.Offset
}

// dwarfParam is a parameter of a function: its name and type.
type dwarfParam struct {
	name string
	typ  dwarf.Type
}

var debugInfos sync.Map // host path of a binary -> *debugInfo (nil: none)

// debugInfo reads (once per file) the binary's DWARF; nil without any.
func (b *elfBinary) debugInfo() *debugInfo {
	key := b.open
	if v, ok := debugInfos.Load(key); ok {
		di, _ := v.(*debugInfo)
		return di
	}
	openers := []symbolize.Opener{b.view.open}
	if b.view.pid > 0 {
		openers = append(openers, symbolize.HostOpener)
	}
	abs := b.path
	if !filepath.IsAbs(abs) && b.view.pid <= 0 {
		abs, _ = filepath.Abs(abs)
	}
	d, err := symbolize.ReadDWARF(b.elf, abs, symbolize.Debug{Openers: openers})
	var di *debugInfo
	if err == nil {
		di = &debugInfo{d: d, funcs: map[string]dwarfFunc{}, conv: &dwarfTypes{memo: map[dwarf.Type]*types.Type{}}}
		for _, data := range d.All() {
			r := data.Reader()
			for {
				e, err := r.Next()
				if err != nil || e == nil {
					break
				}
				if e.Tag == dwarf.TagSubprogram {
					if n, ok := e.Val(dwarf.AttrName).(string); ok && e.Val(dwarf.AttrDeclaration) == nil {
						if _, dup := di.funcs[n]; !dup {
							di.funcs[n] = dwarfFunc{data: data, off: e.Offset}
						}
					}
				}
				if e.Tag != dwarf.TagCompileUnit && e.Children {
					r.SkipChildren()
				}
			}
		}
	}
	debugInfos.Store(key, di)
	return di
}

// params lists the parameters of function fn; ok is false when the
// DWARF has no such function.
func (di *debugInfo) params(fn string) ([]dwarfParam, bool) {
	f, ok := di.funcs[fn]
	if !ok {
		return nil, false
	}
	r := f.data.Reader()
	r.Seek(f.off)
	e, err := r.Next()
	if err != nil || e == nil || !e.Children {
		return nil, true
	}
	var out []dwarfParam
	for {
		c, err := r.Next()
		if err != nil || c == nil || c.Tag == 0 {
			break
		}
		if c.Tag == dwarf.TagFormalParameter {
			name, _ := c.Val(dwarf.AttrName).(string)
			var t dwarf.Type
			if off, ok := c.Val(dwarf.AttrType).(dwarf.Offset); ok {
				t, _ = f.data.Type(off)
			}
			if t != nil {
				out = append(out, dwarfParam{name: name, typ: t})
			}
		}
		if c.Children {
			r.SkipChildren()
		}
	}
	return out, true
}

// argsType lays the parameters of fn out over struct pt_regs (see the
// top of this file); nil when the DWARF does not know fn or it has no
// parameter that fits.
func (di *debugInfo) argsType(fn string, layout *types.RegLayout) *types.Type {
	ps, ok := di.params(fn)
	if !ok {
		return nil
	}
	st := &types.Type{Kind: types.Struct, Name: "struct _uprobe_" + fn}
	reg := 0
	for _, p := range ps {
		size := p.typ.Size()
		regs := int((size + 7) / 8)
		if layout == types.RegsARM64 && size > 16 {
			regs = 1 // its address
		}
		t := di.conv.convert(p.typ)
		if reg+regs > len(layout.Args) {
			break
		}
		if regs == 1 && size <= 8 && p.name != "" && t.InRegister() {
			off := int(layout.Args[reg])
			st.Fields = append(st.Fields, types.Field{Name: p.name, Offset: off, Type: t})
			st.Size = max(st.Size, off+8)
		}
		reg += max(regs, 1)
	}
	if len(st.Fields) == 0 {
		return nil
	}
	return st
}

// struct_ finds a struct or union of the binary by its C name ("struct
// Foo", "Foo", "union U"): the first complete one of that name.
func (di *debugInfo) struct_(name string) *types.Type {
	key := name
	if !strings.HasPrefix(key, "union ") && !strings.HasPrefix(key, "struct ") {
		key = "struct " + key
	}
	di.structsOnce.Do(di.indexStructs)
	at, ok := di.structs[key]
	if !ok {
		return nil
	}
	t, err := at.data.Type(at.off)
	if err != nil {
		return nil
	}
	return di.conv.convert(t)
}

// indexStructs indexes the binary's complete structs and unions by
// their C names.
func (di *debugInfo) indexStructs() {
	di.structs = map[string]dwarfFunc{}
	for _, data := range di.d.All() {
		r := data.Reader()
		for {
			e, err := r.Next()
			if err != nil || e == nil {
				break
			}
			kind := ""
			switch e.Tag {
			case dwarf.TagStructType:
				kind = "struct "
			case dwarf.TagUnionType:
				kind = "union "
			}
			if n, _ := e.Val(dwarf.AttrName).(string); kind != "" && n != "" && e.Val(dwarf.AttrDeclaration) == nil {
				if _, dup := di.structs[kind+n]; !dup {
					di.structs[kind+n] = dwarfFunc{data: data, off: e.Offset}
				}
			}
			if e.Tag != dwarf.TagCompileUnit && e.Children {
				r.SkipChildren()
			}
		}
	}
}

// lineAddrs finds the addresses of source line LINE of file (a base
// name or a path's tail): the first instruction of the line in each
// sequence of the line tables, lowest first.
func (di *debugInfo) lineAddrs(file string, line int) []uint64 {
	var out []uint64
	seen := map[uint64]bool{}
	r := di.d.Main.Reader()
	for {
		cu, err := r.Next()
		if err != nil || cu == nil {
			break
		}
		if cu.Children {
			r.SkipChildren()
		}
		lr, err := di.d.Main.LineReader(cu)
		if err != nil || lr == nil {
			continue
		}
		var e dwarf.LineEntry
		prevLine := 0
		for lr.Next(&e) == nil {
			if e.EndSequence {
				prevLine = 0
				continue
			}
			if e.Line == line && e.IsStmt && e.File != nil && fileMatches(e.File.Name, file) && prevLine != line && !seen[e.Address] {
				seen[e.Address] = true
				out = append(out, e.Address)
			}
			prevLine = e.Line
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	if len(out) > 1 {
		out = out[:1]
	}
	return out
}

// fileMatches reports whether the line table's file name is the file
// an attach point names: the same path, or a tail of it.
func fileMatches(have, want string) bool {
	have, want = path.Clean(have), path.Clean(want)
	return have == want || strings.HasSuffix(have, "/"+want)
}

// listArgs spells the parameters of fn for -lv, as C declares them
// ("int argc", "char** argv", "struct Foo* foo1").
func (di *debugInfo) listArgs(fn string) []string {
	ps, _ := di.params(fn)
	var out []string
	for _, p := range ps {
		out = append(out, "    "+dwarfDecl(p.typ)+" "+p.name)
	}
	return out
}

// dwarfDecl spells a DWARF type for -lv.
func dwarfDecl(t dwarf.Type) string {
	switch t := t.(type) {
	case *dwarf.PtrType:
		if t.Type == nil {
			return "void*"
		}
		return dwarfDecl(t.Type) + "*"
	case *dwarf.QualType:
		if _, ok := t.Type.(*dwarf.PtrType); ok {
			return dwarfDecl(t.Type) + " " + t.Qual
		}
		return t.Qual + " " + dwarfDecl(t.Type)
	case *dwarf.TypedefType:
		return t.Name
	case *dwarf.StructType:
		if t.StructName == "" {
			return t.Kind
		}
		return t.Kind + " " + t.StructName
	case *dwarf.EnumType:
		return "enum " + t.EnumName
	case *dwarf.ArrayType:
		return dwarfDecl(t.Type) + "[" + strconv.FormatInt(t.Count, 10) + "]"
	case *dwarf.FuncType:
		return "void (*)()"
	case *dwarf.VoidType:
		return "void"
	case nil:
		return "void"
	}
	return t.String()
}

// dwarfTypes converts DWARF types to gotrace types, memoized per type
// (debug/dwarf gives one value per type entry, so cycles end in shared
// values).
type dwarfTypes struct {
	mu   sync.Mutex
	memo map[dwarf.Type]*types.Type
}

func (c *dwarfTypes) convert(t dwarf.Type) *types.Type {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conv(t)
}

func (c *dwarfTypes) conv(t dwarf.Type) *types.Type {
	if got, ok := c.memo[t]; ok {
		return got
	}
	var r *types.Type
	switch t := t.(type) {
	case *dwarf.CharType:
		r = charType
	case *dwarf.UcharType:
		r = types.IntType(1, false)
	case *dwarf.IntType:
		r = intOfSize(t.Size(), true)
	case *dwarf.UintType:
		r = intOfSize(t.Size(), false)
	case *dwarf.BoolType:
		r = types.IntType(int(t.Size()), false)
	case *dwarf.FloatType, *dwarf.ComplexType:
		r = intOfSize(t.Size(), false)
	case *dwarf.EnumType:
		r = &types.Type{Kind: types.Int, Size: int(t.Size()), Signed: true, Name: "enum " + t.EnumName, Enum: map[int64]string{}}
		for _, v := range t.Val {
			if _, dup := r.Enum[v.Val]; !dup {
				r.Enum[v.Val] = v.Name
			}
		}
	case *dwarf.TypedefType:
		r = c.conv(t.Type)
	case *dwarf.QualType:
		r = c.conv(t.Type)
	case *dwarf.PtrType:
		r = &types.Type{Kind: types.Ptr, Size: 8, User: true}
		c.memo[t] = r
		if _, fn := t.Type.(*dwarf.FuncType); t.Type == nil || fn {
			r.Elem = types.VoidType
		} else if _, void := t.Type.(*dwarf.VoidType); void {
			r.Elem = types.VoidType
		} else {
			r.Elem = c.conv(t.Type)
		}
		return r
	case *dwarf.ArrayType:
		n := t.Count
		if n < 0 {
			n = 0
		}
		r = types.ArrayOf(c.conv(t.Type), int(n))
	case *dwarf.StructType:
		name := t.Kind + " " + t.StructName
		if t.StructName == "" {
			name = t.Kind + " (anonymous)"
		}
		r = &types.Type{Kind: types.Struct, Name: name, Size: int(max(t.ByteSize, 0))}
		c.memo[t] = r
		r.Fields = c.fields(t.Field, 0)
		return r
	default:
		r = types.VoidType
	}
	c.memo[t] = r
	return r
}

// fields converts a struct's members; bitfields are left out, and the
// members of anonymous inner structs and unions are lifted into it.
func (c *dwarfTypes) fields(fs []*dwarf.StructField, base int) []types.Field {
	var out []types.Field
	for _, f := range fs {
		if f.BitSize != 0 {
			continue
		}
		off := base + int(f.ByteOffset)
		if f.Name == "" {
			if in, ok := f.Type.(*dwarf.StructType); ok {
				out = append(out, c.fields(in.Field, off)...)
			}
			continue
		}
		out = append(out, types.Field{Name: f.Name, Offset: off, Type: c.conv(f.Type)})
	}
	return out
}

// intOfSize is the integer type of a DWARF base type's size; 16-byte
// integers are two 64-bit words, as from BTF.
func intOfSize(size int64, signed bool) *types.Type {
	if size == 16 {
		return types.ArrayOf(types.Uint64, 2)
	}
	if size != 1 && size != 2 && size != 4 && size != 8 {
		return types.ArrayOf(types.IntType(1, false), int(max(size, 0)))
	}
	return types.IntType(int(size), signed)
}

// sourceLineContexts expands uprobe:BIN@FILE:LINE: the probe goes
// where the line table says the line's code starts.
func (e *env) sourceLineContexts(bin *elfBinary, di *debugInfo, sp Spec, file string, mk func(Spec, uint64) (*types.Context, error)) ([]*types.Context, error) {
	line := int(sp.Address)
	if sp.Func != "" || sp.Offset != 0 {
		n, err := strconv.Atoi(sp.Func)
		if err != nil || sp.Offset != 0 {
			return nil, specErrorf("a source location needs a line number: %s@%s:LINE", bin.path, file)
		}
		line = n
	}
	if di == nil {
		return nil, specErrorf("%s has no debug information (DWARF) to find %s:%d in", bin.path, file, line)
	}
	addrs := di.lineAddrs(file, line)
	if len(addrs) == 0 {
		e := missingf("no code at %s:%d in %s", file, line, bin.path)
		e.Hint = "the line must hold a statement the compiler kept"
		return nil, e
	}
	sp.Address, sp.Func = addrs[0], ""
	c, err := mk(sp, addrs[0])
	if err != nil {
		return nil, err
	}
	return []*types.Context{c}, nil
}

// userDebug is a binary a uprobe names, whose DWARF casts may read.
type userDebug struct {
	view fileView
	path string
}

// noteBinary remembers a binary a uprobe names: casts may name its
// structs (its DWARF is read when one does).
func (e *env) noteBinary(v fileView, path string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := userDebug{view: v, path: path}
	for _, d := range e.userDebug {
		if d.path == path && d.view.pid == v.pid {
			return
		}
	}
	e.userDebug = append(e.userDebug, u)
}

// userStruct finds a struct or union in the DWARF of the binaries the
// script's uprobes name.
func (e *env) userStruct(name string) *types.Type {
	e.mu.Lock()
	us := append([]userDebug(nil), e.userDebug...)
	e.mu.Unlock()
	for _, u := range us {
		bin, err := u.view.openBinary(u.path)
		if err != nil {
			continue
		}
		di := bin.debugInfo()
		bin.Close()
		if di == nil {
			continue
		}
		if t := di.struct_(name); t != nil {
			return t
		}
	}
	return nil
}

// blockReads is what a probe block reads that changes how its uprobe
// attach points expand: args (the DWARF of each function is read for
// it), argN (which inlined copies do not have) and probe (whose value
// differs per function, so a wildcard gets a program per function
// rather than one uprobe-multi program).
type blockReads struct{ args, argN, probe bool }

// readsAll is what an attach point outside a known block may need.
var readsAll = blockReads{args: true, argN: true, probe: true}

// readsArgs reports whether a probe block reads args, argN and probe
// (macros are expanded by then; functions have no probe context).
func readsArgs(p *lang.Probe) blockReads {
	var r blockReads
	blockHas(p, func(n lang.Node) bool {
		if id, ok := n.(*lang.Ident); ok {
			r.args = r.args || id.Name == "args"
			r.argN = r.argN || isArgN(id.Name)
		}
		return false
	})
	r.probe = usesProbeBuiltin(p)
	return r
}

// isArgN reports whether name is one of arg0, arg1, ...
func isArgN(name string) bool {
	n, ok := strings.CutPrefix(name, "arg")
	if !ok || n == "" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}
