/*
 * Fuzz target: the gofer's side of the protocol (runsc-shim/gofer/gofer.c,
 * gofer_handle): any message the sentry could send, with the fds it came
 * with, acted on for real in a scratch directory.
 *
 * Input: byte 0 and 1 choose the fds sent with the message (none, the
 * scratch directory, a directory, a file, a symlink, a fifo, an O_PATH
 * directory: the kinds the gofer hands out), byte 2 the recvmsg flags
 * (MSG_TRUNC, MSG_CTRUNC), the rest is the message.
 *
 * Beyond the sanitizers, each input must leave the gofer's rules whole: an
 * fd sent back only with success, and (but for GOFER_ROOT) to a file inside
 * the scratch directory, O_PATH unless a regular file or directory; nothing
 * made or removed next to the scratch directory (a ".." or a followed
 * symlink would); no fd left open.  The scratch tree is made again for each
 * input, inside $FUZZ_SCRATCH (tests/fuzz/run.sh makes one; /dev/shm
 * otherwise), so runs are repeatable.
 *
 * links: runsc-shim/gofer/gofer.c -lseccomp vfs/fpages.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runsc-shim/gofer/gofer.h"
#include "vfs/fs/gofer/protocol.h"

/*
 * gofer.c's gofer_start needs these; the target never starts a gofer
 * process (confine.c would chroot and filter the fuzzer itself).
 */
int shim_confine_gofer(const char *root)
{
	(void)root;
	abort();
}

long shim_clone(unsigned long flags)
{
	(void)flags;
	abort();
}

static char outer[4096], inner[4200];

static void die_msg(const char *what)
{
	fprintf(stderr, "fuzz gofer_server: %s\n", what);
	abort();
}

/*
 * Open fds now.  Counted at the start and end of each input rather than
 * probed once: libFuzzer itself opens a pipe (to the symbolizer) between inputs.
 */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		abort();
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Removes everything below dirfd (which it closes); depth is small: the gofer makes one level per request. */
static void clear_dir(int dirfd)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;

	if (!d)
		die_msg("fdopendir");
	while ((e = readdir(d))) {
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd, e->d_name, 0) == 0)
			continue;
		fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			die_msg("cannot remove a scratch entry");
		fchmod(fd, 0755);
		clear_dir(fd);
		if (unlinkat(dirfd, e->d_name, AT_REMOVEDIR) < 0)
			die_msg("rmdir in scratch");
	}
	closedir(d);
}

/* The scratch tree: inner/{d/, f, l -> /etc/passwd, p (fifo)}. */
static void make_tree(void)
{
	int fd;

	fd = open(inner, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		clear_dir(fd);
	else if (mkdir(inner, 0755) < 0)
		die_msg("mkdir inner");
	chmod(inner, 0755);
	fd = open(inner, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || mkdirat(fd, "d", 0755) < 0 || symlinkat("/etc/passwd", fd, "l") < 0 ||
	    mkfifoat(fd, "p", 0644) < 0)
		die_msg("make scratch tree");
	close(openat(fd, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	close(fd);
}

static int open_choice(uint8_t c)
{
	static const struct {
		const char *name;
		int flags;
	} choice[] = {
		{NULL, 0},
		{"", O_RDONLY | O_DIRECTORY},
		{"/d", O_RDONLY | O_DIRECTORY},
		{"/f", O_RDWR},
		{"/l", O_PATH | O_NOFOLLOW},
		{"/p", O_PATH},
		{"", O_PATH | O_DIRECTORY},
	};
	char path[4300];
	int fd;

	c %= sizeof(choice) / sizeof(choice[0]);
	if (!choice[c].name)
		return -1;
	snprintf(path, sizeof(path), "%s%s", inner, choice[c].name);
	fd = open(path, choice[c].flags | O_CLOEXEC);
	if (fd < 0)
		die_msg("open a scratch file");
	return fd;
}

/* The fd the gofer gave must be below inner, and O_PATH unless a regular file or directory. */
static void check_fd(int fd)
{
	char link[64], where[4300];
	struct stat st;
	ssize_t n;
	size_t len = strlen(inner);

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, where, sizeof(where) - 1);
	if (n < 0 || fstat(fd, &st) < 0)
		die_msg("the fd sent back is not open");
	where[n] = 0;
	if (strncmp(where, inner, len) || (where[len] && where[len] != '/'))
		die_msg("the fd sent back is outside the scratch directory");
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !(fcntl(fd, F_GETFL) & O_PATH))
		die_msg("a special file was opened (not O_PATH)");
}

/* Nothing but inner next to it. */
static void check_outer(void)
{
	DIR *d = opendir(outer);
	struct dirent *e;

	if (!d)
		die_msg("opendir outer");
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "inner"))
			die_msg("something changed outside the scratch directory");
	closedir(d);
}

static void remove_scratch(void)
{
	int fd = open(outer, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		clear_dir(fd);
		rmdir(outer);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("FUZZ_SCRATCH");
	char tmpl[4096];

	(void)argc;
	(void)argv;
	snprintf(tmpl, sizeof(tmpl), "%s/cvisor-fuzz-gofer.XXXXXX", base && *base ? base : "/dev/shm");
	if (!mkdtemp(tmpl))
		die_msg("mkdtemp (set FUZZ_SCRATCH to a writable directory)");
	snprintf(outer, sizeof(outer), "%s", tmpl);
	snprintf(inner, sizeof(inner), "%s/inner", outer);
	make_tree();
	atexit(remove_scratch);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char xattr_value[GOFER_XATTR_MAX];
	struct gofer_req *req;
	struct gofer_rep rep;
	size_t n;
	int infd, infd2, fd, flags, fds;

	if (size < 3)
		return 0;
	fds = count_fds();
	n = size - 3;
	/* At least a request's room, as the gofer's own buffer has; bytes past n are not the message. */
	req = calloc(1, n > sizeof(*req) ? n : sizeof(*req));
	if (!req)
		return 0;
	memcpy(req, data + 3, n);
	make_tree();
	infd = open_choice(data[0]);
	infd2 = open_choice(data[1]);
	flags = (data[2] & 1 ? MSG_TRUNC : 0) | (data[2] & 2 ? MSG_CTRUNC : 0);
	fd = gofer_handle(req, n, flags, infd, infd2, &rep, xattr_value);
	if (fd >= 0) {
		if (rep.err != 0)
			die_msg("an fd sent back with an error");
		if (req->op != GOFER_ROOT)
			check_fd(fd);
		close(fd);
	}
	if (rep.err > 0)
		die_msg("a positive error");
	if (infd >= 0)
		close(infd);
	if (infd2 >= 0)
		close(infd2);
	free(req);
	check_outer();
	if (count_fds() != fds)
		die_msg("an fd was left open");
	return 0;
}
