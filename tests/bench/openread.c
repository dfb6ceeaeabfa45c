/* SPDX-License-Identifier: MIT */
/*
 * openread N [PATH]: open + read + close of a small file, in ns per round.
 *
 * This is the shape of most file access by real programs (config files,
 * /proc entries): a path walk, a small read, a close.  Under a sandbox it
 * measures the VFS path walk and file setup, not bulk I/O.  PATH defaults
 * to /etc/hostname, which exists on every Debian system and is tiny.
 */
#include <fcntl.h>
#include <unistd.h>

#include "bench.h"

static const char *prog = "openread";

/* Every round must read the same, non-zero number of bytes. */
static void round_n(const char *path, long n, ssize_t want)
{
	char buf[4096];
	ssize_t got;
	long i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			bench_die(prog, path);
		got = read(fd, buf, sizeof(buf));
		if (got < 0)
			bench_die(prog, "read");
		if (got != want) {
			fprintf(stderr, "%s: read %zd bytes of %s, expected %zd\n",
				prog, got, path, want);
			exit(1);
		}
		if (close(fd))
			bench_die(prog, "close");
	}
}

int main(int argc, char **argv)
{
	const char *path = "/etc/hostname";
	char buf[4096];
	uint64_t t0, t1;
	ssize_t want;
	long n;
	int fd;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s ITERATIONS [PATH]\n", prog);
		return 2;
	}
	n = bench_count(prog, argv[1]);
	if (argc == 3)
		path = argv[2];

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bench_die(prog, path);
	want = read(fd, buf, sizeof(buf));
	if (want <= 0) {
		fprintf(stderr, "%s: %s is empty or unreadable\n", prog, path);
		return 1;
	}
	close(fd);

	/* Warm up: dentry and page caches, the sandbox's own caches too. */
	round_n(path, n / 10 + 1, want);

	t0 = bench_now_ns(prog);
	round_n(path, n, want);
	t1 = bench_now_ns(prog);

	printf("%.1f\n", (double)(t1 - t0) / n);
	return 0;
}
