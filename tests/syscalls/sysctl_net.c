/*
 * /proc/sys/net: the reader's network namespace's settings, read and
 * written, and the stack honouring what was written (listen's backlog cap
 * aside, which nothing shows: the ephemeral port range, keepalive and
 * FIN_WAIT2 defaults, buffer sizes).  Every write happens in a network
 * namespace this program makes first (unshare(CLONE_NEWNET), natively as
 * root too); if it cannot make one it writes nothing.  Values a new
 * namespace takes from the host's first one natively (IPv4 forwarding
 * before it is written, the buffer maxima) are not printed, nor writes of the settings cvisor
 * keeps read-only because the stack cannot honour them (ping_group_range,
 * tcp_syncookies: EACCES there, taken here).
 */
#include "check.h"

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define NET "/proc/sys/net/"

/* Prints the file's text (tabs shown as |), or its errno; fields < 0: all, else only the first fields ones. */
static void show(const char *name, int fields)
{
	char buf[256], path[128];
	int fd, i, f = 0;
	ssize_t n;

	snprintf(path, sizeof(path), NET "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s: open -1 %s\n", name, errname(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		printf("%s: read -1 %s\n", name, errname(errno));
		return;
	}
	buf[n] = 0;
	for (i = 0; i < n; i++) {
		if (buf[i] == '\t' && fields >= 0 && ++f == fields) {
			buf[i] = '\n';
			buf[i + 1] = 0;
			break;
		}
		if (buf[i] == '\t')
			buf[i] = '|';
	}
	printf("%s: %s", name, buf);
}

/* Writes text in one write from offset 0 and prints what the write gave. */
static void put(const char *name, const char *text)
{
	char path[128], what[192];
	int fd;

	snprintf(path, sizeof(path), NET "%s", name);
	snprintf(what, sizeof(what), "write %s <- '%s'", name, text);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("%s: open -1 %s\n", what, errname(errno));
		return;
	}
	CHECK(what, write(fd, text, strlen(text)));
	close(fd);
}

static int sockopt(int fd, int level, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, level, opt, &v, &len) < 0 ? -errno : v;
}

