/* SPDX-License-Identifier: MIT */
/*
 * File-system figures, one number per run (see run.sh):
 *   fsbench N stat PATH      ns per stat(2) of a deep path
 *   fsbench N readdir DIR    ns per listing of a large directory (open, getdents64 to the end, close)
 *   fsbench MIB write DIR    MB/s writing MIB MiB to DIR/fsbench.tmp, then removing it
 *   fsbench MIB read FILE    MB/s reading the first MIB MiB of FILE
 *   fsbench MIB readback DIR MB/s reading back MIB MiB just written (untimed) to DIR/fsbench.tmp
 *   fsbench 1 untar TAR DIR  ms for `tar xf TAR` into a new directory under DIR (removed after, untimed)
 *   fsbench MIB pipe         MB/s through a pipe between two processes
 * (The count first, as the harness passes it.)
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static char buf[1 << 20];

/* Runs argv to its end; dies unless it exits 0. */
static void run(const char *p, char *const *argv)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		bench_die(p, "fork");
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		bench_die(p, argv[0]);
}

static void write_file(const char *p, const char *path, long mib)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	long i;

	if (fd < 0)
		bench_die(p, "open");
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < mib; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			bench_die(p, "write");
	if (fsync(fd))
		bench_die(p, "fsync");
	close(fd);
}

static double mbs(uint64_t bytes, uint64_t ns)
{
	return (double)bytes / (1024.0 * 1024.0) / ((double)ns / 1e9);
}

/* Reads mib MiB from fd and prints the rate in MB/s. */
static void read_timed(const char *p, int fd, long mib)
{
	uint64_t t0 = bench_now_ns(p);
	long i;

	for (i = 0; i < mib; i++)
		if (read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			bench_die(p, "read");
	printf("%.0f\n", mbs((uint64_t)mib << 20, bench_now_ns(p) - t0));
}

int main(int argc, char **argv)
{
	const char *p = argv[0];
	long n, i;
	uint64_t t0;

	if (argc < 3)
		return 2;
	n = bench_count(p, argv[1]);
	argv[1] = argv[2]; /* from here on argv[1] is the mode, argv[3] the path */
	if (!strcmp(argv[1], "stat") && argc > 3) {
		struct stat st;

		t0 = bench_now_ns(p);
		for (i = 0; i < n; i++)
			if (stat(argv[3], &st))
				bench_die(p, "stat");
		printf("%.0f\n", (double)(bench_now_ns(p) - t0) / (double)n);
	} else if (!strcmp(argv[1], "readdir") && argc > 3) {
		t0 = bench_now_ns(p);
		for (i = 0; i < n; i++) {
			int fd = open(argv[3], O_RDONLY | O_DIRECTORY);
			long r;

			if (fd < 0)
				bench_die(p, "open");
			while ((r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
				;
			if (r < 0)
				bench_die(p, "getdents64");
			close(fd);
		}
		printf("%.0f\n", (double)(bench_now_ns(p) - t0) / (double)n);
	} else if (!strcmp(argv[1], "write") && argc > 3) {
		char path[4096];
		int fd;

		snprintf(path, sizeof(path), "%s/fsbench.tmp", argv[3]);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			bench_die(p, "open");
		memset(buf, 'x', sizeof(buf));
		t0 = bench_now_ns(p);
		for (i = 0; i < n; i++)
			if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				bench_die(p, "write");
		if (fsync(fd))
			bench_die(p, "fsync");
		printf("%.0f\n", mbs((uint64_t)n << 20, bench_now_ns(p) - t0));
		close(fd);
		unlink(path);
	} else if (!strcmp(argv[1], "read") && argc > 3) {
		int fd = open(argv[3], O_RDONLY);

		if (fd < 0)
			bench_die(p, "open");
		read_timed(p, fd, n);
		close(fd);
	} else if (!strcmp(argv[1], "readback") && argc > 3) {
		char path[4096];
		int fd;

		snprintf(path, sizeof(path), "%s/fsbench.tmp", argv[3]);
		write_file(p, path, n);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			bench_die(p, "open");
		read_timed(p, fd, n);
		close(fd);
		unlink(path);
	} else if (!strcmp(argv[1], "untar") && argc > 4) {
		char dir[4096];
		char *mk[] = {"mkdir", "-p", dir, NULL}, *rm[] = {"rm", "-rf", dir, NULL};
		char *tar[] = {"tar", "xf", argv[3], "-C", dir, NULL};

		snprintf(dir, sizeof(dir), "%s/fsbench-untar.%d", argv[4], (int)getpid());
		run(p, mk);
		t0 = bench_now_ns(p);
		run(p, tar);
		printf("%.2f\n", (double)(bench_now_ns(p) - t0) / 1e6);
		run(p, rm);
	} else if (!strcmp(argv[1], "pipe")) {
		int fds[2], st;
		pid_t pid;

		if (pipe(fds))
			bench_die(p, "pipe");
		pid = fork();
		if (pid < 0)
			bench_die(p, "fork");
		if (pid == 0) {
			uint64_t left = (uint64_t)n << 20;

			close(fds[1]);
			while (left) {
				ssize_t r = read(fds[0], buf, sizeof(buf));

				if (r <= 0)
					_exit(1);
				left -= (uint64_t)r;
			}
			_exit(0);
		}
		close(fds[0]);
		t0 = bench_now_ns(p);
		for (i = 0; i < n; i++) {
			size_t off = 0;

			while (off < sizeof(buf)) {
				ssize_t w = write(fds[1], buf + off, sizeof(buf) - off);

				if (w <= 0)
					bench_die(p, "write");
				off += (size_t)w;
			}
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			bench_die(p, "reader");
		printf("%.0f\n", mbs((uint64_t)n << 20, bench_now_ns(p) - t0));
	} else {
		return 2;
	}
	return 0;
}
