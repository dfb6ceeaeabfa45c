/*
 * The virtual file system: mounts, dentries, inodes, open files, fd tables
 * and the path walk, in Linux's shape.  File systems live in vfs/fs/<name>/
 * and plug in through the const ops tables below.
 *
 * Ownership:
 *  - an inode is referenced by its dentries, open files and VMAs (get/put);
 *    its fs's release op runs at the last put;
 *  - a dentry holds a reference on its inode and on its parent; dentries
 *    stay in the cache (keyed by parent and name, xxhash) until unlinked;
 *  - a file holds its inode and dentry; fd tables hold files.
 * Locking: everything here is under the sentry lock.  A blocking operation
 * (a pipe read, a host read of stdin) drops it while it waits.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "../include/abi/abi.h"
#include "../sentry/kernel/ns.h"
#include "../sentry/kernel/wait.h"

struct task;
struct statfs;
struct inode;
struct file;
struct vfs_pollset;
struct dentry;
struct mount;
struct path;
struct socket_ops;

/* An attribute change (chmod, chown, utimensat) for a file system that keeps attributes elsewhere. */
enum { VFS_ATTR_MODE = 1, VFS_ATTR_UID = 2, VFS_ATTR_GID = 4, VFS_ATTR_ATIME = 8, VFS_ATTR_MTIME = 16 };
struct vfs_iattr {
	unsigned valid;
	uint32_t mode, uid, gid;
	struct abi_timespec atime, mtime; /* UTIME_NOW already resolved */
};

struct inode_ops {
	/* Finds name in dir: 0 with a new reference in *out, or -ENOENT... */
	long (*lookup)(struct inode *dir, const char *name, struct inode **out);
	/* Makes a regular file, directory, symlink or node (mode has the type). */
	long (*mknod)(struct inode *dir, const char *name, mode_t mode, dev_t rdev, const char *target,
		      struct inode **out);
	long (*unlink)(struct inode *dir, const char *name, struct inode *victim);
	long (*readlink)(struct inode *ino, char *buf, size_t len);
	/* Prepares f (f->ops, f->priv) for an open with flags. */
	long (*open)(struct inode *ino, struct file *f, int flags);
	long (*truncate)(struct inode *ino, uint64_t size);
	/* Private mapping: copies len bytes at off (zero past the end). */
	long (*fill)(struct inode *ino, uint64_t off, void *buf, size_t len);
	/* Shared mapping: the frame holding off, with a reference for the caller. */
	long (*getpage)(struct inode *ino, uint64_t off, uint64_t *frame);
	/* The file's own extended attributes, each given to add (which returns nonzero to stop). */
	long (*read_xattrs)(struct inode *ino, int (*add)(void *ctx, const char *name, const void *value, size_t size),
			    void *ctx);
	/* Private mappings share getpage's frames copy-on-write (a page cache) rather than fill copies. */
	int share_private;
	/*
	 * A host fd the platform may map the file from for a private mapping
	 * (platform.h, as_map_file): the file is read-only to the whole
	 * sandbox, so its pages are the host's and never change under it.
	 * -1: none (NULL: never).
	 */
	int (*host_map_fd)(struct inode *ino);
	void (*release)(struct inode *ino);
	/* Is the cached child d of dir still right (procfs: does the pid live)? NULL: always. */
	int (*revalidate)(struct inode *dir, struct dentry *d);
	/* Access the mode bits refuse is granted all the same (a process's own /proc fd directory)? NULL: never. */
	int (*grants)(struct task *t, struct inode *ino);
	/*
	 * File systems whose names live outside the sentry (the gofer) make
	 * each change there first; the dentries follow when it succeeds.
	 * NULL: the dentry cache is the file system (tmpfs, the overlay).
	 * rename is the old directory's op; victim is the file at the new
	 * name (NULL if none), swapped with src under RENAME_EXCHANGE.  The
	 * op keeps the inodes' attributes (nlink, times) right itself.
	 */
	long (*rename)(struct inode *odir, const char *oname, struct inode *src, struct inode *ndir, const char *nname,
		       struct inode *victim, unsigned flags);
	/* A new name in dir for src (the new directory's op). */
	long (*link)(struct inode *dir, const char *name, struct inode *src);
	/* Made before the inode takes the change; NULL: the inode alone. */
	long (*setattr)(struct inode *ino, const struct vfs_iattr *ia);
	/*
	 * setxattr (value non-NULL) or removexattr made by the file system too,
	 * before the sentry's copy changes; NULL: the copy alone.
	 */
	long (*write_xattr)(struct inode *ino, const char *name, const void *value, size_t size, int flags);
	/* statfs(2) figures of the file system; NULL or an error: the sandbox's own. */
	long (*statfs)(struct inode *ino, struct statfs *sf);
	/*
	 * A MAP_SHARED mapping that may write (maxprot) is being made: 0, or
	 * -errno to refuse writing (the mapping is then read-only, and mmap
	 * with PROT_WRITE fails with it).  NULL: the pages are the file (tmpfs).
	 */
	long (*map_shared_write)(struct inode *ino);
	/* Writes what shared mappings changed back to the file (msync); NULL: nothing to write. */
	long (*writeback)(struct inode *ino);
	/*
	 * A magic link (procfs's fd/N, cwd, root): the place it stands for, with
	 * a new reference in *out, which the walk jumps to instead of walking
	 * readlink's text (see vfs_file_path).  NULL: an ordinary symlink.
	 */
	long (*get_link)(struct inode *ino, struct path *out);
	/*
	 * lseek's SEEK_DATA or SEEK_HOLE (whence) from off, which is below the
	 * size: where the next data or hole starts (the end of the file is a
	 * hole), or -ENXIO when no data follows.  NULL: the file is all data.
	 */
	long (*seek_data)(struct inode *ino, uint64_t off, int whence);
};

