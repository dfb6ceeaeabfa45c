/*
 * ioctl(FIOASYNC): O_ASYNC set and cleared as F_SETFL does it, on a unix
 * socketpair (what nginx does to its workers' channels) and a pipe; SIGIO
 * comes when the other end writes; a regular file refuses it (ENOTTY).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t sigio;

static void on_sigio(int sig)
{
	(void)sig;
	sigio++;
}

static void try(const char *what, int rfd, int wfd)
{
	int on = 1, off = 0, r;

	sigio = 0;
	r = ioctl(rfd, FIOASYNC, &on);
	printf("%s: FIOASYNC on %d", what, r);
	printf(", O_ASYNC %s", fcntl(rfd, F_GETFL) & O_ASYNC ? "set" : "clear");
	fcntl(rfd, F_SETOWN, getpid());
	if (write(wfd, "x", 1) != 1)
		perror("write");
	printf(", SIGIO %s", sigio ? "came" : "did not come");
	r = ioctl(rfd, FIOASYNC, &off);
	printf(", off %d, O_ASYNC %s\n", r, fcntl(rfd, F_GETFL) & O_ASYNC ? "set" : "clear");
}

int main(void)
{
	int sv[2], p[2], on = 1, fd, r;
	char name[] = "/tmp/fioasync.XXXXXX";

	signal(SIGIO, on_sigio);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(p))
		return 1;
	try("socketpair", sv[0], sv[1]);
	try("pipe", p[0], p[1]);
	fd = mkstemp(name);
	r = ioctl(fd, FIOASYNC, &on);
	printf("regular file: %d %s\n", r, strerror(errno));
	r = ioctl(sv[0], FIOASYNC, (int *)8);
	printf("bad pointer: %d %s\n", r, strerror(errno));
	unlink(name);
	return 0;
}
