/*
 * Private mappings of the image's read-only files, which systrap maps from
 * the host's page cache (mm.h, VMA_HOSTMAP): whatever changes a mapping as
 * a whole must take the host's mapping with it.  Each check reads or
 * writes through the mapping and says what came back, natively and in the
 * sandbox alike: a host mapping left behind by mprotect, munmap, MAP_FIXED
 * or mremap reads the file where Linux faults or reads zeros; one a write
 * reached would change the file for every other process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL

static sigjmp_buf jb;
static volatile int got_sig, got_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	siglongjmp(jb, 1);
}

/* What reading the byte at p does: "the byte X", or the signal and its code. */
static const char *probe(volatile const unsigned char *p)
{
	static char buf[64];

	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		unsigned char c = *p;

		snprintf(buf, sizeof(buf), "byte %02x", c);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s code %d", got_sig == SIGSEGV ? "SIGSEGV" : got_sig == SIGBUS ? "SIGBUS" : "signal",
		 got_code);
	return buf;
}

static uint64_t sum(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* The file's own bytes at off, by read: the reference for every mapping below. */
static uint64_t file_sum(int fd, off_t off, size_t n)
{
	static unsigned char buf[1 << 16];
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, off + (off_t)got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return sum(buf, got);
}

/* A fresh private mapping of 16 pages of fd from page first, which nothing has touched yet. */
static unsigned char *fresh(int fd, int prot, unsigned first)
{
	unsigned char *m = mmap(NULL, 16 * PAGE, prot, MAP_PRIVATE, fd, (off_t)(first * PAGE));

	if (m == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		_exit(2);
	}
	return m;
}

int main(void)
{
	const char *lib = "/usr/lib/x86_64-linux-gnu/libc.so.6", *small = "/etc/debian_version";
	struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER};
	int fd = open(lib, O_RDONLY), sfd = open(small, O_RDONLY), p[2], st, r;
	unsigned char *ro, *rw, *m, *q, buf[PAGE];
	struct stat sst;
	pid_t c;

	setvbuf(stdout, NULL, _IONBF, 0);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (fd < 0 || sfd < 0 || fstat(sfd, &sst) < 0 || pipe(p) < 0) {
		printf("setup: %s\n", strerror(errno));
		return 1;
	}

	/* Read-only: every page as the file has it. */
	ro = fresh(fd, PROT_READ, 0);
	printf("read-only private mapping reads the file: %d\n", sum(ro, 16 * PAGE) == file_sum(fd, 0, 16 * PAGE));

	/* Writable: a write stays in this mapping; the other mapping and the file keep their bytes. */
	rw = fresh(fd, PROT_READ | PROT_WRITE, 0);
	rw[5 * PAGE + 7] ^= 0xff;
	rw[0] ^= 0xff;
	printf("a write stays private: the other mapping %d, the file %d, the page written %d, the rest %d\n",
	       sum(ro, 16 * PAGE) == file_sum(fd, 0, 16 * PAGE), file_sum(fd, 0, 16 * PAGE) == sum(ro, 16 * PAGE),
	       rw[5 * PAGE + 7] != ro[5 * PAGE + 7], sum(rw + 6 * PAGE, 10 * PAGE) == file_sum(fd, 6 * PAGE, 10 * PAGE));

	/* System calls read and write through them. */
	m = fresh(fd, PROT_READ, 0);
	r = (int)write(p[1], m + 3 * PAGE, PAGE);
	printf("write(2) from an untouched page: %d; read back equal: %d\n", r,
	       read(p[0], buf, PAGE) == (ssize_t)PAGE && !memcmp(buf, m + 3 * PAGE, PAGE));
	memset(buf, 0x5a, sizeof(buf));
	if (write(p[1], buf, PAGE) != (ssize_t)PAGE)
		return 4;
	r = (int)read(p[0], rw + 8 * PAGE, PAGE);
	printf("read(2) into the writable mapping: %d; holds it %d; the other does not %d\n", r,
	       rw[8 * PAGE + 100] == 0x5a, ro[8 * PAGE + 100] != 0x5a || file_sum(fd, 8 * PAGE, PAGE) == sum(ro + 8 * PAGE, PAGE));

	/* mprotect takes the whole range, untouched pages included. */
	m = fresh(fd, PROT_READ, 16);
	r = mprotect(m + 2 * PAGE, 4 * PAGE, PROT_NONE);
	printf("mprotect PROT_NONE: %d; an untouched page in it: %s; ", r, probe(m + 3 * PAGE));
	printf("one after it: %s\n", probe(m + 6 * PAGE));
	r = mprotect(m + 2 * PAGE, 4 * PAGE, PROT_READ);
	printf("mprotect back to PROT_READ: %d; the file again: %d\n", r,
	       sum(m, 16 * PAGE) == file_sum(fd, 16 * PAGE, 16 * PAGE));
	m = fresh(fd, PROT_READ, 32);
	r = mprotect(m + 10 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE);
	m[10 * PAGE + 1] ^= 0x55;
	printf("mprotect PROT_WRITE: %d; a write there is private %d, its neighbour the file's %d, the file kept %d\n", r,
	       sum(m + 10 * PAGE, PAGE) != file_sum(fd, 42 * PAGE, PAGE),
	       sum(m + 11 * PAGE, PAGE) == file_sum(fd, 43 * PAGE, PAGE), sum(ro, PAGE) == file_sum(fd, 0, PAGE));

	/* munmap and MAP_FIXED: nothing of the file stays where they took it. */
	m = fresh(fd, PROT_READ, 48);
	r = munmap(m + 12 * PAGE, PAGE);
	printf("munmap an untouched page: %d; reading it: %s\n", r, probe(m + 12 * PAGE));
	q = mmap(m + 13 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("anonymous MAP_FIXED over another: %s\n", q == MAP_FAILED ? strerror(errno) : probe(q + 9));

	/* MADV_DONTNEED: the written page is the file's again. */
	r = madvise(rw + 5 * PAGE, PAGE, MADV_DONTNEED);
	printf("madvise DONTNEED: %d; the written page is the file's again: %d\n", r,
	       sum(rw + 5 * PAGE, PAGE) == file_sum(fd, 5 * PAGE, PAGE));

	/* fork: the child reads the file and the parent's write; its own write stays its own. */
	m = fresh(fd, PROT_READ | PROT_WRITE, 64);
	m[0] ^= 0xff;
	c = fork();
	if (c == 0) {
		int ok = sum(m + PAGE, 15 * PAGE) == file_sum(fd, 65 * PAGE, 15 * PAGE) &&
			 sum(m, PAGE) != file_sum(fd, 64 * PAGE, PAGE);

		m[PAGE] ^= 0x33;
		_exit(ok ? 0 : 1);
	}
	waitpid(c, &st, 0);
	printf("a child reads the same: %d; its write stays its own: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       sum(m + PAGE, PAGE) == file_sum(fd, 65 * PAGE, PAGE));

	/* mremap: moved, the bytes go with it and the old place is empty. */
	q = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* a place of its own to go to */
	if (q == MAP_FAILED)
		return 6;
	q = mremap(m, 16 * PAGE, 16 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	printf("mremap moved: %d; ", q != MAP_FAILED && q != m);
	printf("the old place: %s; ", probe(m + 7 * PAGE));
	printf("the new reads the file %d and the write %d\n",
	       q != MAP_FAILED && sum(q + 6 * PAGE, 2 * PAGE) == file_sum(fd, 70 * PAGE, 2 * PAGE),
	       q != MAP_FAILED && sum(q, PAGE) != file_sum(fd, 64 * PAGE, PAGE));

	/* Past the end of a small file: the rest of its last page is zero, the pages after it SIGBUS. */
	q = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* room to grow into */
	if (q == MAP_FAILED || mmap(q, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, sfd, 0) != q ||
	    munmap(q + 3 * PAGE, PAGE) < 0)
		return 5;
	printf("small file: its bytes %d; ", sum(q, (size_t)sst.st_size) == file_sum(sfd, 0, (size_t)sst.st_size));
	printf("past its end in its page: %s; ", probe(q + sst.st_size + 1));
	printf("the page after: %s\n", probe(q + 2 * PAGE));
	r = mremap(q, 3 * PAGE, 4 * PAGE, 0) == q;
	printf("mremap grows it in place: %d; the new page: %s\n", r, probe(q + 3 * PAGE + 5));

	/*
	 * A write to the small file's page in a writable private mapping: the
	 * copy it gets holds the file's bytes and zeros past its end; the page
	 * after is past the file, where a write is SIGBUS too.
	 */
	q = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, sfd, 0);
	if (q == MAP_FAILED)
		return 6;
	((volatile unsigned char *)q)[0] ^= 0x55;
	((volatile unsigned char *)q)[0] ^= 0x55;
	printf("a write in the small file's page: its bytes %d, ", sum(q, (size_t)sst.st_size) == file_sum(sfd, 0, (size_t)sst.st_size));
	printf("past its end: %s; ", probe(q + sst.st_size + 1));
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0)
		((volatile unsigned char *)q)[PAGE + 1] = 1;
	printf("a write to the page after: %s\n", got_sig == SIGBUS ? "SIGBUS" : got_sig ? "another signal" : "no signal");

	/* Writes here and there in a library's writable mapping: each page the file's but the bytes written. */
	m = fresh(fd, PROT_READ | PROT_WRITE, 100);
	((volatile unsigned char *)m)[5 * PAGE + 7] ^= 0xff;
	((volatile unsigned char *)m)[13 * PAGE + 9] ^= 0xff;
	r = sum(m, 5 * PAGE) == file_sum(fd, 100 * PAGE, 5 * PAGE) &&
	    sum(m + 6 * PAGE, 7 * PAGE) == file_sum(fd, 106 * PAGE, 7 * PAGE) &&
	    sum(m + 14 * PAGE, 2 * PAGE) == file_sum(fd, 114 * PAGE, 2 * PAGE);
	((volatile unsigned char *)m)[5 * PAGE + 7] ^= 0xff;
	((volatile unsigned char *)m)[13 * PAGE + 9] ^= 0xff;
	printf("writes in a library's pages: the pages around them the file's %d, the written ones the file's once undone %d\n",
	       r, sum(m, 16 * PAGE) == file_sum(fd, 100 * PAGE, 16 * PAGE));

	/* mlock brings every page in: still the file's. */
	m = fresh(fd, PROT_READ, 80);
	r = mlock(m, 16 * PAGE);
	printf("mlock: %d; the file still: %d\n", r, sum(m, 16 * PAGE) == file_sum(fd, 80 * PAGE, 16 * PAGE));
	return 0;
}
