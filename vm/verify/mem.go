package verify

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/vm/insn"
)

// access checks a load (write false) or store (write true, of *val)
// through pointer register regno at offset off, and returns the loaded
// value.
func (v *verifier) access(st *state, regno uint8, p reg, off int32, size int, write bool, val *reg) (reg, error) {
	verb := "read"
	if write {
		verb = "write"
	}
	if p.kind == kNotInit {
		return reg{}, v.errf(st, "r%d is read before anything was written to it", regno)
	}
	if p.kind == kScalar && p.kobj && !p.isZero() {
		if write {
			return reg{}, v.errf(st, "r%d points to a kernel object: a BPF program cannot write to it", regno)
		}
		r := unknownOfSize(size)
		// a pointer member leads to another object
		r.kobj = size == 8
		return r, nil
	}
	if p.kind == kScalar {
		if p.isZero() {
			return reg{}, v.errf(st, "r%d is NULL (0) here: it cannot be dereferenced", regno)
		}
		return reg{}, v.errf(st, "r%d is a number, not a pointer: it cannot be dereferenced (read kernel memory with a probe_read helper)", regno)
	}
	if p.null {
		if p.kind == kMapValue {
			return reg{}, v.errf(st, "map value may be NULL here: check the lookup's result (r%d) against 0 before using it", regno)
		}
		return reg{}, v.errf(st, "r%d may be NULL here (%s): check it against 0 before using it", regno, p.String())
	}
	if write && val != nil && val.isPointer() && p.kind != kStack {
		if v.opts.Unprivileged {
			return reg{}, v.errf(st, "storing a pointer into %s would leak a kernel address", p.kind)
		}
	}
	switch p.kind {
	case kStack:
		return v.stackAccess(st, regno, p, off, size, write, val)
	case kMapValue:
		if write && p.m.spec.Flags&bpfFRdonlyProg != 0 {
			return reg{}, v.errf(st, "map %s is read-only for programs", p.m.name)
		}
		if err := v.checkRange(st, regno, p, off, size, int(p.m.spec.ValueSize), desc{"map value of ", p.m.name}); err != nil {
			return reg{}, err
		}
		return unknownOfSize(size), nil
	case kMapKey:
		if write {
			return reg{}, v.errf(st, "the map key passed to a callback is read-only")
		}
		if err := v.checkRange(st, regno, p, off, size, int(p.m.spec.KeySize), desc{"map key of ", p.m.name}); err != nil {
			return reg{}, err
		}
		return unknownOfSize(size), nil
	case kMem:
		if write && p.ref == 0 {
			return reg{}, v.errf(st, "r%d points to %s, which is read-only", regno, memName(p))
		}
		if err := v.checkRange(st, regno, p, off, size, int(p.size), desc{memName(p), ""}); err != nil {
			return reg{}, err
		}
		return unknownOfSize(size), nil
	case kCtx:
		return v.ctxAccess(st, regno, p, off, size, write, val)
	case kPacket, kPacketMeta:
		if write && v.prog == ebpf.SocketFilter {
			return reg{}, v.errf(st, "a socket filter cannot write to the packet")
		}
		if err := v.packetRange(st, regno, p, int64(off), int64(size)); err != nil {
			return reg{}, err
		}
		return unknownOfSize(size), nil
	case kPacketEnd:
		return reg{}, v.errf(st, "the packet end pointer (r%d) cannot be dereferenced", regno)
	case kMapPtr:
		// Root may read the kernel's struct of the map (the kernel checks
		// the fields against BTF; we check only the sign of the offset).
		o := int64(p.off) + int64(off)
		if write || v.opts.Unprivileged || o < 0 {
			return reg{}, v.errf(st, "r%d points to a map itself, not its value: look an element up first", regno)
		}
		return unknownOfSize(size), nil
	case kFunc:
		return reg{}, v.errf(st, "r%d is a function pointer: it cannot be dereferenced", regno)
	case kPercpu:
		return reg{}, v.errf(st, "r%d is a per-CPU variable's address: get a CPU's copy with bpf_this_cpu_ptr or bpf_per_cpu_ptr before reading it", regno)
	}
	return reg{}, v.errf(st, "invalid %s through r%d (%s)", verb, regno, p.String())
}

