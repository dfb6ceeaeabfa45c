/* inotify: create, modify, close-write, attrib, moves with cookies, directories, deletes, rm_watch. */
#define _GNU_SOURCE

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
static const char *name(unsigned m) {
	static char b[128]; b[0] = 0;
	const struct { unsigned m; const char *n; } t[] = {{IN_CREATE,"CREATE"},{IN_DELETE,"DELETE"},{IN_MODIFY,"MODIFY"},{IN_MOVED_FROM,"MOVED_FROM"},{IN_MOVED_TO,"MOVED_TO"},{IN_ATTRIB,"ATTRIB"},{IN_CLOSE_WRITE,"CLOSE_WRITE"},{IN_ISDIR,"ISDIR"},{IN_IGNORED,"IGNORED"},{IN_DELETE_SELF,"DELETE_SELF"}};
	for (unsigned i = 0; i < sizeof(t)/sizeof(t[0]); i++) if (m & t[i].m) { strcat(b, t[i].n); strcat(b, " "); }
	return b;
}
int main(void) {
	char buf[4096];
	mkdir("/tmp/cvt-in", 0755);
	int in = inotify_init1(IN_NONBLOCK);
	int wd = inotify_add_watch(in, "/tmp/cvt-in", IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE);
	printf("wd %d\n", wd);
	int fd = open("/tmp/cvt-in/a", O_CREAT | O_WRONLY, 0600); write(fd, "x", 1); close(fd);
	chmod("/tmp/cvt-in/a", 0644); rename("/tmp/cvt-in/a", "/tmp/cvt-in/b"); mkdir("/tmp/cvt-in/d", 0755);
	unlink("/tmp/cvt-in/b"); rmdir("/tmp/cvt-in/d");
	/* FIONREAD: the bytes of the queued events (an anonymous inode, not a file's size left). */
	int avail = -1;
	printf("FIONREAD %d", ioctl(in, FIONREAD, &avail));
	ssize_t n = read(in, buf, sizeof(buf)), off = 0;
	printf(" = %d of %zd\n", avail, n);
	while (off < n) {
		struct inotify_event *e = (void *)(buf + off);
		printf("%s%s\n", name(e->mask), e->len ? e->name : "");
		off += sizeof(*e) + e->len;
	}
	printf("rm %d\n", inotify_rm_watch(in, wd));
	rmdir("/tmp/cvt-in");
	return 0;
}
