package runtime_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/internal/pipelinetest"
	"github.com/gotrace/gotrace/runtime"
)

// TestRuntimeWarnings checks -k: a map read that finds nothing is
// reported at run time, at its expression, with the source line; without
// -k the program carries no check.
func TestRuntimeWarnings(t *testing.T) {
	const src = `BEGIN { @[1] = 1; printf("%d\n", @[2]); exit(); }`
	compile := func(k bool) *runtime.Compiled {
		c, err := runtime.Compile("stdin", []byte(src), runtime.CompileOptions{Target: pipelinetest.Target(), RuntimeWarnings: k})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	insns := func(c *runtime.Compiled) (n int) {
		for _, p := range c.Prog.Spec.Programs {
			n += len(p.Instructions)
		}
		return n
	}
	checks := func(c *runtime.Compiled) (n int) {
		for _, ev := range c.Prog.Events {
			if ev.Kind == codegen.EventHelperError {
				n++
			}
		}
		return n
	}
	plain, warned := compile(false), compile(true)
	if n := checks(plain); n != 0 {
		t.Errorf("without -k: %d checks", n)
	}
	if n := checks(warned); n != 1 {
		t.Errorf("with -k: %d checks, want 1 (the read of @[2])", n)
	}
	if insns(warned) <= insns(plain) {
		t.Errorf("with -k: %d instructions, without: %d", insns(warned), insns(plain))
	}

	var out, errOut bytes.Buffer
	if _, err := runtime.Emulate(warned.Prog, runtime.Options{Out: &out, Err: &errOut, Quiet: true, Target: warned.Target,
		TaiStart: pipelinetest.TaiStart, Loc: time.UTC}); err != nil {
		t.Fatal(err)
	}
	want := "stdin:1:34-38: WARNING: Can't lookup map element because it does not exist.\n" +
		"Additional Info - helper: map_lookup_elem, retcode: 0\n" +
		src + "\n" +
		"                                 ~~~~\n"
	if got := errOut.String(); !strings.Contains(got, want) {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
	}
	if !strings.HasPrefix(out.String(), "0\n") {
		t.Errorf("stdout: %q", out.String())
	}
}
