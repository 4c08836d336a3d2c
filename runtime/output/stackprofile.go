package output

// Profiles: maps keyed by stacks, read as samples.
//
// A map such as @[kstack] = count(), @[ustack, comm] = count() or
// @[kstack, ustack, pid] = sum(arg2) is a profile: each entry is a
// sample whose stack is the key's stacks (kernel frames first, then user
// frames, each leaf first: the kernel was entered from the user code
// below it), whose labels are the key's other elements, and whose value
// is the map's value. ProfileOf reads one; WriteFolded (folded.go),
// WritePprof (pprof.go) and WriteFlameGraph (flamegraph.go) write them.

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang/types"
)

// Frame is one frame of a stack: its address and what names it.
type Frame struct {
	Addr   uint64
	Func   string // the function holding Addr; "" when no symbol holds it
	Off    uint64 // Addr's offset into Func
	Kernel bool
	// Object is the file holding the code as the traced process sees it
	// ("/usr/lib/x86_64-linux-gnu/libc.so.6"), "[kernel.kallsyms]" or
	// "[module]" for kernel code, "" when unknown.
	Object  string
	BuildID string // the object's GNU build id in hex, "" when unknown
	// The mapping holding Addr: [MapStart, MapLimit) of the process's
	// address space, mapped from offset MapOff of Object. MapLimit 0:
	// unknown (WritePprof then makes one mapping per object, covering the
	// addresses seen).
	MapStart, MapLimit, MapOff uint64
}

// Name is how the frame is shown in folded stacks and flame graphs: the
// function, else the object's base name in brackets (as perf shows code
// it has no symbol for), else [unknown].
func (f Frame) Name() string {
	switch {
	case f.Func != "":
		return f.Func
	case f.Object != "" && f.Object[0] == '[':
		return f.Object
	case f.Object != "":
		return "[" + path.Base(f.Object) + "]"
	}
	return "[unknown]"
}

// FrameSymbolizer is a Symbolizer that also gives a stack value's frames
// as addresses with what names them, which profiles need (pprof keeps
// addresses, mappings and build ids). A Symbolizer without it gives
// profiles frames with names only.
type FrameSymbolizer interface {
	StackFrames(t *types.Type, raw []byte) []Frame
}

// ProfileLabel is a key element of a profile map other than a stack.
type ProfileLabel struct {
	Key   string // the element's name: key0, key1, ... by its position in the key
	Str   string // its text, as bpftrace prints it
	Num   int64  // an integer element's value
	IsNum bool
}

// StackSample is one entry of a profile map.
type StackSample struct {
	Stack  []Frame // leaf first; kernel frames before user frames
	Labels []ProfileLabel
	Value  int64
}

// StackProfile is a map keyed by stacks, read as samples.
type StackProfile struct {
	Map     string // "@name"
	AggFn   string // count, sum, min, max, avg, stats or "" (plain integers)
	Samples []StackSample
}

// The frame that stands for a stack that was not captured: a kernel
// stack of a sample taken while the CPU ran user code, a user stack of a
// kernel thread.
const (
	NoKernelStack = "[no kernel stack]"
	NoUserStack   = "[no user stack]"
)

// IsProfile reports whether m is a profile: its key has a stack among
// its elements and its value is one number per key (count, sum, min,
// max, avg, stats, or an integer).
func IsProfile(m *Map) bool {
	if m == nil || m.Key == nil || m.Bucketed || m.Value == nil || IsTSeries(m.Value) {
		return false
	}
	switch m.Value.Kind {
	case types.Agg:
		switch m.Value.AggFn {
		case types.AggCount, types.AggSum, types.AggMin, types.AggMax, types.AggAvg, types.AggStats:
		default:
			return false
		}
	case types.Int:
	default:
		return false
	}
	for _, f := range keyParts(m.Key) {
		if f.Type.Kind == types.Stack {
			return true
		}
	}
	return false
}

// keyParts are the elements of a map key: a tuple's fields (several
// keys), or the key itself.
func keyParts(t *types.Type) []types.Field {
	if t.Kind == types.Tuple && !t.Named {
		return t.Fields
	}
	return []types.Field{{Type: t}}
}

// ProfileOf reads a profile map (see IsProfile) as samples, in the
// order the map prints (by value, then key). sym names the frames
// (through FrameSymbolizer when it has it); nil leaves stacks empty.
func ProfileOf(m *Map, sym Symbolizer) (*StackProfile, error) {
	if !IsProfile(m) {
		return nil, fmt.Errorf("map %s is not keyed by a stack with a number as its value", m.Name)
	}
	p := &StackProfile{Map: m.Name}
	if m.Value.Kind == types.Agg {
		p.AggFn = m.Value.AggFn.String()
	}
	es := m.entries(nil) // sorted and cut to print's top; stacks are decoded below, once
	parts := keyParts(m.Key)
	fs, _ := sym.(FrameSymbolizer)
	for _, e := range es {
		s := StackSample{Value: sampleValue(e.val)}
		var user []Frame
		kernelKey, userKey := false, false
		for i, f := range parts {
			raw := e.raw[f.Offset:]
			if f.Type.Kind == types.Stack {
				frames := stackFrames(f.Type, raw, sym, fs)
				if f.Type.Name == "kstack" {
					kernelKey = true
					s.Stack = append(s.Stack, frames...)
				} else {
					userKey = true
					user = append(user, frames...)
				}
				continue
			}
			v := decode(f.Type, raw, sym)
			l := ProfileLabel{Key: "key" + strconv.Itoa(i), Str: v.keyText()}
			switch v.kind {
			case vInt:
				if v.enum == "" {
					l.Num, l.IsNum = v.i, true
				}
			case vUint:
				if v.enum == "" && !v.ptr {
					l.Num, l.IsNum = int64(v.u), true
				}
			}
			s.Labels = append(s.Labels, l)
		}
		s.Stack = append(s.Stack, user...)
		if len(s.Stack) == 0 {
			// No stack was captured: a kernel stack of a sample taken in
			// user space, a user stack of a kernel thread.
			name := "[no stack]"
			switch {
			case kernelKey && !userKey:
				name = NoKernelStack
			case userKey && !kernelKey:
				name = NoUserStack
			}
			s.Stack = []Frame{{Func: name, Kernel: kernelKey && !userKey}}
		}
		p.Samples = append(p.Samples, s)
	}
	return p, nil
}

// sampleValue is the number a map value contributes: the value itself,
// the average of avg, the total of stats.
func sampleValue(v value) int64 {
	switch v.kind {
	case vInt, vBool:
		return v.i
	case vUint:
		return int64(v.u)
	case vRecord: // stats: count, average, total
		if len(v.elems) == 3 {
			return sampleValue(v.elems[2])
		}
	}
	return 0
}

// stackFrames reads a stack value's frames, leaf first.
func stackFrames(t *types.Type, raw []byte, sym Symbolizer, fs FrameSymbolizer) []Frame {
	if fs != nil {
		return fs.StackFrames(t, raw[:8])
	}
	if sym == nil {
		return nil
	}
	var out []Frame
	for _, name := range sym.Frames(t, raw[:8]) {
		// "func+off" as bpftrace prints it: the function alone
		if i := strings.LastIndexByte(name, '+'); i > 0 {
			if _, err := strconv.ParseUint(name[i+1:], 10, 64); err == nil {
				name = name[:i]
			}
		}
		out = append(out, Frame{Func: strings.TrimSpace(name), Kernel: t.Name == "kstack"})
	}
	return out
}
