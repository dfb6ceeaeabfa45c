/*
 * The old termio ioctls on a pty (TCGETA, TCSETA, TCSETAW, TCSETAF: the low
 * halves of the flags and 8 control characters, the rest kept), and
 * readahead(2)'s checks.  stress-ng's pty and readahead stressors use both.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void ra(const char *what, int fd, off_t off, size_t n)
{
	ssize_t r;

	errno = 0;
	r = readahead(fd, off, n);
	printf("readahead %s: %zd %s\n", what, r, r < 0 ? strerror(errno) : "");
}

int main(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s, fd, p[2], v;
	struct termio o;
	struct termios k;

	if (m < 0 || grantpt(m) || unlockpt(m) || (s = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0) {
		perror("pty");
		return 1;
	}
	printf("TCGETA: %d\n", ioctl(s, TCGETA, &o));
	tcgetattr(s, &k);
	printf("a new pty: iflag %#x oflag %#x cflag %#x lflag %#x\n", k.c_iflag, k.c_oflag, k.c_cflag, k.c_lflag);
	printf("flags match TCGETS's low halves: %d %d %d %d, cc[VINTR] %d\n", o.c_iflag == (k.c_iflag & 0xffff),
	       o.c_oflag == (k.c_oflag & 0xffff), o.c_cflag == (k.c_cflag & 0xffff), o.c_lflag == (k.c_lflag & 0xffff),
	       o.c_cc[VINTR]);
	o.c_lflag &= (unsigned short)~(ICANON | ECHO);
	o.c_cc[VMIN] = 3;
	printf("TCSETA: %d\n", ioctl(s, TCSETA, &o));
	tcgetattr(s, &k);
	printf("after TCSETA: icanon %d echo %d vmin %d cflag %#x\n", !!(k.c_lflag & ICANON), !!(k.c_lflag & ECHO),
	       k.c_cc[VMIN], k.c_cflag);
	o.c_lflag |= ICANON;
	printf("TCSETAW: %d TCSETAF: %d\n", ioctl(s, TCSETAW, &o), ioctl(m, TCSETAF, &o));
	tcgetattr(s, &k);
	printf("after TCSETAF: icanon %d\n", !!(k.c_lflag & ICANON));
	v = ioctl(s, TCGETA, (void *)8);
	printf("TCGETA to a bad address: %d %s\n", v, strerror(errno));

	fd = open("/tmp/cvt-ra", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (write(fd, "hello", 5) != 5)
		return 1;
	ra("a file", fd, 0, 4096);
	ra("a negative offset", fd, -1, 1);
	ra("a huge count", fd, 0, (size_t)-1);
	close(fd);
	fd = open("/tmp/cvt-ra", O_WRONLY);
	ra("a write-only fd", fd, 0, 1);
	close(fd);
	fd = open("/tmp/cvt-ra", O_PATH);
	ra("an O_PATH fd", fd, 0, 1);
	close(fd);
	ra("a closed fd", fd, 0, 1);
	if (pipe(p) == 0)
		ra("a pipe", p[0], 0, 1);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ra("a directory", fd, 0, 1);
	unlink("/tmp/cvt-ra");
	return 0;
}
