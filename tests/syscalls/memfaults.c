/*
 * What a bad access does: SIGSEGV with SEGV_MAPERR for an unmapped page,
 * SEGV_ACCERR for a write to a read-only page or a read of PROT_NONE,
 * SIGBUS past the end of a mapped file, and si_addr the faulting address.
 * Caught with a handler and left with siglongjmp, so one run sees them all.
 */
#include "check.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#define PAGE 4096UL

static sigjmp_buf back;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(back, 1);
}

/* Touches ADDR (a write if WRITE) and prints what happened. */
static void touch(const char *what, volatile char *addr, int write)
{
	got_sig = 0;
	if (sigsetjmp(back, 1) == 0) {
		if (write)
			*addr = 1;
		else
			(void)*addr;
		printf("%s: no fault\n", what);
		return;
	}
	printf("%s: SIG%s %s, si_addr %s\n", what, sigabbrev_np(got_sig),
	       got_sig == SIGBUS ? (got_code == BUS_ADRERR ? "BUS_ADRERR" : "other code") :
	       got_code == SEGV_MAPERR ? "SEGV_MAPERR" : got_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other code",
	       got_addr == (void *)addr ? "exact" : "wrong");
}

int main(void)
{
	struct sigaction sa = {0};
	char *p, *f;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + PAGE, PAGE);
	touch("read of an unmapped page", p + PAGE + 8, 0);
	touch("write to an unmapped page", p + PAGE + 8, 1);
	touch("write next to it", p + 2 * PAGE, 1);
	mprotect(p, PAGE, PROT_READ);
	touch("read of a read-only page", p + 5, 0);
	touch("write to a read-only page", p + 5, 1);
	mprotect(p, PAGE, PROT_NONE);
	touch("read of a PROT_NONE page", p + 5, 0);
	mprotect(p, PAGE, PROT_READ | PROT_WRITE);
	touch("write after mprotect back", p + 5, 1);
	touch("NULL", NULL, 0);
	touch("kernel address", (char *)0xffff800000000000UL, 0);

	/* A file of 100 bytes mapped for two pages. */
	fd = open("/tmp/cvt-short", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "short", 5);
	ftruncate(fd, 100);
	f = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	touch("file, inside the last page", f + 200, 0);
	printf("the rest of the last page reads zero %d\n", f[PAGE - 1] == 0);
	touch("file, past the last page", f + PAGE + 10, 0);
	ftruncate(fd, 2 * PAGE);
	touch("file, after it grew", f + PAGE + 10, 1);
	ftruncate(fd, 10);
	touch("file, after it shrank", f + PAGE + 10, 0);
	printf("still alive\n");
	return 0;
}
