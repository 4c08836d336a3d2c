package verify

import (
	"math"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/vm/insn"
)

type argType uint8

const (
	argNone argType = iota
	argAnything
	argMapPtr
	argMapKey
	argMapValue
	argMem        // memory the helper reads; its size is the next argument
	argUninitMem  // memory the helper writes; its size is the next argument
	argSize       // size of the previous argument, > 0
	argSizeOrZero // size of the previous argument, may be 0
	argCtx
	argRingbufMem // ring buffer space, released by the call
	argFunc       // a callback
	argStackOrNull
	argAllocSize // a known constant size
	argPercpu    // a per-CPU kernel variable (lddw by BTF id)
	argLong      // 8 bytes of memory the helper writes
)

type retType uint8

// percpuMemSize is the size the verifier gives a per-CPU variable's copy.
const percpuMemSize = 1 << 20

const (
	retInt retType = iota
	retVoid
	retMapValueOrNull
	retRingbufMemOrNull
	retPercpuMemOrNull // one CPU's copy of a per-CPU variable, or NULL
	retPercpuMem       // this CPU's copy of a per-CPU variable
)

// helperSet says which program types may call a helper.
type helperSet uint8

const (
	setBase    helperSet = 1 << iota // every supported program type
	setTrace                         // kprobe, tracepoint, raw_tracepoint, perf_event
	setSocket                        // socket_filter
	setXDP                           // xdp
	setKprobe                        // kprobe only
	setPerfmon                       // every type, for loaders with CAP_PERFMON
	setTracing                       // tracing programs (fentry, fexit, iter) only
)

// helper is a helper's prototype: its arguments, its result, the
// program types that may call it.
type helper struct {
	args []argType
	ret  retType
	set  helperSet
	maps []ebpf.MapType // map types the map argument must have (nil: any that allows element access)
}

// helperNames holds the kernel's name of each helper of the table.
var helperNames = sync.OnceValue(func() map[asm.BuiltinFunc]string {
	names := make(map[asm.BuiltinFunc]string, len(helpers))
	for fn := range helpers {
		names[fn] = insn.HelperName(fn)
	}
	return names
})

// helperName is insn.HelperName of a helper of the table.
func helperName(fn asm.BuiltinFunc) string { return helperNames()[fn] }

