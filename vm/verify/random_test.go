package verify

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
)

// randomProgram writes a small random program in the assembler's syntax:
// arithmetic, stack traffic, context reads, map lookups with and without
// NULL checks, helper calls and forward jumps, often valid and often not.
func randomProgram(r *rand.Rand, pt ebpf.ProgramType, unpriv bool) string {
	var b strings.Builder
	// Half the programs keep to operations that are mostly valid, so that
	// acceptance is exercised as much as refusal.
	safe := r.Intn(2) == 0
	n := 8 + r.Intn(20)
	regs := []string{"%r0", "%r1", "%r2", "%r3", "%r4", "%r5", "%r6", "%r7", "%r8", "%r9"}
	// Mostly numbers in r0-r5, r7 and r9 (r7 and r9 may also hold map
	// values), the context in r6, a stack pointer in r8; sometimes any.
	scalars := []string{"%r0", "%r1", "%r2", "%r3", "%r4", "%r5", "%r7", "%r9"}
	reg := func() string {
		if r.Intn(6) == 0 && !safe {
			return regs[r.Intn(len(regs))]
		}
		return scalars[r.Intn(len(scalars))]
	}
	lowreg := func() string {
		if r.Intn(3) == 0 {
			return "%r8"
		}
		if safe {
			return "%r7"
		}
		return []string{"%r7", "%r9"}[r.Intn(2)]
	}
	if safe {
		scalars = []string{"%r0", "%r1", "%r2", "%r3", "%r4", "%r5", "%r9"}
	}
	imm := func() int64 {
		switch r.Intn(4) {
		case 0:
			return int64(r.Intn(16))
		case 1:
			return int64(r.Intn(600)) - 300
		case 2:
			return []int64{0, 1, 7, 8, 63, 64, 255, -1, -8}[r.Intn(9)]
		}
		return int64(r.Int31()) - 1<<30
	}
	sizes := []string{"b", "h", "w", "dw"}
	fmt.Fprintf(&b, "mov %%r6, %%r1\n")
	reinit := func() {
		for _, x := range []string{"%r0", "%r1", "%r2", "%r3", "%r4", "%r5"} {
			if r.Intn(8) > 0 || safe {
				fmt.Fprintf(&b, "mov %s, %d\n", x, r.Intn(600)-300)
			}
		}
	}
	reinit()
	// r7: a value of the array (a constant key in range: never NULL)
	fmt.Fprintf(&b, "stw [%%r10-8], 0\nmov %%r2, %%r10\nadd %%r2, -8\nlddw %%r1, map:a\ncall map_lookup_elem\nmov %%r7, %%r0\n")
	reinit()
	fmt.Fprintf(&b, "mov %%r8, %%r10\nadd %%r8, -16\nmov %%r9, %d\n", r.Intn(10))
	for i := 0; i < n; i++ {
		label := fmt.Sprintf("l%d", i)
		fmt.Fprintf(&b, "%s:\n", label)
		target := func() string { return fmt.Sprintf("l%d", i+1+r.Intn(n-i)) }
		choices := 23
		if unpriv {
			// Without CAP_PERFMON the kernel also walks the branches
			// that only speculation takes, which we do not: loops reach
			// its limits sooner.
			choices = 20
		}
		if choice := r.Intn(choices); choice == 22 || (unpriv && choice == 19 && r.Intn(2) == 0) {
			// an atomic operation on the stack or the array value
			ops := []string{"atomic_add64", "atomic_fetch_add64", "atomic_xchg64", "atomic_cmpxchg64", "atomic_or32", "atomic_fetch_and32", "xadddw"}
			dst := []string{"%r10-8", "%r10-16", "%r10-12", "%r7+0", "%r7+8", "%r7+20", "%r8+0"}[r.Intn(7)]
			fmt.Fprintf(&b, "%s [%s], %s\n", ops[r.Intn(len(ops))], dst, reg())
			continue
		}
		pick := r.Intn(choices)
		if unpriv && (pick == 11 || pick == 17) {
			// Without CAP_PERFMON the kernel also refuses pointer
			// arithmetic whose bounds differ between paths (a Spectre
			// defence we do not model).
			pick = 15
		}
		switch pick {
		case 0, 1, 2:
			ops := []string{"add", "sub", "mul", "and", "or", "xor", "lsh", "rsh", "arsh", "mov", "div", "mod"}
			op := ops[r.Intn(len(ops))]
			if r.Intn(4) == 0 {
				op += "32"
			}
			if r.Intn(2) == 0 {
				v := imm()
				if strings.HasPrefix(op, "lsh") || strings.HasPrefix(op, "rsh") || strings.HasPrefix(op, "arsh") {
					v = int64(r.Intn(32))
				}
				if (strings.HasPrefix(op, "div") || strings.HasPrefix(op, "mod")) && v == 0 {
					v = 3
				}
				fmt.Fprintf(&b, "%s %s, %d\n", op, reg(), v)
			} else {
				fmt.Fprintf(&b, "%s %s, %s\n", op, reg(), reg())
			}
		case 3:
			off := -8 * (1 + r.Intn(8))
			sz := sizes[r.Intn(4)]
			if r.Intn(2) == 0 {
				fmt.Fprintf(&b, "stx%s [%%r10%d], %s\n", sz, off, reg())
			} else {
				fmt.Fprintf(&b, "st%s [%%r10%d], %d\n", sz, off, imm())
			}
		case 4:
			off := -8 * (1 + r.Intn(8))
			if r.Intn(3) == 0 {
				off += []int{4, 2, 1}[r.Intn(3)]
			}
			fmt.Fprintf(&b, "ldx%s %s, [%%r10%d]\n", sizes[r.Intn(4)], reg(), off)
		case 5:
			off := 8 + 8*r.Intn(12)
			fmt.Fprintf(&b, "ldxdw %s, [%%r6+%d]\n", reg(), off)
		case 6, 7:
			// lookup in the array or the hash
			mp := []string{"a", "h"}[r.Intn(2)]
			fmt.Fprintf(&b, "st%s [%%r10-8], %d\n", []string{"w", "dw"}[r.Intn(2)], r.Intn(5))
			fmt.Fprintf(&b, "mov %%r2, %%r10\nadd %%r2, -8\nlddw %%r1, map:%s\ncall map_lookup_elem\n", mp)
			if r.Intn(3) > 0 {
				fmt.Fprintf(&b, "jeq %%r0, 0, %s\n", target())
			}
			dst := lowreg()
			fmt.Fprintf(&b, "mov %s, %%r0\n", dst)
			reinit()
		case 8:
			// access through a maybe-map-value register
			sz := r.Intn(4)
			p := lowreg()
			off := (1 << sz) * r.Intn(5)
			if safe && p == "%r8" {
				off = -(1 << sz) * r.Intn(5)
			}
			fmt.Fprintf(&b, "ldx%s %s, [%s%+d]\n", sizes[sz], reg(), p, off)
		case 9:
			sz := r.Intn(4)
			p := lowreg()
			off := (1 << sz) * r.Intn(5)
			if safe && p == "%r8" {
				off = -(1 << sz) * r.Intn(5)
			}
			fmt.Fprintf(&b, "stx%s [%s%+d], %s\n", sizes[sz], p, off, reg())
		case 10:
			ops := []string{"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jslt", "jset"}
			op := ops[r.Intn(len(ops))]
			if r.Intn(5) == 0 {
				op += "32"
			}
			if r.Intn(2) == 0 {
				fmt.Fprintf(&b, "%s %s, %d, %s\n", op, reg(), imm(), target())
			} else {
				fmt.Fprintf(&b, "%s %s, %s, %s\n", op, reg(), reg(), target())
			}
		case 11:
			// Numbers added to pointers are masked: the kernel prunes
			// paths on which such a number is out of range when it has
			// not needed its exact value, which we cannot (we do not
			// track precision).
			x := scalars[r.Intn(len(scalars))]
			fmt.Fprintf(&b, "and %s, 0xffff\nadd %s, %s\n", x, lowreg(), x)
		case 12:
			fmt.Fprintf(&b, "call %s\n", []string{"ktime_get_ns", "get_prandom_u32", "get_smp_processor_id"}[r.Intn(3)])
			reinit()
		case 13:
			fmt.Fprintf(&b, "mov %%r1, %%r10\nadd %%r1, %d\nmov %%r2, %d\nmov %%r3, 0\ncall probe_read_kernel\n", -8*(1+r.Intn(8)), r.Intn(80))
			reinit()
		case 14:
			fmt.Fprintf(&b, "and %s, %d\n", reg(), []int{7, 15, 63, 255, 0xfff}[r.Intn(5)])
		case 15:
			fmt.Fprintf(&b, "mov %s, %s\n", reg(), reg())
		case 16:
			// spill and fill, maybe of a pointer
			off := -8 * (1 + r.Intn(6))
			fmt.Fprintf(&b, "stxdw [%%r10%d], %s\n", off, regs[r.Intn(len(regs))])
			fmt.Fprintf(&b, "ldx%s %s, [%%r10%d]\n", sizes[r.Intn(4)], lowreg(), off)
		case 17:
			// a bounded index into the array value
			x := scalars[r.Intn(len(scalars))]
			fmt.Fprintf(&b, "and %s, %d\nadd %%r7, %s\n", x, []int{7, 15, 16, 31}[r.Intn(4)], x)
			if safe {
				fmt.Fprintf(&b, "ldxb %s, [%%r7+0]\nsub %%r7, %s\n", scalars[r.Intn(len(scalars))], x)
			}
		case 18:
			// a NULL check on a copy
			dst := "%r9"
			if safe {
				dst = "%r7"
			}
			fmt.Fprintf(&b, "stw [%%r10-8], %d\nmov %%r2, %%r10\nadd %%r2, -8\nlddw %%r1, map:h\ncall map_lookup_elem\nmov %s, %%r0\njeq %s, 0, l%d\n", r.Intn(3), dst, dst, n)
			reinit()
		case 20, 21:
			// a counted loop over a few operations on r0-r5
			fmt.Fprintf(&b, "mov %%r9, %d\nlp%d:\n", 1+r.Intn(30), i)
			for k := r.Intn(4); k >= 0; k-- {
				x := fmt.Sprintf("%%r%d", r.Intn(6))
				switch r.Intn(4) {
				case 0:
					fmt.Fprintf(&b, "add %s, %%r9\n", x)
				case 1:
					fmt.Fprintf(&b, "and %s, %d\n", x, r.Intn(64))
				case 2:
					fmt.Fprintf(&b, "ldxb %s, [%%r7+%d]\n", x, r.Intn(24))
				case 3:
					fmt.Fprintf(&b, "jgt %s, %d, lx%d_%d\nadd %s, 1\nlx%d_%d:\n", x, r.Intn(100), i, k, x, i, k)
				}
			}
			fmt.Fprintf(&b, "add %%r9, -1\njne %%r9, 0, lp%d\n", i)
		case 19:
			fmt.Fprintf(&b, "mov %s, %%r10\nadd %s, %s\n", "%r8", "%r8", []string{"-8", "-64", "-512", "-520", "8"}[r.Intn(5)])
		}
	}
	fmt.Fprintf(&b, "l%d:\n", n)
	if r.Intn(4) > 0 {
		fmt.Fprintf(&b, "mov %%r0, 0\n")
	}
	fmt.Fprintf(&b, "exit\n")
	return b.String()
}

