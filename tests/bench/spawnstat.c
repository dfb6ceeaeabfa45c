/* SPDX-License-Identifier: MIT */
/*
 * spawnstat [--cgroup-parent DIR] -- CMD [ARGS...]: runs CMD once and prints
 *
 *	WALL_NS MAXRSS_KIB PEAK_BYTES METHOD
 *
 * on stdout: the wall time from exec to exit, the largest maxrss of any
 * process in CMD's tree that was waited for, and, with --cgroup-parent, the
 * peak memory charged to a fresh memory cgroup holding the whole tree
 * (METHOD "v2" for memory.peak, "v1" for memory.max_usage_in_bytes; PEAK_BYTES
 * -1 and METHOD "-" without one).  CMD's own stdout goes to our stderr, so
 * that stdout carries only the figures.
 *
 * Why both: a sandbox is several processes (runsc: runsc, gofer, sandbox;
 * cvisor: sentry and stubs), and maxrss only sees the largest of them, and
 * only if every parent in between waited for its children.  The cgroup sees
 * them all, including shared memory such as a memfd that backs the
 * application's memory, and page cache first touched by the sandbox.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static const char *prog = "spawnstat";

/*
 * What the child tells the parent over the close-on-exec sync pipe: once,
 * just before it execs (err 0, and the time, taken by the child because
 * the parent may not run until much later), and once more if it fails.
 */
struct sync_msg {
	int err;
	uint64_t start_ns;
};

struct memcg {
	char dir[PATH_MAX];
	const char *peak_file;	/* memory.peak or memory.max_usage_in_bytes */
	const char *method;
};

/* Creates DIR/spawnstat.PID; says which peak file this hierarchy offers. */
static int memcg_create(struct memcg *cg, const char *parent)
{
	char path[PATH_MAX + 64];

	snprintf(cg->dir, sizeof(cg->dir), "%s/spawnstat.%d", parent,
		 (int)getpid());
	if (mkdir(cg->dir, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/memory.peak", cg->dir);
	if (!access(path, R_OK)) {
		cg->peak_file = "memory.peak";
		cg->method = "v2";
		return 0;
	}
	snprintf(path, sizeof(path), "%s/memory.max_usage_in_bytes", cg->dir);
	if (!access(path, R_OK)) {
		cg->peak_file = "memory.max_usage_in_bytes";
		cg->method = "v1";
		return 0;
	}
	rmdir(cg->dir);
	errno = ENOENT;
	return -1;
}

/* Moves the calling process into the cgroup; its children follow. */
static int memcg_enter(const struct memcg *cg)
{
	char path[PATH_MAX + 64], pid[32];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write(fd, pid, len) != len)
		ret = -1;
	close(fd);
	return ret;
}

static long long memcg_peak(const struct memcg *cg)
{
	char path[PATH_MAX + 64];
	long long peak = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg->dir, cg->peak_file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &peak) != 1)
		peak = -1;
	fclose(f);
	return peak;
}

/*
 * A sandbox's helpers may still be on their way out when the command
 * itself has been reaped; the cgroup can only go once they are gone.
 */
static void memcg_destroy(const struct memcg *cg)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (!rmdir(cg->dir) || errno != EBUSY)
			return;
		usleep(10000);
	}
	fprintf(stderr, "%s: %s still has processes; left in place\n", prog,
		cg->dir);
}

static void __attribute__((noreturn)) child_fail(int fd)
{
	struct sync_msg msg = { .err = errno ? errno : EIO };

	if (write(fd, &msg, sizeof(msg)) < 0)
		_exit(126);
	_exit(127);
}

static void __attribute__((noreturn))
child(char **cmd, const struct memcg *cg, int sync_fd)
{
	struct sync_msg msg = { 0 };

	if (cg && memcg_enter(cg))
		child_fail(sync_fd);
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		child_fail(sync_fd);
	msg.start_ns = bench_now_ns(prog);
	if (write(sync_fd, &msg, sizeof(msg)) != sizeof(msg))
		_exit(127);
	execvp(cmd[0], cmd);
	child_fail(sync_fd);
}

/*
 * Reads one message from the child into *msg.  EOF counts as success: the
 * pipe is close-on-exec, so EOF after the first message means the exec
 * happened.  Returns 0 or the errno the child failed with.
 */
static int read_sync(int fd, struct sync_msg *msg)
{
	ssize_t got;

	got = read(fd, msg, sizeof(*msg));
	if (got == 0)
		return 0;
	if (got != sizeof(*msg))
		return EIO;
	return msg->err;
}

int main(int argc, char **argv)
{
	struct sync_msg msg = { 0 };
	struct memcg cg, *cgp = NULL;
	const char *cg_parent = NULL;
	uint64_t t0, t1;
	struct rusage ru;
	int i, sync[2], err, status;
	long long peak = -1;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--cgroup-parent") && i + 1 < argc)
			cg_parent = argv[++i];
		else
			break;
	}
	if (i + 1 >= argc || strcmp(argv[i], "--")) {
		fprintf(stderr,
			"usage: %s [--cgroup-parent DIR] -- CMD [ARGS...]\n",
			prog);
		return 2;
	}

	if (cg_parent) {
		if (memcg_create(&cg, cg_parent))
			bench_die(prog, "memory cgroup");
		cgp = &cg;
	}
	if (pipe2(sync, O_CLOEXEC))
		bench_die(prog, "pipe2");

	pid = fork();
	if (pid < 0)
		bench_die(prog, "fork");
	if (pid == 0) {
		close(sync[0]);
		child(argv + i + 1, cgp, sync[1]);
	}
	close(sync[1]);

	/* The clock starts once the child is set up: the cgroup move is not
	 * the command's time. */
	err = read_sync(sync[0], &msg);
	if (!err && !msg.start_ns)
		err = EIO;	/* the child died before it got to exec */
	t0 = msg.start_ns;
	if (!err)
		err = read_sync(sync[0], &msg);
	close(sync[0]);

	if (wait4(pid, &status, 0, &ru) != pid)
		bench_die(prog, "wait4");
	t1 = bench_now_ns(prog);

	if (cgp) {
		peak = memcg_peak(cgp);
		memcg_destroy(cgp);
	}
	if (err) {
		errno = err;
		bench_die(prog, argv[i + 1]);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: %s failed (status %#x)\n", prog,
			argv[i + 1], status);
		return 1;
	}

	printf("%llu %ld %lld %s\n", (unsigned long long)(t1 - t0),
	       ru.ru_maxrss, peak, cgp ? cgp->method : "-");
	return 0;
}