var helpers = map[asm.BuiltinFunc]*helper{
	asm.FnMapLookupElem:     {[]argType{argMapPtr, argMapKey}, retMapValueOrNull, setBase, nil},
	asm.FnMapUpdateElem:     {[]argType{argMapPtr, argMapKey, argMapValue, argAnything}, retInt, setBase, nil},
	asm.FnMapDeleteElem:     {[]argType{argMapPtr, argMapKey}, retInt, setBase, nil},
	asm.FnProbeRead:         {[]argType{argUninitMem, argSizeOrZero, argAnything}, retInt, setTrace, nil},
	asm.FnKtimeGetNs:        {nil, retInt, setBase, nil},
	asm.FnTracePrintk:       {[]argType{argMem, argSize}, retInt, setPerfmon, nil},
	asm.FnGetPrandomU32:     {nil, retInt, setBase, nil},
	asm.FnGetSmpProcessorId: {nil, retInt, setBase, nil},
	asm.FnGetCurrentPidTgid: {nil, retInt, setBase, nil},
	asm.FnGetCurrentUidGid:  {nil, retInt, setBase, nil},
	asm.FnGetCurrentComm:    {[]argType{argUninitMem, argSize}, retInt, setPerfmon, nil},
	asm.FnPerfEventOutput:   {[]argType{argCtx, argMapPtr, argAnything, argMem, argSizeOrZero}, retInt, setTrace | setSocket | setXDP, []ebpf.MapType{ebpf.PerfEventArray}},
	asm.FnSkbLoadBytes:      {[]argType{argCtx, argAnything, argUninitMem, argSize}, retInt, setSocket, nil},
	asm.FnGetStackid:        {[]argType{argCtx, argMapPtr, argAnything}, retInt, setTrace, []ebpf.MapType{ebpf.StackTrace}},
	asm.FnGetCurrentTask:    {nil, retInt, setPerfmon, nil},
	// bpf_get_current_task_btf returns a trusted task pointer that only
	// bpf_task_pt_regs takes here; both pass it on as a scalar, which is
	// all the programs gotrace generates do with it.
	asm.FnGetCurrentTaskBtf:          {nil, retInt, setTrace, nil},
	asm.FnTaskPtRegs:                 {[]argType{argAnything}, retInt, setTrace, nil},
	asm.FnProbeWriteUser:             {[]argType{argAnything, argMem, argSize}, retInt, setTrace, nil},
	asm.FnGetNumaNodeId:              {nil, retInt, setBase, nil},
	asm.FnProbeReadStr:               {[]argType{argUninitMem, argSizeOrZero, argAnything}, retInt, setTrace, nil},
	asm.FnGetSocketCookie:            {[]argType{argAnything}, retInt, setTracing, nil},
	asm.FnGetStack:                   {[]argType{argCtx, argUninitMem, argSizeOrZero, argAnything}, retInt, setTrace, nil},
	asm.FnGetCurrentCgroupId:         {nil, retInt, setBase, nil},
	asm.FnSendSignal:                 {[]argType{argAnything}, retInt, setPerfmon, nil},
	asm.FnProbeReadUser:              {[]argType{argUninitMem, argSizeOrZero, argAnything}, retInt, setPerfmon, nil},
	asm.FnProbeReadKernel:            {[]argType{argUninitMem, argSizeOrZero, argAnything}, retInt, setPerfmon, nil},
	asm.FnProbeReadUserStr:           {[]argType{argUninitMem, argSizeOrZero, argAnything}, retInt, setPerfmon, nil},
	asm.FnProbeReadKernelStr:         {[]argType{argUninitMem, argSizeOrZero, argAnything}, retInt, setPerfmon, nil},
	asm.FnJiffies64:                  {nil, retInt, setBase, nil},
	asm.FnKtimeGetBootNs:             {nil, retInt, setBase, nil},
	asm.FnKtimeGetTaiNs:              {nil, retInt, setBase, nil},
	asm.FnRingbufOutput:              {[]argType{argMapPtr, argMem, argSizeOrZero, argAnything}, retInt, setBase, []ebpf.MapType{ebpf.RingBuf}},
	asm.FnRingbufReserve:             {[]argType{argMapPtr, argAllocSize, argAnything}, retRingbufMemOrNull, setBase, []ebpf.MapType{ebpf.RingBuf}},
	asm.FnRingbufSubmit:              {[]argType{argRingbufMem, argAnything}, retVoid, setBase, nil},
	asm.FnRingbufDiscard:             {[]argType{argRingbufMem, argAnything}, retVoid, setBase, nil},
	asm.FnRingbufQuery:               {[]argType{argMapPtr, argAnything}, retInt, setBase, []ebpf.MapType{ebpf.RingBuf}},
	asm.FnForEachMapElem:             {[]argType{argMapPtr, argFunc, argStackOrNull, argAnything}, retInt, setBase, []ebpf.MapType{ebpf.Hash, ebpf.Array, ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUHash, ebpf.LRUCPUHash}},
	asm.FnGetFuncIp:                  {[]argType{argCtx}, retInt, setKprobe, nil},
	asm.FnGetFuncRet:                 {[]argType{argCtx, argLong}, retInt, setTracing, nil},
	asm.FnOverrideReturn:             {[]argType{argCtx, argAnything}, retInt, setKprobe, nil},
	asm.FnDPath:                      {[]argType{argAnything, argUninitMem, argSize}, retInt, setTracing, nil},
	asm.FnSendSignalThread:           {[]argType{argAnything}, retInt, setPerfmon, nil},
	asm.FnGetCurrentAncestorCgroupId: {[]argType{argAnything}, retInt, setBase, nil},
	asm.FnGetNsCurrentPidTgid:        {[]argType{argAnything, argAnything, argUninitMem, argSize}, retInt, setBase, nil},
	asm.FnSkbOutput:                  {[]argType{argAnything, argMapPtr, argAnything, argMem, argSizeOrZero}, retInt, setTracing, []ebpf.MapType{ebpf.PerfEventArray}},
	asm.FnPerCpuPtr:                  {[]argType{argPercpu, argAnything}, retPercpuMemOrNull, setPerfmon, nil},
	asm.FnThisCpuPtr:                 {[]argType{argPercpu}, retPercpuMem, setPerfmon, nil},
	asm.FnLoop:                       {[]argType{argAnything, argFunc, argStackOrNull, argAnything}, retInt, setBase, nil},
	asm.FnMapLookupPercpuElem:        {[]argType{argMapPtr, argMapKey, argAnything}, retMapValueOrNull, setBase, []ebpf.MapType{ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUCPUHash}},
}