/* getdents64 callback: returns 0 to go on, non-zero when the buffer is full. */
typedef int (*dir_emit_fn)(void *ctx, const char *name, size_t namelen, uint64_t ino, unsigned type);

struct file_ops {
	long (*read)(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos);
	long (*write)(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos);
	/* Device files: set up f at open (it may change f->ops and f->priv). */
	long (*open)(struct file *f, int flags);
	/* Emits entries from f->pos on; advances f->pos past what was taken. */
	long (*iterate)(struct file *f, dir_emit_fn emit, void *ctx);
	long (*ioctl)(struct file *f, struct task *t, unsigned long req, gva_t arg);
	long (*fstat)(struct file *f, struct abi_stat *st); /* NULL: from the inode */
	long (*fsync)(struct file *f, int datasync);         /* NULL: nothing to flush */
	void (*release)(struct file *f);
	/*
	 * poll(2) readiness now; NULL means always readable and writable.  A
	 * file whose readiness changes with time (timerfd) lowers *deadline to
	 * the host realtime ns when it next may.
	 */
	unsigned (*poll)(struct file *f, uint64_t *deadline);
	/*
	 * Links a waiter of ps on each wait queue whose wake may change what
	 * poll reports (vfs_pollset_add_queue).  NULL: the inode's queue, which
	 * vfs_notify wakes.  Files woken by other events (pidfd, signalfd) and
	 * epoll (its watched files too) say so here.
	 */
	void (*wait_link)(struct file *f, struct vfs_pollset *ps);
	/* readlink of /proc/PID/fd/N for a file with no path ("anon_inode:[eventfd]"); NULL: by type. */
	const char *dname;
	/*
	 * The same for files whose name is their own ("/memfd:NAME (deleted)"):
	 * its length, or -ENOENT to fall back on dname; NULL: none.  /proc's
	 * maps shows it for a mapping of the file too.
	 */
	long (*show_name)(struct file *f, char *buf, size_t len);
	/* A socket's calls (bind, sendmsg...: vfs/socket.h); NULL: not a socket (ENOTSOCK). */
	const struct socket_ops *sock;
	int seekable; /* lseek works and positions are per file */
	int discards; /* writes succeed without reading the buffer (/dev/null) */
	int pos_zero; /* lseek with any whence Linux knows answers 0 and moves nothing (/dev/null, zero, full, random) */
};