const bpfFRdonlyProg = 1 << 7

// desc names the memory an access or a helper argument reaches, for
// messages: prefix and name are joined only when a message needs them.
type desc struct{ prefix, name string }

func (w desc) String() string { return w.prefix + w.name }

// memName says what a kMem pointer points to: ring buffer space (which
// holds a reference until submitted) or a CPU's copy of a per-CPU kernel
// variable.
func memName(p reg) string {
	if p.ref != 0 {
		return "reserved ring buffer space"
	}
	return "a per-CPU kernel variable"
}

func unknownOfSize(size int) reg {
	r := unknownScalar()
	if size < 8 {
		r.umax = uint64(1)<<(8*size) - 1
		r.sync()
	}
	return r
}

// checkRange checks [off, off+size) of pointer p lies inside [0, limit).
func (v *verifier) checkRange(st *state, regno uint8, p reg, off int32, size int, limit int, what desc) error {
	if p.smin < 0 && !p.isConst() {
		return v.errf(st, "r%d's offset into the %s may be negative: use an unsigned index or check it is >= 0", regno, what)
	}
	if !p.isConst() && p.umax >= maxVarOff {
		return v.errf(st, "index into the %s has no upper bound the verifier can see: check it against %d first", what, limit)
	}
	lo := int64(p.off) + int64(off) + p.smin
	hi := int64(p.off) + int64(off) + int64(p.umax) + int64(size)
	if p.isConst() {
		lo = int64(p.off) + int64(off) + int64(p.tn.value)
		hi = lo + int64(size)
	}
	if lo < 0 || hi > int64(limit) {
		if p.isConst() {
			return v.errf(st, "access of %d bytes at offset %d is outside the %s (%d bytes)", size, lo, what, limit)
		}
		return v.errf(st, "access of %d bytes at offset %d to %d may fall outside the %s (%d bytes)", size, lo, hi-int64(size), what, limit)
	}
	return nil
}

// stackAccess reads or writes the stack of the frame p points into.
func (v *verifier) stackAccess(st *state, regno uint8, p reg, off int32, size int, write bool, val *reg) (reg, error) {
	f := st.frames[p.frame]
	if !p.isConst() {
		return v.stackVarAccess(st, regno, f, p, off, size, write)
	}
	o := int64(p.off) + int64(off) + int64(p.tn.value)
	if o < -stackSize || o+int64(size) > 0 {
		if o < -stackSize {
			return reg{}, v.errf(st, "stack access at fp%d needs a %d-byte frame, over the kernel's %d", o, -o, stackSize)
		}
		return reg{}, v.errf(st, "stack access at fp%+d of %d bytes is above the frame pointer", o, size)
	}
	if o%int64(size) != 0 {
		return reg{}, v.errf(st, "misaligned stack access: %d bytes at fp%d", size, o)
	}
	v.touch(st, p.frame, int(-o))
	if write {
		return reg{}, v.stackWrite(st, f, int(o), size, val, v.code[st.pc].Class() == insn.ST)
	}
	return v.stackRead(st, f, int(o), size)
}

// touch records how deep a function's stack goes.
func (v *verifier) touch(st *state, frame int32, depth int) {
	f := st.frames[frame]
	sp := v.subprogs[f.subprog]
	if depth > sp.depth {
		sp.depth = depth
	}
	if depth > f.depth {
		f.depth = depth
	}
}

