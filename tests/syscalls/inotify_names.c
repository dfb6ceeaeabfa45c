/*
 * inotify for every way of making and removing a name: mkfifo, mknod, an
 * AF_UNIX bind, mkdir, symlink, link, open O_CREAT, rename (in a directory,
 * across two, over a file, a directory), unlink and rmdir.  Watches on two
 * directories, on a file that gains and loses links and on a directory that
 * is moved and removed; each step prints its events in order, with cookies
 * as the order they were first seen in (c0 for none).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

/* Under /tmp, or the directory given (tests/gofer runs it on the overlay root and through the gofer). */
#define D "cvt-inn"
#define D2 "cvt-inn2"

static int in;
static int wd_d, wd_d2, wd_file, wd_sub;
static uint32_t cookies[64];
static int ncookies;

static const char *wdname(int wd)
{
	return wd == wd_d ? "D" : wd == wd_d2 ? "D2" : wd == wd_file ? "file" : wd == wd_sub ? "sub" : "?";
}

static int cookie_no(uint32_t c)
{
	int i;

	if (!c)
		return 0;
	for (i = 0; i < ncookies; i++)
		if (cookies[i] == c)
			return i + 1;
	if (ncookies < 64)
		cookies[ncookies++] = c;
	return ncookies;
}

static void masks(uint32_t m, char *b)
{
	static const struct {
		uint32_t m;
		const char *n;
	} t[] = {{IN_ACCESS, "ACCESS"},         {IN_MODIFY, "MODIFY"},     {IN_ATTRIB, "ATTRIB"},
		 {IN_CLOSE_WRITE, "CLOSE_WRITE"}, {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
		 {IN_OPEN, "OPEN"},               {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"},
		 {IN_CREATE, "CREATE"},           {IN_DELETE, "DELETE"},     {IN_DELETE_SELF, "DELETE_SELF"},
		 {IN_MOVE_SELF, "MOVE_SELF"},     {IN_IGNORED, "IGNORED"},   {IN_ISDIR, "ISDIR"}};
	unsigned i;

	b[0] = 0;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (m & t[i].m) {
			strcat(b, b[0] ? "|" : "");
			strcat(b, t[i].n);
		}
}

/* Prints what step did, then the events it caused. */
static void events(const char *step)
{
	char buf[8192], mb[256];
	ssize_t n, off;

	printf("%s:\n", step);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct inotify_event *e = (void *)(buf + off);

			masks(e->mask, mb);
			printf("  %s %s %s c%d\n", wdname(e->wd), mb, e->len ? e->name : "-", cookie_no(e->cookie));
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	uint32_t mask = IN_ALL_EVENTS & ~(IN_OPEN | IN_CLOSE | IN_ACCESS);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s, fd;

	if (chdir(argc > 1 ? argv[1] : "/tmp") < 0)
		return 1;
	umask(022);
	mkdir(D, 0755);
	mkdir(D2, 0755);
	in = inotify_init1(IN_NONBLOCK);
	wd_d = inotify_add_watch(in, D, mask);
	wd_d2 = inotify_add_watch(in, D2, mask);

	CHECK("mkfifo", mkfifo(D "/fifo", 0644));
	events("mkfifo");
	CHECK("mknod reg", mknod(D "/node", S_IFREG | 0600, 0));
	events("mknod reg");
	CHECK("mknod sock", mknod(D "/nsock", S_IFSOCK | 0600, 0));
	events("mknod sock");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, D "/usock");
	CHECK("bind", bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	events("bind");
	CHECK("bind again", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&sa, sizeof(sa)));
	events("bind again");
	CHECK("mkdir", mkdir(D "/sub", 0755));
	events("mkdir");
	wd_sub = inotify_add_watch(in, D "/sub", mask);
	CHECK("symlink", symlink("node", D "/sl"));
	events("symlink");

	wd_file = inotify_add_watch(in, D "/node", mask);
	CHECK("link", link(D "/node", D "/hard"));
	events("link");
	CHECK("link again", link(D "/node", D "/hard"));
	events("link again");
	fd = open(D "/f", O_CREAT | O_WRONLY, 0644);
	close(fd);
	events("open O_CREAT");
	CHECK("rename in dir", rename(D "/f", D "/g"));
	events("rename in dir");
	CHECK("rename across", rename(D "/g", D2 "/g"));
	events("rename across");
	CHECK("rename over", rename(D2 "/g", D "/hard"));
	events("rename over (file loses a link)");
	CHECK("rename dir", rename(D "/sub", D2 "/sub"));
	events("rename dir");
	CHECK("rename same file", rename(D "/node", D "/node"));
	events("rename same file");
	CHECK("link 2", link(D "/node", D2 "/n2"));
	events("link 2");
	CHECK("unlink one of two", unlink(D2 "/n2"));
	events("unlink one of two links");
	CHECK("rename file over", rename(D "/hard", D "/node"));
	events("rename node over (the watched file goes)");
	CHECK("rmdir", rmdir(D2 "/sub"));
	events("rmdir (watched dir)");

	/* An exchange is two moves; a file removed while open goes at its close. */
	close(open(D "/x1", O_CREAT | O_WRONLY, 0644));
	CHECK("mkdir x2", mkdir(D2 "/x2", 0755));
	events("make x1, x2");
	wd_file = inotify_add_watch(in, D "/x1", mask);
	CHECK("exchange", renameat2(AT_FDCWD, D "/x1", AT_FDCWD, D2 "/x2", RENAME_EXCHANGE));
	events("exchange file and dir");
	fd = open(D2 "/x2", O_RDONLY);
	CHECK("unlink open file", unlink(D2 "/x2"));
	events("unlink open file");
	close(fd);
	events("close it");
	CHECK("rmdir x1", rmdir(D "/x1"));
	events("rmdir x1");

	/* A directory replaced by a rename goes too, names looked up in it or not. */
	CHECK("mkdir e1", mkdir(D "/e1", 0755));
	CHECK("mkdir e2", mkdir(D "/e2", 0755));
	wd_sub = inotify_add_watch(in, D "/e2", mask);
	CHECK("stat a missing name in e2", access(D "/e2/nothing", F_OK));
	events("mkdir e1, e2");
	CHECK("rename dir over dir", rename(D "/e1", D "/e2"));
	events("rename dir over watched dir");
	CHECK("rmdir e2", rmdir(D "/e2"));
	events("rmdir e2");
	CHECK("unlink fifo", unlink(D "/fifo"));
	CHECK("unlink nsock", unlink(D "/nsock"));
	CHECK("unlink usock", unlink(D "/usock"));
	CHECK("unlink sl", unlink(D "/sl"));
	CHECK("unlink node", unlink(D "/node"));
	events("unlinks");
	close(s);
	events("close bound socket");
	CHECK("rmdir D2", rmdir(D2));
	CHECK("rmdir D", rmdir(D));
	events("rmdir both");
	return 0;
}