struct inode {
	const struct inode_ops *iops;
	const struct file_ops *fops; /* default for open when iops->open is NULL */
	struct super *sb;
	uint32_t mode;
	uint32_t uid, gid;
	uint64_t nlink;
	uint64_t ino;
	uint64_t size;
	uint64_t blocks;
	uint64_t rdev;
	struct abi_timespec atime, mtime, ctime;
	struct waitq wq;    /* tasks waiting for a poll change of a file on it (vfs_notify wakes) */
	uint64_t poll_gen;  /* bumped by vfs_notify: epoll's edge-triggered mode compares it */
	/* Bumped by the notifies of one side (vfs_notify_events) and by every plain one. */
	uint64_t poll_gen_in, poll_gen_out;
	uint64_t excl_gen;  /* epoll: poll_gen + 1 once an EPOLLEXCLUSIVE waiter took that event */
	void *pipe;         /* a named FIFO's pipe while it is open */
	void *locks;        /* flock and record locks (lock.c) */
	void *xattrs;       /* extended attributes, kept in sentry memory (xattr.c) */
	int xattrs_loaded;  /* the file system's own were read (iops->read_xattrs) */
	void *sock;         /* a bound AF_UNIX socket at this name (weak: cleared when it closes) */
	int linkable;       /* O_TMPFILE without O_EXCL: linkat may name it while nlink is 0 */
	int writecount;     /* > 0: files open for writing; < 0: running programs (writes get ETXTBSY) */
	int readcount;      /* regular files open read-only (leases: Linux's i_readcount) */
	int refs;
	void *priv;
};

/* statfs(2)'s figures of a file system, in 4096-byte blocks. */
struct vfs_statfs {
	uint64_t magic; /* f_type */
	uint64_t blocks, bfree, bavail, files, ffree;
};

struct super_ops {
	/* The figures (magic comes preset from the type, which the op may change). */
	void (*statfs)(struct super *sb, struct vfs_statfs *st);
	/*
	 * A walk enters the mount at root (every way in crosses it): a file
	 * system may fill itself on first use rather than at mount (sysfs).
	 */
	void (*enter)(struct super *sb, struct dentry *root);
	/* The super goes (unmounted, its last inode gone): frees what the type keeps in priv. */
	void (*kill)(struct super *sb);
};

/* One mounted file system instance. */
struct super {
	const char *type;
	const struct super_ops *ops; /* NULL: no blocks nor inodes to count, as Linux's proc */
	uint64_t dev;
	int rdonly;
	int dcache_complete; /* every entry is in the dcache: a miss is ENOENT */
	int whiteouts;       /* overlay: a removed name stays as a negative dentry (vfs_remove_name) */
	uint64_t next_ino;
	int mounts; /* mounts of it: when the last goes, its dentries go from the cache */
	int inodes; /* live inodes: an unmounted super goes with the last */
	int mounted; /* it was mounted: its lifetime is the mounts' and the inodes' */
	int kept;                /* unused, of a type with no kill op: on kept_supers in vfs/core.c */
	struct super *kept_next;
	void *priv;
};

struct dentry {
	struct dentry *parent;  /* reference; NULL for a file system's root */
	struct inode *inode;    /* reference; NULL for a negative entry */
	struct mount *mounted;  /* the newest mount on this dentry, under any parent (vfs_mount_on finds one) */
	struct dentry *hnext, **hprev; /* hash chain (hprev: the pointer to this one, for O(1) removal) */
	struct dentry *child, *sibling, **sprev; /* children, newest first (tmpfs readdir) */
	int refs;
	int unhashed;
	uint64_t hash;
	size_t namelen;
	char *name;             /* own allocation: rename changes it */
};

/* Removed from its directory (unlinked, rmdir'ed, replaced by a rename) while still held. */
static inline int dentry_dead(const struct dentry *d)
{
	return d->unhashed && d->parent;
}

/* struct mount's flags: mount -o ro (or a read-only bind) on this mount alone. */
enum { VFS_MNT_RDONLY = 1 };

struct mount {
	struct mount *next;  /* all mounts of every namespace, oldest first (/proc/mounts) */
	struct dentry *root;
	struct mount *parent;
	struct dentry *mountpoint;
	struct super *sb;
	int flags; /* VFS_MNT_RDONLY */
	int id;    /* /proc/PID/mountinfo's mount id: never reused */
	int locked; /* the sandbox is built on it: no umount, no bind that shows what it covers */
	int users;    /* paths that name it (path_get, path_put): umount is EBUSY while any but the caller's do */
	int detached; /* unmounted: freed when its last user lets go */
	struct mnt_ns *ns;  /* the namespace it is in; NULL once detached */
	struct mount *copy; /* while its namespace is copied (vfs/core.c's mnt_ns_copy): its copy */
	struct mount *hnext; /* vfs/core.c's hash by (parent, mountpoint), while it has a mountpoint */
};