// isCallbackHelper reports a helper that calls back into the program.
func isCallbackHelper(id int32) bool {
	fn := asm.BuiltinFunc(id)
	return fn == asm.FnForEachMapElem || fn == asm.FnLoop
}

// allowed reports whether program type t may call fn, whose prototype is h.
func allowed(fn asm.BuiltinFunc, h *helper, t ebpf.ProgramType, unprivileged bool) bool {
	if h.set&setBase != 0 {
		return true
	}
	switch t {
	case ebpf.Kprobe, ebpf.TracePoint, ebpf.RawTracepoint, ebpf.PerfEvent, ebpf.Tracing:
		if h.set&(setTrace|setPerfmon) != 0 {
			return true
		}
		if h.set&setKprobe != 0 && t == ebpf.Kprobe {
			return true
		}
		if t == ebpf.Tracing && (fn == asm.FnGetFuncIp || h.set&setTracing != 0) {
			return true
		}
	case ebpf.SocketFilter:
		return h.set&setSocket != 0 || h.set&setPerfmon != 0 && !unprivileged
	case ebpf.XDP:
		return h.set&setXDP != 0 || h.set&setPerfmon != 0 && !unprivileged
	}
	return false
}

// Map types that only some helpers may take.
var restrictedMaps = map[ebpf.MapType][]asm.BuiltinFunc{
	ebpf.ProgramArray:   {asm.FnTailCall},
	ebpf.PerfEventArray: {asm.FnPerfEventRead, asm.FnPerfEventOutput, asm.FnPerfEventReadValue, asm.FnSkbOutput, asm.FnXdpOutput},
	ebpf.RingBuf:        {asm.FnRingbufOutput, asm.FnRingbufReserve, asm.FnRingbufQuery},
	ebpf.StackTrace:     {asm.FnGetStackid},
	ebpf.Queue:          {asm.FnMapPushElem, asm.FnMapPopElem, asm.FnMapPeekElem},
	ebpf.Stack:          {asm.FnMapPushElem, asm.FnMapPopElem, asm.FnMapPeekElem},
	ebpf.ArrayOfMaps:    {asm.FnMapLookupElem},
	ebpf.HashOfMaps:     {asm.FnMapLookupElem},
}

