// Command gotrace compiles bpftrace scripts to eBPF and runs them.
package main

import (
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
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