/*
 * A mount namespace (namespaces(7)): the mounts whose ns it is, a tree
 * below root.  Every namespace's mounts are on the one vfs_mounts list;
 * a mount's parent is always in its own namespace, so a walk that crosses
 * mounts (vfs_mount_on) stays in the namespace it started in.  A copy
 * (unshare, clone with CLONE_NEWNS) duplicates every mount, as Linux's
 * copy_mnt_ns; mounts made or unmounted afterwards are seen in their own
 * namespace only.  cvisor differs from Linux in having no propagation:
 * every mount is private (MS_SHARED, MS_SLAVE and MS_UNBINDABLE are
 * accepted and change nothing).  When its last reference goes (tasks,
 * task->mnt; open /proc/PID/ns/mnt files) every mount in it is unmounted
 * lazily: those still in use (open files, a cwd elsewhere) live on
 * detached until let go.
 */
struct mnt_ns {
	struct ns_common ns; /* first: the kernel's handle on it */
	struct mount *root;  /* its root mount (pivot_root changes it) */
	size_t charged;      /* bytes charged to the sandbox's memory for it */
};
/* The sandbox's first namespace: vfs_mount_root's mount is its root. */
extern struct mnt_ns vfs_mnt_ns_init;
/* t's mount namespace (the first for a task made without one: unit tests). */
struct mnt_ns *vfs_mnt_ns(const struct task *t);
/*
 * Is m a mount of t's namespace, not unmounted (Linux's check_mnt)?
 * mount(2), umount2 and pivot_root change only those: EINVAL for mounts
 * reached through another namespace (/proc/PID/root, an fd).
 */
int vfs_mount_is_ours(const struct task *t, const struct mount *m);

struct path {
	struct mount *mnt;
	struct dentry *d;
};

struct file {
	const struct file_ops *ops;
	struct inode *inode;
	struct path path;
	int flags; /* open flags: access mode, O_APPEND, O_NONBLOCK... */
	uint64_t pos;
	int refs;
	int holds_write; /* counted in inode->writecount (vfs_open_path) */
	int holds_read;  /* counted in inode->readcount (vfs_open_path) */
	void *priv;
};

struct fdtable {
	struct file **fds;
	uint64_t *cloexec; /* bitmap */
	int size;
	int refs;
};

struct fs_context {
	struct path root, cwd;
	uint32_t umask;
	int refs;
};

/* ---- inodes, dentries, files ---- */
struct inode *inode_new(struct super *sb, uint32_t mode);
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
void inode_stat(struct inode *ino, struct abi_stat *st);
struct super *super_new(const char *type, int rdonly);

struct dentry *dentry_new(struct dentry *parent, const char *name, size_t len, struct inode *ino);
struct dentry *dentry_lookup_cached(struct dentry *parent, const char *name, size_t len);
/*
 * Gives name in directory parent to ino, taking over the caller's reference
 * on it: fills a negative entry or makes a new one.  NULL (and the
 * reference dropped) when out of memory.
 */
struct dentry *vfs_name_inode(struct dentry *parent, const char *name, struct inode *ino);
void dentry_get(struct dentry *d);
void dentry_put(struct dentry *d);
/* Takes d out of its parent's lists and the cache (unlink, rmdir). */
void dentry_drop(struct dentry *d);
/* Moves d under parent with a new name (rename); 0 or -ENOMEM. */
int dentry_move(struct dentry *d, struct dentry *parent, const char *name, size_t len);

struct file *file_new(struct path *p, struct inode *ino, const struct file_ops *ops, int flags);
void file_get(struct file *f);
void file_put(struct file *f);
/*
 * Open file descriptions alive in the sandbox, and its limit (--files, as
 * Linux's fs.file-max): fdt_install refuses a new one past it with ENFILE,
 * even for root, since each costs sentry memory (a pipe's buffer, a
 * socket's queue) and may hold a host fd (a gofer file that is open).
 */
extern size_t vfs_nr_files, vfs_max_files;

/* ---- fd tables ---- */
struct fdtable *fdt_new(void);
void fdt_put(struct fdtable *t);
/*
 * Installs f (taking a reference) at the lowest free fd >= min: fd, -EMFILE
 * past limit, or -ENFILE when f is a new file (no other reference) and the
 * sandbox has more than vfs_max_files.
 */
