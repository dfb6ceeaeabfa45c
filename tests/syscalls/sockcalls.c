/*
 * The socket calls' dispatch: socket(2)/socketpair(2) find the family
 * (unknown ones: EAFNOSUPPORT; a bad type or protocol: the family's own
 * answer), and every other socket call reaches the file's socket ops, or
 * fails with ENOTSOCK on a file that is not a socket and EBADF on no file.
 */
#include "check.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len = sizeof(sa);
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int p[2], sv[2], v = 1, fd;
	char buf[16];

	CHECK("socket(1000, STREAM)", socket(1000, SOCK_STREAM, 0));
	CHECK("socket(-1, STREAM)", socket(-1, SOCK_STREAM, 0));
	CHECK("socket(AF_UNSPEC, STREAM)", socket(AF_UNSPEC, SOCK_STREAM, 0));
	CHECK("socket(AF_UNIX, bad flag)", socket(AF_UNIX, SOCK_STREAM | 0x100000, 0));
	CHECK("socket(AF_UNIX, type 99)", socket(AF_UNIX, 99, 0));
	CHECK("socket(AF_UNIX, STREAM, proto 7)", socket(AF_UNIX, SOCK_STREAM, 7));
	CHECK("socketpair(1000, STREAM)", socketpair(1000, SOCK_STREAM, 0, sv));
	CHECK("socketpair(AF_UNIX, STREAM, proto 7)", socketpair(AF_UNIX, SOCK_STREAM, 7, sv));
	CHECK("socketpair(AF_UNIX, type 99)", socketpair(AF_UNIX, 99, 0, sv));
	fd = socket(AF_UNIX, SOCK_STREAM, PF_UNIX);
	CHECK("socket(AF_UNIX, STREAM, PF_UNIX) ok", fd >= 0);
	CHECK("getsockname unbound", getsockname(fd, (struct sockaddr *)&sa, &len));
	printf("getsockname len = %u\n", (unsigned)len);
	CHECK("getpeername unconnected", getpeername(fd, (struct sockaddr *)&sa, &len));
	close(fd);

	if (pipe(p) < 0)
		return 1;
	CHECK("bind pipe", bind(p[0], (struct sockaddr *)&sa, sizeof(sa)));
	CHECK("listen pipe", listen(p[0], 1));
	CHECK("connect pipe", connect(p[0], (struct sockaddr *)&sa, sizeof(sa)));
	CHECK("accept pipe", accept(p[0], NULL, NULL));
	CHECK("accept4 pipe", accept4(p[0], NULL, NULL, SOCK_CLOEXEC));
	CHECK("sendto pipe", sendto(p[1], "x", 1, 0, NULL, 0));
	CHECK("recvfrom pipe", recvfrom(p[0], buf, 1, MSG_DONTWAIT, NULL, NULL));
	CHECK("sendmsg pipe", sendmsg(p[1], &mh, 0));
	CHECK("recvmsg pipe", recvmsg(p[0], &mh, MSG_DONTWAIT));
	CHECK("shutdown pipe", shutdown(p[0], SHUT_RD));
	CHECK("getsockname pipe", getsockname(p[0], (struct sockaddr *)&sa, &len));
	CHECK("getpeername pipe", getpeername(p[0], (struct sockaddr *)&sa, &len));
	CHECK("getsockopt pipe", getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len));
	CHECK("setsockopt pipe", setsockopt(p[0], SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)));
	CHECK("listen bad fd", listen(999, 1));
	CHECK("shutdown bad fd", shutdown(999, SHUT_RD));
	CHECK("getsockopt bad fd", getsockopt(999, SOL_SOCKET, SO_TYPE, &v, &len));

	/* Through the ops of a real pair. */
	CHECK("socketpair(AF_UNIX, SEQPACKET)", socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	len = sizeof(v);
	CHECK("getsockopt SO_TYPE", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len));
	printf("SO_TYPE = %d\n", v);
	v = 1;
	CHECK("setsockopt SO_PASSCRED", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)));
	CHECK("send", send(sv[0], "hello", 5, 0));
	iov = (struct iovec){buf, sizeof(buf)};
	CHECK("recvmsg", recvmsg(sv[1], &mh, 0));
	CHECK("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
	CHECK("recv after peer shutdown", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("listen on a connected seqpacket", listen(sv[0], 1));
	CHECK("connect on a connected seqpacket", connect(sv[0], (struct sockaddr *)&sa, sizeof(sa.sun_family)));
	return 0;
}
