/*
 * A new pseudo-terminal starts with a 0x0 window size, as Linux's: `stty
 * size` on it prints "0 0" until someone sets one with TIOCSWINSZ, which
 * both ends then read.
 */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static void show(const char *what, int fd)
{
	struct winsize ws = {7, 7, 7, 7};

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
		printf("%s: TIOCGWINSZ = -1 %s\n", what, errname(errno));
	else
		printf("%s: %u rows %u columns %u x %u pixels\n", what, ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel);
}

/* Runs `stty size` with the terminal as its stdin. */
static void stty_size(int fd)
{
	int st;
	pid_t p;

	fflush(stdout);
	p = fork();
	if (p == 0) {
		dup2(fd, 0);
		execl("/bin/stty", "stty", "size", (char *)NULL);
		_exit(127);
	}
	waitpid(p, &st, 0);
	if (st)
		printf("stty status %#x\n", st);
}

int main(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;
	struct winsize ws = {30, 100, 0, 0};

	if (m < 0 || grantpt(m) || unlockpt(m) || (s = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0) {
		printf("no pty: %s\n", errname(errno));
		return 1;
	}
	show("new master", m);
	show("new slave", s);
	stty_size(s);
	CHECK("TIOCSWINSZ on the slave", ioctl(s, TIOCSWINSZ, &ws));
	show("master", m);
	stty_size(s);
	return 0;
}
