// loop calls getppid(2) N times (argv[1], default 2,000,000) and prints
// the time each call took on average, in nanoseconds: the wall-clock time,
// then the CPU time the loop used (user and system), which other
// processes on a busy machine disturb less. It is the traced program of
// tests/bench/events.sh.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	struct timespec a, b, ca, cb;
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid); // not glibc's getppid(), which a libc could cache
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	double cpu = (cb.tv_sec - ca.tv_sec) * 1e9 + (cb.tv_nsec - ca.tv_nsec);
	printf("%.0f %.0f\n", ns / n, cpu / n);
	return 0;
}
