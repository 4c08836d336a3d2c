package output

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gotrace/gotrace/lang/types"
)

// Time series (tseries). A tseries map keeps, per CPU, one value of three
// u64 (value, meta, epoch) for each of num_intervals buckets, the bucket
// index after the user's key as in histograms. epoch is the TAI time in
// nanoseconds divided by the interval; meta is the time of the last
// write (no aggregation), the count (avg) or a "value is set" flag
// (min, max).
//
// Reading back follows bpftrace: a bucket's CPU values are merged over
// the CPUs that wrote its newest epoch (the newest write, the sum of
// sums and counts, the min or max); the newest epoch over all keys ends
// the time axis, which goes back num_intervals intervals; each key's
// series starts at its first interval on that axis, and intervals with no
// value print as "-" (left out of JSON).

// The aggregation functions, as the type keeps them in AggParams[2].
const (
	TSeriesLast = types.TSeriesLast
	TSeriesAvg  = types.TSeriesAvg
	TSeriesMax  = types.TSeriesMax
	TSeriesMin  = types.TSeriesMin
	TSeriesSum  = types.TSeriesSum
)

// tsPoint is one interval of a series.
type tsPoint struct {
	ns int64 // start of the interval: TAI nanoseconds
	v  value
	ok bool // false: no value in this interval
}

type tseries struct {
	points []tsPoint
}

// tsBucket is one merged bucket.
type tsBucket struct {
	val, meta, epoch uint64
}

// reduceTSeries merges the CPU values of one bucket and returns its
// newest epoch and value (0, 0 when no CPU ever wrote it).
func reduceTSeries(percpu [][]byte, agg int64, signed bool) (uint64, uint64) {
	byEpoch := map[uint64]*tsBucket{}
	var latest uint64
	for _, c := range percpu {
		if len(c) < 24 {
			continue
		}
		b := tsBucket{le64(c), le64(c[8:]), le64(c[16:])}
		if b.epoch == 0 {
			continue
		}
		latest = max(latest, b.epoch)
		cur := byEpoch[b.epoch]
		if cur == nil {
			byEpoch[b.epoch] = &b
			continue
		}
		switch agg {
		case TSeriesLast:
			if less(cur.meta, b.meta, signed) {
				cur.val, cur.meta = b.val, b.meta
			}
		case TSeriesAvg:
			cur.val += b.val
			cur.meta += b.meta
		case TSeriesMin:
			if less(b.val, cur.val, signed) {
				cur.val = b.val
			}
		case TSeriesMax:
			if less(cur.val, b.val, signed) {
				cur.val = b.val
			}
		case TSeriesSum:
			cur.val += b.val
		}
	}
	if latest == 0 {
		return 0, 0
	}
	b := byEpoch[latest]
	if agg == TSeriesAvg && b.meta != 0 {
		if signed {
			b.val = uint64(int64(b.val) / int64(b.meta))
		} else {
			b.val /= b.meta
		}
	}
	return b.epoch, b.val
}

func less(a, b uint64, signed bool) bool {
	if signed {
		return int64(a) < int64(b)
	}
	return a < b
}

// tseriesEntries groups the buckets of a tseries map by user key and
// builds each key's series, keys in the order of their bytes.
func (m *Map) tseriesEntries(sym Symbolizer) []*entry {
	p := m.Value.AggParams
	interval, num, agg := uint64(p[0]), uint64(p[1]), p[2]
	signed := m.Value.AggArg != nil && m.Value.AggArg.Signed
	groups := map[string]map[uint64]uint64{}
	var keys []string
	latest := uint64(0)
	for _, e := range m.Entries {
		if len(e.Key) < m.BucketOff+8 {
			continue
		}
		k := string(e.Key[:m.BucketOff])
		if groups[k] == nil {
			groups[k] = map[uint64]uint64{}
			keys = append(keys, k)
		}
		epoch, v := reduceTSeries(e.PerCPU, agg, signed)
		if _, dup := groups[k][epoch]; !dup {
			groups[k][epoch] = v
		}
		latest = max(latest, epoch)
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare([]byte(keys[i]), []byte(keys[j])) < 0 })
	first := latest - num + 1 // wraps when latest < num-1: then nothing is shown
	var out []*entry
	for _, k := range keys {
		en := &entry{raw: []byte(k), ts: &tseries{}}
		if m.Key != nil {
			en.key = decode(m.Key, []byte(k), sym)
		}
		start := latest
		for epoch := range groups[k] {
			if epoch >= first {
				start = min(start, epoch)
			}
		}
		if first <= latest {
			for epoch := first; ; epoch++ {
				if epoch >= start {
					pt := tsPoint{ns: int64(epoch * interval)}
					if v, ok := groups[k][epoch]; ok {
						pt.ok = true
						pt.v = value{kind: vUint, u: v}
						if signed {
							pt.v = value{kind: vInt, i: int64(v)}
						}
					}
					en.ts.points = append(en.ts.points, pt)
				}
				if epoch == latest {
					break
				}
			}
		}
		out = append(out, en)
	}
	return out
}

// tsNum is a value of a series as the graph measures it.
type tsNum struct {
	v   value
	set bool // false: no value (shown as null)
}

func (a tsNum) less(b tsNum) bool {
	switch {
	case !a.set || !b.set:
		return !a.set && b.set
	case a.v.kind == vInt:
		return a.v.i < b.v.i
	}
	return a.v.u < b.v.u
}

