package runtime

import (
	"errors"
	"fmt"
	"reflect"
	"sort"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/runtime/output"
)

// Maps as the printer reads them.
//
// At exit, and for print(@m) and the REPL, a map's entries are read from
// the kernel (in batches where the kernel allows it, else one by one),
// sorted and given to the printer; clear() and zero() delete or zero
// every entry, per-CPU values included.

// clearMap deletes every entry of m, or with zero sets every value to zero
// (bpftrace's clear() and zero()).
func clearMap(m *ebpf.Map, mm *codegen.MapMeta, zero bool) error {
	var keys [][]byte
	key := make([]byte, mm.KeySize)
	it := m.Iterate()
	var discard []byte
	var discardPer [][]byte
	for {
		var ok bool
		if mm.PerCPU {
			ok = it.Next(&key, &discardPer)
		} else {
			ok = it.Next(&key, &discard)
		}
		if !ok {
			break
		}
		keys = append(keys, append([]byte(nil), key...))
	}
	for _, k := range keys {
		if !zero {
			m.Delete(k)
			continue
		}
		if mm.PerCPU {
			per := make([][]byte, possibleCPUs())
			for i := range per {
				per[i] = make([]byte, mm.ValSize)
			}
			m.Put(k, per)
		} else {
			m.Put(k, make([]byte, mm.ValSize))
		}
	}
	return it.Err()
}

func possibleCPUs() int {
	n, err := ebpf.PossibleCPU()
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// printMaps prints every non-empty user map in name order.
func (s *session) printMaps() error {
	s.out.Lock()
	defer s.out.Unlock()
	for _, mm := range s.prog.Maps {
		om, err := s.maps.read(mm)
		if err != nil {
			return fmt.Errorf("reading %s: %w", mm.Name, err)
		}
		if len(om.Entries) == 0 {
			continue
		}
		if err := s.printer.Map(om); err != nil {
			return err
		}
	}
	return nil
}

// mapStore reads and clears a program's maps: in the kernel, or in the VM.
type mapStore interface {
	read(mm *codegen.MapMeta) (*output.Map, error)
	clear(mm *codegen.MapMeta, zero bool) error
}

type kernelMaps struct{ coll *ebpf.Collection }

func (k kernelMaps) read(mm *codegen.MapMeta) (*output.Map, error) {
	return ReadMap(k.coll.Maps[mm.SpecName], mm)
}

func (k kernelMaps) clear(mm *codegen.MapMeta, zero bool) error {
	return clearMap(k.coll.Maps[mm.SpecName], mm, zero)
}

// ReadMap reads every entry of a loaded map into the printer's form, in
// batches of many keys per system call where the kernel has batch
// lookups, else key by key.
func ReadMap(m *ebpf.Map, mm *codegen.MapMeta) (*output.Map, error) {
	if om, err := readBatch(m, mm); err == nil {
		return om, nil
	}
	return readIterate(m, mm)
}

// readBatch reads a map with BPF_MAP_LOOKUP_BATCH.
func readBatch(m *ebpf.Map, mm *codegen.MapMeta) (*output.Map, error) {
	const chunk = 4096
	ncpu := 1
	if mm.PerCPU {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return nil, err
		}
		ncpu = n
	}
	byteArray := func(n int) reflect.Type { return reflect.ArrayOf(n, reflect.TypeOf(byte(0))) }
	keys := reflect.MakeSlice(reflect.SliceOf(byteArray(mm.KeySize)), chunk, chunk)
	vals := reflect.MakeSlice(reflect.SliceOf(byteArray(mm.ValSize)), chunk*ncpu, chunk*ncpu)
	bytesOf := func(v reflect.Value) []byte {
		b := make([]byte, v.Len())
		reflect.Copy(reflect.ValueOf(b), v)
		return b
	}
	om := outputMap(mm)
	var cursor ebpf.MapBatchCursor
	for {
		n, err := m.BatchLookup(&cursor, keys.Interface(), vals.Interface(), nil)
		for i := 0; i < n; i++ {
			e := output.Entry{Key: bytesOf(keys.Index(i))}
			for c := 0; c < ncpu; c++ {
				e.PerCPU = append(e.PerCPU, bytesOf(vals.Index(i*ncpu+c)))
			}
			om.Entries = append(om.Entries, e)
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	sortEntries(om)
	return om, nil
}

func sortEntries(om *output.Map) {
	sort.SliceStable(om.Entries, func(i, j int) bool {
		return string(om.Entries[i].Key) < string(om.Entries[j].Key)
	})
}

// readIterate reads a map key by key.
func readIterate(m *ebpf.Map, mm *codegen.MapMeta) (*output.Map, error) {
	om := outputMap(mm)
	it := m.Iterate()
	key := make([]byte, mm.KeySize)
	if mm.PerCPU {
		var vals [][]byte
		for it.Next(&key, &vals) {
			e := output.Entry{Key: append([]byte(nil), key...)}
			for _, v := range vals {
				e.PerCPU = append(e.PerCPU, append([]byte(nil), v...))
			}
			om.Entries = append(om.Entries, e)
		}
	} else {
		val := make([]byte, mm.ValSize)
		for it.Next(&key, &val) {
			om.Entries = append(om.Entries, output.Entry{
				Key:    append([]byte(nil), key...),
				PerCPU: [][]byte{append([]byte(nil), val...)},
			})
		}
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	sortEntries(om)
	return om, nil
}

func outputMap(mm *codegen.MapMeta) *output.Map {
	return &output.Map{Name: mm.Name, Key: mm.Key, Value: mm.Value, Bucketed: mm.Bucketed, BucketOff: mm.BucketOff}
}
