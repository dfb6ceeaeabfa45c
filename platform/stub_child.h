/*
 * The steps every new stub process takes alike (ptrace's and systrap's), in
 * the child host_fork_stub() made, before its own filter: raw system calls
 * only, as glibc's wrappers and their thread state are the sentry's.  Each
 * platform's stub_child() calls them in its own order, between its own
 * steps.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>

#include "../sentry/host/host.h"
#include "stub_mm.h"

#define RAW(nr, a, b, c, d, e, f) host_raw_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/*
 * glibc registered an rseq area for the forking thread; the kernel would
 * touch it (and fault, killing the stub) once the sentry's memory is gone.
 */
static inline void stub_child_drop_rseq(void)
{
	if (__rseq_size)
		RAW(SYS_rseq, (char *)__builtin_thread_pointer() + __rseq_offset, __rseq_size < 32 ? 32 : __rseq_size,
		    1 /* RSEQ_FLAG_UNREGISTER */, 0x53053053 /* RSEQ_SIG on x86 */, 0, 0);
}

/*
 * size bytes of fresh memory at va, read-write, holding the stub's code
 * (start to end): 0, or -1 if va could not be had.  The caller makes it
 * executable once all it puts there is in.
 */
static inline int stub_child_code(uint64_t va, uint64_t size, const char *start, const char *end)
{
	size_t i;

	if (RAW(SYS_mmap, va, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) !=
	    (long)va)
		return -1;
	for (i = 0; i < (size_t)(end - start); i++)
		((volatile char *)va)[i] = start[i];
	return 0;
}

/*
 * Keeps only the memory file, which the stub needs for its mmaps, and the
 * stubs' end of the file socket (stub_mm.h), which goes to fd at: 0, or -1.
 */
static inline int stub_child_keep_only(int memfd, int sock, int at)
{
	int lo = memfd < at ? memfd : at, hi = memfd < at ? at : memfd;

	if (memfd == at || (sock != at && RAW(SYS_dup3, sock, at, 0, 0, 0, 0) < 0))
		return -1;
	if (lo > 0)
		RAW(SYS_close_range, 0, lo - 1, 0, 0, 0, 0);
	if (hi > lo + 1)
		RAW(SYS_close_range, lo + 1, hi - 1, 0, 0, 0, 0);
	RAW(SYS_close_range, hi + 1, ~0U, 0, 0, 0, 0);
	return 0;
}

/* No privileges to gain from here on, and the stub's own filter (n rules): 0, or -1. */
static inline int stub_child_confine(const struct sock_filter *filter, size_t n)
{
	struct sock_fprog prog = {
		.len = (unsigned short)n,
		.filter = (struct sock_filter *)filter,
	};

	if (RAW(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) < 0)
		return -1;
	if (RAW(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog, 0, 0, 0) < 0)
		return -1;
	return 0;
}
