package vm

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"sort"

	"github.com/gotrace/gotrace/vm/insn"
)

// Memory is fake kernel or user memory for the probe_read helpers.
type Memory interface {
	// Read returns n bytes at addr, or false when they are not mapped.
	Read(addr uint64, n int) ([]byte, bool)
}

// Config sets what the machine's helpers report. The zero value is a
// valid, deterministic machine.
type Config struct {
	NumCPU      int // possible CPUs (per-CPU maps); 0: 1
	CPU         int // the CPU programs run on
	PID, TID    uint32
	UID, GID    uint32
	Comm        string
	Clock       func() uint64 // bpf_ktime_get_ns; nil: a counter from 1e9 up by 1000 per call
	Rand        func() uint32 // bpf_get_prandom_u32; nil: a fixed sequence
	KernelMem   Memory
	UserMem     Memory
	Task        uint64 // bpf_get_current_task
	Cgroup      uint64 // bpf_get_current_cgroup_id
	Jiffies     uint64
	FuncIP      uint64   // bpf_get_func_ip
	KernelStack []uint64 // what bpf_get_stackid records for kernel stacks
	UserStack   []uint64 // ... and with BPF_F_USER_STACK
	MaxInsns    int      // instructions one Run may execute; 0: 1<<20
	NumaNode    uint32
}

// RunError is a program stopped for an illegal operation.
type RunError struct {
	PC  int // the instruction slot
	Msg string
}

func (e *RunError) Error() string { return fmt.Sprintf("instruction %d: %s", e.PC, e.Msg) }

// region is a piece of addressable memory.
type region struct {
	data     []byte
	writable bool
	name     string
}

// Addresses: region id in the upper 32 bits, offset in the lower.
const (
	regionShift = 32
	mapWindow   = 1 // region id whose offsets are map fds (map pointers)
)

// Machine holds maps and memory; programs loaded into it run on it.
type Machine struct {
	cfg     Config
	regions map[uint32]*region
	nextReg uint32
	maps    map[int]*Map
	nextFD  int
	clock   uint64
	rand    uint32
	Printk  []string // bpf_trace_printk output
	Signals []int    // bpf_send_signal requests
}

// New returns a machine.
func New(cfg Config) *Machine {
	if cfg.NumCPU <= 0 {
		cfg.NumCPU = 1
	}
	if cfg.MaxInsns <= 0 {
		cfg.MaxInsns = 1 << 20
	}
	return &Machine{cfg: cfg, regions: map[uint32]*region{}, nextReg: 2, maps: map[int]*Map{}, nextFD: 3,
		clock: 1_000_000_000, rand: 0x2545f491}
}

// alloc registers memory as a region and returns its address.
func (m *Machine) alloc(data []byte, writable bool, name string) uint64 {
	id := m.nextReg
	m.nextReg++
	m.regions[id] = &region{data: data, writable: writable, name: name}
	return uint64(id) << regionShift
}

func (m *Machine) free(addr uint64) { delete(m.regions, uint32(addr>>regionShift)) }

// mem returns the n bytes at addr, checking bounds and write permission.
func (m *Machine) mem(addr uint64, n int, write bool) ([]byte, error) {
	r := m.regions[uint32(addr>>regionShift)]
	off := addr & (1<<regionShift - 1)
	if r == nil {
		if uint32(addr>>regionShift) == mapWindow {
			return nil, fmt.Errorf("access through a map pointer (0x%x)", addr)
		}
		return nil, fmt.Errorf("access to 0x%x, which is no memory of the program", addr)
	}
	if n < 0 || off+uint64(n) > uint64(len(r.data)) {
		return nil, fmt.Errorf("access of %d bytes at offset %d of %s, which has %d", n, off, r.name, len(r.data))
	}
	if write && !r.writable {
		return nil, fmt.Errorf("write to read-only %s", r.name)
	}
	return r.data[off : off+uint64(n)], nil
}

// Program is a loaded program.
type Program struct {
	insns []insn.Insn
}

