/*
 * POSIX message queues: mq_open's names, flags, attributes and limits,
 * priority order, O_NONBLOCK and mq_setattr, timeouts, a receiver woken by
 * a sender, poll on the queue's fd, its status line, notification by
 * signal (one shot, EBUSY for a second process, removal), SIGEV_THREAD
 * failing cleanly where it cannot work, permissions, mq_unlink with the
 * queue still open, and /proc/sys/fs/mqueue.  Natively the program moves
 * to a fresh IPC namespace first (see sysvshm.c).
 */
#include "check.h"
#include "ipc_ns.h"

#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static volatile int got_sig, got_code, got_val;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_val = si->si_value.sival_int;
}

static void show_attr(mqd_t q, const char *when)
{
	struct mq_attr a;

	if (mq_getattr(q, &a) < 0) {
		printf("%s: mq_getattr %s\n", when, errname(errno));
		return;
	}
	printf("%s: flags=%#lx maxmsg=%ld msgsize=%ld curmsgs=%ld\n", when, a.mq_flags, a.mq_maxmsg, a.mq_msgsize,
	       a.mq_curmsgs);
}

static void rcv(const char *what, mqd_t q, size_t len)
{
	char buf[9000];
	unsigned prio = 99;
	long r = mq_receive(q, buf, len, &prio);

	if (r < 0)
		printf("%s = -1 %s\n", what, errname(errno));
	else
		printf("%s = %ld: prio %u \"%.*s\"\n", what, r, prio, (int)r, buf);
	fflush(stdout);
}

static void status(mqd_t q, const char *when)
{
	char buf[200];
	ssize_t n = pread(q, buf, sizeof(buf) - 1, 0);

	if (n < 0) {
		printf("%s: read %s\n", when, errname(errno));
		return;
	}
	buf[n] = 0;
	/* NOTIFY_PID is a pid: shown as whether it is set. */
	if (strstr(buf, "NOTIFY_PID:"))
		*strstr(buf, "NOTIFY_PID:") = 0;
	printf("%s: %s|\n", when, buf);
}

