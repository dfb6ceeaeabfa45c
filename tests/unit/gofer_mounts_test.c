/*
 * Two gofer mounts at once, as OCI bind mounts need: the gofer client
 * (vfs/fs/gofer) mounted twice through the file system type table, each
 * on its own gofer (a real one, on its own directory) with its own bound
 * on host fds.  Each mount must reach only its own gofer (the other one
 * gone must not matter), and keep its own bound whatever the other's is.
 * The VFS core is replaced by the few inode and memory-file calls the
 * client makes.  Prints a PASS or FAIL line each.
 * links: vfs/fs/gofer/gofer.c vfs/fstype.c sentry/host/host.c runsc-shim/gofer/gofer.c runsc-shim/confine.c vfs/fpages.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runsc-shim/gofer/gofer.h"
#include "../../sentry/kernel/task.h"
#include "../../sentry/mm/memfile.h"
#include "../../vfs/fs/gofer/gofer.h"
#include "../../vfs/vfs.h"

/* ---- the VFS and memory-file calls the client makes ---- */
__thread struct task *task_current;
struct memfile mf;
uint64_t mf_alloc(size_t n) { (void)n; return MF_NONE; }
void mf_get(uint64_t off) { (void)off; }
void mf_put(uint64_t off) { (void)off; }
uint32_t mf_refs(uint64_t off) { (void)off; return 1; }
long mf_fill(uint64_t off, int fd, uint64_t pos, size_t len) { (void)off, (void)fd, (void)pos, (void)len; return -ENOMEM; }
struct abi_timespec vfs_now(void) { return (struct abi_timespec){0, 0}; }

struct super *super_new(const char *type, int rdonly)
{
	struct super *sb = calloc(1, sizeof(*sb));

	sb->type = type;
	sb->rdonly = rdonly;
	sb->next_ino = 1;
	return sb;
}

struct inode *inode_new(struct super *sb, uint32_t mode)
{
	struct inode *ino = calloc(1, sizeof(*ino));

	ino->sb = sb;
	ino->mode = mode;
	ino->nlink = 1;
	ino->refs = 1;
	return ino;
}

void inode_get(struct inode *ino) { ino->refs++; }

void inode_put(struct inode *ino)
{
	if (--ino->refs)
		return;
	if (ino->iops && ino->iops->release)
		ino->iops->release(ino);
	free(ino);
}

/* ---- the test ---- */
static int failed;

static void expect(const char *what, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	failed += !ok;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* The contents of name in the mount at root ("" when it cannot be read), as a sandbox read would get them. */
static const char *read_file(struct inode *root, const char *name, long *err)
{
	static char buf[64];
	struct inode *ino;
	struct file f = {0};
	struct iovec iov = {buf, sizeof(buf) - 1};
	uint64_t pos = 0;
	long r = root->iops->lookup(root, name, &ino);

	buf[0] = 0;
	*err = r;
	if (r < 0)
		return buf;
	f.inode = ino;
	f.ops = ino->fops;
	r = ino->iops->open(ino, &f, O_RDONLY);
	if (r == 0) {
		r = f.ops->read(&f, &iov, 1, &pos);
		if (f.ops->release)
			f.ops->release(&f);
	}
	*err = r < 0 ? r : 0;
	buf[r > 0 ? r : 0] = 0;
	inode_put(ino);
	return buf;
}

static void make_tree(char *dir, const char *tag, int nfiles)
{
	char path[512];
	int i, fd;

	if (!mkdtemp(dir))
		exit(1);
	snprintf(path, sizeof(path), "%s/x", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || write(fd, tag, strlen(tag)) < 0)
		exit(1);
	close(fd);
	for (i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		close(open(path, O_CREAT | O_WRONLY, 0644));
	}
}

int main(void)
{
	char a[] = "/var/tmp/gofer-mount-a.XXXXXX", b[] = "/var/tmp/gofer-mount-b.XXXXXX", cmd[128];
	const struct fs_type *t = vfs_find_fs_type("gofer");
	struct gofer_config ca = {.writable = 0, .fd_limit = 16}, cb = {.writable = 0, .fd_limit = 4096};
	struct inode *ra, *rb, *held[200];
	struct super *sa, *sb;
	int i, base, n, ok;
	long err;

	expect("the gofer type is registered, and mount(2) cannot make one", t && !(t->flags & FS_USERMOUNT));
	make_tree(a, "from a", 200);
	make_tree(b, "from b", 0);
	if (gofer_start(a, &ca.sock) < 0 || gofer_start(b, &cb.sock) < 0) {
		printf("SKIP gofer_mounts: cannot start a gofer (needs root)\n");
		return 0;
	}
	base = open_fds();
	if (vfs_fs_new("gofer", &(struct fs_mount_args){.config = &ca}, &sa, &ra) < 0 ||
	    vfs_fs_new("gofer", &(struct fs_mount_args){.config = &cb}, &sb, &rb) < 0) {
		expect("two gofer mounts", 0);
		return 1;
	}
	expect("two gofer mounts, two super blocks", sa != sb && ra->sb == sa && rb->sb == sb);
	expect("each mount reads its own gofer's file", !strcmp(read_file(ra, "x", &err), "from a") &&
							    !strcmp(read_file(rb, "x", &err), "from b"));
	read_file(rb, "f0", &err);
	expect("a name only the first has is not in the second", err == -ENOENT);

	/* 200 files held in the first mount (bound 16), while the second's bound is 4096. */
	for (i = 0; i < 200; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%d", i);
		if (ra->iops->lookup(ra, name, &held[i]) < 0)
			held[i] = NULL;
	}
	n = open_fds() - base;
	snprintf(cmd, sizeof(cmd), "the first mount keeps its own bound of 16 idle fds (%d open)", n);
	expect(cmd, n <= 16 + 2 + 2);

	/* The second gofer goes away: the first mount must not notice. */
	shutdown(cb.sock, SHUT_RDWR);
	ok = 1;
	for (i = 0; i < 200; i += 7) {
		struct file f = {.inode = held[i]};

		if (!held[i] || held[i]->iops->open(held[i], &f, O_RDONLY) < 0)
			ok = 0;
		else if (held[i]->fops->release)
			held[i]->fops->release(&f);
	}
	expect("files of the first mount open again through its own gofer, the other one gone", ok);
	read_file(rb, "x", &err);
	expect("the second mount, its gofer gone, fails alone (EIO)", err == -EIO);
	for (i = 0; i < 200; i++)
		if (held[i])
			inode_put(held[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", a, b);
	if (system(cmd) != 0)
		return 1;
	return failed != 0;
}
