/* helpers.h: small things shared by the sample's functions. */
#ifndef HELPERS_H
#define HELPERS_H

#define MAX_NAME 16
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DEBUG 0

#if DEBUG
#define dbg(fmt, ...) bpf_printk(fmt, ##__VA_ARGS__)
#else
#define dbg(fmt, ...) ((void)0)
#endif

enum verdict {
	V_PASS = 0,
	V_DROP,
	V_COUNT = 1 << 4,
};

struct name_scan {
	const char *name;
	__u32 len;
	__u32 dots;
	int last_slash;
};

#endif /* HELPERS_H */
