/*
 * Network namespaces: what unshare(CLONE_NEWNET), clone(CLONE_NEWNET) and
 * setns(2) give a program.  A new namespace has only lo, down, with no
 * address (SIOCGIFFLAGS, a netlink dump); IPv4 binds succeed in it before
 * its first address (Linux has no FIB table yet) and fail after, IPv6's
 * fail; a listener in one namespace is not reachable from another; one port
 * is bound in two namespaces at once; a socket keeps the namespace it was
 * made in after its task moves (setns); /proc/net/tcp and /proc/PID/net
 * show each namespace's own sockets; each namespace has its own inode;
 * abstract AF_UNIX names are per namespace too.
 *
 * The program unshares a network namespace of its own before anything
 * else, natively as in the sandbox, so the native run never touches the
 * host's network; it uses loopback and 198.18.0.0/15 only.
 */
#include "../syscalls/check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <linux/sched.h>
#include <sys/wait.h>

#define PORT 47011

static void lo_flags(const char *where)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		printf("%s: SIOCGIFFLAGS lo: %s\n", where, errname(errno));
	else
		printf("%s: lo flags %#x\n", where, ifr.ifr_flags & (IFF_UP | IFF_RUNNING | IFF_LOOPBACK));
	close(s);
}

static void lo_up(void)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	strcpy(ifr.ifr_name, "lo");
	ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	CHECK("SIOCSIFFLAGS lo up", ioctl(s, SIOCSIFFLAGS, &ifr));
	close(s);
}

/* The number of messages of type want a dump of type req answers (links or addresses). */
static int dump_count(int req, int want)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg m;
	} q = {{sizeof(q), (unsigned short)req, NLM_F_REQUEST | NLM_F_DUMP, 1, 0}, {0}};
	char buf[16384];
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), n = 0;

	if (s < 0 || send(s, &q, sizeof(q), 0) < 0)
		return -1;
	for (;;) {
		ssize_t len = recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len <= 0)
			break;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				close(s);
				return n;
			}
			if (h->nlmsg_type == want)
				n++;
		}
	}
	close(s);
	return -1;
}

static void links_addrs(const char *where)
{
	printf("%s: %d links, %d addresses\n", where, dump_count(RTM_GETLINK, RTM_NEWLINK),
	       dump_count(RTM_GETADDR, RTM_NEWADDR));
}

static int tcp_socket(void)
{
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static struct sockaddr_in v4(const char *a, int port)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

	inet_pton(AF_INET, a, &in.sin_addr);
	return in;
}

static int bind_to(int s, const char *a, int port)
{
	struct sockaddr_in in = v4(a, port);

	return bind(s, (struct sockaddr *)&in, sizeof(in));
}

static int connect_to(int s, const char *a, int port)
{
	struct sockaddr_in in = v4(a, port);

	return connect(s, (struct sockaddr *)&in, sizeof(in));
}