// slotAt gives the slot holding the stack byte at fp+o (o is negative)
// to be written, and the byte's index in it (lowest address first).
func (v *verifier) slotAt(f *frame, o int) (*slot, int) {
	v.ownStack(f)
	i := (-o - 1) / 8
	for len(f.stack) <= i {
		f.stack = append(f.stack, slot{})
	}
	return &f.stack[i], o + 8*(i+1)
}

// unwritten is every slot past the end of a frame's stack.
var unwritten slot

// slotRead is slotAt for a read: the slot must not be changed.
func (f *frame) slotRead(o int) (*slot, int) {
	i := (-o - 1) / 8
	b := o + 8*(i+1)
	if i >= len(f.stack) {
		return &unwritten, b
	}
	return &f.stack[i], b
}

// spillBytes has bit 8*j set where byte j of the slot is sSpill (the
// byte states are 0 to 3, and only sSpill has both low bits set).
func (sl *slot) spillBytes() uint64 {
	x := binary.LittleEndian.Uint64(sl.typ[:])
	return x & (x >> 1) & 0x0101010101010101
}

// spillSize counts the bytes of a spilled register at the bottom of a
// slot (0: no spill).
func (sl *slot) spillSize() int {
	return bits.TrailingZeros64(^sl.spillBytes()&0x0101010101010101) / 8
}

// anySpill reports a byte of a spilled register in the slot.
func (sl *slot) anySpill() bool { return sl.spillBytes() != 0 }

// scrub turns a spilled register into plain data.
func (sl *slot) scrub() {
	for j := range sl.typ {
		if sl.typ[j] == sSpill {
			sl.typ[j] = sMisc
		}
	}
	sl.spill = reg{}
}

// stackWrite stores size bytes at fp+o (aligned to size). Like the
// kernel, a number stored at the start of a slot is remembered as a
// spilled register of that size, pointers only as whole 8-byte spills,
// and other stores leave plain data (or known zeros).
func (v *verifier) stackWrite(st *state, f *frame, o int, size int, val *reg, isST bool) error {
	s, b := v.slotAt(f, o)
	aligned := b == 0
	switch {
	case val != nil && val.kind == kScalar && aligned:
		if s.spillSize() > 0 && s.spill.isPointer() && size < 8 && v.opts.Unprivileged {
			return v.errf(st, "storing %d bytes over a pointer spilled at fp%d would corrupt it", size, o)
		}
		r := *val
		if isST {
			r.id = 0
		}
		if size < 8 {
			r = coerce(r, size)
			if val.umax >= uint64(1)<<(8*size) {
				r.id, r.delta, r.added = 0, 0, false
			}
		}
		s.spill = r
		for j := 0; j < 8; j++ {
			if j < size {
				s.typ[j] = sSpill
			} else if s.typ[j] == sSpill {
				s.typ[j] = sMisc
			}
		}
		return nil
	case val != nil && val.isPointer():
		if size != 8 {
			return v.errf(st, "a pointer (%s) stored to the stack must be stored whole, as 8 bytes", val.String())
		}
		s.spill = *val
		s.typ = spillSlot
		return nil
	}
	if s.spillSize() > 0 {
		if s.spill.isPointer() && v.opts.Unprivileged {
			return v.errf(st, "storing %d bytes over a pointer spilled at fp%d would corrupt it", size, o)
		}
		s.scrub()
	}
	t := sMisc
	if val != nil && val.isZero() {
		t = sZero
	}
	for k := 0; k < size; k++ {
		s.typ[b+k] = t
	}
	return nil
}

// coerce keeps the low size bytes of a scalar.
func coerce(r reg, size int) reg {
	if size >= 8 || r.kind != kScalar {
		return r
	}
	max := uint64(1)<<(8*size) - 1
	if r.isConst() {
		return constScalar(r.tn.value & max)
	}
	if r.umax <= max {
		return r
	}
	n := unknownScalar()
	n.tn = tnum{r.tn.value & max, r.tn.mask & max}
	n.umax = max
	n.sync()
	return n
}

