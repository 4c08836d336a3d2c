package verify

import (
	"github.com/cilium/ebpf"
)

// Context layouts the kernel checks per program type.
const (
	perfMaxTraceSize = 8192 // tracepoint records (PERF_MAX_TRACE_SIZE)
	amd64PtRegsSize  = 168  // struct pt_regs on x86-64 (Options.PtRegsSize)
	rawTPArgs        = 12   // raw tracepoint: u64 args[MAX_BPF_FUNC_ARGS]
	perfEventExtra   = 16   // bpf_perf_event_data after the registers: sample_period, addr
	skBuffSize       = 192
	xdpMdSize        = 24
)

func progSupported(t ebpf.ProgramType) bool {
	switch t {
	case ebpf.Kprobe, ebpf.TracePoint, ebpf.RawTracepoint, ebpf.PerfEvent, ebpf.SocketFilter, ebpf.XDP, ebpf.Tracing:
		return true
	}
	return false
}

// ctxAccess checks a load or store through the context pointer.
func (v *verifier) ctxAccess(st *state, regno uint8, p reg, off int32, size int, write bool, val *reg) (reg, error) {
	if p.off != 0 {
		return reg{}, v.errf(st, "r%d is the context pointer moved by %d: read the context through the unmodified pointer and an offset", regno, p.off)
	}
	if !p.isConst() || p.tn.value != 0 {
		return reg{}, v.errf(st, "r%d is the context pointer plus a variable offset: context fields must be read at constant offsets", regno)
	}
	if write && val != nil && val.isPointer() && v.opts.Unprivileged {
		return reg{}, v.errf(st, "storing a pointer into the context would leak a kernel address")
	}
	o := int(off)
	name := progName(v.prog)
	ptRegsSize := v.opts.PtRegsSize
	if ptRegsSize == 0 {
		ptRegsSize = amd64PtRegsSize
	}
	perfEventCtxSize := ptRegsSize + perfEventExtra
	readOnly := func() (reg, error) {
		return reg{}, v.errf(st, "the %s context is read-only", name)
	}
	outside := func(limit int) (reg, error) {
		return reg{}, v.errf(st, "%s context access at offset %d size %d is outside its %d bytes", name, o, size, limit)
	}
	misaligned := func() (reg, error) {
		return reg{}, v.errf(st, "%s context access at offset %d is not aligned to its size %d", name, o, size)
	}
	switch v.prog {
	case ebpf.TracePoint:
		// The kernel checks off < 8 as unsigned, so negative offsets
		// pass its check (and fail at attach time).
		if o >= 0 && o < 8 {
			return reg{}, v.errf(st, "the first 8 bytes of a tracepoint record (the common fields) cannot be read by BPF programs")
		}
		if o >= perfMaxTraceSize {
			return outside(perfMaxTraceSize)
		}
		if write {
			return readOnly()
		}
		if o%size != 0 {
			return misaligned()
		}
		if v.opts.CtxSize > 0 && (o < 0 || o+size > v.opts.CtxSize) {
			return reg{}, v.errf(st, "read of %d bytes at offset %d is past the end of the tracepoint's %d-byte record", size, o, v.opts.CtxSize)
		}
		return unknownOfSize(size), nil
	case ebpf.Kprobe:
		if o < 0 || o >= ptRegsSize {
			return outside(ptRegsSize)
		}
		if write {
			return readOnly()
		}
		if o%size != 0 {
			return misaligned()
		}
		if o+size > ptRegsSize {
			return outside(ptRegsSize)
		}
		return unknownOfSize(size), nil
	case ebpf.RawTracepoint:
		if o < 0 || o >= rawTPArgs*8 {
			return outside(rawTPArgs * 8)
		}
		if write {
			return readOnly()
		}
		if o%size != 0 {
			return misaligned()
		}
		if v.opts.CtxSize > 0 && o+size > v.opts.CtxSize {
			return reg{}, v.errf(st, "read of argument %d, but the raw tracepoint has %d", o/8, v.opts.CtxSize/8)
		}
		return unknownOfSize(size), nil
	case ebpf.Tracing:
		// fentry/fexit: u64 slots of the arguments and the return value,
		// read whole (what gotrace emits; the kernel types the slots
		// from BTF).
		if o < 0 || o >= (rawTPArgs+1)*8 {
			return outside((rawTPArgs + 1) * 8)
		}
		if write {
			return readOnly()
		}
		if o%8 != 0 || size != 8 {
			return reg{}, v.errf(st, "fentry/fexit arguments are read as whole 8-byte slots, not %d bytes at offset %d", size, o)
		}
		if v.opts.CtxSize > 0 && o+size > v.opts.CtxSize {
			return reg{}, v.errf(st, "read of slot %d, but the function has %d", o/8, v.opts.CtxSize/8)
		}
		// a pointer argument is a kernel object the program may read
		// through (the kernel knows which slots are pointers)
		r := unknownOfSize(size)
		r.kobj = true
		return r, nil
	case ebpf.PerfEvent:
		if o < 0 || o >= perfEventCtxSize {
			return outside(perfEventCtxSize)
		}
		if write {
			return readOnly()
		}
		if o%size != 0 {
			return misaligned()
		}
		if o < ptRegsSize && size != 8 {
			return reg{}, v.errf(st, "perf_event context registers must be read as 8 bytes, not %d", size)
		}
		return unknownOfSize(size), nil
	case ebpf.SocketFilter:
		return v.skbAccess(st, o, size, write)
	case ebpf.XDP:
		if o < 0 || o >= xdpMdSize {
			return outside(xdpMdSize)
		}
		if write {
			return readOnly()
		}
		if o%size != 0 {
			return misaligned()
		}
		if size != 4 {
			return reg{}, v.errf(st, "xdp context fields are 4 bytes: read them with 4-byte loads")
		}
		switch o {
		case 0:
			return reg{kind: kPacket}, nil
		case 4:
			return reg{kind: kPacketEnd}, nil
		case 8:
			return reg{kind: kPacketMeta}, nil
		}
		return unknownOfSize(size), nil
	}
	return reg{}, v.errf(st, "context access is not supported for %s programs", name)
}

