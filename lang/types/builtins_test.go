package types_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// TestArityErrors pins the words of the error of a call with the wrong
// number of arguments, which the table of builtins produces in one place.
func TestArityErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`BEGIN { @c = count(1); }`, "count() takes no arguments, got 1"},
		{`BEGIN { @h = hist(); }`, "hist() takes 1 argument, got 0"},
		{`BEGIN { @l = lhist(1); }`, "lhist() takes 4 arguments (value, min, max, step), got 1"},
		{`BEGIN { @t = tseries(1); }`, "tseries() requires at least 3 arguments (1 provided)"},
		{`BEGIN { @t = tseries(1, 2, 3, "avg", 5); }`, "tseries() takes up to 4 arguments (5 provided)"},
		{`BEGIN { @s[kstack(raw, 3, 4)] = 1; }`, "kstack() takes at most 2 arguments (mode and limit), got 3"},
		{`BEGIN { printf(); }`, "printf() takes at least 1 arguments, got 0"},
		{`BEGIN { exit(1, 2); }`, "exit() takes 0 to 1 arguments, got 2"},
		{`BEGIN { $x = strlen(); }`, "strlen() takes 1 argument, got 0"},
		{`BEGIN { $x = str_concat("a"); }`, "str_concat() takes at least 2 arguments, got 1"},
		{`BEGIN { $x = getopt(); }`, "getopt() takes 1 to 3 arguments, got 0"},
		{`BEGIN { $x = comm(1, 2); }`, "comm() takes 1 argument, got 2"},
		{`BEGIN { count(); }`, "count() must be assigned to a map: @x = count(...)"},
	} {
		f, err := lang.Parse("t.gt", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		_, err = types.Check(f, testEnv(t), types.Config{})
		var list lang.ErrorList
		if !errors.As(err, &list) || len(list) != 1 || list[0].Msg != tc.want {
			t.Errorf("%s: got %v, want %q", tc.src, err, tc.want)
		}
	}
}

// TestBuiltinsResolved checks that the checker records the builtin of
// every call and name it resolves, and the operators it decides.
func TestBuiltinsResolved(t *testing.T) {
	src := `kprobe:vfs_read { @h = hist(arg1); printf("%d %d\n", pid + 1, strlen(comm)); @c = count(); }`
	f, err := lang.Parse("t.gt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	info, err := types.Check(f, testEnv(t), types.Config{})
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	var got []string
	lang.Inspect(f.Probes[0].Body, func(n lang.Node) bool {
		switch n := n.(type) {
		case *lang.Call, *lang.Ident:
			got = append(got, info.BuiltinOf(n.(lang.Expr)).String())
		case *lang.Binary:
			got = append(got, info.OpOf(n).String())
		}
		if id, ok := n.(*lang.Ident); ok && id.Name == "arg1" && info.ArgN[id] != 1 {
			t.Errorf("arg1 is arg%d", info.ArgN[id])
		}
		return true
	})
	want := []string{"hist", "argN", "printf", "+", "pid", "strlen", "comm", "count"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if info.BuiltinOf(f.Probes[0].Body.Stmts[0].(*lang.AssignStmt).Rhs).Aggregation() != types.AggHist {
		t.Errorf("hist() is not the hist aggregation")
	}
}

// TestBuiltinLists checks the lists completion and hints use: the
// table's names, sorted, without the checker's own.
func TestBuiltinLists(t *testing.T) {
	for _, l := range []struct {
		name        string
		list        []string
		has, hasNot []string
	}{
		{"Functions", types.Functions(), []string{"hist", "printf", "comm", "nsecs", "kstack", "str"}, []string{"args", "__task_from_pid"}},
		{"BuiltinNames", types.BuiltinNames(), []string{"pid", "comm", "nsecs", "args", "ctx", "arg0", "arg5"}, []string{"printf", "arg6", "arg"}},
	} {
		if !slices.IsSorted(l.list) || len(slices.Compact(slices.Clone(l.list))) != len(l.list) {
			t.Errorf("%s is not sorted or has duplicates: %v", l.name, l.list)
		}
		for _, n := range l.has {
			if !slices.Contains(l.list, n) {
				t.Errorf("%s lacks %s", l.name, n)
			}
		}
		for _, n := range l.hasNot {
			if slices.Contains(l.list, n) {
				t.Errorf("%s has %s", l.name, n)
			}
		}
	}
}

// TestParserBuiltinNames checks the names the parser knows before
// anything is typed against the builtin table: the identifiers it lets
// be written as calls, and the aggregations (the table's side of which
// define checks as it builds the table).
func TestParserBuiltinNames(t *testing.T) {
	idents := types.BuiltinNames()
	for _, n := range lang.BuiltinCallNames() {
		if !slices.Contains(idents, n) {
			t.Errorf("the parser lets %s() stand for a builtin identifier the table does not have", n)
		}
	}
	var aggs []string
	for a := types.AggFn(1); !strings.HasPrefix(a.String(), "AggFn("); a++ {
		aggs = append(aggs, a.String())
	}
	slices.Sort(aggs)
	if parser := lang.AggregationNames(); !slices.Equal(parser, aggs) {
		t.Errorf("the parser's aggregations %v, the table's %v", parser, aggs)
	}
}
