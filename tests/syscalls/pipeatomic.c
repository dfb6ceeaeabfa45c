/*
 * Writes of at most PIPE_BUF bytes to a pipe are atomic: three writers of
 * 1000 lines each into one pipe (by write, and by writev of three pieces),
 * and the reader sees whole lines only.
 * A nonblocking small write that does not fit writes nothing (EAGAIN).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS 3
#define LINES 1000
#define LINE 100

static void writer(int fd, int id)
{
	char line[LINE];
	int i;

	memset(line, 'a' + id, sizeof(line));
	line[LINE - 1] = '\n';
	for (i = 0; i < LINES; i++) {
		struct iovec v[3] = {{line, 10}, {line + 10, 50}, {line + 60, LINE - 60}};

		if ((id == 0 ? write(fd, line, sizeof(line)) : writev(fd, v, 3)) != LINE)
			_exit(1);
	}
	_exit(0);
}

int main(void)
{
	int p[2], i, torn = 0, counts[WRITERS] = {0}, status, bad = 0;
	char line[LINE], buf[333];
	size_t fill = 0;
	ssize_t n;

	if (pipe(p) < 0)
		return 1;
	for (i = 0; i < WRITERS; i++) {
		if (fork() == 0) {
			close(p[0]);
			writer(p[1], i);
		}
	}
	close(p[1]);
	usleep(100000); /* let the writers fill the pipe and wait for room */
	/* Read in odd sizes, so lines cross the reads. */
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		ssize_t k;

		for (k = 0; k < n; k++) {
			line[fill++] = buf[k];
			if (fill < LINE)
				continue;
			fill = 0;
			if (line[LINE - 1] != '\n' || line[0] < 'a' || line[0] >= 'a' + WRITERS ||
			    memchr(line, line[0], LINE - 1) == NULL) {
				torn++;
				continue;
			}
			for (i = 1; i < LINE - 1 && line[i] == line[0]; i++)
				;
			if (i < LINE - 1)
				torn++;
			else
				counts[line[0] - 'a']++;
		}
	}
	for (i = 0; i < WRITERS; i++) {
		wait(&status);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	for (i = 0; i < WRITERS; i++)
		printf("writer %d: %d whole lines\n", i, counts[i]);
	printf("torn lines: %d, leftover bytes: %zu, writers failed: %d\n", torn, fill, bad);

	/* A full pipe: a nonblocking small write gives EAGAIN and writes nothing. */
	if (pipe(p) < 0)
		return 1;
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	{
		static char big[PIPE_BUF];
		size_t total = 0;

		while ((n = write(p[1], big, sizeof(big))) > 0)
			total += (size_t)n;
		printf("filled %zu bytes, then: %s\n", total, strerror(errno));
		n = write(p[1], "x", 1);
		printf("write 1 into a full pipe: %zd %s\n", n, n < 0 ? strerror(errno) : "");
		n = read(p[0], big, 10);
		n = write(p[1], big, PIPE_BUF);
		printf("write PIPE_BUF after reading 10: %zd %s\n", n, n < 0 ? strerror(errno) : "");
	}
	{
		/* A gathered writev of one byte writes it once (a count of 1 once meant "write piece by piece"). */
		struct iovec one[2] = {{"a", 1}, {"", 0}};
		char back[8];
		int p[2];

		if (pipe(p) == 0) {
			printf("writev of 1 + 0 bytes: %zd\n", writev(p[1], one, 2));
			close(p[1]);
			printf("read back: %zd\n", read(p[0], back, sizeof(back)));
			close(p[0]);
		}
	}
	return 0;
}