// Load decodes a program and checks its structure: known opcodes, jumps
// and calls that land on instructions, lddw map references to existing
// maps.
func (m *Machine) Load(raw []byte) (*Program, error) {
	insns, err := insn.Decode(raw)
	if err != nil {
		return nil, err
	}
	if len(insns) == 0 {
		return nil, fmt.Errorf("empty program")
	}
	for pc, in := range insns {
		if in.Filler {
			continue
		}
		if err := m.check(insns, pc, in); err != nil {
			return nil, &RunError{PC: pc, Msg: err.Error()}
		}
	}
	return &Program{insns: insns}, nil
}

func (m *Machine) check(insns []insn.Insn, pc int, in insn.Insn) error {
	if in.Dst > 10 || in.Src > 10 && !in.IsLDDW() {
		return fmt.Errorf("bad register")
	}
	target := func() error {
		t := in.Target(pc)
		if t < 0 || t >= len(insns) || insns[t].Filler {
			return fmt.Errorf("jump to %d, outside the program or into an lddw", t)
		}
		return nil
	}
	switch in.Class() {
	case insn.LD:
		if !in.IsLDDW() {
			return fmt.Errorf("unsupported load opcode 0x%02x", in.Op)
		}
		switch in.Src {
		case 0:
		case insn.PseudoMapFD, insn.PseudoMapValue:
			if m.maps[int(in.Imm)] == nil {
				return fmt.Errorf("lddw names map fd %d, which does not exist", in.Imm)
			}
		case insn.PseudoFunc:
			return target()
		case insn.PseudoBTFID:
			return fmt.Errorf("lddw of kernel variable BTF id %d: the VM has no kernel memory (percpu_kaddr runs only in the kernel)", in.Imm)
		default:
			return fmt.Errorf("unsupported lddw source %d", in.Src)
		}
	case insn.JMP, insn.JMP32:
		op := in.Code()
		switch op {
		case insn.CALL:
			if in.Class() != insn.JMP {
				return fmt.Errorf("call in the jmp32 class")
			}
			switch in.Src {
			case 0:
			case insn.PseudoCall:
				return target()
			case insn.PseudoKfuncCall:
				return fmt.Errorf("a call of a kernel function (kfunc), which the VM cannot run: run the script in the kernel")
			default:
				return fmt.Errorf("unsupported call kind %d", in.Src)
			}
		case insn.EXIT:
			if in.Class() != insn.JMP {
				return fmt.Errorf("exit in the jmp32 class")
			}
		case insn.JA:
			return target()
		case insn.JEQ, insn.JGT, insn.JGE, insn.JSET, insn.JNE, insn.JSGT, insn.JSGE, insn.JLT, insn.JLE, insn.JSLT, insn.JSLE:
			return target()
		default:
			return fmt.Errorf("unknown jump opcode 0x%02x", in.Op)
		}
	case insn.ALU, insn.ALU64:
		op := in.Code()
		if op > insn.END {
			return fmt.Errorf("unknown ALU opcode 0x%02x", in.Op)
		}
		if in.Op&insn.X == 0 {
			width := int32(64)
			if in.Class() == insn.ALU {
				width = 32
			}
			switch {
			case (op == insn.LSH || op == insn.RSH || op == insn.ARSH) && (in.Imm < 0 || in.Imm >= width):
				return fmt.Errorf("shift by %d, outside 0..%d", in.Imm, width-1)
			case (op == insn.DIV || op == insn.MOD) && in.Imm == 0:
				return fmt.Errorf("division by zero")
			}
		}
	case insn.LDX:
		if in.Mode() != insn.MEM && in.Mode() != insn.MEMSX {
			return fmt.Errorf("unsupported load mode 0x%02x", in.Op)
		}
	case insn.ST:
		if in.Mode() != insn.MEM {
			return fmt.Errorf("unsupported store mode 0x%02x", in.Op)
		}
	case insn.STX:
		if in.Mode() != insn.MEM && in.Mode() != insn.ATOMIC {
			return fmt.Errorf("unsupported store mode 0x%02x", in.Op)
		}
	}
	return nil
}

