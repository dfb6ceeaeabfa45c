/*
 * Linux AIO: io_setup's ring as libaio reads it (magic, head, tail),
 * reads, writes, vectors, syncs and polls submitted and reaped, eventfd
 * notification, io_cancel of a poll, timeouts, the errors io_submit gives
 * itself and those that come back in events, /proc/sys/fs/aio-nr, and
 * io_destroy.
 */
#include "check.h"
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

struct ring {
	unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
};

static long io_setup(unsigned n, aio_context_t *c) { return syscall(SYS_io_setup, n, c); }
static long io_destroy(aio_context_t c) { return syscall(SYS_io_destroy, c); }
static long io_submit(aio_context_t c, long n, struct iocb **v) { return syscall(SYS_io_submit, c, n, v); }
static long io_cancel(aio_context_t c, struct iocb *cb, struct io_event *e) { return syscall(SYS_io_cancel, c, cb, e); }
static long io_getevents(aio_context_t c, long min, long n, struct io_event *e, struct timespec *ts)
{
	return syscall(SYS_io_getevents, c, min, n, e, ts);
}

static long aio_nr(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/fs/aio-nr", O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return atol(buf);
}

static struct iocb cb_of(int op, int fd, void *buf, size_t n, long long off, uint64_t data)
{
	struct iocb cb;

	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = (uint16_t)op;
	cb.aio_fildes = (uint32_t)fd;
	cb.aio_buf = (uint64_t)(uintptr_t)buf;
	cb.aio_nbytes = n;
	cb.aio_offset = off;
	cb.aio_data = data;
	return cb;
}

static long submit1(aio_context_t ctx, struct iocb *cb)
{
	struct iocb *v[1] = {cb};

	return io_submit(ctx, 1, v);
}

/* Reaps one event (waiting up to a second) and prints it. */
static void reap1(const char *what, aio_context_t ctx, struct iocb *cb)
{
	struct io_event ev;
	struct timespec ts = {1, 0};
	long n = io_getevents(ctx, 1, 1, &ev, &ts);

	if (n != 1) {
		printf("%s: io_getevents = %ld %s\n", what, n, n < 0 ? errname(errno) : "");
		return;
	}
	printf("%s: data %llu obj_ok %d res %lld%s%s res2 %lld\n", what, (unsigned long long)ev.data,
	       ev.obj == (uint64_t)(uintptr_t)cb, (long long)ev.res, ev.res < 0 ? " " : "",
	       ev.res < 0 ? errname((int)-ev.res) : "", (long long)ev.res2);
}

static aio_context_t waited_ctx;
static long waited;

