/* Memory: brk, mmap/munmap/mprotect/mremap/madvise, file mappings, shared and private. */
#include "check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

int main(void)
{
	char *p, *q, *cur;
	uint64_t sum = 0;
	size_t i;
	int fd;

	/* No stdio buffer on the heap: the brk checks below move the break both ways. */
	setvbuf(stdout, NULL, _IONBF, 0);
	cur = sbrk(0);
	CHECK("brk grow", brk(cur + 65536));
	cur[65535] = 1;
	CHECK("brk shrink", brk(cur + 4096));
	p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap anon", p == MAP_FAILED ? -1 : 0);
	printf("anon zero %d\n", p[0] == 0 && p[3 * 4096 - 1] == 0);
	memset(p, 'x', 3 * 4096);
	CHECK("munmap middle", munmap(p + 4096, 4096));
	printf("ends kept %c %c\n", p[0], p[2 * 4096]);
	CHECK("mprotect read-only", mprotect(p, 4096, PROT_READ));
	printf("read after mprotect %c\n", p[10]);
	CHECK("mmap fixed over hole", mmap(p + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == p + 4096);
	printf("fixed page zero %d\n", p[4096] == 0);
	q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(q, "keep me");
	q = mremap(q, 4096, 16 * 4096, MREMAP_MAYMOVE);
	CHECK("mremap grow", q == MAP_FAILED ? -1 : 0);
	printf("mremap kept '%s'\n", q);
	q[15 * 4096] = 1;
	CHECK("madvise dontneed", madvise(q, 16 * 4096, MADV_DONTNEED));
	printf("after dontneed '%s'\n", q);
	/* 64 MiB touched page by page. */
	p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < (64 << 20); i += 4096)
		p[i] = (char)(i >> 12);
	for (i = 0; i < (64 << 20); i += 4096)
		sum += (unsigned char)p[i];
	printf("64M sum %lu\n", (unsigned long)sum);
	munmap(p, 64 << 20);

	/* File mappings. */
	fd = open("/tmp/cvt-mapped", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "file contents here", 18);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("private map sees '%.13s'\n", p);
	p[0] = 'F';
	{
		char buf[20] = {0};

		pread(fd, buf, 4, 0);
		printf("file after private write '%.4s'\n", buf);
	}
	q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q[0] = 'S';
	{
		char buf[20] = {0};

		pread(fd, buf, 4, 0);
		printf("file after shared write '%.4s'\n", buf);
	}
	pwrite(fd, "W", 1, 1);
	printf("shared map sees write '%c'\n", q[1]);
	CHECK("mprotect write on read-only shared", mprotect(mmap(NULL, 4096, PROT_READ, MAP_SHARED, open("/tmp/cvt-mapped", O_RDONLY), 0), 4096, PROT_WRITE));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK("shared anon", p == MAP_FAILED ? -1 : 0);
	return 0;
}
