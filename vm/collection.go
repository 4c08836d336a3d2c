package vm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// Collection is a CollectionSpec loaded into a machine: map fds by name,
// programs by name.
type Collection struct {
	Maps     map[string]int
	Programs map[string]*Program
}

// LoadCollection creates every map of spec and loads every program, with
// its map references turned into the new fds, as the kernel path does.
func (m *Machine) LoadCollection(spec *ebpf.CollectionSpec) (*Collection, error) {
	c := &Collection{Maps: map[string]int{}, Programs: map[string]*Program{}}
	names := make([]string, 0, len(spec.Maps))
	for n := range spec.Maps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ms := spec.Maps[n]
		fd, err := m.CreateMap(MapSpec{Name: n, Type: ms.Type, KeySize: ms.KeySize, ValueSize: ms.ValueSize, MaxEntries: ms.MaxEntries})
		if err != nil {
			return nil, err
		}
		c.Maps[n] = fd
		if err := m.fill(fd, ms); err != nil {
			return nil, fmt.Errorf("map %s: %v", n, err)
		}
	}
	for name, ps := range spec.Programs {
		insns := append(asm.Instructions(nil), ps.Instructions...)
		for i := range insns {
			ref := insns[i].Reference()
			if ref == "" || !insns[i].IsLoadFromMap() {
				continue
			}
			fd, ok := c.Maps[ref]
			if !ok {
				return nil, fmt.Errorf("program %s: unknown map %s", name, ref)
			}
			if err := insns[i].AssociateMap(fdNum(fd)); err != nil {
				return nil, fmt.Errorf("program %s: %v", name, err)
			}
		}
		var buf bytes.Buffer
		if err := insns.Marshal(&buf, binary.LittleEndian); err != nil {
			return nil, fmt.Errorf("program %s: %v", name, err)
		}
		p, err := m.Load(buf.Bytes())
		if err != nil {
			return nil, fmt.Errorf("program %s: %v", name, err)
		}
		c.Programs[name] = p
	}
	return c, nil
}

// fdNum is a map fd of the machine, in the form cilium's encoder takes.
type fdNum int

func (f fdNum) FD() int { return int(f) }

// fill stores a map spec's initial contents: keys and values given as
// byte slices or unsigned integers of the map's key and value sizes.
func (m *Machine) fill(fd int, ms *ebpf.MapSpec) error {
	mp := m.Map(fd)
	if mp == nil || len(ms.Contents) == 0 {
		return nil
	}
	for _, kv := range ms.Contents {
		k, err := contentBytes(kv.Key, int(ms.KeySize))
		if err != nil {
			return err
		}
		v, err := contentBytes(kv.Value, int(ms.ValueSize))
		if err != nil {
			return err
		}
		if err := mp.Update(k, v); err != nil {
			return err
		}
	}
	return nil
}

func contentBytes(x any, size int) ([]byte, error) {
	var v uint64
	switch x := x.(type) {
	case []byte:
		if len(x) != size {
			return nil, fmt.Errorf("%d bytes of contents for a %d-byte field", len(x), size)
		}
		return x, nil
	case uint32:
		v = uint64(x)
	case uint64:
		v = x
	case int:
		v = uint64(x)
	default:
		return nil, fmt.Errorf("contents of type %T", x)
	}
	b := make([]byte, size)
	for i := 0; i < size && i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
	return b, nil
}
