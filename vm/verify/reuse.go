package verify

import "sync"

// Copying states cheaply.
//
// The walk copies its state at every branch it follows both ways (fork)
// and at every checkpoint it keeps (snapshot). A frame is 1 KB of
// registers and up to 64 stack slots of 104 bytes; copying all of it
// into new memory each time made allocation the verifier's main cost.
// Instead:
//
//   - stacks are copied on write. A stack lives in a stackMem, which
//     counts the frames that use it. A checkpoint's snapshot copies the
//     registers but shares the stack (one more user); before writing to
//     a stack that has other users, a frame copies it into a stackMem of
//     its own (ownStack). A path that ends or reaches its next prune
//     point without writing the stack, as two paths out of three do,
//     never copies it;
//   - memory is reused. A stackMem whose last user is gone (a checkpoint
//     dropped from its list or at the end, a state whose path ended) goes
//     back on a free list, and so does the state of a path that ended
//     (release); a fork is built in a free state, so its registers and
//     stack are copied into memory already there. The walk is depth
//     first, so a few states serve all the forks of a program, and what
//     is free at the end, with the emptied lists of kept states, serves
//     the next verification (sync.Pool).
//
// None of this changes what is compared or explored: a snapshot is never
// written once taken, and a state is not read after its path ended.

// stackSlots is the number of 8-byte slots of a full stack frame.
const stackSlots = stackSize / 8

// stackMem holds a frame's stack; frame.stack is a prefix of slots.
type stackMem struct {
	slots [stackSlots]slot
	users int // frames (of states and snapshots) whose stack it is
}

// spare is the memory one verification leaves to the next.
type spare struct {
	states    []*state // of paths that ended
	snapshots []*state // of dropped checkpoints
	stacks    []*stackMem
	explored  [][]*checkpoint // verifier.explored, every list emptied
	perInsn   perInsn
}

// perInsn is the memory of the facts buildCFG, liveness and precision
// keep for every instruction slot. Each verification clears and reuses
// it, so the verification of a hundred programs by one worker takes the
// memory of its largest one, not of all of them.
type perInsn struct {
	code                                       []raw
	insnSlot                                   []int // fromAsm: the slot of each cilium instruction
	subOf                                      []int
	color                                      []uint8
	prune, seen                                []bool
	live, use, def, mayPtr, mayStack, precRegs []uint16
	precSlots                                  []uint64
	flows                                      []flow
	cfgStack                                   []cfgItem
	work                                       []int
}

var spares = sync.Pool{New: func() any { return new(spare) }}

// Bounds on what a verification leaves, so that one program with
// thousands of paths pending at once does not make later ones hold its
// memory.
const (
	maxSpareStates = 512
	maxSpareStacks = 512
)

// pop takes the last item of a free list, or a new one when it is
// empty.
func pop[T any](list *[]*T) *T {
	k := len(*list)
	if k == 0 {
		return new(T)
	}
	x := (*list)[k-1]
	*list = (*list)[:k-1]
	return x
}

// newStack returns a stackMem with one user.
func (v *verifier) newStack() *stackMem {
	m := pop(&v.spare.stacks)
	m.users = 1
	return m
}

// leaveStack ends f's use of its stack memory.
func (v *verifier) leaveStack(f *frame) {
	if m := f.mem; m != nil {
		f.mem, f.stack = nil, nil
		m.users--
		if m.users == 0 {
			v.spare.stacks = append(v.spare.stacks, m)
		}
	}
}

// ownStack makes f's stack its own before it is written: a stack other
// frames use too, or none yet, is copied into a stackMem of f's own.
func (v *verifier) ownStack(f *frame) {
	if f.mem != nil && f.mem.users == 1 {
		return
	}
	m := v.newStack()
	n := copy(m.slots[:], f.stack)
	v.leaveStack(f)
	f.mem, f.stack = m, m.slots[:n]
}

