package vm

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// MapSpec describes a map to create.
type MapSpec struct {
	Name                           string
	Type                           ebpf.MapType
	KeySize, ValueSize, MaxEntries uint32
}

// Map is an emulated map. Values live in regions so that programs can
// point into them; each value (and each CPU's copy of a per-CPU value)
// has its own region, removed when the key is deleted.
type Map struct {
	m      *Machine
	spec   MapSpec
	ncpu   int
	perCPU bool
	lru    bool
	// hash-like maps: key -> values (one per CPU for per-CPU maps)
	entries map[string]*mapEntry
	tick    uint64 // LRU clock
	// array maps: the values, index by key
	array []*mapEntry
	// ring buffers: submitted records, oldest first
	records [][]byte
	// perf event arrays: records written by perf_event_output
	perf [][]byte
	// stack trace maps: id -> addresses
	stacks map[uint32][]uint64
	direct uint64 // address of an array's value 0 (lddw src=2)
}

type mapEntry struct {
	vals  [][]byte
	addrs []uint64
	used  uint64
}

// Errors a map update can give, as the kernel does.
var (
	ErrKeyExists = errors.New("key exists")
	ErrNoKey     = errors.New("no such key")
	ErrFull      = errors.New("map is full")
)

// CreateMap creates a map and returns its fd.
func (m *Machine) CreateMap(s MapSpec) (int, error) {
	mp := &Map{m: m, spec: s, ncpu: m.cfg.NumCPU, entries: map[string]*mapEntry{}}
	switch s.Type {
	case ebpf.Hash:
	case ebpf.PerCPUHash:
		mp.perCPU = true
	case ebpf.LRUHash:
		mp.lru = true
	case ebpf.LRUCPUHash:
		mp.lru, mp.perCPU = true, true
	case ebpf.Array, ebpf.PerCPUArray:
		if s.KeySize != 4 {
			return 0, fmt.Errorf("map %s: array keys are 4 bytes, not %d", s.Name, s.KeySize)
		}
		mp.perCPU = s.Type == ebpf.PerCPUArray
		if s.MaxEntries > 1<<20 {
			return 0, fmt.Errorf("map %s: %d entries is too many for the VM", s.Name, s.MaxEntries)
		}
		mp.array = make([]*mapEntry, s.MaxEntries)
		for i := range mp.array {
			mp.array[i] = m.newEntry(mp)
		}
	case ebpf.RingBuf:
	case ebpf.PerfEventArray:
	case ebpf.StackTrace:
		mp.stacks = map[uint32][]uint64{}
	default:
		return 0, fmt.Errorf("map %s: type %v is not emulated", s.Name, s.Type)
	}
	if s.Type != ebpf.RingBuf && s.Type != ebpf.PerfEventArray && (s.ValueSize == 0 || s.ValueSize > 1<<24) {
		return 0, fmt.Errorf("map %s: bad value size %d", s.Name, s.ValueSize)
	}
	fd := m.nextFD
	m.nextFD++
	m.maps[fd] = mp
	return fd, nil
}

func (m *Machine) newEntry(mp *Map) *mapEntry {
	n := 1
	if mp.perCPU {
		n = mp.ncpu
	}
	e := &mapEntry{}
	for i := 0; i < n; i++ {
		v := make([]byte, mp.spec.ValueSize)
		e.vals = append(e.vals, v)
		e.addrs = append(e.addrs, m.alloc(v, true, "a value of map "+mp.spec.Name))
	}
	return e
}

func (m *Machine) dropEntry(e *mapEntry) {
	for _, a := range e.addrs {
		m.free(a)
	}
}

// Map returns the map with fd, or nil.
func (m *Machine) Map(fd int) *Map { return m.maps[fd] }

func (mp *Map) cpuIndex(cpu int) int {
	if !mp.perCPU {
		return 0
	}
	return cpu % mp.ncpu
}

func (mp *Map) arrayIndex(key []byte) (int, bool) {
	if len(key) != 4 {
		return 0, false
	}
	i := int(uint32(key[0]) | uint32(key[1])<<8 | uint32(key[2])<<16 | uint32(key[3])<<24)
	return i, i < len(mp.array)
}

// entry finds the entry of key (touching it for LRU).
func (mp *Map) entry(key []byte) *mapEntry {
	if mp.array != nil {
		i, ok := mp.arrayIndex(key)
		if !ok {
			return nil
		}
		return mp.array[i]
	}
	e := mp.entries[string(key)]
	if e != nil && mp.lru {
		mp.tick++
		e.used = mp.tick
	}
	return e
}

