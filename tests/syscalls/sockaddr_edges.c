/*
 * Addresses at the edges of the socket calls, on loopback only: a TCP
 * connect to the wildcard reaches this host (Linux's route output), a
 * stream socket's recvfrom names no sender and so leaves a bad address
 * buffer alone, a negative length is EINVAL before anything is copied,
 * getsockname with a NULL buffer or length is EFAULT, and TCP's error
 * queue is empty (EAGAIN).  From LTP's connect01, recv01, recvfrom01,
 * recvmsg01, getsockname01 and getpeername01.
 */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, peer;
	socklen_t alen = sizeof(a), plen;
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s;
	char buf[16];
	int32_t neg = -1;
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr mh = {.msg_name = &peer, .msg_iov = &iov, .msg_iovlen = 1};

	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 4) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0)
		return 1;
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	CHECK("connect to 0.0.0.0", connect(c, (struct sockaddr *)&a, sizeof(a)));
	plen = sizeof(peer);
	CHECK("getpeername", getpeername(c, (struct sockaddr *)&peer, &plen));
	printf("peer is 127.0.0.1 = %d\n", peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	s = accept4(l, NULL, NULL, SOCK_NONBLOCK); /* no hang where the connect failed */
	CHECK("accept", s >= 0);
	CHECK("send 4", send(s, "abcd", 4, 0));
	CHECK("send 4 more", send(s, "efgh", 4, 0));
	CHECK("recv MSG_ERRQUEUE", recv(c, buf, sizeof(buf), MSG_ERRQUEUE | MSG_DONTWAIT));
	plen = sizeof(peer);
	CHECK("recvfrom, a bad address buffer", recvfrom(c, buf, 4, MSG_DONTWAIT, (struct sockaddr *)-1, &plen));
	CHECK("its length, a stream's", plen);
	CHECK("recvfrom, length -1", recvfrom(c, buf, 4, MSG_DONTWAIT, (struct sockaddr *)&peer, (socklen_t *)&neg));
	mh.msg_namelen = (socklen_t)-1;
	CHECK("recvmsg, namelen -1", recvmsg(c, &mh, MSG_DONTWAIT));
	CHECK("recv the rest", recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	plen = sizeof(peer);
	CHECK("getsockname, NULL buffer", getsockname(c, NULL, &plen));
	CHECK("getsockname, NULL length", getsockname(c, (struct sockaddr *)&peer, NULL));
	CHECK("getpeername, length -1", getpeername(c, (struct sockaddr *)&peer, (socklen_t *)&neg));
	return 0;
}
