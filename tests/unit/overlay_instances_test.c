/*
 * Two overlays at once, each with its own upper layer: made through the
 * file system type table over two lower tmpfs roots, with upper layers of
 * different sizes.  New files and copies up must land in their own
 * overlay's upper layer, and each reports its own figures.  The VFS core
 * is replaced by the few calls overlay and tmpfs make here.  Prints a PASS
 * or FAIL line each.
 * links: vfs/fs/overlay/overlay.c vfs/fs/tmpfs/tmpfs.c vfs/fstype.c sentry/mm/memfile.c sentry/host/host.c vfs/fpages.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../sentry/kernel/task.h"
#include "../../sentry/mm/memfile.h"
#include "../../sentry/mm/mm.h"
#include "../../vfs/fs/dev/dev.h"
#include "../../vfs/fs/overlay/overlay.h"
#include "../../vfs/fs/tmpfs/tmpfs.h"
#include "../../vfs/vfs.h"

/* ---- what overlay and tmpfs need of the rest of the sentry ---- */
struct sandbox sandbox = {.memory = 64 << 20};
void die(const char *fmt, ...) { (void)fmt; abort(); }
struct abi_timespec vfs_now(void) { return (struct abi_timespec){0, 0}; }
struct dentry *dentry_lookup_cached(struct dentry *parent, const char *name, size_t len)
{
	(void)parent, (void)name, (void)len;
	return NULL;
}
const struct file_ops *dev_char_fops(uint64_t rdev) { (void)rdev; return NULL; }
int mm_inode_mapped_writable(struct inode *ino) { (void)ino; return 0; }
long vfs_xattrs_copy(struct inode *dst, struct inode *src) { (void)dst, (void)src; return 0; }

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
	ino->ino = sb->next_ino++;
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

struct file *file_new(struct path *p, struct inode *ino, const struct file_ops *ops, int flags)
{
	struct file *f = calloc(1, sizeof(*f));

	(void)p;
	f->inode = ino;
	f->ops = ops;
	f->flags = flags;
	f->refs = 1;
	inode_get(ino);
	return f;
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->ops && f->ops->release)
		f->ops->release(f);
	inode_put(f->inode);
	free(f);
}

/* ---- the test ---- */
static int failed;

static void expect(const char *what, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	failed += !ok;
}

/* A lower tmpfs root, and in it a file holding text (*file, a reference). */
static struct inode *lower_with_file(const char *text, struct inode **file)
{
	struct super *sb;
	struct inode *root = tmpfs_new(1 << 20, 0755, &sb);
	struct iovec iov = {(void *)text, strlen(text)};
	uint64_t pos = 0;

	if (!root || root->iops->mknod(root, "f", S_IFREG | 0644, 0, NULL, file) < 0)
		exit(1);
	{
		struct file wf = {.inode = *file, .flags = O_WRONLY};

		(*file)->fops->write(&wf, &iov, 1, &pos);
	}
	return root;
}

static struct inode *mount_overlay(struct inode *lower, uint64_t upper_bytes, struct super **sb)
{
	struct overlay_config c = {.lower_root = lower, .upper_bytes = upper_bytes};
	struct inode *root;

	if (vfs_fs_new("overlay", &(struct fs_mount_args){.config = &c}, sb, &root) < 0)
		exit(1);
	return root;
}

static uint64_t blocks(struct super *sb)
{
	struct vfs_statfs st = {0};

	sb->ops->statfs(sb, &st);
	return st.blocks;
}

int main(void)
{
	const struct fs_type *t = vfs_find_fs_type("overlay");
	struct inode *la, *lb, *fa, *fb, *ra, *rb, *na, *nb;
	struct super *sa, *sb;
	struct mount ma = {0}, mb = {0};
	struct dentry da = {.name = "f", .namelen = 1}, db = {.name = "f", .namelen = 1};
	char buf[16] = {0};

	if (mf_init(64 << 20) < 0) {
		printf("SKIP overlay_instances: no memory file\n");
		return 0;
	}
	expect("the overlay type is registered, and mount(2) cannot make one", t && !(t->flags & FS_USERMOUNT));
	la = lower_with_file("lower a", &fa);
	lb = lower_with_file("lower b", &fb);
	ra = mount_overlay(la, 1 << 20, &sa);
	rb = mount_overlay(lb, 64 << 10, &sb);
	expect("two overlays, two super blocks", sa != sb && ra->sb == sa && rb->sb == sb);
	expect("each reports its own upper layer's size (256 and 16 blocks)", blocks(sa) == 256 && blocks(sb) == 16);

	/* New names: each in its own upper layer, which is its own tmpfs. */
	if (ra->iops->mknod(ra, "new", S_IFREG | 0644, 0, NULL, &na) < 0 ||
	    rb->iops->mknod(rb, "new", S_IFREG | 0644, 0, NULL, &nb) < 0)
		return 1;
	expect("files made in each land in its own upper layer", na->sb != nb->sb && na->sb != sa && nb->sb != sb);

	/* Copy up: the file of each lower layer goes up into its own overlay's upper layer. */
	ma.sb = sa, mb.sb = sb;
	da.inode = fa, db.inode = fb;
	inode_get(fa), inode_get(fb);
	if (overlay_copy_up(&(struct path){&ma, &da}) < 0 || overlay_copy_up(&(struct path){&mb, &db}) < 0)
		return 1;
	expect("copies up land in their own overlay's upper layer", da.inode->sb == na->sb && db.inode->sb == nb->sb);
	da.inode->iops->fill(da.inode, 0, buf, 7);
	expect("and hold their own lower file's data", !strcmp(buf, "lower a"));
	db.inode->iops->fill(db.inode, 0, buf, 7);
	expect("(the second too)", !strcmp(buf, "lower b"));
	return failed != 0;
}