int main(void)
{
	struct mq_attr attr = {.mq_maxmsg = 3, .mq_msgsize = 16};
	struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO};
	struct sigevent sev;
	struct timespec ts;
	struct pollfd pfd;
	char longname[300];
	mqd_t q, q2, q3;
	int st;
	pid_t pid;

	if (ipc_own_namespace() < 0)
		return 1;
	show_sysctl("fs/mqueue", "msg_default");
	show_sysctl("fs/mqueue", "msg_max");
	show_sysctl("fs/mqueue", "msgsize_default");
	show_sysctl("fs/mqueue", "msgsize_max");
	show_sysctl("fs/mqueue", "queues_max");
	sigaction(SIGUSR1, &sa, NULL);
	umask(022);

	/* Names (glibc takes the leading slash off; the raw call sees the rest). */
	CHECK("mq_open(no slash)", mq_open("q", O_RDWR | O_CREAT, 0600, NULL));
	CHECK("mq_open(/)", mq_open("/", O_RDWR | O_CREAT, 0600, NULL));
	CHECK("mq_open(/a/b)", mq_open("/a/b", O_RDWR | O_CREAT, 0600, NULL));
	CHECK("mq_open(/..)", mq_open("/..", O_RDWR | O_CREAT, 0600, NULL));
	memset(longname, 'n', sizeof(longname));
	longname[0] = '/';
	longname[257] = 0;
	CHECK("mq_open(256-byte name)", mq_open(longname, O_RDWR | O_CREAT, 0600, NULL));
	longname[256] = 0;
	CHECK_OK("mq_open(255-byte name)", q = mq_open(longname, O_RDWR | O_CREAT, 0600, NULL));
	CHECK("mq_unlink(255-byte name)", mq_unlink(longname));
	mq_close(q);
	CHECK("mq_open(missing)", mq_open("/missing", O_RDWR, 0, NULL));
	CHECK("mq_unlink(missing)", mq_unlink("/missing"));
	CHECK("raw mq_open(NULL)", syscall(SYS_mq_open, NULL, O_RDWR, 0, NULL));
	CHECK("raw mq_open(\"\")", syscall(SYS_mq_open, "", O_RDWR | O_CREAT, 0600, NULL));

	/* Attributes. */
	attr.mq_maxmsg = 0;
	CHECK("mq_open(maxmsg 0)", mq_open("/a", O_RDWR | O_CREAT, 0600, &attr));
	attr.mq_maxmsg = 3;
	attr.mq_msgsize = -1;
	CHECK("mq_open(msgsize -1)", mq_open("/a", O_RDWR | O_CREAT, 0600, &attr));
	attr.mq_msgsize = 16;
	CHECK("raw mq_open(attr kernel address)", syscall(SYS_mq_open, "a", O_RDWR | O_CREAT, 0600, (void *)-4096L));
	CHECK_OK("mq_open(/a, 3 x 16)", q = mq_open("/a", O_RDWR | O_CREAT, 0640, &attr));
	CHECK("mq_open(/a, O_CREAT|O_EXCL)", mq_open("/a", O_RDWR | O_CREAT | O_EXCL, 0600, &attr));
	CHECK("mq_open(/a, O_ACCMODE)", mq_open("/a", 3, 0, NULL));
	CHECK("fd is close-on-exec", fcntl(q, F_GETFD));
	show_attr(q, "new");
	CHECK_OK("mq_open(/d) with defaults", q2 = mq_open("/d", O_RDWR | O_CREAT | O_NONBLOCK, 0600, NULL));
	show_attr(q2, "defaults, O_NONBLOCK");
	status(q, "empty");

	/* Sending, in priority order. */
	CHECK("mq_send(17 bytes)", mq_send(q, "12345678901234567", 17, 1));
	CHECK("mq_send(prio 32768)", mq_send(q, "x", 1, 32768));
	CHECK("mq_send(low, 1)", mq_send(q, "low", 3, 1));
	CHECK("mq_send(high, 9)", mq_send(q, "high", 4, 9));
	CHECK("mq_send(low2, 1)", mq_send(q, "low2", 4, 1));
	show_attr(q, "three queued");
	status(q, "three queued");
	ts = (struct timespec){0, 0};
	CHECK("mq_timedsend(full, deadline past)", mq_timedsend(q, "x", 1, 0, &ts));
	ts.tv_nsec = 1000000000;
	CHECK("mq_timedsend(full, bad deadline)", mq_timedsend(q, "x", 1, 0, &ts));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20000000;
	if (ts.tv_nsec >= 1000000000)
		ts.tv_sec++, ts.tv_nsec -= 1000000000;
	CHECK("mq_timedsend(full, 20 ms)", mq_timedsend(q, "x", 1, 0, &ts));
	pfd = (struct pollfd){q, POLLIN | POLLOUT, 0};
	CHECK("poll(full)", poll(&pfd, 1, 0));
	printf("revents %#x\n", pfd.revents);
	rcv("mq_receive(len 15)", q, 15);
	rcv("mq_receive", q, 16);
	rcv("mq_receive", q, 16);
	rcv("mq_receive", q, 16);
	ts = (struct timespec){0, 0};
	CHECK("mq_timedreceive(empty, deadline past)", mq_timedreceive(q, longname, 16, NULL, &ts));
	rcv("mq_receive(O_NONBLOCK, empty)", q2, 8192);
	pfd = (struct pollfd){q, POLLIN | POLLOUT, 0};
	CHECK("poll(empty)", poll(&pfd, 1, 0));
	printf("revents %#x\n", pfd.revents);

	/* mq_setattr changes only O_NONBLOCK. */
	attr.mq_flags = O_NONBLOCK;
	attr.mq_maxmsg = 99;
	CHECK("mq_setattr(O_NONBLOCK)", mq_setattr(q, &attr, NULL));
	show_attr(q, "after mq_setattr");
	rcv("mq_receive(now non-blocking)", q, 16);
	attr.mq_flags = O_NONBLOCK | O_APPEND;
	CHECK("mq_setattr(O_APPEND)", mq_setattr(q, &attr, NULL));
	attr.mq_flags = 0;
	CHECK("mq_setattr(0)", mq_setattr(q, &attr, NULL));
	CHECK("mq_getattr(not a queue)", mq_getattr(0, &attr));
	CHECK("mq_send(not a queue)", mq_send(0, "x", 1, 0));
	CHECK("mq_send(bad fd)", mq_send(99, "x", 1, 0));

	/* A receiver blocks until a message comes. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char buf[16];
		unsigned prio;
		long r = mq_receive(q, buf, sizeof(buf), &prio);

		_exit(r < 0 ? errno : r == 5 && prio == 7 && !memcmp(buf, "wake!", 5) ? 0 : 99);
	}
	usleep(50000);
	CHECK("mq_send(to a waiting receiver)", mq_send(q, "wake!", 5, 7));
	waitpid(pid, &st, 0);
	printf("receiver: %s\n", WEXITSTATUS(st) ? errname(WEXITSTATUS(st)) : "got it");

	/* Notification by signal: one shot, for the first message into an empty queue. */
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 42;
	CHECK("mq_notify(SIGEV_SIGNAL)", mq_notify(q, &sev));
	status(q, "with a notification");
	CHECK("mq_notify again", mq_notify(q, &sev));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		_exit(mq_notify(q, &sev) < 0 ? errno : 0);
	}
	waitpid(pid, &st, 0);
	printf("another process's mq_notify: %s\n", WEXITSTATUS(st) ? errname(WEXITSTATUS(st)) : "0");
	CHECK("mq_send (first message)", mq_send(q, "n1", 2, 0));
	printf("signal %d code %s value %d\n", got_sig, got_code == SI_MESGQ ? "SI_MESGQ" : "other", got_val);
	got_sig = 0;
	CHECK("mq_send (second)", mq_send(q, "n2", 2, 0));
	printf("signal %d (one shot)\n", got_sig);
	status(q, "after the notification");
	sev.sigev_signo = 65;
	CHECK("mq_notify(signal 65)", mq_notify(q, &sev));
	sev.sigev_notify = 9;
	CHECK("mq_notify(bad sigev_notify)", mq_notify(q, &sev));
	sev.sigev_notify = SIGEV_NONE;
	CHECK("mq_notify(SIGEV_NONE)", mq_notify(q, &sev));
	status(q, "SIGEV_NONE");
	CHECK("mq_notify(NULL) removes it", mq_notify(q, NULL));
	CHECK("mq_notify(NULL) again", mq_notify(q, NULL));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_signo = 0; /* the raw call takes a netlink socket's fd here, and a 32-byte cookie */
	CHECK("raw mq_notify(SIGEV_THREAD, no cookie)", syscall(SYS_mq_notify, q, &sev));
	sev.sigev_value.sival_ptr = longname;
	CHECK("raw mq_notify(SIGEV_THREAD, fd 0)", syscall(SYS_mq_notify, q, &sev));
	sev.sigev_signo = 99;
	CHECK("raw mq_notify(SIGEV_THREAD, bad fd)", syscall(SYS_mq_notify, q, &sev));
	CHECK("raw mq_notify(sigevent kernel address)", syscall(SYS_mq_notify, q, (void *)-4096L));

	/* Permissions (0640), and other users' limits. */
	pid = fork_as(2000, 2000);
	if (pid == 0) {
		struct mq_attr big = {.mq_maxmsg = 11, .mq_msgsize = 16};

		CHECK("other user: mq_open(/a, O_RDONLY)", mq_open("/a", O_RDONLY));
		CHECK("other user: mq_unlink(/a)", mq_unlink("/a"));
		CHECK("other user: maxmsg 11 > msg_max", mq_open("/b", O_RDWR | O_CREAT, 0600, &big));
		big.mq_maxmsg = 10;
		big.mq_msgsize = 8193;
		CHECK("other user: msgsize 8193 > msgsize_max", mq_open("/b", O_RDWR | O_CREAT, 0600, &big));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	pid = fork_as(0, 3000);
	if (pid == 0) {
		CHECK_OK("group member: mq_open(/a, O_RDONLY)", mq_open("/a", O_RDONLY));
		CHECK("group member: mq_open(/a, O_WRONLY)", mq_open("/a", O_WRONLY));
		_exit(0);
	}
	waitpid(pid, &st, 0);

	/* Access modes of the descriptor. */
	CHECK_OK("mq_open(/a, O_WRONLY)", q3 = mq_open("/a", O_WRONLY));
	rcv("mq_receive(write-only)", q3, 16);
	mq_close(q3);
	CHECK_OK("mq_open(/a, O_RDONLY)", q3 = mq_open("/a", O_RDONLY));
	CHECK("mq_send(read-only)", mq_send(q3, "x", 1, 0));

	/* Unlinked while open: still works through the fds, gone by name. */
	CHECK("mq_unlink(/a)", mq_unlink("/a"));
	CHECK("mq_open(/a) after unlink", mq_open("/a", O_RDWR));
	rcv("mq_receive after unlink", q3, 16);
	CHECK_OK("mq_open(/a) anew", q2 = mq_open("/a", O_RDWR | O_CREAT | O_EXCL, 0600, NULL));
	show_attr(q2, "the new /a");
	mq_close(q2);
	CHECK("mq_unlink(/a) anew", mq_unlink("/a"));
	CHECK("mq_unlink(/d)", mq_unlink("/d"));
	CHECK("mq_close", mq_close(q3));
	CHECK("mq_close again", mq_close(q3));
	return 0;
}