static void bind_tries(const char *where)
{
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	char what[128];
	int s;

	s = tcp_socket();
	snprintf(what, sizeof(what), "%s: bind tcp 127.0.0.1", where);
	CHECK(what, bind_to(s, "127.0.0.1", 0));
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(what, sizeof(what), "%s: bind udp 198.18.0.1", where);
	CHECK(what, bind_to(s, "198.18.0.1", 0));
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	snprintf(what, sizeof(what), "%s: bind tcp6 ::1", where);
	CHECK(what, bind(s, (struct sockaddr *)&in6, sizeof(in6)));
	close(s);
	s = tcp_socket();
	snprintf(what, sizeof(what), "%s: connect 127.0.0.1", where);
	CHECK(what, connect_to(s, "127.0.0.1", PORT));
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	in6.sin6_port = htons(PORT);
	snprintf(what, sizeof(what), "%s: connect ::1", where);
	CHECK(what, connect(s, (struct sockaddr *)&in6, sizeof(in6)));
	close(s);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* path's sockets, sorted, each as its addresses (ports: P for PORT, E for another) and state. */
static void tcp_table(const char *path, const char *name)
{
	char line[512], *rows[64];
	int n = 0, i;
	FILE *f = fopen(path, "r");

	printf("-- %s\n", name);
	if (!f) {
		printf("open: %s\n", errname(errno));
		return;
	}
	fgets(line, sizeof(line), f);
	while (n < 64 && fgets(line, sizeof(line), f)) {
		char la[64], ra[64], st[8], out[160];
		unsigned lp, rp;

		if (sscanf(line, "%*s %63[0-9A-F]:%x %63[0-9A-F]:%x %7s", la, &lp, ra, &rp, st) != 5)
			continue;
		snprintf(out, sizeof(out), "%s:%s %s:%s %s", la, lp == PORT ? "P" : "E", ra,
			 rp == PORT ? "P" : rp ? "E" : "0", st);
		rows[n++] = strdup(out);
	}
	fclose(f);
	qsort(rows, (size_t)n, sizeof(rows[0]), cmp);
	for (i = 0; i < n; i++) {
		printf("%s\n", rows[i]);
		free(rows[i]);
	}
}

/* An AF_UNIX stream socket and the abstract name "\0cvisor-netns-test". */
static int unix_abstract(struct sockaddr_un *un, socklen_t *len)
{
	static const char name[] = "cvisor-netns-test";

	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path + 1, name, sizeof(name) - 1);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof(name));
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static ino_t self_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;
}

