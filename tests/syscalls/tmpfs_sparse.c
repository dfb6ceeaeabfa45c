/*
 * tmpfs files are sparse: a byte written or allocated at 16 TiB costs a page,
 * SEEK_DATA/SEEK_HOLE find it, and truncating frees it.  cvisor's tmpfs once
 * kept a flat table of every page up to the highest (gigabytes for this
 * file: stress-ng's fsize stressor ran the sentry out of the host's memory).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char *what, int fd)
{
	struct stat st;

	fstat(fd, &st);
	printf("%s: size %lld blocks %lld data %lld hole %lld\n", what, (long long)st.st_size, (long long)st.st_blocks,
	       (long long)lseek(fd, 0, SEEK_DATA), (long long)lseek(fd, 0, SEEK_HOLE));
}

int main(void)
{
	const off_t far = 1LL << 44;
	const char *paths[] = {"/tmp/cvt-sparse", "/dev/shm/cvt-sparse"};
	char c = 0;
	ssize_t n;
	unsigned i;

	for (i = 0; i < 2; i++) {
		int fd = open(paths[i], O_RDWR | O_CREAT | O_TRUNC, 0600);

		if (fd < 0) {
			perror(paths[i]);
			continue;
		}
		printf("%s\n", paths[i]);
		printf("pwrite at 16 TiB: %zd\n", pwrite(fd, "x", 1, far + 5));
		report("after pwrite", fd);
		n = pread(fd, &c, 1, far + 5);
		printf("read back: %zd '%c'\n", n, c);
		printf("data from 16 TiB - 1: %lld\n", (long long)lseek(fd, far - 1, SEEK_DATA));
		printf("hole from 16 TiB: %lld\n", (long long)lseek(fd, far, SEEK_HOLE));
		printf("fallocate at 32 TiB: %d\n", fallocate(fd, 0, 2 * far, 1));
		report("after fallocate", fd);
		printf("ftruncate to 1 TiB: %d\n", ftruncate(fd, 1LL << 40));
		report("after ftruncate", fd);
		close(fd);
		unlink(paths[i]);
	}
	return 0;
}