// TestRandomPrograms compares our verdicts with the kernel's on random
// programs. RANDOM_PROGRAMS sets how many (default 300).
func TestRandomPrograms(t *testing.T) {
	if err := kernelAvailable(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kernel part cannot run in CI: %v", err)
		}
		t.Skipf("no kernel: %v", err)
	}
	count := 300
	if s := os.Getenv("RANDOM_PROGRAMS"); s != "" {
		count, _ = strconv.Atoi(s)
	}
	seed := int64(1)
	if s := os.Getenv("RANDOM_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	r := rand.New(rand.NewSource(seed))
	maps := []*ebpf.MapSpec{
		{Name: "a", Type: ebpf.Array, KeySize: 4, ValueSize: 24, MaxEntries: 4},
		{Name: "h", Type: ebpf.Hash, KeySize: 4, ValueSize: 24, MaxEntries: 4},
	}
	agree, accepted := 0, 0
	for i := 0; i < count; i++ {
		pt, unpriv := ebpf.TracePoint, false
		if r.Intn(4) == 0 {
			pt, unpriv = ebpf.SocketFilter, r.Intn(2) == 0
		}
		text := randomProgram(r, pt, unpriv)
		if !unpriv {
			// Sometimes the same code runs as a bpf-to-bpf function or as
			// a callback of bpf_for_each_map_elem.
			switch r.Intn(10) {
			case 0, 1:
				text = "mov %r7, 3\ncall local f\nadd %r0, %r7\nexit\nf:\n" + text
			case 2:
				text = "lddw %r1, map:a\nlddw %r2, func:cb\nmov %r3, 0\nmov %r4, 0\ncall for_each_map_elem\nmov %r0, 0\nexit\ncb:\n" +
					strings.Replace(text, "mov %r6, %r1\n", "mov %r6, %r3\n", 1)
			}
		}
		p, err := assemble(text)
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		tc := &textCase{prog: p, maps: maps, progType: pt, unprivileged: unpriv}
		b, fds, err := tc.raw(nil)
		if err != nil {
			t.Fatal(err)
		}
		got := Raw(b, pt, fds, Options{Unprivileged: unpriv, NumCPU: possibleCPUs()})
		kb, closeMaps, err := kernelCode(tc)
		if err != nil {
			t.Fatal(err)
		}
		ok, log, err := kernelLoad(pt, kb, unpriv)
		closeMaps()
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			accepted++
		} else if os.Getenv("RANDOM_DEBUG") != "" {
			_, kmsg := KernelLogInsn(strings.Split(log, "\n"))
			t.Logf("kernel: %s", kmsg)
		}
		if ok == (got == nil) {
			agree++
			continue
		}
		_, kmsg := KernelLogInsn(strings.Split(log, "\n"))
		t.Errorf("program %d (%s, unprivileged=%v): kernel accept=%v (%s), ours %s\n%s", i, progName(pt), unpriv, ok, kmsg, verdict(got), text)
	}
	t.Logf("agreement with kernel on random programs: %d/%d (%d accepted by the kernel)", agree, count, accepted)
}