int fdt_install(struct fdtable *t, struct file *f, int min, int cloexec, uint64_t limit);
int fdt_install_at(struct fdtable *t, int fd, struct file *f, int cloexec);
/* The file at fd with a new reference, or NULL. */
struct file *fdt_get(struct fdtable *t, int fd);
int fdt_close(struct fdtable *t, int fd);
int fdt_get_cloexec(struct fdtable *t, int fd);
void fdt_set_cloexec(struct fdtable *t, int fd, int on);
void fdt_close_on_exec(struct fdtable *t);
/* A copy of src sharing its files (fork without CLONE_FILES), or NULL. */
struct fdtable *fdt_copy(struct fdtable *src);
/* A copy of src with its own root, cwd and umask (fork without CLONE_FS), or NULL. */
struct fs_context *fs_copy(struct fs_context *src);
void fs_put(struct fs_context *fs);
/* task_files's mnt_ns_copy and mnt_ns_enter (task.h). */
struct ns_common *vfs_mnt_ns_copy(struct ns_common *src, struct fs_context *fs, int lock);
void vfs_mnt_ns_enter(struct ns_common *ns, struct fs_context *fs);
/* The above, for the kernel's tasks (sentry/kernel/task.h), set at start-up. */
extern const struct task_files_ops vfs_task_files;

/* ---- path walk ---- */
enum {
	WALK_FOLLOW = 1,      /* follow a symlink in the last component */
	WALK_DIRECTORY = 2,   /* the result must be a directory */
	WALK_EMPTY_PATH = 4,  /* "" names dirfd itself (AT_EMPTY_PATH) */
};

void path_get(struct path *p);
void path_put(struct path *p);
/* Resolves path (already copied in) relative to dirfd; a new reference in *out. */
long vfs_walk(struct task *t, int dirfd, const char *path, int flags, struct path *out);
/*
 * Resolves all but the last component.  *last points into path (NUL-ended,
 * trailing slashes cut, *trailing_slash set); "" when the path is "/" or
 * ends in "." or "..", which creating calls refuse.
 */
long vfs_walk_parent(struct task *t, int dirfd, char *path, struct path *parent, char **last,
		     int *trailing_slash);
/*
 * The same, but a symlink last is followed (open O_CREAT): the parent and
 * name of what it names.  That name may be longer than path: path's buffer
 * must hold ABI_NAME_MAX + 1 bytes.
 */
long vfs_walk_parent_follow(struct task *t, int dirfd, char *path, struct path *parent, char **last,
			    int *trailing_slash);
/*
 * openat2's RESOLVE_* rules (how) for every walk this host thread makes
 * until vfs_resolve_end(): an open with O_CREAT walks more than once.
 */
long vfs_resolve_begin(struct task *t, int dirfd, int how);
void vfs_resolve_end(void);
/* The child of a directory path by name (resolving . and .., mounts; no symlinks). */
long vfs_lookup_child(struct task *t, struct path *dir, const char *name, struct path *out);
/* The path of p as t sees it, " (deleted)" after a removed one, as Linux's d_path(). */
long vfs_path_string(struct task *t, struct path *p, char *buf, size_t size);
/* Is p at or below t's root?  (Not: a cwd left outside by chroot, which getcwd marks "(unreachable)".) */
int vfs_path_reachable(struct task *t, struct path *p);
/*
 * Where f is, for a magic link to it, with a new reference: the path it was
 * opened at (even if removed since), or for a file with no path (a pipe, a
 * socket, host stdio, an anon inode) a detached dentry of its inode, which
 * stat and open accept and every name-changing call refuses; opening it
 * gives a file with no path again.
 */
long vfs_file_path(struct file *f, struct path *out);
/* Whether p is such a detached place. */
int vfs_path_detached(const struct path *p);

/* Removes the name of d from its directory: dropped, or left as a whiteout on an overlay. */
void vfs_remove_name(struct dentry *d);
/* The same with no whiteout: the name stays taken (by the file a rename moves over d). */
void vfs_drop_name(struct dentry *d);

/* statfs of the file system at p (or of f's, for fstatfs: a pipe's is pipefs...). */
void vfs_statfs(struct path *p, struct inode *ino, struct vfs_statfs *st);

