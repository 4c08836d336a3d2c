package metrics

import (
	"bufio"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The exposition formats.
//
// A scrape is written by hand in one of the two formats Prometheus
// reads: its text format (version 0.0.4) and OpenMetrics 1.0, which the
// scraper asks for in its Accept header. The Prometheus client library
// would do the same, but its packages register collectors of the Go
// runtime and of the process when the program starts, in every run of
// gotrace, costing a hello world a few milliseconds for a flag few runs
// use.
//
// The two formats differ in little: OpenMetrics names a counter's
// family without its _total suffix (its samples keep it), writes every
// float with a decimal point or an exponent (10.0), and ends with
// "# EOF". Families are written in name order, the metrics of a family
// in the order of their label values, each metric's labels in name
// order (a histogram's le last).

// family is one metric family of a scrape.
type family struct {
	name    string // with _total for counters
	help    string
	kind    Kind
	metrics []metric
}

// metric is one labelled metric of a family: a value (counter, gauge),
// or a count and a sum (summary) and cumulative buckets (histogram).
type metric struct {
	labels  []labelPair
	value   float64
	count   uint64
	sum     float64
	buckets []bucket
}

type labelPair struct{ name, value string }

// bucket is a histogram bucket: the values up to le, counted
// cumulatively.
type bucket struct {
	le    float64
	count uint64
}

// labels pairs names with values, in name order, with values made
// valid UTF-8 (Prometheus refuses others).
func labels(names, values []string) []labelPair {
	ls := make([]labelPair, len(names))
	for i := range names {
		ls[i] = labelPair{names[i], strings.ToValidUTF8(values[i], "\uFFFD")}
	}
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].name < ls[j].name })
	return ls
}

// sortFamilies puts the families in name order and each one's metrics
// in the order of their label values.
func sortFamilies(fams []*family) {
	sort.SliceStable(fams, func(i, j int) bool { return fams[i].name < fams[j].name })
	for _, f := range fams {
		sort.SliceStable(f.metrics, func(i, j int) bool {
			a, b := f.metrics[i].labels, f.metrics[j].labels
			for k := 0; k < len(a) && k < len(b); k++ {
				if a[k].value != b[k].value {
					return a[k].value < b[k].value
				}
			}
			return len(a) < len(b)
		})
	}
}

// typeName is the TYPE of a kind.
func typeName(k Kind) string {
	switch k {
	case Counter:
		return "counter"
	case Summary:
		return "summary"
	case Histogram:
		return "histogram"
	}
	return "gauge"
}

// writeExposition writes the families in the text format, or in
// OpenMetrics (om).
func writeExposition(w io.Writer, fams []*family, om bool) error {
	bw := bufio.NewWriter(w)
	num := formatFloat
	if om {
		num = formatOMFloat
	}
	for _, f := range fams {
		if len(f.metrics) == 0 {
			continue
		}
		name := f.name
		if om && f.kind == Counter {
			name = strings.TrimSuffix(name, "_total")
		}
		bw.WriteString("# HELP " + name + " " + escapeHelp(f.help, om) + "\n")
		bw.WriteString("# TYPE " + name + " " + typeName(f.kind) + "\n")
		for _, m := range f.metrics {
			switch f.kind {
			case Summary:
				writeSample(bw, f.name+"_sum", m.labels, nil, num(m.sum))
				writeSample(bw, f.name+"_count", m.labels, nil, strconv.FormatUint(m.count, 10))
			case Histogram:
				for _, b := range m.buckets {
					le := labelPair{"le", num(b.le)}
					writeSample(bw, f.name+"_bucket", m.labels, &le, strconv.FormatUint(b.count, 10))
				}
				inf := labelPair{"le", "+Inf"}
				writeSample(bw, f.name+"_bucket", m.labels, &inf, strconv.FormatUint(m.count, 10))
				writeSample(bw, f.name+"_sum", m.labels, nil, num(m.sum))
				writeSample(bw, f.name+"_count", m.labels, nil, strconv.FormatUint(m.count, 10))
			default:
				writeSample(bw, f.name, m.labels, nil, num(m.value))
			}
		}
	}
	if om {
		bw.WriteString("# EOF\n")
	}
	return bw.Flush()
}

func writeSample(bw *bufio.Writer, name string, ls []labelPair, extra *labelPair, value string) {
	bw.WriteString(name)
	if len(ls) > 0 || extra != nil {
		bw.WriteByte('{')
		for i, l := range ls {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(l.name + `="` + escapeLabel(l.value) + `"`)
		}
		if extra != nil {
			if len(ls) > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(extra.name + `="` + extra.value + `"`)
		}
		bw.WriteByte('}')
	}
	bw.WriteString(" " + value + "\n")
}

var (
	labelEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
	helpEscaper   = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	omHelpEscaper = labelEscaper
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }

func escapeHelp(s string, om bool) string {
	if om {
		return omHelpEscaper.Replace(s)
	}
	return helpEscaper.Replace(s)
}

// formatFloat writes a number as the text format does: Go's shortest
// form, +Inf, -Inf, NaN.
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// formatOMFloat writes a number as OpenMetrics wants a float: with a
// decimal point or an exponent.
func formatOMFloat(f float64) string {
	s := formatFloat(f)
	if !strings.ContainsAny(s, "e.IN") {
		s += ".0"
	}
	return s
}
