package codegen

import (
	"fmt"
	"maps"
	"regexp"
	goruntime "runtime"
	"strings"
	"sync"

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
	// perCPUValueMax is the largest value the kernel allows a per-CPU map
	// (PCPU_MIN_UNIT_SIZE).
	perCPUValueMax = 32 << 10
	defaultKeys    = 4096
	// scratchKeySlot is the stack slot at the top of each frame that holds
	// the key of the scratch map lookup.
	scratchKeySlot = 8
	// maxInsns bounds a program: jump offsets are 16 bits.
	maxInsns    = 32767
	ringbufSize = 1 << 20
)

// compiler holds what is shared by all programs of a script.
type compiler struct {
	info *types.Info
	tgt  Target
	prog *Program
	maps map[string]*MapMeta
	// scratchMu guards scratch and bigScratch, which programs finished at
	// the same time raise
	scratchMu sync.Mutex
	scratch   int // the largest scratch area a program takes from ScratchMap
	// bigScratch: the largest a program takes from BigScratchMap (those
	// that need more than a per-CPU value can hold)
	bigScratch int
	// cmaps are the spec names of the maps imported C defines.
	cmaps map[*types.CMap]string
	// exitWhileAttached: a probe that runs while the others are
	// attached (not BEGIN, not END) calls exit().
	exitWhileAttached bool
	// stopFlag: some program tests the stop flag (testsStop), so the
	// program has StopMap and exit() sets it.
	stopFlag bool
}

// testsStop says whether the program of ctx tests the stop flag at entry:
// where its provider says nothing else can stop it at once
// (types.FreezeByFlag), and where gotrace freezes its attachment
// (types.FreezeByAttachment) if exit() may be called while it is
// attached: exit() freezes the results there and then, before gotrace
// hears of it. Without such an exit(), the script stops when gotrace
// decides to, and freezing the attachments then is as immediate as
// setting the flag.
func (c *compiler) testsStop(ctx *types.Context) bool {
	switch ctx.Freeze {
	case types.FreezeByFlag:
		return true
	case types.FreezeByAttachment:
		return c.exitWhileAttached
	}
	return false
}