/* Permission check of the access mask (4 read, 2 write, 1 exec/search). */
long vfs_permission(struct task *t, struct inode *ino, int mask);

/* Opens the file at p for flags (checks done by the caller). */
long vfs_open_path(struct task *t, struct path *p, int flags, struct file **out);
long vfs_open_tmpfile(struct task *t, int dirfd, char *path, int flags, uint32_t mode, struct file **out);
/* openat(2) whole: walk, create, checks, open. */
long vfs_openat(struct task *t, int dirfd, char *path, int flags, uint32_t mode, struct file **out);

/* ---- file system types (fstype.c) ---- */

/*
 * What a mount is made from.  mount(2) gives source, data and flags; the
 * sentry's own mounts at start-up (the gofer root, the overlay above it)
 * give instead a config struct of the type's own, declared in its header.
 */
struct fs_mount_args {
	const char *source; /* mount(2)'s source (copied in), or NULL */
	char *data;         /* mount(2)'s option text (copied in, the op may cut it up), or NULL */
	unsigned long flags; /* mount(2)'s flags (MS_RDONLY...) */
	const void *config; /* the sentry's own mounts only; NULL from mount(2) */
};

enum {
	FS_USERMOUNT = 1, /* mount(2) may make one; others are the sentry's own (gofer, overlay) */
};

/*
 * A file system type.  Each registers itself (VFS_FS_TYPE below) and is
 * found by name; every mount makes a new instance: its state lives in the
 * super block (sb->priv), never in globals, so any number can coexist.
 */
struct fs_type {
	const char *name;
	int flags;
	/* A new instance: 0 with *sb and its root (a reference) set, or -errno (mount(2)'s). */
	long (*mount)(const struct fs_mount_args *a, struct super **sb, struct inode **root);
};

/* Registers t (at start-up, before main: see VFS_FS_TYPE); the table holds VFS_FS_TYPES_MAX. */
void vfs_register_fs_type(const struct fs_type *t);
/* The i-th file system type as /proc/filesystems and sysfs(2) list them, or NULL past the last. */
const char *vfs_fs_name(int i);
/* The type named name, or NULL. */
const struct fs_type *vfs_find_fs_type(const char *name);
/* A new instance of the type named name: -ENODEV for no such type, else the type's answer. */
long vfs_fs_new(const char *name, const struct fs_mount_args *a, struct super **sb, struct inode **root);
#define VFS_FS_TYPES_MAX 32
/* In the file that defines the type: registers it when the program starts. */
#define VFS_FS_TYPE(t) \
	__attribute__((constructor)) static void register_##t(void) { vfs_register_fs_type(&t); }

/* ---- mounts ---- */
struct mount *vfs_mount_root(struct super *sb, struct inode *root);
/* The mount whose parent is parent and mountpoint d (at most one: a new mount goes on the topmost), or NULL. */
struct mount *vfs_mount_on(struct mount *parent, struct dentry *d);
/* Mounts sb (root inode) on the directory at p (or a file root on a file), on top of any mounts already there. */
long vfs_mount_at(struct path *p, struct super *sb, struct inode *root, int flags);
/* mount --bind source on target; umount of the mount whose root p is. */
long vfs_bind_at(struct path *target, struct path *source, int flags);
/* lazy: MNT_DETACH, a busy mount and the mounts on it go all the same (else EBUSY). */
long vfs_umount(struct path *p, int lazy);
/*
 * Locks every mount there is but the root, as Linux locks the mounts a
 * user namespace inherits (MNT_LOCKED): umount gives EINVAL, and so does a
 * bind of a directory they sit below, so what they cover (the image's own
 * /tmp, /dev, /proc...) is never reachable from the sandbox.
 */
void vfs_lock_mounts(void);
extern struct path vfs_root;   /* the root of the first mount namespace */
extern struct mount *vfs_mounts; /* every namespace's (struct mount's next) */
/*
 * pivot_root(2) for a task whose root is root: new_root (the root of a
 * mount below it) becomes the root of its mount namespace (and vfs_root
 * with it, in the first namespace), the old root mount moves to put_old (at or under new_root), and every
 * root and cwd at the old root moves to the new one.
 */
long vfs_pivot_root(struct path *root, struct path *new_root, struct path *put_old);

