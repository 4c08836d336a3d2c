package verify

import (
	"fmt"
	"math"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/vm/insn"
)

// verifier holds one verification.
type verifier struct {
	code []raw
	prog ebpf.ProgramType
	opts Options

	subprogs      []*subprog
	subOf         []int
	subStart      map[int]int
	callbackStart map[int]bool
	prune         []bool
	live          []uint16

	explored  [][]*checkpoint // by instruction
	pending   []*state
	processed int
	jmps      int // jumps walked
	// prevInsns and prevJmps are processed and jmps when a state was
	// last kept.
	prevInsns, prevJmps int
	limit               int
	nextID              uint32
	ids                 idmap        // scratch for state comparisons
	spare               *spare       // memory to reuse (reuse.go)
	perInsn             *perInsn     // the spare's memory of per-instruction facts
	checkpoints         []checkpoint // allocated ahead, for newCheckpoint

	mayPtr, mayStack []uint16 // registers that may hold a (stack) pointer
	// lookupMaps holds, at each map lookup, the map r1 holds on every
	// path there, or nil (stackFlow)
	lookupMaps map[int]*mapInfo
	precRegs   []uint16 // registers whose value matters (precise.go)
	precSlots  []uint64 // stack slots whose value matters
	ctxUse     []int8   // per load or store: 1 used with the context, 2 with another pointer
}

// checkpoint is a state kept at a prune point. pending counts the paths
// still being explored below it; a checkpoint with none pending is
// complete, and any later state it subsumes is safe.
type checkpoint struct {
	st        *state
	parent    *checkpoint
	pending   int
	hit, miss int // later states it pruned, and did not
}

// maxStatesPerInsn bounds the states kept at one prune point. A bounded
// loop keeps one per iteration at its head, and paths that rejoin an
// iteration are pruned only against its state: a loop over a
// 1024-byte string needs over a thousand. The kernel keeps them all.
const (
	maxStatesPerInsn = 8192
	maxPending       = 8192
)

func run(code []raw, pt ebpf.ProgramType, opts Options, sp *spare) error {
	v := &verifier{code: code, prog: pt, opts: opts, callbackStart: map[int]bool{}}
	v.takeSpare(sp)
	defer v.giveSpare()
	v.limit = opts.MaxInsns
	if v.limit <= 0 {
		v.limit = 1000000
	}
	if !progSupported(pt) {
		return &Error{Insn: 0, Msg: fmt.Sprintf("program type %s is not supported by gotrace's verifier", progName(pt))}
	}
	if err := v.validate(); err != nil {
		return err
	}
	if err := v.buildCFG(); err != nil {
		return err
	}
	if err := v.explore(); err != nil {
		return err
	}
	return v.checkStackDepth()
}

func (v *verifier) newID() uint32 {
	v.nextID++
	return v.nextID
}

func (v *verifier) initial() *state {
	f := &frame{callsite: -1}
	f.regs[1] = reg{kind: kCtx}
	f.regs[10] = reg{kind: kStack}
	return &state{frames: []*frame{f}}
}

// explore walks every path depth first.
func (v *verifier) explore() error {
	v.pending = append(v.pending, v.initial())
	for len(v.pending) > 0 {
		st := v.pending[len(v.pending)-1]
		v.pending = v.pending[:len(v.pending)-1]
		if err := v.walk(st); err != nil {
			if e, ok := err.(*Error); ok && e.Detail == "" {
				e.Detail = st.dump()
			}
			return err
		}
		v.release(st)
	}
	return nil
}

// finish ends a path: the checkpoints above it that have nothing left to
// explore become complete.
func (v *verifier) finish(st *state) {
	for cp := st.parent; cp != nil; cp = cp.parent {
		cp.pending--
		if cp.pending > 0 {
			break
		}
	}
}

// fork queues a copy of st to continue at pc.
func (v *verifier) fork(st *state, pc int) (*state, error) {
	if len(v.pending) >= maxPending {
		return nil, v.errf(st, "the program has too many branches pending at once (over %d): simplify its conditions", maxPending)
	}
	o := v.clone(st)
	o.pc = pc
	if st.parent != nil {
		st.parent.pending++
	}
	v.pending = append(v.pending, o)
	return o, nil
}

func (v *verifier) errf(st *state, format string, a ...any) error {
	return &Error{Insn: st.pc, Msg: fmt.Sprintf(format, a...), Detail: st.dump()}
}

