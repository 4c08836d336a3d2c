package output

import (
	"bytes"
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang/types"
)

// Entry is one key of a map with its value on every CPU (one element for
// maps that are not per-CPU).
type Entry struct {
	Key    []byte
	PerCPU [][]byte
}

// Map is a map read back from the kernel or the VM, with what print()
// asked for.
type Map struct {
	Name  string      // "@name" or "@"
	Key   *types.Type // nil: the map has no key
	Value *types.Type // an Agg type for aggregations
	// Bucketed maps (hist, lhist) hold the bucket index as a u64 at
	// BucketOff of each key, after the user's key.
	Bucketed  bool
	BucketOff int
	Entries   []Entry
	Top, Div  int // print(@m, top, div): 0 means all, 1
}

// histogram is a histogram ready to print: counts of the buckets from
// the first to the last non-empty one; labels[i] is the upper bound of
// bucket i (missing for an open last bucket); lower is the lower bound of
// the first bucket (nil: it is the open "(..., x)" bucket).
type histogram struct {
	counts []uint64
	labels []label
	lower  *label
}

// label is a bucket bound: a number, or a number shown with a suffix
// ("1K") that JSON shows as the number.
type label struct {
	n      int64
	suffix string // "" for plain numbers
}

func (l label) text() string {
	if l.suffix != "" {
		return l.suffix
	}
	return strconv.FormatInt(l.n, 10)
}

// entry is a decoded map entry.
type entry struct {
	key   value
	raw   []byte // the key bytes, for grouping histogram buckets
	val   value
	sort  int64 // what the entry sorts by
	usort uint64
	hist  *histogram
	total uint64   // histograms: the sum of the buckets
	ts    *tseries // tseries maps
}

// aggregate merges an aggregation's per-CPU values.
func aggregate(t *types.Type, percpu [][]byte, div int) (value, int64, uint64) {
	signed := t.AggArg != nil && t.AggArg.Signed
	switch t.AggFn {
	case types.AggCount, types.AggSum:
		var s uint64
		for _, c := range percpu {
			s += le64(c)
		}
		if t.AggFn == types.AggSum && signed {
			v := int64(s) / int64(div)
			return value{kind: vInt, i: v}, v, uint64(v)
		}
		v := s / uint64(div)
		return value{kind: vUint, u: v}, int64(v), v
	case types.AggMin, types.AggMax:
		var best int64
		set := false
		for _, c := range percpu {
			if len(c) < 16 || le64(c[8:]) == 0 {
				continue
			}
			v := int64(le64(c))
			if !set || (t.AggFn == types.AggMin && v < best) || (t.AggFn == types.AggMax && v > best) {
				best, set = v, true
			}
		}
		if signed {
			best /= int64(div)
			return value{kind: vInt, i: best}, best, uint64(best)
		}
		u := uint64(best) / uint64(div)
		return value{kind: vUint, u: u}, int64(u), u
	case types.AggAvg, types.AggStats:
		var total, count uint64
		for _, c := range percpu {
			total += le64(c)
			if len(c) >= 16 {
				count += le64(c[8:])
			}
		}
		var avg value
		var key int64
		var ukey uint64
		if signed {
			a := int64(0)
			if count > 0 {
				a = int64(total) / int64(count)
			}
			a /= int64(div)
			avg, key, ukey = value{kind: vInt, i: a}, a, uint64(a)
		} else {
			a := uint64(0)
			if count > 0 {
				a = total / count
			}
			a /= uint64(div)
			avg, key, ukey = value{kind: vUint, u: a}, int64(a), a
		}
		if t.AggFn == types.AggAvg {
			return avg, key, ukey
		}
		tot := value{kind: vUint, u: total}
		if signed {
			tot = value{kind: vInt, i: int64(total)}
		}
		return value{kind: vRecord, names: []string{"count", "average", "total"},
			elems: []value{{kind: vUint, u: count}, avg, tot}}, key, ukey
	}
	return value{kind: vNull}, 0, 0
}

