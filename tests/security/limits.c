/*
 * The sandbox's resource limits, seen from inside: each mode runs into one
 * limit and prints the errno or signal it met.  tests/security/run.sh runs
 * them under `cvisor do --memory=64M`, `--files=N` and so on and checks
 * the lines against what Linux gives at such a limit; a native run makes
 * no sense here (the host has no such limits, and hitting its own would
 * hurt it), so the program refuses to run outside a sandbox.
 *
 *   overcommit  a private writable mmap and a brk larger than the memory: ENOMEM
 *   oom         a child allocates and touches memory until the OOM killer
 *               steps in: it kills a bigger sleeping child first, then the
 *               allocating one (SIGKILL), while their small parent lives on
 *   oom-self    pid 1 allocates until it is killed itself
 *   tmpfs       fills /tmp: ENOSPC, and a shared mapping's page past it: SIGBUS;
 *               then the overlay's writes and /tmp's share one budget
 *   pipes       fills pipe after pipe (ENOMEM), then socket after socket
 *               (ENOBUFS), once their buffers reach --memory
 *   files       pipes until EMFILE at RLIMIT_NOFILE, then eventfds under a
 *               raised RLIMIT_NOFILE until the sandbox's file limit: ENFILE
 *   pagecache F mapped files read one after the other under a small --memory
 *               (the page cache trimmed meanwhile): no sentry crash
 *   reclaim F   the files read into the page cache, then a child allocates
 *               until killed: it gets all but the program's own memory
 *   zombies     children that exit unreaped until fork fails (--tasks): EAGAIN
 *   hostfiles D files of the image in D, kept open, until the sentry's host
 *               fds run out (its RLIMIT_NOFILE): ENFILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Touches 1 MiB blocks until something gives; returns the MiB got when mmap fails. */
static long allocate_forever(void)
{
	long mib = 0;

	for (;;) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return mib;
		memset(p, 0x5a, 1 << 20);
		mib++;
	}
}

