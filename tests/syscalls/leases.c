/*
 * Leases: F_SETLEASE/F_GETLEASE's rules (open writers, other opens, file
 * type, ownership), and the break protocol: an open that conflicts sends
 * the holder SIGIO (or its F_SETSIG signal with si_fd and POLL_MSG), fails
 * with EWOULDBLOCK under O_NONBLOCK, and otherwise waits until the holder
 * downgrades or releases the lease; F_GETLEASE shows what the break asks.
 */
#include "check.h"
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define F "/tmp/cvt-lease"

/* Waits (up to 5 s) for sig, blocked; prints what came. */
static void expect_signal(const char *what, int sig)
{
	struct timespec ts = {5, 0};
	sigset_t set;
	siginfo_t si;
	int r;

	sigemptyset(&set);
	sigaddset(&set, sig);
	r = sigtimedwait(&set, &si, &ts);
	if (r < 0)
		printf("%s: no signal (%s)\n", what, errname(errno));
	else
		printf("%s: signal %s code %d fd %d\n", what, r == SIGIO ? "SIGIO" : "SIGRTMIN", si.si_code,
		       r == SIGIO ? -1 : si.si_fd);
}

/* A child that opens F with flags and exits 0 when the open worked, 2 for EWOULDBLOCK. */
static pid_t opener(int flags)
{
	pid_t p = fork();

	if (p == 0) {
		int fd = open(F, flags);

		_exit(fd >= 0 ? 0 : errno == EWOULDBLOCK ? 2 : 1);
	}
	return p;
}

static void reap(const char *what, pid_t p)
{
	int st;

	waitpid(p, &st, 0);
	printf("%s: exit %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
	int rw, ro, ro2, op, pfd[2], fd;
	sigset_t set;
	pid_t p;

	setvbuf(stdout, NULL, _IONBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = open(F, O_CREAT | O_RDWR, 0644);
	close(fd);

	rw = open(F, O_RDWR);
	CHECK("read lease with a writer (self)", fcntl(rw, F_SETLEASE, F_RDLCK));
	CHECK("get lease: none", fcntl(rw, F_GETLEASE));
	CHECK("release without a lease", fcntl(rw, F_SETLEASE, F_UNLCK));
	ro = open(F, O_RDONLY);
	CHECK("write lease with another open", fcntl(ro, F_SETLEASE, F_WRLCK));
	CHECK("read lease with a writer (other)", fcntl(ro, F_SETLEASE, F_RDLCK));
	close(rw);
	CHECK("bad lease type", fcntl(ro, F_SETLEASE, 7));
	CHECK("read lease", fcntl(ro, F_SETLEASE, F_RDLCK));
	CHECK("get lease", fcntl(ro, F_GETLEASE));
	ro2 = open(F, O_RDONLY);
	CHECK("second reader's read lease", fcntl(ro2, F_SETLEASE, F_RDLCK));
	CHECK("upgrade with another reader", fcntl(ro, F_SETLEASE, F_WRLCK));
	CHECK("second reader lets go", fcntl(ro2, F_SETLEASE, F_UNLCK));
	close(ro2);
	CHECK("upgrade when alone", fcntl(ro, F_SETLEASE, F_WRLCK));
	CHECK("get lease", fcntl(ro, F_GETLEASE));
	if (pipe(pfd) < 0)
		return 1;
	CHECK("lease on a pipe", fcntl(pfd[0], F_SETLEASE, F_RDLCK));
	op = open(F, O_PATH);
	CHECK("lease on O_PATH", fcntl(op, F_SETLEASE, F_RDLCK));
	close(op);

	/* Break by a reader: SIGIO, the lease to become a read lease. */
	p = opener(O_RDONLY | O_NONBLOCK);
	reap("reader, O_NONBLOCK", p);
	expect_signal("break for a reader", SIGIO);
	CHECK("get lease while broken", fcntl(ro, F_GETLEASE));
	p = opener(O_RDONLY);
	usleep(50000);
	CHECK("downgrade", fcntl(ro, F_SETLEASE, F_RDLCK));
	reap("reader after the downgrade", p);
	CHECK("get lease", fcntl(ro, F_GETLEASE));

	/* Break by a writer, with F_SETSIG: the signal names the fd. */
	CHECK("F_SETSIG", fcntl(ro, F_SETSIG, SIGRTMIN));
	p = opener(O_WRONLY);
	expect_signal("break for a writer", SIGRTMIN);
	CHECK("get lease while broken", fcntl(ro, F_GETLEASE));
	CHECK("release", fcntl(ro, F_SETLEASE, F_UNLCK));
	reap("writer after the release", p);
	CHECK("get lease", fcntl(ro, F_GETLEASE));

	/* Closing the file ends the lease and lets a waiting opener in. */
	CHECK("read lease again", fcntl(ro, F_SETLEASE, F_RDLCK));
	p = fork();
	if (p == 0) {
		/* Its copy of ro would keep the lease (the open file) until the break time, 45 s, ran out. */
		close(ro);
		_exit(truncate(F, 0) == 0 ? 0 : 1);
	}
	/* The release cleared F_SETSIG (and the owner): SIGIO again. */
	expect_signal("break for a truncate", SIGIO);
	close(ro);
	reap("truncate after the close", p);

	/* Not the owner, no CAP_LEASE. */
	p = fork();
	if (p == 0) {
		if (setgroups(0, NULL) < 0 || setgid(1000) < 0 || setuid(1000) < 0)
			_exit(9);
		ro = open(F, O_RDONLY);
		_exit(fcntl(ro, F_SETLEASE, F_RDLCK) < 0 && errno == EACCES ? 0 : 1);
	}
	reap("lease by a non-owner is EACCES", p);
	return 0;
}