// entries decodes, merges, sorts and cuts the entries of m.
func (m *Map) entries(sym Symbolizer) []*entry {
	div := m.Div
	if div <= 0 {
		div = 1
	}
	var out []*entry
	if IsTSeries(m.Value) {
		// bpftrace prints time series in the order of their keys' bytes,
		// whole: print(@m, top, div) does not cut them.
		return m.tseriesEntries(sym)
	}
	if m.Bucketed {
		out = m.histEntries(sym, div)
	} else {
		for _, e := range m.Entries {
			en := &entry{raw: e.Key}
			if m.Key != nil {
				en.key = decode(m.Key, e.Key, sym)
			}
			if m.Value.Kind == types.Agg {
				en.val, en.sort, en.usort = aggregate(m.Value, e.PerCPU, div)
			} else if len(e.PerCPU) > 0 {
				en.val = decode(m.Value, e.PerCPU[0], sym)
				switch en.val.kind {
				case vInt:
					en.val.i /= int64(div)
					en.sort, en.usort = en.val.i, uint64(en.val.i)
				case vUint:
					en.val.u /= uint64(div)
					en.sort, en.usort = int64(en.val.u), en.val.u
				case vBool:
					en.sort, en.usort = en.val.i, uint64(en.val.i)
				}
			}
			out = append(out, en)
		}
	}
	byValue := m.Bucketed
	signed := false
	switch {
	case m.Value.Kind == types.Agg:
		byValue = true
		signed = m.Value.AggArg != nil && m.Value.AggArg.Signed
		if m.Value.AggFn == types.AggMin || m.Value.AggFn == types.AggMax {
			signed = false // bpftrace compares min and max unsigned
		}
	case m.Value.Kind == types.Int || m.Value.Kind == types.Bool:
		byValue = true
		signed = m.Value.Signed
	}
	// One sort by value, then by key for the ties (map keys are unique,
	// so the order is total and needs no stable sort).
	slices.SortFunc(out, func(a, b *entry) int {
		switch {
		case m.Bucketed:
			if c := cmp.Compare(a.total, b.total); c != 0 {
				return c
			}
		case byValue && signed:
			if c := cmp.Compare(a.sort, b.sort); c != 0 {
				return c
			}
		case byValue:
			if c := cmp.Compare(a.usort, b.usort); c != 0 {
				return c
			}
		}
		if m.Key == nil {
			return 0
		}
		if c := compare(a.key, b.key); c != 0 {
			return c
		}
		return bytes.Compare(a.raw, b.raw)
	})
	if m.Top > 0 && len(out) > m.Top {
		out = out[len(out)-m.Top:]
	}
	return out
}

// histEntries groups the bucket entries of a histogram map by user key.
func (m *Map) histEntries(sym Symbolizer, div int) []*entry {
	groups := map[string]map[uint64]uint64{}
	var order []string
	for _, e := range m.Entries {
		if len(e.Key) < m.BucketOff+8 {
			continue
		}
		k := string(e.Key[:m.BucketOff])
		b := le64(e.Key[m.BucketOff:])
		if groups[k] == nil {
			groups[k] = map[uint64]uint64{}
			order = append(order, k)
		}
		for _, c := range e.PerCPU {
			groups[k][b] += le64(c)
		}
	}
	var out []*entry
	for _, k := range order {
		en := &entry{raw: []byte(k)}
		if m.Key != nil {
			en.key = decode(m.Key, []byte(k), sym)
		}
		var top uint64
		for b, c := range groups[k] {
			en.total += c
			top = max(top, b)
		}
		counts := make([]uint64, top+1)
		for b, c := range groups[k] {
			counts[b] = c
		}
		if m.Value.AggFn == types.AggLhist {
			p := m.Value.AggParams
			en.hist = linearHistogram(counts, p[0], p[1], p[2])
		} else {
			bits := int64(0)
			if len(m.Value.AggParams) > 0 {
				bits = m.Value.AggParams[0]
			}
			for i := range counts {
				counts[i] /= uint64(div)
			}
			en.hist = log2Histogram(counts, int(bits))
		}
		out = append(out, en)
	}
	return out
}

// span finds the first and last non-empty buckets (-1 when all are empty).
func span(counts []uint64) (int, int) {
	lo, hi := -1, -1
	for i, c := range counts {
		if c > 0 {
			if lo < 0 {
				lo = i
			}
			hi = i
		}
	}
	return lo, hi
}

// log2Label is the upper bound of log2 bucket i (k sub-bucket bits) when
// it covers more than one value: (2^power) * (N + interval) shown with the
// largest power-of-1024 suffix.
func log2Label(i, k int) label {
	n := 1 << k
	interval := i & (n - 1)
	power := (i >> k) - 1
	v := int64(1<<power) * int64(n+interval)
	decade := power / 10
	suffix := "\x00KMGTPE"[decade]
	shown := int64(1<<(power-10*decade)) * int64(n+interval)
	if suffix == 0 {
		return label{n: v}
	}
	return label{n: v, suffix: strconv.FormatInt(shown, 10) + string(suffix)}
}

