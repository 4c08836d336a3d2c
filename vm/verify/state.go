package verify

import (
	"fmt"
	"math"
	"strings"
)

const (
	stackSize     = 512
	maxCallFrames = 8
)

// kind is the abstract type of a register.
type kind uint8

const (
	kNotInit kind = iota
	kScalar
	kCtx
	kStack
	kMapValue
	kMapKey
	kMapPtr
	kMem    // memory of a known size (ring buffer reservation)
	kFunc   // address of a subprogram
	kPacket // packet data
	kPacketMeta
	kPacketEnd
	kPercpu // a per-CPU kernel variable, by BTF id (lddw src 3)
)

var kindNames = [...]string{"uninitialized", "scalar", "ctx", "fp", "map_value", "map_key", "map_ptr", "mem", "func", "pkt", "pkt_meta", "pkt_end", "percpu_ptr"}

func (k kind) String() string { return kindNames[k] }

// reg is the abstract value of a register or a spilled stack slot.
//
// A scalar's value lies in [umin, umax] as unsigned, [smin, smax] as
// signed, and agrees with the known bits of tn. A pointer is a base (the
// kind, and map, frame or size) plus a fixed offset off plus a variable
// offset bounded like a scalar.
type reg struct {
	kind  kind
	null  bool // the pointer may be NULL (map_value_or_null, mem_or_null)
	added bool // delta was added (once, like the kernel)
	// kobj marks a scalar that may be a pointer to a kernel object (the
	// kernel's PTR_TO_BTF_ID: bpf_get_current_task_btf, a kfunc's result,
	// a pointer field read through one). Such a value may be read
	// through; the kernel, which knows the object's BTF type, checks the
	// offsets and the NULL tests.
	kobj bool

	off int32

	id    uint32 // shared by copies of one maybe-NULL pointer, or of one number
	ref   uint32 // reference that must be released (ring buffer memory)
	size  int32  // kMem: bytes
	frame int32  // kStack: the frame it points into
	rng   int32  // packet pointers: bytes known to be in the packet past off
	fn    int32  // kFunc: first instruction of the subprogram; kPercpu: BTF id

	umin, umax uint64
	smin, smax int64
	tn         tnum

	delta int64 // a number linked by id: the constant added to the copy
	m     *mapInfo
}

func unknownScalar() reg {
	return reg{kind: kScalar, umin: 0, umax: math.MaxUint64, smin: math.MinInt64, smax: math.MaxInt64, tn: tnumUnknown}
}

func constScalar(v uint64) reg {
	return reg{kind: kScalar, umin: v, umax: v, smin: int64(v), smax: int64(v), tn: tnumConst(v)}
}

// setVarConst gives the variable part of r the constant v.
func (r *reg) setVarConst(v uint64) {
	r.umin, r.umax, r.smin, r.smax, r.tn = v, v, int64(v), int64(v), tnumConst(v)
}

func (r *reg) setVarUnknown() {
	r.umin, r.umax, r.smin, r.smax, r.tn = 0, math.MaxUint64, math.MinInt64, math.MaxInt64, tnumUnknown
}

func (r *reg) isConst() bool   { return r.tn.isConst() }
func (r *reg) isPointer() bool { return r.kind > kScalar }

// isNullConst reports a scalar known to be 0.
func (r *reg) isZero() bool { return r.kind == kScalar && r.isConst() && r.tn.value == 0 }

// sync tightens the bounds and known bits against each other.
func (r *reg) sync() {
	for i := 0; i < 2; i++ {
		// from the known bits
		t := r.tn
		sminT := int64(t.value | t.mask&(1<<63))
		smaxT := int64(t.value | t.mask&^(1<<63))
		if sminT > r.smin {
			r.smin = sminT
		}
		if smaxT < r.smax {
			r.smax = smaxT
		}
		if t.umin() > r.umin {
			r.umin = t.umin()
		}
		if t.umax() < r.umax {
			r.umax = t.umax()
		}
		// signed and unsigned views
		if int64(r.umin) <= int64(r.umax) {
			if int64(r.umin) > r.smin {
				r.smin = int64(r.umin)
			}
			if int64(r.umax) < r.smax {
				r.smax = int64(r.umax)
			}
		}
		if uint64(r.smin) <= uint64(r.smax) {
			if uint64(r.smin) > r.umin {
				r.umin = uint64(r.smin)
			}
			if uint64(r.smax) < r.umax {
				r.umax = uint64(r.smax)
			}
		}
		// back to the known bits
		r.tn = r.tn.intersect(tnumRange(r.umin, r.umax))
	}
}

// bad reports bounds that no value satisfies (an impossible path).
func (r *reg) bad() bool {
	return r.umin > r.umax || r.smin > r.smax || r.tn.value&r.tn.mask != 0 ||
		r.tn.umin() > r.umax || r.tn.umax() < r.umin
}

