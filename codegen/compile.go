package codegen

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

const (
	maxStack      = 512
	stackDataMax  = 256 // stack bytes for data; the rest is left for spills
	stackValueMax = 64  // larger values go to scratch memory
	defaultKeys   = 4096
	// scratchKeySlot is the stack slot at the top of each frame that holds
	// the key of the scratch map lookup.
	scratchKeySlot = 8
	// maxInsns bounds a program: jump offsets are 16 bits.
	maxInsns    = 32767
	ringbufSize = 1 << 20
)

// compiler holds what is shared by all programs of a script.
type compiler struct {
	info    *types.Info
	tgt     Target
	prog    *Program
	maps    map[string]*MapMeta
	scratch int // the largest scratch area any program needs
	// cmaps are the spec names of the maps imported C defines.
	cmaps map[*types.CMap]string
}

// Compile translates a checked script into BPF programs and maps.
func Compile(f *lang.File, info *types.Info, tgt Target) (*Program, error) {
	if tgt.NumCPU <= 0 {
		tgt.NumCPU = 1
	}
	c := &compiler{
		info: info,
		tgt:  tgt,
		prog: &Program{Spec: &ebpf.CollectionSpec{
			Maps:     map[string]*ebpf.MapSpec{},
			Programs: map[string]*ebpf.ProgramSpec{},
		}, File: f, Settings: info.Settings},
		maps: map[string]*MapMeta{},
	}
	for i, name := range info.MapNames() {
		c.addMap(i, info.Maps[name])
	}
	c.addCGlobals()
	c.addCMaps()
	var errs lang.ErrorList
	for _, pi := range info.Probes {
		for _, ctx := range pi.Contexts {
			if err := c.compileProbe(pi.Probe, ctx); err != nil {
				if le, ok := err.(*lang.Error); ok {
					errs = append(errs, le)
					continue
				}
				return nil, err
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	spec := c.prog.Spec
	spec.Maps[EventsMap] = &ebpf.MapSpec{Name: EventsMap, Type: ebpf.RingBuf, MaxEntries: ringbufSize}
	spec.Maps[GlobalsMap] = &ebpf.MapSpec{Name: GlobalsMap, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(GlobalsSize + 8*len(c.prog.Maps)), MaxEntries: 1}
	if c.scratch > 0 {
		spec.Maps[ScratchMap] = &ebpf.MapSpec{Name: ScratchMap, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: uint32(c.scratch), MaxEntries: 1}
	}
	if c.tgt.Self > 0 {
		spec.Maps[HeldMap] = &ebpf.MapSpec{Name: HeldMap, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	}
	if len(c.prog.SkbOutputs) > 0 {
		// MaxEntries 0: one ring per possible CPU
		spec.Maps[SkbMap] = &ebpf.MapSpec{Name: SkbMap, Type: ebpf.PerfEventArray}
	}
	c.prog.ScratchSize = c.scratch
	return c.prog, nil
}

var nameChars = regexp.MustCompile(`[^A-Za-z0-9_]`)

// kernelName makes a name the kernel accepts for a map or program
// (at most 15 characters of [A-Za-z0-9_]), unique by its prefix.
func kernelName(prefix string, i int, name string) string {
	n := fmt.Sprintf("%s%d_%s", prefix, i, nameChars.ReplaceAllString(name, "_"))
	if len(n) > 15 {
		n = n[:15]
	}
	return n
}

func (c *compiler) addMap(i int, mi *types.MapInfo) {
	m := &MapMeta{Name: mi.Name, Keys: mi.Keys, Key: mi.Key, Value: mi.Value}
	m.SpecName = kernelName("m", i, strings.TrimPrefix(mi.Name, "@"))
	m.KeySize = 8
	if mi.Key != nil {
		m.KeySize = slotSize(mi.Key)
	}
	m.ValSize = slotSize(mi.Value)
	if mi.Value.Kind == types.Agg && (mi.Value.AggFn == "hist" || mi.Value.AggFn == "lhist" || mi.Value.AggFn == "tseries") {
		m.Bucketed = true
		m.BucketOff = (m.KeySize + 7) &^ 7
		m.KeySize = m.BucketOff + 8
	}
	// Aggregations are always per-CPU; a declaration (let @m = lruhash(N))
	// chooses LRU eviction and the size.
	lru := false
	entries := c.info.Settings.MaxMapKeys
	if d := c.info.Decls[mi.Name]; d != nil {
		lru = strings.Contains(d.Kind, "lru")
		entries = d.MaxEntries
	}
	if entries <= 0 {
		entries = defaultKeys
	}
	typ := ebpf.Hash
	switch {
	case mi.Value.Kind == types.Agg && lru:
		m.PerCPU, typ = true, ebpf.LRUCPUHash
	case mi.Value.Kind == types.Agg:
		m.PerCPU, typ = true, ebpf.PerCPUHash
	case lru:
		typ = ebpf.LRUHash
	}
	c.prog.Spec.Maps[m.SpecName] = &ebpf.MapSpec{
		Name: m.SpecName, Type: typ, KeySize: uint32(m.KeySize), ValueSize: uint32(m.ValSize), MaxEntries: uint32(entries),
	}
	m.FullOff = GlobalsSize + 8*i
	c.maps[mi.Name] = m
	c.prog.Maps = append(c.prog.Maps, m)
}

// slotSize is the number of bytes a value of type t takes in a map or a
// record: integers always take 8.
func slotSize(t *types.Type) int {
	if t.InRegister() {
		return 8
	}
	return t.Size
}

// mem is an address: base register plus a constant offset. For the stack
// the base is fpReg and off is negative.
type mem struct {
	base vreg
	off  int32
	ctx  bool // the base is the context pointer: read it with probe_read
}

// val is a computed value: a scalar in a register, or memory.
type val struct {
	t *types.Type
	r vreg
	m *mem
}

// fn compiles one program.
type fn struct {
	c    *compiler
	ctx  *types.Context
	code []*inst
	// prologue: a callback's argument moves (opArg), which must come
	// before anything else clobbers the argument registers.
	prologue []*inst
	nregs    int
	frame    int
	scratch  int
	// joinRec is the scratch record every join() of the program shares.
	joinRec *mem
	// addressed are the variables whose address is taken (&$x): they
	// live in memory, not in registers.
	addressed map[string]bool
	scrReg    vreg
	ctxReg    vreg
	vars      map[string]val
	labels    int
	pos       lang.Pos
	noSpill   map[vreg]bool
	loops     []loopLabels
	// leaveFlag, in a loop callback, is the scratch slot that tells the
	// caller the probe ends (return, exit()) rather than the loop.
	leaveFlag *mem
	// root is the program's main function; callbacks of for-over-map
	// loops (at any depth) are collected there.
	root       *fn
	callbacks  []callback
	ncallbacks int
}

// loopLabels are where break and continue go in the innermost loop.
type loopLabels struct{ next, end string }

func (f *fn) loop(next, end string, body *lang.Block) {
	f.loops = append(f.loops, loopLabels{next, end})
	f.block(body)
	f.loops = f.loops[:len(f.loops)-1]
}

// forRange compiles for ($i : lo..hi) { body }: $i runs from lo up to hi-1.
func (c *compiler) compileProbe(p *lang.Probe, ctx *types.Context) error {
	f := &fn{c: c, ctx: ctx, nregs: 2, vars: map[string]val{}, noSpill: map[vreg]bool{}, frame: scratchKeySlot, addressed: addressedVars(p.Body)}
	f.root = f
	f.pos = p.At
	f.ctxReg = f.newReg()
	f.scrReg = f.newReg()
	exit := f.label()
	err := f.catch(func() {
		if self := c.tgt.Self; self > 0 && selfFiltered[ctx.Provider] {
			tgid := f.aluImm(asm.RSh, f.call(asm.FnGetCurrentPidTgid), 32)
			f.emit(&inst{op: opJcc, a: tgid, cc: asm.JEq, useImm: true, imm: int64(self), label: exit})
			held := f.newReg()
			f.emit(&inst{op: opMapValue, dst: held, ref: HeldMap})
			f.emit(&inst{op: opJcc, a: tgid, b: f.load(mem{base: held}, 8), cc: asm.JEq, label: exit})
		}
		if p.Pred != nil {
			f.branch(p.Pred, exit, false)
		}
		f.block(p.Body)
	})
	if err != nil {
		return err
	}
	f.pos = p.Body.At
	f.mark(exit)
	f.ret(0)
	body := f.code

	f.code = nil
	f.emit(&inst{op: opCtx, dst: f.ctxReg})
	insns, positions, stack, err := f.finish(body, exit, p.At)
	if err != nil {
		return err
	}
	for _, cb := range f.callbacks {
		insns = append(insns, cb.insns...)
		positions = append(positions, cb.positions...)
		stack += cb.stack
	}
	cfuncs, cstack, err := c.compileCFuncs(f, insns)
	if err != nil {
		return err
	}
	for _, cb := range cfuncs {
		insns = append(insns, cb.insns...)
		positions = append(positions, cb.positions...)
	}
	stack += cstack
	if n := len(positions); n > maxInsns {
		return lang.Errorf(p.At, "this probe compiles to %d instructions, more than a BPF program can jump across (%d)", n, maxInsns).
			WithHint("make unroll counts smaller, or use a while or for loop")
	}
	if stack > maxStack {
		return lang.Errorf(p.At, "this probe needs %d bytes of stack, more than the kernel's %d", stack, maxStack)
	}
	idx := len(c.prog.Probes)
	name := kernelName("p", idx, ctx.Provider)
	insns, positions = nameFunc(insns, positions, name, funcInfo(name, 1))
	spec := &ebpf.ProgramSpec{
		Name:         name,
		Type:         progType(ctx.Kind),
		Instructions: insns,
		License:      c.info.Settings.License,
	}
	if ctx.Kind == types.ProgTracing {
		spec.AttachTo = ctx.AttachTo
		spec.AttachType = ebpf.AttachTraceFEntry
		if ctx.Provider == "fexit" {
			spec.AttachType = ebpf.AttachTraceFExit
		}
		if ctx.Provider == "iter" {
			spec.AttachType = ebpf.AttachTraceIter
		}
	}
	if ctx.Kind == types.ProgKprobe && len(ctx.Funcs) > 0 {
		spec.AttachType = ebpf.AttachTraceKprobeMulti
	}
	c.prog.Spec.Programs[name] = spec
	c.prog.Probes = append(c.prog.Probes, &ProbeProg{Prog: name, Ctx: ctx, Probe: p, Positions: positions, StackSize: stack})
	return nil
}

// nameFunc gives a function's first instruction its name and BTF
// function info. A function whose first instruction is a jump target (a
// loop at its very start) gets a first instruction of its own, as an
// instruction has one name.
func nameFunc(insns asm.Instructions, positions []lang.Pos, name string, fi *btf.Func) (asm.Instructions, []lang.Pos) {
	if insns[0].Symbol() != "" {
		// (with the first line's source: the kernel wants line info at
		// every function's start)
		insns = append(asm.Instructions{asm.Mov.Imm(asm.R0, 0).WithSource(insns[0].Source())}, insns...)
		positions = append([]lang.Pos{positions[0]}, positions...)
	}
	insns[0] = btf.WithFuncMetadata(insns[0].WithSymbol(name), fi)
	return insns, positions
}

// funcInfo describes a function of n pointer-sized arguments returning a
// long, for the program's BTF function info.
func funcInfo(name string, n int) *btf.Func {
	long := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	proto := &btf.FuncProto{Return: long}
	for i := 0; i < n; i++ {
		proto.Params = append(proto.Params, btf.FuncParam{Name: fmt.Sprintf("a%d", i), Type: &btf.Pointer{Target: &btf.Void{}}})
	}
	linkage := btf.StaticFunc
	if n == 1 {
		linkage = btf.GlobalFunc
	}
	return &btf.Func{Name: name, Type: proto, Linkage: linkage}
}

// catch runs compile, turning a positioned failure into an error.
func (f *fn) catch(compile func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if le, ok := r.(*lang.Error); ok {
				err = le
				return
			}
			panic(r)
		}
	}()
	compile()
	return nil
}

// finish adds the scratch lookup to the prologue already in f.code, then
// allocates registers and lowers prologue and body. exit is the label the
// prologue jumps to when scratch memory cannot be had.
func (f *fn) finish(body []*inst, exit string, at lang.Pos) (asm.Instructions, []lang.Pos, int, error) {
	if f.scratch > 0 {
		// The key of the scratch lookup: the top slot of every frame is
		// kept for it, as scratch memory is not there yet.
		key := mem{base: fpReg, off: -scratchKeySlot}
		f.emit(&inst{op: opStoreImm, a: fpReg, off: key.off, size: asm.Word, imm: 0})
		mp := f.mapPtr(ScratchMap)
		k := f.addr(key)
		f.emit(&inst{op: opCall, dst: f.scrReg, fn: asm.FnMapLookupElem, args: []vreg{mp, k}})
		f.emit(&inst{op: opJcc, a: f.scrReg, cc: asm.JEq, useImm: true, imm: 0, label: exit})
		if f.scratch > f.c.scratch {
			f.c.scratch = f.scratch
		}
	}
	code := append(f.code, body...)
	if len(code) > maxInsns {
		return nil, nil, 0, lang.Errorf(at, "this probe compiles to more than %d instructions, more than a BPF program can jump across", maxInsns).
			WithHint("make unroll counts smaller, or use a while or for loop")
	}
	code = deadCode(code, f.nregs)
	code, al, err := allocate(code, &f.nregs, f.frame, f.noSpill)
	if err != nil {
		return nil, nil, 0, lang.Errorf(at, "cannot compile this probe: %v", err)
	}
	insns, positions, err := lower(code, al)
	if err != nil {
		return nil, nil, 0, err
	}
	return insns, positions, al.stackSize, nil
}

// callback is a compiled bpf-to-bpf function placed after its program.
type callback struct {
	insns     asm.Instructions
	positions []lang.Pos
	stack     int
}

// forMap compiles for ($kv : @m) { body } with bpf_for_each_map_elem: the
// body becomes a callback function. Variables of the enclosing scope that
// the body uses are handed over in scratch memory (which both frames see)
// and read back after the loop, so the body's changes persist.
func (f *fn) forMap(s *lang.ForStmt) {
	mm := f.mapMeta(s.Map)
	kvT := f.typeOf(s.Var)
	// bpf_for_each_map_elem calls fn(map, key, value, ctx)
	name, reload := f.loopCallback(s, 4, func(cb *fn) {
		keyReg, valReg := cb.newReg(), cb.newReg()
		cb.prologue = append(cb.prologue, &inst{op: opArg, dst: keyReg, imm: 2}, &inst{op: opArg, dst: valReg, imm: 3})
		kv := cb.allocScratch(kvT.Size)
		cb.zero(kv, kvT.Size)
		keyField, valField := kvT.Fields[0], kvT.Fields[1]
		cb.copyMem(kv.plus(keyField.Offset), mem{base: keyReg}, min(mm.KeySize, keyField.Type.Size))
		if mm.PerCPU {
			cb.store(kv.plus(valField.Offset), 8, cb.scalar(cb.aggMerge(mm, mem{base: keyReg}, valField.Type)))
		} else {
			cb.copyMem(kv.plus(valField.Offset), mem{base: valReg}, slotSize(valField.Type))
		}
		cb.vars[s.Var.Key()] = val{t: kvT, m: &kv}
	})
	f.pos = s.At
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: name})
	f.call(asm.FnForEachMapElem, f.mapPtr(mm.SpecName), fp, f.imm(0), f.imm(0))
	reload()
}

