package output

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gotrace/gotrace/lang/types"
)

// tsWrite is one tseries() call: on a CPU, at a TAI time, for a key.
type tsWrite struct {
	key []byte // 8 bytes
	cpu int
	ns  uint64
	v   int64
}

// tsMap builds a per-CPU tseries map as the generated code fills it.
func tsMap(name string, key *types.Type, interval, num, agg int64, ncpu int, writes []tsWrite) *Map {
	t := &types.Type{Kind: types.Agg, Size: 24, AggFn: types.AggTseries, AggArg: types.Int64, AggParams: []int64{interval, num, agg}}
	m := &Map{Name: name, Key: key, Value: t, Bucketed: true, BucketOff: 8}
	type slot struct{ val, meta, epoch uint64 }
	store := map[string][]slot{}
	var order []string
	for _, w := range writes {
		epoch := w.ns / uint64(interval)
		k := string(cat(w.key, u64(epoch%uint64(num))))
		if store[k] == nil {
			store[k] = make([]slot, ncpu)
			order = append(order, k)
		}
		s := &store[k][w.cpu]
		if agg != TSeriesLast && s.epoch != epoch {
			s.val, s.meta = 0, 0
		}
		x := uint64(w.v)
		switch agg {
		case TSeriesLast:
			s.val, s.meta = x, w.ns
		case TSeriesSum:
			s.val += x
		case TSeriesAvg:
			s.val += x
			s.meta++
		case TSeriesMin, TSeriesMax:
			if s.meta == 0 || (agg == TSeriesMin && w.v < int64(s.val)) || (agg == TSeriesMax && w.v > int64(s.val)) {
				s.val = x
			}
			s.meta = 1
		}
		s.epoch = epoch
	}
	for _, k := range order {
		e := Entry{Key: []byte(k)}
		for _, s := range store[k] {
			e.PerCPU = append(e.PerCPU, cat(u64(s.val), u64(s.meta), u64(s.epoch)))
		}
		m.Entries = append(m.Entries, e)
	}
	return m
}

