/*
 * Hostile input: bad pointers, fds, lengths, offsets, flags and system call
 * numbers.  Each call must get the answer Linux gives (the native run), and
 * the process must go on working afterwards.
 *
 * Raw syscall() everywhere: glibc would check some arguments itself, or
 * (clock_gettime) answer from the vDSO without entering the kernel.  Only
 * checks whose native answer is the same on every Linux 6.x are here: no
 * numbers that vary (fds, sizes of host files, addresses), and no error
 * whose order of checks differs between kernel versions.
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <time.h>

#define PAGE 4096UL
#define KADDR ((void *)0xffff800000000000UL)	/* the start of the kernel half */
#define LOW ((void *)0x1000)			/* below mmap_min_addr: never mapped */

#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

/* Closes what a call that should have failed opened anyway; returns its result. */
static long closing(long r)
{
	if (r >= 0)
		close((int)r);
	return r;
}

/*
 * Unmaps what an mmap that should have failed mapped anyway, so that it
 * cannot fill the hole the later checks rely on; returns its result.
 */
static long unmapping(long r, size_t len)
{
	if (r != -1)
		munmap((void *)r, len);
	return r;
}

static char big[PAGE * 16];	/* room for what a careless read might write */
static char buf_for_ifc[4096];

/*
 * AF_INET/AF_INET6 sockets with bad arguments: every call here fails
 * before a packet could leave (the native run is on the host's stack).
 */