// walk follows one path until it exits, is pruned or fails.
func (v *verifier) walk(st *state) error {
	for {
		v.processed++
		if v.processed > v.limit {
			err := v.errf(st, "program is over the %s instruction limit the verifier explores (a loop with too many iterations, or too many paths)", commas(v.limit))
			err.(*Error).Limit = true
			return err
		}
		if v.prune[st.pc] {
			pruned, err := v.checkpoint(st)
			if err != nil {
				return err
			}
			if pruned {
				v.finish(st)
				return nil
			}
		}
		done, err := v.step(st)
		if err != nil {
			return err
		}
		if done {
			v.finish(st)
			return nil
		}
	}
}

func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// checkpoint compares st with the states kept at its instruction.
//
// As the kernel does, a new state is kept only when the walk has gone
// at least 8 instructions and 2 jumps since the last one kept, and a
// kept state that keeps failing to prune (more than three misses per
// hit, plus three) is dropped from the list, even while paths below it
// are still open. Long loops then keep few states, while the states of
// each iteration of a search loop live long enough to prune the paths
// that rejoin it.
func (v *verifier) checkpoint(st *state) (bool, error) {
	list := v.explored[st.pc]
	isCallSite := v.isCallbackCall(st.pc)
	// Callback call sites and entries converge by widening: every state
	// there is kept.
	force := isCallSite || v.callbackStart[st.pc]
	addNew := force || v.processed-v.prevInsns >= 8 && v.jmps-v.prevJmps >= 2
	kept := list[:0]
	for i, cp := range list {
		if cp.pending > 0 {
			// cp is on the current path: we came back to it.
			if isCallSite {
				if v.subsumes(cp.st, st) {
					v.explored[st.pc] = append(kept, list[i:]...)
					return true, nil
				}
				v.widen(cp.st, st)
				kept = append(kept, cp)
				continue
			}
			if v.equal(cp.st, st) {
				return false, v.errf(st, "loop has no bound the verifier can see: it comes back here with nothing changed")
			}
			if !force && v.jmps-v.prevJmps < 20 && v.processed-v.prevInsns < 100 {
				addNew = false
			}
		} else if v.subsumes(cp.st, st) {
			cp.hit++
			v.explored[st.pc] = append(kept, list[i:]...)
			return true, nil
		}
		if addNew && !force {
			cp.miss++
		}
		if cp.miss <= 3*cp.hit+3 {
			kept = append(kept, cp)
		} else {
			v.dropSnapshot(cp)
		}
	}
	v.explored[st.pc] = kept
	if addNew && len(kept) < maxStatesPerInsn {
		v.prevInsns, v.prevJmps = v.processed, v.jmps
		cp := v.newCheckpoint()
		*cp = checkpoint{st: v.snapshot(st), parent: st.parent, pending: 1}
		st.parent = cp
		v.explored[st.pc] = append(kept, cp)
	}
	return false, nil
}

func (v *verifier) isCallbackCall(pc int) bool {
	c := &v.code[pc]
	return c.Op == insn.JMP|insn.CALL && c.Src == 0 && isCallbackHelper(c.Imm)
}

// sameBase checks that a load or store is not used with the context on
// one path and another pointer on another: the kernel rewrites context
// accesses, so an instruction must be one or the other.
func (v *verifier) sameBase(st *state, p reg) error {
	if v.ctxUse == nil {
		v.ctxUse = make([]int8, len(v.code))
	}
	use := int8(2)
	if p.kind == kCtx {
		use = 1
	}
	if prev := v.ctxUse[st.pc]; prev != 0 && prev != use {
		return v.errf(st, "this load or store reads the context on one path and other memory on another: the kernel needs one or the other")
	}
	v.ctxUse[st.pc] = use
	return nil
}