func printTS(t *testing.T, f Format, m *Map) string {
	t.Helper()
	var b bytes.Buffer
	p := New(&b, f)
	p.Loc = time.UTC
	if err := p.Map(m); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestTSeriesUpstreamMap is bpftrace's own print_tseries_map test: two
// keys, the second one interval ahead, so the first loses its oldest
// interval and the second's newest is missing from the first.
func TestTSeriesUpstreamMap(t *testing.T) {
	const base = 173482610888837
	const ms = 1_000_000
	first := uint64(base / ms)
	var w []tsWrite
	for i := uint64(1); i <= 5; i++ {
		w = append(w, tsWrite{u64(0), 0, (first + i) * ms, int64(i)})
		w = append(w, tsWrite{u64(1), 0, (first + i + 1) * ms, int64(i)})
	}
	got := printTS(t, Text, tsMap("tseries_map_1", types.Int64, ms, 5, TSeriesLast, 1, w))
	want := `tseries_map_1[0]:
             2                                                   5
hh:mm:ss.ms  |___________________________________________________|
00:11:22.612 *                                                   | 2
00:11:22.613 |                *                                  | 3
00:11:22.614 |                                 *                 | 4
00:11:22.615 |                                                   * 5
00:11:22.616 |                                                   | -
             v___________________________________________________v
             2                                                   5

tseries_map_1[1]:
             1                                                   5
hh:mm:ss.ms  |___________________________________________________|
00:11:22.612 *                                                   | 1
00:11:22.613 |            *                                      | 2
00:11:22.614 |                         *                         | 3
00:11:22.615 |                                      *            | 4
00:11:22.616 |                                                   * 5
             v___________________________________________________v
             1                                                   5

`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestTSeriesZigzag is the zigzag example of bpftrace's stdlib
// documentation: a zero line of dots between negative and positive values.
func TestTSeriesZigzag(t *testing.T) {
	const ms100 = 100_000_000
	start := uint64((10*3600+39*60+49)*10 + 3) // 10:39:49.300
	c, dir := int64(-5), int64(1)
	var w []tsWrite
	for i := uint64(0); i < 20; i++ {
		w = append(w, tsWrite{u64(0), int(i % 2), (start+i)*ms100 + 5, c})
		c += dir
		if c > 5 {
			dir, c = -1, 4
		} else if c < -5 {
			dir, c = 1, -4
		}
	}
	got := printTS(t, Text, tsMap("@", nil, ms100, 20, TSeriesLast, 2, w))
	want := `@:
             -5                                                  5
hh:mm:ss.ms  |___________________________________________________|
10:39:49.300 *                         .                         | -5
10:39:49.400 |    *                    .                         | -4
10:39:49.500 |         *               .                         | -3
10:39:49.600 |              *          .                         | -2
10:39:49.700 |                   *     .                         | -1
10:39:49.800 |                         *                         | 0
10:39:49.900 |                         .    *                    | 1
10:39:50.000 |                         .         *               | 2
10:39:50.100 |                         .              *          | 3
10:39:50.200 |                         .                   *     | 4
10:39:50.300 |                         .                         * 5
10:39:50.400 |                         .                   *     | 4
10:39:50.500 |                         .              *          | 3
10:39:50.600 |                         .         *               | 2
10:39:50.700 |                         .    *                    | 1
10:39:50.800 |                         *                         | 0
10:39:50.900 |                   *     .                         | -1
10:39:51.000 |              *          .                         | -2
10:39:51.100 |         *               .                         | -3
10:39:51.200 |    *                    .                         | -4
             v___________________________________________________v
             -5                                                  5

`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// tsLoop is bpftrace's runtime test loop: 100 values i%10, 10 ms apart,
// into 100 ms intervals, keeping 5.
func tsLoop(agg int64, ncpu int) *Map {
	const ms = 1_000_000
	var w []tsWrite
	for i := 0; i < 100; i++ {
		w = append(w, tsWrite{u64(0), i % ncpu, uint64(i) * 10 * ms, int64(i % 10)})
	}
	return tsMap("@a", nil, 100*ms, 5, agg, ncpu, w)
}

// TestTSeriesAggs: the values of each aggregation, merged over CPUs, as
// bpftrace's runtime tests expect them (JSON compared as parsed objects).
func TestTSeriesAggs(t *testing.T) {
	series := func(v int) string {
		var parts []string
		for _, ts := range []string{"500", "600", "700", "800", "900"} {
			parts = append(parts, `{"interval_start": "1970-01-01 00:00:00.`+ts+`000000", "value": `+string(rune('0'+v))+`}`)
		}
		return `{"type": "tseries", "data": {"@a": [` + strings.Join(parts, ",") + `]}}`
	}
	for _, tc := range []struct {
		agg  int64
		want int
	}{{TSeriesLast, 9}, {TSeriesAvg, 4}, {TSeriesMin, 0}, {TSeriesMax, 9}, {TSeriesSum, 45}} {
		for _, ncpu := range []int{1, 3} {
			got := printTS(t, JSON, tsLoop(tc.agg, ncpu))
			want := series(tc.want)
			if tc.agg == TSeriesSum {
				want = strings.ReplaceAll(series(0), `"value": 0`, `"value": 45`)
			}
			jsonEqual(t, got, want)
		}
	}
}

func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("not JSON: %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want: %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// tsMultiple is bpftrace's "multiple time series" test: key "one" written
// 5 times from time 0, then "two" 5 times, 100 ms apart.
func tsMultiple() *Map {
	const ms = 1_000_000
	var w []tsWrite
	for i := 0; i < 5; i++ {
		w = append(w, tsWrite{str("one", 8), 0, uint64(i) * 100 * ms, 5})
	}
	for i := 5; i < 10; i++ {
		w = append(w, tsWrite{str("two", 8), 0, uint64(i) * 100 * ms, 4})
	}
	return tsMap("@a", types.StrType(8), 100*ms, 10, TSeriesLast, 1, w)
}

// TestTSeriesGolden prints the cases of bpftrace's runtime tests (the
// multiple keys, zero(@a), a single interval) in text and JSON and
// compares them with testdata/tseries.{text,json}. The multiple-keys case
// also matches bpftrace's expected output, including its artefact of
// epoch 0 (a bucket written at time 0 counts as never written).
func TestTSeriesGolden(t *testing.T) {
	zeroed := tsLoop(TSeriesAvg, 2)
	for i := range zeroed.Entries {
		for c := range zeroed.Entries[i].PerCPU {
			zeroed.Entries[i].PerCPU[c] = make([]byte, 24)
		}
	}
	single := tsMap("@s", nil, 1_000_000_000, 3, TSeriesMax, 1, []tsWrite{{u64(0), 0, 1_700_000_000_123_456_789, 7}})
	us := tsMap("@u", nil, 2_000, 3, TSeriesSum, 2, []tsWrite{
		{u64(0), 0, 1_700_000_000_000_002_000, 1}, {u64(0), 1, 1_700_000_000_000_002_500, 2}, {u64(0), 0, 1_700_000_000_000_006_000, 3},
	})
	u := tsMap("@big", types.Int64, 1_000_000, 3, TSeriesLast, 1, []tsWrite{{u64(1), 0, 5_000_000, -3}, {u64(2), 0, 6_000_000, 1 << 62}})
	for _, f := range []struct {
		name string
		f    Format
	}{{"text", Text}, {"json", JSON}} {
		var got strings.Builder
		for _, m := range []*Map{tsMultiple(), zeroed, single, us, u} {
			got.WriteString(printTS(t, f.f, m))
		}
		golden := filepath.Join("testdata", "tseries."+f.name)
		if *update {
			os.WriteFile(golden, []byte(got.String()), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want) {
			t.Errorf("%s output differs from %s:\n%s", f.name, golden, got.String())
		}
	}
	// bpftrace's expected output for the multiple-keys case.
	wantText := `@a[one]:
             0                                                   5
hh:mm:ss.ms  |___________________________________________________|
00:00:00.000 *                                                   | 0
00:00:00.100 |                                                   * 5
00:00:00.200 |                                                   * 5
00:00:00.300 |                                                   * 5
00:00:00.400 |                                                   * 5
00:00:00.500 |                                                   | -
00:00:00.600 |                                                   | -
00:00:00.700 |                                                   | -
00:00:00.800 |                                                   | -
00:00:00.900 |                                                   | -
             v___________________________________________________v
             0                                                   5

@a[two]:
             3                                                   5
hh:mm:ss.ms  |___________________________________________________|
00:00:00.500 |                         *                         | 4
00:00:00.600 |                         *                         | 4
00:00:00.700 |                         *                         | 4
00:00:00.800 |                         *                         | 4
00:00:00.900 |                         *                         | 4
             v___________________________________________________v
             3                                                   5

`
	if got := printTS(t, Text, tsMultiple()); got != wantText {
		t.Errorf("multiple: got\n%s", got)
	}
	var one, two []string
	for i, v := range []string{"0", "5", "5", "5", "5"} {
		one = append(one, `{"interval_start": "1970-01-01 00:00:00.`+string(rune('0'+i))+`00000000", "value": `+v+`}`)
		two = append(two, `{"interval_start": "1970-01-01 00:00:00.`+string(rune('5'+i))+`00000000", "value": 4}`)
	}
	jsonEqual(t, printTS(t, JSON, tsMultiple()),
		`{"type": "tseries", "data": {"@a": {"one": [`+strings.Join(one, ",")+`], "two": [`+strings.Join(two, ",")+`]}}}`)
	// zero(@a): bpftrace prints "<no data>" and an empty JSON array.
	if got := printTS(t, Text, zeroed); got != "@a:\n<no data>\n" {
		t.Errorf("zeroed: got %q", got)
	}
	jsonEqual(t, printTS(t, JSON, zeroed), `{"type": "tseries", "data": {"@a": []}}`)
}