static void hostile_inet(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	struct sockaddr_storage ss;
	struct ifreq ifr;
	struct ifconf ifc;
	socklen_t len = sizeof(ss);
	int s = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0), v = 1, neg = -1;

	CHECK("socket(AF_INET, DGRAM, -1)", closing(syscall(SYS_socket, AF_INET, SOCK_DGRAM, -1)));
	CHECK("socket(AF_INET, DGRAM, 300)", closing(syscall(SYS_socket, AF_INET, SOCK_DGRAM, 300)));
	CHECK("socket(AF_INET, type 11)", closing(syscall(SYS_socket, AF_INET, 11, 0)));
	CHECK("socket(AF_INET, SEQPACKET)", closing(syscall(SYS_socket, AF_INET, SOCK_SEQPACKET, 0)));
	CHECK("socket(AF_INET6, DGRAM, IPPROTO_TCP)", closing(syscall(SYS_socket, AF_INET6, SOCK_DGRAM, IPPROTO_TCP)));
	CHECK("bind(AF_INET, len 15)", syscall(SYS_bind, s, &in, sizeof(in) - 1));
	CHECK("bind(AF_INET, len 0)", syscall(SYS_bind, s, &in, 0));
	CHECK("bind(AF_INET, an AF_INET6 address)", syscall(SYS_bind, s, &in6, sizeof(in6)));
	CHECK("bind(AF_INET, unmapped)", syscall(SYS_bind, s, LOW, sizeof(in)));
	CHECK("bind(AF_INET, kernel address)", syscall(SYS_bind, s, KADDR, sizeof(in)));
	CHECK("bind(AF_INET, len 1M)", syscall(SYS_bind, s, &in, 1 << 20));
	CHECK("bind(AF_INET, len -1)", syscall(SYS_bind, s, &in, -1));
	CHECK("bind(AF_INET6, len 23)", syscall(SYS_bind, s6, &in6, 23));
	in.sin_family = 99;
	CHECK("bind(AF_INET6, family 99)", syscall(SYS_bind, s6, &in6, 0) == 0 ? 0 : syscall(SYS_bind, s6, &in, sizeof(in6)));
	CHECK("connect(AF_INET, family 99)", syscall(SYS_connect, s, &in, sizeof(in)));
	CHECK("connect(AF_INET, len 4)", syscall(SYS_connect, s, &in, 4));
	CHECK("connect(AF_INET, unmapped)", syscall(SYS_connect, s, LOW, sizeof(in)));
	CHECK("sendto(AF_INET, short address)", syscall(SYS_sendto, s, "x", 1, 0, &in, 8));
	CHECK("sendto(AF_INET, family 99)", syscall(SYS_sendto, s, "x", 1, 0, &in, sizeof(in)));
	CHECK("sendto(AF_INET, address unmapped)", syscall(SYS_sendto, s, "x", 1, 0, LOW, sizeof(in)));
	CHECK("sendto(AF_INET, address len 1M)", syscall(SYS_sendto, s, "x", 1, 0, &in, 1 << 20));
	CHECK("sendto(AF_INET, no address)", syscall(SYS_sendto, s, "x", 1, 0, NULL, 0));
	CHECK("sendto(AF_INET6, family 99)", syscall(SYS_sendto, s6, "x", 1, 0, &in, sizeof(in6)));
	CHECK("recvfrom(AF_INET, nothing there)", syscall(SYS_recvfrom, s, LOW, 10, MSG_DONTWAIT, NULL, NULL));
	CHECK("getsockname(unmapped address)", syscall(SYS_getsockname, s, LOW, &len));
	CHECK("getsockname(unmapped length)", syscall(SYS_getsockname, s, &ss, LOW));
	CHECK("getsockname(length -1)", syscall(SYS_getsockname, s, &ss, &neg));
	CHECK("getpeername(unconnected)", syscall(SYS_getpeername, s, &ss, &len));
	CHECK("getsockopt(unmapped optlen)", syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, &v, LOW));
	CHECK("getsockopt(unmapped optval)", syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, LOW, &len));
	neg = -1;
	CHECK("getsockopt(optlen -1)", syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, &v, &neg));
	CHECK("setsockopt(unmapped optval)", syscall(SYS_setsockopt, s, SOL_SOCKET, SO_RCVBUF, LOW, sizeof(int)));
	CHECK("setsockopt(optlen -1)", syscall(SYS_setsockopt, s, SOL_SOCKET, SO_RCVBUF, &v, -1));
	CHECK("setsockopt(optlen 0)", syscall(SYS_setsockopt, s, SOL_SOCKET, SO_RCVBUF, &v, 0));
	CHECK("setsockopt(IP_TTL, optlen 0)", syscall(SYS_setsockopt, s, IPPROTO_IP, IP_TTL, &v, 0));
	CHECK("setsockopt(SO_REUSEADDR, optlen 1M)", syscall(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, big, 1 << 20));
	CHECK("setsockopt(level -1)", syscall(SYS_setsockopt, s, -1, 1, &v, sizeof(v)));
	CHECK("listen(UDP)", syscall(SYS_listen, s, 5));
	CHECK("accept(UDP)", syscall(SYS_accept, s, NULL, NULL));
	CHECK("ioctl(SIOCGIFCONF, unmapped)", syscall(SYS_ioctl, s, SIOCGIFCONF, LOW));
	CHECK("ioctl(SIOCGIFFLAGS, kernel address)", syscall(SYS_ioctl, s, SIOCGIFFLAGS, KADDR));
	memset(&ifr, 'x', sizeof(ifr)); /* a name without its NUL */
	CHECK("ioctl(SIOCGIFINDEX, unterminated name)", syscall(SYS_ioctl, s, SIOCGIFINDEX, &ifr));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = 1 << 30;
	CHECK("ioctl(SIOCGIFNAME, no such index)", syscall(SYS_ioctl, s, SIOCGIFNAME, &ifr));
	ifc.ifc_len = 1 << 20;
	ifc.ifc_buf = LOW;
	CHECK("ioctl(SIOCGIFCONF, buffer unmapped)", syscall(SYS_ioctl, s, SIOCGIFCONF, &ifc));
	ifc.ifc_len = -5;
	ifc.ifc_buf = buf_for_ifc;
	CHECK("ioctl(SIOCGIFCONF, length -5)", syscall(SYS_ioctl, s, SIOCGIFCONF, &ifc));
	printf("ifc_len after -5 = %d\n", ifc.ifc_len);
	CHECK("ioctl(FIONREAD, unmapped)", syscall(SYS_ioctl, s, FIONREAD, LOW));
	close(s);
	close(s6);

	/* The data itself from and to memory that is not there (loopback only: to ourselves). */
	{
		struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		struct iovec iov[2] = {{.iov_base = buf_for_ifc, .iov_len = 4}, {.iov_base = LOW, .iov_len = 4}};
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
		socklen_t ml = sizeof(me);

		s = socket(AF_INET, SOCK_DGRAM, 0);
		bind(s, (struct sockaddr *)&me, sizeof(me));
		getsockname(s, (struct sockaddr *)&me, &ml);
		CHECK("sendto(unmapped buffer)", syscall(SYS_sendto, s, LOW, 10, 0, &me, sizeof(me)));
		CHECK("sendto(kernel buffer)", syscall(SYS_sendto, s, KADDR, 10, 0, &me, sizeof(me)));
		CHECK("recv after failed sends", syscall(SYS_recvfrom, s, buf_for_ifc, 16, MSG_DONTWAIT, NULL, NULL));
		mh.msg_name = &me;
		mh.msg_namelen = sizeof(me);
		CHECK("sendmsg(second iovec unmapped)", syscall(SYS_sendmsg, s, &mh, 0));
		iov[1].iov_len = (size_t)-1;
		CHECK("sendmsg(iovec length -1)", syscall(SYS_sendmsg, s, &mh, 0));
		CHECK("sendto(4 bytes)", syscall(SYS_sendto, s, "four", 4, 0, &me, sizeof(me)));
		CHECK("recvfrom(unmapped buffer)", syscall(SYS_recvfrom, s, LOW, 16, 0, NULL, NULL));
		CHECK("the datagram went with it", syscall(SYS_recvfrom, s, buf_for_ifc, 16, MSG_DONTWAIT, NULL, NULL));
		CHECK("sendto(4 bytes)", syscall(SYS_sendto, s, "four", 4, 0, &me, sizeof(me)));
		CHECK("recvfrom(unmapped address)", syscall(SYS_recvfrom, s, buf_for_ifc, 16, 0, LOW, &ml));
		CHECK("recvmsg(unmapped iovec array)", syscall(SYS_recvmsg, s, &(struct msghdr){.msg_iov = LOW, .msg_iovlen = 1}, MSG_DONTWAIT));
		close(s);
	}

	/* A control message whose length runs past the end of the buffer (within its total length from the start). */
	{
		union {
			char b[64];
			struct cmsghdr h;
		} u;
		struct iovec iov = {.iov_base = "x", .iov_len = 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = 40};
		struct cmsghdr *c = &u.h, *d = (struct cmsghdr *)(u.b + CMSG_SPACE(sizeof(int)));
		int sv[2];

		memset(&u, 0, sizeof(u));
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0) {
			c->cmsg_len = CMSG_LEN(sizeof(int));
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(c), &sv[0], sizeof(int));
			d->cmsg_len = 36;
			d->cmsg_level = SOL_SOCKET;
			d->cmsg_type = SCM_RIGHTS;
			CHECK("sendmsg(second cmsg past the buffer)", syscall(SYS_sendmsg, sv[0], &mh, 0));
			d->cmsg_level = SOL_IP;
			d->cmsg_type = IP_TTL;
			CHECK("sendmsg(an IP cmsg past the buffer, AF_UNIX)", syscall(SYS_sendmsg, sv[0], &mh, 0));
			close(sv[0]);
			close(sv[1]);
		}
	}
}

