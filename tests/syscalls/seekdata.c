/*
 * lseek's SEEK_DATA and SEEK_HOLE on sparse files: on tmpfs (/tmp) and in
 * the working directory (the host's disk natively, the overlay's upper
 * layer in the sandbox).  Holes and data are whole 4 KiB blocks (pages) on
 * both.  With an argument, prints the map of that existing file (the
 * gofer's files, in tests/gofer/run.sh).
 */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>

#define K 1024

/* The file's data extents, found by alternating SEEK_DATA and SEEK_HOLE. */
static void map(const char *what, int fd)
{
	off_t pos = 0, d, h;

	printf("%s:", what);
	for (;;) {
		d = lseek(fd, pos, SEEK_DATA);
		if (d < 0) {
			printf(" (then %s)", errname(errno));
			break;
		}
		h = lseek(fd, d, SEEK_HOLE);
		if (h < 0) {
			printf(" hole after %ld: %s", (long)d, errname(errno));
			break;
		}
		printf(" data %ld-%ld", (long)d, (long)h);
		pos = h;
	}
	printf("\n");
}

static void edges(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);

	CHECK("  SEEK_DATA from 0", lseek(fd, 0, SEEK_DATA));
	CHECK("  SEEK_HOLE from 0", lseek(fd, 0, SEEK_HOLE));
	CHECK("  SEEK_DATA inside the first data", lseek(fd, 64 * K + 5, SEEK_DATA));
	CHECK("  SEEK_HOLE inside the first data", lseek(fd, 64 * K + 5, SEEK_HOLE));
	CHECK("  the position after SEEK_HOLE", lseek(fd, 0, SEEK_CUR));
	CHECK("  SEEK_DATA at the size", lseek(fd, size, SEEK_DATA));
	CHECK("  SEEK_HOLE at the size", lseek(fd, size, SEEK_HOLE));
	CHECK("  SEEK_HOLE one before the size", lseek(fd, size - 1, SEEK_HOLE));
	CHECK("  SEEK_DATA from -1", lseek(fd, -1, SEEK_DATA));
}

static void sparse(const char *what, const char *path)
{
	char buf[8 * K];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		printf("%s: open = -1 %s\n", what, errname(errno));
		return;
	}
	memset(buf, 'x', sizeof(buf));
	printf("== %s\n", what);
	CHECK("  ftruncate 1 MiB", ftruncate(fd, 1024 * K));
	map("  empty", fd);
	CHECK("  pwrite 10 at 64 KiB", pwrite(fd, buf, 10, 64 * K));
	CHECK("  pwrite 8 KiB at 512 KiB", pwrite(fd, buf, 8 * K, 512 * K));
	map("  two extents", fd);
	edges(fd);
	CHECK("  pwrite 100 at 1 MiB - 100", pwrite(fd, buf, 100, 1024 * K - 100));
	map("  data at the end", fd);
	CHECK("  SEEK_HOLE one before the size", lseek(fd, 1024 * K - 1, SEEK_HOLE));
	CHECK("  ftruncate 1 MiB + 5", ftruncate(fd, 1024 * K + 5));
	map("  grown by 5", fd);
	CHECK("  ftruncate 600 KiB", ftruncate(fd, 600 * K));
	map("  cut to 600 KiB", fd);
	CHECK("  ftruncate 0", ftruncate(fd, 0));
	CHECK("  SEEK_DATA of an empty file", lseek(fd, 0, SEEK_DATA));
	CHECK("  SEEK_HOLE of an empty file", lseek(fd, 0, SEEK_HOLE));
	CHECK("  pwrite 3", pwrite(fd, buf, 3, 0));
	map("  3 bytes", fd);
	close(fd);
	unlink(path);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		int fd = open(argv[1], O_RDONLY);

		if (fd < 0) {
			printf("%s: open = -1 %s\n", argv[1], errname(errno));
			return 1;
		}
		map(argv[1], fd);
		edges(fd);
		return 0;
	}
	sparse("tmpfs", "/tmp/cvt-sparse");
	sparse("the working directory", "cvt-sparse");
	{
		int p[2];

		if (pipe(p) == 0)
			CHECK("SEEK_DATA on a pipe", lseek(p[0], 0, SEEK_DATA));
	}
	return 0;
}
