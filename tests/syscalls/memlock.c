/*
 * mlock, mlock2, munlock, mlockall, munlockall: arguments, RLIMIT_MEMLOCK
 * for a user without CAP_IPC_LOCK (ENOMEM, EPERM at 0), what VmLck in
 * /proc/self/status and Locked in smaps show, locks not inherited by a
 * fork child; and mincore only answering for mapped ranges.
 */
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE 4096UL

static long vmlck(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* The Locked line of the smaps block of the mapping at p. */
static long smaps_locked(void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi;
	long kb = -1;
	int in = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = lo <= (unsigned long)p && (unsigned long)p < hi;
		else if (in && sscanf(line, "Locked: %ld kB", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	return kb;
}

int main(void)
{
	char *p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char vec[32];
	int st;
	pid_t pid;

	munmap(none + 2 * PAGE, PAGE); /* a hole after two PROT_NONE pages, and one more page */
	printf("VmLck at start: %ld\n", vmlck());
	CHECK("mlock(4 pages)", mlock(p, 4 * PAGE));
	printf("VmLck: %ld, Locked: %ld\n", vmlck(), smaps_locked(p));
	CHECK("mlock(unaligned, 1 byte over a page edge)", mlock(p + 4 * PAGE - 1, 2));
	printf("VmLck: %ld\n", vmlck());
	CHECK("mlock(again, overlapping)", mlock(p, 6 * PAGE));
	printf("VmLck: %ld\n", vmlck());
	CHECK("mlock(PROT_NONE mapping)", mlock(none, 2 * PAGE));
	printf("VmLck: %ld\n", vmlck());
	CHECK("mlock(len 0)", mlock(p, 0));
	CHECK("mlock(over a hole)", mlock(none + PAGE, 3 * PAGE));
	printf("VmLck: %ld\n", vmlck());
	CHECK("mlock(starting in the hole)", mlock(none + 2 * PAGE, 2 * PAGE));
	printf("VmLck: %ld\n", vmlck());
	CHECK("mlock(wraps)", mlock(p, (size_t)-PAGE));
	CHECK("mlock2(MLOCK_ONFAULT)", mlock2(p + 8 * PAGE, PAGE, MLOCK_ONFAULT));
	CHECK("mlock2(flags 2)", mlock2(p, PAGE, 2));
	printf("VmLck: %ld\n", vmlck());
	CHECK("munlock(middle page)", munlock(p + 2 * PAGE, PAGE));
	printf("VmLck: %ld\n", vmlck());
	CHECK("munlock(over a hole)", munlock(none + PAGE, 3 * PAGE));
	printf("VmLck: %ld\n", vmlck());
	CHECK("munlock(starting in the hole)", munlock(none + 2 * PAGE, 2 * PAGE));
	CHECK("munlock(wraps)", munlock(p, (size_t)-PAGE));
	CHECK("munlock(not locked)", munlock(p + 12 * PAGE, PAGE));

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child VmLck: %ld\n", vmlck());
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);

	CHECK("munlockall", munlockall());
	printf("VmLck after munlockall: %ld\n", vmlck());
	CHECK("mlockall(0)", mlockall(0));
	CHECK("mlockall(MCL_ONFAULT)", mlockall(MCL_ONFAULT));
	CHECK("mlockall(8)", mlockall(8));
	CHECK("mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
	{
		char *q = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		printf("VmLck after a new mapping with MCL_FUTURE: %ld\n", vmlck());
		munmap(q, 3 * PAGE);
	}
	CHECK("munlockall", munlockall());
	printf("VmLck: %ld\n", vmlck());

	/* Without CAP_IPC_LOCK: RLIMIT_MEMLOCK. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {8 * PAGE, 8 * PAGE};

		setrlimit(RLIMIT_MEMLOCK, &rl);
		if (setgid(1000) < 0 || setuid(1000) < 0)
			_exit(1);
		CHECK("user: mlock(8 pages)", mlock(p, 8 * PAGE));
		CHECK("user: mlock(9 pages)", mlock(p, 9 * PAGE));
		CHECK("user: mlock(the same 8 again)", mlock(p, 8 * PAGE));
		CHECK("user: mlock(one more page)", mlock(p + 8 * PAGE, PAGE));
		CHECK("user: mlockall(MCL_CURRENT)", mlockall(MCL_CURRENT));
		CHECK("user: mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
		CHECK("user: munlockall", munlockall());
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_MEMLOCK, &rl);
		CHECK("user: mlock with RLIMIT_MEMLOCK 0", mlock(p, PAGE));
		CHECK("user: mlockall with RLIMIT_MEMLOCK 0", mlockall(MCL_CURRENT));
		CHECK("user: munlock with RLIMIT_MEMLOCK 0", munlock(p, PAGE));
		_exit(0);
	}
	waitpid(pid, &st, 0);

	/* mincore: ENOMEM past the mapping, never a write past the vector. */
	memset(vec, 0x55, sizeof(vec));
	CHECK("mincore(4 pages)", mincore(p, 4 * PAGE, vec));
	printf("vec[4] untouched: %d\n", vec[4] == 0x55);
	CHECK("mincore(into the hole)", mincore(none, 4 * PAGE, vec));
	CHECK("mincore(huge length)", mincore(p, (size_t)1 << 46, vec));
	CHECK("mincore(unaligned)", mincore(p + 1, PAGE, vec));
	printf("vec[5] untouched: %d\n", vec[5] == 0x55);
	return 0;
}