// forRange compiles for ($i : lo..hi) as bpf_loop(hi - lo, fn, ctx), as
// bpftrace does: the kernel verifies the body once, whatever the bounds.
func (f *fn) forRange(s *lang.ForStmt) {
	lo := f.scalar(f.expr(s.Lo))
	hi := f.scalar(f.expr(s.Hi))
	f.pos = s.At
	loSlot := f.allocScratch(8)
	f.store(loSlot, 8, lo)
	// bpf_loop calls fn(index, ctx); $i is lo + index
	name, reload := f.loopCallback(s, 2, func(cb *fn) {
		idx := cb.newReg()
		cb.prologue = append(cb.prologue, &inst{op: opArg, dst: idx, imm: 1})
		i := cb.alu(asm.Add, cb.load(mem{base: cb.scrReg, off: loSlot.off}, 8), idx)
		cb.vars[s.Var.Key()] = val{t: types.Int64, r: i}
	})
	f.pos = s.At
	n := f.newReg()
	f.emit(&inst{op: opMovImm, dst: n, imm: 0})
	skip := f.label()
	f.emit(&inst{op: opJcc, a: lo, b: hi, cc: asm.JSGE, label: skip})
	f.emit(&inst{op: opALU, dst: n, a: hi, b: lo, alu: asm.Sub})
	f.mark(skip)
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: name})
	f.call(asm.FnLoop, n, fp, f.imm(0), f.imm(0))
	reload()
}

// loopCallback compiles the body of a for loop as a callback that a loop
// helper calls with nargs arguments; setup gives the callback its loop
// variable from them. The probe's variables the body uses are shared
// through scratch memory: copied there before the helper runs, written
// back by the callback, and read back by reload afterwards. The callback
// returns 0 to go on and 1 to stop (break).
func (f *fn) loopCallback(s *lang.ForStmt, nargs int, setup func(cb *fn)) (string, func()) {
	type shared struct {
		name string
		v    val
		slot mem
	}
	var shares []shared
	for _, name := range varsUsed(s.Body) {
		v, ok := f.vars[name]
		if !ok || name == s.Var.Key() {
			continue
		}
		sh := shared{name: name, v: v}
		switch {
		case v.m == nil:
			sh.slot = f.allocScratch(8)
			f.store(sh.slot, 8, v.r)
		case v.m.base == fpReg:
			sh.slot = f.allocScratch(v.t.Size)
			f.copyMem(sh.slot, *v.m, v.t.Size)
		default:
			sh.slot = *v.m
		}
		shares = append(shares, sh)
	}

	leave := f.allocScratch(8)
	f.storeImm(leave, 8, 0)
	cb := f.newCallback(s.At)
	cb.leaveFlag = &mem{base: cb.scrReg, off: leave.off}
	rebase := func(m mem) mem { return mem{base: cb.scrReg, off: m.off} }
	for _, sh := range shares {
		if sh.v.m == nil {
			cb.vars[sh.name] = val{t: sh.v.t, r: cb.load(rebase(sh.slot), 8)}
		} else {
			m := rebase(sh.slot)
			cb.vars[sh.name] = val{t: sh.v.t, m: &m}
		}
	}
	setup(cb)
	cont, stop, exit := cb.label(), cb.label(), cb.label()
	err := cb.catch(func() { cb.loop(cont, stop, s.Body) })
	if err != nil {
		panic(err)
	}
	writeBack := func(ret int64) {
		for _, sh := range shares {
			if sh.v.m == nil {
				cb.store(rebase(sh.slot), 8, cb.vars[sh.name].r)
			}
		}
		cb.ret(ret)
	}
	cb.pos = s.At
	cb.mark(cont)
	writeBack(0)
	cb.mark(stop)
	writeBack(1)
	cb.mark(exit)
	cb.ret(1)
	name := f.finishCallback(cb, exit, s.At, nargs)
	return name, func() {
		for _, sh := range shares {
			switch {
			case sh.v.m == nil:
				slot := f.near(sh.slot)
				f.emit(&inst{op: opLoad, dst: sh.v.r, a: slot.base, off: slot.off, size: asm.DWord})
			case sh.v.m.base == fpReg:
				f.copyMem(*sh.v.m, sh.slot, sh.v.t.Size)
			}
		}
		// return or exit() in the body ends the probe
		goOn := f.label()
		f.emit(&inst{op: opJcc, a: f.load(leave, 8), cc: asm.JEq, useImm: true, imm: 0, label: goOn})
		f.leave()
		f.mark(goOn)
	}
}

// newCallback starts a bpf-to-bpf callback function: its scratch memory
// follows the caller's, and its code is added with finishCallback.
func (f *fn) newCallback(at lang.Pos) *fn {
	cb := &fn{c: f.c, ctx: f.ctx, nregs: 2, vars: map[string]val{}, noSpill: map[vreg]bool{}, root: f.root, scratch: f.scratch, frame: scratchKeySlot}
	cb.pos = at
	cb.scrReg = cb.newReg()
	return cb
}

// finishCallback allocates the callback's registers, places it after the
// program, and returns its name for opFuncPtr; exit is the label of its
// failure return and nargs the number of arguments the helper passes.
func (f *fn) finishCallback(cb *fn, exit string, at lang.Pos, nargs int) string {
	body := cb.code
	cb.code = cb.prologue
	insns, positions, stack, ferr := cb.finish(body, exit, at)
	if ferr != nil {
		panic(ferr)
	}
	f.root.ncallbacks++
	name := fmt.Sprintf("cb%d", f.root.ncallbacks)
	// The kernel wants BTF function info for every function of a program
	// that has callbacks.
	insns, positions = nameFunc(insns, positions, name, funcInfo(name, nargs))
	f.root.callbacks = append(f.root.callbacks, callback{insns, positions, stack})
	if cb.scratch > f.scratch {
		f.scratch = cb.scratch
	}
	return name
}

// leave ends the probe's program (return, exit()): a loop callback stops
// its loop and tells its caller to leave too.
func (f *fn) leave() {
	if f.leaveFlag != nil {
		f.storeImm(*f.leaveFlag, 8, 1)
		f.ret(1)
		return
	}
	f.ret(0)
}

// allocScratch reserves size bytes of scratch memory, never the stack.
func (f *fn) allocScratch(size int) mem {
	size = (size + 7) &^ 7
	off := f.scratch
	f.scratch += size
	return mem{base: f.scrReg, off: int32(off)}
}

// varsUsed lists the $variables a block mentions, in first-use order.
func varsUsed(b *lang.Block) []string {
	var keys []string
	seen := map[string]bool{}
	lang.Inspect(b, func(n lang.Node) bool {
		if v, ok := n.(*lang.Var); ok && !seen[v.Key()] {
			seen[v.Key()] = true
			keys = append(keys, v.Key())
		}
		return true
	})
	return keys
}

func progType(k types.ProgKind) ebpf.ProgramType {
	switch k {
	case types.ProgTracepoint:
		return ebpf.TracePoint
	case types.ProgPerfEvent:
		return ebpf.PerfEvent
	case types.ProgKprobe:
		return ebpf.Kprobe
	case types.ProgTracing:
		return ebpf.Tracing
	}
	return ebpf.RawTracepoint
}

// ---- emission helpers ----

func (f *fn) newReg() vreg {
	f.nregs++
	return vreg(f.nregs - 1)
}

func (f *fn) emit(in *inst) {
	in.pos = f.pos
	f.code = append(f.code, in)
}

// label returns a new label, unique in the whole program: callbacks are
// laid out after the main function, so they draw from the root's counter.
func (f *fn) label() string {
	r := f
	if f.root != nil {
		r = f.root
	}
	r.labels++
	return fmt.Sprintf("L%d", r.labels)
}

func (f *fn) mark(l string) { f.emit(&inst{op: opLabel, label: l}) }
func (f *fn) jmp(l string)  { f.emit(&inst{op: opJmp, label: l}) }

func (f *fn) imm(v int64) vreg {
	d := f.newReg()
	f.emit(&inst{op: opMovImm, dst: d, imm: v})
	return d
}

func (f *fn) ret(v int64) {
	f.emit(&inst{op: opExit, useImm: true, imm: v})
}

func (f *fn) aluImm(alu asm.ALUOp, a vreg, v int64) vreg {
	d := f.newReg()
	if v < -1<<31 || v > 1<<31-1 {
		f.emit(&inst{op: opALU, dst: d, a: a, b: f.imm(v), alu: alu})
		return d
	}
	f.emit(&inst{op: opALU, dst: d, a: a, useImm: true, imm: v, alu: alu})
	return d
}

func (f *fn) alu(alu asm.ALUOp, a, b vreg) vreg {
	d := f.newReg()
	f.emit(&inst{op: opALU, dst: d, a: a, b: b, alu: alu})
	return d
}

func (f *fn) call(fnID asm.BuiltinFunc, args ...vreg) vreg {
	d := f.newReg()
	f.emit(&inst{op: opCall, dst: d, fn: fnID, args: args})
	return d
}

func (f *fn) mapPtr(name string) vreg {
	d := f.newReg()
	f.emit(&inst{op: opMapPtr, dst: d, ref: name})
	return d
}

func (f *fn) fail(pos lang.Pos, format string, args ...any) {
	panic(lang.Errorf(pos, format, args...))
}

// alloc reserves size bytes of memory for a value, 8-byte aligned: on the
// stack when it is small and the stack has room, else in scratch memory.
func (f *fn) alloc(size int) mem {
	size = (size + 7) &^ 7
	if size <= stackValueMax && f.frame+size <= stackDataMax {
		f.frame += size
		return mem{base: fpReg, off: int32(-f.frame)}
	}
	off := f.scratch
	f.scratch += size
	return mem{base: f.scrReg, off: int32(off)}
}

