/*
 * The vDSO's data page (Linux calls its own the vvar page): what the vDSO's
 * functions need to tell the time without a system call.  The sentry writes
 * it (sentry/vdso/vdso.c); every process maps it read-only just below the
 * vDSO's code, which finds it at a fixed distance before its ELF header.
 *
 * The clocks are one straight line in the TSC:
 *     CLOCK_MONOTONIC = mono_ns + ((tsc - tsc_base) * mult >> VDSO_MULT_SHIFT)
 *     CLOCK_REALTIME  = CLOCK_MONOTONIC + real_off_ns
 * and the sentry's own clock_gettime answers from the same line, so a program
 * that mixes the vDSO with the system call never sees time go backwards.
 *
 * Sequence protocol: the writer makes seq odd, changes the fields, makes seq
 * even again.  A reader takes seq, retries while it is odd, reads the fields
 * and the TSC, and retries if seq changed meanwhile.  tsc_ok == 0 means
 * "ask the sentry" (the TSC is unusable, or not calibrated yet).
 *
 * This header is compiled into both the sentry and the vDSO image: plain C
 * types only, no sentry headers.
 */
#pragma once

#include <stdint.h>

#define VDSO_MULT_SHIFT 32

struct vdso_data {
	uint32_t seq;
	uint32_t tsc_ok;
	uint64_t tsc_base;
	uint64_t mult;        /* ns per TSC tick, << VDSO_MULT_SHIFT */
	int64_t mono_ns;      /* the sandbox's CLOCK_MONOTONIC at tsc_base */
	int64_t real_off_ns;  /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint32_t cpu, node;   /* what getcpu(2) answers in the sandbox */
};

/* Which line a clock id reads, as the sentry's clock_gettime maps them; -1: not served from the page. */
static inline int vdso_clock_base(int clk)
{
	switch (clk) {
	case 0:  /* CLOCK_REALTIME */
	case 5:  /* CLOCK_REALTIME_COARSE */
	case 11: /* CLOCK_TAI */
		return 0;
	case 1:  /* CLOCK_MONOTONIC */
	case 4:  /* CLOCK_MONOTONIC_RAW */
	case 6:  /* CLOCK_MONOTONIC_COARSE */
	case 7:  /* CLOCK_BOOTTIME */
		return 1;
	}
	return -1;
}

/* Resolution of a clock the page serves, in ns (clock_getres). */
static inline long vdso_clock_res_ns(int clk)
{
	return clk == 5 || clk == 6 ? 4000000 : 1;
}

static inline uint64_t vdso_rdtsc_ordered(void)
{
	uint32_t lo, hi;

	/*
	 * The TSC is read after the loads before it and before the ones after
	 * it (the closing look at seq), not speculated past either.
	 */
	__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/*
 * One consistent reading of the line for clock base (0 realtime, 1
 * monotonic), in ns; 0 on success, -1 when the page says to ask the sentry.
 */
static inline int vdso_data_read(const volatile struct vdso_data *d, int base, int64_t *ns)
{
	uint64_t tsc, tsc_base, mult, delta;
	int64_t mono, off;
	uint32_t seq;

	for (;;) {
		seq = d->seq;
		if (seq & 1) {
			__asm__ __volatile__("pause" ::: "memory");
			continue;
		}
		__asm__ __volatile__("" ::: "memory");
		if (!d->tsc_ok)
			return -1;
		tsc_base = d->tsc_base;
		mult = d->mult;
		mono = d->mono_ns;
		off = d->real_off_ns;
		tsc = vdso_rdtsc_ordered();
		__asm__ __volatile__("" ::: "memory");
		if (d->seq == seq)
			break;
	}
	/* A TSC a little behind the writer's (another CPU, or read early) counts as the base itself. */
	delta = tsc > tsc_base ? tsc - tsc_base : 0;
	*ns = mono + (int64_t)(((unsigned __int128)delta * mult) >> VDSO_MULT_SHIFT) + (base == 0 ? off : 0);
	return 0;
}