// helperCall checks a call of a kernel helper.
func (v *verifier) helperCall(st *state, c *raw) error {
	f := st.cur()
	fn := asm.BuiltinFunc(c.Imm)
	h := helpers[fn]
	if h == nil {
		if c.Imm <= 0 || c.Imm > int32(asm.FnCgrpStorageDelete) {
			return v.errf(st, "call of helper %d, which does not exist", c.Imm)
		}
		return v.errf(st, "helper %d is not known to gotrace's verifier", c.Imm)
	}
	name := helperName(fn)
	if !allowed(fn, h, v.prog, v.opts.Unprivileged) {
		return v.errf(st, "%s cannot be called from %s programs", name, progName(v.prog))
	}
	var m *mapInfo
	var callback int32 = -1
	var cbCtx reg
	var memReg uint8
	var memPtr reg
	var memWrite bool
	var allocSize int64 = -1
	var release *reg
	constKeyOK := false
	var sizeMax uint64
	for i, at := range h.args {
		regno := uint8(i + 1)
		r := f.regs[regno]
		if r.kind == kNotInit {
			return v.errf(st, "argument %d of %s (r%d) is not set", i+1, name, regno)
		}
		switch at {
		case argAnything:
			if r.isPointer() && v.opts.Unprivileged {
				return v.errf(st, "argument %d of %s (r%d) is a pointer, which would leak its address", i+1, name, regno)
			}
		case argPercpu:
			if r.kind != kPercpu {
				return v.errf(st, "argument %d of %s (r%d) must be a per-CPU kernel variable, but it is %s", i+1, name, regno, r.String())
			}
		case argMapPtr:
			if r.kind != kMapPtr {
				return v.errf(st, "argument %d of %s (r%d) must be a map, but it is %s", i+1, name, regno, r.String())
			}
			m = r.m
			if err := v.checkMapHelper(st, h, fn, m); err != nil {
				return err
			}
		case argMapKey, argMapValue:
			if m == nil {
				return v.errf(st, "%s: no map argument before the key", name)
			}
			size := int64(m.spec.KeySize)
			what := desc{"the key of map ", m.name}
			if at == argMapValue {
				size = int64(m.spec.ValueSize)
				what.prefix = "the value of map "
			}
			if err := v.memArg(st, regno, r, size, size, false, what); err != nil {
				return err
			}
			if at == argMapKey && (m.spec.Type == ebpf.Array || m.spec.Type == ebpf.PerCPUArray) {
				if k, ok := constKey(st, r, int(size)); ok && k < uint64(m.spec.MaxEntries) {
					constKeyOK = true
				}
			}
		case argMem, argUninitMem:
			memReg, memPtr, memWrite = regno, r, at == argUninitMem
		case argLong:
			if err := v.memArg(st, regno, r, 8, 8, true, desc{"the result of ", name}); err != nil {
				return err
			}
		case argSize, argSizeOrZero:
			if r.kind != kScalar {
				return v.errf(st, "argument %d of %s (r%d) must be a size, but it is %s", i+1, name, regno, r.String())
			}
			sizeMax = r.umax
			if r.smin < 0 {
				return v.errf(st, "size argument r%d of %s may be negative: bound it with & or a check", regno, name)
			}
			if r.umin == 0 && at == argSize {
				return v.errf(st, "size argument r%d of %s may be 0, which it does not accept", regno, name)
			}
			if r.umax >= maxVarOff {
				return v.errf(st, "size argument r%d of %s has no upper bound the verifier can see: bound it with & or a check", regno, name)
			}
			what := desc{"the buffer of ", name}
			if memPtr.kind == kScalar && memPtr.isZero() && r.umax > 0 {
				return v.errf(st, "r%d is NULL but %s may read or write %d bytes through it", memReg, name, r.umax)
			}
			if err := v.memArg(st, memReg, memPtr, int64(r.umin), int64(r.umax), memWrite, what); err != nil {
				return err
			}
		case argCtx:
			if r.kind != kCtx {
				return v.errf(st, "argument %d of %s (r%d) must be the program's context, but it is %s", i+1, name, regno, r.String())
			}
			if r.off != 0 || !r.isConst() || r.tn.value != 0 {
				return v.errf(st, "argument %d of %s (r%d) must be the unmodified context pointer", i+1, name, regno)
			}
		case argRingbufMem:
			if r.kind != kMem || r.ref == 0 {
				return v.errf(st, "argument %d of %s (r%d) must be ring buffer space from bpf_ringbuf_reserve, but it is %s", i+1, name, regno, r.String())
			}
			if r.null {
				return v.errf(st, "ring buffer space in r%d may be NULL: check bpf_ringbuf_reserve's result against 0 first", regno)
			}
			if r.off != 0 || !r.isConst() || r.tn.value != 0 {
				return v.errf(st, "ring buffer space in r%d must be passed as reserved, not moved by an offset", regno)
			}
			rr := r
			release = &rr
		case argFunc:
			if r.kind != kFunc {
				return v.errf(st, "argument %d of %s (r%d) must be a function, but it is %s", i+1, name, regno, r.String())
			}
			callback = r.fn
		case argStackOrNull:
			if !(r.kind == kStack || r.isZero()) {
				return v.errf(st, "argument %d of %s (r%d) must point to the stack or be 0, but it is %s", i+1, name, regno, r.String())
			}
			cbCtx = r
		case argAllocSize:
			if r.kind != kScalar || !r.isConst() {
				return v.errf(st, "the size passed to %s (r%d) must be a constant", name, regno)
			}
			allocSize = int64(r.tn.value)
			if allocSize < 0 || allocSize >= maxVarOff {
				return v.errf(st, "the size passed to %s (%d) is too large", name, allocSize)
			}
		}
	}
	if release != nil {
		v.releaseRef(st, release.ref)
	}
	if callback >= 0 {
		if err := v.callbackCall(st, c, m, callback, cbCtx); err != nil {
			return err
		}
	}
	f = st.cur()
	for i := 1; i <= 5; i++ {
		f.regs[i] = reg{}
	}
	switch h.ret {
	case retInt:
		r := unknownScalar()
		switch c.Imm {
		case 45, 114, 115, 67:
			// string reads and stack walks return a length up to the
			// buffer's size, or an error
			r.smin, r.smax = -4095, int64(sizeMax)
			r.sync()
		case 158, 175:
			// bpf_get_current_task_btf, bpf_task_pt_regs: kernel objects
			r.kobj = true
		case 8:
			// the CPU number is below the number of possible CPUs
			r.umax = math.MaxUint32
			if v.opts.NumCPU > 0 {
				r.umax = uint64(v.opts.NumCPU - 1)
			}
			r.sync()
		}
		f.regs[0] = r
	case retVoid:
		f.regs[0] = reg{}
	case retMapValueOrNull:
		r := reg{kind: kMapValue, null: true, m: m, id: v.newID()}
		r.setVarConst(0)
		if constKeyOK && fn == asm.FnMapLookupElem {
			// An array lookup with a constant key in range cannot fail.
			r.null, r.id = false, 0
		}
		f.regs[0] = r
	case retPercpuMemOrNull, retPercpuMem:
		// The kernel sizes the memory from the variable's BTF type,
		// which the verifier does not have: gotrace reads it only
		// through probe_read helpers, so any size serves.
		r := reg{kind: kMem, size: percpuMemSize}
		if h.ret == retPercpuMemOrNull {
			r.null, r.id = true, v.newID()
		}
		r.setVarConst(0)
		f.regs[0] = r
	case retRingbufMemOrNull:
		id := v.newID()
		r := reg{kind: kMem, null: true, size: int32(allocSize), id: id, ref: id}
		r.setVarConst(0)
		f.regs[0] = r
		st.refs = append(st.refs, refInfo{id: id, insn: st.pc})
	}
	st.pc++
	return nil
}