static int overcommit(void)
{
	void *p = mmap(NULL, 512 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *q = mmap(NULL, 512 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	void *r = mmap(NULL, 512 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *brk0 = sbrk(0);

	printf("mmap 512M: %s\n", p == MAP_FAILED ? strerrorname_np(errno) : "mapped");
	printf("mmap 512M noreserve: %s\n", q == MAP_FAILED ? strerrorname_np(errno) : "mapped");
	printf("mmap 512M PROT_NONE: %s\n", r == MAP_FAILED ? strerrorname_np(errno) : "mapped");
	printf("brk +512M: %s\n", sbrk(512 << 20) == (void *)-1 ? strerrorname_np(errno) : "grown");
	printf("brk +1M: %s\n", sbrk(1 << 20) == brk0 ? "grown" : "failed");
	return 0;
}

/* Prints how child pid ended (waiting for it, or not when nohang). */
static void report(const char *who, pid_t pid, int nohang)
{
	int st;
	pid_t r = waitpid(pid, &st, nohang ? WNOHANG : 0);

	if (r == 0) {
		printf("%s: alive\n", who);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	} else if (r == pid && WIFSIGNALED(st)) {
		printf("%s: killed by %s\n", who, sigabbrev_np(WTERMSIG(st)));
	} else {
		printf("%s: exited %d\n", who, WEXITSTATUS(st));
	}
}

/*
 * A big child holds 40 MiB and sleeps; a second one allocates until the
 * memory runs out.  Linux's OOM killer takes the biggest process first
 * (the sleeper, not the one whose fault failed), then, when the second has
 * grown past it and runs out again, the second.  The small parent lives on.
 */
static int oom(void)
{
	int ready[2];
	pid_t big, grower;
	char c;

	if (pipe(ready) < 0)
		return 1;
	big = fork();
	if (big == 0) {
		char *p = mmap(NULL, 40 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			memset(p, 1, 40 << 20);
		write(ready[1], "x", 1);
		for (;;)
			pause();
	}
	if (big < 0 || read(ready[0], &c, 1) != 1)
		return 1;
	grower = fork();
	if (grower == 0) {
		long mib = allocate_forever();

		printf("grower: mmap failed after %ld MiB (%s)\n", mib, strerrorname_np(errno));
		_exit(1);
	}
	if (grower < 0)
		return 1;
	report("grower", grower, 0);
	report("big child", big, 1);
	/* The memory is back: the parent can allocate again. */
	{
		char *p = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			memset(p, 1, 16 << 20);
		printf("parent: 16M after the kills: %s\n", p != MAP_FAILED ? "ok" : "failed");
	}
	return 0;
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static int tmpfs(void)
{
	static char block[1 << 16];
	volatile long written = 0;
	int fd = open("/tmp/fill", O_CREAT | O_WRONLY | O_TRUNC, 0600), mfd;
	char *m;

	if (fd < 0)
		return 1;
	memset(block, 7, sizeof(block));
	for (;;) {
		ssize_t n = write(fd, block, sizeof(block));

		if (n < 0) {
			printf("tmpfs write: %s\n", strerrorname_np(errno));
			break;
		}
		written += n;
	}
	close(fd);
	/* A shared mapping of a tmpfs file whose page does not fit: SIGBUS, as shmem gives. */
	mfd = open("/tmp/mapped", O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (mfd < 0 || ftruncate(mfd, 1 << 20) < 0)
		return 1;
	m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (m == MAP_FAILED)
		return 1;
	signal(SIGBUS, on_bus);
	if (sigsetjmp(bus_jmp, 1) == 0) {
		m[0] = 1;
		printf("shared page past the limit: written\n");
	} else {
		printf("shared page past the limit: SIGBUS\n");
	}
	/* And the space comes back with the file. */
	unlink("/tmp/fill");
	m[0] = 1;
	printf("after unlink: %s\n", m[0] == 1 ? "written" : "lost");
	/*
	 * /tmp holds half the memory at most; the root's writes (the overlay)
	 * take from the same budget as /tmp and the application: the two
	 * together stay under --memory.
	 */
	written = 0;
	fd = open("/tmp/fill", O_CREAT | O_WRONLY | O_TRUNC, 0600);
	while (fd >= 0 && write(fd, block, sizeof(block)) > 0)
		written += sizeof(block);
	mfd = open("/cvisor-limits-fill", O_CREAT | O_WRONLY | O_TRUNC, 0600);
	for (;;) {
		ssize_t n = mfd < 0 ? -1 : write(mfd, block, sizeof(block));

		if (n < 0) {
			printf("overlay write: %s\n", strerrorname_np(errno));
			break;
		}
		written += n;
	}
	printf("/tmp and / together: %s 64 MiB (%ld MiB)\n", written < (64 << 20) ? "under" : "over", (long)written >> 20);
	return 0;
}

static int files(void)
{
	struct rlimit rl;
	int n = 0, fds[2];
	char max[32] = "";
	FILE *f = fopen("/proc/sys/fs/file-max", "r");

	if (f) {
		if (!fgets(max, sizeof(max), f))
			max[0] = 0;
		fclose(f);
	}
	printf("file-max %s", max);
	for (;;) {
		if (pipe(fds) < 0) {
			getrlimit(RLIMIT_NOFILE, &rl);
			printf("pipes: %s with %d fds open (RLIMIT_NOFILE %ld)\n", strerrorname_np(errno), n + 3,
			       (long)rl.rlim_cur);
			break;
		}
		n += 2;
	}
	rl.rlim_cur = rl.rlim_max = 1 << 20;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	for (;;) {
		if (eventfd(0, 0) < 0) {
			printf("eventfds: %s\n", strerrorname_np(errno));
			break;
		}
		n++;
	}
	/* Closing some makes room again. */
	close(100);
	close(101);
	printf("after close: %s\n", eventfd(0, 0) >= 0 ? "eventfd ok" : strerrorname_np(errno));
	return 0;
}

/*
 * Pipe buffers and queued socket messages are sentry memory, charged to
 * the sandbox's budget as Linux charges them to the memory cgroup: filling
 * many pipes (64 KiB each) fails with ENOMEM near --memory, not on the host.
 */
static int pipes(void)
{
	static char block[1 << 16];
	struct rlimit rl = {1 << 16, 1 << 16};
	long bytes = 0;
	int i, err = 0, fds[2], sv[2];

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	memset(block, 1, sizeof(block));
	for (i = 0; i < 4000 && !err; i++) {
		ssize_t n;

		if (pipe2(fds, O_NONBLOCK) < 0) {
			err = errno;
			break;
		}
		n = write(fds[1], block, sizeof(block));
		if (n < 0)
			err = errno;
		else
			bytes += n;
	}
	/* The memory back first: printing needs some of it. */
	for (i = 3; i < 3 + 2 * 4000; i++)
		close(i);
	if (err)
		printf("pipe buffers: %s under %d MiB\n", strerrorname_np(err), bytes < (64 << 20) ? 64 : 999);
	else
		printf("pipe buffers: %ld MiB and no limit met\n", bytes >> 20);
	/* The same with unix sockets' queues, each filled until it would block. */
	bytes = 0;
	err = 0;
	for (i = 0; i < 2000 && !err; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0) {
			err = errno;
			break;
		}
		for (;;) {
			ssize_t n = send(sv[0], block, sizeof(block), 0);

			if (n < 0) {
				if (errno != EAGAIN)
					err = errno;
				break;
			}
			bytes += n;
		}
	}
	for (i = 3; i < 3 + 2 * 2000; i++)
		close(i);
	if (err)
		printf("socket queues: %s under %d MiB\n", strerrorname_np(err), bytes < (64 << 20) ? 64 : 999);
	else
		printf("socket queues: %ld MiB and no limit met\n", bytes >> 20);
	return 0;
}

/* Children that exit and are not waited for keep their pids, and count against --tasks until reaped. */
static int zombies(void)
{
	int n = 0;
	pid_t pid;

	for (;;) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			break;
		n++;
	}
	printf("zombies: %s after %d\n", strerrorname_np(errno), n);
	while (wait(NULL) > 0)
		;
	pid = fork();
	if (pid == 0)
		_exit(0);
	printf("after reaping: %s\n", pid > 0 && waitpid(pid, NULL, 0) == pid ? "forked" : strerrorname_np(errno));
	return 0;
}

/*
 * Maps each file of the image and reads every page, one file after the
 * other: under a small --memory the page cache of the first (no longer
 * mapped) is trimmed while the second is read, which crashed the sentry.
 */
static int pagecache(char **paths)
{
	long sum = 0;

	for (; *paths; paths++) {
		int fd = open(*paths, O_RDONLY);
		off_t n = fd < 0 ? -1 : lseek(fd, 0, SEEK_END), i;
		volatile unsigned char *p;

		if (n <= 0)
			return 1;
		p = mmap(NULL, (size_t)n, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return 1;
		for (i = 0; i < n; i += 4096)
			sum += p[i];
		munmap((void *)p, (size_t)n);
		close(fd);
	}
	printf("page cache: read (%ld)\n", sum);
	return 0;
}

/*
 * The page cache is given back before the OOM killer runs, as Linux
 * reclaims it: with a file read into the cache (and unmapped), a child
 * still gets nearly all of --memory before it is killed.
 */
static int reclaim(char **paths)
{
	int ready[2], st;
	long mib = 0, got;
	pid_t pid;

	if (pagecache(paths) != 0 || pipe(ready) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		for (;;) {
			char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				_exit(1);
			memset(p, 0x5a, 1 << 20);
			mib++;
			write(ready[1], &mib, sizeof(mib));
		}
	}
	close(ready[1]);
	while (read(ready[0], &got, sizeof(got)) == sizeof(got))
		mib = got;
	waitpid(pid, &st, 0);
	printf("grower: %s after %ld MiB\n", WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "exited", mib);
	return 0;
}

/* Opens every file in dir (files of the host's image, each a host fd in the sentry) and keeps them. */
static int hostfiles(const char *dir)
{
	char path[4096];
	int i, n = 0;

	for (i = 0; i < 100000; i++) {
		snprintf(path, sizeof(path), "%s/%d", dir, i);
		if (open(path, O_RDONLY) < 0) {
			printf("host files: %s\n", strerrorname_np(errno));
			break;
		}
		n++;
	}
	/* Closing them gives the host fds back. */
	for (i = 3; i < n + 3; i++)
		close(i);
	snprintf(path, sizeof(path), "%s/0", dir);
	printf("after close: %s\n", open(path, O_RDONLY) >= 0 ? "open ok" : strerrorname_np(errno));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (getpid() != 1) {
		fprintf(stderr, "limits: refusing to run outside a sandbox (not pid 1)\n");
		return 2;
	}
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "overcommit"))
		return overcommit();
	if (!strcmp(argv[1], "oom"))
		return oom();
	if (!strcmp(argv[1], "oom-self")) {
		long mib = allocate_forever();

		printf("mmap failed after %ld MiB (%s)\n", mib, strerrorname_np(errno));
		return 1;
	}
	if (!strcmp(argv[1], "tmpfs"))
		return tmpfs();
	if (!strcmp(argv[1], "files"))
		return files();
	if (!strcmp(argv[1], "pagecache"))
		return pagecache(argv + 2);
	if (!strcmp(argv[1], "reclaim"))
		return reclaim(argv + 2);
	if (!strcmp(argv[1], "zombies"))
		return zombies();
	if (!strcmp(argv[1], "pipes"))
		return pipes();
	if (!strcmp(argv[1], "hostfiles") && argc > 2)
		return hostfiles(argv[2]);
	return 2;
}
