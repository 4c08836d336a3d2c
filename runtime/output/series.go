package output

import (
	"math"
	"strings"

	"github.com/gotrace/gotrace/lang/types"
)

// Maps as numbers, for exporters (--metrics): each entry's key elements
// as text and its value as numbers, merged over CPUs as printing merges
// them, unsorted and uncut.

// Series is one entry of a map.
type Series struct {
	// Keys are the key's elements as text, one per element of a tuple
	// key (nil for a map without a key). A stack is its frames from the
	// root to the leaf joined by ';' (the folded form).
	Keys []string
	// Value is the number of count, sum, min, max and avg (the
	// average), and of integer and boolean values; stats: the average.
	Value float64
	// Count is the number of values of stats, hist and lhist; Sum the
	// total of stats.
	Count uint64
	Sum   float64
	// Buckets are the buckets of hist and lhist, in order: all of an
	// lhist's, a hist's up to the last non-empty one. Counts are not
	// cumulative.
	Buckets []Bucket
}

// Bucket is a histogram bucket: the largest value it holds (its
// bounds are integers; +Inf for the last bucket of an lhist, which holds
// every value from its max up) and how many values fell in it.
type Bucket struct {
	UpperBound float64
	Count      uint64
}

// HasSeries reports whether a map's values are numbers that Series
// gives: aggregations other than tseries, integers and booleans.
func HasSeries(m *Map) bool {
	if m.Value == nil || IsTSeries(m.Value) {
		return false
	}
	switch m.Value.Kind {
	case types.Agg, types.Int, types.Bool:
		return true
	}
	return false
}

// Series reads every entry of m as numbers (see HasSeries; a map
// without numbers gives none).
func (m *Map) Series(sym Symbolizer) []Series {
	if !HasSeries(m) {
		return nil
	}
	if m.Bucketed {
		return m.histSeries(sym)
	}
	var out []Series
	for _, e := range m.Entries {
		s := Series{Keys: m.keyTexts(e.Key, sym)}
		if m.Value.Kind == types.Agg {
			v, _, _ := aggregate(m.Value, e.PerCPU, 1)
			if v.kind == vRecord && len(v.elems) == 3 { // stats: count, average, total
				s.Count = v.elems[0].u
				s.Value = number(v.elems[1])
				s.Sum = number(v.elems[2])
			} else {
				s.Value = number(v)
			}
		} else if len(e.PerCPU) > 0 {
			s.Value = number(decode(m.Value, e.PerCPU[0], sym))
		}
		out = append(out, s)
	}
	return out
}

func number(v value) float64 {
	switch v.kind {
	case vInt, vBool:
		return float64(v.i)
	case vUint:
		return float64(v.u)
	}
	return math.NaN()
}

// keyTexts decodes a key into the text of each element.
func (m *Map) keyTexts(raw []byte, sym Symbolizer) []string {
	if m.Key == nil {
		return nil
	}
	var out []string
	for _, f := range keyParts(m.Key) {
		v := decode(f.Type, raw[f.Offset:], sym)
		if v.kind == vStack {
			frames := make([]string, len(v.frames))
			for i, fr := range v.frames {
				frames[len(frames)-1-i] = strings.TrimSpace(fr)
			}
			out = append(out, strings.Join(frames, ";"))
			continue
		}
		out = append(out, v.keyText())
	}
	return out
}

// histSeries groups the buckets of a hist or lhist map by key.
func (m *Map) histSeries(sym Symbolizer) []Series {
	groups := map[string][]uint64{}
	var order []string
	for _, e := range m.Entries {
		if len(e.Key) < m.BucketOff+8 {
			continue
		}
		k := string(e.Key[:m.BucketOff])
		b := le64(e.Key[m.BucketOff:])
		if b > 1<<16 {
			continue
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		c := groups[k]
		for uint64(len(c)) <= b {
			c = append(c, 0)
		}
		for _, v := range e.PerCPU {
			c[b] += le64(v)
		}
		groups[k] = c
	}
	var out []Series
	for _, k := range order {
		counts := groups[k]
		s := Series{Keys: m.keyTexts([]byte(k), sym), Sum: math.NaN()}
		n := len(counts)
		lhist := m.Value.AggFn == types.AggLhist && len(m.Value.AggParams) == 3 && m.Value.AggParams[2] > 0
		if lhist {
			p := m.Value.AggParams
			n = max(n, int(1+(p[1]-p[0])/p[2])+1)
		}
		for i := 0; i < n; i++ {
			var c uint64
			if i < len(counts) {
				c = counts[i]
			}
			s.Count += c
			s.Buckets = append(s.Buckets, Bucket{UpperBound: m.upperBound(i), Count: c})
		}
		out = append(out, s)
	}
	return out
}

// upperBound is the largest value bucket i of a hist or lhist holds (the
// bucket labels' upper bound less one: bounds are integers).
func (m *Map) upperBound(i int) float64 {
	p := m.Value.AggParams
	if m.Value.AggFn == types.AggLhist && len(p) == 3 {
		hi := p[0] + int64(i)*p[2]
		if hi > p[1] {
			return math.Inf(1)
		}
		return float64(hi - 1)
	}
	k := 0
	if len(p) > 0 {
		k = int(p[0])
	}
	switch {
	case i == 0:
		return -1 // (..., 0): the negative values
	case i <= 2<<k:
		return float64(i - 1)
	}
	return float64(log2Label(i, k).n - 1)
}
