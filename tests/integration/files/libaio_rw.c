/*
 * Debian's libaio against the kernel's AIO: io_queue_init, writes and reads
 * through io_submit, io_getevents with a zero timeout (which libaio answers
 * in user space from the ring's head and tail when the ring is empty),
 * eventfd notification, io_queue_release.
 */
#include <libaio.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int main(void)
{
	io_context_t ctx = 0;
	struct iocb cbs[4], *v[4];
	struct io_event ev[4];
	struct timespec zero = {0, 0};
	char w[4][512], r[4][512];
	int fd = open("/tmp/cvt-libaio", O_CREAT | O_RDWR | O_TRUNC, 0644), efd = eventfd(0, 0), i, n;
	unsigned long long cnt = 0;

	printf("io_queue_init %d\n", io_queue_init(32, &ctx));
	printf("empty ring, zero timeout: %d\n", io_getevents(ctx, 0, 4, ev, &zero));
	for (i = 0; i < 4; i++) {
		memset(w[i], 'a' + i, sizeof(w[i]));
		io_prep_pwrite(&cbs[i], fd, w[i], sizeof(w[i]), i * 512);
		io_set_eventfd(&cbs[i], efd);
		cbs[i].data = (void *)(long)(i + 1);
		v[i] = &cbs[i];
	}
	printf("io_submit %d\n", io_submit(ctx, 4, v));
	n = (int)read(efd, &cnt, 8);
	printf("eventfd read %d count %llu\n", n, cnt);
	n = io_getevents(ctx, 4, 4, ev, NULL);
	printf("io_getevents %d\n", n);
	for (i = 0; i < n; i++)
		printf("  data %ld res %ld\n", (long)ev[i].data, (long)ev[i].res);
	for (i = 0; i < 4; i++) {
		io_prep_pread(&cbs[i], fd, r[i], sizeof(r[i]), i * 512);
		v[i] = &cbs[i];
	}
	printf("io_submit reads %d\n", io_submit(ctx, 4, v));
	n = io_getevents(ctx, 1, 4, ev, NULL);
	printf("reaped %d, each res 512: %d\n", n, n > 0 && ev[0].res == 512);
	printf("data back: %d\n", !memcmp(r, w, sizeof(r)));
	printf("io_queue_release %d\n", io_queue_release(ctx));
	return 0;
}