int main(void)
{
	char buf[64], name[300], path[PATH_MAX + 16];
	char *ro, *hole, *edge, *area;
	struct stat st;
	struct iovec iov[2];
	int fd, dir, wfd, tfd, pfd, closed_fd, p[2], first_free;
	long brk0;

	/*
	 * The lowest free fd: the same again at the end means no failed call
	 * left an fd behind.
	 */
	first_free = dup(0);
	close(first_free);

	fd = open("/etc/passwd", O_RDONLY);
	dir = open("/", O_RDONLY | O_DIRECTORY);
	wfd = open("/dev/null", O_WRONLY);
	tfd = open("/tmp/cvt-hostile", O_RDWR | O_CREAT | O_TRUNC, 0600);
	pfd = open("/etc/passwd", O_PATH);
	/* A number no later call reuses: the lowest free ones are taken. */
	closed_fd = dup2(fd, 40);
	close(closed_fd);
	pipe(p);

	/*
	 * Memory: a read-only page, and a page with an unmapped page right
	 * after it (edge = its last 10 bytes).  The hole is made last, and
	 * every later mmap is one that must fail, so nothing refills it.
	 */
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	area = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(area + PAGE, PAGE);
	hole = area + PAGE;
	edge = hole - 10;
	memset(area, 'a', PAGE);

	printf("-- bad pointers\n");
	CHECK("read(NULL)", syscall(SYS_read, fd, NULL, 10));
	CHECK("read(kernel address)", syscall(SYS_read, fd, KADDR, 10));
	CHECK("read(unmapped)", syscall(SYS_read, fd, hole, 10));
	CHECK("read(read-only buffer)", syscall(SYS_read, fd, ro, 10));
	CHECK("read(NULL, len 0)", syscall(SYS_read, fd, NULL, 0));
	/* A copy stops at the fault: the bytes before it count. */
	CHECK("pread64(file, buffer running into a hole)", syscall(SYS_pread64, fd, edge, 100, 0));
	CHECK("write(file, buffer running into a hole)", syscall(SYS_write, tfd, edge, 100));
	CHECK("write(NULL)", syscall(SYS_write, tfd, NULL, 10));
	/* /dev/null never reads the buffer, so a bad one does not matter. */
	CHECK("write(/dev/null, NULL)", syscall(SYS_write, wfd, NULL, 10));
	CHECK("write(pipe, NULL)", syscall(SYS_write, p[1], NULL, 10));
	CHECK("pread64(kernel address)", syscall(SYS_pread64, fd, KADDR, 10, 0));
	CHECK("openat(path NULL)", syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY));
	CHECK("openat(path kernel address)", syscall(SYS_openat, AT_FDCWD, KADDR, O_RDONLY));
	CHECK("openat(path unmapped)", syscall(SYS_openat, AT_FDCWD, hole, O_RDONLY));
	/* The name's NUL would lie in the hole. */
	memcpy(edge, "/etc/passw", 10);
	CHECK("openat(path running into a hole)", syscall(SYS_openat, AT_FDCWD, edge, O_RDONLY));
	CHECK("newfstatat(path NULL)", syscall(SYS_newfstatat, AT_FDCWD, NULL, &st, 0));
	CHECK("newfstatat(buf NULL)", syscall(SYS_newfstatat, AT_FDCWD, "/", NULL, 0));
	CHECK("fstat(buf NULL)", syscall(SYS_fstat, fd, NULL));
	CHECK("fstat(buf read-only)", syscall(SYS_fstat, fd, ro));
	CHECK("fstat(buf across a hole)", syscall(SYS_fstat, fd, edge));
	/* x86 has no alignment rule for these: a misaligned buffer is fine. */
	CHECK("fstat(buf misaligned)", syscall(SYS_fstat, fd, big + 1));
	CHECK("statx(buf NULL)", syscall(SYS_statx, AT_FDCWD, "/", 0, STATX_BASIC_STATS, NULL));
	CHECK("readlinkat(buf NULL)", syscall(SYS_readlinkat, AT_FDCWD, "/bin", NULL, 10));
	CHECK("getdents64(buf NULL)", syscall(SYS_getdents64, dir, NULL, 4096));
	CHECK("getdents64(buf read-only)", syscall(SYS_getdents64, dir, ro, 4096));
	CHECK("pipe2(NULL)", syscall(SYS_pipe2, NULL, 0));
	CHECK("pipe2(read-only)", syscall(SYS_pipe2, ro, 0));
	CHECK("getcwd(NULL, 100)", syscall(SYS_getcwd, NULL, 100));
	CHECK("getcwd(read-only, 100)", syscall(SYS_getcwd, ro, 100));
	CHECK("uname(NULL)", syscall(SYS_uname, NULL));
	CHECK("uname(read-only)", syscall(SYS_uname, ro));
	CHECK("clock_gettime(NULL)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
	CHECK("clock_gettime(kernel address)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, KADDR));
	CHECK("getrandom(unmapped)", syscall(SYS_getrandom, hole, 8, 0));
	CHECK("ioctl(TCGETS, NULL) on a pipe", syscall(SYS_ioctl, p[0], TCGETS, NULL));
	CHECK("readv(iov NULL)", syscall(SYS_readv, fd, NULL, 1));
	iov[0].iov_base = hole;
	iov[0].iov_len = 10;
	CHECK("readv(iov_base unmapped)", syscall(SYS_readv, fd, iov, 1));
	iov[0].iov_base = NULL;
	CHECK("writev(iov_base NULL)", syscall(SYS_writev, wfd, iov, 1));
	CHECK("rt_sigaction(act unmapped)", syscall(SYS_rt_sigaction, SIGUSR1, hole, NULL, 8));
	CHECK("rt_sigaction(sigsetsize 4)", syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4));
	CHECK("rt_sigprocmask(sigsetsize 16)", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 16));
	CHECK("rt_sigprocmask(how 99)", syscall(SYS_rt_sigprocmask, 99, buf, NULL, 8));
	CHECK("futex(never mapped)", syscall(SYS_futex, LOW, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0));
	/* A shared wake looks the word up in memory; a private one does not. */
	CHECK("futex(never mapped, FUTEX_WAKE)", syscall(SYS_futex, LOW, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0));
	CHECK("futex(never mapped, FUTEX_WAKE_PRIVATE)", syscall(SYS_futex, LOW, 129, 1, NULL, NULL, 0));
	/* Here alignment matters: a futex word is 4-byte aligned. */
	CHECK("futex(misaligned)", syscall(SYS_futex, big + 1, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0));
	{
		struct timespec bad = {0, 1000000000L};

		CHECK("nanosleep(nsec 1e9)", syscall(SYS_nanosleep, &bad, NULL));
		bad.tv_sec = -1;
		bad.tv_nsec = 0;
		CHECK("nanosleep(sec -1)", syscall(SYS_nanosleep, &bad, NULL));
		CHECK("nanosleep(req NULL)", syscall(SYS_nanosleep, NULL, NULL));
	}

	printf("-- bad fds\n");
	CHECK("read(-1)", syscall(SYS_read, -1, buf, 10));
	CHECK("read(9999)", syscall(SYS_read, 9999, buf, 10));
	CHECK("read(closed fd)", syscall(SYS_read, closed_fd, buf, 10));
	CHECK("read(O_PATH fd)", syscall(SYS_read, pfd, buf, 10));
	CHECK("read(write-only fd)", syscall(SYS_read, wfd, buf, 10));
	CHECK("write(-1)", syscall(SYS_write, -1, "x", 1));
	CHECK("write(read-only fd)", syscall(SYS_write, fd, "x", 1));
	CHECK("write(read end of a pipe)", syscall(SYS_write, p[0], "x", 1));
	CHECK("close(-1)", syscall(SYS_close, -1));
	CHECK("close(9999)", syscall(SYS_close, 9999));
	CHECK("fstat(-1)", syscall(SYS_fstat, -1, &st));
	CHECK("fstat(9999)", syscall(SYS_fstat, 9999, &st));
	CHECK("fstat(O_PATH fd)", syscall(SYS_fstat, pfd, &st));
	CHECK("dup(-1)", syscall(SYS_dup, -1));
	CHECK("dup(9999)", syscall(SYS_dup, 9999));
	CHECK("dup2(fd, -1)", syscall(SYS_dup2, fd, -1));
	CHECK("dup2(9999, 50)", syscall(SYS_dup2, 9999, 50));
	CHECK("dup2(fd, INT_MAX)", syscall(SYS_dup2, fd, INT_MAX));
	CHECK("dup3(fd, fd)", syscall(SYS_dup3, fd, fd, 0));
	CHECK("dup3(bad flags)", syscall(SYS_dup3, fd, 50, 12345));
	CHECK("fcntl(9999, F_GETFD)", syscall(SYS_fcntl, 9999, F_GETFD));
	CHECK("fcntl(fd, 12345)", syscall(SYS_fcntl, fd, 12345, 0));
	CHECK("fcntl(F_DUPFD, -1)", syscall(SYS_fcntl, fd, F_DUPFD, -1));
	CHECK("fcntl(F_DUPFD, INT_MAX)", syscall(SYS_fcntl, fd, F_DUPFD, INT_MAX));
	CHECK("lseek(9999)", syscall(SYS_lseek, 9999, 0, SEEK_SET));
	CHECK("ioctl(9999, TCGETS)", syscall(SYS_ioctl, 9999, TCGETS, buf));
	CHECK("ioctl(file, TCGETS)", syscall(SYS_ioctl, fd, TCGETS, big));
	CHECK("ioctl(pipe, TIOCGWINSZ)", syscall(SYS_ioctl, p[0], TIOCGWINSZ, big));
	CHECK("getdents64(9999)", syscall(SYS_getdents64, 9999, big, 4096));
	CHECK("getdents64(a file)", syscall(SYS_getdents64, fd, big, 4096));
	CHECK("openat(9999, relative)", syscall(SYS_openat, 9999, "etc", O_RDONLY));
	CHECK("openat(a file's fd, relative)", syscall(SYS_openat, fd, "etc", O_RDONLY));
	/* An absolute path ignores the dirfd, even a bad one. */
	CHECK_OK("openat(9999, absolute)", closing(syscall(SYS_openat, 9999, "/etc/passwd", O_RDONLY)));
	CHECK("newfstatat(9999, relative)", syscall(SYS_newfstatat, 9999, "etc", &st, 0));
	CHECK("fchdir(a file)", syscall(SYS_fchdir, fd));
	CHECK("mmap(bad fd)", unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, 9999, 0), PAGE));

	printf("-- lengths and offsets\n");
	/* Far past the end of user space: refused before any byte moves. */
	CHECK("read(len 2^47)", syscall(SYS_read, fd, big, 1UL << 47));
	lseek(fd, 0, SEEK_SET);	/* each check from a known place, whatever the last one did */
	CHECK("read(len SIZE_MAX)", syscall(SYS_read, fd, big, SIZE_MAX));
	lseek(fd, 0, SEEK_SET);
	CHECK("write(len SIZE_MAX)", syscall(SYS_write, wfd, big, SIZE_MAX));
	lseek(dir, 0, SEEK_SET);
	CHECK("getdents64(len 1)", syscall(SYS_getdents64, dir, big, 1));
	CHECK("pread64(offset -1)", syscall(SYS_pread64, fd, buf, 10, -1L));
	CHECK("pwrite64(offset -1)", syscall(SYS_pwrite64, wfd, buf, 10, -1L));
	CHECK("lseek(-1, SEEK_SET)", syscall(SYS_lseek, fd, -1L, SEEK_SET));
	lseek(fd, 0, SEEK_SET);
	CHECK("lseek(-100, SEEK_CUR) at 0", syscall(SYS_lseek, fd, -100L, SEEK_CUR));
	CHECK("lseek(whence 7)", syscall(SYS_lseek, fd, 0, 7));
	CHECK("lseek(pipe)", syscall(SYS_lseek, p[0], 0, SEEK_SET));
	CHECK("pread64(pipe)", syscall(SYS_pread64, p[0], buf, 1, 0));
	CHECK("readv(iovcnt -1)", syscall(SYS_readv, fd, iov, -1));
	CHECK("readv(iovcnt 1025)", syscall(SYS_readv, fd, iov, 1025));
	CHECK("readv(iovcnt 0)", syscall(SYS_readv, fd, iov, 0));
	iov[0].iov_base = big;
	iov[0].iov_len = (size_t)SSIZE_MAX + 1;
	CHECK("readv(iov_len > SSIZE_MAX)", syscall(SYS_readv, fd, iov, 1));
	CHECK("getcwd(size 0)", syscall(SYS_getcwd, buf, 0));
	CHECK("getcwd(size 1)", syscall(SYS_getcwd, buf, 1));
	CHECK_OK("getcwd(size SIZE_MAX)", syscall(SYS_getcwd, big, SIZE_MAX));
	CHECK("readlinkat(size 0)", syscall(SYS_readlinkat, AT_FDCWD, "/bin", buf, 0));
	CHECK("readlinkat(size -1)", syscall(SYS_readlinkat, AT_FDCWD, "/bin", buf, -1));

	printf("-- memory calls\n");
	CHECK("mmap(len 0)", unmapping(syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 0));
	CHECK("mmap(neither shared nor private)", unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), PAGE));
	CHECK("mmap(len 2^62)", unmapping(syscall(SYS_mmap, NULL, 1UL << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 1UL << 62));
	CHECK("mmap(len SIZE_MAX)", unmapping(syscall(SYS_mmap, NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), SIZE_MAX));
	CHECK("mmap(offset misaligned)", unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), PAGE));
	CHECK("mmap(MAP_FIXED misaligned)",
	      unmapping(syscall(SYS_mmap, 0x10001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), PAGE));
	CHECK("mmap(MAP_FIXED kernel address)",
	      unmapping(syscall(SYS_mmap, KADDR, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), PAGE));
	CHECK("mmap(MAP_FIXED_NOREPLACE over a mapping)",
	      unmapping(syscall(SYS_mmap, ro, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), PAGE));
	/* MAP_SHARED_VALIDATE refuses what it cannot honour: MAP_SYNC needs DAX. */
	CHECK("mmap(MAP_SHARED_VALIDATE|MAP_SYNC, ordinary file)",
	      unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0), PAGE));
	CHECK("mmap(shared writable, read-only fd)", unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), PAGE));
	CHECK("mmap(write-only fd)", unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, wfd, 0), PAGE));
	CHECK("mmap(a pipe)", unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, p[0], 0), PAGE));
	CHECK("mmap(a directory)", unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0), PAGE));
	CHECK("mmap(O_PATH fd)", unmapping(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, pfd, 0), PAGE));
	CHECK("mprotect(misaligned)", syscall(SYS_mprotect, ro + 1, PAGE, PROT_READ));
	CHECK("mprotect(unmapped)", syscall(SYS_mprotect, hole, PAGE, PROT_READ));
	CHECK("mprotect(unknown prot bit)", syscall(SYS_mprotect, ro, PAGE, 0x100));
	CHECK("munmap(misaligned)", syscall(SYS_munmap, ro + 1, PAGE));
	CHECK("munmap(len 0)", syscall(SYS_munmap, ro, 0));
	CHECK("munmap(kernel address)", syscall(SYS_munmap, KADDR, PAGE));
	CHECK("munmap(nothing mapped there)", syscall(SYS_munmap, LOW, PAGE));
	CHECK("madvise(bad advice)", syscall(SYS_madvise, ro, PAGE, 12345));
	CHECK("madvise(misaligned)", syscall(SYS_madvise, ro + 1, PAGE, MADV_DONTNEED));
	CHECK("madvise(DONTNEED, unmapped)", syscall(SYS_madvise, hole, PAGE, MADV_DONTNEED));
	CHECK("mremap(misaligned)", syscall(SYS_mremap, ro + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
	CHECK("mremap(new length 0)", syscall(SYS_mremap, ro, PAGE, 0, MREMAP_MAYMOVE));
	CHECK("mremap(bad flags)", syscall(SYS_mremap, ro, PAGE, 2 * PAGE, 0x100));
	CHECK("mremap(FIXED without MAYMOVE)", syscall(SYS_mremap, ro, PAGE, PAGE, MREMAP_FIXED, 0x200000000UL));
	/* brk refuses to go where it cannot, by returning the old break. */
	brk0 = syscall(SYS_brk, 0);
	CHECK("brk(kernel address) keeps the break", syscall(SYS_brk, KADDR) == brk0);
	CHECK("brk(NULL) is the break", syscall(SYS_brk, 0) == brk0);

	printf("-- flags\n");
	CHECK("pipe2(bad flags)", syscall(SYS_pipe2, p, 0x12345));
	/* open(2) ignores flag bits it does not know (openat2 does not). */
	CHECK_OK("openat(unknown flag bits)", closing(syscall(SYS_openat, AT_FDCWD, "/etc/passwd", 0x7f800000 | O_RDONLY)));
	CHECK("openat(O_TMPFILE read-only)", closing(syscall(SYS_openat, AT_FDCWD, "/tmp", O_TMPFILE | O_RDONLY, 0600)));
	CHECK("newfstatat(bad flags)", syscall(SYS_newfstatat, AT_FDCWD, "/", &st, 0x12345));
	CHECK("newfstatat(\"\" without AT_EMPTY_PATH)", syscall(SYS_newfstatat, fd, "", &st, 0));
	CHECK("statx(bad flags)", syscall(SYS_statx, AT_FDCWD, "/", 0x12345, STATX_BASIC_STATS, big));
	CHECK("statx(reserved mask bit)", syscall(SYS_statx, AT_FDCWD, "/", 0, 0x80000000U, big));
	CHECK("faccessat(bad mode)", syscall(SYS_faccessat, AT_FDCWD, "/", 0x40));
	CHECK("faccessat2(bad flags)", syscall(SYS_faccessat2, AT_FDCWD, "/", R_OK, 0x12345));
	CHECK("unlinkat(bad flags)", syscall(SYS_unlinkat, AT_FDCWD, "/nonexistent", 0x12345));
	CHECK("getrandom(bad flags)", syscall(SYS_getrandom, buf, 8, 0x12345));
	CHECK("clone(CLONE_THREAD without CLONE_SIGHAND)", syscall(SYS_clone, 0x100 | 0x10000, 0, 0, 0, 0));
	CHECK("wait4(bad options)", syscall(SYS_wait4, -1, NULL, 0x12345, NULL));
	CHECK("kill(signal 1000)", syscall(SYS_kill, getpid(), 1000));
	CHECK("clock_gettime(bad clock)", syscall(SYS_clock_gettime, 12345, big));
	CHECK("prlimit64(bad resource)", syscall(SYS_prlimit64, 0, 1000, NULL, big));
	CHECK("prctl(bad option)", syscall(SYS_prctl, 12345, 0, 0, 0, 0));
	CHECK("arch_prctl(bad code)", syscall(SYS_arch_prctl, 0x9999, 0));
	CHECK("rmdir(.)", syscall(SYS_rmdir, "."));
	CHECK("rmdir(..)", syscall(SYS_rmdir, ".."));
	CHECK("unlink(/)", syscall(SYS_unlink, "/"));

	printf("-- system call numbers\n");
	/*
	 * Not 335 or 336: Linux 6.11 and 6.16 gave them to uretprobe and
	 * uprobe, which kill a caller outside a probe trampoline with SIGILL.
	 * 512 starts the x32-only range, which a 64-bit caller cannot reach.
	 */
	CHECK("syscall(999)", syscall(999));
	CHECK("syscall(1000)", syscall(1000));
	CHECK("syscall(-1)", syscall(-1));
	CHECK("syscall(512)", syscall(512));
	CHECK("syscall(0x7fffffff)", syscall(0x7fffffff));
	/* x32 getpid: ENOSYS unless the host boots with x32 enabled. */
	CHECK_OK("syscall(0x40000000|39)", syscall(0x40000000 | 39));

	printf("-- paths\n");
	CHECK("read(a directory)", syscall(SYS_read, dir, buf, 10));
	CHECK("readlinkat(not a link)", syscall(SYS_readlinkat, AT_FDCWD, "/etc/passwd", buf, sizeof(buf)));
	CHECK("readlinkat(missing)", syscall(SYS_readlinkat, AT_FDCWD, "/nonexistent", buf, sizeof(buf)));
	/* PATH_MAX counts the NUL: 4095 bytes of name open, 4096 do not. */
	memset(path, '/', PATH_MAX - 1);
	strcpy(path + PATH_MAX - 1 - strlen("etc/passwd"), "etc/passwd");
	CHECK_OK("openat(path of PATH_MAX-1 bytes)", closing(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY)));
	memset(path, '/', PATH_MAX);
	strcpy(path + PATH_MAX - strlen("etc/passwd"), "etc/passwd");
	CHECK("openat(path of PATH_MAX bytes)", syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	CHECK("openat(path longer than PATH_MAX)", syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
	memset(name, 'b', sizeof(name));
	name[0] = '/';
	name[256] = 0;
	CHECK("openat(component of 255)", syscall(SYS_openat, AT_FDCWD, name, O_RDONLY));
	name[256] = 'b';
	name[257] = 0;
	CHECK("openat(component of 256)", syscall(SYS_openat, AT_FDCWD, name, O_RDONLY));
	CHECK("newfstatat(component of 256)", syscall(SYS_newfstatat, AT_FDCWD, name, &st, 0));
	CHECK("openat(ENOENT)", syscall(SYS_openat, AT_FDCWD, "/nonexistent/x", O_RDONLY));
	CHECK("openat(/etc/passwd/x)", syscall(SYS_openat, AT_FDCWD, "/etc/passwd/x", O_RDONLY));
	CHECK("openat(/etc/passwd/)", syscall(SYS_openat, AT_FDCWD, "/etc/passwd/", O_RDONLY));
	CHECK("newfstatat(/etc/passwd/.)", syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd/.", &st, 0));
	CHECK("openat(\"\")", syscall(SYS_openat, AT_FDCWD, "", O_RDONLY));
	CHECK("openat(O_DIRECTORY, a file)", syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_DIRECTORY));
	CHECK("openat(a directory for writing)", syscall(SYS_openat, AT_FDCWD, "/etc", O_WRONLY));
	CHECK("openat(O_CREAT, a directory)", syscall(SYS_openat, AT_FDCWD, "/etc", O_RDONLY | O_CREAT, 0600));
	CHECK("openat(O_CREAT|O_EXCL, existing)", syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDWR | O_CREAT | O_EXCL, 0600));
	CHECK("mkdirat(existing)", syscall(SYS_mkdirat, AT_FDCWD, "/etc", 0755));
	CHECK("rmdir(/)", syscall(SYS_rmdir, "/"));
	CHECK("chdir(a file)", syscall(SYS_chdir, "/etc/passwd"));
	CHECK("chdir(missing)", syscall(SYS_chdir, "/nonexistent"));
	CHECK("faccessat(missing)", syscall(SYS_faccessat, AT_FDCWD, "/nonexistent", F_OK));

	hostile_inet();
	printf("-- System V IPC\n");
	/* In an IPC namespace of its own natively (the sandbox's is its own already). */
	if (syscall(SYS_unshare, CLONE_NEWIPC) < 0 && !in_cvisor()) {
		printf("cannot unshare the IPC namespace: %s\n", errname(errno));
	} else {
		long shm = syscall(SYS_shmget, IPC_PRIVATE, PAGE, 0600);
		long sem = syscall(SYS_semget, IPC_PRIVATE, 2, 0600);
		long msq = syscall(SYS_msgget, IPC_PRIVATE, 0600);
		struct sembuf sops[2] = {{0, 1, 0}, {1, 1, 0}};
		long mtype = 1;

		CHECK("shmget(size 2^63)", syscall(SYS_shmget, IPC_PRIVATE, 1UL << 63, 0600));
		CHECK("shmget(key, huge nsems-like flags)", syscall(SYS_shmget, 0x55, PAGE, -1));
		CHECK("shmctl(IPC_STAT, kernel address)", syscall(SYS_shmctl, shm, IPC_STAT, KADDR));
		CHECK("shmctl(IPC_STAT, read-only)", syscall(SYS_shmctl, shm, IPC_STAT, ro));
		CHECK("shmctl(IPC_SET, unmapped)", syscall(SYS_shmctl, shm, IPC_SET, hole));
		CHECK("shmctl(IPC_INFO, edge)", syscall(SYS_shmctl, shm, IPC_INFO, edge));
		CHECK("shmctl(id in the upper half)", syscall(SYS_shmctl, shm | (1L << 32), IPC_STAT, big) == 0);
		CHECK("shmat(kernel address)", syscall(SYS_shmat, shm, KADDR, 0));
		CHECK("shmat(top of user space)", syscall(SYS_shmat, shm, (void *)0x7ffffffff000UL, 0));
		CHECK("shmat(-PAGE, SHM_RND)", syscall(SYS_shmat, shm, (void *)-PAGE, SHM_RND));
		CHECK("shmat(LOW, SHM_RND|SHM_REMAP)", syscall(SYS_shmat, shm, (void *)100, SHM_RND | SHM_REMAP));
		CHECK("shmdt(kernel address)", syscall(SYS_shmdt, KADDR));
		CHECK("shmdt(NULL)", syscall(SYS_shmdt, NULL));
		CHECK("semop(kernel address)", syscall(SYS_semop, sem, KADDR, 1));
		CHECK("semop(ops over the hole)", syscall(SYS_semop, sem, hole - 6, 2));
		CHECK("semop(nsops UINT_MAX)", syscall(SYS_semop, sem, sops, 0xffffffffUL));
		CHECK("semop(nsops 2^32 + 1: an unsigned int)", syscall(SYS_semop, sem, sops, (1UL << 32) + 1));
		CHECK("semtimedop(timeout kernel address)", syscall(SYS_semtimedop, sem, sops, 1, KADDR));
		CHECK("semctl(GETALL, read-only)", syscall(SYS_semctl, sem, 0, GETALL, ro));
		CHECK("semctl(SETALL, unmapped)", syscall(SYS_semctl, sem, 0, SETALL, hole));
		CHECK("semctl(IPC_STAT, kernel address)", syscall(SYS_semctl, sem, 0, IPC_STAT, KADDR));
		CHECK("semctl(SETVAL, 2^32 + 1: an int)", syscall(SYS_semctl, sem, 0, SETVAL, (1UL << 32) + 1));
		CHECK("semctl(GETVAL)", syscall(SYS_semctl, sem, 0, GETVAL));
		CHECK("msgsnd(kernel address)", syscall(SYS_msgsnd, msq, KADDR, 1, 0));
		memcpy(edge - 8, &mtype, sizeof(mtype));
		CHECK("msgsnd(text over the hole)", syscall(SYS_msgsnd, msq, edge - 8, 20, 0));
		CHECK("msgsnd(size 2^63)", syscall(SYS_msgsnd, msq, edge - 8, 1UL << 63, 0));
		CHECK("msgsnd(text up to the hole)", syscall(SYS_msgsnd, msq, edge - 8, 10, 0));
		CHECK("msgrcv(size 2^63)", syscall(SYS_msgrcv, msq, big, 1UL << 63, 0, IPC_NOWAIT));
		CHECK("msgrcv(into read-only)", syscall(SYS_msgrcv, msq, ro, 64, 0, IPC_NOWAIT));
		CHECK("msgrcv(the message was lost)", syscall(SYS_msgrcv, msq, big, 64, 0, IPC_NOWAIT));
		CHECK("msgctl(IPC_STAT, kernel address)", syscall(SYS_msgctl, msq, IPC_STAT, KADDR));
		CHECK("msgctl(IPC_SET, unmapped)", syscall(SYS_msgctl, msq, IPC_SET, hole));
		CHECK("msgctl(MSG_INFO, read-only)", syscall(SYS_msgctl, msq, MSG_INFO, ro));
		{
			long mq = syscall(SYS_mq_open, "cvt-hostile", O_RDWR | O_CREAT, 0600, NULL);
			struct timespec bad = {0, -1};

			CHECK("mq_open(name kernel address)", syscall(SYS_mq_open, KADDR, O_RDWR, 0, NULL));
			CHECK("mq_open(name over the hole)", syscall(SYS_mq_open, edge, O_RDWR, 0, NULL));
			CHECK("mq_timedsend(message kernel address)", syscall(SYS_mq_timedsend, mq, KADDR, 10, 0, NULL));
			CHECK("mq_timedsend(message over the hole)", syscall(SYS_mq_timedsend, mq, edge, 20, 0, NULL));
			CHECK("mq_timedsend(len 2^63)", syscall(SYS_mq_timedsend, mq, edge, 1UL << 63, 0, NULL));
			CHECK("mq_timedsend(prio UINT_MAX)", syscall(SYS_mq_timedsend, mq, edge, 1, 0xffffffffUL, NULL));
			CHECK("mq_timedsend(timeout unmapped)", syscall(SYS_mq_timedsend, mq, edge, 1, 0, hole));
			CHECK("mq_timedsend(timeout nsec -1)", syscall(SYS_mq_timedsend, mq, edge, 1, 0, &bad));
			CHECK("mq_timedsend", syscall(SYS_mq_timedsend, mq, edge, 10, 0, NULL));
			CHECK("mq_timedreceive(into read-only)", syscall(SYS_mq_timedreceive, mq, ro, 8192, NULL, NULL));
			CHECK("mq_timedsend", syscall(SYS_mq_timedsend, mq, edge, 10, 0, NULL));
			CHECK("mq_timedreceive(prio kernel address)", syscall(SYS_mq_timedreceive, mq, big, 8192, KADDR, NULL));
			CHECK("mq_getsetattr(old kernel address)", syscall(SYS_mq_getsetattr, mq, NULL, KADDR));
			CHECK("mq_getsetattr(new unmapped)", syscall(SYS_mq_getsetattr, mq, hole, NULL));
			CHECK("mq_notify(pipe fd)", syscall(SYS_mq_notify, p[0], NULL));
			CHECK("mq_unlink", syscall(SYS_mq_unlink, "cvt-hostile"));
			close((int)mq);
		}
		CHECK("shmctl(IPC_RMID)", syscall(SYS_shmctl, shm, IPC_RMID, NULL));
		CHECK("semctl(IPC_RMID)", syscall(SYS_semctl, sem, 0, IPC_RMID));
		CHECK("msgctl(IPC_RMID)", syscall(SYS_msgctl, msq, IPC_RMID, NULL));
	}

	printf("-- runtime calls\n");
	{
		struct iovec lv = {big, 64}, rv = {KADDR, 64};

		CHECK("process_vm_readv(own, remote kernel address)", syscall(SYS_process_vm_readv, getpid(), &lv, 1, &rv, 1, 0));
		CHECK("process_vm_readv(own, iovecs kernel address)", syscall(SYS_process_vm_readv, getpid(), KADDR, 1, &rv, 1, 0));
		rv.iov_base = area;
		lv.iov_base = ro;
		CHECK("process_vm_readv(own, into read-only)", syscall(SYS_process_vm_readv, getpid(), &lv, 1, &rv, 1, 0));
		lv.iov_len = (size_t)-1;
		CHECK("process_vm_readv(iov_len -1)", syscall(SYS_process_vm_readv, getpid(), &lv, 1, &rv, 1, 0));
		CHECK("mlock(kernel address)", syscall(SYS_mlock, KADDR, PAGE));
		CHECK("munlock(kernel address)", syscall(SYS_munlock, KADDR, PAGE));
		CHECK("mlock(unmapped)", syscall(SYS_mlock, hole, PAGE));
		CHECK("mlockall(-1)", syscall(SYS_mlockall, -1));
		CHECK("membarrier(QUERY, flags -1)", syscall(SYS_membarrier, 0, -1, 0));
		CHECK("membarrier(-1)", syscall(SYS_membarrier, -1, 0, 0));
		CHECK("sched_setattr(kernel address)", syscall(SYS_sched_setattr, 0, KADDR, 0));
		CHECK("sched_getattr(kernel address)", syscall(SYS_sched_getattr, 0, KADDR, 48, 0));
		CHECK("sched_getattr(read-only)", syscall(SYS_sched_getattr, 0, ro, 48, 0));
		CHECK("sched_getattr(size 8192)", syscall(SYS_sched_getattr, 0, big, 8192, 0));
		CHECK("kcmp(KCMP_FILE, fd 2^31)", syscall(SYS_kcmp, getpid(), getpid(), 0, 1UL << 31, 0));
		CHECK("kcmp(pid -1)", syscall(SYS_kcmp, -1, getpid(), 1, 0, 0));
		CHECK("ioprio_set(-1)", syscall(SYS_ioprio_set, 1, 0, -1));
		CHECK("ioprio_get(PROCESS, -1)", syscall(SYS_ioprio_get, 1, -1));
	}

	printf("-- still alive\n");
	close(fd);
	close(dir);
	close(wfd);
	close(tfd);
	close(pfd);
	close(p[0]);
	close(p[1]);
	CHECK("no fd left behind", dup(0) == first_free);
	/* 0 in a sandbox that runs the program as its pid 1. */
	CHECK("getppid works", syscall(SYS_getppid) >= 0);
	CHECK("malloc works", malloc(1 << 20) != NULL);
	CHECK("pipe works", pipe(p) == 0 && write(p[1], "ok", 2) == 2 && read(p[0], buf, 2) == 2);
	printf("survived\n");
	return 0;
}
