package runtime

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/runtime/output"
	"github.com/gotrace/gotrace/symbolize"
)

// StackFrames reads a kstack or ustack value (raw is its 8 bytes) as
// frames with their addresses, names, objects, mappings and build ids,
// leaf first: what profiles (output.FrameSymbolizer) need. The stack's
// print mode does not matter, except build_id stacks, whose frames are a
// build id and an offset in that object (the Addr, in a mapping that
// starts at 0) or a bare address. A stack that could not be captured has
// no frames.
func (s *Symbols) StackFrames(t *types.Type, raw []byte) []output.Frame {
	buf, pid, ok := s.stack(t, raw)
	if !ok {
		return nil
	}
	if t.Mode == "build_id" {
		return buildIDStackFrames(buf)
	}
	var out []output.Frame
	for i := 0; i < t.Len; i++ {
		addr := binary.LittleEndian.Uint64(buf[8*i:])
		if addr == 0 {
			break
		}
		if t.Name == "kstack" {
			out = append(out, s.kernelFrame(addr))
		} else {
			out = append(out, s.userFrame(pid, addr))
		}
	}
	return out
}

func (s *Symbols) kernelFrame(addr uint64) output.Frame {
	f := output.Frame{Addr: addr, Kernel: true, Object: "[kernel.kallsyms]"}
	k, off, ok := s.kernel(addr)
	if !ok {
		return f
	}
	f.Func, f.Off = k.name, off
	notes := s.Root + "/sys/kernel/notes"
	if k.module != "" {
		f.Object = "[" + k.module + "]"
		notes = s.Root + "/sys/module/" + k.module + "/notes/.note.gnu.build-id"
	}
	f.BuildID = notesBuildID(notes)
	return f
}

// kernelBuildIDs caches the build ids of the kernel and its modules by
// the path of their notes. It is process-wide on purpose: the running
// kernel's build ids are facts of the machine for the life of the
// process, not data one pass hands to another.
var kernelBuildIDs sync.Map

func notesBuildID(path string) string {
	if id, ok := kernelBuildIDs.Load(path); ok {
		return id.(string)
	}
	id := symbolize.NotesBuildID(path)
	kernelBuildIDs.Store(path, id)
	return id
}

func (s *Symbols) userFrame(pid uint32, addr uint64) output.Frame {
	f := output.Frame{Addr: addr}
	us := s.userSyms()
	fr, ok := us.Lookup(int(pid), addr)
	if ok {
		f.Func, f.Off = fr.Name, fr.Off
	}
	f.Object = fr.Object
	if m, id, found := us.Locate(int(pid), addr); found {
		f.MapStart, f.MapLimit, f.MapOff, f.BuildID = m.Start, m.End, m.Off, id
		if f.Object == "" {
			f.Object = m.Path
		}
	}
	return f
}

// buildIDStackFrames reads the frames of a build_id stack.
func buildIDStackFrames(buf []byte) []output.Frame {
	var out []output.Frame
	for ; len(buf) >= codegen.BuildIDFrameSize; buf = buf[codegen.BuildIDFrameSize:] {
		status := int32(binary.LittleEndian.Uint32(buf))
		v := binary.LittleEndian.Uint64(buf[24:])
		switch status {
		case 1: // BPF_STACK_BUILD_ID_VALID: an offset in the object of that build id
			out = append(out, output.Frame{Addr: v, BuildID: fmt.Sprintf("%x", buf[4:24])})
		case 2: // BPF_STACK_BUILD_ID_IP
			out = append(out, output.Frame{Addr: v})
		default:
			return out
		}
	}
	return out
}

var _ output.FrameSymbolizer = (*Symbols)(nil)
