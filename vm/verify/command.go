package verify

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
)

// Command is `bpfvm verify [-type T] [-unprivileged] [-d] FILE...`: it
// checks each conformance-format file's program and prints "ACCEPT name"
// or "REJECT name: insn N: reason" (with -d, the abstract state at that
// instruction on the next line). The program type is the -type flag's,
// else the file's -- type section's, else tracepoint. It returns the exit
// status: 0 when every program was accepted, 1 when one was refused, 2
// when a file could not be read.
func Command(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	typ := fs.String("type", "", "program type: tracepoint, kprobe, socket, xdp, raw_tracepoint or perf_event")
	unpriv := fs.Bool("unprivileged", false, "apply the kernel's rules for loaders without CAP_PERFMON")
	detail := fs.Bool("d", false, "print the abstract state where a program is refused")
	ncpus := fs.Int("ncpus", possibleCPUs(), "possible CPUs of the machine the programs will run on")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bpfvm verify [-type T] [-unprivileged] [-d] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var pt ebpf.ProgramType
	if *typ != "" {
		t, ok := ProgTypeByName(*typ)
		if !ok {
			fmt.Fprintf(stderr, "bpfvm verify: unknown program type %q\n", *typ)
			return 2
		}
		pt = t
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	status := 0
	for _, path := range fs.Args() {
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "bpfvm verify: %v\n", err)
			status = 2
			continue
		}
		err = Text(src, pt, Options{Unprivileged: *unpriv, NumCPU: *ncpus})
		var ve *Error
		switch {
		case err == nil:
			fmt.Fprintf(stdout, "ACCEPT %s\n", name)
		case errors.As(err, &ve):
			fmt.Fprintf(stdout, "REJECT %s: insn %d: %s\n", name, ve.Insn, ve.Msg)
			if *detail && ve.Detail != "" {
				fmt.Fprintf(stdout, "\t%s\n", ve.Detail)
			}
			if status == 0 {
				status = 1
			}
		default:
			fmt.Fprintf(stderr, "bpfvm verify: %s: %v\n", path, err)
			status = 2
		}
	}
	return status
}

// possibleCPUs reads how many CPUs this machine may have (0: unknown).
func possibleCPUs() int {
	b, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		return 0
	}
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, found := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		z := a
		var err2 error
		if found {
			z, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil {
			return 0
		}
		if z+1 > n {
			n = z + 1
		}
	}
	return n
}
