/*
 * prog: the test program of the probes package (uprobes and USDT).
 *
 *   prog N    calls gt_add N times and fires the USDT probe gotrace:tick
 *             (arguments: the loop index and a string) at each call.
 *
 * Rebuild with: gcc -O1 -fno-inline -o prog prog.c
 * The .note.stapsdt entry is written by hand (no <sys/sdt.h> needed):
 * a note of type 3 named "stapsdt" holding the probe's address, the
 * address of the .stapsdt.base section, the semaphore address, then
 * provider, name and argument strings.
 */
#include <stdlib.h>

unsigned short gotrace_tick_semaphore __attribute__((section(".probes"))) = 0;

__attribute__((noinline)) int gt_add(int a, int b)
{
	return a + b;
}

static const char label[] = "tick";

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int sum = 0;
	for (int i = 0; i < n; i++) {
		sum = gt_add(sum, i);
		__asm__ __volatile__(
			"990: nop\n"
			".pushsection .note.stapsdt,\"?\",\"note\"\n"
			".balign 4\n"
			".4byte 992f-991f, 994f-993f, 3\n"
			"991: .asciz \"stapsdt\"\n"
			"992: .balign 4\n"
			"993: .8byte 990b\n"
			".8byte _.stapsdt.base\n"
			".8byte gotrace_tick_semaphore\n"
			".asciz \"gotrace\"\n"
			".asciz \"tick\"\n"
			".asciz \"-4@%0 8@%1\"\n"
			"994: .balign 4\n"
			".popsection\n"
			".ifndef _.stapsdt.base\n"
			".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n"
			".weak _.stapsdt.base\n"
			".hidden _.stapsdt.base\n"
			"_.stapsdt.base: .space 1\n"
			".size _.stapsdt.base, 1\n"
			".popsection\n"
			".endif\n"
			: : "nor"(i), "nor"(label));
	}
	return sum == -1;
}