// step executes one instruction on st. It reports done when the path
// ended at the program's exit.
func (v *verifier) step(st *state) (bool, error) {
	c := &v.code[st.pc]
	f := st.cur()
	switch c.Class() {
	case insn.ALU, insn.ALU64:
		if err := v.alu(st, c); err != nil {
			return false, err
		}
		st.pc++
	case insn.LDX:
		if err := v.checkRead(st, c.Src); err != nil {
			return false, err
		}
		if err := v.checkWriteReg(st, c.Dst); err != nil {
			return false, err
		}
		ptr := f.regs[c.Src]
		if err := v.sameBase(st, ptr); err != nil {
			return false, err
		}
		val, err := v.access(st, c.Src, ptr, int32(c.Off), c.Bytes(), false, nil)
		if err != nil {
			return false, err
		}
		if c.Mode() == insn.MEMSX {
			val = signExtend(val, c.Bytes())
		}
		f.regs[c.Dst] = val
		st.pc++
	case insn.ST:
		if err := v.checkRead(st, c.Dst); err != nil {
			return false, err
		}
		ptr := f.regs[c.Dst]
		if ptr.kind == kCtx {
			return false, v.errf(st, "a constant cannot be stored into the program's context (r%d): only registers can be stored there", c.Dst)
		}
		if err := v.sameBase(st, ptr); err != nil {
			return false, err
		}
		val := constScalar(uint64(int64(c.Imm)))
		if _, err := v.access(st, c.Dst, ptr, int32(c.Off), c.Bytes(), true, &val); err != nil {
			return false, err
		}
		st.pc++
	case insn.STX:
		if err := v.checkRead(st, c.Dst); err != nil {
			return false, err
		}
		if err := v.checkRead(st, c.Src); err != nil {
			return false, err
		}
		if c.Mode() == insn.ATOMIC {
			if err := v.atomic(st, c); err != nil {
				return false, err
			}
			st.pc++
			break
		}
		ptr := f.regs[c.Dst]
		val := f.regs[c.Src]
		if err := v.sameBase(st, ptr); err != nil {
			return false, err
		}
		if _, err := v.access(st, c.Dst, ptr, int32(c.Off), c.Bytes(), true, &val); err != nil {
			return false, err
		}
		st.pc++
	case insn.LD:
		if c.Op == insn.LDDW {
			if err := v.checkWriteReg(st, c.Dst); err != nil {
				return false, err
			}
			f.regs[c.Dst] = v.lddw(st, c)
			st.pc += 2
			break
		}
		if err := v.ldAbs(st, c); err != nil {
			return false, err
		}
		st.pc++
	case insn.JMP, insn.JMP32:
		if op := c.Code(); op != insn.CALL && op != insn.EXIT {
			v.jmps++
		}
		return v.jump(st, c)
	}
	return false, nil
}

func (v *verifier) lddw(st *state, c *raw) reg {
	switch c.Src {
	case insn.PseudoMapFD:
		return reg{kind: kMapPtr, m: c.m}
	case insn.PseudoMapValue:
		r := reg{kind: kMapValue, m: c.m, off: c.Next}
		r.setVarConst(0)
		return r
	case insn.PseudoFunc:
		return reg{kind: kFunc, fn: int32(c.Target(st.pc))}
	case insn.PseudoBTFID:
		// a kernel variable of vmlinux; gotrace only loads per-CPU ones
		return reg{kind: kPercpu, fn: c.Imm}
	}
	return constScalar(c.Imm64)
}

// checkRead fails if register r holds nothing.
func (v *verifier) checkRead(st *state, r uint8) error {
	if st.cur().regs[r].kind == kNotInit {
		return v.errf(st, "r%d is read before anything was written to it", r)
	}
	return nil
}

func (v *verifier) checkWriteReg(st *state, r uint8) error {
	if r == 10 {
		return v.errf(st, "r10 is the frame pointer and is read-only")
	}
	return nil
}

func signExtend(r reg, size int) reg {
	bitsz := uint(size * 8)
	if r.kind != kScalar {
		return unknownScalar()
	}
	if r.isConst() {
		return constScalar(uint64(int64(r.tn.value<<(64-bitsz)) >> (64 - bitsz)))
	}
	// Values that stay below the sign bit keep their bounds.
	if r.umax < uint64(1)<<(bitsz-1) {
		return r
	}
	n := unknownScalar()
	n.smin = -(int64(1) << (bitsz - 1))
	n.smax = int64(1)<<(bitsz-1) - 1
	n.sync()
	return n
}

// jump handles the jump class: conditional and unconditional jumps, calls
// and exit.
func (v *verifier) jump(st *state, c *raw) (bool, error) {
	op := c.Code()
	switch op {
	case insn.JA:
		st.pc = c.Target(st.pc)
		return false, nil
	case insn.EXIT:
		return v.exit(st)
	case insn.CALL:
		switch c.Src {
		case insn.PseudoCall:
			return false, v.pseudoCall(st, c)
		case insn.PseudoKfuncCall:
			return false, v.kfuncCall(st)
		}
		return false, v.helperCall(st, c)
	}
	return v.condJump(st, c)
}