// addr materializes the address of m in a register.
func (f *fn) addr(m mem) vreg {
	if m.off == 0 && m.base != fpReg {
		return m.base
	}
	return f.aluImm(asm.Add, m.base, int64(m.off))
}

// near returns m with an offset a load or store can encode (16 bits),
// moving the rest of a large scratch offset into the base register.
func (f *fn) near(m mem) mem {
	if m.off >= -32768 && m.off <= 32767-8 {
		return m
	}
	return mem{base: f.aluImm(asm.Add, m.base, int64(m.off)), ctx: m.ctx}
}

func (m mem) plus(off int) mem { return mem{base: m.base, off: m.off + int32(off), ctx: m.ctx} }

func (f *fn) load(m mem, size int) vreg {
	d := f.newReg()
	m = f.near(m)
	f.emit(&inst{op: opLoad, dst: d, a: m.base, off: m.off, size: sizeOf(size)})
	return d
}

func (f *fn) store(m mem, size int, v vreg) {
	m = f.near(m)
	f.emit(&inst{op: opStore, a: m.base, b: v, off: m.off, size: sizeOf(size)})
}

func (f *fn) storeImm(m mem, size int, v int64) {
	m = f.near(m)
	f.emit(&inst{op: opStoreImm, a: m.base, off: m.off, size: sizeOf(size), imm: v})
}

func sizeOf(n int) asm.Size {
	switch n {
	case 1:
		return asm.Byte
	case 2:
		return asm.Half
	case 4:
		return asm.Word
	}
	return asm.DWord
}

// zero clears n bytes at m.
func (f *fn) zero(m mem, n int) {
	for i := 0; i < n; {
		w := chunk(n-i, m.off+int32(i))
		f.storeImm(m.plus(i), w, 0)
		i += w
	}
}

// chunk is the widest access (8, 4, 2 or 1 bytes) that fits in n bytes
// and keeps every offset given aligned: the kernel refuses misaligned
// stack accesses. Bases (the frame pointer, scratch and map values) are
// 8-byte aligned.
func chunk(n int, offs ...int32) int {
	for _, w := range []int{8, 4, 2} {
		if n < w {
			continue
		}
		ok := true
		for _, o := range offs {
			if o%int32(w) != 0 {
				ok = false
			}
		}
		if ok {
			return w
		}
	}
	return 1
}

// copyMem copies n bytes from src to dst.
func (f *fn) copyMem(dst, src mem, n int) {
	if n <= 0 {
		return
	}
	if src.ctx && f.ctx.Kind == types.ProgPerfEvent {
		// the kernel rewrites loads from a perf event's context (struct
		// bpf_perf_event_data) and allows nothing else: 8 bytes at a time
		for i := 0; i < n; i += 8 {
			w := min(8, n-i)
			f.store(dst.plus(i), w, f.load(src.plus(i), 8))
		}
		return
	}
	if src.ctx || n > 64 {
		f.call(asm.FnProbeReadKernel, f.addr(dst), f.imm(int64(n)), f.addr(src))
		return
	}
	for i := 0; i < n; {
		w := chunk(n-i, dst.off+int32(i), src.off+int32(i))
		f.store(dst.plus(i), w, f.load(src.plus(i), w))
		i += w
	}
}

// constBytes writes b to m with immediate stores.
func (f *fn) constBytes(m mem, b []byte) {
	for i := 0; i < len(b); {
		w := chunk(len(b)-i, m.off+int32(i))
		if w == 8 {
			w = 4
		}
		var v int64
		switch w {
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(b[i:])))
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(b[i:])))
		default:
			v = int64(int8(b[i]))
		}
		f.storeImm(m.plus(i), w, v)
		i += w
	}
}

// ---- statements ----

func (f *fn) block(b *lang.Block) {
	for _, s := range b.Stmts {
		f.stmt(s)
	}
}

func (f *fn) stmt(s lang.Stmt) {
	f.pos = s.Pos()
	switch s := s.(type) {
	case *lang.ExprStmt:
		f.exprStmt(s.X)
	case *lang.AssignStmt:
		f.pos = s.At
		f.assign(s)
	case *lang.LetStmt:
		f.let(s)
	case *lang.IfStmt:
		els, end := f.label(), f.label()
		f.branch(s.Cond, els, false)
		f.block(s.Then)
		if s.Else != nil {
			f.jmp(end)
		}
		f.mark(els)
		if s.Else != nil {
			f.stmt(s.Else)
			f.mark(end)
		}
	case *lang.BlockStmt:
		f.block(s.Body)
	case *lang.WhileStmt:
		top, end := f.label(), f.label()
		f.mark(top)
		f.pos = s.At
		f.branch(s.Cond, end, false)
		f.loop(top, end, s.Body)
		f.jmp(top)
		f.mark(end)
	case *lang.UnrollStmt:
		n := int(f.c.info.Consts[s.Count].Int)
		for i := 0; i < n; i++ {
			f.block(s.Body)
		}
	case *lang.ForStmt:
		if s.Map != nil {
			f.forMap(s)
		} else {
			f.forRange(s)
		}
	case *lang.JumpStmt:
		switch s.Keyword {
		case "break":
			f.jmp(f.loops[len(f.loops)-1].end)
		case "continue":
			f.jmp(f.loops[len(f.loops)-1].next)
		case "return":
			f.leave()
		}
		// Whatever follows in the block is unreachable; keep the stream valid.
		f.mark(f.label())
	default:
		f.fail(s.Pos(), "statement not supported by the code generator yet")
	}
}

func (f *fn) exprStmt(e lang.Expr) {
	switch e := e.(type) {
	case *lang.Call:
		f.pos = e.At
		if f.moreStmt(e) {
			return
		}
		switch e.Fun {
		case "printf", "errorf", "warnf", "cat", "system":
			f.printf(e)
			return
		case "time":
			ev := &Event{Kind: EventTime, Pos: e.At, Size: 8, Format: "%H:%M:%S\n"}
			if len(e.Args) == 1 {
				ev.Format = e.Args[0].(*lang.StrLit).Val
			}
			id := f.newEvent(ev)
			rec := f.alloc(8)
			f.storeImm(rec, 8, int64(id))
			f.output(rec, 8)
			return
		case "signal":
			f.call(asm.FnSendSignal, f.scalar(f.expr(e.Args[0])))
			return
		case "signal_thread":
			f.call(asm.FnSendSignalThread, f.scalar(f.expr(e.Args[0])))
			return
		case "static_assert":
			return // checked when compiling
		case "assert":
			ok := f.label()
			f.branch(e.Args[0], ok, true)
			f.pos = e.At
			msg := e.Args[1].(*lang.StrLit).Val
			f.printf(&lang.Call{At: e.At, Fun: "errorf", Args: []lang.Expr{&lang.StrLit{At: e.At, Val: "assert failed: " + msg}}})
			f.exitCode(e.At, f.imm(1))
			f.mark(ok)
			return
		case "exit":
			f.exit(e)
			return
		case "delete":
			f.deleteKey(e)
			return
		case "clear", "zero", "print":
			f.mapEvent(e)
			return
		}
	case *lang.Unary:
		if e.Op == "++" || e.Op == "--" {
			f.incDec(e)
			return
		}
	case *lang.BlockExpr:
		f.block(&lang.Block{At: e.At, Stmts: e.Stmts})
		if e.Value != nil {
			f.exprStmt(e.Value)
		}
		return
	}
	f.expr(e)
}

func (f *fn) typeOf(e lang.Expr) *types.Type {
	if id, ok := e.(*lang.Ident); ok && id.Name == "args" && f.ctx.Args != nil {
		// A probe's attach points may lay args out differently: each
		// program reads its own.
		return f.ctx.Args
	}
	t := f.c.info.TypeOf(e)
	if t == nil {
		f.fail(e.Pos(), "internal error: expression has no type")
	}
	return t
}

func (f *fn) assign(s *lang.AssignStmt) {
	if call, ok := s.Rhs.(*lang.Call); ok {
		switch call.Fun {
		case "count", "sum", "min", "max", "avg", "stats", "hist", "lhist", "tseries":
			f.aggregate(s.Lhs.(*lang.MapExpr), call)
			return
		}
	}
	if m, ok := s.Lhs.(*lang.MapExpr); ok && s.Op == "=" {
		mm := f.mapMeta(m)
		v := f.alloc(mm.ValSize)
		f.exprInto(s.Rhs, v, mm.Value, true)
		k := f.key(m, mm)
		f.pos = s.At
		f.mapUpdate(mm, k, v)
		return
	}
	var rhs val
	if s.Op == "=" {
		rhs = f.expr(s.Rhs)
	} else {
		old := f.expr(s.Lhs)
		r := f.expr(s.Rhs)
		op := strings.TrimSuffix(s.Op, "=")
		lt := f.typeOf(s.Lhs)
		rhs = val{t: types.ArithType(op, lt, r.t), r: f.arith(op, old, r, types.SignedOp(lt, r.t))}
	}
	switch l := s.Lhs.(type) {
	case *lang.Var:
		f.setVar(l, rhs)
	case *lang.MapExpr:
		f.mapStore(l, rhs)
	}
}

// let compiles `let $x [: type] [= value]`; a declared variable without a
// value starts as zero.
func (f *fn) let(s *lang.LetStmt) {
	if s.Value != nil {
		f.setVar(s.Var, f.expr(s.Value))
		return
	}
	t := f.c.info.TypeOf(s.Var)
	if t == nil {
		return
	}
	if t.InRegister() {
		f.setVar(s.Var, val{t: t, r: f.imm(0)})
		return
	}
	m := f.alloc(t.Size)
	f.zero(m, t.Size)
	f.setVar(s.Var, val{t: t, m: &m})
}

func (f *fn) setVar(v *lang.Var, x val) {
	t := f.c.info.TypeOf(v)
	slot, ok := f.vars[v.Key()]
	if !ok {
		slot = val{t: t}
		if x.m != nil || f.addressed[v.Key()] {
			m := f.alloc(t.Size)
			slot.m = &m
		} else {
			slot.r = f.newReg()
		}
		f.vars[v.Key()] = slot
	}
	if t.Kind == types.Int && x.t.Kind == types.Int && !types.FitsInt(x.t, t) {
		// a declared variable keeps its width: the value wraps to it
		x = val{t: t, r: f.narrow(f.scalar(x), t.Size, t.Signed)}
	}
	if slot.m != nil {
		f.storeVal(*slot.m, t, x, true)
		return
	}
	f.emit(&inst{op: opMov, dst: slot.r, a: f.scalar(x)})
}

func (f *fn) incDec(e *lang.Unary) val {
	old := f.expr(e.X)
	t := f.typeOf(e.X)
	delta := int64(1)
	if e.Op == "--" {
		delta = -1
	}
	oldR := f.scalar(old)
	if t.Kind == types.Ptr {
		delta *= elemSize(t)
	}
	nv := f.aluImm(asm.Add, oldR, delta)
	switch x := e.X.(type) {
	case *lang.Var:
		keep := f.newReg()
		f.emit(&inst{op: opMov, dst: keep, a: oldR})
		f.setVar(x, val{t: t, r: nv})
		oldR = keep
	case *lang.MapExpr:
		f.mapStore(x, val{t: t, r: nv})
	}
	if e.Postfix {
		return val{t: t, r: oldR}
	}
	return val{t: t, r: nv}
}

// ---- maps ----

func (f *fn) mapMeta(m *lang.MapExpr) *MapMeta {
	mm := f.c.maps[m.Name]
	if mm == nil {
		f.fail(m.At, "internal error: map %s has no storage", m.Name)
	}
	return mm
}

// key builds the key of map access m in memory.
func (f *fn) key(m *lang.MapExpr, mm *MapMeta) mem {
	k := f.alloc(mm.KeySize)
	if mm.Bucketed && len(m.Keys) == 1 {
		f.zero(k, mm.KeySize)
	}
	if len(m.Keys) == 0 {
		f.storeImm(k, 8, 0)
		return k
	}
	keys := m.Keys
	if tl, ok := keys[0].(*lang.Tuple); ok && len(keys) == 1 && len(mm.Keys) > 1 {
		keys = tl.Elems // @m[(a, b)] is @m[a, b]
	}
	if len(keys) == 1 && len(mm.Keys) > 1 {
		// a tuple value as the keys: element by element, since the
		// map's strings may be longer than the tuple's
		tv := f.expr(keys[0])
		f.zero(k, mm.KeySize)
		for i, src := range tv.t.Fields {
			dst := mm.Key.Fields[i]
			f.storeVal(k.plus(dst.Offset), dst.Type, f.fromMem(tv.m.plus(src.Offset), src.Type), false)
		}
		return k
	}
	if len(keys) == 1 {
		f.exprInto(keys[0], k, mm.Key, true)
		return k
	}
	f.zero(k, mm.KeySize)
	for i, ke := range keys {
		fld := mm.Key.Fields[i]
		f.exprInto(ke, k.plus(fld.Offset), fld.Type, false)
	}
	return k
}

