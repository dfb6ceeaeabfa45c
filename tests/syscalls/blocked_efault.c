/*
 * A read that blocks, and whose buffer another thread unmaps before the data
 * comes, fails with EFAULT (Linux copies when the data is there, not before),
 * and the data stays for the next reader.  cvisor once pinned the buffer
 * before sleeping and wrote into memory-file pages already freed.
 *
 * With the argument "stdin" it reads fd 0 instead, which tests/stdio/run.sh
 * makes a host pipe that gets "hello" after a second (cvisor's host stdio).
 */
#include "check.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>

static char *buf;
static int rfd, wfd;

static void *unmap_then_write(void *arg)
{
	struct timespec ts = {0, 300 * 1000 * 1000};

	(void)arg;
	nanosleep(&ts, NULL); /* the reader is blocked by then (if not, it faults at once: the same result) */
	munmap(buf, 4096);
	if (wfd >= 0 && write(wfd, "hello", 5) != 5)
		perror("write");
	return NULL;
}

static void one(const char *what, int r, int w, int use_recv)
{
	pthread_t th;
	char got[16] = {0};
	char line[64];

	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rfd = r;
	wfd = w;
	pthread_create(&th, NULL, unmap_then_write, NULL);
	snprintf(line, sizeof(line), "%s into a buffer unmapped while blocked", what);
	if (use_recv)
		CHECK(line, recv(r, buf, 16, 0));
	else
		CHECK(line, read(r, buf, 16));
	pthread_join(th, NULL);
	if (!use_recv) {
		snprintf(line, sizeof(line), "%s again", what);
		CHECK(line, read(r, got, sizeof(got)));
		printf("data = %s\n", got);
	}
	close(r);
	if (w >= 0)
		close(w);
}

int main(int argc, char **argv)
{
	int p[2], sv[2];

	alarm(10); /* a reader that took the data into freed memory waits for more forever */
	if (argc > 1 && !strcmp(argv[1], "stdin")) {
		one("stdin read", 0, -1, 0);
		return 0;
	}

	CHECK("pipe", pipe(p));
	one("pipe read", p[0], p[1], 0);
	CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	one("unix read", sv[0], sv[1], 0);
	CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	one("unix recv", sv[0], sv[1], 1);
	return 0;
}