func (v *verifier) exit(st *state) (bool, error) {
	f := st.cur()
	r0 := f.regs[0]
	if r0.kind == kNotInit {
		// A function may return nothing: only reading r0 afterwards is
		// an error (as in the kernel). A callback must return a value.
		if len(st.frames) == 1 {
			return false, v.errf(st, "the program returns without setting its return value (r0)")
		}
		if f.callback {
			return false, v.errf(st, "the callback returns without setting r0")
		}
	}
	if len(st.frames) == 1 {
		for _, ref := range st.refs {
			return false, v.errf(st, "ring buffer space reserved at instruction %d is neither submitted nor discarded on this path", ref.insn)
		}
		if r0.kind != kScalar {
			if v.opts.Unprivileged || retNeedsScalar(v.prog) {
				return false, v.errf(st, "the program returns a pointer (%s): it must return a number", r0.String())
			}
		}
		if lo, hi, ok := retRange(v.prog); ok {
			if r0.kind != kScalar || r0.smin < lo || r0.smax > hi {
				return false, v.errf(st, "the program's return value must be in [%d, %d], but it may be %s", lo, hi, r0.String())
			}
		}
		return true, nil
	}
	// Return from a function.
	if f.callback {
		if r0.kind != kScalar || r0.smin < 0 || r0.smax > 1 {
			return false, v.errf(st, "a callback must return 0 or 1, but it may return %s", r0.String())
		}
	}
	if r0.kind == kStack && r0.frame == int32(len(st.frames)-1) {
		return false, v.errf(st, "the function returns a pointer into its own stack, which is gone after it returns")
	}
	// References held may cross function boundaries.
	callsite := f.callsite
	callback := f.callback
	st.frames = st.frames[:len(st.frames)-1]
	caller := st.cur()
	if callback {
		// Back to the helper, which may call it again or return.
		st.pc = callsite
		return false, nil
	}
	caller.regs[0] = r0
	for i := 1; i <= 5; i++ {
		caller.regs[i] = reg{}
	}
	st.pc = callsite + 1
	return false, nil
}

// pseudoCall enters a bpf-to-bpf function.
func (v *verifier) pseudoCall(st *state, c *raw) error {
	if len(st.frames) >= maxCallFrames {
		return v.errf(st, "calls are nested more than %d deep", maxCallFrames)
	}
	target := c.Target(st.pc)
	caller := st.cur()
	nf := &frame{callsite: st.pc, subprog: v.subOf[target]}
	for i := 1; i <= 5; i++ {
		nf.regs[i] = caller.regs[i]
	}
	nf.regs[10] = reg{kind: kStack, frame: int32(len(st.frames))}
	st.frames = append(st.frames, nf)
	sp := v.subprogs[v.subOf[st.pc]]
	addCallee(sp, v.subOf[target])
	st.pc = target
	return nil
}

func addCallee(sp *subprog, k int) {
	for _, c := range sp.callees {
		if c == k {
			return
		}
	}
	sp.callees = append(sp.callees, k)
}

// privateStack tells whether the kernel may give the functions of a
// program of type t a private stack (where Options.PrivateStack says it
// grants them at all).
func privateStack(t ebpf.ProgramType) bool {
	switch t {
	case ebpf.Kprobe, ebpf.TracePoint, ebpf.PerfEvent, ebpf.RawTracepoint, ebpf.Tracing:
		return true
	}
	return false
}

