package types

import (
	"fmt"

	"github.com/gotrace/gotrace/lang"
)

// AggFn is the function of an aggregation (@m = hist(x)): it decides how
// the map's values are laid out, merged across CPUs and printed.
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

var aggNames = [...]string{AggCount: "count", AggSum: "sum", AggMin: "min", AggMax: "max", AggAvg: "avg",
	AggStats: "stats", AggHist: "hist", AggLhist: "lhist", AggTseries: "tseries"}

// String is the aggregation's name, as scripts call it.
func (a AggFn) String() string {
	if a > 0 && int(a) < len(aggNames) {
		return aggNames[a]
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

// isAggCall tells whether e is a call of an aggregation, and which.
func isAggCall(e lang.Expr) (*lang.Call, AggFn) {
	call, ok := e.(*lang.Call)
	if !ok {
		return nil, 0
	}
	for a, n := range aggNames {
		if n != "" && call.Fun == n {
			return call, AggFn(a)
		}
	}
	return nil, 0
}

func (c *checker) aggCall(e *lang.Call, agg AggFn) *Type {
	if agg == AggCount {
		if len(e.Args) != 0 {
			c.errorf(e.At, "count() takes no arguments, got %d", len(e.Args))
			return nil
		}
		return &Type{Kind: Agg, Size: 8, AggFn: AggCount}
	}
	if agg == AggTseries {
		return c.tseriesCall(e)
	}
	want := 1
	switch agg {
	case AggHist:
		if len(e.Args) == 2 {
			want = 2
		}
	case AggLhist:
		want = 4
	}
	if len(e.Args) != want {
		if agg == AggLhist {
			c.errorf(e.At, "lhist() takes 4 arguments (value, min, max, step), got %d", len(e.Args))
		} else {
			c.errorf(e.At, "%s() takes 1 argument, got %d", e.Fun, len(e.Args))
		}
		return nil
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
