package verify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/internal/reuse"
	"github.com/gotrace/gotrace/vm/insn"
)

// Options tune a verification.
type Options struct {
	// Unprivileged applies the rules the kernel keeps for loaders without
	// CAP_PERFMON: no pointer may leak into a map, the return value or a
	// helper argument that takes a plain number, pointers may not be
	// compared, stack memory must be written before it is read, and
	// back-edges are refused. gotrace itself loads as root, where the
	// kernel allows all of those.
	Unprivileged bool

	// MaxInsns is the number of instructions the verifier may process over
	// all paths before it gives up (0: 1,000,000, the kernel's limit).
	MaxInsns int

	// NumCPU is the number of possible CPUs of the machine that will run
	// the program (the kernel's nr_cpu_ids): bpf_get_smp_processor_id
	// returns less. 0: unknown, any 32-bit number.
	NumCPU int

	// CtxSize, when not 0, is the size of the context record a program
	// reads (the tracepoint's record): reads past it are refused here,
	// where the kernel would only refuse the attach.
	CtxSize int

	// PtRegsSize is the size of the registers kprobe and perf event
	// programs read (struct pt_regs of the machine's architecture);
	// 0 means x86-64's.
	PtRegsSize int

	// PrivateStack is set when the kernel that will load the program gives
	// the functions of tracing programs (kprobe, tracepoint, perf event,
	// raw tracepoint, tracing) whose frames take 64 bytes or more a stack
	// of their own, so that their frames do not count towards the 512
	// bytes a call chain may use. Linux 6.13 on does so where its JIT
	// supports it; whether a kernel does is a fact of the host, probed
	// by loading a program (probes.FeaturePrivateStack).
	PrivateStack bool
}

// Error is a program the verifier refuses.
type Error struct {
	Insn   int    // raw instruction index (lddw counts two)
	Msg    string // one line a script writer can act on
	Detail string // the abstract state at the instruction, for -d
	// Limit is set when the verifier gave up at its instruction limit:
	// the program may loop forever, or have more paths than this
	// verifier can tell apart (it keeps no liveness of stack slots, so
	// paths that differ only in dead stack memory stay apart), and the
	// kernel's verifier may still accept it.
	Limit bool
}

func (e *Error) Error() string { return fmt.Sprintf("insn %d: %s", e.Insn, e.Msg) }

// raw is one decoded instruction slot and, for an lddw of a map or a
// map value, the map.
type raw struct {
	insn.Insn
	m *mapInfo
}

type mapInfo struct {
	name string
	spec *ebpf.MapSpec
}

// Program checks a program produced by the code generator: maps are
// referenced by name (asm.Instruction.Reference), jumps and calls may
// still be symbolic.
func Program(insns asm.Instructions, progType ebpf.ProgramType, maps map[string]*ebpf.MapSpec, opts Options) error {
	sp := spares.Get().(*spare)
	code, err := fromAsm(insns, maps, &sp.perInsn)
	if err != nil {
		spares.Put(sp)
		return err
	}
	return run(code, progType, opts, sp)
}

// Raw checks a program given as raw instruction bytes (little endian). Map
// loads (lddw with src 1 or 2) name maps by the file descriptor in their
// immediate; maps gives their specs.
func Raw(b []byte, progType ebpf.ProgramType, maps map[int]*ebpf.MapSpec, opts Options) error {
	code, err := decode(b, maps)
	if err != nil {
		return err
	}
	return run(code, progType, opts, spares.Get().(*spare))
}

// decode turns little-endian instruction bytes into slots. Map loads
// (lddw src 1 or 2) get the map whose fd their immediate holds.
func decode(b []byte, maps map[int]*ebpf.MapSpec) ([]raw, error) {
	infos := map[int]*mapInfo{}
	return slots(b, func(i int, in insn.Insn) (*mapInfo, error) {
		fd := int(in.Imm)
		spec, ok := maps[fd]
		if !ok || spec == nil {
			return nil, &Error{Insn: i, Msg: fmt.Sprintf("lddw refers to map fd %d, which the program was not given", fd)}
		}
		mi := infos[fd]
		if mi == nil {
			name := spec.Name
			if name == "" {
				name = fmt.Sprintf("fd %d", fd)
			}
			mi = &mapInfo{name: name, spec: spec}
			infos[fd] = mi
		}
		return mi, nil
	})
}

// slots decodes b with insn.Decode and gives each map load the map that
// mapAt finds for it. Errors are reported in slot order, as a walk over
// the slots would find them.
func slots(b []byte, mapAt func(slot int, in insn.Insn) (*mapInfo, error)) ([]raw, error) {
	insns, derr := insn.Decode(b)
	code := make([]raw, len(insns))
	for i, in := range insns {
		code[i].Insn = in
		if in.IsLDDW() && (in.Src == insn.PseudoMapFD || in.Src == insn.PseudoMapValue) {
			m, err := mapAt(i, in)
			if err != nil {
				return nil, err
			}
			code[i].m = m
		}
	}
	var de *insn.DecodeError
	if errors.As(derr, &de) {
		switch de.Kind {
		case insn.Length:
			return nil, &Error{Insn: de.Slot, Msg: fmt.Sprintf("program is %d bytes, not a whole number of 8-byte instructions", de.Len)}
		case insn.LDDWTruncated:
			return nil, &Error{Insn: de.Slot, Msg: "lddw is the last instruction: its second half is missing"}
		}
		return nil, &Error{Insn: de.Slot, Msg: "lddw is not followed by its second half"}
	}
	return code, nil
}

