package output

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/gotrace/gotrace/lang/types"
)

// BenchmarkPrintMap100k prints a map of 100,000 integer keys and values
// as text, after the read-back (sorting and formatting only).
func BenchmarkPrintMap100k(b *testing.B) {
	m := &Map{Name: "@m", Key: types.Int64, Value: types.Int64}
	for i := 0; i < 100000; i++ {
		k := binary.LittleEndian.AppendUint64(nil, uint64(i*7919%100003))
		v := binary.LittleEndian.AppendUint64(nil, uint64(i))
		m.Entries = append(m.Entries, Entry{Key: k, PerCPU: [][]byte{v}})
	}
	p := New(io.Discard, Text)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.Map(m); err != nil {
			b.Fatal(err)
		}
	}
}
