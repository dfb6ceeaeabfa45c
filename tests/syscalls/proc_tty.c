/*
 * /proc/PID/stat's tty_nr and tpgid (fields 7 and 8): 0 and -1 for a
 * process with no controlling terminal; once a session leader opens a pty's
 * slave, the slave's device number and the terminal's foreground group, as
 * tcgetpgrp gives it, for it and for its children.  ps's TTY column and
 * job-control tools read them.  Only a pty of the test's own is touched.
 */
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <termios.h>

/* Fields 7 and 8 of /proc/self/stat (after the comm's closing parenthesis). */
static int tty_fields(int *tty_nr, int *tpgid)
{
	char buf[1024], *p;
	int fd = open("/proc/self/stat", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* ") S ppid pgrp session tty_nr tpgid" */
	return p && sscanf(p + 2, "%*c %*d %*d %*d %d %d", tty_nr, tpgid) == 2 ? 0 : -1;
}

static void show(const char *who, int slave)
{
	struct stat st;
	int tty_nr = -2, tpgid = -2;

	if (tty_fields(&tty_nr, &tpgid) < 0) {
		printf("%s: /proc/self/stat unreadable\n", who);
		return;
	}
	if (slave < 0) {
		printf("%s: tty_nr %d tpgid %d\n", who, tty_nr, tpgid);
		return;
	}
	fstat(slave, &st);
	printf("%s: tty_nr is the slave's device: %d; tpgid is tcgetpgrp: %d; tpgid is the caller's group: %d\n", who,
	       (unsigned)tty_nr == (unsigned)st.st_rdev, tpgid == tcgetpgrp(slave), tpgid == getpgrp());
	fflush(stdout);
}

int main(void)
{
	int m, s;
	pid_t pid;

	/* The runner's own terminal, if any, is left: a new session has none. */
	pid = fork();
	if (pid == 0) {
		setsid();
		show("a new session", -1);
		m = posix_openpt(O_RDWR | O_NOCTTY);
		if (m < 0 || grantpt(m) || unlockpt(m)) {
			printf("no pty: %s\n", errname(errno));
			_exit(1);
		}
		show("after posix_openpt with O_NOCTTY", -1);
		s = open(ptsname(m), O_RDWR); /* a session leader without one: it becomes the controlling terminal */
		if (s < 0) {
			printf("open slave: %s\n", errname(errno));
			_exit(1);
		}
		show("session leader", s);
		pid = fork();
		if (pid == 0) {
			show("child", s);
			_exit(0);
		}
		wait_child("a child in the foreground", pid);
		/* A child in a group of its own, put in the foreground: the leader sees that group too. */
		pid = fork();
		if (pid == 0) {
			setpgid(0, 0);
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(s, getpgrp());
			show("child, its own group in the foreground", s);
			_exit(0);
		}
		wait_child("the child in its own group", pid);
		{
			int tty_nr, tpgid;

			tty_fields(&tty_nr, &tpgid);
			printf("leader after it: tpgid is its own group: %d, is the child's: %d\n", tpgid == getpgrp(),
			       tpgid == pid);
			fflush(stdout);
		}
		_exit(0);
	}
	wait_child("the session", pid);
	return 0;
}
