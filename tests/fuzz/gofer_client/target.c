/*
 * Fuzz target: the sentry's gofer client (vfs/fs/gofer/gofer.c) against a
 * gofer that answers anything: every reply's error, file type, size, link
 * count and identity, and the fd sent with it (none, a directory, a
 * regular file, /dev/null, a pipe, an O_PATH symlink), whatever was asked.
 *
 * The input is one stream read in turn by the script below and by the fake
 * gofer.  It starts with one byte (bit 0: the mount is writable, as with
 * --overlay=none); then each step is an op byte and its arguments, and
 * whenever the client calls the gofer, the fake gofer (a thread on a real
 * socket) takes the next reply from the stream (struct fake_reply).  When the stream runs out, the
 * gofer is gone (-EIO) and the script ends.  The script calls the inode
 * and file ops as the VFS does, keeping the VFS's side of each contract
 * (a victim is the inode at that name, a directory is not moved below
 * itself, a name is new before it is made), so that what breaks is the
 * client's own handling of what the gofer said.
 *
 * Beyond the sanitizers: every request the client sends names a single
 * component and carries the fds its op needs; at the end, with every inode
 * put, no host fd and no memory-file frame may be left.
 *
 * links: vfs/fs/gofer/gofer.c sentry/mm/memfile.c sentry/host/host.c -lpthread vfs/fpages.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "sentry/host/host.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "vfs/fs/gofer/gofer.h"
#include "vfs/fs/gofer/protocol.h"
#include "vfs/vfs.h"

/* FUZZ_TRACE=1: each op and reply on stderr, to read what a crash input does. */
static int trace;

/* ---- the input stream ---- */
static const uint8_t *in;
static size_t in_left;

static int take(void *dst, size_t n)
{
	if (in_left < n)
		return -1;
	memcpy(dst, in, n);
	in += n;
	in_left -= n;
	return 0;
}

static uint8_t take8(void)
{
	uint8_t v = 0;

	take(&v, 1);
	return v;
}

/* ---- the fake gofer ---- */

/*
 * One reply as the stream gives it; st2 is st's identity with st2_mode.
 * how: bits 0-2 the fd sent with it (fd_choice), bits 3-4 how many more
 * fds come in the same message, bit 5 a second message of control data,
 * bit 6 a short reply (fewer bytes than a struct gofer_rep).
 */
struct fake_reply {
	uint8_t how;
	int32_t err;
	uint32_t mode; /* st.st_mode */
	uint8_t dev, ino;
	int64_t size;
	uint32_t nlink;
	uint32_t st2_mode;
} __attribute__((packed));

enum { FD_NONE, FD_DIR, FD_FILE, FD_NULL, FD_PIPE, FD_SYMLINK, FD_CHOICES };
static int fd_src[FD_CHOICES];

static void die_msg(const char *what)
{
	fprintf(stderr, "fuzz gofer_client: %s\n", what);
	abort();
}