// withFrames gives s n frames, reusing those it has or had.
func withFrames(s *state, n int) {
	for len(s.frames) < n {
		if k := len(s.frames); k < cap(s.frames) && s.frames[:k+1][k] != nil {
			s.frames = s.frames[:k+1] // a frame an earlier return popped
		} else {
			s.frames = append(s.frames, &frame{})
		}
	}
	s.frames = s.frames[:n]
}

// snapshot returns a copy of s to keep at a checkpoint, in the memory of
// a dropped one when there is one. The copy is never changed; it shares
// the stacks of s, which s copies before its next write to them
// (ownStack).
func (v *verifier) snapshot(s *state) *state {
	n := pop(&v.spare.snapshots)
	withFrames(n, len(s.frames))
	for i, f := range s.frames {
		*n.frames[i] = *f
		if f.mem != nil {
			f.mem.users++
		}
	}
	n.pc, n.parent = s.pc, s.parent
	n.refs = append(n.refs[:0], s.refs...)
	return n
}

// newCheckpoint returns a checkpoint from a block allocated ahead: a
// checkpoint may still be the parent of live states after it is
// dropped, so they are never reused, but they all die with the
// verification.
func (v *verifier) newCheckpoint() *checkpoint {
	if len(v.checkpoints) == 0 {
		v.checkpoints = make([]checkpoint, 64)
	}
	cp := &v.checkpoints[0]
	v.checkpoints = v.checkpoints[1:]
	return cp
}

// dropSnapshot gives back the memory of a checkpoint's snapshot when
// the checkpoint is dropped.
func (v *verifier) dropSnapshot(cp *checkpoint) {
	s := cp.st
	cp.st = nil
	for _, f := range s.frames {
		v.leaveStack(f)
	}
	s.parent = nil
	v.spare.snapshots = append(v.spare.snapshots, s)
}

// clone returns a copy of s for another path to change, built in the
// memory of a state whose path has ended when there is one.
func (v *verifier) clone(s *state) *state {
	n := pop(&v.spare.states)
	n.pc, n.parent = s.pc, s.parent
	n.refs = append(n.refs[:0], s.refs...)
	withFrames(n, len(s.frames))
	for i, f := range s.frames {
		nf := n.frames[i]
		m := nf.mem
		if m == nil || m.users > 1 {
			v.leaveStack(nf)
			m = v.newStack()
		}
		*nf = *f
		nf.mem, nf.stack = m, m.slots[:copy(m.slots[:], f.stack)]
	}
	return n
}

// release gives the memory of a state whose path has ended to later
// forks.
func (v *verifier) release(s *state) {
	s.parent = nil
	v.spare.states = append(v.spare.states, s)
}

// takeSpare gives v sp, the memory earlier verifications left, and its
// (empty) lists of kept states.
func (v *verifier) takeSpare(sp *spare) {
	v.spare = sp
	v.perInsn = &v.spare.perInsn
	if n := len(v.code); cap(v.spare.explored) >= n {
		v.explored = v.spare.explored[:n]
	} else {
		v.explored = make([][]*checkpoint, n)
	}
	v.spare.explored = nil
}

// giveSpare leaves what v has free, with the stacks its checkpoints
// held, to later verifications.
func (v *verifier) giveSpare() {
	for i, list := range v.explored {
		for _, cp := range list {
			v.dropSnapshot(cp)
		}
		clear(list)
		v.explored[i] = list[:0]
	}
	sp := v.spare
	sp.explored, v.explored, v.spare, v.perInsn = v.explored, nil, nil, nil
	clear(sp.perInsn.code) // (the maps of the program)
	if len(sp.states) > maxSpareStates {
		clear(sp.states[maxSpareStates:])
		sp.states = sp.states[:maxSpareStates]
	}
	if len(sp.snapshots) > maxSpareStates {
		clear(sp.snapshots[maxSpareStates:])
		sp.snapshots = sp.snapshots[:maxSpareStates]
	}
	if len(sp.stacks) > maxSpareStacks {
		clear(sp.stacks[maxSpareStacks:])
		sp.stacks = sp.stacks[:maxSpareStacks]
	}
	spares.Put(sp)
}
