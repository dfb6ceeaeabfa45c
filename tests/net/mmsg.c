/*
 * sendmmsg and recvmmsg: batches of datagrams over UDP on loopback and a
 * unix datagram pair; each message's msg_len, the sender's address, flags,
 * MSG_WAITFORONE, MSG_DONTWAIT, the timeout (checked, and what is left
 * written back), a bad entry in the middle of a batch, vlen 0, and the
 * errors of bad fds, pointers and flags.  Natively it runs in a fresh
 * network namespace with only lo.
 */
#define _GNU_SOURCE
#include "../syscalls/check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

#define N 4

static char bufs[N][64];
static struct iovec iovs[N];
static struct sockaddr_in from[N];
static struct mmsghdr vec[N];

/* The receive vector, emptied: N buffers of 64 bytes, each with room for the sender's address. */
static void reset(void)
{
	memset(vec, 0, sizeof(vec));
	for (int i = 0; i < N; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = sizeof(bufs[i]);
		vec[i].msg_hdr.msg_iov = &iovs[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_name = &from[i];
		vec[i].msg_hdr.msg_namelen = sizeof(from[i]);
		vec[i].msg_len = 12345;
	}
}

static void show(const char *what, int n, int port)
{
	printf("%s: %d\n", what, n);
	for (int i = 0; i < n; i++)
		printf("  [%d] len %u \"%.*s\" namelen %u from port ok %d flags %#x\n", i, vec[i].msg_len,
		       (int)vec[i].msg_len, bufs[i], vec[i].msg_hdr.msg_namelen, ntohs(from[i].sin_port) == port,
		       vec[i].msg_hdr.msg_flags);
}

/* Sends the strings in msgs (count of them) to dst from s with one sendmmsg. */
static int send_batch(int s, struct sockaddr_in *dst, const char **msgs, int count)
{
	struct mmsghdr out[N];
	struct iovec io[N];
	int r;

	memset(out, 0, sizeof(out));
	for (int i = 0; i < count; i++) {
		io[i].iov_base = (void *)msgs[i];
		io[i].iov_len = strlen(msgs[i]);
		out[i].msg_hdr.msg_iov = &io[i];
		out[i].msg_hdr.msg_iovlen = 1;
		out[i].msg_hdr.msg_name = dst;
		out[i].msg_hdr.msg_namelen = dst ? sizeof(*dst) : 0;
		out[i].msg_len = 777;
	}
	r = sendmmsg(s, out, count, 0);
	if (r < 0)
		printf("sendmmsg = -1 %s\n", errname(errno));
	else
		for (int i = 0; i < count; i++)
			printf("  sent [%d] msg_len %u\n", i, out[i].msg_len);
	return r;
}

int main(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET}, b = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	const char *three[] = {"one", "two!", "three"}, *two[] = {"x", "yy"};
	struct timespec ts;
	int rx, tx, sp[2], r;

	setvbuf(stdout, NULL, _IONBF, 0);
	a.sin_addr.s_addr = b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(rx, (struct sockaddr *)&a, sizeof(a)) < 0 || bind(tx, (struct sockaddr *)&b, sizeof(b)) < 0)
		return 1;
	getsockname(rx, (struct sockaddr *)&a, &len);
	len = sizeof(b);
	getsockname(tx, (struct sockaddr *)&b, &len);

	printf("sendmmsg of three: %d\n", send_batch(tx, &a, three, 3));
	reset();
	r = recvmmsg(rx, vec, N, MSG_DONTWAIT, NULL);
	show("recvmmsg, room for four", r, ntohs(b.sin_port));
	reset();
	CHECK("recvmmsg of none, MSG_DONTWAIT", recvmmsg(rx, vec, N, MSG_DONTWAIT, NULL));

	/* MSG_WAITFORONE: waits for the first, takes what else is there, does not wait for more. */
	send_batch(tx, &a, two, 2);
	reset();
	r = recvmmsg(rx, vec, N, MSG_WAITFORONE, NULL);
	show("recvmmsg MSG_WAITFORONE", r, ntohs(b.sin_port));

	/* A batch smaller than what waits: the rest stays queued. */
	send_batch(tx, &a, three, 3);
	reset();
	r = recvmmsg(rx, vec, 2, 0, NULL);
	show("recvmmsg vlen 2 of three", r, ntohs(b.sin_port));
	reset();
	r = recvmmsg(rx, vec, N, MSG_DONTWAIT, NULL);
	show("recvmmsg the rest", r, ntohs(b.sin_port));

	/* The timeout: checked, and what is left written back after the last message. */
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000;
	CHECK("recvmmsg timeout nsec 1e9", recvmmsg(rx, vec, N, MSG_DONTWAIT, &ts));
	CHECK("recvmmsg timeout at a bad address", recvmmsg(rx, vec, N, MSG_DONTWAIT, (struct timespec *)8));
	send_batch(tx, &a, two, 2);
	ts.tv_sec = 5;
	ts.tv_nsec = 0;
	reset();
	r = recvmmsg(rx, vec, N, MSG_DONTWAIT, &ts);
	printf("recvmmsg with a timeout of 5 s: %d, left between 4 and 5 s: %d\n", r,
	       ts.tv_sec == 4 || (ts.tv_sec == 5 && ts.tv_nsec == 0));
	ts.tv_sec = 5;
	ts.tv_nsec = 0;
	r = recvmmsg(rx, vec, N, MSG_DONTWAIT, &ts);
	printf("none with a timeout: %d %s, timeout untouched: %d\n", r, r < 0 ? errname(errno) : "",
	       ts.tv_sec == 5 && ts.tv_nsec == 0);

	/* vlen 0, and the vector's and the flags' errors. */
	CHECK("sendmmsg vlen 0", sendmmsg(tx, vec, 0, 0));
	CHECK("recvmmsg vlen 0", recvmmsg(rx, vec, 0, MSG_DONTWAIT, NULL));
	CHECK("sendmmsg vlen 0 on a bad fd", sendmmsg(-1, vec, 0, 0));
	CHECK("sendmmsg on a file", sendmmsg(1, vec, 1, 0));
	CHECK("recvmmsg on a bad fd", recvmmsg(999, vec, 1, 0, NULL));
	CHECK("sendmmsg of a bad vector", sendmmsg(tx, (struct mmsghdr *)8, 1, 0));
	CHECK("recvmmsg into a bad vector", recvmmsg(rx, (struct mmsghdr *)8, 1, MSG_DONTWAIT, NULL));
	CHECK("sendmmsg with MSG_CMSG_COMPAT", syscall(SYS_sendmmsg, tx, vec, 1, 0x80000000u));
	CHECK("recvmmsg with MSG_CMSG_COMPAT", syscall(SYS_recvmmsg, rx, vec, 1, 0x80000000u, NULL));
	{
		/* The second entry's buffer is bad: the first goes, and the call says one. */
		struct mmsghdr out[2];
		struct iovec io[2] = {{(void *)"good", 4}, {(void *)8, 4}};

		memset(out, 0, sizeof(out));
		for (int i = 0; i < 2; i++) {
			out[i].msg_hdr.msg_iov = &io[i];
			out[i].msg_hdr.msg_iovlen = 1;
			out[i].msg_hdr.msg_name = &a;
			out[i].msg_hdr.msg_namelen = sizeof(a);
		}
		CHECK("sendmmsg with a bad second buffer", sendmmsg(tx, out, 2, 0));
		printf("  its msg_len: %u %u\n", out[0].msg_len, out[1].msg_len);
		reset();
		r = recvmmsg(rx, vec, N, MSG_DONTWAIT, NULL);
		show("received of it", r, ntohs(b.sin_port));
	}

	/* A unix datagram pair: no names, and a truncated message flagged. */
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) < 0)
		return 1;
	{
		const char *big[] = {"short", "a message longer than sixty-four bytes, which the receiver's buffer cuts"};

		send_batch(sp[0], NULL, big, 2);
	}
	reset();
	for (int i = 0; i < N; i++)
		vec[i].msg_hdr.msg_name = NULL;
	r = recvmmsg(sp[1], vec, N, MSG_DONTWAIT, NULL);
	printf("unix pair: %d\n", r);
	for (int i = 0; i < r; i++)
		printf("  [%d] len %u flags %#x\n", i, vec[i].msg_len, vec[i].msg_hdr.msg_flags);
	return 0;
}