int main(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct ifreq ifr = {.ifr_name = "lo"};
	int fd, s, status;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (unshare(CLONE_NEWNET) < 0) {
		printf("unshare(CLONE_NEWNET) = -1 %s: nothing is written\n", errname(errno));
		return 0;
	}
	/* What a new namespace reads. */
	show("core/somaxconn", -1);
	show("ipv4/ip_local_port_range", -1);
	show("ipv4/tcp_keepalive_time", -1);
	show("ipv4/tcp_keepalive_intvl", -1);
	show("ipv4/tcp_keepalive_probes", -1);
	show("ipv4/tcp_fin_timeout", -1);
	show("ipv4/tcp_rmem", 2);
	show("ipv4/tcp_wmem", 2);
	show("ipv4/ping_group_range", -1);
	show("ipv6/conf/all/disable_ipv6", -1);
	show("ipv6/conf/lo/disable_ipv6", -1);
	show("ipv6/conf/default/forwarding", -1);
	CHECK("access ipv4/ip_forward", access(NET "ipv4/ip_forward", R_OK));
	CHECK("access ipv4/conf/lo/forwarding", access(NET "ipv4/conf/lo/forwarding", R_OK));
	CHECK("access ipv4/conf/nosuch/forwarding", access(NET "ipv4/conf/nosuch/forwarding", R_OK));
	CHECK("access ipv4/conf/lo/nosuch", access(NET "ipv4/conf/lo/nosuch", R_OK));
	CHECK("open ipv4/conf for writing", open(NET "ipv4/conf", O_WRONLY));

	/* Writes, as Linux's proc handlers parse and check them. */
	put("core/somaxconn", "2048");
	show("core/somaxconn", -1);
	put("core/somaxconn", "-1");
	put("core/somaxconn", "abc");
	put("core/somaxconn", "2147483648");
	put("core/somaxconn", "+9");
	put("core/somaxconn", "5junk");
	put("core/somaxconn", "0x10");
	show("core/somaxconn", -1);
	put("core/somaxconn", "12 13");
	show("core/somaxconn", -1);
	put("core/somaxconn", "  7\n");
	show("core/somaxconn", -1);
	put("ipv4/ip_local_port_range", "1000 2000");
	put("ipv4/ip_local_port_range", "1000");
	put("ipv4/ip_local_port_range", "3000 2000");
	put("ipv4/ip_local_port_range", "0 999");
	put("ipv4/ip_local_port_range", "1024 65536");
	show("ipv4/ip_local_port_range", -1);
	put("ipv4/ip_local_port_range", "4000 5000 6000");
	show("ipv4/ip_local_port_range", -1);
	put("ipv4/tcp_keepalive_probes", "256");
	put("ipv4/tcp_keepalive_probes", "-1");
	put("ipv4/tcp_keepalive_probes", "5");
	put("ipv4/tcp_keepalive_time", "-5");
	show("ipv4/tcp_keepalive_time", -1);
	put("ipv4/tcp_keepalive_time", "100");
	put("ipv4/tcp_keepalive_intvl", "20");
	put("ipv4/tcp_fin_timeout", "30");
	put("ipv4/tcp_wmem", "0 1 1");
	put("ipv4/tcp_wmem", "4096 32768");
	show("ipv4/tcp_wmem", 2);
	put("ipv4/tcp_rmem", "4096 65536 6291456");
	show("ipv4/tcp_rmem", 2);
	/* IPv4 forwarding: all's (ip_forward) sets default's and each interface's; default's only its own. */
	put("ipv4/ip_forward", "3");
	show("ipv4/ip_forward", -1);
	show("ipv4/conf/all/forwarding", -1);
	show("ipv4/conf/default/forwarding", -1);
	show("ipv4/conf/lo/forwarding", -1);
	put("ipv4/conf/default/forwarding", "0");
	put("ipv4/conf/lo/forwarding", "x");
	show("ipv4/conf/default/forwarding", -1);
	show("ipv4/conf/lo/forwarding", -1);
	show("ipv4/ip_forward", -1);
	put("ipv4/conf/all/forwarding", "0");
	show("ipv4/conf/lo/forwarding", -1);
	/* A second write on the same open file is ignored (sysctl_writes_strict). */
	fd = open(NET "core/somaxconn", O_WRONLY);
	CHECK("write somaxconn 100", write(fd, "100", 3));
	CHECK("write somaxconn 200 again", write(fd, "200", 3));
	close(fd);
	show("core/somaxconn", -1);

	/* The stack honours them: an ephemeral port of the range, the defaults of a new TCP socket. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("SIOCGIFFLAGS lo", ioctl(fd, SIOCGIFFLAGS, &ifr));
	ifr.ifr_flags |= IFF_UP;
	CHECK("SIOCSIFFLAGS lo up", ioctl(fd, SIOCSIFFLAGS, &ifr));
	close(fd);
	put("ipv4/ip_local_port_range", "40000 40000");
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("bind 127.0.0.1:0", bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK("getsockname", getsockname(s, (struct sockaddr *)&a, &alen));
	printf("port = %d\n", ntohs(a.sin_port));
	printf("TCP_KEEPIDLE = %d\n", sockopt(s, IPPROTO_TCP, TCP_KEEPIDLE));
	printf("TCP_KEEPINTVL = %d\n", sockopt(s, IPPROTO_TCP, TCP_KEEPINTVL));
	printf("TCP_KEEPCNT = %d\n", sockopt(s, IPPROTO_TCP, TCP_KEEPCNT));
	printf("TCP_LINGER2 = %d\n", sockopt(s, IPPROTO_TCP, TCP_LINGER2));
	printf("SO_SNDBUF = %d\n", sockopt(s, SOL_SOCKET, SO_SNDBUF));
	printf("SO_RCVBUF = %d\n", sockopt(s, SOL_SOCKET, SO_RCVBUF));
	a.sin_port = 0;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("bind again: the range is used up", bind(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
	close(s);

	/* Without CAP_NET_ADMIN over the namespace nor root's uid: reads yes, writes EACCES. */
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0) {
			printf("setuid: %s\n", errname(errno));
			_exit(1);
		}
		show("core/somaxconn", -1);
		put("core/somaxconn", "5");
		_exit(0);
	}
	waitpid(pid, &status, 0);
	show("core/somaxconn", -1);
	return 0;
}