/* A child in a namespace of its own (clone with CLONE_NEWNET): what it sees, and what its parent sees of it. */
static void clone_child(ino_t a, ino_t b)
{
	int go[2], ready[2], st;
	char c = 0, path[64];
	pid_t pid;

	if (pipe(go) || pipe(ready))
		return;
	fflush(stdout);
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		ino_t me = self_ino();
		int l;

		printf("child: namespace is new: %s\n", me != a && me != b && me ? "yes" : "no");
		lo_flags("child");
		links_addrs("child");
		lo_up();
		l = tcp_socket();
		bind_to(l, "127.0.0.1", PORT);
		listen(l, 1);
		printf("child: listening\n");
		fflush(stdout);
		write(ready[1], &c, 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	if (pid < 0) {
		printf("clone(CLONE_NEWNET): %s\n", errname(errno));
		return;
	}
	read(ready[0], &c, 1);
	snprintf(path, sizeof(path), "/proc/%d/net/tcp", pid);
	tcp_table(path, "the child's /proc/PID/net/tcp");
	tcp_table("/proc/net/tcp", "our /proc/net/tcp (B)");
	write(go[1], &c, 1);
	waitpid(pid, &st, 0);
	printf("child: status %d\n", st);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/* clone3 with CLONE_NEWNET: the child's namespace is new and its lo down. */
static void clone3_child(ino_t a, ino_t b)
{
	struct clone_args ca = {.flags = CLONE_NEWNET, .exit_signal = SIGCHLD};
	pid_t pid;
	int st;

	fflush(stdout);
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		ino_t me = self_ino();

		printf("clone3 child: namespace is new: %s\n", me != a && me != b && me ? "yes" : "no");
		lo_flags("clone3 child");
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0) {
		printf("clone3(CLONE_NEWNET): %s\n", errname(errno));
		return;
	}
	waitpid(pid, &st, 0);
	printf("clone3 child: status %d\n", st);
}

int main(void)
{
	int fda, fdb, la, lb, ua, ub, sa, s, c, xa, xb, xs;
	struct sockaddr_un un;
	socklen_t unlen;
	ino_t a, b;

	if (unshare(CLONE_NEWNET) < 0) {
		printf("unshare(CLONE_NEWNET): %s\n", errname(errno));
		return 1;
	}
	/* Namespace A. */
	fda = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	a = ino_of(fda);
	lo_flags("A new");
	links_addrs("A new");
	bind_tries("A new");
	lo_up();
	lo_flags("A up");
	links_addrs("A up");
	bind_tries("A up");
	la = tcp_socket();
	CHECK("A: listener bind 127.0.0.1:P", bind_to(la, "127.0.0.1", PORT));
	CHECK("A: listen", listen(la, 8));
	fcntl(la, F_SETFL, O_NONBLOCK);
	ua = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("A: udp bind 127.0.0.1:P", bind_to(ua, "127.0.0.1", PORT));
	sa = tcp_socket(); /* made in A, used from B */
	xa = unix_abstract(&un, &unlen);
	CHECK("A: bind an abstract unix name", bind(xa, (struct sockaddr *)&un, unlen));
	CHECK("A: listen on it", listen(xa, 4));
	xs = unix_abstract(&un, &unlen); /* made in A, used from B */

	/* Namespace B. */
	CHECK("unshare(CLONE_NEWNET) again", unshare(CLONE_NEWNET));
	fdb = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	b = ino_of(fdb);
	printf("A and B differ: %s; /proc/self/ns/net is B: %s\n", a && b && a != b ? "yes" : "no",
	       self_ino() == b ? "yes" : "no");
	lo_flags("B new");
	lo_up();
	s = tcp_socket();
	CHECK("B: connect to A's listener", connect_to(s, "127.0.0.1", PORT));
	close(s);
	lb = tcp_socket();
	CHECK("B: listener bind the same port", bind_to(lb, "127.0.0.1", PORT));
	CHECK("B: listen", listen(lb, 8));
	fcntl(lb, F_SETFL, O_NONBLOCK);
	ub = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("B: udp bind the same port", bind_to(ub, "127.0.0.1", PORT));
	s = unix_abstract(&un, &unlen);
	CHECK("B: connect to A's abstract name", connect(s, (struct sockaddr *)&un, unlen));
	close(s);
	xb = unix_abstract(&un, &unlen);
	CHECK("B: bind the same abstract name", bind(xb, (struct sockaddr *)&un, unlen));
	CHECK("B: listen on it", listen(xb, 4));
	CHECK("B: connect to the name with the unix socket made in A", connect(xs, (struct sockaddr *)&un, unlen));
	fcntl(xa, F_SETFL, O_NONBLOCK);
	fcntl(xb, F_SETFL, O_NONBLOCK);
	CHECK("B's unix listener has nothing", accept(xb, NULL, NULL));
	c = accept(xa, NULL, NULL);
	printf("A's unix listener accepts it: %s\n", c >= 0 ? "yes" : errname(errno));
	CHECK("B: connect with the socket made in A", connect_to(sa, "127.0.0.1", PORT));
	c = accept(la, NULL, NULL);
	printf("A's listener accepts it: %s\n", c >= 0 ? "yes" : errname(errno));
	CHECK("B's listener has nothing", accept(lb, NULL, NULL));
	CHECK("B: send to A's udp port from A's socket", sendto(ua, "a", 1, 0, (struct sockaddr *)&(struct sockaddr_in){
		.sin_family = AF_INET, .sin_port = htons(PORT), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, sizeof(struct sockaddr_in)));
	CHECK("B's udp socket got nothing", recv(ub, &c, 1, MSG_DONTWAIT));
	tcp_table("/proc/net/tcp", "/proc/net/tcp");

	/* Back to A. */
	CHECK("setns(A, CLONE_NEWNET)", setns(fda, CLONE_NEWNET));
	printf("/proc/self/ns/net is A: %s\n", self_ino() == a ? "yes" : "no");
	tcp_table("/proc/net/tcp", "/proc/net/tcp");
	s = tcp_socket();
	CHECK("A: connect", connect_to(s, "127.0.0.1", PORT));
	c = accept(la, NULL, NULL);
	printf("A's listener accepts it: %s\n", c >= 0 ? "yes" : errname(errno));
	CHECK("B's listener still has nothing", accept(lb, NULL, NULL));
	CHECK("setns(B, 0)", setns(fdb, 0));
	CHECK("setns(B, CLONE_NEWUTS)", setns(fdb, CLONE_NEWUTS));

	clone_child(a, b);
	clone3_child(a, b);
	return 0;
}