static void *waiter(void *arg)
{
	struct io_event e;

	(void)arg;
	waited = io_getevents(waited_ctx, 1, 1, &e, NULL);
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	aio_context_t ctx = 0, bad = 1;
	struct iocb cb, cb2;
	struct io_event ev[4];
	struct timespec zero = {0, 0}, shortts = {0, 50 * 1000000};
	char wbuf[8192], rbuf[8192];
	struct iovec iov[2];
	long before = aio_nr();
	int fd, pfd[2], efd;
	uint64_t cnt;
	struct ring *r;

	setvbuf(stdout, NULL, _IONBF, 0);
	CHECK("io_setup 0", io_setup(0, &ctx));
	CHECK("io_setup *ctxp != 0", io_setup(8, &bad));
	CHECK("io_setup bad ctxp", io_setup(8, (aio_context_t *)8));
	CHECK("io_setup 8", io_setup(8, &ctx));
	printf("aio-nr grew by %ld\n", aio_nr() - before);
	r = (struct ring *)ctx;
	printf("ring: id %u magic %x compat %u incompat %u header %u nr>=8 %d head %u tail %u\n", r->id, r->magic,
	       r->compat_features, r->incompat_features, r->header_length, r->nr >= 8, r->head, r->tail);
	{
		FILE *m = fopen("/proc/self/maps", "r");
		char line[512];
		int seen = 0;

		while (m && fgets(line, sizeof(line), m))
			if (strstr(line, "/[aio] (deleted)") && strtoull(line, NULL, 16) == ctx)
				seen = 1;
		printf("ring in maps: %d\n", seen);
		if (m)
			fclose(m);
	}

	fd = open("/tmp/cvt-aio", O_CREAT | O_RDWR | O_TRUNC, 0644);
	for (int i = 0; i < (int)sizeof(wbuf); i++)
		wbuf[i] = (char)('a' + i % 26);
	cb = cb_of(IOCB_CMD_PWRITE, fd, wbuf, 4096, 100, 1);
	CHECK("submit pwrite", submit1(ctx, &cb));
	printf("key after submit %u\n", cb.aio_key);
	printf("ring after completion: tail-head %u\n", (r->tail - r->head + r->nr) % r->nr);
	/* libaio's user-space shortcut: with events in the ring, a zero timeout still goes to the kernel. */
	reap1("pwrite", ctx, &cb);
	printf("ring after reap: tail==head %d\n", r->tail == r->head);
	CHECK("getevents none, zero timeout", io_getevents(ctx, 1, 4, ev, &zero));
	{
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		CHECK("getevents none, 50ms", io_getevents(ctx, 1, 4, ev, &shortts));
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("waited >= 45ms: %d\n", (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) >= 45000000L);
	}
	memset(rbuf, 0, sizeof(rbuf));
	cb = cb_of(IOCB_CMD_PREAD, fd, rbuf, 8192, 0, 2);
	CHECK("submit pread", submit1(ctx, &cb));
	reap1("pread", ctx, &cb);
	printf("read back ok: %d, hole zero: %d\n", !memcmp(rbuf + 100, wbuf, 4096), rbuf[0] == 0 && rbuf[99] == 0);

	iov[0] = (struct iovec){wbuf, 10};
	iov[1] = (struct iovec){wbuf + 20, 5};
	cb = cb_of(IOCB_CMD_PWRITEV, fd, iov, 2, 0, 3);
	CHECK("submit pwritev", submit1(ctx, &cb));
	reap1("pwritev", ctx, &cb);
	iov[0] = (struct iovec){rbuf, 3};
	iov[1] = (struct iovec){rbuf + 100, 12};
	cb = cb_of(IOCB_CMD_PREADV, fd, iov, 2, 0, 4);
	CHECK("submit preadv", submit1(ctx, &cb));
	reap1("preadv", ctx, &cb);
	printf("preadv: %.3s %.12s\n", rbuf, rbuf + 100);

	/* Two at once, reaped together. */
	cb = cb_of(IOCB_CMD_FSYNC, fd, NULL, 0, 0, 5);
	cb2 = cb_of(IOCB_CMD_FDSYNC, fd, NULL, 0, 0, 6);
	{
		struct iocb *v[2] = {&cb, &cb2};

		CHECK("submit fsync+fdsync", io_submit(ctx, 2, v));
		CHECK("getevents min 2", io_getevents(ctx, 2, 4, ev, NULL));
		printf("events: %llu res %lld, %llu res %lld\n", (unsigned long long)ev[0].data, (long long)ev[0].res,
		       (unsigned long long)ev[1].data, (long long)ev[1].res);
	}

	/* io_submit's own errors. */
	cb = cb_of(IOCB_CMD_FSYNC, fd, NULL, 1, 0, 7);
	CHECK("fsync with nbytes", submit1(ctx, &cb));
	cb = cb_of(IOCB_CMD_PREAD, 999, rbuf, 10, 0, 7);
	CHECK("pread bad fd", submit1(ctx, &cb));
	cb = cb_of(77, fd, rbuf, 10, 0, 7);
	CHECK("bad opcode", submit1(ctx, &cb));
	cb = cb_of(IOCB_CMD_PREAD, fd, rbuf, 10, 0, 7);
	cb.aio_reserved2 = 1;
	CHECK("reserved2 set", submit1(ctx, &cb));
	cb = cb_of(IOCB_CMD_PREAD, fd, rbuf, 10, -1, 7);
	CHECK("negative offset", submit1(ctx, &cb));
	cb = cb_of(IOCB_CMD_PREAD, fd, rbuf, 10, 0, 7);
	cb.aio_rw_flags = 0x10000;
	CHECK("unknown rw flag", submit1(ctx, &cb));
	{
		int wo = open("/tmp/cvt-aio", O_WRONLY);

		cb = cb_of(IOCB_CMD_PREAD, wo, rbuf, 10, 0, 7);
		CHECK("pread on O_WRONLY", submit1(ctx, &cb));
		close(wo);
	}
	cb = cb_of(IOCB_CMD_PREADV, fd, (void *)8, 2, 0, 7);
	CHECK("preadv bad iovec array", submit1(ctx, &cb));
	CHECK("submit bad ctx", submit1(bad, &cb));
	CHECK("submit nr -1", io_submit(ctx, -1, NULL));
	CHECK("submit 0", io_submit(ctx, 0, NULL));
	CHECK("submit bad array", io_submit(ctx, 1, (struct iocb **)8));
	CHECK("getevents min > nr", io_getevents(ctx, 3, 2, ev, &zero));
	CHECK("getevents min < 0", io_getevents(ctx, -1, 2, ev, &zero));
	CHECK("getevents bad ctx", io_getevents(bad, 0, 2, ev, &zero));
	CHECK("getevents bad timeout", io_getevents(ctx, 0, 2, ev, (struct timespec *)8));
	{
		struct {
			void *mask;
			size_t size;
		} us = {&(sigset_t){{0}}, 4};

		CHECK("pgetevents sigset size 4", syscall(SYS_io_pgetevents, ctx, 0, 2, ev, &zero, &us));
		us.size = 8;
		CHECK("pgetevents sigset size 8", syscall(SYS_io_pgetevents, ctx, 0, 2, ev, &zero, &us));
	}
	/* An error in the I/O itself comes back in the event. */
	cb = cb_of(IOCB_CMD_PREAD, fd, (void *)8, 10, 0, 8);
	CHECK("pread to a bad buffer", submit1(ctx, &cb));
	reap1("pread bad buffer", ctx, &cb);
	/* Events to a bad array: EFAULT, and the event stays for the next reap. */
	cb = cb_of(IOCB_CMD_PREAD, fd, rbuf, 10, 0, 9);
	CHECK("submit pread", submit1(ctx, &cb));
	CHECK("getevents to a bad array", io_getevents(ctx, 1, 1, (struct io_event *)8, &zero));
	reap1("the event kept", ctx, &cb);

	/* IOCB_FLAG_RESFD: the eventfd counts completions. */
	efd = eventfd(0, EFD_NONBLOCK);
	cb = cb_of(IOCB_CMD_PREAD, fd, rbuf, 10, 0, 10);
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = (uint32_t)efd;
	cb2 = cb;
	cb2.aio_data = 11;
	{
		struct iocb *v[2] = {&cb, &cb2};

		CHECK("submit 2 with resfd", io_submit(ctx, 2, v));
	}
	cnt = 0;
	CHECK("eventfd read", read(efd, &cnt, 8));
	printf("eventfd count %llu\n", (unsigned long long)cnt);
	CHECK("reap 2", io_getevents(ctx, 2, 4, ev, &zero));
	cb.aio_resfd = (uint32_t)fd;
	CHECK("resfd not an eventfd", submit1(ctx, &cb));

	/* Polls: at once when ready, later when the file becomes ready, cancelled. */
	if (pipe(pfd) < 0)
		return 1;
	cb = cb_of(IOCB_CMD_POLL, pfd[1], NULL, 0, 0, 12);
	cb.aio_buf = POLLOUT;
	CHECK("poll writable pipe", submit1(ctx, &cb));
	reap1("poll POLLOUT", ctx, &cb);
	cb = cb_of(IOCB_CMD_POLL, pfd[0], NULL, 0, 0, 13);
	cb.aio_buf = POLLIN;
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = (uint32_t)efd;
	CHECK("poll empty pipe", submit1(ctx, &cb));
	CHECK("nothing yet", io_getevents(ctx, 1, 1, ev, &zero));
	CHECK("eventfd not yet", read(efd, &cnt, 8));
	CHECK("write the pipe", write(pfd[1], "x", 1));
	reap1("poll POLLIN", ctx, &cb);
	CHECK("eventfd now", read(efd, &cnt, 8));
	CHECK("cancel a completed poll", io_cancel(ctx, &cb, ev));
	cb = cb_of(IOCB_CMD_POLL, pfd[1], NULL, 0, 0, 14);
	cb.aio_buf = POLLIN;
	CHECK("poll POLLIN on the write end", submit1(ctx, &cb));
	CHECK("cancel it", io_cancel(ctx, &cb, ev));
	reap1("cancelled poll", ctx, &cb);
	cb = cb_of(IOCB_CMD_POLL, pfd[0], NULL, 0, 0, 15);
	cb.aio_buf = 0x10000;
	CHECK("poll events past 16 bits", submit1(ctx, &cb));
	cb.aio_buf = POLLIN;
	cb.aio_offset = 1;
	CHECK("poll with an offset", submit1(ctx, &cb));
	cb.aio_key = 5;
	CHECK("cancel with a bad key", io_cancel(ctx, &cb, ev));

	/* A child process does not have its parent's contexts. */
	if (fork() == 0) {
		cb = cb_of(IOCB_CMD_FSYNC, fd, NULL, 0, 0, 16);
		CHECK("child: submit to parent's ctx", submit1(ctx, &cb));
		_exit(0);
	}
	wait(NULL);

	/* A reaper asleep in another thread wakes for a completion. */
	{
		pthread_t th;

		waited_ctx = ctx;
		pthread_create(&th, NULL, waiter, NULL);
		usleep(50000);
		cb = cb_of(IOCB_CMD_FSYNC, fd, NULL, 0, 0, 17);
		CHECK("submit while another thread waits", submit1(ctx, &cb));
		pthread_join(th, NULL);
		printf("the waiting thread reaped %ld\n", waited);
	}
	/* A signal ends a wait with nothing: EINTR, never restarted. */
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		ualarm(50000, 0);
		CHECK("getevents interrupted", io_getevents(ctx, 1, 1, ev, NULL));
	}

	CHECK("io_destroy", io_destroy(ctx));
	CHECK("io_destroy again", io_destroy(ctx));
	printf("aio-nr back: %d\n", aio_nr() == before);
	{
		FILE *m = fopen("/proc/self/maps", "r");
		char line[512];
		int seen = 0;

		while (m && fgets(line, sizeof(line), m))
			if (strstr(line, "[aio]"))
				seen = 1;
		printf("ring in maps after destroy: %d\n", seen);
		if (m)
			fclose(m);
	}
	return 0;
}