// deleteKey compiles delete(@m[k]) or delete(@m, k), returning the
// helper's result (0 when the key was there).
func (f *fn) deleteKey(e *lang.Call) vreg {
	m := e.Args[0].(*lang.MapExpr)
	if len(e.Args) == 2 {
		m = &lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])}
	}
	mm := f.mapMeta(m)
	k := f.key(m, mm)
	f.pos = e.At
	return f.call(asm.FnMapDeleteElem, f.mapPtr(mm.SpecName), f.addr(k))
}

func (f *fn) mapStore(m *lang.MapExpr, x val) {
	mm := f.mapMeta(m)
	k := f.key(m, mm)
	v := f.alloc(mm.ValSize)
	f.storeVal(v, mm.Value, x, true)
	f.mapUpdate(mm, k, v)
}

// mapLookup returns a register holding a pointer to the value of m, or 0.
func (f *fn) mapLookup(m *lang.MapExpr, mm *MapMeta) (vreg, mem) {
	k := f.key(m, mm)
	p := f.call(asm.FnMapLookupElem, f.mapPtr(mm.SpecName), f.addr(k))
	return p, k
}

func (f *fn) mapRead(m *lang.MapExpr) val {
	mm := f.mapMeta(m)
	t := f.typeOf(m)
	if mm.PerCPU {
		return f.aggRead(m, mm, t)
	}
	p, _ := f.mapLookup(m, mm)
	done := f.label()
	if !t.InRegister() { // strings, tuples, usym, inet, buffers, arrays, ...
		dst := f.alloc(t.Size)
		f.zero(dst, t.Size)
		f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: done})
		f.copyMem(dst, mem{base: p}, t.Size)
		f.mark(done)
		return val{t: t, m: &dst}
	}
	d := f.newReg()
	f.emit(&inst{op: opMovImm, dst: d, imm: 0})
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: done})
	f.emit(&inst{op: opLoad, dst: d, a: p, size: asm.DWord})
	f.mark(done)
	return val{t: t, r: d}
}

// histogram compiles @m[k] = hist(x[, bits]) and lhist(x, min, max, step):
// the bucket index goes after the key, and the bucket's count goes up.
func (f *fn) histogram(m *lang.MapExpr, mm *MapMeta, call *lang.Call, x vreg) {
	var b vreg
	params := mm.Value.AggParams
	if call.Fun == "lhist" {
		b = f.lhistBucket(x, params[0], params[1], params[2])
	} else {
		b = f.log2Bucket(x, params[0])
	}
	k := f.key(m, mm)
	f.store(k.plus(mm.BucketOff), 8, b)
	p := f.call(asm.FnMapLookupElem, f.mapPtr(mm.SpecName), f.addr(k))
	initL, done := f.label(), f.label()
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: initL})
	pm := mem{base: p}
	f.store(pm, 8, f.aluImm(asm.Add, f.load(pm, 8), 1))
	f.jmp(done)
	f.mark(initL)
	v := f.alloc(8)
	f.storeImm(v, 8, 1)
	f.mapUpdate(mm, k, v)
	f.mark(done)
}

// log2Bucket computes the hist() bucket of x (see MapMeta).
func (f *fn) log2Bucket(x vreg, k int64) vreg {
	b := f.newReg()
	done := f.label()
	f.emit(&inst{op: opMovImm, dst: b, imm: 0})
	f.emit(&inst{op: opJcc, a: x, cc: asm.JSLT, useImm: true, imm: 0, label: done})
	small := int64(1) << k
	if k == 0 {
		f.emit(&inst{op: opMovImm, dst: b, imm: 1})
		f.emit(&inst{op: opJcc, a: x, cc: asm.JEq, useImm: true, imm: 0, label: done})
	} else {
		// values below 2^k: bucket 1+x
		big := f.label()
		f.emit(&inst{op: opJcc, a: x, cc: asm.JGE, useImm: true, imm: small, label: big})
		f.emit(&inst{op: opALU, alu: asm.Add, dst: b, a: x, useImm: true, imm: 1})
		f.jmp(done)
		f.mark(big)
	}
	// l = floor(log2(x)) by binary search on the highest set bit
	l := f.newReg()
	n := f.newReg()
	f.emit(&inst{op: opMovImm, dst: l, imm: 0})
	f.emit(&inst{op: opMov, dst: n, a: x})
	for _, sh := range []int64{32, 16, 8, 4, 2, 1} {
		skip := f.label()
		t := f.aluImm(asm.RSh, n, sh)
		f.emit(&inst{op: opJcc, a: t, cc: asm.JEq, useImm: true, imm: 0, label: skip})
		f.emit(&inst{op: opMov, dst: n, a: t})
		f.emit(&inst{op: opALU, alu: asm.Add, dst: l, a: l, useImm: true, imm: sh})
		f.mark(skip)
	}
	if k == 0 {
		f.emit(&inst{op: opALU, alu: asm.Add, dst: b, a: l, useImm: true, imm: 2})
	} else {
		// 1 + 2^k + (l-k)*2^k + ((x >> (l-k)) - 2^k)
		shift := f.aluImm(asm.Sub, l, k)
		top := f.alu(asm.RSh, x, shift)
		base := f.aluImm(asm.LSh, shift, k)
		sum := f.alu(asm.Add, base, top)
		f.emit(&inst{op: opALU, alu: asm.Add, dst: b, a: sum, useImm: true, imm: 1})
	}
	f.mark(done)
	return b
}

// lhistBucket computes the lhist() bucket of x (see MapMeta).
func (f *fn) lhistBucket(x vreg, lo, hi, step int64) vreg {
	b := f.newReg()
	done, in := f.label(), f.label()
	f.emit(&inst{op: opMovImm, dst: b, imm: 0})
	lor := f.imm(lo)
	f.emit(&inst{op: opJcc, a: x, b: lor, cc: asm.JSLT, label: done})
	f.emit(&inst{op: opMovImm, dst: b, imm: 1 + (hi-lo)/step})
	hir := f.imm(hi)
	f.emit(&inst{op: opJcc, a: x, b: hir, cc: asm.JSLT, label: in})
	f.jmp(done)
	f.mark(in)
	off := f.alu(asm.Sub, x, lor)
	q := f.aluImm(asm.Div, off, step)
	f.emit(&inst{op: opALU, alu: asm.Add, dst: b, a: q, useImm: true, imm: 1})
	f.mark(done)
	return b
}

// aggRead reads an aggregation in the kernel: the per-CPU values are
// merged with bpf_map_lookup_percpu_elem in a loop over the CPUs, so the
// value is the same one user space prints.
func (f *fn) aggRead(m *lang.MapExpr, mm *MapMeta, t *types.Type) val {
	return f.aggMerge(mm, f.key(m, mm), t)
}

// aggMerge merges the per-CPU values of the aggregation at key k.
func (f *fn) aggMerge(mm *MapMeta, k mem, t *types.Type) val {
	fnName := mm.Value.AggFn
	acc := f.newReg() // count/sum/total, or the min/max so far
	n := f.newReg()   // avg: the count; min/max: whether any CPU was set
	cpu := f.newReg()
	f.emit(&inst{op: opMovImm, dst: acc, imm: 0})
	f.emit(&inst{op: opMovImm, dst: n, imm: 0})
	f.emit(&inst{op: opMovImm, dst: cpu, imm: 0})
	top, next, end := f.label(), f.label(), f.label()
	f.mark(top)
	f.emit(&inst{op: opJcc, a: cpu, cc: asm.JGE, useImm: true, imm: int64(f.c.tgt.NumCPU), label: end})
	p := f.call(asm.FnMapLookupPercpuElem, f.mapPtr(mm.SpecName), f.addr(k), cpu)
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: next})
	pm := mem{base: p}
	switch fnName {
	case "count", "sum":
		f.emit(&inst{op: opALU, alu: asm.Add, dst: acc, a: acc, b: f.load(pm, 8)})
	case "avg":
		f.emit(&inst{op: opALU, alu: asm.Add, dst: acc, a: acc, b: f.load(pm, 8)})
		f.emit(&inst{op: opALU, alu: asm.Add, dst: n, a: n, b: f.load(pm.plus(8), 8)})
	case "min", "max":
		set := f.load(pm.plus(8), 8)
		f.emit(&inst{op: opJcc, a: set, cc: asm.JEq, useImm: true, imm: 0, label: next})
		v := f.load(pm, 8)
		take := f.label()
		f.emit(&inst{op: opJcc, a: n, cc: asm.JEq, useImm: true, imm: 0, label: take})
		cc := asm.JSGE // min: skip when v >= acc
		if fnName == "max" {
			cc = asm.JSLE
		}
		f.emit(&inst{op: opJcc, a: v, b: acc, cc: cc, label: next})
		f.mark(take)
		f.emit(&inst{op: opMov, dst: acc, a: v})
		f.emit(&inst{op: opMovImm, dst: n, imm: 1})
	}
	f.mark(next)
	f.emit(&inst{op: opALU, alu: asm.Add, dst: cpu, a: cpu, useImm: true, imm: 1})
	f.jmp(top)
	f.mark(end)
	if fnName == "avg" {
		done := f.label()
		res := f.newReg()
		f.emit(&inst{op: opMovImm, dst: res, imm: 0})
		f.emit(&inst{op: opJcc, a: n, cc: asm.JEq, useImm: true, imm: 0, label: done})
		if t.Signed {
			f.emit(&inst{op: opMov, dst: res, a: f.signedDiv(asm.Div, acc, n)})
		} else {
			f.emit(&inst{op: opALU, alu: asm.Div, dst: res, a: acc, b: n})
		}
		f.mark(done)
		return val{t: t, r: res}
	}
	return val{t: t, r: acc}
}

// aggregate compiles @m[k] = count()/sum(x)/min(x)/max(x)/avg(x).
func (f *fn) aggregate(m *lang.MapExpr, call *lang.Call) {
	f.pos = call.At
	mm := f.mapMeta(m)
	var x vreg
	if len(call.Args) >= 1 { // the value; hist and lhist parameters are constants
		x = f.scalar(f.expr(call.Args[0]))
	}
	if call.Fun == "tseries" {
		f.tseries(m, mm, x)
		return
	}
	if mm.Bucketed {
		f.histogram(m, mm, call, x)
		return
	}
	p, k := f.mapLookup(m, mm)
	initL, done := f.label(), f.label()
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: initL})
	pm := mem{base: p}
	switch call.Fun {
	case "count":
		f.store(pm, 8, f.aluImm(asm.Add, f.load(pm, 8), 1))
	case "sum":
		f.store(pm, 8, f.alu(asm.Add, f.load(pm, 8), x))
	case "avg", "stats":
		f.store(pm, 8, f.alu(asm.Add, f.load(pm, 8), x))
		f.store(pm.plus(8), 8, f.aluImm(asm.Add, f.load(pm.plus(8), 8), 1))
	case "min", "max":
		write := f.label()
		set := f.load(pm.plus(8), 8)
		f.emit(&inst{op: opJcc, a: set, cc: asm.JEq, useImm: true, imm: 0, label: write})
		cur := f.load(pm, 8)
		cc := asm.JSGE // min: keep when x >= cur
		if call.Fun == "max" {
			cc = asm.JSLE
		}
		f.emit(&inst{op: opJcc, a: x, b: cur, cc: cc, label: done})
		f.mark(write)
		f.store(pm, 8, x)
		f.storeImm(pm.plus(8), 8, 1)
	}
	f.jmp(done)
	f.mark(initL)
	v := f.alloc(mm.ValSize)
	switch call.Fun {
	case "count":
		f.storeImm(v, 8, 1)
	case "sum":
		f.store(v, 8, x)
	default:
		f.store(v, 8, x)
		f.storeImm(v.plus(8), 8, 1)
	}
	f.mapUpdate(mm, k, v)
	f.mark(done)
}

// ---- printf and exit ----

func (f *fn) newEvent(ev *Event) int {
	f.c.prog.Events = append(f.c.prog.Events, ev)
	return len(f.c.prog.Events) - 1
}

// printfLike compiles functions that send user space a format and its
// arguments: printf, errorf, warnf, cat, system.
var printfLike = map[string]EventKind{
	"printf": EventPrintf, "errorf": EventErrorf, "warnf": EventWarnf, "cat": EventCat, "system": EventSystem,
}

