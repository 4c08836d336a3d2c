package output

import (
	"bufio"
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

// eventRecord is a record of printf("%d %d\n", pid, tid) as the kernel
// writes it: the event id, then pid and tid in 8-byte slots.
func eventRecord(pid, tid uint64) ([]byte, []Slot) {
	rec := binary.LittleEndian.AppendUint64(nil, 0)
	rec = binary.LittleEndian.AppendUint64(rec, pid)
	rec = binary.LittleEndian.AppendUint64(rec, tid)
	return rec, []Slot{{types.Uint32, 8, 8}, {types.Uint32, 16, 8}}
}

// benchRecords prints records through a compiled format into a buffered
// writer, as the runtime's event loop does, and reports records per
// second and allocations.
func benchRecords(b *testing.B, f Format, format string, rec []byte, slots []Slot) {
	w := bufio.NewWriterSize(io.Discard, 64<<10)
	p := New(w, f)
	fm := newFormatter(format, slots)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.PrintfRecord(fm, rec); err != nil {
			b.Fatal(err)
		}
	}
	w.Flush()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPrintfRecord: printf("%d %d\n", pid, tid) per record, in
// text and in JSON, and a line with a comm string and widths.
func BenchmarkPrintfRecord(b *testing.B) {
	rec, slots := eventRecord(123456, 123457)
	b.Run("text", func(b *testing.B) { benchRecords(b, Text, "%d %d\n", rec, slots) })
	b.Run("json", func(b *testing.B) { benchRecords(b, JSON, "%d %d\n", rec, slots) })
	comm := append(append([]byte(nil), rec...), "gotrace-bench\x00\x00\x00"...)
	slots = append(slots, Slot{types.StrType(16), 24, 16})
	b.Run("comm", func(b *testing.B) { benchRecords(b, Text, "%-6d %6d %-16s|%x\n", comm, slots) })
}

// TestPrintfRecordAllocs: printing a record allocates nothing, in text
// and in JSON, with integers and strings.
func TestPrintfRecordAllocs(t *testing.T) {
	rec, slots := eventRecord(123456, 123457)
	rec = append(rec, "gotrace\x00\x00\x00\x00\x00\x00\x00\x00\x00"...)
	slots = append(slots, Slot{types.StrType(16), 24, 16})
	for _, f := range []Format{Text, JSON} {
		w := bufio.NewWriterSize(io.Discard, 64<<10)
		p := New(w, f)
		fm := newFormatter("%d %-8d %s|%5s %x\n", append(slots, slots[0]))
		p.PrintfRecord(fm, rec) // the printer's buffers grow once
		if n := testing.AllocsPerRun(1000, func() { p.PrintfRecord(fm, rec) }); n != 0 {
			t.Errorf("format %d: %v allocations per record", f, n)
		}
	}
}