func (v *verifier) stackRead(st *state, f *frame, o int, size int) (reg, error) {
	s, b := f.slotRead(o)
	if n := s.spillSize(); n > 0 {
		if size == 8 && n == 8 {
			return s.spill, nil
		}
		if s.spill.kind != kScalar {
			return reg{}, v.errf(st, "%d-byte read of the pointer spilled at fp%d: pointers must be read back whole", size, o-b)
		}
		if size <= n && b == 0 {
			r := coerce(s.spill, size)
			if s.spill.umax >= uint64(1)<<(8*size) && size < 8 {
				r.id, r.delta, r.added = 0, 0, false
			}
			return r, nil
		}
		spills, zeros := 0, 0
		for k := 0; k < size; k++ {
			switch s.typ[b+k] {
			case sSpill:
				spills++
			case sZero:
				zeros++
			case sInvalid:
				if v.opts.Unprivileged {
					return reg{}, v.errf(st, "stack at fp%d is read before it is written", o+k)
				}
			}
		}
		if spills == size && s.spill.isZero() || zeros == size {
			return constScalar(0), nil
		}
		return unknownOfSize(size), nil
	}
	zeros := 0
	for k := 0; k < size; k++ {
		switch s.typ[b+k] {
		case sZero:
			zeros++
		case sInvalid:
			if v.opts.Unprivileged {
				return reg{}, v.errf(st, "stack at fp%d is read before it is written", o+k)
			}
		}
	}
	if zeros == size {
		return constScalar(0), nil
	}
	return unknownOfSize(size), nil
}

// constKey finds the constant a stack key holds, as the kernel does to
// drop the NULL check of array lookups: known zero bytes, or a spilled
// constant of the key's size.
func constKey(st *state, p reg, keySize int) (uint64, bool) {
	if p.kind != kStack || !p.isConst() {
		return 0, false
	}
	o := int(int64(p.off) + int64(p.tn.value))
	if o >= 0 || o < -stackSize {
		return 0, false
	}
	f := st.frames[p.frame]
	s, b := f.slotRead(o)
	zeros := 0
	for k := b; k < 8 && s.typ[k] == sZero; k++ {
		zeros++
	}
	if zeros >= keySize {
		return 0, true
	}
	if s.spillSize() == 0 || s.spill.kind != kScalar {
		return 0, false
	}
	spills := 0
	for k := b; k < 8 && s.typ[k] == sSpill; k++ {
		spills++
	}
	if spills != keySize || !s.spill.isConst() {
		return 0, false
	}
	return s.spill.tn.value, true
}

// stackVarAccess is an access at a variable offset into the stack.
func (v *verifier) stackVarAccess(st *state, regno uint8, f *frame, p reg, off int32, size int, write bool) (reg, error) {
	if v.opts.Unprivileged {
		return reg{}, v.errf(st, "stack access through r%d at a variable offset needs privileges", regno)
	}
	lo := int64(p.off) + int64(off) + p.smin
	hi := int64(p.off) + int64(off) + p.smax
	if p.smin == math.MinInt64 || p.smax == math.MaxInt64 || lo < -stackSize || hi+int64(size) > 0 {
		return reg{}, v.errf(st, "stack access through r%d at a variable offset (%d to %d) may leave the 512-byte stack", regno, lo, hi)
	}
	v.touch(st, p.frame, int(-lo))
	if write {
		for o := lo; o < hi+int64(size); o++ {
			s, b := v.slotAt(f, int(o))
			if s.spillSize() > 0 {
				s.scrub()
			}
			s.typ[b] = sMisc
		}
		return reg{}, nil
	}
	return unknownOfSize(size), nil
}