func (f *fn) printf(e *lang.Call) {
	format := e.Args[0].(*lang.StrLit).Val
	ev := &Event{Kind: printfLike[e.Fun], Pos: e.At, Format: format}
	if e.End.Line == e.At.Line {
		ev.EndCol = e.End.Col
	}
	off := 8
	for _, a := range e.Args[1:] {
		t := f.typeOf(a)
		st := storedType(t)
		ev.Args = append(ev.Args, EventArg{Type: st, Offset: off})
		off += (slotSize(st) + 7) &^ 7
	}
	ev.Size = off
	id := f.newEvent(ev)
	rec := f.alloc(ev.Size)
	f.storeImm(rec, 8, int64(id))
	for i, a := range e.Args[1:] {
		f.exprInto(a, rec.plus(ev.Args[i].Offset), ev.Args[i].Type, false)
	}
	f.pos = e.At
	f.output(rec, ev.Size)
}

// mapEvent compiles clear(@m), zero(@m), print(@m, ...) and print(value):
// user space does the work when the record arrives.
func (f *fn) mapEvent(e *lang.Call) {
	ev := &Event{Pos: e.At, Size: 8}
	m, isMap := e.Args[0].(*lang.MapExpr)
	switch {
	case e.Fun == "clear":
		ev.Kind, ev.Map = EventClear, m.Name
	case e.Fun == "zero":
		ev.Kind, ev.Map = EventZero, m.Name
	case isMap && len(m.Keys) == 0:
		ev.Kind, ev.Map = EventPrintMap, m.Name
		if len(e.Args) > 1 {
			ev.Top = int(e.Args[1].(*lang.IntLit).Val)
		}
		if len(e.Args) > 2 {
			ev.Div = int(e.Args[2].(*lang.IntLit).Val)
		}
	default:
		t := storedType(f.typeOf(e.Args[0]))
		ev.Kind = EventPrintValue
		ev.Args = []EventArg{{Type: t, Offset: 8}}
		ev.Size = 8 + (slotSize(t)+7)&^7
	}
	id := f.newEvent(ev)
	rec := f.alloc(ev.Size)
	f.storeImm(rec, 8, int64(id))
	if ev.Kind == EventPrintValue {
		f.exprInto(e.Args[0], rec.plus(8), ev.Args[0].Type, false)
	}
	f.pos = e.At
	f.output(rec, ev.Size)
}

func (f *fn) exit(e *lang.Call) {
	code := vreg(0)
	if len(e.Args) == 1 {
		code = f.scalar(f.expr(e.Args[0]))
	} else {
		code = f.imm(0)
	}
	f.exitCode(e.At, code)
}

// exitCode sends the exit record with code and ends the program.
func (f *fn) exitCode(at lang.Pos, code vreg) {
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalExit})
	f.store(mem{base: g}, 8, f.aluImm(asm.Add, code, 1))
	id := f.newEvent(&Event{Kind: EventExit, Pos: at, Size: 16})
	rec := f.alloc(16)
	f.storeImm(rec, 8, int64(id))
	f.store(rec.plus(8), 8, code)
	f.pos = at
	f.output(rec, 16)
	f.leave()
	// Code after exit() in the same block is unreachable but still
	// compiled; give it a label so the instruction stream stays valid.
	f.mark(f.label())
}

// exprInto writes the value of e into dst laid out as type t. Strings made
// by helpers (comm, str()) and constants are written in place instead of
// being built elsewhere and copied.
func (f *fn) exprInto(e lang.Expr, dst mem, t *types.Type, zeroPad bool) {
	if t.Kind == types.Str {
		switch x := e.(type) {
		case *lang.Ident:
			if x.Name == "comm" && t.Size >= 16 {
				f.pos = x.At
				f.call(asm.FnGetCurrentComm, f.addr(dst), f.imm(16))
				if zeroPad {
					f.zero(dst.plus(16), t.Size-16)
				}
				return
			}
		case *lang.StrLit:
			if len(x.Val) < t.Size {
				b := []byte(x.Val)
				if zeroPad {
					b = append(b, make([]byte, t.Size-len(b))...)
				} else {
					b = append(b, 0)
				}
				f.pos = x.At
				f.constBytes(dst, b)
				return
			}
		case *lang.Call:
			if x.Fun == "str" && !isStrOrArray(f.typeOf(x.Args[0])) {
				size := min(f.typeOf(x).Size, t.Size)
				f.readStr(x, dst, size, zeroPad)
				if zeroPad {
					f.zero(dst.plus(size), t.Size-size)
				}
				return
			}
		}
	}
	f.storeVal(dst, t, f.expr(e), zeroPad)
}

// isStrOrArray tells whether t is a string or an array: str() of one is
// the value itself, not a read from memory.
func isStrOrArray(t *types.Type) bool { return t.Kind == types.Str || t.Kind == types.Array }

// readStr compiles str(p[, n]) into size bytes at dst.
func (f *fn) readStr(e *lang.Call, dst mem, size int, zeroPad bool) {
	x := f.expr(e.Args[0])
	lenR := f.imm(int64(size))
	if len(e.Args) == 2 {
		// read at most n bytes plus the NUL
		n := f.aluImm(asm.Add, f.scalar(f.expr(e.Args[1])), 1)
		skip := f.label()
		f.emit(&inst{op: opJcc, a: n, cc: asm.JLE, useImm: true, imm: int64(size), label: skip})
		f.emit(&inst{op: opMovImm, dst: n, imm: int64(size)})
		f.mark(skip)
		lenR = n
	}
	if zeroPad {
		f.zero(dst, size)
	}
	fnID := asm.FnProbeReadKernelStr
	if (x.t.Kind == types.Ptr && x.t.User) || (x.t.Kind != types.Ptr && f.ctx.ArgsUser) ||
		f.ctx.Kind == types.ProgKprobe && strings.HasPrefix(f.ctx.Provider, "u") {
		fnID = asm.FnProbeReadUserStr
	}
	f.pos = e.At
	src := f.scalar(x)
	r := f.call(fnID, f.addr(dst), lenR, src)
	if fnID == asm.FnProbeReadKernelStr && !(x.t.Kind == types.Ptr && x.t.Elem != nil && x.t.Elem.Kind == types.Struct) {
		// Kernel BTF does not always mark user pointers (__user needs
		// type tags the kernel may be built without): when the kernel
		// read faults, the string is read as user memory.
		done := f.label()
		f.emit(&inst{op: opJcc, a: r, cc: asm.JSGE, useImm: true, imm: 0, label: done})
		f.call(asm.FnProbeReadUserStr, f.addr(dst), lenR, src)
		f.mark(done)
	}
}

// storedType mirrors the checker: integers are stored in 8 bytes.
func storedType(t *types.Type) *types.Type { return types.Stored(t) }

// storeVal writes x into memory at dst laid out as type t. zeroPad says
// whether the bytes of a string past its end must be cleared (map keys and
// values must be, printf records need not).
func (f *fn) storeVal(dst mem, t *types.Type, x val, zeroPad bool) {
	switch {
	case t.Kind == types.Tuple && x.t != nil && x.t.Kind == types.Tuple && x.m != nil && !types.Equal(t, x.t):
		// a tuple laid out differently (shorter strings, a record's
		// fields in another order): element by element
		f.zero(dst, t.Size)
		for i, df := range t.Fields {
			sf := x.t.Fields[i]
			if t.Named {
				sf, _ = x.t.Field(df.Name)
			}
			v := f.fromMem(x.m.plus(sf.Offset), sf.Type)
			if df.Type.InRegister() {
				f.store(dst.plus(df.Offset), df.Type.Size, f.scalar(v))
				continue
			}
			f.storeVal(dst.plus(df.Offset), df.Type, v, false)
		}
	case !t.InRegister():
		if x.m == nil {
			f.fail(f.pos, "internal error: %s value is not in memory", t)
		}
		n := min(x.t.Size, t.Size)
		if zeroPad && x.t.Size < t.Size {
			f.zero(dst.plus(n), t.Size-n)
		}
		f.copyMem(dst, *x.m, n)
	default:
		f.store(dst, slotSize(t), f.scalar(x))
	}
}

// scalar returns x in a register.
func (f *fn) scalar(x val) vreg {
	if x.m == nil {
		return x.r
	}
	f.fail(f.pos, "internal error: %s value used as a scalar", x.t)
	return 0
}

// ---- expressions ----

func (f *fn) expr(e lang.Expr) val {
	if x, ok := f.c.info.Expansions[e]; ok {
		return f.expr(x)
	}
	t := f.typeOf(e)
	if k, ok := f.c.info.Consts[e]; ok {
		switch {
		case k.Bytes != nil:
			m := f.alloc(len(k.Bytes))
			f.constBytes(m, k.Bytes)
			return val{t: t, m: &m}
		case k.At != 0:
			// uaddr() in a position-independent binary: relocate by
			// where the uprobe fired.
			ip := f.load(mem{base: f.ctxReg, off: ptRegsIP}, 8)
			return val{t: t, r: f.aluImm(asm.Add, ip, k.Int-int64(k.At))}
		}
		if k.IsStr {
			m := f.alloc(t.Size)
			f.constBytes(m, append([]byte(k.Str), 0))
			return val{t: t, m: &m}
		}
		return val{t: t, r: f.imm(k.Int)}
	}
	switch e := e.(type) {
	case *lang.BlockExpr:
		f.block(&lang.Block{At: e.At, Stmts: e.Stmts})
		return f.expr(e.Value)
	case *lang.IntLit:
		return val{t: t, r: f.imm(int64(e.Val))}
	case *lang.BoolLit:
		if e.Val {
			return val{t: t, r: f.imm(1)}
		}
		return val{t: t, r: f.imm(0)}
	case *lang.StrLit:
		m := f.alloc(t.Size)
		f.constBytes(m, append([]byte(e.Val), 0))
		return val{t: t, m: &m}
	case *lang.Paren:
		return f.expr(e.X)
	case *lang.Var:
		v, ok := f.vars[e.Key()]
		if !ok {
			f.fail(e.At, "variable %s is used before it is assigned", e.Name)
		}
		if v.m != nil && v.t.InRegister() { // a variable whose address is taken
			return val{t: v.t, r: f.load(*v.m, 8)}
		}
		return v
	case *lang.Ident:
		return f.builtin(e, t)
	case *lang.MapExpr:
		return f.mapRead(e)
	case *lang.Call:
		return f.callExpr(e, t)
	case *lang.Unary:
		return f.unary(e, t)
	case *lang.Binary:
		return f.binary(e, t)
	case *lang.Ternary:
		return f.ternary(e, t)
	case *lang.Field:
		return f.field(e, t)
	case *lang.Index:
		return f.index(e, t)
	case *lang.Tuple:
		m := f.alloc(t.Size)
		f.zero(m, t.Size)
		for i, x := range e.Elems {
			fld := t.Fields[i]
			if fld.Type.InRegister() {
				// elements keep their size, as C struct fields
				f.store(m.plus(fld.Offset), fld.Type.Size, f.scalar(f.expr(x)))
				continue
			}
			f.exprInto(x, m.plus(fld.Offset), fld.Type, true)
		}
		return val{t: t, m: &m}
	case *lang.Cast:
		if t.Kind == types.Array {
			if k := f.typeOf(e.X).Kind; k == types.Array || k == types.Str {
				x := f.expr(e.X) // the same bytes, seen with other elements
				return val{t: t, m: x.m}
			}
			// an integer's bytes as an array
			x := f.scalar(f.expr(e.X))
			f.pos = e.At
			m := f.alloc(t.Size)
			f.store(m, t.Size, x)
			return val{t: t, m: &m}
		}
		if xt := f.typeOf(e.X); xt.Kind == types.Array {
			x := f.expr(e.X)
			f.pos = e.At
			if x.m == nil {
				f.fail(e.At, "internal error: array %s is not in memory", xt)
			}
			return val{t: t, r: f.extend(f.load(*x.m, t.Size), t.Size, t.Signed)}
		}
		xv := f.expr(e.X)
		if xv.m != nil && xv.m.ctx && t.Kind == types.Ptr {
			// (struct x *)ctx: the context pointer
			return val{t: t, r: f.addr(*xv.m)}
		}
		x := f.scalar(xv)
		f.pos = e.At
		if t.Kind == types.Bool {
			return val{t: t, r: f.zeroTest(x, false)}
		}
		if xt := f.typeOf(e.X); t.Kind == types.Ptr && xt.Kind == types.Int && xt.Size > 0 && xt.Size < 8 {
			// an integer becomes an address zero-extended, as bpftrace
			// does: (uint8 *)-1 is 0xff
			x = f.narrow(x, xt.Size, false)
		}
		if t.Size < 8 {
			sh := int64(64 - 8*t.Size)
			op := asm.RSh
			if t.Signed {
				op = asm.ArSh
			}
			x = f.aluImm(op, f.aluImm(asm.LSh, x, sh), sh)
		}
		return val{t: t, r: x}
	case *lang.PosParam:
		if e.Count {
			return val{t: t, r: f.imm(int64(len(f.c.info.Config.Params)))}
		}
		if t.Kind == types.Str {
			p, _ := f.c.info.Config.Param(e.N)
			m := f.alloc(t.Size)
			f.constBytes(m, append([]byte(p), 0))
			return val{t: t, m: &m}
		}
		v, _ := f.c.info.Config.ParamInt(e.N)
		return val{t: t, r: f.imm(v)}
	}
	f.fail(e.Pos(), "expression not supported by the code generator yet")
	return val{}
}

