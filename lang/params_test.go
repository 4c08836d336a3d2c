package lang

import (
	"strings"
	"testing"
)

func TestBindParams(t *testing.T) {
	params := []string{"42", "hello", "-7", "0xffffffffffffffff", "", "i:ms:1", "IN", "0755", "5ms"}
	for _, tc := range []struct{ in, want, warn string }{
		{"$1 + $#", "(42 + 9)", ""},
		{"$2", `"hello"`, ""},
		{"$3 * 2", "((-7) * 2)", ""},
		{"$4", "18446744073709551615", ""},
		{"$8 + $9", "(493 + 5000000)", ""},
		{"$5", "0", "Positional parameter $5 is empty or not provided."},
		{"$10", "0", "Positional parameter $10 is empty or not provided."},
		{"str($1)", `"42"`, ""},
		{"str($10)", `""`, ""},
		{"str($2 + 1)", `"ello"`, ""},
		{"str($2, 3)", `"hel"`, ""},
		{"str($2, 30)", `"hello"`, ""},
		{`"abc" + 1`, `"bc"`, ""},
		{`2 + "abc"`, `"c"`, ""},
		{`"abc" + 3`, `""`, "literal string will always be empty"},
		{"lhist(x, $1, $8, $1)", "lhist(x, 42, 493, 42)", ""},
		{"f(str(arg0), $2)", `f(str(arg0), "hello")`, ""},
	} {
		f, err := Parse("stdin", []byte("BEGIN { "+tc.in+"; }"))
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		warns, errs := BindParams(f, params)
		if errs != nil {
			t.Fatalf("%s: %v", tc.in, errs)
		}
		if got := paren(f.Probes[0].Body.Stmts[0].(*ExprStmt).X); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
		var msgs []string
		for _, w := range warns {
			msgs = append(msgs, w.Msg)
		}
		if got := strings.Join(msgs, "; "); got != tc.warn {
			t.Errorf("%s: warnings %q, want %q", tc.in, got, tc.warn)
		}
	}
}

func TestBindParamsInAttachPoints(t *testing.T) {
	params := []string{"i:ms:1", "IN", "10", "a$b"}
	for _, tc := range []struct{ in, want, err string }{
		{"$1 { }", "i:ms:1", ""},
		{"BEG$2 { }", "BEGIN", ""},
		{"interval:ms:$3 { }", "interval:ms:10", ""},
		{"interval:ms:$3, $1 { }", "interval:ms:10 i:ms:1", ""},
		{"uprobe:/bin/sh:$4 { }", "uprobe:/bin/sh:a$b", ""}, // a parameter's value is not read again
		{`usdt:/bin/x:"$3":p { }`, `usdt:/bin/x:"$3":p`, ""},
		{"interval:ms:$9 { }", "interval:ms:", ""},
		{`usdt:./x:test:"\"probe$3\"" { }`, `usdt:./x:test:"\"probe$3\""`, ""},
		{`uprobe:/bin/bash:"echo_builtin"+$3 { }`, `uprobe:/bin/bash:"echo_builtin"+10`, ""},
		{"uprobe:/bin/sh:$x { }", "", "stdin:1:16: ERROR: a '$' in an attach point begins a positional parameter ($1, $2, ...)"},
		{"uprobe:/bin/sh:f$0 { }", "", "stdin:1:17: ERROR: a '$' in an attach point begins a positional parameter ($1, $2, ...)"},
	} {
		f, err := Parse("stdin", []byte(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		_, errs := BindParams(f, params)
		if tc.err != "" {
			if len(errs) != 1 || errs[0].Error() != tc.err {
				t.Errorf("%s: errors %v, want %s", tc.in, errs, tc.err)
			}
			continue
		}
		if errs != nil {
			t.Fatalf("%s: %v", tc.in, errs)
		}
		var specs []string
		for _, s := range f.Probes[0].Specs {
			specs = append(specs, s.Raw)
		}
		if got := strings.Join(specs, " "); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
