// A library of helpers a gotrace script imports. It is written the way
// libbpf programs are, without being one.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "helpers.h"
#include "helpers.h" /* a second time: read once */

#define CALLBACK_DONE 1
#define CALLBACK_MORE 0

/* kfuncs the kernel may or may not have */
extern int bpf_x(int a, ...) __ksym __weak;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

typedef unsigned long long counter_t;

struct range {
	__u64 lo, hi;
	unsigned int inclusive : 1, : 7, kind : 8;
	union {
		__u32 flags;
		struct {
			__u16 low_flags;
			__u16 high_flags;
		};
	};
} __attribute__((aligned(8)));

static const struct range default_ranges[] = {
	[0] = { .lo = 0, .hi = 1023, .inclusive = 1 },
	[1] = { .lo = 1024, .hi = ~0ULL, .kind = 2, .flags = 0x10 },
	{ 7, 9 },
};

struct sum_ctx {
	const __u64 *vals;
	__u32 n;
	counter_t sum;
	counter_t (*weigh)(__u64 v);
};

static __always_inline counter_t identity(__u64 v)
{
	return v;
}

/* bpf_loop callback: one element per call */
static int sum_cb(__u32 i, void *data)
{
	struct sum_ctx *ctx = data;

	if (i >= ctx->n)
		return CALLBACK_DONE;
	ctx->sum += ctx->weigh ? ctx->weigh(ctx->vals[i]) : ctx->vals[i];
	return CALLBACK_MORE;
}

__noinline counter_t sum(const __u64 *vals, __u32 n)
{
	struct sum_ctx ctx = {
		.vals = vals,
		.n = n,
		.sum = 0,
		.weigh = identity,
	};

	bpf_loop(n, sum_cb, &ctx, 0);
	return ctx.sum;
}

/* A loop over a char array, with a callback context. */
static int scan_cb(__u32 i, struct name_scan *s)
{
	char c;

	if (i >= s->len || i >= MAX_NAME)
		return 1;
	c = s->name[i];
	switch (c) {
	case '\0':
		return 1;
	case '.':
		s->dots++;
		break;
	case '/':
	case '\\':
		s->last_slash = (int)i;
		break;
	default:
		if (c >= 'A' && c <= 'Z')
			dbg("upper %c at %u", c, i);
		break;
	}
	return 0;
}

int count_dots(const char name[MAX_NAME])
{
	struct name_scan s = { .name = name, .len = MAX_NAME, .last_slash = -1 };
	int i;

	for (i = 0; i < MAX_NAME; i++) {
		if (name[i] == 0)
			break;
	}
	s.len = i;
	bpf_loop(MAX_NAME, (void *)scan_cb, &s, 0);
	return s.dots;
}

__u32 classify(__u64 v)
{
	unsigned long n = ARRAY_SIZE(default_ranges);
	__u32 k;

	for (k = 0; k < n; ++k) {
		const struct range *r = &default_ranges[k];
		if (v >= r->lo && (r->inclusive ? v <= r->hi : v < r->hi))
			return k;
	}
	return V_DROP | V_COUNT;
}

int task_has_pid(struct task_struct *task, pid_t pid)
{
	struct task_struct *t;
	int ret = 0;

	if (!bpf_ksym_exists(bpf_task_acquire))
		return -1;
	t = bpf_task_acquire(task);
	if (!t)
		goto out;
	ret = BPF_CORE_READ(t, pid) == pid;
	bpf_task_release(t);
out:
	return ret;
}

long parse_dec(const char *s, int len)
{
	long v = 0;
	int i = 0, neg = s[0] == '-';

	do {
		char c = s[i + neg];
		if (c < '0' || c > '9')
			break;
		v = v * 10 + (c - '0');
	} while (++i < len && i < 20);
	return neg ? -v : v;
}

unsigned int field_offset(void)
{
	return offsetof(struct range, high_flags) + __builtin_offsetof(struct sum_ctx, vals) +
	       sizeof(struct range) + _Alignof(struct range) + sizeof default_ranges[0];
}