/* ---- memory mappings (used by mm) ---- */
long vfs_inode_fill(struct inode *ino, uint64_t off, void *buf, size_t len);
/* Sets a regular file's size (iops->truncate); mappings past a new, smaller end go (SIGBUS). */
long vfs_truncate(struct inode *ino, uint64_t size);
long vfs_inode_getpage(struct inode *ino, uint64_t off, uint64_t *frame);
/* The above, for the memory manager (sentry/mm/mm.h), set at start-up. */
extern const struct mm_file_ops vfs_mm_file_ops;

/* ---- helpers for file systems ---- */
long vfs_iter_read(const void *src, size_t srclen, const struct iovec *iov, int cnt, uint64_t *pos);
size_t iov_total(const struct iovec *iov, int cnt);
struct abi_timespec vfs_now(void);

/* d_type from a mode */
static inline unsigned vfs_dtype(uint32_t mode)
{
	return (mode >> 12) & 15;
}

/* Readiness for poll(2): POLLIN/POLLOUT/POLLHUP/POLLERR bits of f now (see file_ops.poll). */
unsigned vfs_poll(struct file *f, uint64_t *deadline);
/* Something a poller may wait for changed on ino: wakes the waiters (and epoll's edge detection). */
void vfs_notify(struct inode *ino);
/*
 * A notify of some events only (POLLIN's side, POLLOUT's), as Linux's keyed
 * wake-ups: an edge-triggered epoll entry is armed again only by one that
 * names an event it asked for.  Every waiter still wakes and looks.
 */
void vfs_notify_events(struct inode *ino, unsigned events);

/*
 * What a task blocks on while it waits for files (poll, select, epoll_wait,
 * and a blocking read or write that got -EAGAIN): a waiter on each wait
 * queue that may change what the files' poll ops report.  Queues of inodes
 * are linked with a reference on the inode, so that they outlive the block
 * even when the file is closed meanwhile.  Lock held throughout; see
 * sentry/kernel/wait.h for the rules.
 */
struct vfs_pollset {
	struct task *task;
	struct waiter **w;     /* each linked on one queue */
	int nw, capw;
	struct inode **inodes; /* referenced */
	int ni, capi;
	int depth;             /* epoll in epoll: how deep the links go */
};
void vfs_pollset_init(struct vfs_pollset *ps, struct task *t);
/* Links ps's task to what wakes f's poll (file_ops.wait_link; default: the inode's queue). */
void vfs_pollset_add(struct vfs_pollset *ps, struct file *f);
/* Links ps's task to ino's queue, holding ino until vfs_pollset_clear. */
void vfs_pollset_add_inode(struct vfs_pollset *ps, struct inode *ino);
/* Links ps's task to q, which must outlive the block without help (a thread group's, a global one). */
void vfs_pollset_add_queue(struct vfs_pollset *ps, struct waitq *q);
/* Unlinks every waiter and lets the inodes go; ps can be used again. */
void vfs_pollset_clear(struct vfs_pollset *ps);
/*
 * The blocking half of a read or write that got -EAGAIN on a file opened
 * without O_NONBLOCK: sleeps until f's queues are woken or its poll deadline
 * (timerfd) passes (0), or a signal comes (-ERESTARTSYS).  The caller then
 * tries again, taking guest memory afresh.
 */
int vfs_file_block(struct task *t, struct file *f);
/*
 * A read or write of sentry memory (splice, sendfile), blocking as rw() does
 * unless f is O_NONBLOCK; a stream write goes on until all of iov is taken.
 */
long vfs_read_kernel(struct task *t, struct file *f, const struct iovec *iov, int cnt, uint64_t *pos);
long vfs_write_kernel(struct task *t, struct file *f, const struct iovec *iov, uint64_t *pos);
/* Anonymous inodes for pipes, event fds, epoll, sockets: one small file system. */
struct inode *anon_inode(uint32_t mode);
/* Is ino one of them (a file of no file system's, whatever its mode says)? */
int inode_is_anon(const struct inode *ino);

/*
 * inotify's hooks (vfs/fs/inotify): an event on ino (with the name of the
 * entry concerned when ino is its directory).  vfs_fsnotify_dentry reports
 * on the file itself and, with its name, on its directory.
 */
