package types

import (
	"fmt"

	"github.com/gotrace/gotrace/lang"
)

// The tseries() aggregation: a time series of a value, one bucket per
// interval (see builtin_agg.go for the other aggregations).

const BuiltinTseries Builtin = tseriesFamily

func init() {
	define(&builtin{id: BuiltinTseries, name: "tseries", agg: AggTseries, minArgs: 3, maxArgs: 4,
		arityError: func(got int) string {
			if got < 3 {
				return fmt.Sprintf("requires at least 3 arguments (%d provided)", got)
			}
			return fmt.Sprintf("takes up to 4 arguments (%d provided)", got)
		},
		call: (*checker).tseriesCall})
}

// tseries() aggregation functions, as a tseries type keeps them in
// AggParams[2] (AggParams: interval in nanoseconds, number of intervals,
// aggregation function).
const (
	TSeriesLast = iota // no aggregation: the last value of the interval
	TSeriesAvg
	TSeriesMax
	TSeriesMin
	TSeriesSum
)

// TSeriesAggs names the aggregation functions tseries() takes.
var TSeriesAggs = map[string]int64{"avg": TSeriesAvg, "max": TSeriesMax, "min": TSeriesMin, "sum": TSeriesSum}

// tseriesCall checks tseries(value, interval_ns, num_intervals[, agg]) as
// bpftrace does: the interval and the count are integer literals
// (durations such as 100ms are), the aggregation a string literal.
func (c *checker) tseriesCall(e *lang.Call) *Type {
	var params [3]int64
	for i, what := range []string{"interval_ns", "num_intervals"} {
		a := e.Args[1+i]
		lit, ok := a.(*lang.IntLit)
		if !ok {
			c.errorf(a.Pos(), "tseries: invalid %s value (must be non-negative literal)", what)
			return nil
		}
		c.record(lit, Int64)
		if lit.Val > 1<<63-1 {
			c.errorf(a.Pos(), "tseries() %s is too large (%d provided)", what, lit.Val)
			return nil
		}
		params[i] = int64(lit.Val)
	}
	switch {
	case params[0] < 1:
		c.errorf(e.Args[1].Pos(), "tseries() interval_ns must be >= 1 (%d provided)", params[0])
		return nil
	case params[1] < 1:
		c.errorf(e.Args[2].Pos(), "tseries() num_intervals must be >= 1 (%d provided)", params[1])
		return nil
	case params[1] > 1000000:
		c.errorf(e.Args[2].Pos(), "tseries() num_intervals must be < 1000000 (%d provided)", params[1])
		return nil
	}
	if len(e.Args) == 4 {
		lit, ok := e.Args[3].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[3].Pos(), "tseries() aggregation function must be a string literal: \"avg\", \"max\", \"min\" or \"sum\"")
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
		agg, ok := TSeriesAggs[lit.Val]
		if !ok {
			c.errorf(lit.At, "tseries() expects one of the following aggregation functions: avg, max, min, sum (%q provided)", lit.Val)
			return nil
		}
		params[2] = agg
	}
	t := c.expr(e.Args[0])
	if t.Kind == Invalid {
		return nil
	}
	if !t.IsInteger() {
		c.errorf(e.Args[0].Pos(), "tseries() takes an integer, not %s", t)
		return nil
	}
	return &Type{Kind: Agg, Size: 24, AggFn: AggTseries, AggArg: IntType(8, signedOf(t)), AggParams: params[:]}
}

// clockMap checks the map BPFTRACE_DUMMY_TS_MAP names (see
// Info.ClockMap): the script's scalar map of an unsigned integer.
func (c *checker) clockMap() error {
	name := c.info.Config.Env["BPFTRACE_DUMMY_TS_MAP"]
	if name == "" {
		return nil
	}
	mi := c.info.Maps[name]
	switch {
	case mi == nil:
		return fmt.Errorf("BPFTRACE_DUMMY_TS_MAP=%s: the script has no map %s", name, name)
	case len(mi.Keys) > 0 || mi.Value.Kind != Int || mi.Value.Signed:
		return fmt.Errorf("BPFTRACE_DUMMY_TS_MAP=%s: the map must hold one unsigned integer, not %s", name, mi.Value)
	}
	c.info.ClockMap = name
	return nil
}