// fromAsm lays out cilium instructions as raw slots, resolving symbolic
// jumps, calls and map references. The slots are in mem's memory.
func fromAsm(insns asm.Instructions, maps map[string]*ebpf.MapSpec, mem *perInsn) ([]raw, error) {
	syms := map[string]int{}
	pos := reuse.Zeroed(&mem.insnSlot, len(insns))
	n := 0
	for i := range insns {
		ins := &insns[i]
		pos[i] = n
		if s := ins.Symbol(); s != "" {
			if _, dup := syms[s]; dup {
				return nil, &Error{Insn: n, Msg: fmt.Sprintf("label %q is defined twice", s)}
			}
			syms[s] = n
		}
		n += int(ins.Size() / 8)
	}
	infos := map[string]*mapInfo{}
	code := reuse.Zeroed(&mem.code, n)[:0]
	var enc bytes.Buffer // the encoding of an instruction appendPlain leaves to Marshal
	for i := range insns {
		ins := insns[i]
		at := pos[i]
		ref := ins.Reference()
		var m *mapInfo
		switch {
		case ins.IsLoadFromMap():
			spec, ok := maps[ref]
			if !ok || spec == nil {
				return nil, &Error{Insn: at, Msg: fmt.Sprintf("program refers to map %q, which it was not given", ref)}
			}
			m = infos[ref]
			if m == nil {
				m = &mapInfo{name: ref, spec: spec}
				infos[ref] = m
			}
		case ref != "" && ins.IsFunctionReference() && ins.Constant == -1,
			ref != "" && ins.OpCode.JumpOp() == asm.Ja && ins.OpCode.Class() == asm.Jump32Class && ins.Constant == -1:
			to, ok := syms[ref]
			if !ok {
				return nil, &Error{Insn: at, Msg: fmt.Sprintf("call to unknown label %q", ref)}
			}
			ins.Constant = int64(to - at - 1)
		case ref != "" && ins.OpCode.Class().IsJump() && ins.Offset == -1:
			to, ok := syms[ref]
			if !ok {
				return nil, &Error{Insn: at, Msg: fmt.Sprintf("jump to unknown label %q", ref)}
			}
			ins.Offset = int16(to - at - 1)
		}
		var ok bool
		if code, ok = appendPlain(code, &ins); !ok {
			enc.Reset()
			if _, err := ins.Marshal(&enc, binary.LittleEndian); err != nil {
				return nil, &Error{Insn: at, Msg: fmt.Sprintf("instruction cannot be encoded: %v", err)}
			}
			dec, err := insn.Decode(enc.Bytes())
			if err != nil {
				return nil, &Error{Insn: at, Msg: fmt.Sprintf("instruction cannot be encoded: %v", err)}
			}
			for _, in := range dec {
				code = append(code, raw{Insn: in})
			}
		}
		code[at].m = m
	}
	return code, nil
}

// appendPlain appends the slots of ins to code when its encoding needs
// none of the rewriting asm.Instruction.Marshal does (for cilium's
// extended opcodes: signed division, sign-extending moves, atomics; and
// for calls), and reports whether it did. Its slots are those
// insn.Decode makes of Marshal's bytes (TestAppendPlain); it is here
// because Marshal allocates for every instruction, and the bytes would
// only be decoded again.
func appendPlain(code []raw, ins *asm.Instruction) ([]raw, bool) {
	op := ins.OpCode
	if op > 0xff {
		return code, false
	}
	class := op.Class()
	if class == asm.StXClass && op.Mode() == asm.AtomicMode || class.IsJump() && op.JumpOp() == asm.Call {
		return code, false
	}
	in := insn.Insn{Op: uint8(op), Dst: uint8(ins.Dst) & 0x0f, Src: uint8(ins.Src) & 0x0f, Off: ins.Offset, Imm: int32(ins.Constant)}
	if class.IsALU() {
		in.Off = 0 // Marshal clears it
	}
	if !op.IsDWordLoad() {
		return append(code, raw{Insn: in}), true
	}
	in.Next = int32(ins.Constant >> 32)
	in.Imm64 = uint64(uint32(in.Imm)) | uint64(uint32(in.Next))<<32
	return append(code, raw{Insn: in}, raw{Insn: insn.Insn{Filler: true}}), true
}

// progName describes a program type for messages.
func progName(t ebpf.ProgramType) string {
	switch t {
	case ebpf.Kprobe:
		return "kprobe"
	case ebpf.TracePoint:
		return "tracepoint"
	case ebpf.RawTracepoint:
		return "raw_tracepoint"
	case ebpf.PerfEvent:
		return "perf_event"
	case ebpf.SocketFilter:
		return "socket_filter"
	case ebpf.XDP:
		return "xdp"
	case ebpf.Tracing:
		return "tracing"
	}
	return strings.ToLower(t.String())
}