func log2Histogram(counts []uint64, k int) *histogram {
	h := &histogram{}
	lo, hi := span(counts)
	if lo < 0 {
		return h
	}
	single := 2 << k
	if lo != 0 {
		var l label
		if lo-1 <= single {
			l = label{n: int64(lo - 1)}
		} else {
			l = log2Label(lo-1, k)
		}
		h.lower = &l
	}
	for i := lo; i <= hi; i++ {
		switch {
		case i == 0:
			h.labels = append(h.labels, label{n: 0})
		case i <= single:
			h.labels = append(h.labels, label{n: int64(i)})
		default:
			h.labels = append(h.labels, log2Label(i, k))
		}
		h.counts = append(h.counts, counts[i])
	}
	return h
}

// lhistLabel shows a linear bound, with K or M when the step is a
// multiple of 1024.
func lhistLabel(n, step int64) label {
	if step%1024 != 0 || n == 0 {
		return label{n: n}
	}
	switch {
	case n%(1024*1024) == 0:
		return label{n: n, suffix: strconv.FormatInt(n/(1024*1024), 10) + "M"}
	case n%1024 == 0:
		return label{n: n, suffix: strconv.FormatInt(n/1024, 10) + "K"}
	}
	return label{n: n}
}

func linearHistogram(counts []uint64, lo, hi, step int64) *histogram {
	h := &histogram{}
	first, last := span(counts)
	if first < 0 {
		return h
	}
	if first != 0 {
		l := lhistLabel(lo+int64(first-1)*step, step)
		h.lower = &l
	}
	for i := first; i <= last; i++ {
		if lo+int64(i)*step <= hi {
			h.labels = append(h.labels, lhistLabel(lo+int64(i)*step, step))
		}
		h.counts = append(h.counts, counts[i])
	}
	return h
}

// rows renders a histogram's lines.
func (h *histogram) rows() string {
	var b strings.Builder
	var top uint64
	for _, c := range h.counts {
		top = max(top, c)
	}
	for i, c := range h.counts {
		var head string
		switch {
		case i == 0 && h.lower == nil:
			head = "(..., " + h.labels[0].text() + ")"
		case i == 0 && len(h.labels) == 0:
			head = "[" + h.lower.text() + ", ...)"
		case i == 0:
			head = bucketHead(*h.lower, h.labels[0])
		case i >= len(h.labels):
			head = "[" + h.labels[i-1].text() + ", ...)"
		default:
			head = bucketHead(h.labels[i-1], h.labels[i])
		}
		bar := 0
		if top > 0 {
			bar = int(float32(c) / float32(top) * 52)
		}
		b.WriteString(padRight(head, 16))
		b.WriteString(padLeft(strconv.FormatUint(c, 10), 8))
		b.WriteString(" |")
		b.WriteString(padRight(strings.Repeat("@", bar), 52))
		b.WriteString("|\n")
	}
	return b.String()
}

func bucketHead(lo, hi label) string {
	if lo.suffix == "" && hi.suffix == "" && hi.n == lo.n+1 {
		return "[" + lo.text() + "]"
	}
	return "[" + lo.text() + ", " + hi.text() + ")"
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

func padLeft(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat(" ", n-len(s)) + s
}

// json renders a histogram as bpftrace's JSON array of buckets.
func (h *histogram) json() string {
	parts := make([]string, len(h.counts))
	for i, c := range h.counts {
		var b strings.Builder
		b.WriteByte('{')
		switch {
		case i == 0 && h.lower != nil:
			b.WriteString(`"min": ` + strconv.FormatInt(h.lower.n, 10) + ", ")
		case i > 0:
			b.WriteString(`"min": ` + strconv.FormatInt(h.labels[i-1].n, 10) + ", ")
		}
		if i < len(h.labels) {
			b.WriteString(`"max": ` + strconv.FormatInt(h.labels[i].n-1, 10) + ", ")
		}
		b.WriteString(`"count": ` + strconv.FormatUint(c, 10) + "}")
		parts[i] = b.String()
	}
	return "[" + strings.Join(parts, ",") + "]"
}
