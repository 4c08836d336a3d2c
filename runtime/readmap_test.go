package runtime

import (
	"encoding/binary"
	"os"
	"reflect"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
)

// bigMap makes a kernel map of n entries shaped like gotrace's @m[u64] =
// count().
func bigMap(tb testing.TB, n int) (*ebpf.Map, *codegen.MapMeta) {
	tb.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			tb.Fatal("not root, but CI=true")
		}
		tb.Skip("not root")
	}
	rlimit.RemoveMemlock()
	mm := &codegen.MapMeta{Name: "@m", Key: types.Uint64, Keys: []*types.Type{types.Uint64},
		Value: &types.Type{Kind: types.Agg, AggFn: types.AggCount}, PerCPU: true, KeySize: 8, ValSize: 8}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: uint32(n)})
	if err != nil {
		tb.Fatal(err)
	}
	ncpu, _ := ebpf.PossibleCPU()
	keys := make([]uint64, n)
	vals := make([]uint64, n*ncpu)
	for i := range keys {
		keys[i] = uint64(i)
		vals[i*ncpu] = uint64(i)
	}
	if _, err := m.BatchUpdate(keys, vals, nil); err != nil {
		for i := range keys {
			k := make([]byte, 8)
			binary.LittleEndian.PutUint64(k, keys[i])
			per := make([][]byte, ncpu)
			for c := range per {
				per[c] = make([]byte, 8)
			}
			binary.LittleEndian.PutUint64(per[0], vals[i*ncpu])
			if err := m.Put(k, per); err != nil {
				tb.Fatal(err)
			}
		}
	}
	tb.Cleanup(func() { m.Close() })
	return m, mm
}

// TestReadBatch: batch read-back gives what key-by-key iteration gives.
func TestReadBatch(t *testing.T) {
	m, mm := bigMap(t, 10000)
	a, err := readBatch(m, mm)
	if err != nil {
		t.Fatal(err)
	}
	b, err := readIterate(m, mm)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Entries) != 10000 || !reflect.DeepEqual(a.Entries, b.Entries) {
		t.Errorf("batch read %d entries, iteration %d; equal: %v", len(a.Entries), len(b.Entries), reflect.DeepEqual(a.Entries, b.Entries))
	}
}

// BenchmarkReadMap100k reads back a map of 100,000 keys.
func BenchmarkReadMap100k(b *testing.B) {
	m, mm := bigMap(b, 100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ReadMap(m, mm); err != nil {
			b.Fatal(err)
		}
	}
}