// skbAccess checks socket filter access to struct __sk_buff.
func (v *verifier) skbAccess(st *state, o, size int, write bool) (reg, error) {
	deny := func() (reg, error) {
		return reg{}, v.errf(st, "a socket filter may not access __sk_buff at offset %d size %d", o, size)
	}
	if o < 0 || o >= skBuffSize || o%size != 0 {
		return deny()
	}
	switch {
	case o >= 72 && o < 84, // tc_classid, data, data_end
		o >= 88 && o < 140,  // family .. local_port
		o >= 140 && o < 144, // data_meta
		o >= 144 && o < 168, // flow_keys, tstamp, wire_len, gso_segs? (gso_segs is readable)
		o >= 180:
		if o >= 164 && o < 168 && !write { // gso_segs
			break
		}
		return deny()
	case o >= 168 && o < 176: // sk
		return reg{}, v.errf(st, "reading __sk_buff.sk is not supported by gotrace's verifier")
	}
	if write {
		if o < 48 || o+size > 68 || size != 4 {
			return deny()
		}
		return reg{}, nil
	}
	if o >= 48 && o < 68 {
		if o+size > 68 {
			return deny()
		}
		return unknownOfSize(size), nil
	}
	if size > 4 {
		return deny()
	}
	return unknownOfSize(size), nil
}

// retRange is the range of return values a program type must keep to.
func retRange(t ebpf.ProgramType) (int64, int64, bool) {
	return 0, 0, false
}

// retNeedsScalar reports program types whose return value must be a
// number even for privileged loaders.
func retNeedsScalar(t ebpf.ProgramType) bool {
	return false
}
