// Command gotrace compiles bpftrace scripts to eBPF and runs them.
package main

import (
	"fmt"
	"os"
	goruntime "runtime"

	"github.com/gotrace/gotrace/runtime"
)

func init() {
	if len(os.Args) > 1 && os.Args[1] == runtime.ChildArg {
		// The held -c child execs its command from the main thread, so
		// that a tracer of the process sees the exec (dw_ustack stops
		// the command at its entry point).
		goruntime.LockOSThread()
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == runtime.ChildArg {
		os.Exit(runtime.ChildMain(os.Args[2:]))
	}
	argv0 = os.Args[0]
	aot, err := loadPayload()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ERROR: %v\n", err)
		os.Exit(1)
	}
	os.Exit(mainWith(os.Args[1:], aot, os.Stdin, os.Stdout, os.Stderr))
}
