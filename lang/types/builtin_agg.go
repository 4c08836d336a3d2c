package types

import (
	"github.com/gotrace/gotrace/lang"
)

func isAggCall(e lang.Expr) (*lang.Call, bool) {
	call, ok := e.(*lang.Call)
	if !ok {
		return nil, false
	}
	switch call.Fun {
	case "count", "sum", "min", "max", "avg", "stats", "hist", "lhist", "tseries":
		return call, true
	}
	return nil, false
}

func (c *checker) aggCall(e *lang.Call) *Type {
	if e.Fun == "count" {
		if len(e.Args) != 0 {
			c.errorf(e.At, "count() takes no arguments, got %d", len(e.Args))
			return nil
		}
		return &Type{Kind: Agg, Size: 8, AggFn: "count"}
	}
	if e.Fun == "tseries" {
		return c.tseriesCall(e)
	}
	want := 1
	switch e.Fun {
	case "hist":
		if len(e.Args) == 2 {
			want = 2
		}
	case "lhist":
		want = 4
	}
	if len(e.Args) != want {
		if e.Fun == "lhist" {
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
	case e.Fun == "hist" && len(params) == 1 && params[0] > 5:
		c.errorf(e.Args[1].Pos(), "hist() bits must be from 0 to 5")
		return nil
	case e.Fun == "lhist" && params[2] <= 0:
		c.errorf(e.Args[3].Pos(), "lhist() step must be positive")
		return nil
	case e.Fun == "lhist" && params[1] <= params[0]:
		c.errorf(e.Args[2].Pos(), "lhist() max must be greater than min")
		return nil
	case e.Fun == "lhist" && (params[1]-params[0])/params[2] > 1000:
		c.errorf(e.Args[3].Pos(), "lhist() would have more than 1000 buckets")
		return nil
	}
	if e.Fun == "hist" && len(params) == 0 {
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
	switch e.Fun {
	case "sum", "hist", "lhist":
		size = 8
	}
	return &Type{Kind: Agg, Size: size, AggFn: e.Fun, AggArg: arg, AggParams: params}
}
