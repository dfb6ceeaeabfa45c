/*
 * SO_LINGER 0 (or unread data) on a close after the socket's own FIN went:
 * the connection is aborted with a reset as Linux's tcp_close and
 * tcp_disconnect do (FIN_WAIT2 always; CLOSING and LAST_ACK only with
 * something unsent), so the peer's next send or receive sees ECONNRESET
 * at once instead of talking to an orphan.  Natively it runs in a fresh
 * network namespace with only lo.
 */
#include "../syscalls/check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	a->sin_family = AF_INET;
	a->sin_port = 0;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)a, sizeof(*a)) < 0 || listen(l, 4) < 0 || getsockname(l, (struct sockaddr *)a, &len) < 0)
		return -1;
	return l;
}

/* A connected pair: *c the client, the accepted end returned. */
static int pair(int l, const struct sockaddr_in *a, int *c)
{
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*c, (const struct sockaddr *)a, sizeof(*a)) < 0)
		return -1;
	return accept(l, NULL, NULL);
}

static void peer_sees(const char *what, int s)
{
	struct pollfd p = {.fd = s, .events = POLLIN | POLLOUT};
	char b[8];
	ssize_t r;

	poll(&p, 1, 1000);
	printf("%s: revents%s%s%s\n", what, p.revents & POLLERR ? " ERR" : "", p.revents & POLLHUP ? " HUP" : "",
	       p.revents & POLLIN ? " IN" : "");
	r = send(s, "x", 1, MSG_NOSIGNAL);
	printf("  send: %zd %s\n", r, r < 0 ? errname(errno) : "");
	r = recv(s, b, sizeof(b), MSG_DONTWAIT);
	printf("  recv: %zd %s\n", r, r < 0 ? errname(errno) : "");
}

int main(void)
{
	struct linger zero = {1, 0};
	struct sockaddr_in a;
	int l = listener(&a), c, s;
	char b[8];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (l < 0)
		return 1;

	/* FIN_WAIT2: the client's FIN acknowledged, then closed with SO_LINGER 0. */
	s = pair(l, &a, &c);
	CHECK("client shutdown(SHUT_WR)", shutdown(c, SHUT_WR));
	CHECK("server reads the end", recv(s, b, sizeof(b), 0));
	CHECK("SO_LINGER 0", setsockopt(c, SOL_SOCKET, SO_LINGER, &zero, sizeof(zero)));
	close(c);
	peer_sees("after a FIN_WAIT2 close with SO_LINGER 0", s);
	close(s);

	/* FIN_WAIT2 with data the client never read: aborted without SO_LINGER. */
	s = pair(l, &a, &c);
	CHECK("client shutdown(SHUT_WR)", shutdown(c, SHUT_WR));
	CHECK("server reads the end", recv(s, b, sizeof(b), 0));
	CHECK("server sends 3 bytes the client leaves unread", send(s, "abc", 3, 0));
	{
		struct pollfd p = {.fd = c, .events = POLLIN};

		poll(&p, 1, 1000);
	}
	close(c);
	peer_sees("after a FIN_WAIT2 close with unread data", s);
	close(s);

	/* LAST_ACK... is the server's state after its own close: the client's side here is CLOSE_WAIT, closed plainly. */
	s = pair(l, &a, &c);
	close(c);
	CHECK("server reads the end", recv(s, b, sizeof(b), 0));
	peer_sees("after a plain close (the client's FIN only)", s);
	close(s);
	return 0;
}
