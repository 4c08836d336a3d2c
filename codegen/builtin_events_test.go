package codegen_test

import (
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/codegen"
)

// TestRecordsInPlace: a record whose arguments are computed without
// leaving the code that fills it is written in the ring buffer itself
// (reserve, fill, submit); one whose arguments need a loop's callback is
// built in memory and copied (bpf_ringbuf_output), and the callback the
// first attempt made is not left behind.
func TestRecordsInPlace(t *testing.T) {
	for _, tc := range []struct {
		src     string
		inPlace bool
	}{
		{`tracepoint:syscalls:sys_enter_openat { printf("%s %s %d\n", comm, str(args.filename), pid); }`, true},
		{`BEGIN { @m[1] = 5; printf("%d\n", @m[1] > 0 ? 1 : 2); exit(); }`, true},
		{`BEGIN { $h = "hello"; printf("%d\n", strcontains($h, "ll")); }`, false},
	} {
		f, err := checkFor(t, "amd64", tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		prog, err := codegen.Compile(f.file, f.info, codegen.Target{NumCPU: 2})
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		calls := map[asm.BuiltinFunc]int{}
		funcs := 0
		for _, p := range prog.Probes {
			for _, ins := range prog.Spec.Programs[p.Prog].Instructions {
				if ins.IsBuiltinCall() {
					calls[asm.BuiltinFunc(ins.Constant)]++
				}
				if btf.FuncMetadata(&ins) != nil && ins.Symbol() != p.Prog {
					funcs++ // a callback
				}
			}
		}
		reserved := calls[asm.FnRingbufReserve] > 0 && calls[asm.FnRingbufSubmit] == calls[asm.FnRingbufReserve]
		if reserved != tc.inPlace || (calls[asm.FnRingbufOutput] > 0) == tc.inPlace {
			t.Errorf("%s: reserve %d, submit %d, output %d; want in place %v", tc.src, calls[asm.FnRingbufReserve], calls[asm.FnRingbufSubmit], calls[asm.FnRingbufOutput], tc.inPlace)
		}
		if !tc.inPlace && calls[asm.FnLoop] != funcs {
			t.Errorf("%s: %d functions for %d loops: a callback left behind", tc.src, funcs, calls[asm.FnLoop])
		}
	}
}
