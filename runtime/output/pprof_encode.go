package output

import "sort"

// The protocol buffer encoding of a pprof profile.
//
// profile.proto's messages are written field by field in their wire
// format: a key (field number << 3 | wire type), then a varint, or a
// length and the bytes of a string or of a nested message. Repeated
// integers are packed (one length-delimited run of varints). Strings
// live in the profile's string table, whose entry 0 is ""; every other
// string field holds an index into it. The field numbers are
// profile.proto's.

const (
	wireVarint = 0
	wireBytes  = 2
)

// pbuf is a message being encoded.
type pbuf struct{ b []byte }

func (p *pbuf) varint(v uint64) {
	for v >= 0x80 {
		p.b = append(p.b, byte(v)|0x80)
		v >>= 7
	}
	p.b = append(p.b, byte(v))
}

func (p *pbuf) key(field, wire int) { p.varint(uint64(field)<<3 | uint64(wire)) }

// uint writes an integer field, left out when 0 (proto3's default).
func (p *pbuf) uint(field int, v uint64) {
	if v != 0 {
		p.key(field, wireVarint)
		p.varint(v)
	}
}

func (p *pbuf) int(field int, v int64) { p.uint(field, uint64(v)) }

func (p *pbuf) bool(field int, v bool) {
	if v {
		p.uint(field, 1)
	}
}

func (p *pbuf) bytes(field int, b []byte) {
	p.key(field, wireBytes)
	p.varint(uint64(len(b)))
	p.b = append(p.b, b...)
}

// message writes a nested message.
func (p *pbuf) message(field int, m *pbuf) { p.bytes(field, m.b) }

// packed writes repeated integers as one packed field.
func (p *pbuf) packed(field int, vs []uint64) {
	if len(vs) == 0 {
		return
	}
	var m pbuf
	for _, v := range vs {
		m.varint(v)
	}
	p.bytes(field, m.b)
}

// strtab is the string table being filled.
type strtab struct {
	index map[string]int64
	list  []string
}

func (t *strtab) id(s string) int64 {
	if i, ok := t.index[s]; ok {
		return i
	}
	i := int64(len(t.list))
	t.index[s] = i
	t.list = append(t.list, s)
	return i
}

// encode writes the profile in profile.proto's wire format
// (uncompressed).
func (p *pprofProfile) encode() []byte {
	st := &strtab{index: map[string]int64{"": 0}, list: []string{""}}
	var out pbuf
	valueType := func(field int, vt pprofValueType) {
		var m pbuf
		m.int(1, st.id(vt.Type))
		m.int(2, st.id(vt.Unit))
		out.message(field, &m)
	}
	for _, vt := range p.SampleType {
		valueType(1, vt) // sample_type
	}
	for _, s := range p.Sample { // sample
		var m pbuf
		locs := make([]uint64, len(s.Location))
		for i, l := range s.Location {
			locs[i] = l.ID
		}
		m.packed(1, locs) // location_id
		vals := make([]uint64, len(s.Value))
		for i, v := range s.Value {
			vals[i] = uint64(v)
		}
		m.packed(2, vals) // value
		for _, k := range sortedKeys(s.Label) {
			for _, v := range s.Label[k] {
				var l pbuf
				l.int(1, st.id(k)) // key
				l.int(2, st.id(v)) // str
				m.message(3, &l)
			}
		}
		for _, k := range sortedKeys(s.NumLabel) {
			for _, v := range s.NumLabel[k] {
				var l pbuf
				l.int(1, st.id(k)) // key
				l.int(3, v)        // num
				m.message(3, &l)
			}
		}
		out.message(2, &m)
	}
	for _, mp := range p.Mapping { // mapping
		var m pbuf
		m.uint(1, mp.ID)
		m.uint(2, mp.Start)
		m.uint(3, mp.Limit)
		m.uint(4, mp.Offset)
		m.int(5, st.id(mp.File))
		m.int(6, st.id(mp.BuildID))
		m.bool(7, mp.HasFunctions)
		out.message(3, &m)
	}
	for _, l := range p.Location { // location
		var m pbuf
		m.uint(1, l.ID)
		if l.Mapping != nil {
			m.uint(2, l.Mapping.ID)
		}
		m.uint(3, l.Address)
		if l.Function != nil {
			var line pbuf
			line.uint(1, l.Function.ID) // function_id
			m.message(4, &line)
		}
		out.message(4, &m)
	}
	for _, f := range p.Function { // function
		var m pbuf
		m.uint(1, f.ID)
		m.int(2, st.id(f.Name))
		m.int(3, st.id(f.SystemName))
		out.message(5, &m)
	}
	out.int(9, p.TimeNanos)
	out.int(10, p.DurationNanos)
	var comments []uint64
	for _, c := range p.Comments {
		comments = append(comments, uint64(st.id(c)))
	}
	out.packed(13, comments)                // comment
	out.int(14, st.id(p.DefaultSampleType)) // default_sample_type
	// the string table last: every string has its index by now
	for _, s := range st.list {
		out.bytes(6, []byte(s))
	}
	return out.b
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