void vfs_fsnotify(struct inode *ino, uint32_t mask, const char *name, uint32_t cookie);
void vfs_fsnotify_dentry(struct dentry *d, uint32_t mask);

/*
 * Signal-driven I/O and dnotify (fasync.c): a file's owner and signal
 * (F_SETOWN/F_SETOWN_EX, F_SETSIG), SIGIO when an O_ASYNC file becomes
 * ready (vfs_notify calls vfs_fasync_notify), F_NOTIFY on a directory
 * (vfs_fsnotify calls vfs_dnotify_event).  Each -errno as fcntl(2) answers.
 */
long vfs_fown_set(struct task *t, struct file *f, int type, int id);
void vfs_fown_get(struct file *f, int *type, int *id);
long vfs_fown_setsig(struct file *f, int sig);
int vfs_fown_getsig(struct file *f);
/* O_ASYNC was set (on) or cleared through fd. */
long vfs_fasync_set(struct file *f, int fd, int on);
long vfs_dnotify(struct task *t, struct file *f, int fd, unsigned arg);
void vfs_fasync_notify(struct inode *ino);
void vfs_dnotify_event(struct inode *dir, uint32_t mask);
/* Some file has an owner: the two hooks above have work to do. */
int vfs_fasync_any(void);
/* f is being freed: its owner goes. */
void vfs_fown_release(struct file *f);
/*
 * Out-of-band data came on the socket ino: the owner of each file on it
 * gets SIGURG (F_SETSIG does not change it), and an O_ASYNC one also its
 * SIGIO with POLL_PRI, as Linux's sk_send_sigurg.
 */
void vfs_fown_urgent(struct inode *ino);
/* F_SETLEASE: the owner to signal at a break (t's process, unless set), and the fd named in it. */
long vfs_fown_lease(struct task *t, struct file *f, int fd);
/* F_SETLEASE F_UNLCK: as Linux's lease_modify, the owner and the F_SETSIG signal are cleared. */
void vfs_fown_lease_release(struct file *f);
/* A lease of f is being broken: its owner gets SIGIO, or its F_SETSIG signal with POLL_MSG. */
void vfs_fown_lease_break(struct file *f);

/* Frees an inode's extended attributes (syscalls/sys_xfile.c keeps them). */
/* ---- extended attributes (xattr.c) ---- */
#define VFS_XATTR_SIZE_MAX 65536
#define VFS_XATTR_PER_INODE 1024
#define VFS_XATTR_BYTES (128 * 1024) /* names, values and bookkeeping of one inode's attributes */
#define VFS_XATTR_CREATE 1  /* XATTR_CREATE */
#define VFS_XATTR_REPLACE 2 /* XATTR_REPLACE */
/* The value's size with *value pointing at it (owned by the inode), or -ENODATA. */
long vfs_xattr_get(struct inode *ino, const char *name, void **value);
long vfs_xattr_set(struct inode *ino, const char *name, const void *value, size_t size, int flags);
long vfs_xattr_remove(struct inode *ino, const char *name);
/* The names, each NUL-terminated, into buf as far as size allows; returns the length of all. */
size_t vfs_xattr_list(struct inode *ino, char *buf, size_t size);
/* Gives dst a copy of src's attributes (overlay copy-up). */
long vfs_xattrs_copy(struct inode *dst, struct inode *src);
void vfs_xattrs_free(struct inode *ino);

/* ---- locks (lock.c) ---- */
struct flock;
long vfs_flock(struct task *t, struct file *f, int op);
long vfs_fcntl_lock(struct task *t, struct file *f, int cmd, struct flock *fl);
/*
 * Leases (F_SETLEASE, F_GETLEASE) of f, set through fd.  vfs_break_lease:
 * an open (or truncate) with flags of ino breaks the leases it conflicts
 * with and waits for them to go (-EWOULDBLOCK with O_NONBLOCK, -ERESTARTSYS).
 */
long vfs_setlease(struct task *t, struct file *f, int fd, long arg);
long vfs_getlease(struct file *f);
long vfs_break_lease(struct task *t, struct inode *ino, int flags);
/* The last reference to f went: its flock and OFD locks and its lease go. */
void vfs_locks_file_closed(struct file *f);
/* An fd of ino in the fd table owner went (fdtable.c): owner's POSIX record locks on ino go. */
void vfs_locks_owner_closed(const struct fdtable *owner, struct inode *ino);
