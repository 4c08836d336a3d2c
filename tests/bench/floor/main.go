// Command floor is the yardstick of gotrace's start-up: the least a
// static Go binary must do to say hello from a BPF program. It creates a
// ring buffer of one page, loads one raw tracepoint program that writes
// "hi\n" into it, runs the program once through BPF_PROG_TEST_RUN (as
// gotrace runs BEGIN), reads the record and prints it.
//
// tests/bench/compare.sh builds it with CGO_ENABLED=0 and times it next
// to gotrace's hello world; the budget is 1.5 times its time.
//
//	CGO_ENABLED=0 go build -o /tmp/floor ./tests/bench/floor && /tmp/floor
package main

import (
	"fmt"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/ringbuf"
)

func main() {
	if err := hello(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func hello() error {
	rb, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: uint32(os.Getpagesize())})
	if err != nil {
		return err
	}
	defer rb.Close()
	// "hi\n" as a little-endian word on the stack, then
	// bpf_ringbuf_output(rb, fp-8, 3, 0).
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.RawTracepoint,
		License: "GPL",
		Instructions: asm.Instructions{
			asm.Mov.Imm(asm.R1, 0x0a6968),
			asm.StoreMem(asm.RFP, -8, asm.R1, asm.DWord),
			asm.LoadMapPtr(asm.R1, rb.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -8),
			asm.Mov.Imm(asm.R3, 3),
			asm.Mov.Imm(asm.R4, 0),
			asm.FnRingbufOutput.Call(),
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		},
	})
	if err != nil {
		return err
	}
	defer prog.Close()
	rd, err := ringbuf.NewReader(rb)
	if err != nil {
		return err
	}
	defer rd.Close()
	if _, err := prog.Run(&ebpf.RunOptions{}); err != nil {
		return err
	}
	rec, err := rd.Read()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(rec.RawSample)
	return err
}
