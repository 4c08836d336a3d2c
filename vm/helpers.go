package vm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

const (
	errFault = ^uint64(13) // -EFAULT (-14)
	errNoEnt = ^uint64(1)  // -ENOENT (-2)
	errExist = ^uint64(16) // -EEXIST (-17)
	errE2BIG = ^uint64(6)  // -E2BIG (-7)
	errInval = ^uint64(21) // -EINVAL (-22)
	errNoSpc = ^uint64(27) // -ENOSPC (-28)
)

// helper runs helper id with r1-r5 and returns r0; r1-r5 are clobbered
// as the kernel leaves them undefined.
func (rn *run) helper(pc int, id int32) (uint64, error) {
	m := rn.m
	r := &rn.r
	a1, a2, a3, a4, a5 := r[1], r[2], r[3], r[4], r[5]
	mapOf := func(addr uint64) (*Map, error) {
		if uint32(addr>>regionShift) != mapWindow {
			return nil, rn.fail(pc, "helper %d: r1 is not a map pointer", id)
		}
		mp := m.maps[int(uint32(addr))]
		if mp == nil {
			return nil, rn.fail(pc, "helper %d: no map with fd %d", id, uint32(addr))
		}
		return mp, nil
	}
	read := func(addr uint64, n int) ([]byte, error) {
		b, err := m.mem(addr, n, false)
		if err != nil {
			return nil, rn.fail(pc, "helper %d: %v", id, err)
		}
		return b, nil
	}
	write := func(addr uint64, n int) ([]byte, error) {
		b, err := m.mem(addr, n, true)
		if err != nil {
			return nil, rn.fail(pc, "helper %d: %v", id, err)
		}
		return b, nil
	}
	var r0 uint64
	fn := asm.BuiltinFunc(id)
	switch fn {
	case asm.FnMapLookupElem, asm.FnMapLookupPercpuElem:
		mp, err := mapOf(a1)
		if err != nil {
			return 0, err
		}
		key, err := read(a2, int(mp.spec.KeySize))
		if err != nil {
			return 0, err
		}
		cpu := m.cfg.CPU
		if fn == asm.FnMapLookupPercpuElem {
			if !mp.perCPU {
				return 0, rn.fail(pc, "bpf_map_lookup_percpu_elem on map %s, which is not per-CPU", mp.spec.Name)
			}
			if int(a3) >= mp.ncpu {
				break // NULL
			}
			cpu = int(a3)
		}
		if e := mp.entry(key); e != nil {
			r0 = e.addrs[mp.cpuIndex(cpu)]
		}
	case asm.FnMapUpdateElem:
		mp, err := mapOf(a1)
		if err != nil {
			return 0, err
		}
		key, err := read(a2, int(mp.spec.KeySize))
		if err != nil {
			return 0, err
		}
		val, err := read(a3, int(mp.spec.ValueSize))
		if err != nil {
			return 0, err
		}
		key, val = bytes.Clone(key), bytes.Clone(val)
		vals := [][]byte{val}
		if mp.perCPU {
			// A program updates its own CPU's value; a new entry is zero
			// on the other CPUs.
			vals = make([][]byte, mp.ncpu)
			for i := range vals {
				if old := mp.entry(key); old != nil {
					vals[i] = old.vals[i]
				} else {
					vals[i] = make([]byte, mp.spec.ValueSize)
				}
			}
			vals[mp.cpuIndex(m.cfg.CPU)] = val
		}
		switch err := m.update(mp, key, vals, a4); err {
		case nil:
		case ErrKeyExists:
			r0 = errExist
		case ErrNoKey:
			r0 = errNoEnt
		case ErrFull:
			r0 = errE2BIG
		default:
			r0 = errInval
		}
	case asm.FnMapDeleteElem:
		mp, err := mapOf(a1)
		if err != nil {
			return 0, err
		}
		key, err := read(a2, int(mp.spec.KeySize))
		if err != nil {
			return 0, err
		}
		if err := m.delete(mp, bytes.Clone(key)); err != nil {
			r0 = errNoEnt
			if mp.array != nil {
				r0 = errInval
			}
		}
	case asm.FnProbeRead, asm.FnProbeReadUser, asm.FnProbeReadKernel, asm.FnProbeReadStr, asm.FnProbeReadUserStr, asm.FnProbeReadKernelStr:
		n := int(uint32(a2))
		if n > 1<<20 {
			return 0, rn.fail(pc, "helper %d: size %d too large", id, n)
		}
		dst, err := write(a1, n)
		if err != nil {
			return 0, err
		}
		mem := m.cfg.KernelMem
		if fn == asm.FnProbeReadUser || fn == asm.FnProbeReadUserStr {
			mem = m.cfg.UserMem
		}
		str := fn == asm.FnProbeReadStr || fn == asm.FnProbeReadUserStr || fn == asm.FnProbeReadKernelStr
		r0 = m.probeRead(dst, a3, mem, str)
	case asm.FnKtimeGetNs, asm.FnKtimeGetBootNs, asm.FnKtimeGetTaiNs:
		if m.cfg.Clock != nil {
			r0 = m.cfg.Clock()
		} else {
			m.clock += 1000
			r0 = m.clock
		}
	case asm.FnTracePrintk:
		f, err := read(a1, int(uint32(a2)))
		if err != nil {
			return 0, err
		}
		s := string(bytes.TrimRight(f, "\x00"))
		m.Printk = append(m.Printk, fmt.Sprintf("%s [%d %d %d]", s, a3, a4, a5))
		r0 = uint64(len(s))
	case asm.FnGetPrandomU32:
		if m.cfg.Rand != nil {
			r0 = uint64(m.cfg.Rand())
		} else {
			m.rand ^= m.rand << 13
			m.rand ^= m.rand >> 17
			m.rand ^= m.rand << 5
			r0 = uint64(m.rand)
		}
	case asm.FnGetSmpProcessorId:
		r0 = uint64(m.cfg.CPU)
	case asm.FnGetNumaNodeId:
		r0 = uint64(m.cfg.NumaNode)
	case asm.FnGetCurrentPidTgid:
		r0 = uint64(m.cfg.PID)<<32 | uint64(m.cfg.TID)
	case asm.FnGetCurrentUidGid:
		r0 = uint64(m.cfg.GID)<<32 | uint64(m.cfg.UID)
	case asm.FnGetCurrentComm:
		n := int(uint32(a2))
		dst, err := write(a1, n)
		if err != nil {
			return 0, err
		}
		for i := range dst {
			dst[i] = 0
		}
		if n > 0 {
			copy(dst[:n-1], m.cfg.Comm)
		}
	case asm.FnGetCurrentTask, asm.FnGetCurrentTaskBtf:
		r0 = m.cfg.Task
	case asm.FnTaskPtRegs:
		// the VM has no user registers of a task: reading them faults
		r0 = 0
	case asm.FnGetCurrentCgroupId:
		r0 = m.cfg.Cgroup
	case asm.FnJiffies64:
		r0 = m.cfg.Jiffies
	case asm.FnGetFuncIp:
		r0 = m.cfg.FuncIP
	case asm.FnSendSignal:
		m.Signals = append(m.Signals, int(a1))
	case asm.FnRingbufOutput:
		mp, err := mapOf(a1)
		if err != nil {
			return 0, err
		}
		data, err := read(a2, int(uint32(a3)))
		if err != nil {
			return 0, err
		}
		mp.records = append(mp.records, bytes.Clone(data))
	case asm.FnRingbufReserve:
		mp, err := mapOf(a1)
		if err != nil {
			return 0, err
		}
		if mp.spec.Type != ebpf.RingBuf {
			return 0, rn.fail(pc, "bpf_ringbuf_reserve on map %s, which is not a ring buffer", mp.spec.Name)
		}
		n := int(uint32(a2))
		if n > int(mp.spec.MaxEntries) {
			break // NULL
		}
		addr := m.alloc(make([]byte, n), true, "a ring buffer reservation")
		rn.reservations(mp)[addr] = true
		r0 = addr
	case asm.FnRingbufSubmit, asm.FnRingbufDiscard:
		for mp, res := range rn.reserved {
			if res[a1] {
				delete(res, a1)
				if fn == asm.FnRingbufSubmit {
					b, _ := m.mem(a1, len(m.regions[uint32(a1>>regionShift)].data), false)
					mp.records = append(mp.records, bytes.Clone(b))
				}
				m.free(a1)
				return 0, nil
			}
		}
		return 0, rn.fail(pc, "helper %d: r1 is not a ring buffer reservation", id)
	case asm.FnPerfEventOutput:
		mp, err := mapOf(a2)
		if err != nil {
			return 0, err
		}
		data, err := read(a4, int(uint32(a5)))
		if err != nil {
			return 0, err
		}
		mp.perf = append(mp.perf, bytes.Clone(data))
	case asm.FnGetStackid:
		mp, err := mapOf(a2)
		if err != nil {
			return 0, err
		}
		if mp.stacks == nil {
			return 0, rn.fail(pc, "bpf_get_stackid on map %s, which is not a stack trace map", mp.spec.Name)
		}
		stack := m.cfg.KernelStack
		if a3&(1<<8) != 0 {
			stack = m.cfg.UserStack
		}
		if len(stack) == 0 {
			r0 = errFault
			break
		}
		maxFrames := int(mp.spec.ValueSize / 8)
		if len(stack) > maxFrames {
			stack = stack[:maxFrames]
		}
		h := fnv.New32a()
		for _, a := range stack {
			binary.Write(h, binary.LittleEndian, a)
		}
		sid := h.Sum32() % max(mp.spec.MaxEntries, 1)
		mp.stacks[sid] = append([]uint64(nil), stack...)
		r0 = uint64(sid)
	case asm.FnForEachMapElem:
		mp, err := mapOf(a1)
		if err != nil {
			return 0, err
		}
		cb, err := rn.callback(pc, a2)
		if err != nil {
			return 0, err
		}
		keys := mp.Keys()
		n := uint64(0)
		for _, k := range keys {
			e := mp.entry(k)
			if e == nil {
				continue
			}
			kaddr := m.alloc(bytes.Clone(k), false, "a key of map "+mp.spec.Name)
			saved := *r
			ret, err := rn.call(cb, [5]uint64{a1, kaddr, e.addrs[mp.cpuIndex(m.cfg.CPU)], a3})
			*r = saved
			m.free(kaddr)
			if err != nil {
				return 0, err
			}
			n++
			if ret == 1 {
				break
			}
		}
		r0 = n
	case asm.FnLoop:
		cb, err := rn.callback(pc, a2)
		if err != nil {
			return 0, err
		}
		if a1 > 1<<23 {
			r0 = errE2BIG
			break
		}
		i := uint64(0)
		for ; i < a1; i++ {
			saved := *r
			ret, err := rn.call(cb, [5]uint64{i, a3})
			*r = saved
			if err != nil {
				return 0, err
			}
			if ret == 1 {
				i++
				break
			}
		}
		r0 = i
	default:
		return 0, rn.fail(pc, "helper %d is not emulated", id)
	}
	// The kernel leaves r1-r5 undefined after a call; make any use visible.
	for i := 1; i <= 5; i++ {
		r[i] = 0xdeadbeefdeadbeef
	}
	return r0, nil
}