// frame is a bpf-to-bpf call frame.
type frame struct {
	retPC int
	saved [4]uint64 // r6-r9 of the caller
	fp    uint64    // the caller's r10
	stack uint64    // this frame's stack region
}

// run is one execution: registers, frames, the instruction budget.
type run struct {
	m      *Machine
	p      *Program
	r      [11]uint64
	frames []frame
	budget int
	ctx    uint64
	// ring buffer reservations not yet submitted or discarded
	reserved map[*Map]map[uint64]bool
}

const stackSize = 512

// Run executes p with ctx as its context (r1 points to a copy that the
// program may read and write; r2 holds its length) and returns r0.
func (m *Machine) Run(p *Program, ctx []byte) (uint64, error) {
	rn := &run{m: m, p: p, budget: m.cfg.MaxInsns}
	if ctx != nil {
		rn.ctx = m.alloc(ctx, true, "the context")
		defer m.free(rn.ctx)
	}
	return rn.call(0, [5]uint64{rn.ctx, uint64(len(ctx))})
}

// call runs the function at pc with arguments r1-r5 in a new frame until
// it returns, and gives its r0. It serves the program's entry and the
// callbacks of helpers.
func (rn *run) call(pc int, args [5]uint64) (r0 uint64, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = &RunError{PC: pc, Msg: fmt.Sprintf("machine fault: %v", x)}
		}
	}()
	saved := rn.r
	savedFrames := rn.frames
	stack := rn.m.alloc(make([]byte, stackSize), true, "the stack")
	defer rn.m.free(stack)
	rn.frames = []frame{{retPC: -1, stack: stack}}
	copy(rn.r[1:6], args[:])
	rn.r[10] = stack + stackSize
	r0, err = rn.exec(pc)
	rn.r = saved
	rn.frames = savedFrames
	return r0, err
}

func (rn *run) fail(pc int, format string, args ...any) error {
	return &RunError{PC: pc, Msg: fmt.Sprintf(format, args...)}
}

// exec interprets from pc until the outermost frame of this call exits.
func (rn *run) exec(pc int) (uint64, error) {
	insns := rn.p.insns
	r := &rn.r
	for {
		if pc < 0 || pc >= len(insns) {
			return 0, rn.fail(pc, "execution ran off the program")
		}
		rn.budget--
		if rn.budget < 0 {
			return 0, rn.fail(pc, "more than %d instructions executed", rn.m.cfg.MaxInsns)
		}
		in := insns[pc]
		switch in.Class() {
		case insn.ALU, insn.ALU64:
			if err := rn.alu(pc, in); err != nil {
				return 0, err
			}
		case insn.LD:
			switch in.Src {
			case 0:
				r[in.Dst] = in.Imm64
			case insn.PseudoMapFD:
				r[in.Dst] = uint64(mapWindow)<<regionShift | uint64(uint32(in.Imm))
			case insn.PseudoFunc:
				r[in.Dst] = uint64(funcWindow)<<regionShift | uint64(pc+1+int(in.Imm))
			case insn.PseudoMapValue:
				mp := rn.m.maps[int(in.Imm)]
				addr, err := mp.directValue(rn.m)
				if err != nil {
					return 0, rn.fail(pc, "%v", err)
				}
				r[in.Dst] = addr + uint64(uint32(in.Next))
			}
			pc++
		case insn.LDX:
			size := in.Bytes()
			b, err := rn.m.mem(r[in.Src]+uint64(int64(in.Off)), size, false)
			if err != nil {
				return 0, rn.fail(pc, "load: %v", err)
			}
			v := readLE(b)
			if in.Mode() == insn.MEMSX {
				v = signExtend(v, size)
			}
			r[in.Dst] = v
		case insn.ST, insn.STX:
			size := in.Bytes()
			addr := r[in.Dst] + uint64(int64(in.Off))
			b, err := rn.m.mem(addr, size, true)
			if err != nil {
				return 0, rn.fail(pc, "store: %v", err)
			}
			switch {
			case in.Class() == insn.ST:
				writeLE(b, uint64(int64(in.Imm)))
			case in.Mode() == insn.ATOMIC:
				if err := rn.atomic(pc, in, b); err != nil {
					return 0, err
				}
			default:
				writeLE(b, r[in.Src])
			}
		case insn.JMP, insn.JMP32:
			op := in.Code()
			switch op {
			case insn.EXIT:
				f := rn.frames[len(rn.frames)-1]
				rn.frames = rn.frames[:len(rn.frames)-1]
				if len(rn.frames) == 0 {
					return r[0], nil
				}
				rn.m.free(f.stack)
				copy(r[6:10], f.saved[:])
				r[10] = f.fp
				pc = f.retPC
				continue
			case insn.CALL:
				if in.Src == insn.PseudoCall {
					if len(rn.frames) >= 8 {
						return 0, rn.fail(pc, "calls nested more than 8 deep")
					}
					f := frame{retPC: pc + 1, fp: r[10]}
					copy(f.saved[:], r[6:10])
					f.stack = rn.m.alloc(make([]byte, stackSize), true, "a function's stack")
					r[10] = f.stack + stackSize
					rn.frames = append(rn.frames, f)
					pc = pc + 1 + int(in.Imm)
					continue
				}
				v, err := rn.helper(pc, in.Imm)
				if err != nil {
					return 0, err
				}
				r[0] = v
			case insn.JA:
				if in.Class() == insn.JMP32 {
					pc += int(in.Imm)
				} else {
					pc += int(in.Off)
				}
			default:
				if rn.cond(in) {
					pc += int(in.Off)
				}
			}
		default:
			return 0, rn.fail(pc, "unknown opcode 0x%02x", in.Op)
		}
		pc++
		if in.IsLDDW() {
			// lddw advanced past its first slot above; skip the second.
			continue
		}
	}
}