static void check_name(const char *name, size_t cap)
{
	size_t n = strnlen(name, cap);

	if (n == cap)
		die_msg("a request's name is not NUL-terminated");
	if (!n || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		die_msg("a request names more than one component");
}

static void check_req(const struct gofer_req *req, size_t reqlen, int nfds)
{
	if (reqlen < sizeof(*req))
		die_msg("a short request");
	if (req->op != GOFER_ROOT && nfds < 1)
		die_msg("a request without its fd");
	switch (req->op) {
	case GOFER_WALK:
	case GOFER_CREATE:
	case GOFER_UNLINK:
		check_name(req->name, sizeof(req->name));
		break;
	case GOFER_RENAME:
	case GOFER_LINK:
		if (nfds < 2)
			die_msg("a rename or link without its second fd");
		check_name(req->name, sizeof(req->name));
		check_name(req->name2, sizeof(req->name2));
		break;
	case GOFER_SETXATTR:
	case GOFER_REMOVEXATTR:
		if (strncmp(req->name, "user.", 5) || !memchr(req->name, 0, sizeof(req->name)))
			die_msg("an xattr request for a name the gofer refuses");
		if (req->op == GOFER_SETXATTR && reqlen != sizeof(*req) + req->size)
			die_msg("an xattr request whose size is not its value's");
		break;
	}
}

/* Sends rep with the fds f.how asks for. */
static void send_reply(int sock, const struct fake_reply *f)
{
	struct gofer_rep r;
	char cbuf[2 * CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = {&r, f->how & 64 ? sizeof(r) / 2 : sizeof(r)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int fds[3], n = 0, k, src = (f->how & 7) % FD_CHOICES;
	struct cmsghdr *c;

	memset(&r, 0, sizeof(r));
	r.err = f->err;
	r.st.st_mode = f->mode;
	r.st.st_dev = f->dev;
	r.st.st_ino = f->ino;
	r.st.st_size = f->size;
	r.st.st_nlink = f->nlink;
	r.st.st_blocks = f->size / 512;
	r.st2 = r.st;
	r.st2.st_mode = f->st2_mode;
	r.sfs.f_bsize = 4096;
	r.sfs.f_blocks = (uint64_t)f->size;
	if (src != FD_NONE)
		for (n = 0; n < 1 + ((f->how >> 3) & 3) && n < 3; n++)
			fds[n] = fd_src[src];
	if (n) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
		if (f->how & 32) { /* the same fds again, in a second control message */
			struct cmsghdr *c2 = (struct cmsghdr *)((char *)c + CMSG_SPACE(n * sizeof(int)));

			*c2 = *c;
			memcpy(CMSG_DATA(c2), fds, n * sizeof(int));
			mh.msg_controllen += CMSG_SPACE(n * sizeof(int));
		}
	}
	k = (int)sendmsg(sock, &mh, MSG_NOSIGNAL);
	(void)k;
}

/*
 * The fake gofer: a thread on the other end of a real socket, so that the
 * client's own host_gofer_call (sentry/host/host.c) takes the replies
 * apart, control messages and all.  Each request is checked; each reply is
 * the stream's next.  The two threads take turns on the stream: the client
 * waits for every reply.
 */
static void *fake_gofer(void *arg)
{
	static union {
		struct gofer_req req;
		char raw[sizeof(struct gofer_req) + GOFER_XATTR_MAX + 1];
	} buf;
	int sock = (int)(intptr_t)arg;

	for (;;) {
		char cbuf[CMSG_SPACE(4 * sizeof(int))];
		struct iovec iov = {&buf, sizeof(buf)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *c;
		struct fake_reply f;
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		int nfds = 0, k;

		if (n <= 0)
			break;
		if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			die_msg("a request larger than the protocol allows");
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			for (k = 0; c->cmsg_type == SCM_RIGHTS && (size_t)k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			     k++, nfds++) {
				int x;

				memcpy(&x, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
				close(x);
			}
		}
		check_req(&buf.req, (size_t)n, nfds);
		if (take(&f, sizeof(f)) < 0)
			break; /* the gofer is gone */
		if (trace)
			fprintf(stderr, "  gofer op %u -> how %#x err %d mode %o ino %u size %lld\n", buf.req.op, f.how,
				f.err, f.mode, f.ino, (long long)f.size);
		send_reply(sock, &f);
	}
	close(sock);
	return NULL;
}

/*
 * Stubs for what the client needs of the VFS core (inodes and supers:
 * linking vfs/core.c would bring in mounts, tasks and the memory manager).
 */
static long live_inodes;

struct inode *inode_new(struct super *sb, uint32_t mode)
{
	struct inode *ino = calloc(1, sizeof(*ino));

	if (ino) {
		live_inodes++;
		ino->sb = sb;
		ino->mode = mode;
		ino->ino = ++sb->next_ino;
		ino->refs = 1;
	}
	return ino;
}

struct super *super_new(const char *type, int rdonly)
{
	struct super *sb = calloc(1, sizeof(*sb));

	if (sb) {
		sb->type = type;
		sb->rdonly = rdonly;
	}
	return sb;
}

void inode_get(struct inode *ino) { ino->refs++; }

void inode_put(struct inode *ino)
{
	if (ino->refs <= 0)
		die_msg("inode put once too often");
	if (--ino->refs)
		return;
	if (ino->iops && ino->iops->release)
		ino->iops->release(ino);
	free(ino);
	live_inodes--;
}

/* gofer.c registers its file-system type; this target mounts it by gofer_mount directly. */
void vfs_register_fs_type(const struct fs_type *t) { (void)t; }

struct abi_timespec vfs_now(void) { return (struct abi_timespec){1, 0}; }

void die(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

__thread struct task *task_current;

/* ---- the script ---- */

#define NSLOTS 8
static struct slot {
	struct inode *ino;
	int parent;    /* the slot of its directory, -1: none (the root, or its name is gone) */
	char name[8];
} slot[NSLOTS];

static const char *const names[] = {"f", "d", "l", "x", "y"};
#define NAME() names[take8() % (sizeof(names) / sizeof(names[0]))]

static struct slot *pick(void)
{
	struct slot *s = &slot[take8() % NSLOTS];

	return s->ino ? s : NULL;
}

static int slot_of_name(int dir, const char *name)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (slot[i].ino && slot[i].parent == dir && !strcmp(slot[i].name, name))
			return i;
	return -1;
}

static int free_slot(void)
{
	int i;

	for (i = 1; i < NSLOTS; i++)
		if (!slot[i].ino)
			return i;
	return -1;
}

static void put_slot(int i)
{
	int j;

	/* Children keep their directory through the gnode's reference; the script only forgets the name. */
	for (j = 0; j < NSLOTS; j++)
		if (slot[j].parent == i)
			slot[j].parent = -1;
	inode_put(slot[i].ino);
	slot[i].ino = NULL;
	slot[i].parent = -1;
}

/* Is slot a at or below directory slot d (a rename of d into a would loop)? */
static int below(int a, int d)
{
	for (; a >= 0; a = slot[a].parent)
		if (a == d)
			return 1;
	return 0;
}

/*
 * What an op returns reaches the application: 0 (or a count, where counts
 * are the result), or an errno Linux has; never a restart code.
 */
static long ok(long r)
{
	if (r < -511)
		die_msg("an op returned what is no errno");
	return r;
}

static int emit(void *ctx, const char *name, size_t namelen, uint64_t ino, unsigned type)
{
	(void)ctx;
	(void)ino;
	(void)type;
	if (strlen(name) != namelen)
		die_msg("a directory entry's length is not its name's");
	return 0;
}

static int add_xattr(void *ctx, const char *name, const void *value, size_t size)
{
	(void)ctx;
	(void)value;
	(void)size;
	if (!memchr(name, 0, 256))
		die_msg("an xattr name without its end");
	return 0;
}

/* An open, as vfs_open_path makes it, then what the op byte asks, then the close. */
static void with_file(struct inode *ino, int flags, uint8_t what)
{
	struct file f = {.ops = ino->fops, .inode = ino, .flags = flags, .refs = 1};
	char buf[8192];
	struct iovec iov = {buf, 1 + take8() * 31};
	uint64_t pos = take8();

	pos *= 1000;

	if (ok(ino->iops->open(ino, &f, flags)) < 0 || !f.ops)
		return;
	if ((what & 1) && f.ops->read)
		ok(f.ops->read(&f, &iov, 1, &pos));
	if ((what & 2) && f.ops->write && (flags & O_ACCMODE) != O_RDONLY) {
		memset(buf, 'w', iov.iov_len);
		ok(f.ops->write(&f, &iov, 1, &pos));
	}
	if ((what & 4) && f.ops->iterate) {
		ok(f.ops->iterate(&f, emit, NULL));
		f.pos = 0;
		ok(f.ops->iterate(&f, emit, NULL));
	}
	if ((what & 8) && f.ops->fsync)
		ok(f.ops->fsync(&f, what & 16));
	if (f.ops->release)
		f.ops->release(&f);
}

static void step(uint8_t op)
{
	struct slot *s = pick(), *d;
	struct inode *out;
	const char *name;
	int i, si = s ? (int)(s - slot) : -1;

	if (!s)
		return;
	if (trace)
		fprintf(stderr, "op %d on slot %d (mode %o)\n", op % 16, si, s->ino->mode);
	switch (op % 16) {
	case 0: /* lookup */
		name = NAME();
		if (!S_ISDIR(s->ino->mode) || slot_of_name(si, name) >= 0 || (i = free_slot()) < 0)
			return;
		if (ok(s->ino->iops->lookup(s->ino, name, &out)) == 0) {
			slot[i] = (struct slot){.ino = out, .parent = si};
			strcpy(slot[i].name, name);
		}
		return;
	case 1: { /* readlink */
		char buf[256];

		if (S_ISLNK(s->ino->mode))
			ok(s->ino->iops->readlink(s->ino, buf, take8()));
		return;
	}
	case 2: { /* open, then read, write, iterate or fsync */
		static const int flags[] = {O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_TRUNC, O_WRONLY | O_APPEND};
		int fl = flags[take8() % 5];

		if (S_ISDIR(s->ino->mode) && (fl & O_ACCMODE) != O_RDONLY)
			return; /* the VFS refuses EISDIR first */
		with_file(s->ino, fl, take8());
		return;
	}
	case 3: { /* a private mapping's fill */
		char buf[4096];

		if (S_ISREG(s->ino->mode))
			ok(s->ino->iops->fill(s->ino, take8() * 4096ULL, buf, sizeof(buf)));
		return;
	}
	case 4: { /* a page of the cache */
		uint64_t frame, off = take8();

		/*
		 * Up to 4 GiB in.  The cache's table is 8 bytes a page up to the
		 * page touched, so a page a TiB into a sparse file costs 2 GiB:
		 * a known limit (a sparse table would lift it), kept out of here.
		 */
		off <<= take8() % 25;

		if (S_ISREG(s->ino->mode) && ok(s->ino->iops->getpage(s->ino, off & ~4095ULL, &frame)) == 0)
			mf_put(frame);
		return;
	}
	case 5: { /* mknod */
		static const uint32_t modes[] = {S_IFREG | 0644, S_IFDIR | 0755, S_IFLNK | 0777, S_IFIFO | 0600,
						 S_IFSOCK | 0600, S_IFCHR | 0600};
		uint32_t mode = modes[take8() % 6];

		name = NAME();
		if (!S_ISDIR(s->ino->mode) || slot_of_name(si, name) >= 0 || (i = free_slot()) < 0)
			return;
		if (ok(s->ino->iops->mknod(s->ino, name, mode, 0, "target", &out)) == 0) {
			slot[i] = (struct slot){.ino = out, .parent = si};
			strcpy(slot[i].name, name);
		}
		return;
	}
	case 6: /* unlink the slot's name */
		if (s->parent < 0)
			return;
		if (ok(slot[s->parent].ino->iops->unlink(slot[s->parent].ino, s->name, s->ino)) == 0)
			s->parent = -1;
		return;
	case 7: { /* rename the slot's name into directory d */
		unsigned flags = take8() % 3; /* 0, RENAME_NOREPLACE, RENAME_EXCHANGE */
		int v;

		d = pick();
		name = NAME();
		if (!d || s->parent < 0 || !S_ISDIR(d->ino->mode) || (S_ISDIR(s->ino->mode) && below((int)(d - slot), si)))
			return;
		v = slot_of_name((int)(d - slot), name);
		if (v == si || (flags == 2 && (v < 0 || (S_ISDIR(slot[v].ino->mode) && below(s->parent, v)))) ||
		    (flags == 1 && v >= 0))
			return;
		if (ok(slot[s->parent].ino->iops->rename(slot[s->parent].ino, s->name, s->ino, d->ino, name,
							v >= 0 ? slot[v].ino : NULL, flags)) == 0) {
			if (v >= 0 && flags == 2) {
				slot[v].parent = s->parent;
				strcpy(slot[v].name, s->name);
			} else if (v >= 0) {
				slot[v].parent = -1;
			}
			s->parent = (int)(d - slot);
			strcpy(s->name, name);
		}
		return;
	}
	case 8: /* link */
		d = pick();
		name = NAME();
		if (d && S_ISDIR(d->ino->mode) && !S_ISDIR(s->ino->mode) && slot_of_name((int)(d - slot), name) < 0)
			ok(d->ino->iops->link(d->ino, name, s->ino));
		return;
	case 9: { /* setattr */
		struct vfs_iattr ia = {.valid = take8() & 31, .mode = 0644};

		ia.uid = take8();
		ia.gid = take8();

		ok(s->ino->iops->setattr(s->ino, &ia));
		return;
	}
	case 10: { /* truncate */
		uint64_t size = take8();

		size <<= take8() % 48;
		if (S_ISREG(s->ino->mode))
			ok(s->ino->iops->truncate(s->ino, size));
		return;
	}
	case 11: { /* setxattr, removexattr */
		uint8_t how = take8();

		ok(s->ino->iops->write_xattr(s->ino, how & 1 ? "user.fuzz" : "trusted.fuzz", how & 2 ? NULL : "v",
					     how & 2 ? 0 : 1, how >> 6));
		return;
	}
	case 12: { /* statfs */
		struct statfs sf;

		ok(s->ino->iops->statfs(s->ino, &sf));
		return;
	}
	case 13: /* the file's own xattrs */
		ok(s->ino->iops->read_xattrs(s->ino, add_xattr, NULL));
		return;
	case 14: /* a writable shared mapping, and its write-back */
		if (S_ISREG(s->ino->mode) && ok(s->ino->iops->map_shared_write(s->ino)) == 0)
			ok(s->ino->iops->writeback(s->ino));
		return;
	case 15: /* the VFS lets go of it */
		if (si != 0)
			put_slot(si);
		return;
	}
}

static void make_sources(void)
{
	const char *base = getenv("FUZZ_SCRATCH");
	static char tmpl[4096];
	int p[2], fd;

	snprintf(tmpl, sizeof(tmpl), "%s/cvisor-fuzz-client.XXXXXX", base && *base ? base : "/dev/shm");
	if (!mkdtemp(tmpl))
		die_msg("mkdtemp (set FUZZ_SCRATCH to a writable directory)");
	/* A directory with a few entries, left empty of anything writable: the client only reads it. */
	fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	symlinkat("/etc/passwd", fd, "l");
	close(openat(fd, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	fd_src[FD_DIR] = fd;
	fd_src[FD_NULL] = open("/dev/null", O_RDWR | O_CLOEXEC);
	fd_src[FD_FILE] = (int)host_memfd_create("fuzz-file", MFD_CLOEXEC);
	if (write(fd_src[FD_FILE], "contents of a file\n", 19) != 19)
		die_msg("write memfd");
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		die_msg("pipe");
	fd_src[FD_PIPE] = p[0];
	fd_src[FD_SYMLINK] = openat(fd, "l", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	/* The directory's entries stay while the fd does; the names can go now. */
	unlinkat(fd, "l", 0);
	unlinkat(fd, "f", 0);
	rmdir(tmpl);
	for (fd = 1; fd < FD_CHOICES; fd++)
		if (fd_src[fd] < 0)
			die_msg("a source fd");
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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct task t;

	(void)argc;
	(void)argv;
	if (mf_init(64UL << 20) < 0)
		die_msg("mf_init");
	make_sources();
	t.cred.fsuid = t.cred.fsgid = 1000;
	task_current = &t;
	trace = getenv("FUZZ_TRACE") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct super *sb = NULL;
	long err;
	int i, fds = count_fds();
	uint8_t mode;

	pthread_t gofer;
	int sv[2];

	in = data;
	in_left = size;
	mode = take8();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pthread_create(&gofer, NULL, fake_gofer, (void *)(intptr_t)sv[1]))
		die_msg("socketpair or thread");
	slot[0].ino = gofer_mount(sv[0], mode & 1, 8 + (mode >> 4), &sb, &err);
	slot[0].parent = -1;
	for (i = 1; i < NSLOTS; i++)
		slot[i] = (struct slot){.parent = -1};
	if (slot[0].ino) {
		if (!S_ISDIR(slot[0].ino->mode))
			die_msg("a root that is not a directory");
		while (in_left)
			step(take8());
		gofer_writeback_all();
		for (i = NSLOTS - 1; i >= 0; i--)
			if (slot[i].ino)
				put_slot(i);
	} else if (err >= 0 || err < -511) {
		die_msg("a failed mount without its errno");
	}
	/* The sentry never unmounts its gofer mounts: the super and its gofer_fs (plain allocations) go here. */
	if (sb)
		free(sb->priv);
	free(sb);
	close(sv[0]);
	pthread_join(gofer, NULL);
	if (count_fds() != fds)
		die_msg("a host fd outlived every inode");
	if (live_inodes)
		die_msg("an inode outlived the mount (a reference was not put)");
	if (mf.used)
		die_msg("a memory-file frame outlived every inode");
	return 0;
}
