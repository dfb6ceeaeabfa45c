/*
 * fsync, fdatasync, sync_file_range and readahead on files that have no
 * pages to write or read ahead: pipes, sockets, character devices, eventfds
 * (EINVAL, or ESPIPE for sync_file_range), against a regular file and a
 * directory, where they succeed.  From LTP's fsync03, fdatasync02,
 * sync_file_range01 and readahead01.
 */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

static void one(const char *what, int fd)
{
	char name[128];

	snprintf(name, sizeof(name), "fsync(%s)", what);
	CHECK(name, fsync(fd));
	snprintf(name, sizeof(name), "fdatasync(%s)", what);
	CHECK(name, fdatasync(fd));
	snprintf(name, sizeof(name), "sync_file_range(%s)", what);
	CHECK(name, sync_file_range(fd, 0, 1, SYNC_FILE_RANGE_WAIT_AFTER));
	snprintf(name, sizeof(name), "readahead(%s)", what);
	CHECK(name, readahead(fd, 0, 4096));
}

int main(void)
{
	int p[2], s[2];
	char path[] = "/tmp/syncedges.XXXXXX";
	int f = mkstemp(path);

	if (f < 0 || pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0)
		return 1;
	CHECK("write", write(f, "x", 1));
	one("a regular file", f);
	one("a directory", open("/tmp", O_RDONLY | O_DIRECTORY));
	one("a pipe's read end", p[0]);
	one("a pipe's write end", p[1]);
	one("a socket", s[0]);
	one("/dev/null", open("/dev/null", O_RDWR));
	one("an eventfd", eventfd(0, 0));
	unlink(path);
	return 0;
}