func (r *reg) String() string {
	switch r.kind {
	case kNotInit:
		return "?"
	case kScalar:
		if r.isConst() {
			return fmt.Sprintf("%d", int64(r.tn.value))
		}
		return "scalar(" + r.boundsString() + ")"
	}
	var b strings.Builder
	b.WriteString(r.kind.String())
	if r.null {
		b.WriteString("_or_null")
	}
	b.WriteString("(")
	var parts []string
	if r.m != nil {
		parts = append(parts, "map="+r.m.name)
		if r.kind == kMapValue {
			parts = append(parts, fmt.Sprintf("ks=%d,vs=%d", r.m.spec.KeySize, r.m.spec.ValueSize))
		}
	}
	if r.kind == kStack && r.frame > 0 {
		parts = append(parts, fmt.Sprintf("frame=%d", r.frame))
	}
	if r.off != 0 {
		parts = append(parts, fmt.Sprintf("off=%d", r.off))
	}
	if r.kind == kMem {
		parts = append(parts, fmt.Sprintf("size=%d", r.size))
	}
	if r.kind == kPacket || r.kind == kPacketMeta {
		parts = append(parts, fmt.Sprintf("r=%d", r.rng))
	}
	if r.id != 0 {
		parts = append(parts, fmt.Sprintf("id=%d", r.id))
	}
	if !r.isConst() || r.tn.value != 0 {
		parts = append(parts, "var="+r.boundsString())
	}
	b.WriteString(strings.Join(parts, ","))
	b.WriteString(")")
	return b.String()
}

func (r *reg) boundsString() string {
	if r.isConst() {
		return fmt.Sprintf("%d", int64(r.tn.value))
	}
	var parts []string
	if r.umin != 0 || r.umax != math.MaxUint64 {
		parts = append(parts, fmt.Sprintf("umin=%d,umax=%d", r.umin, r.umax))
	}
	if r.smin != math.MinInt64 || r.smax != math.MaxInt64 {
		if !(r.smin == int64(r.umin) && r.smax == int64(r.umax)) {
			parts = append(parts, fmt.Sprintf("smin=%d,smax=%d", r.smin, r.smax))
		}
	}
	if r.tn.mask != math.MaxUint64 {
		parts = append(parts, fmt.Sprintf("var_off=(%#x;%#x)", r.tn.value, r.tn.mask))
	}
	return strings.Join(parts, ",")
}

// Stack byte states. slot.spillBytes relies on their values: 0 to 3,
// sSpill the only one with both low bits set.
const (
	sInvalid uint8 = iota // never written
	sMisc                 // some data
	sZero                 // known zero
	sSpill                // part of a spilled register
)

// slot is 8 bytes of stack: fp-8*(i+1) up to fp-8*i for slot i.
type slot struct {
	typ   [8]uint8 // by byte, lowest address first
	spill reg      // the register spilled here when every byte is sSpill
}

// frame is one function's registers and stack.
//
// A frame belongs to one state, which changes it in place. Its stack
// may be shared with the checkpoints kept along the path, and is copied
// before it is written (reuse.go).
type frame struct {
	regs     [11]reg
	stack    []slot    // grows down from fp: a prefix of mem.slots
	mem      *stackMem // nil while the stack is empty
	callsite int       // instruction that called this frame (-1 for the main program)
	subprog  int       // index into the verifier's subprograms
	callback bool      // called by a helper: returns to callsite itself
	depth    int       // deepest stack byte touched
}

// state is the whole abstract machine state on one path.
type state struct {
	frames []*frame
	refs   []refInfo // references held (ring buffer reservations)
	parent *checkpoint
	pc     int
}

type refInfo struct {
	id   uint32
	insn int
}

func (s *state) cur() *frame { return s.frames[len(s.frames)-1] }

// dump prints the registers and stack of the innermost frame.
func (s *state) dump() string {
	var b strings.Builder
	f := s.cur()
	for i := range f.regs {
		if f.regs[i].kind == kNotInit {
			continue
		}
		fmt.Fprintf(&b, " R%d=%s", i, f.regs[i].String())
	}
	for i := range f.stack {
		sl := &f.stack[i]
		var desc string
		if n := sl.spillSize(); n > 0 {
			desc = sl.spill.String()
			if n < 8 {
				desc = fmt.Sprintf("%s(%d bytes)", desc, n)
			}
		} else {
			var cs []byte
			for j := 7; j >= 0; j-- {
				cs = append(cs, "?mzr"[sl.typ[j]])
			}
			desc = string(cs)
			if desc == "????????" {
				continue
			}
		}
		fmt.Fprintf(&b, " fp-%d=%s", 8*(i+1), desc)
	}
	if len(s.frames) > 1 {
		fmt.Fprintf(&b, " (frame %d)", len(s.frames)-1)
	}
	return strings.TrimSpace(b.String())
}
