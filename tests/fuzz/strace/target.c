/*
 * Fuzz target: the --strace decoder (syscalls/strace.c) on any system call
 * number, any six arguments, any result and any guest memory.
 *
 * Input: nr (8 bytes), six arguments (8 each), ret (8), then the guest
 * memory, which the stubs below show at GUEST_BASE; every other address is
 * unreadable, as a bad pointer is.  The checks beyond the sanitizers: each
 * line is written whole, ends in one newline, holds no NUL and fits the
 * 1 KiB strace.h promises.
 *
 * links: syscalls/strace.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/host/host.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscalls/strace.h"

#define GUEST_BASE 0x10000ULL

static const uint8_t *guest;
static size_t guest_len;

/*
 * Stubs: guest memory is the fuzzer's bytes, and the one host call strace
 * makes is checked instead of made.  mm.c itself would drag in the memory
 * file and the platform, which have nothing to do with decoding.
 */
long mm_copy_in(struct mm *mm, void *dst, gva_t src, size_t len)
{
	(void)mm;
	if (src < GUEST_BASE || src - GUEST_BASE > guest_len || len > guest_len - (src - GUEST_BASE))
		return -EFAULT;
	memcpy(dst, guest + (src - GUEST_BASE), len);
	return 0;
}

long mm_strncpy_in(struct mm *mm, char *dst, gva_t src, size_t max)
{
	size_t i;

	(void)mm;
	for (i = 0; i < max; i++) {
		if (src + i < GUEST_BASE || src + i - GUEST_BASE >= guest_len)
			return -EFAULT;
		dst[i] = (char)guest[src + i - GUEST_BASE];
		if (!dst[i])
			return (long)i;
	}
	return -ENAMETOOLONG;
}

long host_write(int fd, const void *buf, size_t len)
{
	const char *s = buf;

	(void)fd;
	if (len == 0 || len > 1024 || s[len - 1] != '\n' || memchr(s, '\n', len) != s + len - 1 || memchr(s, 0, len))
		abort();
	return (long)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct task *t;
	static struct mm *fake_mm;
	uint64_t w[8];

	if (!t) {
		t = calloc(1, sizeof(*t));
		fake_mm = calloc(1, 64); /* only compared with NULL by strace.c */
		t->tid = 1;
		t->mm = fake_mm;
		strace_fd = 1;
	}
	if (size < sizeof(w))
		return 0;
	memcpy(w, data, sizeof(w));
	guest = data + sizeof(w);
	guest_len = size - sizeof(w);
	/* Numbers past the table and the x32 bit are as hostile as any. */
	strace_enter(t, (long)w[0], &w[1]);
	strace_exit(t, (long)w[0], &w[1], (long)w[7]);
	return 0;
}
