package types

import (
	"fmt"

	"github.com/gotrace/gotrace/lang"
)

// Aggregations: count, sum, min, max, avg, stats, hist and lhist (tseries
// has its own file). A call of one is only ever the value assigned to a
// map (@m[k] = hist(x)), whose values it then aggregates: its type is an
// Agg type, whose AggFn says which.

// AggFn is the function of an aggregation: it decides how the map's
// values are laid out, merged across CPUs and printed.
type AggFn int

const (
	_ AggFn = iota // not an aggregation
	AggCount
	AggSum
	AggMin
	AggMax
	AggAvg
	AggStats
	AggHist
	AggLhist
	AggTseries
)

// String is the aggregation's name, as scripts call it.
func (a AggFn) String() string {
	if b := aggregations[a]; b != nil {
		return b.name
	}
	return fmt.Sprintf("AggFn(%d)", int(a))
}

// Bucketed tells whether the aggregation keeps a value per bucket, with
// the bucket's index after the map's key: hist, lhist and tseries.
func (a AggFn) Bucketed() bool { return a == AggHist || a == AggLhist || a == AggTseries }

// aggValue is what reading an aggregation gives (in a probe, or in a for
// loop over its map): one integer for count, sum, min, max and avg; nil
// for the others, whose values are histograms or stats.
func aggValue(t *Type) *Type {
	switch t.AggFn {
	case AggCount, AggSum, AggMin, AggMax, AggAvg:
		return IntType(8, t.AggFn != AggCount && t.AggArg != nil && t.AggArg.Signed)
	}
	return nil
}

const (
	BuiltinCount Builtin = aggFamily + iota
	BuiltinSum
	BuiltinMin
	BuiltinMax
	BuiltinAvg
	BuiltinStats
	BuiltinHist
	BuiltinLhist
)

func init() {
	define(
		&builtin{id: BuiltinCount, name: "count", agg: AggCount, call: aggRule(AggCount)},
		&builtin{id: BuiltinSum, name: "sum", agg: AggSum, minArgs: 1, maxArgs: 1, call: aggRule(AggSum)},
		&builtin{id: BuiltinMin, name: "min", agg: AggMin, minArgs: 1, maxArgs: 1, call: aggRule(AggMin)},
		&builtin{id: BuiltinMax, name: "max", agg: AggMax, minArgs: 1, maxArgs: 1, call: aggRule(AggMax)},
		&builtin{id: BuiltinAvg, name: "avg", agg: AggAvg, minArgs: 1, maxArgs: 1, call: aggRule(AggAvg)},
		&builtin{id: BuiltinStats, name: "stats", agg: AggStats, minArgs: 1, maxArgs: 1, call: aggRule(AggStats)},
		// (the bits are optional; the error has always said 1 argument)
		&builtin{id: BuiltinHist, name: "hist", agg: AggHist, minArgs: 1, maxArgs: 2, usage: "1 argument", call: aggRule(AggHist)},
		&builtin{id: BuiltinLhist, name: "lhist", agg: AggLhist, minArgs: 4, maxArgs: 4, usage: "4 arguments (value, min, max, step)",
			call: aggRule(AggLhist)},
	)
}

// aggRule is the typing rule of aggregation agg.
func aggRule(agg AggFn) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type { return c.aggCall(e, agg) }
}

// aggCall types a call of aggregation agg: the aggregated value, and the
// parameters of hist (bits) and lhist (min, max, step), constants.
func (c *checker) aggCall(e *lang.Call, agg AggFn) *Type {
	if agg == AggCount {
		return &Type{Kind: Agg, Size: 8, AggFn: AggCount}
	}
	var params []int64
	for _, a := range e.Args[1:] {
		lit, ok := a.(*lang.IntLit)
		if !ok {
			c.errorf(a.Pos(), "%s() parameters must be integer constants", e.Fun)
			return nil
		}
		c.record(lit, Int64)
		params = append(params, int64(lit.Val))
	}
	switch {
	case agg == AggHist && len(params) == 1 && params[0] > 5:
		c.errorf(e.Args[1].Pos(), "hist() bits must be from 0 to 5")
		return nil
	case agg == AggLhist && params[2] <= 0:
		c.errorf(e.Args[3].Pos(), "lhist() step must be positive")
		return nil
	case agg == AggLhist && params[1] <= params[0]:
		c.errorf(e.Args[2].Pos(), "lhist() max must be greater than min")
		return nil
	case agg == AggLhist && (params[1]-params[0])/params[2] > 1000:
		c.errorf(e.Args[3].Pos(), "lhist() would have more than 1000 buckets")
		return nil
	}
	if agg == AggHist && len(params) == 0 {
		params = []int64{0}
	}
	t := c.expr(e.Args[0])
	if t.Kind == Invalid {
		return nil
	}
	if !t.IsInteger() {
		c.errorf(e.Args[0].Pos(), "%s() takes an integer, not %s", e.Fun, t)
		return nil
	}
	arg := IntType(8, signedOf(t))
	size := 16
	switch agg {
	case AggSum, AggHist, AggLhist:
		size = 8
	}
	return &Type{Kind: Agg, Size: size, AggFn: agg, AggArg: arg, AggParams: params}
}
