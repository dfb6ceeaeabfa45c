/*
 * Fuzz target: the ELF loader (sentry/loader/elf.c), whole, as execve runs
 * it: the #! line, the ELF header and program header checks, PT_INTERP's
 * path, the segment mappings into a real mm (sentry/mm/mm.c over a real
 * memory file) and the initial stack.
 *
 * The input is the file being executed, in memory.  Every path the loader
 * opens (the program, a #! interpreter, PT_INTERP's) names that same file,
 * so an ELF is its own interpreter and a script its own: both paths are
 * taken on the same bytes.  Each path must reach the walk NUL-terminated
 * and shorter than PATH_MAX; each address space is freed again, and
 * LeakSanitizer checks that nothing else stays behind.
 *
 * links: sentry/loader/elf.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/vfs.h"

/*
 * The file: the input, then zeros up to FILE_SIZE, so that the first page
 * of a real program (its headers, cut from a Debian binary for the corpus)
 * loads as the whole program would.  Offsets past FILE_SIZE are past the end.
 */
#define FILE_SIZE (4UL << 20)
static const uint8_t *image;
static size_t image_len;

/* ---- the file: its bytes are the fuzzer's ---- */

static long copy_image(void *buf, size_t len, uint64_t off)
{
	size_t size = image_len > FILE_SIZE ? image_len : FILE_SIZE, n = 0, have = 0;

	if (off < size)
		n = size - off < len ? size - off : len;
	if (off < image_len)
		have = image_len - off < n ? image_len - off : n;
	memcpy(buf, image + (have ? off : 0), have);
	memset((char *)buf + have, 0, n - have);
	return (long)n;
}

static long image_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	long n;

	(void)f;
	if (cnt != 1)
		abort(); /* the loader reads into one buffer at a time */
	n = copy_image(iov->iov_base, iov->iov_len, *pos);
	*pos += (uint64_t)n;
	return n;
}

static long image_fill(struct inode *ino, uint64_t off, void *buf, size_t len)
{
	long n = copy_image(buf, len, off);

	(void)ino;
	memset((char *)buf + n, 0, len - (size_t)n);
	return 0;
}

static const struct file_ops image_fops = {.read = image_read, .seekable = 1};
static const struct inode_ops image_iops = {.fill = image_fill};
static struct inode image_inode = {.iops = &image_iops, .fops = &image_fops, .mode = S_IFREG | 0755, .refs = 1};
static struct dentry image_dentry = {.inode = &image_inode, .refs = 1};
static struct file image_file = {.ops = &image_fops, .inode = &image_inode, .refs = 1};

/*
 * Stubs for the VFS (a walk that always finds the one file) and the
 * platform (an address space nothing runs in): linking the real ones would
 * bring in the whole sentry.
 */
long vfs_walk(struct task *t, int dirfd, const char *path, int flags, struct path *out)
{
	(void)t;
	(void)dirfd;
	(void)flags;
	if (!memchr(path, 0, ABI_PATH_MAX))
		abort(); /* the loader handed on a path it did not end */
	if (!path[0])
		return -ENOENT;
	out->mnt = NULL;
	out->d = &image_dentry;
	return 0;
}

long vfs_permission(struct task *t, struct inode *ino, int mask)
{
	(void)t;
	(void)ino;
	(void)mask;
	return 0;
}

long vfs_open_path(struct task *t, struct path *p, int flags, struct file **out)
{
	(void)t;
	(void)p;
	(void)flags;
	image_file.refs++;
	*out = &image_file;
	return 0;
}

void path_put(struct path *p) { (void)p; }

void file_put(struct file *f)
{
	if (--f->refs <= 0)
		abort(); /* put more often than opened */
}

long vfs_path_string(struct task *t, struct path *p, char *buf, size_t size)
{
	(void)t;
	(void)p;
	return snprintf(buf, size, "/fuzz");
}

/* What mm asks of the files it maps (the VFS gives vfs_mm_file_ops at start-up). */
static void image_get(struct inode *ino) { ino->refs++; }

static void image_put(struct inode *ino)
{
	if (--ino->refs <= 0)
		abort();
}

static long image_getpage(struct inode *ino, uint64_t off, uint64_t *frame)
{
	(void)ino;
	(void)off;
	(void)frame;
	return -ENODEV;
}

static const struct mm_file_ops image_mm_ops = {
	.get = image_get, .put = image_put, .getpage = image_getpage, .fill = image_fill};

__thread struct task *task_current;
struct timing *timing_active; /* no start-up breakdown (sentry/timing.h) */

void die(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

static struct plat_as *as_create(int *err)
{
	(void)err;
	return malloc(1);
}
static void as_destroy(struct plat_as *as) { free(as); }
static void as_map(struct plat_as *as, uint64_t va, uint64_t len, uint64_t off, int prot)
{
	(void)as, (void)va, (void)len, (void)off, (void)prot;
}
static void as_unmap(struct plat_as *as, uint64_t va, uint64_t len) { (void)as, (void)va, (void)len; }
static void as_protect(struct plat_as *as, uint64_t va, uint64_t len, int prot)
{
	(void)as, (void)va, (void)len, (void)prot;
}
/* The real platform drops the reference once its mirror is updated: at once here. */
static void as_defer_put(struct plat_as *as, uint64_t off)
{
	(void)as;
	mf_put(off);
}

static const struct platform plat_fuzz = {
	.name = "fuzz",
	.as_create = as_create,
	.as_destroy = as_destroy,
	.as_map = as_map,
	.as_unmap = as_unmap,
	.as_protect = as_protect,
	.as_defer_put = as_defer_put,
	.user_limit = 0x7fffffffd000UL, /* the ptrace platform's */
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mf_init(64UL << 20) < 0)
		abort();
	plat = &plat_fuzz;
	mm_file_ops = &image_mm_ops;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct task *t;
	char *const argv[] = {"/fuzz", "arg", NULL};
	char *const envp[] = {"PATH=/bin", NULL};
	struct mm *mm = NULL;
	plat_regs regs;
	long r;

	if (!t)
		t = calloc(1, sizeof(*t)); /* no thread group: the default stack limit */
	task_current = t;
	image = data;
	image_len = size;
	image_inode.size = size > FILE_SIZE ? size : FILE_SIZE;
	r = loader_exec(t, "/fuzz", argv, envp, &mm, &regs);
	if (r == 0) {
		if (!mm || regs.rsp >= mm->limit || regs.rsp & 15)
			abort();
		mm_put(mm);
	} else if (r > 0 || r < -4095 || mm) {
		abort();
	}
	if (image_file.refs != 1 || image_inode.refs != 1 || mf.used != 0)
		abort(); /* a reference or a frame outlived the exec */
	return 0;
}
