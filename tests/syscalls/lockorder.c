/*
 * Record locks as F_GETLK shows them to another process: a holder's locks
 * split by a lock of another type inside them, joined with a neighbour of
 * the same type, and the first conflicting lock answered when several
 * conflict (the lowest of one holder's, and the first holder's before a
 * later one's).  LTP's fcntl11 found the order wrong.
 */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>

static int fd;

static int lk(int type, off_t start, off_t len)
{
	struct flock fl = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};

	return fcntl(fd, F_SETLK, &fl);
}

static const char *tname(int t)
{
	return t == F_RDLCK ? "R" : t == F_WRLCK ? "W" : t == F_UNLCK ? "U" : "?";
}

/* In a child (another owner): what F_GETLK says of a write lock from start to the end of the file. */
static void probe(const char *what, off_t start)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = 0};

		if (fcntl(fd, F_GETLK, &fl) < 0)
			printf("%s: -1 %s\n", what, errname(errno));
		else
			printf("%s: %s %lld+%lld%s\n", what, tname(fl.l_type), (long long)fl.l_start, (long long)fl.l_len,
			       fl.l_type == F_UNLCK ? "" : fl.l_pid == getppid() ? " (parent)" : " (other)");
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	char path[] = "/tmp/lockorder.XXXXXX";
	pid_t other;
	int up[2], down[2];

	fd = mkstemp(path);
	if (fd < 0 || write(fd, "0123456789abcdefghijklmnopqrstuvwxyz", 36) != 36)
		return 1;
	unlink(path);

	/* A read lock in the middle of a write lock: W 10+3, R 13+5, W 18+2. */
	CHECK("W 10+10", lk(F_WRLCK, 10, 10));
	CHECK("R 13+5", lk(F_RDLCK, 13, 5));
	probe("split, from 0", 0);
	probe("split, from 13", 13);
	probe("split, from 18", 18);
	probe("split, from 20", 20);
	CHECK("unlock all", lk(F_UNLCK, 0, 0));

	/* A read lock over the end of a write lock, set before it in the file: R 5+8 trims W 10+5 to 13+2. */
	CHECK("W 10+5", lk(F_WRLCK, 10, 5));
	CHECK("R 5+8", lk(F_RDLCK, 5, 8));
	probe("trimmed, from 0", 0);
	probe("trimmed, from 13", 13);
	CHECK("unlock all", lk(F_UNLCK, 0, 0));

	/* Neighbours of one type become one lock; of two types they stay two. */
	CHECK("W 20+2", lk(F_WRLCK, 20, 2));
	CHECK("W 10+5", lk(F_WRLCK, 10, 5));
	CHECK("W 15+5", lk(F_WRLCK, 15, 5));
	probe("joined, from 0", 0);
	CHECK("R 22+3", lk(F_RDLCK, 22, 3));
	probe("not joined, from 22", 22);
	CHECK("unlock 12+3", lk(F_UNLCK, 12, 3));
	probe("hole, from 0", 0);
	probe("hole, from 12", 12);
	CHECK("unlock all", lk(F_UNLCK, 0, 0));

	/* Two holders: another process's lock, set first, is answered before this one's lower one. */
	if (pipe(up) < 0 || pipe(down) < 0)
		return 1;
	other = fork();
	if (other == 0) {
		char c;

		lk(F_RDLCK, 30, 2);
		if (write(up[1], "x", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	{
		char c;

		if (read(up[0], &c, 1) != 1)
			return 1;
	}
	CHECK("R 2+2", lk(F_RDLCK, 2, 2));
	probe("two holders, from 0", 0);
	if (write(down[1], "x", 1) != 1)
		return 1;
	waitpid(other, NULL, 0);
	probe("one holder left, from 0", 0);
	return 0;
}