// callsExit reports whether the body of p calls exit().
func (c *compiler) callsExit(p *lang.Probe) bool {
	found := false
	lang.Inspect(p.Body, func(n lang.Node) bool {
		if call, ok := n.(*lang.Call); ok && c.info.Builtins.Of(call) == types.BuiltinExit {
			found = true
		}
		return !found
	})
	return found
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
	for _, pi := range info.Probes {
		for _, ctx := range pi.Contexts {
			if ctx.Run != types.RunBegin && ctx.Run != types.RunEnd && c.callsExit(pi.Probe) {
				c.exitWhileAttached = true
			}
		}
	}
	for _, pi := range info.Probes {
		for _, ctx := range pi.Contexts {
			c.stopFlag = c.stopFlag || c.testsStop(ctx)
		}
	}
	for i, name := range info.MapNames() {
		c.addMap(i, info.Maps[name])
	}
	c.addCGlobals()
	c.addCMaps()
	if err := c.compileProbes(); err != nil {
		return nil, err
	}
	spec := c.prog.Spec
	spec.Maps[EventsMap] = &ebpf.MapSpec{Name: EventsMap, Type: ebpf.RingBuf, MaxEntries: ringbufSize}
	globals := make([]byte, GlobalsSize+8*len(c.prog.Maps)+8*len(c.prog.LongLoops))
	globals[GlobalOne] = 1 // little-endian u64 1, there from the map's creation
	spec.Maps[GlobalsMap] = &ebpf.MapSpec{Name: GlobalsMap, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(len(globals)), MaxEntries: 1,
		Contents: []ebpf.MapKV{{Key: uint32(0), Value: globals}}}
	if c.scratch > 0 {
		spec.Maps[ScratchMap] = &ebpf.MapSpec{Name: ScratchMap, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: uint32(c.scratch), MaxEntries: 1}
	}
	if c.bigScratch > 0 {
		spec.Maps[BigScratchMap] = &ebpf.MapSpec{Name: BigScratchMap, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(c.bigScratch), MaxEntries: uint32(c.tgt.NumCPU)}
	}
	if c.stopFlag {
		spec.Maps[StopMap] = &ebpf.MapSpec{Name: StopMap, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	}
	if c.tgt.Self > 0 && c.tgt.Child {
		spec.Maps[HeldMap] = &ebpf.MapSpec{Name: HeldMap, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	}
	if len(c.prog.SkbOutputs) > 0 {
		// MaxEntries 0: one ring per possible CPU
		spec.Maps[SkbMap] = &ebpf.MapSpec{Name: SkbMap, Type: ebpf.PerfEventArray}
	}
	c.prog.ScratchSize = max(c.scratch, c.bigScratch)
	return c.prog, nil
}

// compileProbes compiles every probe at each of its attach points, in
// order. The programs are emitted one after the other (they number the
// events and loops they share), finished by as many goroutines as may
// run at once (finishing one needs nothing of the others), and added to
// the Program in order: the result is the same as compiling them one by
// one. A script that imports C compiles them one by one (its functions
// are compiled into each program that calls them once it is finished).
func (c *compiler) compileProbes() error {
	var jobs []*probeJob
	for _, pi := range c.info.Probes {
		if pi.Merged {
			continue // compiled into its kprobe session's program
		}
		for _, ctx := range pi.Contexts {
			jobs = append(jobs, &probeJob{pi: pi, ctx: ctx})
		}
	}
	var errs lang.ErrorList
	add := func(j *probeJob) error {
		if j.panicked != nil {
			panic(j.panicked)
		}
		err := c.addProbe(j)
		if le, ok := err.(*lang.Error); ok {
			errs = append(errs, le)
			return nil
		}
		return err
	}
	workers := min(goruntime.GOMAXPROCS(0), len(jobs)) - 1
	if c.info.C != nil || workers < 1 {
		for _, j := range jobs {
			*j = *c.emitProbe(j.pi, j.ctx)
			if j.err == nil {
				j.finishProbe()
			}
			if err := add(j); err != nil {
				return err
			}
		}
	} else {
		// A few programs wait to be finished, no more: emitting is
		// quicker than finishing, and the IR of every program at once
		// would be memory for the garbage collector to go through.
		work := make(chan *probeJob, workers)
		finishOne := func(j *probeJob) {
			defer func() { j.panicked = recover() }()
			j.finishProbe()
		}
		finish := func() {
			for j := range work {
				finishOne(j)
			}
		}
		var wg sync.WaitGroup
		for range workers {
			wg.Go(finish)
		}
		for _, j := range jobs {
			*j = *c.emitProbe(j.pi, j.ctx)
			if j.err != nil {
				continue
			}
			select {
			case work <- j:
			default:
				finishOne(j) // the others are busy: this goroutine finishes it
			}
		}
		close(work)
		finish() // this goroutine helps once it has emitted every program
		wg.Wait()
		for _, j := range jobs {
			if err := add(j); err != nil {
				return err
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
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
	if mi.Value.Kind == types.Agg && mi.Value.AggFn.Bucketed() {
		m.Bucketed = true
		m.BucketOff = (m.KeySize + 7) &^ 7
		if mi.Key == nil {
			m.BucketOff = 0 // the bucket is the whole key
		}
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
	// stackAllocs are the stack regions alloc handed out (opt_stack.go).
	stackAllocs []stackSlot
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
	// emitPos is pos as the instructions emitted last hold it
	emitPos *lang.Pos
	// readAt is the expression a failed probe read is reported at (-k:
	// runtime_errors.go).
	readAt  lang.Pos
	noSpill map[vreg]bool
	// reads are the map reads of the probe's filter its body may reuse
	// (opt_mapreads.go).
	reads *mapReads
	loops []loopLabels
	// leaveFlag, in a loop callback, is the scratch slot that tells the
	// caller the probe ends (return, exit()) rather than the loop.
	leaveFlag *mem
	// root is the program's main function; callbacks of for-over-map
	// loops (at any depth) are collected there.
	root       *fn
	callbacks  []callback
	ncallbacks int
	// insts holds the instructions the program and its callbacks emit
	// (nil: each its own allocation)
	insts *instArena
}

// probeJob is the program of one probe at one attach point on its way:
// emitted (emitProbe), finished (finishProbe: optimized, allocated and
// lowered, which needs nothing of the other programs), then added to the
// Program (addProbe).
type probeJob struct {
	pi   *types.ProbeInfo
	ctx  *types.Context
	f    *fn
	body []*inst
	exit string
	err  error
	// the finished program and its callbacks
	insns     asm.Instructions
	positions Positions
	stack     int
	// panicked is what a finishing goroutine recovered, to be raised again
	// by the one that called Compile
	panicked any
}

// emitProbe writes the IR of probe pi at one attach point. A kprobe
// session's program (ctx.Session) holds the kprobe block and, after it,
// the kretprobe block (pi.Return), and asks the kernel which to run.
// Emitting touches what the programs share (event ids, maps of stacks,
// long loops), so the programs are emitted one after the other, in order.
func (c *compiler) emitProbe(pi *types.ProbeInfo, ctx *types.Context) *probeJob {
	j := &probeJob{pi: pi, ctx: ctx}
	p := pi.Probe
	addressed := c.addressedVars(p.Body)
	if ctx.Session {
		maps.Copy(addressed, c.addressedVars(pi.Return.Probe.Body))
	}
	f := &fn{c: c, ctx: ctx, nregs: 2, vars: map[string]val{}, noSpill: map[vreg]bool{}, frame: scratchKeySlot, addressed: addressed, insts: newInstArena()}
	f.root = f
	f.pos = p.At
	f.ctxReg = f.newReg()
	f.scrReg = f.newReg()
	exit := f.label()
	j.err = f.catch(func() {
		if c.testsStop(ctx) {
			f.stopped(exit)
		}
		// -p's process, gotrace and its -c child are named by their pids
		// in gotrace's pid namespace (f.pidTgid)
		if pid := c.tgt.PID; pid > 0 && ctx.AnyProcess {
			// -p: only that process's events (which are not gotrace's)
			tgid := f.aluImm(asm.RSh, f.pidTgid(), 32)
			f.emit(&inst{op: opJcc, a: tgid, cc: asm.JNE, useImm: true, imm: int64(pid), label: exit})
		} else if self := c.tgt.Self; self > 0 && ctx.SkipSelf {
			tgid := f.aluImm(asm.RSh, f.pidTgid(), 32)
			f.emit(&inst{op: opJcc, a: tgid, cc: asm.JEq, useImm: true, imm: int64(self), label: exit})
			if c.tgt.Child {
				held := f.newReg()
				f.emit(&inst{op: opMapValue, dst: held, ref: HeldMap})
				f.emit(&inst{op: opJcc, a: tgid, b: f.load(mem{base: held}, 8), cc: asm.JEq, label: exit})
			}
		}
		if cg := c.tgt.Cgroup; cg.ID != 0 && ctx.InProcess {
			id := f.call(asm.FnGetCurrentAncestorCgroupId, f.imm(int64(cg.Level)))
			f.emit(&inst{op: opJcc, a: id, b: f.imm(int64(cg.ID)), cc: asm.JNE, label: exit})
		}
		if !ctx.Session {
			f.probeBlock(p, exit)
			return
		}
		atReturn := f.label()
		isRet := f.kfuncCall("bpf_session_is_return")
		f.emit(&inst{op: opJcc, a: isRet, cc: asm.JNE, useImm: true, imm: 0, label: atReturn})
		f.probeBlock(p, exit)
		f.jmp(exit)
		f.mark(atReturn)
		ret := pi.Return.Probe
		f.pos = ret.At
		f.ctx, f.vars = pi.Return.Contexts[0], map[string]val{}
		f.probeBlock(ret, exit)
	})
	if j.err != nil {
		return j
	}
	f.pos = p.Body.At
	f.mark(exit)
	f.ret(0)
	j.f, j.body, j.exit = f, f.code, exit
	f.code = nil
	f.emit(&inst{op: opCtx, dst: f.ctxReg})
	return j
}

// finishProbe optimizes, allocates and lowers an emitted program and
// places its callbacks after it. It reads what the programs share and
// writes nothing of it but the sizes of scratch memory (under the
// compiler's lock), so programs may be finished at the same time.
func (j *probeJob) finishProbe() {
	f := j.f
	j.insns, j.positions, j.stack, j.err = f.finish(j.body, j.exit, j.pi.Probe.At)
	j.body, f.code = nil, nil // (the IR is done with)
	f.insts.release()
	f.insts = nil
	if j.err != nil {
		return
	}
	for _, cb := range f.callbacks {
		j.insns = append(j.insns, cb.insns...)
		j.positions.addAll(cb.positions)
		j.stack += cb.stack
	}
}

// addProbe adds a finished program to the Program, with the imported C
// functions it calls: its name is its place among the programs.
func (c *compiler) addProbe(j *probeJob) error {
	if j.err != nil {
		return j.err
	}
	p, ctx, insns, positions, stack := j.pi.Probe, j.ctx, j.insns, j.positions, j.stack
	cfuncs, cstack, err := c.compileCFuncs(j.f, insns)
	if err != nil {
		return err
	}
	for _, cb := range cfuncs {
		insns = append(insns, cb.insns...)
		positions.addAll(cb.positions)
	}
	stack += cstack
	if n := positions.Len(); n > maxInsns {
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
		switch {
		case ctx.Iter:
			spec.AttachType = ebpf.AttachTraceIter
		case ctx.RawTP:
			spec.AttachType = ebpf.AttachTraceRawTp
		case ctx.Return:
			spec.AttachType = ebpf.AttachTraceFExit
		}
	}
	if ctx.Kind == types.ProgKprobe && len(ctx.Funcs) > 0 {
		spec.AttachType = ebpf.AttachTraceKprobeMulti
		if ctx.UprobeMulti {
			spec.AttachType = ebpf.AttachTraceUprobeMulti
		}
		if ctx.Session {
			spec.AttachType = ebpf.AttachTraceKprobeSession
		}
	}
	c.prog.Spec.Programs[name] = spec
	c.prog.Probes = append(c.prog.Probes, &ProbeProg{Prog: name, Ctx: ctx, Probe: p, Positions: positions, StackSize: stack, TestsStop: c.testsStop(ctx)})
	return nil
}

// probeBlock compiles a probe's predicate (to exit when it is false)
// and body.
func (f *fn) probeBlock(p *lang.Probe, exit string) {
	if p.Pred != nil {
		f.startMapReads(p.Pred)
		f.branch(p.Pred, exit, false)
	}
	f.block(p.Body)
	f.reads = nil
}

// nameFunc gives a function's first instruction its name and BTF
// function info. A function whose first instruction is a jump target (a
// loop at its very start) gets a first instruction of its own, as an
// instruction has one name.
func nameFunc(insns asm.Instructions, positions Positions, name string, fi *btf.Func) (asm.Instructions, Positions) {
	if insns[0].Symbol() != "" {
		// (with the first line's source: the kernel wants line info at
		// every function's start)
		insns = append(asm.Instructions{asm.Mov.Imm(asm.R0, 0).WithSource(insns[0].Source())}, insns...)
		positions = positions.withFirst()
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
//
// A program's scratch memory is the one value of ScratchMap, a per-CPU
// array, when it fits in a per-CPU value (perCPUValueMax); a program that
// needs more (strings of a large max_strlen) takes its CPU's value of
// BigScratchMap, an array with one value per possible CPU.
func (f *fn) finish(body []*inst, exit string, at lang.Pos) (asm.Instructions, Positions, int, error) {
	if f.scratch > 0 {
		// The key of the scratch lookup: the top slot of every frame is
		// kept for it, as scratch memory is not there yet.
		key := mem{base: fpReg, off: -scratchKeySlot}
		name := ScratchMap
		if f.scratch <= perCPUValueMax {
			f.emit(&inst{op: opStoreImm, a: fpReg, off: key.off, size: asm.Word, imm: 0})
			f.c.scratchMu.Lock()
			f.c.scratch = max(f.c.scratch, f.scratch)
			f.c.scratchMu.Unlock()
		} else {
			name = BigScratchMap
			cpu := f.newReg()
			f.emit(&inst{op: opCall, dst: cpu, fn: asm.FnGetSmpProcessorId})
			f.emit(&inst{op: opStore, a: fpReg, b: cpu, off: key.off, size: asm.Word})
			f.c.scratchMu.Lock()
			f.c.bigScratch = max(f.c.bigScratch, f.scratch)
			f.c.scratchMu.Unlock()
		}
		mp := f.mapPtr(name)
		k := f.addr(key)
		f.emit(&inst{op: opCall, dst: f.scrReg, fn: asm.FnMapLookupElem, args: []vreg{mp, k}})
		f.emit(&inst{op: opJcc, a: f.scrReg, cc: asm.JEq, useImm: true, imm: 0, label: exit})
	}
	code := append(f.code, body...)
	if len(code) > maxInsns {
		return nil, Positions{}, 0, lang.Errorf(at, "this probe compiles to more than %d instructions, more than a BPF program can jump across", maxInsns).
			WithHint("make unroll counts smaller, or use a while or for loop")
	}
	code, al, err := f.optimizeAndAllocate(code)
	if err != nil {
		return nil, Positions{}, 0, lang.Errorf(at, "cannot compile this probe: %v", err)
	}
	insns, positions, err := lower(code, al)
	if err != nil {
		return nil, Positions{}, 0, err
	}
	return insns, positions, al.stackSize, nil
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