func (f *fn) builtin(e *lang.Ident, t *types.Type) val {
	f.pos = e.At
	if v, ok := f.moreBuiltin(e, t); ok {
		return v
	}
	switch e.Name {
	case "pid":
		return val{t: t, r: f.aluImm(asm.RSh, f.call(asm.FnGetCurrentPidTgid), 32)}
	case "tid":
		return val{t: t, r: f.low32(f.call(asm.FnGetCurrentPidTgid))}
	case "uid":
		return val{t: t, r: f.low32(f.call(asm.FnGetCurrentUidGid))}
	case "gid":
		return val{t: t, r: f.aluImm(asm.RSh, f.call(asm.FnGetCurrentUidGid), 32)}
	case "cpu":
		return val{t: t, r: f.call(asm.FnGetSmpProcessorId)}
	case "nsecs":
		// the boot clock, as bpftrace's nsecs (nsecs(monotonic) for the other)
		return val{t: t, r: f.call(asm.FnKtimeGetBootNs)}
	case "elapsed":
		now := f.call(asm.FnKtimeGetNs)
		g := f.newReg()
		f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalStartNs})
		return val{t: t, r: f.alu(asm.Sub, now, f.load(mem{base: g}, 8))}
	case "ncpus":
		return val{t: t, r: f.imm(int64(f.c.tgt.NumCPU))}
	case "numaid":
		return val{t: t, r: f.call(asm.FnGetNumaNodeId)}
	case "rand":
		return val{t: t, r: f.call(asm.FnGetPrandomU32)}
	case "cgroup":
		return val{t: t, r: f.call(asm.FnGetCurrentCgroupId)}
	case "jiffies":
		return val{t: t, r: f.call(asm.FnJiffies64)}
	case "curtask":
		return val{t: t, r: f.call(asm.FnGetCurrentTask)}
	case "kstack", "ustack", "dw_ustack":
		return f.stack(t)
	case "cpid":
		g := f.newReg()
		f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalCpid})
		return val{t: t, r: f.load(mem{base: g}, 8)}
	case "comm":
		m := f.alloc(16)
		f.call(asm.FnGetCurrentComm, f.addr(m), f.imm(16))
		return val{t: t, m: &m}
	case "probe":
		m := f.alloc(t.Size)
		b := make([]byte, t.Size)
		copy(b, f.ctx.Name)
		f.constBytes(m, b)
		return val{t: t, m: &m}
	case "args", "ctx":
		return val{t: t, m: &mem{base: f.ctxReg, ctx: true}}
	}
	if strings.HasPrefix(e.Name, "arg") {
		var n int
		fmt.Sscanf(e.Name, "arg%d", &n)
		if f.ctx.Provider == "usdt" {
			return val{t: t, r: f.usdtArg(f.ctx.USDTArgs[n])}
		}
		if f.ctx.Provider == "rawtracepoint" || f.ctx.Kind == types.ProgTracing {
			return val{t: t, r: f.load(mem{base: f.ctxReg, off: int32(8 * n)}, 8)}
		}
		return val{t: t, r: f.load(mem{base: f.ctxReg, off: ptRegsArgs[n]}, 8)}
	}
	switch e.Name {
	case "retval":
		if f.ctx.Kind == types.ProgTracing {
			// The return value follows the arguments; read the whole slot
			// and narrow it to its type.
			r := f.load(mem{base: f.ctxReg, off: int32(8 * f.ctx.NumArgs)}, 8)
			if t.Kind == types.Int {
				r = f.narrow(r, t.Size, t.Signed)
			}
			return val{t: t, r: r}
		}
		return val{t: t, r: f.load(mem{base: f.ctxReg, off: ptRegsRAX}, 8)}
	case "func":
		if f.ctx.Provider == "uprobe" {
			return f.usym(f.load(mem{base: f.ctxReg, off: ptRegsIP}, 8), t)
		}
		return val{t: t, r: f.call(asm.FnGetFuncIp, f.ctxReg)}
	}
	f.fail(e.At, "builtin %s not supported by the code generator yet", e.Name)
	return val{}
}

// strlen counts the bytes of the string at m before its NUL, reading at
// most size bytes, in a bounded loop.
func (f *fn) strlen(m mem, size int) vreg {
	n := f.newReg()
	p := f.newReg()
	f.emit(&inst{op: opMovImm, dst: n, imm: 0})
	f.emit(&inst{op: opMov, dst: p, a: f.addr(m)})
	top, end := f.label(), f.label()
	f.mark(top)
	f.emit(&inst{op: opJcc, a: n, cc: asm.JGE, useImm: true, imm: int64(size), label: end})
	c := f.newReg()
	f.emit(&inst{op: opLoad, dst: c, a: p, size: asm.Byte})
	f.emit(&inst{op: opJcc, a: c, cc: asm.JEq, useImm: true, imm: 0, label: end})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: n, a: n, useImm: true, imm: 1})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: p, a: p, useImm: true, imm: 1})
	f.jmp(top)
	f.mark(end)
	return n
}

// strncmp compares the first n bytes of the strings at a and b (stopping
// at a NUL) and returns 0 when they are equal, 1 otherwise.
func (f *fn) strncmp(a, b mem, n int) vreg {
	r := f.newReg()
	f.emit(&inst{op: opMovImm, dst: r, imm: 1})
	pa, pb, i := f.newReg(), f.newReg(), f.newReg()
	f.emit(&inst{op: opMov, dst: pa, a: f.addr(a)})
	f.emit(&inst{op: opMov, dst: pb, a: f.addr(b)})
	f.emit(&inst{op: opMovImm, dst: i, imm: 0})
	top, equal, end := f.label(), f.label(), f.label()
	f.mark(top)
	f.emit(&inst{op: opJcc, a: i, cc: asm.JGE, useImm: true, imm: int64(n), label: equal})
	ca, cb := f.newReg(), f.newReg()
	f.emit(&inst{op: opLoad, dst: ca, a: pa, size: asm.Byte})
	f.emit(&inst{op: opLoad, dst: cb, a: pb, size: asm.Byte})
	f.emit(&inst{op: opJcc, a: ca, b: cb, cc: asm.JNE, label: end})
	f.emit(&inst{op: opJcc, a: ca, cc: asm.JEq, useImm: true, imm: 0, label: equal})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: i, a: i, useImm: true, imm: 1})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: pa, a: pa, useImm: true, imm: 1})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: pb, a: pb, useImm: true, imm: 1})
	f.jmp(top)
	f.mark(equal)
	f.emit(&inst{op: opMovImm, dst: r, imm: 0})
	f.mark(end)
	return r
}

// x86-64 struct pt_regs offsets: the argument registers of the C calling
// convention (rdi, rsi, rdx, rcx, r8, r9), the return value and the
// instruction pointer.
var ptRegsArgs = [...]int32{112, 104, 96, 88, 72, 64}

const (
	ptRegsRAX = 80
	ptRegsIP  = 128
)

func (f *fn) low32(v vreg) vreg {
	return f.aluImm(asm.RSh, f.aluImm(asm.LSh, v, 32), 32)
}

// extend sign- or zero-extends the low size bytes of v (already zero
// extended by the load) to 64 bits.
func (f *fn) extend(v vreg, size int, signed bool) vreg {
	if !signed || size >= 8 {
		return v
	}
	sh := int64(64 - 8*size)
	return f.aluImm(asm.ArSh, f.aluImm(asm.LSh, v, sh), sh)
}

// usdtArg reads a USDT argument where its note says it is.
func (f *fn) usdtArg(l types.ArgLoc) vreg {
	if l.Const {
		return f.imm(l.Disp)
	}
	var v vreg
	if l.Reg >= 0 {
		v = f.load(mem{base: f.ctxReg, off: int32(l.Reg)}, 8)
	} else {
		v = f.imm(0)
	}
	if l.Mem {
		addr := f.aluImm(asm.Add, v, l.Disp)
		if l.Index >= 0 {
			idx := f.load(mem{base: f.ctxReg, off: int32(l.Index)}, 8)
			addr = f.alu(asm.Add, addr, f.aluImm(asm.Mul, idx, int64(l.Scale)))
		}
		tmp := f.alloc(8)
		f.storeImm(tmp, 8, 0)
		f.call(asm.FnProbeReadUser, f.addr(tmp), f.imm(int64(l.Size)), addr)
		v = f.load(tmp, 8)
	}
	return f.narrow(v, l.Size, l.Signed)
}

// output sends a record of size bytes at rec through the ring buffer; a
// record that finds no room is counted in the globals' lost counter.
//
// The count is kept without a branch (the sign bit of the helper's
// result is added), so that loops do not double their paths for the
// verifier at every record.
func (f *fn) output(rec mem, size int) {
	r := f.call(asm.FnRingbufOutput, f.mapPtr(EventsMap), f.addr(rec), f.imm(int64(size)), f.imm(0))
	f.countGlobal(GlobalLost, f.aluImm(asm.RSh, r, 63))
}

// countGlobal adds n to the u64 at off in the globals map, atomically.
func (f *fn) countGlobal(off int, n vreg) {
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: int32(off)})
	f.emit(&inst{op: opStore, a: g, b: n, size: asm.DWord, atomic: true})
}

// mapUpdate writes value v at key k of map mm. Updates refused because
// the map is full (-E2BIG) are counted, without a branch, in the map's
// slot of the globals map; user space warns when the count moves.
func (f *fn) mapUpdate(mm *MapMeta, k, v mem) {
	r := f.call(asm.FnMapUpdateElem, f.mapPtr(mm.SpecName), f.addr(k), f.addr(v), f.imm(0))
	// full = (r == -7): x = r + 7 is 0 exactly then; (x | -x) has its
	// sign bit set for every other x.
	x := f.aluImm(asm.Add, r, 7)
	nx := f.newReg()
	f.emit(&inst{op: opNeg, dst: nx, a: x})
	full := f.aluImm(asm.Xor, f.aluImm(asm.RSh, f.alu(asm.Or, x, nx), 63), 1)
	if mm.FullPos == (lang.Pos{}) {
		mm.FullPos = f.pos
	}
	f.countGlobal(mm.FullOff, full)
}

// mapLen counts a map's entries: bpf_for_each_map_elem returns how many
// elements it visited, and the callback visits them all.
func (f *fn) mapLen(m *lang.MapExpr) vreg {
	mm := f.mapMeta(m)
	f.root.ncallbacks++
	name := fmt.Sprintf("cb%d", f.root.ncallbacks)
	src := asm.Comment(f.pos.String())
	insns := asm.Instructions{
		btf.WithFuncMetadata(asm.Mov.Imm(asm.R0, 0).WithSymbol(name).WithSource(src), funcInfo(name, 4)),
		asm.Return().WithSource(src),
	}
	f.root.callbacks = append(f.root.callbacks, callback{insns: insns, positions: []lang.Pos{f.pos, f.pos}})
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: name})
	return f.call(asm.FnForEachMapElem, f.mapPtr(mm.SpecName), fp, f.imm(0), f.imm(0))
}

// buf reads min(n, capacity) bytes at an address (or of an array) into
// a buffer value: a length byte, then the bytes.
func (f *fn) buf(e *lang.Call, t *types.Type) val {
	capacity := t.Size - 1
	m := f.alloc(t.Size)
	f.zero(m, t.Size)
	x := f.expr(e.Args[0])
	f.pos = e.At
	if x.m != nil { // an array: copy it
		f.copyMem(m.plus(1), *x.m, min(capacity, x.t.Size))
		f.storeImm(m, 1, int64(min(capacity, x.t.Size)))
		return val{t: t, m: &m}
	}
	n := f.imm(int64(capacity))
	if len(e.Args) == 2 {
		n = f.newReg()
		f.emit(&inst{op: opMov, dst: n, a: f.scalar(f.expr(e.Args[1]))})
		ok := f.label()
		f.emit(&inst{op: opJcc, a: n, cc: asm.JLE, useImm: true, imm: int64(capacity), label: ok})
		f.emit(&inst{op: opMovImm, dst: n, imm: int64(capacity)})
		f.mark(ok)
	}
	read := asm.FnProbeReadKernel
	if (x.t.Kind == types.Ptr && x.t.User) || f.ctx.ArgsUser || strings.HasPrefix(f.ctx.Provider, "u") {
		read = asm.FnProbeReadUser
	}
	f.call(read, f.addr(m.plus(1)), n, f.scalar(x))
	f.store(m, 1, n)
	return val{t: t, m: &m}
}