func readLE(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

func writeLE(b []byte, v uint64) {
	switch len(b) {
	case 1:
		b[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	default:
		binary.LittleEndian.PutUint64(b, v)
	}
}

func signExtend(v uint64, size int) uint64 {
	shift := 64 - 8*uint(size)
	return uint64(int64(v<<shift) >> shift)
}

// alu executes an ALU or ALU64 instruction.
func (rn *run) alu(pc int, in insn.Insn) error {
	r := &rn.r
	is64 := in.Class() == insn.ALU64
	op := in.Code()
	var src uint64
	if in.Op&insn.X != 0 {
		src = r[in.Src]
	} else {
		src = uint64(int64(in.Imm))
	}
	dst := r[in.Dst]
	if op == insn.END {
		var v uint64
		n := uint(in.Imm)
		toBE := in.Op&insn.X != 0
		if is64 { // bswap: unconditional
			toBE = true
		}
		switch n {
		case 16:
			v = dst & 0xffff
			if toBE {
				v = uint64(bits.ReverseBytes16(uint16(v)))
			}
		case 32:
			v = dst & 0xffffffff
			if toBE {
				v = uint64(bits.ReverseBytes32(uint32(v)))
			}
		case 64:
			v = dst
			if toBE {
				v = bits.ReverseBytes64(v)
			}
		default:
			return rn.fail(pc, "byte swap of %d bits", n)
		}
		r[in.Dst] = v
		return nil
	}
	if !is64 {
		dst &= 0xffffffff
		src &= 0xffffffff
	}
	var v uint64
	switch op {
	case insn.ADD:
		v = dst + src
	case insn.SUB:
		v = dst - src
	case insn.MUL:
		v = dst * src
	case insn.DIV:
		switch {
		case src == 0:
			v = 0
		case in.Off == 1 && is64:
			a, b := int64(dst), int64(src)
			if b == -1 {
				v = uint64(-a)
			} else {
				v = uint64(a / b)
			}
		case in.Off == 1:
			a, b := int32(dst), int32(src)
			if b == -1 {
				v = uint64(uint32(-a))
			} else {
				v = uint64(uint32(a / b))
			}
		default:
			v = dst / src
		}
	case insn.MOD:
		switch {
		case src == 0:
			v = dst
		case in.Off == 1 && is64:
			a, b := int64(dst), int64(src)
			if b == -1 {
				v = 0
			} else {
				v = uint64(a % b)
			}
		case in.Off == 1:
			a, b := int32(dst), int32(src)
			if b == -1 {
				v = 0
			} else {
				v = uint64(uint32(a % b))
			}
		default:
			v = dst % src
		}
	case insn.OR:
		v = dst | src
	case insn.AND:
		v = dst & src
	case insn.XOR:
		v = dst ^ src
	case insn.LSH:
		if is64 {
			v = dst << (src & 63)
		} else {
			v = dst << (src & 31)
		}
	case insn.RSH:
		if is64 {
			v = dst >> (src & 63)
		} else {
			v = dst >> (src & 31)
		}
	case insn.ARSH:
		if is64 {
			v = uint64(int64(dst) >> (src & 63))
		} else {
			v = uint64(uint32(int32(dst) >> (src & 31)))
		}
	case insn.NEG:
		v = -dst
	case insn.MOV:
		switch in.Off {
		case 0:
			v = src
		case 8, 16, 32:
			if in.Op&insn.X == 0 {
				return rn.fail(pc, "movsx takes a register source")
			}
			v = signExtend(r[in.Src], int(in.Off)/8)
		default:
			return rn.fail(pc, "mov with offset %d", in.Off)
		}
	default:
		return rn.fail(pc, "unknown ALU opcode 0x%02x", in.Op)
	}
	if !is64 {
		v &= 0xffffffff
	}
	r[in.Dst] = v
	return nil
}

// cond evaluates a conditional jump.
func (rn *run) cond(in insn.Insn) bool {
	r := &rn.r
	a := r[in.Dst]
	var b uint64
	if in.Op&insn.X != 0 {
		b = r[in.Src]
	} else {
		b = uint64(int64(in.Imm))
	}
	var sa, sb int64
	if in.Class() == insn.JMP32 {
		a, b = a&0xffffffff, b&0xffffffff
		sa, sb = int64(int32(a)), int64(int32(b))
	} else {
		sa, sb = int64(a), int64(b)
	}
	switch in.Code() {
	case insn.JEQ:
		return a == b
	case insn.JNE:
		return a != b
	case insn.JGT:
		return a > b
	case insn.JGE:
		return a >= b
	case insn.JLT:
		return a < b
	case insn.JLE:
		return a <= b
	case insn.JSET:
		return a&b != 0
	case insn.JSGT:
		return sa > sb
	case insn.JSGE:
		return sa >= sb
	case insn.JSLT:
		return sa < sb
	case insn.JSLE:
		return sa <= sb
	}
	return false
}

// atomic executes an atomic read-modify-write on b.
func (rn *run) atomic(pc int, in insn.Insn, b []byte) error {
	r := &rn.r
	size := len(b)
	if size != 4 && size != 8 {
		return rn.fail(pc, "atomic operations are 32 or 64 bits")
	}
	old := readLE(b)
	src := r[in.Src]
	if size == 4 {
		src &= 0xffffffff
	}
	imm := uint32(in.Imm)
	var nv uint64
	switch imm &^ insn.FETCH {
	case insn.ADD:
		nv = old + src
	case insn.OR:
		nv = old | src
	case insn.AND:
		nv = old & src
	case insn.XOR:
		nv = old ^ src
	case insn.XCHG &^ insn.FETCH:
		if imm != insn.XCHG {
			return rn.fail(pc, "xchg without fetch")
		}
		nv = src
	case insn.CMPXCHG &^ insn.FETCH:
		if imm != insn.CMPXCHG {
			return rn.fail(pc, "cmpxchg without fetch")
		}
		want := r[0]
		if size == 4 {
			want &= 0xffffffff
		}
		if old == want {
			writeLE(b, src)
		}
		r[0] = old
		return nil
	default:
		return rn.fail(pc, "unknown atomic operation 0x%x", imm)
	}
	writeLE(b, nv)
	if imm&insn.FETCH != 0 {
		r[in.Src] = old
	}
	return nil
}

// sortedKeys returns the keys of a byte-keyed map, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