func (v *verifier) checkMapHelper(st *state, h *helper, fn asm.BuiltinFunc, m *mapInfo) error {
	mt := m.spec.Type
	if only, ok := restrictedMaps[mt]; ok {
		found := false
		for _, x := range only {
			if x == fn {
				found = true
			}
		}
		if !found {
			return v.errf(st, "%s cannot be used with map %s (%s)", insn.HelperName(fn), m.name, mt)
		}
	}
	if h.maps != nil {
		for _, t := range h.maps {
			if t == mt {
				return nil
			}
		}
		return v.errf(st, "%s cannot be used with map %s (%s)", insn.HelperName(fn), m.name, mt)
	}
	return nil
}

// releaseRef drops a reference and every pointer that carries it.
func (v *verifier) releaseRef(st *state, ref uint32) {
	for i, r := range st.refs {
		if r.id == ref {
			st.refs = append(st.refs[:i], st.refs[i+1:]...)
			break
		}
	}
	kill := func(r *reg) {
		if r.ref == ref && r.isPointer() {
			if v.opts.Unprivileged {
				*r = reg{}
			} else {
				*r = unknownScalar()
			}
		}
	}
	for _, f := range st.frames {
		for i := range f.regs {
			kill(&f.regs[i])
		}
		for i := range f.stack {
			if x := &f.stack[i].spill; x.ref == ref && x.isPointer() {
				v.ownStack(f)
				kill(&f.stack[i].spill)
			}
		}
	}
}