// usym pairs a user address with the pid of the process it belongs to.
func (f *fn) usym(addr vreg, t *types.Type) val {
	m := f.alloc(16)
	f.store(m, 8, addr)
	f.store(m.plus(8), 8, f.aluImm(asm.RSh, f.call(asm.FnGetCurrentPidTgid), 32))
	return val{t: t, m: &m}
}

// StackMapName is the map that holds stacks of type t: a stack trace map
// per limit, and for build_id stacks another per limit, whose frames are
// the kernel's (status, build id, file offset or address) records; for
// dw_ustack a hash map per limit.
func StackMapName(t *types.Type) string {
	if t.Name == "dw_ustack" {
		return DWStackMapName(t.Len)
	}
	if t.Mode == "build_id" {
		return fmt.Sprintf("stack_bid_%d", t.Len)
	}
	return fmt.Sprintf("stack_%d", t.Len)
}

// stackEntries is the number of distinct stacks a stack map keeps.
const stackEntries = 4096

// BuildIDFrameSize is the size of one frame of a build_id stack: struct
// bpf_stack_build_id (status s32, build id [20]u8, offset or ip u64).
const BuildIDFrameSize = 32

// stack records the current kernel or user stack in a stack trace map
// and returns its id; a user stack also carries the pid (upper 32 bits),
// so that user space can symbolize it. A failed capture keeps the error
// (a negative id) in the lower half.
func (f *fn) stack(t *types.Type) val {
	if t.Name == "dw_ustack" {
		return f.dwStack(t)
	}
	name := StackMapName(t)
	if _, ok := f.c.prog.Spec.Maps[name]; !ok {
		spec := &ebpf.MapSpec{Name: name, Type: ebpf.StackTrace, KeySize: 4, ValueSize: uint32(8 * t.Len), MaxEntries: stackEntries}
		if t.Mode == "build_id" {
			spec.ValueSize = uint32(BuildIDFrameSize * t.Len)
			spec.Flags = 1 << 5 // BPF_F_STACK_BUILD_ID
		}
		f.c.prog.Spec.Maps[name] = spec
	}
	flags := int64(0)
	if t.Name == "ustack" {
		flags = 1 << 8 // BPF_F_USER_STACK
	}
	id := f.call(asm.FnGetStackid, f.ctxReg, f.mapPtr(name), f.imm(flags))
	return val{t: t, r: f.stackID(t, id)}
}

// stackID keeps the low 32 bits of a stack id and, for user stacks, puts
// the pid in the upper half.
func (f *fn) stackID(t *types.Type, id vreg) vreg {
	id = f.aluImm(asm.And, id, 0xffffffff)
	if t.Name != "kstack" {
		pid := f.aluImm(asm.And, f.call(asm.FnGetCurrentPidTgid), -0x100000000) // tgid << 32
		id = f.alu(asm.Or, id, pid)
	}
	return id
}

// narrow keeps the low size bytes of a 64-bit register, sign- or
// zero-extended.
func (f *fn) narrow(v vreg, size int, signed bool) vreg {
	if size >= 8 {
		return v
	}
	sh := int64(64 - 8*size)
	right := asm.RSh
	if signed {
		right = asm.ArSh
	}
	return f.aluImm(right, f.aluImm(asm.LSh, v, sh), sh)
}

// place is where a struct-typed value lives without reading it: local
// memory (the context, the stack, scratch), or an address in kernel or
// user memory that must be read with a probe_read helper.
type place struct {
	m    *mem
	addr vreg
	user bool
}

func (p place) plus(off int) place {
	if p.m != nil {
		m := p.m.plus(off)
		return place{m: &m}
	}
	return p
}

// placeOf finds where the struct (or pointer to struct) e lives.
func (f *fn) placeOf(e lang.Expr) (place, *types.Type) {
	t := f.typeOf(e)
	if t.Kind == types.Ptr {
		return place{addr: f.scalar(f.expr(e)), user: t.User}, t.Elem
	}
	if ie, ok := e.(*lang.Index); ok && t.Kind == types.Struct && f.typeOf(ie.X).Kind == types.Ptr {
		addr, user := f.elemAddr(ie, t)
		return place{addr: addr, user: user}, t
	}
	if fe, ok := e.(*lang.Field); ok && t.Kind == types.Struct {
		p, st := f.placeOf(fe.X)
		if st.Kind == types.Struct {
			fld, _ := st.Field(fe.Name)
			if p.m == nil {
				f.pos = fe.At
				p.addr = f.aluImm(asm.Add, p.addr, int64(fld.Offset))
				return p, t
			}
			return p.plus(fld.Offset), t
		}
	}
	x := f.expr(e)
	if x.m == nil {
		f.fail(e.Pos(), "internal error: %s value not in memory", t)
	}
	return place{m: x.m}, t
}

func (f *fn) field(e *lang.Field, t *types.Type) val {
	p, st := f.placeOf(e.X)
	f.pos = e.At
	if st.Kind == types.Tuple {
		fld, ok := st.Field(e.Name)
		if !ok {
			var idx int
			fmt.Sscan(e.Name, &idx)
			fld = st.Fields[idx]
		}
		return f.fromMem(p.m.plus(fld.Offset), fld.Type)
	}
	fld, _ := st.Field(e.Name)
	if p.m != nil && p.m.ctx && f.ctx.Kind == types.ProgTracing {
		// fentry/fexit arguments: each in a u64 slot of the context,
		// read whole (the kernel allows only that) and narrowed.
		r := f.load(p.m.plus(fld.Offset), 8)
		if fld.Type.Kind == types.Int {
			r = f.narrow(r, fld.Type.Size, fld.Type.Signed)
		}
		if fld.Type.Kind == types.Ptr && f.ctx.Provider == "iter" {
			f.skipIfNull(r)
		}
		return val{t: fld.Type, r: r}
	}
	if fld.BitSize > 0 {
		var unit val
		if p.m == nil {
			unit = f.fromAddr(f.aluImm(asm.Add, p.addr, int64(fld.Offset)), p.user, fld.Type)
		} else {
			unit = f.fromMem(p.m.plus(fld.Offset), fld.Type)
		}
		return f.bitfield(unit, fld)
	}
	if p.m == nil {
		addr := f.aluImm(asm.Add, p.addr, int64(fld.Offset))
		return f.fromAddr(addr, p.user, fld.Type)
	}
	at := p.m.plus(fld.Offset)
	if fld.DataLoc {
		// The u32 holds (length << 16 | offset from the start of the record).
		loc := f.aluImm(asm.And, f.load(at, 4), 0xffff)
		src := f.alu(asm.Add, p.m.base, loc)
		m := f.alloc(t.Size)
		f.call(asm.FnProbeReadKernelStr, f.addr(m), f.imm(int64(t.Size)), src)
		return val{t: t, m: &m}
	}
	return f.fromMem(at, fld.Type)
}

// bitfield extracts fld's bits from the unit that holds them: shifted to
// the top of the register and back, so that a signed field is
// sign-extended.
func (f *fn) bitfield(unit val, fld types.Field) val {
	r := f.scalar(unit)
	if fld.Type.Signed && fld.Type.Size < 8 {
		// fromMem/fromAddr sign-extended the unit: start from its raw bits.
		r = f.aluImm(asm.And, r, int64(uint64(1)<<(fld.Type.Size*8)-1))
	}
	r = f.aluImm(asm.LSh, r, int64(64-fld.BitOff-fld.BitSize))
	shift := asm.RSh
	if fld.Type.Signed {
		shift = asm.ArSh
	}
	r = f.aluImm(shift, r, int64(64-fld.BitSize))
	return val{t: fld.Type, r: r}
}

// fromAddr reads a value of type t at a kernel (or user) address.
func (f *fn) fromAddr(addr vreg, user bool, t *types.Type) val {
	read := asm.FnProbeReadKernel
	if user {
		read = asm.FnProbeReadUser
	}
	switch t.Kind {
	case types.Int, types.Bool, types.Ptr:
		size := t.Size
		if t.Kind == types.Ptr {
			size = 8
		}
		tmp := f.alloc(8)
		f.storeImm(tmp, 8, 0)
		f.call(read, f.addr(tmp), f.imm(int64(size)), addr)
		return f.fromMem(tmp, t)
	}
	rt := t
	if t.Kind == types.Array && t.Elem.Kind == types.Int && t.Elem.Size == 1 {
		rt = types.StrType(t.Size)
	}
	m := f.alloc(t.Size)
	f.call(read, f.addr(m), f.imm(int64(t.Size)), addr)
	return val{t: rt, m: &m}
}

// fromMem reads a value of type t stored at m.
func (f *fn) fromMem(m mem, t *types.Type) val {
	switch t.Kind {
	case types.Int, types.Bool:
		return val{t: t, r: f.extend(f.load(m, t.Size), t.Size, t.Signed)}
	case types.Ptr:
		return val{t: t, r: f.load(m, 8)}
	case types.Array:
		if t.Elem.Kind == types.Int && t.Elem.Size == 1 {
			// char arrays are strings
			st := types.StrType(t.Size)
			d := f.alloc(t.Size)
			f.copyMem(d, m, t.Size)
			return val{t: st, m: &d}
		}
	}
	if m.ctx {
		d := f.alloc(t.Size)
		f.copyMem(d, m, t.Size)
		return val{t: t, m: &d}
	}
	return val{t: t, m: &m}
}

func (f *fn) callExpr(e *lang.Call, t *types.Type) val {
	f.pos = e.At
	if cf := f.c.info.CCalls[e]; cf != nil {
		return f.scriptCCall(e, cf, t)
	}
	if v, ok := f.moreCall(e, t); ok {
		return v
	}
	switch e.Fun {
	case "ksym":
		return val{t: t, r: f.scalar(f.expr(e.Args[0]))}
	case "usym":
		return f.usym(f.scalar(f.expr(e.Args[0])), t)
	case "kstack", "ustack", "dw_ustack":
		return f.stack(t)
	case "strftime":
		return val{t: t, r: f.scalar(f.expr(e.Args[1]))}
	case "buf":
		return f.buf(e, t)
	case "reg":
		off := f.c.info.Consts[e.Args[0]].Int
		return val{t: t, r: f.load(mem{base: f.ctxReg, off: int32(off)}, 8)}
	case "len":
		return val{t: t, r: f.mapLen(e.Args[0].(*lang.MapExpr))}
	case "bswap":
		x := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		d := f.newReg()
		f.emit(&inst{op: opMov, dst: d, a: x})
		f.emit(&inst{op: opSwap, dst: d, a: d, imm: int64(8 * t.Size)})
		return val{t: t, r: d}
	case "strlen":
		s := f.expr(e.Args[0])
		f.pos = e.At
		return val{t: t, r: f.strlen(*s.m, s.t.Size)}
	case "strncmp":
		a, b := f.expr(e.Args[0]), f.expr(e.Args[1])
		n := int(e.Args[2].(*lang.IntLit).Val)
		f.pos = e.At
		return val{t: t, r: f.strncmp(*a.m, *b.m, min(n, a.t.Size, b.t.Size))}
	case "has_key":
		m := e.Args[0].(*lang.MapExpr)
		m = &lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])}
		p, _ := f.mapLookup(m, f.mapMeta(m))
		d := f.newReg()
		skip := f.label()
		f.emit(&inst{op: opMovImm, dst: d, imm: 0})
		f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: skip})
		f.emit(&inst{op: opMovImm, dst: d, imm: 1})
		f.mark(skip)
		return val{t: t, r: d}
	case "str":
		if isStrOrArray(f.typeOf(e.Args[0])) {
			return f.expr(e.Args[0]) // already a string (or a positional parameter)
		}
		m := f.alloc(t.Size)
		f.readStr(e, m, t.Size, true)
		return val{t: t, m: &m}
	}
	f.fail(e.At, "function %s() not supported by the code generator yet", e.Fun)
	return val{}
}

