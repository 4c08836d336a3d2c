// Command gotrace compiles bpftrace scripts to eBPF and runs them.
package main

import (
	"os"

	"github.com/gotrace/gotrace/runtime"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == runtime.ChildArg {
		os.Exit(runtime.ChildMain(os.Args[2:]))
	}
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