// callbackCall follows a helper that calls back into the program: one
// path returns from the helper now, the other runs the callback, which
// comes back to the helper call when it returns.
func (v *verifier) callbackCall(st *state, c *raw, m *mapInfo, fn int32, cbCtx reg) error {
	if len(st.frames) >= maxCallFrames {
		return v.errf(st, "calls are nested more than %d deep", maxCallFrames)
	}
	// The callback path is queued; st continues after the helper.
	cb, err := v.fork(st, int(fn))
	if err != nil {
		return err
	}
	nf := &frame{callsite: st.pc, subprog: v.subOf[fn], callback: true}
	if asm.BuiltinFunc(c.Imm) == asm.FnLoop {
		// bpf_loop: callback(u64 index, void *ctx)
		nf.regs[1] = unknownScalar()
		nf.regs[2] = cbCtx
	} else {
		nf.regs[1] = reg{kind: kMapPtr, m: m}
		key := reg{kind: kMapKey, m: m}
		key.setVarConst(0)
		val := reg{kind: kMapValue, m: m}
		val.setVarConst(0)
		nf.regs[2] = key
		nf.regs[3] = val
		nf.regs[4] = cbCtx
	}
	nf.regs[10] = reg{kind: kStack, frame: int32(len(cb.frames))}
	cb.frames = append(cb.frames, nf)
	addCallee(v.subprogs[v.subOf[st.pc]], v.subOf[fn])
	return nil
}

// atomic checks BPF_ATOMIC operations.
func (v *verifier) atomic(st *state, c *raw) error {
	f := st.cur()
	p := f.regs[c.Dst]
	size := c.Bytes()
	switch p.kind {
	case kCtx, kPacket, kPacketMeta, kPacketEnd:
		return v.errf(st, "atomic operations on the %s pointer r%d are not allowed", p.kind, c.Dst)
	}
	src := f.regs[c.Src]
	if src.isPointer() && v.opts.Unprivileged {
		return v.errf(st, "atomic operation would leak the pointer in r%d", c.Src)
	}
	// Atomic accesses must be aligned, whatever the architecture.
	if p.isPointer() {
		at := p.tn.add(tnumConst(uint64(int64(p.off) + int64(c.Off))))
		if (at.value|at.mask)&uint64(size-1) != 0 {
			return v.errf(st, "atomic operation on %d bytes at a misaligned address (r%d%+d)", size, c.Dst, int64(p.off)+int64(c.Off))
		}
	}
	if c.Imm == insn.CMPXCHG {
		if err := v.checkRead(st, 0); err != nil {
			return err
		}
	}
	// The kernel loads the old value before it checks the store, so the
	// address may not be in the register the old value goes to.
	if load := int(c.Src); c.Imm == insn.CMPXCHG && c.Dst == 0 || c.Imm&insn.FETCH != 0 && load == int(c.Dst) {
		return v.errf(st, "the atomic operation fetches the old value into r%d, which holds its address: use another register", c.Dst)
	}
	old, err := v.access(st, c.Dst, p, int32(c.Off), size, false, nil)
	if err != nil {
		return err
	}
	if old.isPointer() && c.Imm&insn.FETCH == 0 && v.opts.Unprivileged {
		return v.errf(st, "atomic arithmetic on a pointer stored in memory would leak it")
	}
	if _, err := v.access(st, c.Dst, p, int32(c.Off), size, true, nil); err != nil {
		return err
	}
	res := unknownOfSize(size)
	if old.isPointer() && size == 8 {
		res = old
	}
	if c.Imm == insn.CMPXCHG {
		f.regs[0] = res
	} else if c.Imm&insn.FETCH != 0 {
		if c.Src == 10 {
			return v.errf(st, "r10 is the frame pointer and is read-only")
		}
		f.regs[c.Src] = res
	}
	return nil
}

// ldAbs checks the legacy packet loads of socket filters.
func (v *verifier) ldAbs(st *state, c *raw) error {
	if v.prog != ebpf.SocketFilter {
		return v.errf(st, "LD_ABS and LD_IND packet loads are only for socket filters")
	}
	f := st.cur()
	if f.regs[6].kind != kCtx {
		return v.errf(st, "LD_ABS and LD_IND need the context in r6")
	}
	if len(st.refs) > 0 {
		return v.errf(st, "LD_ABS and LD_IND cannot be used while ring buffer space is reserved")
	}
	if c.Mode() == insn.IND {
		if err := v.checkRead(st, c.Src); err != nil {
			return err
		}
		if f.regs[c.Src].isPointer() {
			return v.errf(st, "LD_IND offset r%d must be a number", c.Src)
		}
	}
	for i := 1; i <= 5; i++ {
		f.regs[i] = reg{}
	}
	f.regs[0] = unknownOfSize(c.Bytes())
	return nil
}