func (f *fn) unary(e *lang.Unary, t *types.Type) val {
	switch e.Op {
	case "++", "--":
		return f.incDec(e)
	case "!":
		return f.boolVal(e, t)
	case "&":
		return f.addressOf(e, t)
	}
	if e.Op == "*" {
		pt := f.typeOf(e.X)
		addr := f.scalar(f.expr(e.X))
		f.pos = e.At
		user := pt.User
		if pt.Kind == types.Int {
			// an integer address: user memory in user-space probes
			switch f.ctx.Provider {
			case "uprobe", "uretprobe", "usdt":
				user = true
			}
		}
		return f.fromAddr(addr, user, t)
	}
	x := f.scalar(f.expr(e.X))
	f.pos = e.At
	switch e.Op {
	case "-":
		d := f.newReg()
		f.emit(&inst{op: opNeg, dst: d, a: x})
		return val{t: t, r: d}
	case "~":
		return val{t: t, r: f.aluImm(asm.Xor, x, -1)}
	}
	f.fail(e.At, "operator %s not supported by the code generator yet", e.Op)
	return val{}
}

var aluOps = map[string]asm.ALUOp{
	"+": asm.Add, "-": asm.Sub, "*": asm.Mul, "/": asm.Div, "%": asm.Mod,
	"&": asm.And, "|": asm.Or, "^": asm.Xor, "<<": asm.LSh, ">>": asm.RSh,
}

func (f *fn) arith(op string, x, y val, signed bool) vreg {
	a, b := f.scalar(x), f.scalar(y)
	if op == "+" || op == "-" {
		// pointer arithmetic counts elements
		switch {
		case x.t.Kind == types.Ptr && y.t.Kind != types.Ptr:
			if n := elemSize(x.t); n != 1 {
				b = f.aluImm(asm.Mul, b, n)
			}
		case y.t.Kind == types.Ptr && x.t.Kind != types.Ptr:
			if n := elemSize(y.t); n != 1 {
				a = f.aluImm(asm.Mul, a, n)
			}
		}
	}
	alu := aluOps[op]
	if signed {
		switch alu {
		case asm.Div, asm.Mod:
			return f.signedDiv(alu, a, b)
		case asm.RSh:
			alu = asm.ArSh
		}
	}
	return f.alu(alu, a, b)
}

// elemSize is the size of what pointer type t points to (1 for void).
func elemSize(t *types.Type) int64 {
	if t.Elem == nil || t.Elem.Size <= 0 {
		return 1
	}
	return int64(t.Elem.Size)
}

// signedDiv divides (or takes the remainder) of signed values without the
// v4 instruction set's sdiv/smod, which older kernels lack: it divides the
// magnitudes and fixes the sign (C semantics: the quotient truncates toward
// zero, the remainder has the dividend's sign).
func (f *fn) signedDiv(alu asm.ALUOp, a, b vreg) vreg {
	abs := func(v vreg) (vreg, vreg) {
		neg := f.newReg()
		r := f.newReg()
		pos := f.label()
		f.emit(&inst{op: opMovImm, dst: neg, imm: 0})
		f.emit(&inst{op: opMov, dst: r, a: v})
		f.emit(&inst{op: opJcc, a: v, cc: asm.JSGE, useImm: true, imm: 0, label: pos})
		f.emit(&inst{op: opNeg, dst: r, a: r})
		f.emit(&inst{op: opMovImm, dst: neg, imm: 1})
		f.mark(pos)
		return r, neg
	}
	ua, na := abs(a)
	ub, nb := abs(b)
	res := f.alu(alu, ua, ub)
	flip := na
	if alu == asm.Div {
		flip = f.alu(asm.Xor, na, nb)
	}
	done := f.label()
	f.emit(&inst{op: opJcc, a: flip, cc: asm.JEq, useImm: true, imm: 0, label: done})
	f.emit(&inst{op: opNeg, dst: res, a: res})
	f.mark(done)
	return res
}

func (f *fn) binary(e *lang.Binary, t *types.Type) val {
	if _, ok := aluOps[e.Op]; ok {
		x, y := f.expr(e.X), f.expr(e.Y)
		f.pos = e.At
		if (e.Op == "/" || e.Op == "%") && !nonZeroLit(e.Y) {
			return val{t: t, r: f.checkedDiv(e, x, y, t.Signed)}
		}
		return val{t: t, r: f.arith(e.Op, x, y, t.Signed)}
	}
	return f.boolVal(e, t)
}

// checkedDiv divides as bpftrace does when the divisor may be 0: the
// result is then 1, with a warning at the operator.
func (f *fn) checkedDiv(e *lang.Binary, x, y val, signed bool) vreg {
	res := f.newReg()
	ok, done := f.label(), f.label()
	f.emit(&inst{op: opJcc, a: f.scalar(y), cc: asm.JNE, useImm: true, imm: 0, label: ok})
	f.printf(&lang.Call{At: e.At, Fun: "warnf", Args: []lang.Expr{&lang.StrLit{At: e.At,
		Val: "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result."}}})
	f.emit(&inst{op: opMovImm, dst: res, imm: 1})
	f.jmp(done)
	f.mark(ok)
	f.pos = e.At
	f.emit(&inst{op: opMov, dst: res, a: f.arith(e.Op, x, y, signed)})
	f.mark(done)
	return res
}

// nonZeroLit tells whether e is an integer literal other than 0.
func nonZeroLit(e lang.Expr) bool {
	for {
		p, ok := e.(*lang.Paren)
		if !ok {
			break
		}
		e = p.X
	}
	lit, ok := e.(*lang.IntLit)
	return ok && lit.Val != 0
}

// boolVal materializes a condition as 0 or 1.
func (f *fn) boolVal(e lang.Expr, t *types.Type) val {
	d := f.newReg()
	no := f.label()
	f.emit(&inst{op: opMovImm, dst: d, imm: 0})
	f.branch(e, no, false)
	f.emit(&inst{op: opMovImm, dst: d, imm: 1})
	f.mark(no)
	return val{t: t, r: d}
}

func (f *fn) ternary(e *lang.Ternary, t *types.Type) val {
	els, end := f.label(), f.label()
	if t.Kind == types.Void && e.Then != nil {
		f.branch(e.Cond, els, false)
		f.exprStmt(e.Then)
		f.jmp(end)
		f.mark(els)
		f.exprStmt(e.Else)
		f.mark(end)
		return val{t: t}
	}
	if t.Kind == types.Str || t.Kind == types.Tuple {
		m := f.alloc(t.Size)
		res := val{t: t, m: &m}
		if e.Then == nil {
			c := f.expr(e.Cond)
			f.storeVal(m, t, c, true)
			f.strTruth(c, els, true)
			f.storeVal(m, t, f.expr(e.Else), true)
			f.mark(els)
			return res
		}
		f.branch(e.Cond, els, false)
		f.storeVal(m, t, f.expr(e.Then), true)
		f.jmp(end)
		f.mark(els)
		f.storeVal(m, t, f.expr(e.Else), true)
		f.mark(end)
		return res
	}
	d := f.newReg()
	if e.Then == nil {
		c := f.scalar(f.expr(e.Cond))
		f.emit(&inst{op: opMov, dst: d, a: c})
		f.emit(&inst{op: opJcc, a: c, cc: asm.JNE, useImm: true, imm: 0, label: end})
		f.emit(&inst{op: opMov, dst: d, a: f.scalar(f.expr(e.Else))})
		f.mark(end)
		return val{t: t, r: d}
	}
	f.branch(e.Cond, els, false)
	f.emit(&inst{op: opMov, dst: d, a: f.scalar(f.expr(e.Then))})
	f.jmp(end)
	f.mark(els)
	f.emit(&inst{op: opMov, dst: d, a: f.scalar(f.expr(e.Else))})
	f.mark(end)
	return val{t: t, r: d}
}

var (
	cmpOps = map[string][2]asm.JumpOp{ // unsigned, signed
		"==": {asm.JEq, asm.JEq}, "!=": {asm.JNE, asm.JNE},
		"<": {asm.JLT, asm.JSLT}, "<=": {asm.JLE, asm.JSLE},
		">": {asm.JGT, asm.JSGT}, ">=": {asm.JGE, asm.JSGE},
	}
	negate = map[string]string{"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
)

// branch jumps to label when the truth of e equals when, and falls through
// otherwise. && and || short-circuit.
func (f *fn) branch(e lang.Expr, label string, when bool) {
	switch x := e.(type) {
	case *lang.Paren:
		f.branch(x.X, label, when)
		return
	case *lang.Unary:
		if x.Op == "!" {
			f.branch(x.X, label, !when)
			return
		}
	case *lang.Binary:
		switch x.Op {
		case "&&", "||":
			and := x.Op == "&&"
			if and != when { // && jumping on false, || jumping on true
				f.branch(x.X, label, when)
				f.branch(x.Y, label, when)
				return
			}
			skip := f.label()
			f.branch(x.X, skip, !when)
			f.branch(x.Y, label, when)
			f.mark(skip)
			return
		}
		if ops, ok := cmpOps[x.Op]; ok {
			xt, yt := f.typeOf(x.X), f.typeOf(x.Y)
			if types.BytesComparable(xt, yt) {
				f.bytesCompare(x, label, when)
				return
			}
			if xt.Kind == types.Str {
				f.strCompare(x, label, when)
				return
			}
			op := x.Op
			if !when {
				op = negate[op]
				ops = cmpOps[op]
			}
			cc := ops[0]
			if types.SignedOp(xt, yt) {
				cc = ops[1]
			}
			a := f.scalar(f.expr(x.X))
			if lit, ok := x.Y.(*lang.IntLit); ok && lit.Val <= 1<<31-1 {
				f.pos = x.At
				f.emit(&inst{op: opJcc, a: a, cc: cc, useImm: true, imm: int64(lit.Val), label: label})
				return
			}
			b := f.scalar(f.expr(x.Y))
			f.pos = x.At
			f.emit(&inst{op: opJcc, a: a, b: b, cc: cc, label: label})
			return
		}
	}
	v := f.expr(e)
	if v.m != nil {
		f.strTruth(v, label, when)
		return
	}
	cc := asm.JNE
	if !when {
		cc = asm.JEq
	}
	f.emit(&inst{op: opJcc, a: v.r, cc: cc, useImm: true, imm: 0, label: label})
}

// strCompare compiles a string == or != comparison into a branch.
func (f *fn) strCompare(x *lang.Binary, label string, when bool) {
	var lit *lang.StrLit
	other := x.X
	if l, ok := x.Y.(*lang.StrLit); ok {
		lit = l
	} else if l, ok := x.X.(*lang.StrLit); ok {
		lit, other = l, x.Y
	}
	if lit == nil {
		a, b := f.expr(x.X), f.expr(x.Y)
		f.pos = x.At
		f.strStrEq(a, b, label, (x.Op == "==") == when)
		return
	}
	s := f.expr(other)
	f.pos = x.At
	f.strEq(s, lit.Val, label, (x.Op == "==") == when)
}

// strStrEq compares two strings in memory byte by byte, up to the first
// NUL or the shorter size, and jumps to label when their equality is
// onEqual. A string that ends at its size without a NUL equals the longer
// one only if the longer has a NUL there.
func (f *fn) strStrEq(a, b val, label string, onEqual bool) {
	if a.t.Size > b.t.Size {
		a, b = b, a
	}
	n := a.t.Size
	same, differ := f.label(), f.label()
	i, _, _ := f.byteLoop(f.addr(*a.m), f.addr(*b.m), n, true, same, differ)
	f.mark(same)
	if b.t.Size > n {
		// a ran out without a NUL: b must end here too.
		end := f.label()
		f.emit(&inst{op: opJcc, a: i, cc: asm.JLT, useImm: true, imm: int64(n), label: end})
		f.emit(&inst{op: opJcc, a: f.load(b.m.plus(n), 1), cc: asm.JNE, useImm: true, imm: 0, label: differ})
		f.mark(end)
	}
	if onEqual {
		f.jmp(label)
		f.mark(differ)
		return
	}
	done := f.label()
	f.jmp(done)
	f.mark(differ)
	f.jmp(label)
	f.mark(done)
}

// strTruth jumps to label when the truth of string s (non-empty) equals when.
func (f *fn) strTruth(s val, label string, when bool) {
	f.strEq(s, "", label, !when)
}

// strEq compares string s with the constant lit (up to s's size, as
// bpftrace compares strings) and jumps to label when (s == lit) equals
// onEqual.
func (f *fn) strEq(s val, lit string, label string, onEqual bool) {
	want := append([]byte(lit), 0)
	if len(want) > s.t.Size {
		if len(lit) > s.t.Size { // can never be equal
			if !onEqual {
				f.jmp(label)
			}
			return
		}
		want = want[:s.t.Size]
	}
	miss := label
	if onEqual {
		miss = f.label()
	}
	for i, ch := range want {
		b := f.load(s.m.plus(i), 1)
		f.emit(&inst{op: opJcc, a: b, cc: asm.JNE, useImm: true, imm: int64(ch), label: miss})
	}
	if onEqual {
		f.jmp(label)
		f.mark(miss)
	}
}
