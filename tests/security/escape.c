/*
 * Escape attempts, run inside the sandbox.  Each line is "name: ok" when
 * the attempt failed as it must, or "name: ESCAPED ..." when it got
 * something of the host's.  The host's secret is a file the runner made
 * outside the sandbox's root, with a marker the sandbox must never read.
 * Usage: escape MARKER
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *marker;
static int failures;

/* Does the file at path (opened with flags) contain the host's marker? */
static int leaks(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, marker) != NULL;
}

static void check(const char *name, int escaped, const char *detail)
{
	if (escaped) {
		printf("%s: ESCAPED %s\n", name, detail);
		failures++;
	} else {
		printf("%s: ok\n", name);
	}
}

static volatile int stop;

static void *flipper(void *arg)
{
	(void)arg;
	/* Swaps /tmp/flip between a directory and a link to the root, as fast as it can. */
	while (!stop) {
		mkdir("/tmp/flip", 0755);
		rmdir("/tmp/flip");
		symlink("/", "/tmp/flip");
		unlink("/tmp/flip");
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char path[512];
	pthread_t th;
	int i, fd, escaped;

	if (argc < 3) {
		fprintf(stderr, "usage: escape MARKER HOST-SECRET-PATH\n");
		return 2;
	}
	/*
	 * These attempts bind-mount / and make device nodes: on a real host, as
	 * root, they would succeed and do damage.  Only run as a sandbox's pid 1.
	 */
	if (getpid() != 1) {
		fprintf(stderr, "escape: refusing to run outside a sandbox (not pid 1)\n");
		return 2;
	}
	marker = argv[1];

	/* The secret's host path, straight, through .., and through symlinks out. */
	check("host path", leaks(argv[2]), argv[2]);
	snprintf(path, sizeof(path), "/../../../../../..%s", argv[2]);
	check("dot-dot past the root", leaks(path), path);
	unlink("/tmp/abs");
	symlink(argv[2], "/tmp/abs");
	check("absolute symlink", leaks("/tmp/abs"), "/tmp/abs");
	snprintf(path, sizeof(path), "../../../../../../../..%s", argv[2]);
	unlink("/tmp/rel");
	symlink(path, "/tmp/rel");
	check("relative symlink", leaks("/tmp/rel"), path);

	/* /proc tricks: the sandbox's own procfs, never the host's. */
	snprintf(path, sizeof(path), "/proc/self/root%s", argv[2]);
	check("proc self root", leaks(path), path);
	snprintf(path, sizeof(path), "/proc/self/cwd/../../../..%s", argv[2]);
	check("proc self cwd", leaks(path), path);
	/*
	 * /proc/1/mem is the sandbox's pid 1, this program: its own memory and
	 * nothing else (not the host's pid 1, not the sentry's).
	 */
	fd = open("/proc/1/mem", O_RDONLY);
	if (fd >= 0) {
		static const char mine[] = "only this program's own bytes";
		char back[sizeof(mine)] = "";

		escaped = pread(fd, back, sizeof(back), (off_t)(uintptr_t)mine) != (ssize_t)sizeof(back) ||
			  memcmp(back, mine, sizeof(mine)) != 0;
		close(fd);
	} else {
		escaped = 0;
	}
	check("proc 1 mem", escaped, "/proc/1/mem is not this program's memory");
	escaped = 0;
	for (i = 2; i < 200; i++) {
		char c[64];

		snprintf(c, sizeof(c), "/proc/%d/environ", i * 97);
		escaped |= leaks(c);
	}
	check("proc of host pids", escaped, "a host process's environ");

	/* Device nodes: the way to the host's disks and memory. */
	unlink("/tmp/mem");
	escaped = mknod("/tmp/mem", S_IFCHR | 0600, makedev(1, 1)) == 0 && open("/tmp/mem", O_RDONLY) >= 0;
	check("mknod /dev/mem", escaped, "made and opened a memory device");
	unlink("/tmp/sda");
	escaped = mknod("/tmp/sda", S_IFBLK | 0600, makedev(8, 0)) == 0 && open("/tmp/sda", O_RDONLY) >= 0;
	check("mknod a disk", escaped, "made and opened a block device");

	/* Mounting the host's root or binding it somewhere. */
	escaped = mount("/", "/tmp", NULL, MS_BIND, NULL) == 0 && (snprintf(path, sizeof(path), "/tmp%s", argv[2]),
								     leaks(path));
	check("bind mount of /", escaped, "bind mount showed the secret");

	/* Hard link to a file outside. */
	unlink("/tmp/hl");
	escaped = link(argv[2], "/tmp/hl") == 0 && leaks("/tmp/hl");
	check("hard link out", escaped, "/tmp/hl");

	/* Tracing: nothing to attach to, and no way to the host's processes. */
	escaped = ptrace(PTRACE_ATTACH, 1, NULL, NULL) == 0 || ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0;
	check("ptrace", escaped, "ptrace succeeded");

	/* A symlink swapped during walks: never leads outside the root. */
	pthread_create(&th, NULL, flipper, NULL);
	escaped = 0;
	snprintf(path, sizeof(path), "/tmp/flip/../../../..%s", argv[2]);
	for (i = 0; i < 3000 && !escaped; i++)
		escaped = leaks(path);
	stop = 1;
	pthread_join(th, NULL);
	check("symlink race", escaped, path);

	/* Writes to the root stay in the sandbox (the runner checks the host side). */
	fd = open("/cvisor-escape-probe", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		write(fd, "x", 1);
		close(fd);
	}
	printf("%d escaped\n", failures);
	return failures ? 1 : 0;
}
