/* procfs: the sandbox's processes and figures (see proc.c). */
#pragma once

#include <stdint.h>

struct inode;
struct super;

struct ns_common;
struct path;
struct file;

/*
 * nsfs (nsfs.c): a detached path to a file standing for namespace ns (a new
 * reference in *out), what /proc/PID/ns/<name> leads to; and the namespace
 * an open file of it stands for (setns), or NULL for any other file.
 */
long nsfs_path(struct ns_common *ns, struct path *out);
struct ns_common *nsfs_of_file(const struct file *f);

/* A new procfs; returns its root directory. */
struct inode *procfs_new(struct super **sb);

/* The process a /proc/PID directory (not a task's) stands for, or -EBADF: pidfd_send_signal takes those as pidfds. */
int procfs_dir_pid(struct inode *ino);

/* The text of a file being made for a read (proc_printf appends to it). */
struct proc_buf;
struct task;

void proc_printf(struct proc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A file of /proc/net (and /proc/PID/net) that another layer makes: the
 * network stack registers tcp, udp, dev, route... here, so procfs knows
 * none of them by name.  show writes the whole text as seen by t (its
 * network namespace), under sentry_lock.
 */
struct proc_net_file {
	const char *name;
	void (*show)(struct task *t, struct proc_buf *b);
};

#define PROC_NET_FILES_MAX 32

/* Registers f (at start-up, before main: see PROC_NET_FILE). */
void proc_net_register(const struct proc_net_file *f);
#define PROC_NET_FILE(f) \
	__attribute__((constructor)) static void register_##f(void) { proc_net_register(&f); }

/*
 * A file of /proc that another layer makes, outside the processes'
 * directories: System V IPC registers sysvipc/shm and sys/kernel/shmmax,
 * POSIX message queues sys/fs/mqueue/msg_max, so procfs names none of them.
 * dir is the path of its directory below /proc ("sysvipc", "sys/kernel");
 * a directory procfs does not have itself appears with its first file (its
 * parent must exist).  show writes the whole text, under sentry_lock.
 */
struct proc_file {
	const char *dir;
	const char *name;
	void (*show)(struct proc_buf *b);
	/*
	 * NULL: read-only (opening it for writing is EACCES).  Else takes a
	 * write's text (NUL-terminated, at most 255 bytes) for t: 0, or -errno.
	 */
	long (*store)(struct task *t, const char *text);
};

/* Parses a sysctl's integer (leading blanks, a trailing newline): 0, -EINVAL or -ERANGE. */
int proc_parse_long(const char *s, long *v);

#define PROC_FILES_MAX 64

/*
 * /proc/sys/net: the reader's network namespace's settings, which the
 * network stack serves (it registers the one provider at start-up; no
 * provider, no /proc/sys/net).  A path is below /proc/sys/net ("" for
 * it, "ipv4/conf/lo/forwarding"); what a path is may change from one
 * reader to the next (another namespace, an interface gone), so procfs
 * asks again at every walk.  Everything under sentry_lock.
 */
struct proc_sysnet_ent {
	char name[32];
	int dir;
};
struct proc_sysnet {
	/* What path is for t: 0 nothing, else S_IFDIR, or S_IFREG with the file's mode (0644, or 0444 read-only). */
	uint32_t (*lookup)(struct task *t, const char *path);
	/* The entries of directory path for t into out[0..max): their count. */
	int (*list)(struct task *t, const char *path, struct proc_sysnet_ent *out, int max);
	/* Writes file path's text for t. */
	void (*show)(struct task *t, const char *path, struct proc_buf *b);
	/* Takes a write's text (NUL-terminated, at most 255 bytes) for t: the bytes it took (what the write returns), or -errno. */
	long (*store)(struct task *t, const char *path, const char *text);
	/* May t write path whatever the mode bits say (CAP_NET_ADMIN over its namespace: Linux's net_ctl_permissions)? */
	int (*grants)(struct task *t, const char *path);
};

void proc_sysnet_register(const struct proc_sysnet *p);
#define PROC_SYSNET(p) \
	__attribute__((constructor)) static void register_##p(void) { proc_sysnet_register(&p); }

/* Registers f (at start-up, before main: see PROC_FILE). */
void proc_file_register(const struct proc_file *f);
#define PROC_FILE(f) \
	__attribute__((constructor)) static void register_##f(void) { proc_file_register(&f); }