// update writes key's value on every CPU (vals has one element, or one
// per CPU), creating the entry as flags allow (0 any, 1 only new, 2 only
// existing).
func (m *Machine) update(mp *Map, key []byte, vals [][]byte, flags uint64) error {
	if mp.stacks != nil || mp.spec.Type == ebpf.RingBuf || mp.spec.Type == ebpf.PerfEventArray {
		return fmt.Errorf("map %s cannot be updated", mp.spec.Name)
	}
	if len(key) != int(mp.spec.KeySize) {
		return fmt.Errorf("map %s: key of %d bytes, want %d", mp.spec.Name, len(key), mp.spec.KeySize)
	}
	e := mp.entry(key)
	switch {
	case flags > 2:
		return fmt.Errorf("bad update flags %d", flags)
	case flags == 1 && e != nil:
		return ErrKeyExists
	case flags == 2 && e == nil:
		return ErrNoKey
	}
	if e == nil {
		if mp.array != nil {
			return ErrFull // index out of range
		}
		if len(mp.entries) >= int(mp.spec.MaxEntries) {
			if !mp.lru {
				return ErrFull
			}
			// Evict the least recently used entry.
			var oldest string
			var least uint64 = ^uint64(0)
			for k, x := range mp.entries {
				if x.used < least {
					least, oldest = x.used, k
				}
			}
			m.dropEntry(mp.entries[oldest])
			delete(mp.entries, oldest)
		}
		e = m.newEntry(mp)
		mp.tick++
		e.used = mp.tick
		mp.entries[string(key)] = e
	}
	for i := range e.vals {
		src := vals[0]
		if len(vals) > 1 {
			src = vals[i%len(vals)]
		}
		copy(e.vals[i], src)
	}
	return nil
}

// Lookup returns key's value (CPU 0's for per-CPU maps).
func (mp *Map) Lookup(key []byte) ([]byte, bool) {
	e := mp.entry(key)
	if e == nil {
		return nil, false
	}
	return append([]byte(nil), e.vals[0]...), true
}

// LookupPerCPU returns key's value on every CPU.
func (mp *Map) LookupPerCPU(key []byte) ([][]byte, bool) {
	e := mp.entry(key)
	if e == nil {
		return nil, false
	}
	out := make([][]byte, len(e.vals))
	for i, v := range e.vals {
		out[i] = append([]byte(nil), v...)
	}
	return out, true
}

// Keys lists the keys, sorted bytewise.
func (mp *Map) Keys() [][]byte {
	if mp.array != nil {
		out := make([][]byte, len(mp.array))
		for i := range mp.array {
			out[i] = []byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)}
		}
		return out
	}
	var out [][]byte
	for _, k := range sortedKeys(mp.entries) {
		out = append(out, []byte(k))
	}
	return out
}

// Len is the number of entries.
func (mp *Map) Len() int {
	if mp.array != nil {
		return len(mp.array)
	}
	return len(mp.entries)
}

// Spec returns what the map was created with.
func (mp *Map) Spec() MapSpec { return mp.spec }

// Records returns and removes the ring buffer's submitted records.
func (mp *Map) Records() [][]byte {
	r := mp.records
	mp.records = nil
	return r
}

// PerfRecords returns and removes what perf_event_output wrote.
func (mp *Map) PerfRecords() [][]byte {
	r := mp.perf
	mp.perf = nil
	return r
}

// Stack returns the addresses of a stack id.
func (mp *Map) Stack(id uint32) ([]uint64, bool) {
	s, ok := mp.stacks[id]
	return s, ok
}

// directValue is the address of an array map's first value (lddw src=2).
func (mp *Map) directValue(m *Machine) (uint64, error) {
	if mp.array == nil || mp.perCPU || len(mp.array) == 0 {
		return 0, fmt.Errorf("map %s has no direct value address (array maps only)", mp.spec.Name)
	}
	return mp.array[0].addrs[0], nil
}

// Update writes key's value on every CPU.
func (mp *Map) Update(key, val []byte) error { return mp.m.update(mp, key, [][]byte{val}, 0) }

// UpdatePerCPU writes one value per CPU.
func (mp *Map) UpdatePerCPU(key []byte, vals [][]byte) error {
	return mp.m.update(mp, key, vals, 0)
}

// Delete removes key.
func (mp *Map) Delete(key []byte) error { return mp.m.delete(mp, key) }

func (m *Machine) delete(mp *Map, key []byte) error {
	if mp.array != nil {
		return fmt.Errorf("array map entries cannot be deleted")
	}
	e := mp.entries[string(key)]
	if e == nil {
		return ErrNoKey
	}
	m.dropEntry(e)
	delete(mp.entries, string(key))
	return nil
}