func (a tsNum) eq(b tsNum) bool { return !a.less(b) && !b.less(a) }

func (a tsNum) text() string {
	if !a.set {
		return "null"
	}
	return a.v.text()
}

// distance is a-other as bpftrace's graph computes it.
func (a tsNum) distance(other int64) int64 {
	if !a.set {
		return 0
	}
	if a.v.kind == vUint {
		v := a.v.u
		if other < 0 {
			return int64(uint64(-other) + v)
		}
		if v > uint64(other) {
			return int64(v - uint64(other))
		}
		return -int64(uint64(other) - v)
	}
	return a.v.i - other
}

func (a tsNum) distanceTo(b tsNum) int64 {
	if !b.set {
		return 0
	}
	if b.v.kind == vUint {
		return a.distance(int64(b.v.u))
	}
	return a.distance(b.v.i)
}

// timeUnit is the unit of the time column: the digits after the second.
func timeUnit(interval uint64) (digits int, name string) {
	switch {
	case interval >= uint64(time.Second):
		return 0, "s"
	case interval >= uint64(time.Millisecond):
		return 3, "ms"
	case interval >= uint64(time.Microsecond):
		return 6, "μs"
	}
	return 9, "ns"
}

// graph renders a series as bpftrace's text output does: a 53-column
// graph between the smallest and the largest value, with the interval's
// start time on the left and the value on the right.
func (ts *tseries) graph(loc *time.Location) string {
	const width, padding = 53, 21
	if len(ts.points) == 0 {
		return "<no data>"
	}
	num := func(p tsPoint) tsNum { return tsNum{p.v, p.ok} }
	lo, hi := num(ts.points[0]), num(ts.points[0])
	for _, p := range ts.points {
		if !p.ok {
			continue
		}
		if num(p).less(lo) {
			lo = num(p)
		}
		if hi.less(num(p)) {
			hi = num(p)
		}
	}
	if lo.eq(hi) {
		switch {
		case lo.set && lo.v.kind == vUint && lo.v.u > 0:
			lo.v.u--
		case lo.set && lo.v.kind == vInt && lo.v.i > -1<<63:
			lo.v.i--
		}
		switch {
		case hi.set && hi.v.kind == vUint && hi.v.u < 1<<64-1:
			hi.v.u++
		case hi.set && hi.v.kind == vInt && hi.v.i < 1<<63-1:
			hi.v.i++
		}
	}
	n := uint64(len(ts.points))
	interval := uint64(ts.points[n-1].ns-ts.points[0].ns) / max(n-1, 1)
	digits, unit := timeUnit(interval)
	timeFmt := "hh:mm:ss"
	timeSize := 8
	if digits > 0 {
		timeFmt += "." + unit
		timeSize += 1 + digits
	}
	var b strings.Builder
	bounds := func() {
		b.WriteString(padRight(lo.text(), padding))
		b.WriteString(padLeft(hi.text(), width-padding))
		b.WriteByte('\n')
	}
	b.WriteString(strings.Repeat(" ", timeSize+1))
	bounds()
	b.WriteString(padRight(timeFmt, timeSize+1))
	b.WriteString("|" + strings.Repeat("_", width-2) + "|\n")
	zero := 0
	zeroV := tsNum{value{kind: vInt}, true}
	if lo.distance(0) < 0 && zeroV.distanceTo(hi) < 0 {
		zero = int(float32(width) * float32(lo.distance(0)) / float32(lo.distanceTo(hi)))
	}
	for _, p := range ts.points {
		line := []byte(strings.Repeat(" ", width))
		t := time.Unix(0, p.ns).In(loc)
		b.WriteString(t.Format("15:04:05"))
		if digits > 0 {
			frac := uint64(p.ns) % uint64(time.Second)
			for i := digits; i < 9; i++ {
				frac /= 10
			}
			fmt.Fprintf(&b, ".%0*d", digits, frac)
		}
		b.WriteByte(' ')
		line[0], line[width-1] = '|', '|'
		if zero > 0 {
			line[zero] = '.'
		}
		if !p.ok {
			b.Write(line)
			b.WriteString(" -\n")
			continue
		}
		off := width / 2
		if !lo.eq(hi) {
			off = int(float32(width-1) * float32(lo.distanceTo(num(p))) / float32(lo.distanceTo(hi)))
		}
		line[max(0, min(width-1, off))] = '*'
		b.Write(line)
		b.WriteString(" " + p.v.text() + "\n")
	}
	b.WriteString(strings.Repeat(" ", timeSize) + " v" + strings.Repeat("_", width-2) + "v\n")
	b.WriteString(strings.Repeat(" ", timeSize) + " ")
	bounds()
	return b.String()
}

// json renders a series as bpftrace's JSON: the intervals that have a
// value, with their start in UTC.
func (ts *tseries) json() string {
	var parts []string
	for _, p := range ts.points {
		if !p.ok {
			continue
		}
		t := time.Unix(0, p.ns).UTC().Format("2006-01-02 15:04:05.000000000")
		parts = append(parts, `{"interval_start":"`+t+`","value":`+p.v.text()+`}`)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// IsTSeries says whether t is a tseries() aggregation.
func IsTSeries(t *types.Type) bool {
	return t != nil && t.Kind == types.Agg && t.AggFn == types.AggTseries
}