// memArg checks that a helper may access size bytes (a range
// [minSize, maxSize]) at pointer p: read them (write false) or fill them.
func (v *verifier) memArg(st *state, regno uint8, p reg, minSize, maxSize int64, write bool, what desc) error {
	if p.kind == kScalar && p.isZero() && maxSize == 0 {
		return nil
	}
	if p.kind == kNotInit {
		return v.errf(st, "r%d is read before anything was written to it", regno)
	}
	if p.null {
		if p.kind == kMapValue {
			return v.errf(st, "map value may be NULL here: check the lookup's result (r%d) against 0 before passing it", regno)
		}
		return v.errf(st, "r%d may be NULL here: check it against 0 first", regno)
	}
	if !p.isPointer() {
		return v.errf(st, "r%d should point to %s, but it is a number", regno, what)
	}
	if maxSize == 0 {
		return nil
	}
	switch p.kind {
	case kStack:
		f := st.frames[p.frame]
		lo := int64(p.off) + p.smin
		hi := int64(p.off) + p.smax + maxSize
		if !p.isConst() && v.opts.Unprivileged {
			return v.errf(st, "r%d points into the stack at a variable offset: not allowed without privileges", regno)
		}
		if p.smin == math.MinInt64 || lo < -stackSize || hi > 0 {
			if lo < -stackSize {
				return v.errf(st, "r%d: %d bytes for %s at fp%d need a %d-byte frame, over the kernel's %d", regno, maxSize, what, lo, -lo, stackSize)
			}
			return v.errf(st, "r%d: %d bytes for %s at fp%d reach above the frame pointer", regno, maxSize, what, lo)
		}
		v.touch(st, p.frame, int(-lo))
		if write {
			for o := lo; o < hi; o++ {
				s, b := v.slotAt(f, int(o))
				if s.spillSize() > 0 {
					s.scrub()
				}
				s.typ[b] = sMisc
			}
			return nil
		}
		if v.opts.Unprivileged {
			for o := lo; o < hi; o++ {
				s, b := f.slotRead(int(o))
				if s.typ[b] == sInvalid {
					return v.errf(st, "%s at fp%d is passed to a helper before it is written (byte fp%d)", what, lo, o)
				}
				if s.spillSize() > 0 && s.spill.isPointer() {
					return v.errf(st, "a pointer spilled at fp%d would leak into a helper", o)
				}
			}
		}
		return nil
	case kMapValue:
		if write && p.m.spec.Flags&bpfFRdonlyProg != 0 {
			return v.errf(st, "map %s is read-only for programs", p.m.name)
		}
		return v.checkRange(st, regno, p, 0, int(maxSize), int(p.m.spec.ValueSize), desc{"map value of ", p.m.name})
	case kMapKey:
		if write {
			return v.errf(st, "the map key passed to a callback is read-only")
		}
		return v.checkRange(st, regno, p, 0, int(maxSize), int(p.m.spec.KeySize), desc{"map key of ", p.m.name})
	case kMem:
		return v.checkRange(st, regno, p, 0, int(maxSize), int(p.size), desc{memName(p), ""})
	case kPacket, kPacketMeta:
		return v.packetRange(st, regno, p, 0, maxSize)
	case kCtx:
		return v.errf(st, "r%d points to the program's context, which cannot be passed as %s", regno, what)
	}
	return v.errf(st, "r%d (%s) cannot be passed as %s", regno, p.String(), what)
}

// packetRange checks size bytes at off from packet pointer p against the
// range proven by comparisons with the packet end.
func (v *verifier) packetRange(st *state, regno uint8, p reg, off, size int64) error {
	if p.smin < 0 {
		return v.errf(st, "r%d's offset into the packet may be negative", regno)
	}
	o := int64(p.off) + off
	if p.umax+uint64(max(o+size, 0)) > 0xffff {
		return v.errf(st, "packet access through r%d may reach past 64 KiB: bound its offset first", regno)
	}
	if o < 0 || o+size > int64(p.rng) {
		return v.errf(st, "packet access at offset %d size %d is not proven in bounds: compare the pointer with data_end first (known good: %d bytes)", o, size, p.rng)
	}
	return nil
}