// checkStackDepth adds up the stack frames along every call chain.
func (v *verifier) checkStackDepth() error {
	var walk func(k int, total int, depth int) error
	walk = func(k int, total int, depth int) error {
		sp := v.subprogs[k]
		// Frames are rounded up to 16 bytes, as for JIT-compiled programs.
		d := (sp.depth + 15) &^ 15
		// Where the kernel grants it, tracing programs give functions
		// with 64 bytes of stack or more a private stack of their own.
		if !(v.opts.PrivateStack && privateStack(v.prog) && sp.depth >= 64) {
			total += d
		}
		if total > stackSize {
			return &Error{Insn: sp.start, Msg: fmt.Sprintf("the stack frames of the functions called together add up to %d bytes, over the kernel's %d", total, stackSize)}
		}
		if depth > maxCallFrames {
			return &Error{Insn: sp.start, Msg: fmt.Sprintf("calls are nested more than %d deep", maxCallFrames)}
		}
		for _, c := range sp.callees {
			if err := walk(c, total, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if len(v.subprogs) == 1 {
		return nil
	}
	return walk(0, 0, 1)
}

// condJump handles conditional jumps: it decides the branch when it can,
// and otherwise follows both with what each learns about the registers.
func (v *verifier) condJump(st *state, c *raw) (bool, error) {
	f := st.cur()
	if err := v.checkRead(st, c.Dst); err != nil {
		return false, err
	}
	var src reg
	if c.Op&insn.X != 0 {
		if err := v.checkRead(st, c.Src); err != nil {
			return false, err
		}
		src = f.regs[c.Src]
	} else {
		src = constScalar(uint64(int64(c.Imm)))
	}
	dst := f.regs[c.Dst]
	op := c.Code()
	is32 := c.Class() == insn.JMP32
	target := c.Target(st.pc)

	pktPair := isPacket(dst.kind) && isPacket(src.kind)
	if v.opts.Unprivileged && c.Op&insn.X != 0 && src.isPointer() && !pktPair {
		return false, v.errf(st, "r%d is a pointer: pointers may not be compared without CAP_PERFMON", c.Src)
	}
	taken := branchTaken(dst, src, op, is32)
	if v.opts.Unprivileged && taken < 0 && dst.isPointer() && !pktPair &&
		!(dst.null && src.isZero() && !is32 && (op == insn.JEQ || op == insn.JNE)) {
		return false, v.errf(st, "r%d is a pointer: pointers may not be compared without CAP_PERFMON", c.Dst)
	}
	if taken == 1 {
		st.pc = target
		return false, nil
	}
	if taken == 0 {
		st.pc++
		return false, nil
	}
	other, err := v.fork(st, target)
	if err != nil {
		return false, err
	}
	// other: the jump is taken; st: it falls through.
	if !v.refine(other, c, op, is32, true) {
		// The taken branch is impossible: drop it again.
		v.pending = v.pending[:len(v.pending)-1]
		v.release(other)
		if st.parent != nil {
			st.parent.pending--
		}
	}
	if !v.refine(st, c, op, is32, false) {
		return true, nil
	}
	st.pc++
	return false, nil
}

func isPacket(k kind) bool { return k == kPacket || k == kPacketMeta || k == kPacketEnd }

// refine narrows the registers of st for the outcome taken of the jump.
// It reports false when the outcome cannot happen.
func (v *verifier) refine(st *state, c *raw, op uint8, is32 bool, taken bool) bool {
	f := st.cur()
	dst := &f.regs[c.Dst]
	var src *reg
	var imm reg
	if c.Op&insn.X != 0 {
		src = &f.regs[c.Src]
	} else {
		imm = constScalar(uint64(int64(c.Imm)))
		src = &imm
	}
	if !taken {
		op = negate(op)
	}
	// NULL checks.
	if (op == insn.JEQ || op == insn.JNE) && !is32 {
		if dst.null && src.isZero() {
			v.markNull(st, dst.id, op == insn.JEQ)
			return true
		}
	}
	// Packet bounds.
	if dst.kind == kPacket && src.kind == kPacketEnd || dst.kind == kPacketEnd && src.kind == kPacket ||
		dst.kind == kPacketMeta && src.kind == kPacket {
		v.refinePacket(st, dst, src, op)
		return true
	}
	if dst.kind != kScalar || src.kind != kScalar {
		return true
	}
	if is32 {
		// Only values that fit in 32 bits are refined by 32-bit jumps.
		if dst.umax > math.MaxUint32 || src.umax > math.MaxUint32 {
			return true
		}
		if isSignedJmp(op) && (dst.umax > math.MaxInt32 || src.umax > math.MaxInt32) {
			return true
		}
	}
	d, s := *dst, *src
	if !refineScalars(&d, &s, op) {
		return false
	}
	*dst = d
	if c.Op&insn.X != 0 {
		*src = s
	}
	v.syncLinked(st, dst)
	if c.Op&insn.X != 0 {
		v.syncLinked(st, src)
	}
	return true
}

func isSignedJmp(op uint8) bool {
	switch op {
	case insn.JSGT, insn.JSGE, insn.JSLT, insn.JSLE:
		return true
	}
	return false
}

// negate gives the jump that is taken exactly when op is not.
func negate(op uint8) uint8 {
	switch op {
	case insn.JEQ:
		return insn.JNE
	case insn.JNE:
		return insn.JEQ
	case insn.JGT:
		return insn.JLE
	case insn.JLE:
		return insn.JGT
	case insn.JGE:
		return insn.JLT
	case insn.JLT:
		return insn.JGE
	case insn.JSGT:
		return insn.JSLE
	case insn.JSLE:
		return insn.JSGT
	case insn.JSGE:
		return insn.JSLT
	case insn.JSLT:
		return insn.JSGE
	case insn.JSET:
		return insn.JSET | 0x01 // "not set", internal
	}
	return op
}

// markNull sets every copy of the maybe-NULL pointer id to NULL or to
// the pointer.
func (v *verifier) markNull(st *state, id uint32, isNull bool) {
	if id == 0 {
		return
	}
	fix := func(r *reg) {
		if r.id != id || !r.null {
			return
		}
		if isNull {
			*r = constScalar(0)
			return
		}
		r.null = false
		if r.kind != kMem {
			r.id = 0
		}
	}
	for _, f := range st.frames {
		for i := range f.regs {
			fix(&f.regs[i])
		}
		for i := range f.stack {
			if x := &f.stack[i].spill; x.id == id && x.null {
				v.ownStack(f)
				fix(&f.stack[i].spill)
			}
		}
	}
	if isNull {
		// A NULL reservation needs no release.
		for i, ref := range st.refs {
			if ref.id == id {
				st.refs = append(st.refs[:i], st.refs[i+1:]...)
				break
			}
		}
	}
}

// syncLinked copies the bounds of r to the scalars that are copies of it.
func (v *verifier) syncLinked(st *state, r *reg) {
	if r.kind != kScalar || r.id == 0 {
		return
	}
	linked := func(x *reg) bool { return x != r && x.kind == kScalar && x.id == r.id }
	set := func(x *reg) {
		if !linked(x) {
			return
		}
		id, delta, added := x.id, x.delta, x.added
		n := *r
		if d := delta - r.delta; d != 0 {
			n = scalarOp(n, constScalar(uint64(d)), insn.ADD)
		}
		n.id, n.delta, n.added = id, delta, added
		*x = n
	}
	for _, f := range st.frames {
		for i := range f.regs {
			set(&f.regs[i])
		}
		for i := range f.stack {
			if f.stack[i].typ[0] == sSpill && f.stack[i].spillSize() == 8 && linked(&f.stack[i].spill) {
				v.ownStack(f)
				set(&f.stack[i].spill)
			}
		}
	}
}

// refinePacket learns how many packet bytes a comparison with pkt_end
// proves readable.
func (v *verifier) refinePacket(st *state, dst, src *reg, op uint8) {
	var pkt *reg
	var good bool
	switch {
	case dst.kind == kPacket && src.kind == kPacketEnd:
		pkt = dst
		// pkt > end: taken means out of range; pkt <= end: in range.
		good = op == insn.JLE || op == insn.JLT
	case dst.kind == kPacketEnd && src.kind == kPacket:
		pkt = src
		good = op == insn.JGE || op == insn.JGT
	default:
		return
	}
	if !good {
		return
	}
	// The range counts from the pointer's variable base, which every
	// packet pointer with the same id shares (id 0: data itself).
	rng := pkt.off
	if rng <= 0 {
		return
	}
	id := pkt.id
	for _, f := range st.frames {
		for i := range f.regs {
			if x := &f.regs[i]; x.kind == kPacket && x.id == id && x.rng < rng {
				x.rng = rng
			}
		}
		for i := range f.stack {
			if x := &f.stack[i].spill; x.kind == kPacket && x.id == id && x.rng < rng {
				v.ownStack(f)
				f.stack[i].spill.rng = rng
			}
		}
	}
}

// kfuncCall models a call of a kernel function (kfunc) loosely: it
// clobbers the argument registers and returns an unknown scalar that may
// be a kernel object's address (kobj). The
// kernel's verifier, which knows each kfunc's signature and the
// references it acquires and releases, checks the call itself.
func (v *verifier) kfuncCall(st *state) error {
	f := st.cur()
	for i := 1; i <= 5; i++ {
		f.regs[i] = reg{}
	}
	f.regs[0] = unknownScalar()
	f.regs[0].kobj = true
	st.pc++
	return nil
}
