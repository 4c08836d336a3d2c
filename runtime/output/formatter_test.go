package output

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/gotrace/gotrace/lang/printf"
	"github.com/gotrace/gotrace/lang/types"
)

// slot lays out one argument after a record's 8-byte id, as the code
// generator does.
func slot(t *types.Type) Slot {
	size := t.Size
	if t.InRegister() {
		size = 8
	}
	return Slot{Type: t, Offset: 8, Size: size}
}

// viaSprintf formats rec's arguments the general way: each decoded, then
// sprintf.
func viaSprintf(format string, slots []Slot, rec []byte, sym Symbolizer) string {
	var vs []value
	for _, s := range slots {
		vs = append(vs, decode(s.Type, rec[s.Offset:s.Offset+s.Size], sym))
	}
	var gfp map[string]int
	if sym != nil {
		gfp = sym.GFPBits()
	}
	return sprintf(format, vs, gfp)
}

// TestFormatterMatchesSprintf: a compiled format prints every conversion,
// flag, width and length modifier on every kind of argument as sprintf
// does.
func TestFormatterMatchesSprintf(t *testing.T) {
	charArr := types.ArrayOf(&types.Type{Kind: types.Int, Size: 1, Signed: true, Name: "char"}, 8)
	enum := &types.Type{Kind: types.Int, Size: 4, Signed: true, Name: "enum e", Enum: map[int64]string{1: "ONE"}}
	argTypes := []*types.Type{types.Int8, types.Int16, types.Int32, types.Int64, types.Uint8, types.Uint16,
		types.Uint32, types.Uint64, types.StrType(16), charArr, enum, types.BoolType,
		{Kind: types.Ptr, Size: 8, Elem: types.Uint8}, {Kind: types.Ksym, Size: 8},
		{Kind: types.Buf, Size: 5}}
	nums := []uint64{0, 1, 42, 255, 256, 1 << 31, 1<<32 - 1, 0x1234abcd5678ef90, math.MaxInt64,
		1 << 63, math.MaxUint64, uint64(^uint64(41)), uint64(^uint64(1 << 31))}
	strs := []string{"", "a", "hello", "héllo wörld", "12345678901234567", "\xff\xfe"}
	var formats []string
	for _, verb := range []string{"d", "i", "u", "x", "X", "o", "c", "s", "p", "r", "rx", "gr"} {
		for _, spec := range []string{"", "5", "-5", "05", "-05", "0-7", "+", " ", "#", ".3", "+8", "12.4", "1", "01"} {
			for _, length := range []string{"", "hh", "h", "l", "ll", "z"} {
				formats = append(formats, "<%"+spec+length+verb+">")
			}
		}
	}
	formats = append(formats, "%d %d", "%%d", "x%", "%5", "%s and %d\n")
	sym := fakeSym{}
	n := 0
	for _, tt := range argTypes {
		s := slot(tt)
		var raws [][]byte
		switch {
		case isString(tt):
			for _, str := range strs {
				raw := make([]byte, tt.Size)
				copy(raw, str)
				raws = append(raws, raw)
			}
		case tt.Kind == types.Buf:
			raws = append(raws, []byte{3, 'a', 1, 'b', 0}, []byte{0, 0, 0, 0, 0})
		default:
			for _, u := range nums {
				raws = append(raws, binary.LittleEndian.AppendUint64(nil, u))
			}
		}
		for _, raw := range raws {
			rec := append(make([]byte, 8), raw...)
			for _, format := range formats {
				for _, sy := range []Symbolizer{nil, sym} {
					want := viaSprintf(format, []Slot{s}, rec, sy)
					f := newFormatter(format, []Slot{s})
					if !f.Fits(rec) {
						t.Fatalf("%s %q: record of %d bytes does not fit", tt, format, len(rec))
					}
					if got := string(f.Append(nil, rec, sy)); got != want {
						t.Errorf("%s %q of %x: got %q, want %q", tt, format, raw, got, want)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d cases", n)
}

// TestFormatterArgs: several arguments at their offsets, missing ones,
// and a record too short for its arguments.
func TestFormatterArgs(t *testing.T) {
	slots := []Slot{{types.Uint32, 8, 8}, {types.StrType(16), 16, 16}, {types.Int64, 32, 8}}
	rec := cat(u64(0), u64(4242), str("bash", 16), u64(uint64(^uint64(6))))
	f := newFormatter("%d %s %d|%5s|%-3d|%d %s\n", slots)
	want := "4242 bash -7|%!s(MISSING)|%!d(MISSING)|%!d(MISSING) %!s(MISSING)\n"
	if got := string(f.Append(nil, rec, nil)); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if f.Fits(rec[:39]) || !f.Fits(rec) {
		t.Errorf("Fits: a record of 39 bytes fits, or one of 40 does not")
	}
}

// TestAppendJSONString escapes as jsonString does, every byte.
func TestAppendJSONString(t *testing.T) {
	var all []byte
	for c := 0; c < 256; c++ {
		all = append(all, byte(c))
	}
	for _, s := range [][]byte{nil, []byte("a \"b\" \\ c\n"), all} {
		if got, want := string(appendJSONString(nil, s)), jsonString(string(s)); got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestPrintfRecord: a record prints as Printf prints the same arguments,
// in text and in JSON.
func TestPrintfRecord(t *testing.T) {
	slots := []Slot{{types.Uint32, 8, 8}, {types.StrType(16), 16, 16}}
	rec := cat(u64(0), u64(7), str("a\"b\tc", 16))
	args := []Arg{{types.Uint32, rec[8:16]}, {types.StrType(16), rec[16:32]}}
	for _, format := range []Format{Text, JSON} {
		var a, b bytes.Buffer
		New(&a, format).Printf("%d %s\n", args)
		p := New(&b, format)
		f := newFormatter("%d %s\n", slots)
		p.PrintfRecord(f, rec)
		if a.String() != b.String() {
			t.Errorf("format %d: PrintfRecord %q, Printf %q", format, b.String(), a.String())
		}
		if got := p.SprintfRecord(f, rec); got != "7 a\"b\tc\n" {
			t.Errorf("SprintfRecord: %q", got)
		}
	}
}

// FuzzFormatter: any format on any record prints as sprintf prints it.
func FuzzFormatter(f *testing.F) {
	f.Add("%d %s %-5x|%05u\n", []byte("\x01\x02\x03\x04\x05\x06\x07\x08abc\x00"))
	f.Add("%hhd%ld%c%s", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, format string, data []byte) {
		slots := []Slot{{types.Int32, 8, 8}, {types.StrType(8), 16, 8}, {types.Uint64, 24, 8}}
		rec := make([]byte, 32)
		copy(rec[8:], data)
		want := viaSprintf(format, slots, rec, nil)
		if got := string(newFormatter(format, slots).Append(nil, rec, nil)); got != want {
			t.Errorf("%q on %x: got %q, want %q", format, data, got, want)
		}
	})
}

// TestFormatterFastPaths: the common conversions take the paths that do
// not decode (and so do not allocate).
func TestFormatterFastPaths(t *testing.T) {
	for _, tc := range []struct {
		format string
		t      *types.Type
		op     fop
	}{
		{"%d", types.Uint32, opInt}, {"%-5lu", types.Int64, opInt}, {"%08x", types.Uint64, opInt},
		{"%s", types.Int32, opInt}, {"%s", types.StrType(16), opStr}, {"%-16s", types.StrType(16), opStr},
		{"%+d", types.Int32, opGeneric}, {"%.3s", types.StrType(16), opGeneric}, {"%o", types.Uint32, opGeneric},
		{"%s", &types.Type{Kind: types.Ksym, Size: 8}, opGeneric},
	} {
		f := newFormatter(tc.format, []Slot{slot(tc.t)})
		if op := f.segs[0].op; op != tc.op {
			t.Errorf("%q on %s: op %d, want %d", tc.format, tc.t, op, tc.op)
		}
	}
}

// newFormatter is NewFormatter over the format as lang/printf parses it
// (the checker's parse, for a program).
func newFormatter(format string, slots []Slot) *Formatter {
	return NewFormatter(format, printf.Parse(format), slots)
}
