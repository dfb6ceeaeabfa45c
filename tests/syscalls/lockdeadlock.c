/*
 * Record locks: F_SETLKW refuses with EDEADLK a wait that would close a
 * cycle of processes waiting for each other's POSIX locks (two and three
 * processes), and F_GETLK names the conflicting lock (type, range, pid).
 */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

static int lk(int fd, int cmd, int type, off_t start, off_t len)
{
	struct flock fl = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};

	return fcntl(fd, cmd, &fl);
}

/* Is pid asleep (state S) in the kernel, so that its F_SETLKW is surely waiting? */
static void wait_sleeping(pid_t pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 5000; i++) {
		FILE *f = fopen(path, "r");
		char *p = NULL;

		if (f && fgets(buf, sizeof(buf), f))
			p = strrchr(buf, ')');
		if (f)
			fclose(f);
		if (p && p[2] == 'S')
			break;
		usleep(1000);
	}
	usleep(20000);
}

int main(void)
{
	int fd = open("/tmp/cvt-lock", O_CREAT | O_RDWR | O_TRUNC, 0644), pipefd[2], st;
	struct flock fl;
	pid_t a, b;
	char c;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (pipe(pipefd) < 0)
		return 1;
	CHECK("parent locks byte 0", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	a = fork();
	if (a == 0) {
		lk(fd, F_SETLK, F_WRLCK, 1, 1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		/* Waits for the parent's byte 0. */
		_exit(lk(fd, F_SETLKW, F_WRLCK, 0, 1) == 0 ? 0 : 1);
	}
	if (read(pipefd[0], &c, 1) != 1)
		return 1;
	wait_sleeping(a);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_start = 1;
	fl.l_len = 10;
	CHECK("F_GETLK byte 1..10", fcntl(fd, F_GETLK, &fl));
	printf("conflict: type %d start %ld len %ld pid is child %d\n", fl.l_type, (long)fl.l_start, (long)fl.l_len,
	       fl.l_pid == a);
	CHECK("parent waits for byte 1: deadlock", lk(fd, F_SETLKW, F_WRLCK, 1, 1));
	CHECK("parent F_SETLK byte 1", lk(fd, F_SETLK, F_WRLCK, 1, 1));
	CHECK("parent unlocks byte 0", lk(fd, F_SETLK, F_UNLCK, 0, 1));
	waitpid(a, &st, 0);
	printf("child exit %d\n", WEXITSTATUS(st));

	/* Three: parent holds 0, A holds 1 and waits for 0, B holds 2 and waits for 1; parent asks for 2. */
	CHECK("parent locks byte 0 again", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	a = fork();
	if (a == 0) {
		lk(fd, F_SETLK, F_WRLCK, 1, 1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		lk(fd, F_SETLKW, F_WRLCK, 0, 1);
		_exit(0);
	}
	if (read(pipefd[0], &c, 1) != 1)
		return 1;
	wait_sleeping(a);
	b = fork();
	if (b == 0) {
		lk(fd, F_SETLK, F_WRLCK, 2, 1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		lk(fd, F_SETLKW, F_WRLCK, 1, 1);
		_exit(0);
	}
	if (read(pipefd[0], &c, 1) != 1)
		return 1;
	wait_sleeping(b);
	CHECK("parent waits for byte 2: deadlock of three", lk(fd, F_SETLKW, F_WRLCK, 2, 1));
	CHECK("parent waits for byte 5: free", lk(fd, F_SETLKW, F_WRLCK, 5, 1));
	CHECK("parent unlocks all", lk(fd, F_SETLK, F_UNLCK, 0, 0));
	waitpid(a, &st, 0);
	waitpid(b, &st, 0);
	printf("both done\n");
	return 0;
}
