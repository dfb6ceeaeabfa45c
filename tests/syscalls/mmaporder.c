/*
 * The order of mmap's checks, as Linux makes them: the offset's alignment
 * (EINVAL), then the fd (EBADF), then the mapping type and the length
 * (EINVAL).  LTP's mmap08 maps a closed fd with a length of 0: EBADF.
 * And /dev/zero open read-only: a shared mapping of it is never writable,
 * not by mmap, not by a later mprotect (EACCES, LTP's mprotect01).
 */
#include "check.h"
#include <fcntl.h>
#include <sys/mman.h>

static long map(size_t len, int flags, int fd, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ, flags, fd, off);

	return p == MAP_FAILED ? -1 : (munmap(p, len ? len : 1), 0);
}

int main(void)
{
	int closed = open("/dev/null", O_RDONLY);

	close(closed);
	CHECK("closed fd, length 0", map(0, MAP_SHARED, closed, 0));
	CHECK("closed fd, offset 1", map(4096, MAP_SHARED, closed, 1));
	CHECK("closed fd, no mapping type", map(4096, 0, closed, 0));
	CHECK("closed fd, MAP_SHARED_VALIDATE with an unknown flag", map(4096, MAP_SHARED_VALIDATE | 0x800000, closed, 0));
	CHECK("anonymous, length 0", map(0, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK("anonymous, no mapping type", map(4096, MAP_ANONYMOUS, -1, 0));
	CHECK("anonymous, offset 1", map(4096, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1));
	{
		int z = open("/dev/zero", O_RDONLY);
		void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, z, 0), *q;

		CHECK("/dev/zero read-only, shared, PROT_READ", p == MAP_FAILED ? -1 : 0);
		CHECK("... mprotect PROT_WRITE", mprotect(p, 4096, PROT_READ | PROT_WRITE));
		CHECK("/dev/zero read-only, shared, PROT_WRITE",
		      (q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0)) == MAP_FAILED ? -1 : 0);
		CHECK("/dev/zero read-only, private, PROT_READ",
		      (q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, z, 0)) == MAP_FAILED ? -1 : 0);
		CHECK("... mprotect PROT_WRITE", mprotect(q, 4096, PROT_READ | PROT_WRITE));
	}
	return 0;
}
