package printf

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	conv := func(spec, length string, verb, mode byte) Conv {
		c := Parse("%" + spec + length + string(verb) + string(mode))[0].Conv
		return c
	}
	for _, tc := range []struct {
		format string
		want   []Segment
	}{
		{"", nil},
		{"hello\n", []Segment{{Text: "hello\n"}}},
		{"%d %d\n", []Segment{
			{Conv: Conv{Verb: 'd', Width: -1, Prec: -1}},
			{Text: " ", Conv: Conv{Verb: 'd', Width: -1, Prec: -1}},
			{Text: "\n"}}},
		{"100%% %5%!", []Segment{{Text: "100% %!"}}},
		{"a%-08.3lld|", []Segment{
			{Text: "a", Conv: Conv{Spec: "-08.3", Length: "ll", Verb: 'd', Minus: true, Zero: true, Width: 8, Prec: 3}},
			{Text: "|"}}},
		{"%+ #x%.s", []Segment{
			{Conv: Conv{Spec: "+ #", Verb: 'x', Plus: true, Space: true, Sharp: true, Width: -1, Prec: -1}},
			{Conv: Conv{Spec: ".", Verb: 's', Width: -1, Prec: 0}}}},
		{"%r|%rx|%rh|%gr|%g", []Segment{
			{Conv: Conv{Verb: 'r', Width: -1, Prec: -1}},
			{Text: "|", Conv: Conv{Verb: 'r', Mode: 'x', Width: -1, Prec: -1}},
			{Text: "|", Conv: Conv{Verb: 'r', Mode: 'h', Width: -1, Prec: -1}},
			{Text: "|", Conv: Conv{Verb: 'g', Mode: 'r', Width: -1, Prec: -1}},
			{Text: "|", Conv: Conv{Verb: 'g', Width: -1, Prec: -1}}}},
		{"x %5l", []Segment{{Text: "x %5l", Open: true}}},
		{"%Ld %qx", []Segment{
			{Conv: Conv{Length: "L", Verb: 'd', Width: -1, Prec: -1}},
			{Text: " ", Conv: Conv{Length: "q", Verb: 'x', Width: -1, Prec: -1}}}},
		{"%hhu%zd", []Segment{
			{Conv: Conv{Length: "hh", Verb: 'u', Width: -1, Prec: -1}},
			{Conv: Conv{Length: "z", Verb: 'd', Width: -1, Prec: -1}}}},
	} {
		if got := Parse(tc.format); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) =\n%+v\nwant\n%+v", tc.format, got, tc.want)
		}
	}
	if c := conv("12", "", 's', 0); c.Width != 12 || c.Spec != "12" {
		t.Errorf("%%12s: %+v", c)
	}
	if segs := Parse("%d"); !segs[0].HasConv() {
		t.Errorf("%%d has no conversion")
	}
}