// callback finds the function a callback pointer names (lddw src=4 is
// what compilers emit; gotrace passes the instruction index the same way).
func (rn *run) callback(pc int, addr uint64) (int, error) {
	if uint32(addr>>regionShift) != funcWindow {
		return 0, rn.fail(pc, "the callback argument is not a function")
	}
	t := int(uint32(addr))
	if t < 0 || t >= len(rn.p.insns) || rn.p.insns[t].Filler {
		return 0, rn.fail(pc, "callback at %d is outside the program", t)
	}
	return t, nil
}

// funcWindow is the region id whose offsets are instruction indexes
// (function pointers, lddw src=4).
const funcWindow = 0

func (rn *run) reservations(mp *Map) map[uint64]bool {
	if rn.reserved == nil {
		rn.reserved = map[*Map]map[uint64]bool{}
	}
	if rn.reserved[mp] == nil {
		rn.reserved[mp] = map[uint64]bool{}
	}
	return rn.reserved[mp]
}

// probeRead copies len(dst) bytes (or a NUL-terminated string of at most
// len(dst)-1 bytes) from addr: the program's own memory, else mem. It
// returns what the kernel's helpers return: 0 or the string length with
// its NUL, or -EFAULT with dst zeroed.
func (m *Machine) probeRead(dst []byte, addr uint64, mem Memory, str bool) uint64 {
	get := func(n int) ([]byte, bool) {
		if b, err := m.mem(addr, n, false); err == nil {
			return b, true
		}
		if mem == nil {
			return nil, false
		}
		return mem.Read(addr, n)
	}
	if !str {
		b, ok := get(len(dst))
		if !ok || len(b) < len(dst) {
			for i := range dst {
				dst[i] = 0
			}
			return errFault
		}
		copy(dst, b)
		return 0
	}
	if len(dst) == 0 {
		return 0
	}
	// Read byte by byte up to the NUL: the string may end before
	// unmapped memory.
	n := 0
	for n < len(dst)-1 {
		b, ok := get(n + 1)
		if !ok || len(b) < n+1 {
			if n == 0 {
				dst[0] = 0
				return errFault
			}
			break
		}
		c := b[n]
		if c == 0 {
			break
		}
		dst[n] = c
		n++
	}
	dst[n] = 0
	return uint64(n + 1)
}
