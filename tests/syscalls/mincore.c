/*
 * mincore: every page of the range must be mapped (ENOMEM for a hole, an
 * unmapped range or one past user space), before the vector is written
 * (EFAULT).  stress-ng's mincore stressor found the sentry answering 0 for
 * unmapped memory.
 */
#include "check.h"

#include <sys/mman.h>
#include <sys/syscall.h>

int main(void)
{
	unsigned char vec[8];
	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return 1;
	munmap(m + 4096, 4096);
	CHECK("mincore(first page)", syscall(SYS_mincore, m, 4096, vec));
	CHECK("mincore(last page)", syscall(SYS_mincore, m + 8192, 100, vec));
	CHECK("mincore(across the hole)", syscall(SYS_mincore, m, 3 * 4096, vec));
	CHECK("mincore(the hole)", syscall(SYS_mincore, m + 4096, 4096, vec));
	CHECK("mincore(length 0 at the hole)", syscall(SYS_mincore, m + 4096, 0, vec));
	CHECK("mincore(unaligned)", syscall(SYS_mincore, m + 1, 4096, vec));
	CHECK("mincore(kernel address)", syscall(SYS_mincore, 0xffff800000000000UL, 4096, vec));
	CHECK("mincore(mapped, vector NULL)", syscall(SYS_mincore, m, 4096, NULL));
	CHECK("mincore(huge length)", syscall(SYS_mincore, m, 1UL << 62, vec));
	return 0;
}
