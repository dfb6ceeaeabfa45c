/*
 * procfs: the sandbox's own processes and figures, never the host's.
 *
 * Every node is synthetic: a directory lists what exists now (processes,
 * fds, threads), a file's text is made when it is opened and read from
 * that snapshot, as Linux's seq files are.  Cached dentries of processes
 * and fds are revalidated on every walk, so a gone pid is ENOENT.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../pty/pty.h"
#include "../../../sentry/host/host.h"
#include "../../../sentry/kernel/ptrace.h"
#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/memfile.h"
#include "../../../sentry/mm/mm.h"
#include "../../vfs.h"
#include "proc.h"

enum kind {
	P_ROOT, P_SELF, P_THREAD_SELF, P_GLOBAL, P_SYSDIR, P_SYSFILE,
	P_PID, P_PIDFILE, P_PIDLINK, P_FDDIR, P_FD, P_TASKDIR, P_FDINFODIR, P_FDINFO, P_NETDIR, P_NETFILE,
	P_EXTDIR, P_EXTFILE, /* registered by other layers (proc_file_register) */
	P_NSDIR, P_NSLINK,   /* /proc/PID/ns and its links to the task's namespaces */
	P_SYSNET,            /* /proc/sys/net and below: the network stack's (proc_sysnet), by path */
};

struct pnode {
	enum kind kind;
	int pid, tid, fd;
	int which; /* index into a name table */
	char *path; /* P_SYSNET: below /proc/sys/net */
};

struct proc_buf {
	char *s;
	size_t len, cap;
};

static const struct inode_ops proc_iops, proc_magic_iops;
static const struct file_ops proc_dir_fops, proc_file_fops;

/* ---- name tables ---- */

static const char *const globals[] = {"cpuinfo", "meminfo", "stat", "loadavg", "uptime", "version",
				      "filesystems", "mounts", "cmdline", "config.gz"};
enum { G_CPUINFO, G_MEMINFO, G_STAT, G_LOADAVG, G_UPTIME, G_VERSION, G_FILESYSTEMS, G_MOUNTS, G_CMDLINE, G_CONFIG };

/* /proc/sys: directories then files, each file with its directory. */
static const char *const sysdirs[] = {"sys", "kernel", "vm", "fs", "random", "inotify"};
static const int sysdir_parent[] = {-1, 0, 0, 0, 1, 3}; /* kernel/random, fs/inotify */
/*
 * value: the fixed text (NULL: made by gen_sys).  Only the UTS names are
 * written here, as root inside a container may (its own namespace); the
 * others belong to the whole machine: opening them for writing is EACCES,
 * as for a container's root, who is not the host's.
 */
static const struct {
	int dir; /* index into sysdirs */
	const char *name;
	const char *value;
} sysfiles[] = {
	{1, "hostname", NULL}, {1, "ostype", "Linux"}, {1, "osrelease", "6.1.0"}, {1, "pid_max", "4194304"},
	{1, "ngroups_max", "65536"}, {1, "cap_last_cap", "40"}, {1, "version", "#1 SMP cvisor"},
	{2, "overcommit_memory", "0"}, {2, "max_map_count", "65530"}, {3, "file-max", NULL},
	{3, "nr_open", "1048576"}, {3, "pipe-max-size", "1048576"}, {4, "uuid", NULL}, {4, "boot_id", NULL},
	{4, "poolsize", "256"}, {4, "entropy_avail", "256"}, {1, "domainname", NULL},
	{1, "core_pattern", "core"}, {1, "tainted", "0"}, {1, "threads-max", "126806"},
	{3, "pipe-user-pages-hard", "0"}, {3, "pipe-user-pages-soft", "16384"}, {3, "lease-break-time", "45"},
	{5, "max_user_watches", "65536"}, {5, "max_user_instances", "128"}, {5, "max_queued_events", "16384"},
	{1, "overflowuid", "65534"}, {1, "overflowgid", "65534"}, /* userns.h's USERNS_OVERFLOW_ID */
};
enum { S_HOSTNAME, S_FILE_MAX = 9, S_UUID = 12, S_BOOT_ID, S_DOMAINNAME = 16 };

static const char *const pidfiles[] = {"stat", "status", "statm", "maps", "cmdline", "environ", "comm",
				       "limits", "cgroup", "mounts", "mountinfo", "oom_score_adj", "loginuid",
				       "smaps", "smaps_rollup", "io", "mem", "auxv", "uid_map", "gid_map", "setgroups"};
enum { F_STAT, F_STATUS, F_STATM, F_MAPS, F_CMDLINE, F_ENVIRON, F_COMM, F_LIMITS, F_CGROUP, F_MOUNTS,
       F_MOUNTINFO, F_OOM, F_LOGINUID, F_SMAPS, F_SMAPS_ROLLUP, F_IO, F_MEM, F_AUXV, F_UID_MAP, F_GID_MAP,
       F_SETGROUPS, NPIDFILES };
/* The files a write may change (the others are read-only, 0444). */
#define PIDFILE_WRITABLE(i) ((i) == F_OOM || (i) == F_UID_MAP || (i) == F_GID_MAP || (i) == F_SETGROUPS)
static const char *const pidlinks[] = {"exe", "cwd", "root"};
/* /proc/PID/ns, in Linux's order; time_for_children is the task's own (no time namespace is made). */
static const struct {
	const char *name;
	enum ns_type type;
} nslinks[] = {
	{"net", NS_NET}, {"uts", NS_UTS}, {"ipc", NS_IPC}, {"pid", NS_PID}, {"pid_for_children", NS_PID},
	{"user", NS_USER}, {"mnt", NS_MNT}, {"cgroup", NS_CGROUP}, {"time", NS_TIME}, {"time_for_children", NS_TIME},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static void bvprintf(struct proc_buf *b, const char *fmt, va_list ap0)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_copy(ap, ap0);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = b->cap ? b->cap * 2 : 4096;
			char *s;

			while (cap < b->len + (size_t)n + 1)
				cap *= 2;
			s = realloc(b->s, cap);
			if (!s)
				return;
			b->s = s;
			b->cap = cap;
		}
	}
}

static void bprintf(struct proc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bprintf(struct proc_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bvprintf(b, fmt, ap);
	va_end(ap);
}

/* Appends n raw bytes (binary files: config.gz). */
static void bwrite(struct proc_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *s;

		while (cap < b->len + n)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s)
			return;
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
}

void proc_printf(struct proc_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bvprintf(b, fmt, ap);
	va_end(ap);
}

/* Filled by constructors before main, read-only afterwards. */
static const struct proc_net_file *net_files[PROC_NET_FILES_MAX];
static int n_net_files;

void proc_net_register(const struct proc_net_file *f)
{
	if (n_net_files == PROC_NET_FILES_MAX)
		abort(); /* a build mistake: raise PROC_NET_FILES_MAX */
	net_files[n_net_files++] = f;
}

/* The network stack's /proc/sys/net (set by a constructor before main). */
static const struct proc_sysnet *sysnet;

static struct inode *pinode(struct super *sb, enum kind kind, int pid, int tid, int fd, int which, uint32_t mode);

void proc_sysnet_register(const struct proc_sysnet *p)
{
	sysnet = p;
}

/* A /proc/sys/net node for path (copied), of what sysnet's lookup said (mode). */
static struct inode *sysnet_node(struct super *sb, const char *path, uint32_t mode)
{
	struct inode *ino;
	struct pnode *p;
	char *copy = strdup(path);
	uint64_t h = 1469598103934665603ull;
	const char *c;

	if (!copy)
		return NULL;
	ino = pinode(sb, P_SYSNET, 0, 0, 0, 0, S_ISDIR(mode) ? S_IFDIR | 0555 : mode);
	if (!ino) {
		free(copy);
		return NULL;
	}
	p = ino->priv;
	p->path = copy;
	for (c = path; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	ino->ino = (h & 0xffffffffffffull) | 0xb000000000000ull;
	return ino;
}

/*
 * Files other layers register (proc_file_register), and the directories
 * only they have: filled by constructors before main, read-only afterwards.
 */
static const struct proc_file *ext_files[PROC_FILES_MAX];
static const char *ext_dirs[PROC_FILES_MAX];
static int n_ext_files, n_ext_dirs;

/* The path below /proc of /proc/sys's directory i ("sys/kernel"). */
static void sysdir_path(int i, char *buf, size_t size)
{
	size_t n;

	if (sysdir_parent[i] < 0) {
		snprintf(buf, size, "%s", sysdirs[i]);
		return;
	}
	sysdir_path(sysdir_parent[i], buf, size);
	n = strlen(buf);
	snprintf(buf + n, size - n, "/%s", sysdirs[i]);
}

void proc_file_register(const struct proc_file *f)
{
	char path[64];
	size_t i;
	int k;

	if (n_ext_files == PROC_FILES_MAX)
		abort(); /* a build mistake: raise PROC_FILES_MAX */
	ext_files[n_ext_files++] = f;
	if (!*f->dir)
		return;
	for (i = 0; i < sizeof(sysdirs) / sizeof(sysdirs[0]); i++) {
		sysdir_path((int)i, path, sizeof(path));
		if (!strcmp(path, f->dir))
			return;
	}
	for (k = 0; k < n_ext_dirs; k++)
		if (!strcmp(ext_dirs[k], f->dir))
			return;
	ext_dirs[n_ext_dirs++] = f->dir;
}

/* The path below /proc of a directory that may hold registered files ("" for the root), or NULL. */
static const char *ext_path(const struct pnode *p, char *buf, size_t size)
{
	switch (p->kind) {
	case P_ROOT:
		return "";
	case P_SYSDIR:
		sysdir_path(p->which, buf, size);
		return buf;
	case P_EXTDIR:
		return ext_dirs[p->which];
	default:
		return NULL;
	}
}

/* Is d (a registered directory) the entry name of directory path? */
static int ext_dir_in(const char *d, const char *path, const char *name)
{
	size_t n = strlen(path);

	if (n) {
		if (strncmp(d, path, n) || d[n] != '/')
			return 0;
		d += n + 1;
	}
	return name ? !strcmp(d, name) : !strchr(d, '/');
}

static struct inode *pinode(struct super *sb, enum kind kind, int pid, int tid, int fd, int which, uint32_t mode);
static void pid_owner(struct inode *ino, const struct pnode *p);

/* A registered file or directory named name in the directory of p, or NULL. */
static struct inode *ext_lookup(struct super *sb, const struct pnode *p, const char *name)
{
	char buf[64];
	const char *path = ext_path(p, buf, sizeof(buf));
	int k;

	if (!path)
		return NULL;
	for (k = 0; k < n_ext_dirs; k++)
		if (ext_dir_in(ext_dirs[k], path, name))
			return pinode(sb, P_EXTDIR, 0, 0, 0, k, S_IFDIR | 0555);
	for (k = 0; k < n_ext_files; k++)
		if (!strcmp(ext_files[k]->dir, path) && !strcmp(ext_files[k]->name, name))
			return pinode(sb, P_EXTFILE, 0, 0, 0, k, S_IFREG | (ext_files[k]->store ? 0644 : 0444));
	return NULL;
}

static uint64_t node_ino(const struct pnode *p)
{
	return ((uint64_t)p->kind << 48) ^ ((uint64_t)(unsigned)p->pid << 24) ^ ((uint64_t)(unsigned)p->tid << 8) ^
	       (uint64_t)(unsigned)(p->fd * 64 + p->which) ^ 0x1000;
}

static struct inode *pinode(struct super *sb, enum kind kind, int pid, int tid, int fd, int which, uint32_t mode)
{
	struct inode *ino = inode_new(sb, mode);
	struct pnode *p = calloc(1, sizeof(*p));

	if (!ino || !p) {
		free(ino);
		free(p);
		return NULL;
	}
	p->kind = kind;
	p->pid = pid;
	p->tid = tid;
	p->fd = fd;
	p->which = which;
	ino->priv = p;
	ino->iops = kind == P_FD || kind == P_PIDLINK || kind == P_NSLINK ? &proc_magic_iops : &proc_iops;
	ino->ino = node_ino(p);
	if (S_ISDIR(mode)) {
		ino->fops = &proc_dir_fops;
		ino->nlink = 2;
	} else if (S_ISREG(mode)) {
		ino->fops = &proc_file_fops;
	}
	pid_owner(ino, p);
	return ino;
}

/*
 * The pid namespace a proc instance shows (Linux: its mounter's): pids in
 * its listing, its files and /proc/self are that namespace's numbers, and
 * processes it cannot see are not there.  The sandbox's own /proc (priv
 * NULL) shows the first namespace.  pnodes keep the global numbers.
 */
static struct pid_ns *sb_pidns(const struct super *sb)
{
	return sb->priv ? sb->priv : &pid_ns_init;
}

/* A live task of the group pid (its thread tid if given). */
static struct task *task_of(int pid, int tid)
{
	struct thread_group *g = tg_find(pid);
	struct task *t;

	if (!g || g->zombie)
		return NULL;
	if (!tid)
		return g->leader ? g->leader : g->threads;
	for (t = g->threads; t; t = t->tg_next)
		if (t->tid == tid)
			return t;
	return NULL;
}

/*
 * A process's own entries belong to its effective ids; all but its
 * world-readable directories belong to root once it is no longer dumpable
 * (it changed ids, until its next execve), as Linux's task_dump_owner().
 * Set again at each lookup, since credentials change under a cached entry.
 */
static void pid_owner(struct inode *ino, const struct pnode *p)
{
	struct task *t;
	int own;

	switch (p->kind) {
	case P_PID: case P_PIDFILE: case P_PIDLINK: case P_FDDIR: case P_FD:
	case P_TASKDIR: case P_FDINFODIR: case P_FDINFO: case P_NSDIR: case P_NSLINK:
		break;
	default:
		return;
	}
	t = task_of(p->pid, p->tid);
	own = t && (t->tg->dumpable == 1 || ino->mode == (S_IFDIR | 0555));
	ino->uid = own ? t->cred.euid : 0;
	ino->gid = own ? t->cred.egid : 0;
}

/* A process may always list and follow its own fds, whoever owns them (Linux's proc_fd_permission). */
static int proc_grants(struct task *t, struct inode *ino)
{
	const struct pnode *p = ino->priv;

	switch (p->kind) {
	case P_FDDIR: case P_FD: case P_FDINFODIR: case P_FDINFO:
		return t->tg->tgid == p->pid;
	case P_SYSNET:
		return S_ISREG(ino->mode) && sysnet->grants(t, p->path);
	default:
		return 0;
	}
}

static int parse_num(const char *s)
{
	long v = 0;

	if (!*s || (*s == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (int)v;
}

/* ---- global files ---- */

static void gen_cpuinfo(struct proc_buf *b)
{
	unsigned eax, ebx, ecx, edx, max, fam, model, step;
	char vendor[13] = {0}, brand[49] = {0};
	int i;

	__cpuid(0, max, ebx, ecx, edx);
	memcpy(vendor, &ebx, 4);
	memcpy(vendor + 4, &edx, 4);
	memcpy(vendor + 8, &ecx, 4);
	__cpuid(1, eax, ebx, ecx, edx);
	fam = (eax >> 8) & 0xf;
	model = (eax >> 4) & 0xf;
	step = eax & 0xf;
	if (fam == 0xf)
		fam += (eax >> 20) & 0xff;
	if (fam >= 6)
		model |= ((eax >> 16) & 0xf) << 4;
	__cpuid(0x80000000, max, ebx, ecx, edx);
	if (max >= 0x80000004) {
		unsigned *w = (unsigned *)brand;

		__cpuid(0x80000002, w[0], w[1], w[2], w[3]);
		__cpuid(0x80000003, w[4], w[5], w[6], w[7]);
		__cpuid(0x80000004, w[8], w[9], w[10], w[11]);
	}
	for (i = 0; i < sandbox.ncpus; i++) {
		bprintf(b,
			"processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n"
			"stepping\t: %u\ncpu MHz\t\t: 2000.000\ncache size\t: 512 KB\nphysical id\t: 0\n"
			"siblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %d\nfpu\t\t: yes\n"
			"fpu_exception\t: yes\ncpuid level\t: 13\nwp\t\t: yes\n"
			"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
			"mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl pni pclmulqdq ssse3 fma cx16 "
			"sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm\n"
			"bogomips\t: 4000.00\nclflush size\t: 64\ncache_alignment\t: 64\n"
			"address sizes\t: 48 bits physical, 48 bits virtual\npower management:\n\n",
			i, vendor, fam, model, brand[0] ? brand : vendor, step, sandbox.ncpus, i, sandbox.ncpus, i);
	}
}

/* A mount's file system type as Linux would name it (the gofer's is 9p, as in gVisor). */
static const char *fs_name(struct mount *m)
{
	return !strcmp(m->sb->type, "gofer") ? "9p" : m->sb->type;
}

/* Where in its file system the root of m lies ("/" but for bind mounts), into buf. */
static void fs_root_path(struct mount *m, char *buf, size_t size)
{
	size_t pos = size - 1;
	struct dentry *d;

	buf[pos] = 0;
	for (d = m->root; d && d->parent; d = d->parent) {
		if (pos < d->namelen + 1)
			break;
		pos -= d->namelen;
		memcpy(buf + pos, d->name, d->namelen);
		buf[--pos] = '/';
	}
	if (!buf[pos])
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
}

/*
 * /proc/config.gz: the kernel configuration cvisor behaves as, for build
 * scripts and test suites that probe it.  "y" only for what the sandbox
 * implements; what it answers ENOSYS or EPERM for (io_uring, BPF, keys,
 * fanotify, NUMA memory policies; pid and network namespaces) is
 * "not set".
 */
static const char kconfig[] =
	"#\n# Linux/x86 6.1.0 Kernel Configuration (cvisor: what the sandbox implements)\n#\n"
	"CONFIG_64BIT=y\nCONFIG_X86_64=y\nCONFIG_MMU=y\nCONFIG_LOCALVERSION=\"\"\n"
	"CONFIG_MULTIUSER=y\nCONFIG_SYSVIPC=y\nCONFIG_SYSVIPC_SYSCTL=y\nCONFIG_POSIX_MQUEUE=y\n"
	"CONFIG_POSIX_MQUEUE_SYSCTL=y\nCONFIG_CROSS_MEMORY_ATTACH=y\nCONFIG_HIGH_RES_TIMERS=y\n"
	"CONFIG_POSIX_TIMERS=y\nCONFIG_FUTEX=y\nCONFIG_EPOLL=y\nCONFIG_SIGNALFD=y\nCONFIG_TIMERFD=y\n"
	"CONFIG_EVENTFD=y\nCONFIG_SHMEM=y\nCONFIG_AIO=y\nCONFIG_ADVISE_SYSCALLS=y\nCONFIG_MEMBARRIER=y\n"
	"CONFIG_KCMP=y\nCONFIG_FHANDLE=y\nCONFIG_MEMFD_CREATE=y\nCONFIG_FILE_LOCKING=y\n"
	"CONFIG_INOTIFY_USER=y\nCONFIG_PROC_FS=y\nCONFIG_PROC_SYSCTL=y\nCONFIG_SYSFS=y\nCONFIG_TMPFS=y\n"
	"CONFIG_TMPFS_XATTR=y\nCONFIG_DEVPTS_FS=y\nCONFIG_UNIX98_PTYS=y\nCONFIG_OVERLAY_FS=y\n"
	"CONFIG_NET=y\nCONFIG_UNIX=y\nCONFIG_INET=y\nCONFIG_IPV6=y\nCONFIG_PACKET=y\n"
	"# CONFIG_IO_URING is not set\n# CONFIG_BPF_SYSCALL is not set\n# CONFIG_KEYS is not set\n"
	"CONFIG_SECCOMP=y\nCONFIG_SECCOMP_FILTER=y\n# CONFIG_FANOTIFY is not set\nCONFIG_NAMESPACES=y\nCONFIG_UTS_NS=y\n"
	"CONFIG_IPC_NS=y\nCONFIG_PID_NS=y\nCONFIG_NET_NS=y\n"
	"CONFIG_USER_NS=y\n# CONFIG_CGROUPS is not set\n# CONFIG_MODULES is not set\n"
	"# CONFIG_SWAP is not set\n# CONFIG_USERFAULTFD is not set\n# CONFIG_PERF_EVENTS is not set\n"
	"# CONFIG_NUMA is not set\n";

static uint32_t crc32_le(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* The text as gzip with stored (uncompressed) deflate blocks: any gunzip reads it, no compressor needed. */
static void gen_config(struct proc_buf *b)
{
	static const uint8_t head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	const uint8_t *p = (const uint8_t *)kconfig;
	size_t n = sizeof(kconfig) - 1, off = 0;
	uint32_t crc = crc32_le(p, n);
	uint8_t tail[8];

	bwrite(b, head, sizeof(head));
	do {
		size_t len = n - off > 65535 ? 65535 : n - off;
		uint8_t blk[5] = {off + len == n, (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)~len, (uint8_t)(~len >> 8)};

		bwrite(b, blk, sizeof(blk));
		bwrite(b, p + off, len);
		off += len;
	} while (off < n);
	for (int i = 0; i < 4; i++) {
		tail[i] = (uint8_t)(crc >> (8 * i));
		tail[4 + i] = (uint8_t)(n >> (8 * i));
	}
	bwrite(b, tail, sizeof(tail));
}

/* /proc/PID/mounts: the mounts of t's namespace, at their paths from t's root (those outside it left out). */
static void gen_mounts(struct proc_buf *b, struct task *t)
{
	struct mount *m;

	for (m = vfs_mounts; m; m = m->next) {
		char path[ABI_PATH_MAX];
		struct path p = {m, m->root};

		if (!t || m->ns != vfs_mnt_ns(t) || vfs_path_string(t, &p, path, sizeof(path)) < 0)
			continue;
		bprintf(b, "%s %s %s %s 0 0\n", fs_name(m), path, fs_name(m), (m->flags & VFS_MNT_RDONLY) ? "ro" : "rw");
	}
}

static void gen_global(struct proc_buf *b, int which)
{
	uint64_t total = sandbox.memory / 1024, used = mf.used * 4, up = host_monotonic_ns() - sandbox.start_ns;
	int i;

	switch (which) {
	case G_CPUINFO:
		gen_cpuinfo(b);
		break;
	case G_MEMINFO:
		bprintf(b,
			"MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
			"Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
			"Active:         %8lu kB\nInactive:              0 kB\nSwapTotal:             0 kB\n"
			"SwapFree:              0 kB\nDirty:                 0 kB\nShmem:                 0 kB\n"
			"Mapped:         %8lu kB\nCommitLimit:    %8lu kB\nHugePages_Total:       0\n"
			"Hugepagesize:       2048 kB\n",
			(unsigned long)total, (unsigned long)(total - used), (unsigned long)(total - used),
			(unsigned long)used, (unsigned long)used, (unsigned long)total);
		break;
	case G_STAT:
		bprintf(b, "cpu  0 0 0 %lu 0 0 0 0 0 0\n", (unsigned long)(up / 10000000ULL));
		for (i = 0; i < sandbox.ncpus; i++)
			bprintf(b, "cpu%d 0 0 0 %lu 0 0 0 0 0 0\n", i, (unsigned long)(up / 10000000ULL));
		bprintf(b, "intr 0\nctxt 0\nbtime %lu\nprocesses %d\nprocs_running 1\nprocs_blocked 0\n",
			(unsigned long)((host_realtime_ns() - up) / 1000000000ULL), task_count());
		break;
	case G_LOADAVG:
		bprintf(b, "0.00 0.00 0.00 1/%d %d\n", task_count(), task_count());
		break;
	case G_UPTIME:
		bprintf(b, "%lu.%02lu %lu.%02lu\n", (unsigned long)(up / 1000000000ULL),
			(unsigned long)(up / 10000000ULL % 100), (unsigned long)(up / 1000000000ULL),
			(unsigned long)(up / 10000000ULL % 100));
		break;
	case G_VERSION:
		bprintf(b, "Linux version 6.1.0 (cvisor@cvisor) (gcc) #1 SMP cvisor\n");
		break;
	case G_FILESYSTEMS:
		for (i = 0; vfs_fs_name(i); i++)
			bprintf(b, "nodev\t%s\n", vfs_fs_name(i));
		break;
	case G_MOUNTS:
		gen_mounts(b, task_current);
		break;
	case G_CMDLINE:
		bprintf(b, "cvisor\n");
		break;
	case G_CONFIG:
		gen_config(b);
		break;
	}
}

/* A random (version 4) UUID, as the kernel's generate_random_uuid(). */
static void gen_uuid(struct proc_buf *b)
{
	uint8_t u[16] = {0};

	host_getrandom(u, sizeof(u));
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	bprintf(b, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n", u[0], u[1], u[2], u[3],
		u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static void gen_sys(struct proc_buf *b, int which)
{
	/* boot_id: one per sandbox, made when first asked for (the sandbox's "boot"). */
	static struct proc_buf boot_id;

	/* The UTS names are the reader's namespace's, as Linux's sysctl shows current's. */
	struct uts_ns *uts = task_current ? task_current->uts : &uts_ns_init;

	if (which == 0) {
		bprintf(b, "%s\n", uts->hostname);
	} else if (which == S_FILE_MAX) {
		bprintf(b, "%zu\n", vfs_max_files); /* --files */
	} else if (which == S_DOMAINNAME) {
		bprintf(b, "%s\n", uts->domainname);
	} else if (which == S_UUID) {
		gen_uuid(b);
	} else if (which == S_BOOT_ID) {
		if (!boot_id.len)
			gen_uuid(&boot_id);
		bprintf(b, "%.*s", (int)boot_id.len, boot_id.s ? boot_id.s : "");
	} else {
		bprintf(b, "%s\n", sysfiles[which].value);
	}
}

/* ---- per-process files ---- */

/* An address space's figures for status and statm: sizes in bytes, resident counts in pages. */
struct memfig {
	uint64_t size, data, stack, exe, lib;
	uint64_t anon, file, shmem;
};

static void mem_figures(struct mm *mm, struct memfig *m)
{
	const char *exe = NULL;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < mm->nvmas; i++) {
		struct vma *v = &mm->vmas[i];
		uint64_t len = v->end - v->start;
		struct mm_resident r;

		if (!exe && v->name)
			exe = v->name; /* the first file mapped is the program (see the exe link) */
		m->size += len;
		mm_resident(mm, v->start, v->end, &r);
		if (v->flags & VMA_STACK)
			m->stack += len;
		else if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED))
			m->data += len;
		else if ((v->prot & PROT_EXEC) && v->name)
			*(exe && !strcmp(v->name, exe) ? &m->exe : &m->lib) += len;
		if ((v->flags & VMA_SHARED) && (v->flags & VMA_ANON))
			m->shmem += r.pages;
		else if (v->flags & VMA_ANON)
			m->anon += r.pages;
		else
			m->file += r.pages;
	}
}

/* One smaps block's figures, after its maps line (sizes in bytes, as Linux's kB lines). */
static void smaps_block(struct proc_buf *b, uint64_t size, const struct mm_resident *r, int dirty, int anon, uint64_t anon_bytes,
			uint64_t locked)
{
	uint64_t rss = r->pages * 4096, shared = r->shared * 4096, priv = rss - shared;

#define KB(name, v) bprintf(b, "%-16s%8lu kB\n", name ":", (unsigned long)((v) >> 10))
	KB("Size", size);
	KB("KernelPageSize", 4096);
	KB("MMUPageSize", 4096);
	KB("Rss", rss);
	KB("Pss", r->pss_bytes);
	KB("Pss_Dirty", dirty ? r->pss_bytes : 0);
	KB("Shared_Clean", dirty ? 0 : shared);
	KB("Shared_Dirty", dirty ? shared : 0);
	KB("Private_Clean", dirty ? 0 : priv);
	KB("Private_Dirty", dirty ? priv : 0);
	KB("Referenced", rss);
	KB("Anonymous", anon ? rss : anon_bytes);
	KB("KSM", 0);
	KB("LazyFree", 0);
	KB("AnonHugePages", 0);
	KB("ShmemPmdMapped", 0);
	KB("FilePmdMapped", 0);
	KB("Shared_Hugetlb", 0);
	KB("Private_Hugetlb", 0);
	KB("Swap", 0);
	KB("SwapPss", 0);
	KB("Locked", locked); /* the Pss of locked mappings, as Linux counts it */
#undef KB
	bprintf(b, "THPeligible:    %8d\n", 0);
}

/*
 * /proc/PID/smaps: each maps line, then what of it is resident.  Written
 * pages are not tracked: a writable mapping's pages count as dirty, the
 * rest as clean; a private file mapping's unshared pages as its anonymous
 * (copied-on-write) part.
 */
static void gen_smaps(struct proc_buf *b, struct mm *mm, int rollup)
{
	size_t cap = 64 * 1024 + mm->nvmas * 256, n, i, off = 0;
	char *maps = malloc(cap);
	struct mm_resident all = {0};
	uint64_t total = 0, anon_all = 0, locked_all = 0;

	if (!maps)
		return;
	n = mm_format_maps(mm, maps, cap);
	for (i = 0; i < mm->nvmas && off < n; i++) {
		struct vma *v = &mm->vmas[i];
		char *nl = memchr(maps + off, '\n', n - off);
		size_t len = nl ? (size_t)(nl - (maps + off)) + 1 : n - off;
		int anon = (v->flags & VMA_ANON) && !(v->flags & VMA_SHARED);
		int dirty = (v->prot & PROT_WRITE) || anon;
		uint64_t anon_bytes;
		struct mm_resident r;

		mm_resident(mm, v->start, v->end, &r);
		anon_bytes = anon ? r.pages * 4096 : !(v->flags & VMA_SHARED) ? (r.pages - r.shared) * 4096 : 0;
		all.pages += r.pages;
		all.shared += r.shared;
		all.pss_bytes += r.pss_bytes;
		total += v->end - v->start;
		anon_all += anon_bytes;
		if (v->flags & VMA_LOCKED)
			locked_all += r.pss_bytes;
		if (!rollup) {
			bprintf(b, "%.*s", (int)len, maps + off);
			smaps_block(b, v->end - v->start, &r, dirty, 0, anon_bytes, v->flags & VMA_LOCKED ? r.pss_bytes : 0);
			bprintf(b, "VmFlags:%s%s%s%s%s%s%s%s%s \n", v->prot & PROT_READ ? " rd" : "",
				v->prot & PROT_WRITE ? " wr" : "", v->prot & PROT_EXEC ? " ex" : "",
				v->flags & VMA_SHARED ? " sh" : "", v->maxprot & PROT_READ ? " mr" : "",
				v->maxprot & PROT_WRITE ? " mw" : "", v->maxprot & PROT_EXEC ? " me" : "",
				v->flags & VMA_GROWSDOWN ? " gd" : "", v->flags & VMA_LOCKED ? " lo" : "");
		}
		off += len;
	}
	if (rollup && mm->nvmas) {
		bprintf(b, "%08lx-%08lx ---p 00000000 00:00 0                          [rollup]\n",
			(unsigned long)mm->vmas[0].start, (unsigned long)mm->vmas[mm->nvmas - 1].end);
		/* Rollup sums; the dirty split is not known per page: counted as clean. */
		smaps_block(b, total, &all, 0, 0, anon_all, locked_all);
	}
	free(maps);
}

/* R: running (its code, or a system call that does not wait); S: asleep in one (LTP waits for S before it signals). */
static char state_of(struct thread_group *g, struct task *t)
{
	return g->zombie ? 'Z' : t && t->ptrace.stopped ? 't' : g->stopped ? 'T' : t && !t->blocked ? 'R' : 'S';
}

/* Ids as the reader (the task opening the file) sees them in its user namespace. */
static uint32_t uid_seen(uint32_t kuid)
{
	return task_current ? task_uid_out(task_current, kuid) : kuid;
}

static uint32_t gid_seen(uint32_t kgid)
{
	return task_current ? task_gid_out(task_current, kgid) : kgid;
}

/* /proc/PID/uid_map, gid_map: the task's user namespace's map as the reader's namespace sees it. */
static void gen_idmap(struct proc_buf *b, struct task *t, int gid)
{
	const struct user_ns *reader = task_current ? creds_userns(&task_current->cred) : &user_ns_init;
	size_t n = userns_map_show(creds_userns(&t->cred), gid, reader, NULL, 0);
	char *s = malloc(n + 1);

	if (!s)
		return;
	userns_map_show(creds_userns(&t->cred), gid, reader, s, n + 1);
	bprintf(b, "%s", s);
	free(s);
}

/*
 * status's NStgid, NSpid, NSpgid and NSsid: the process's ids as each pid
 * namespace sees them, from proc's own down to the one the task was born in.
 */
static void ns_lines(struct proc_buf *b, struct pid_ns *ns, int tid, const struct thread_group *g)
{
	static const char *const names[] = {"NStgid", "NSpid", "NSpgid", "NSsid"};
	struct pid_ns *chain[PIDNS_MAX_LEVEL + 1], *x;
	int nr[4] = {g->tgid, tid, g->pgid, g->sid};
	int n = 0, k, i;

	for (x = pidns_of(tid); x && n <= PIDNS_MAX_LEVEL; x = x->parent) {
		chain[n++] = x;
		if (x == ns)
			break;
	}
	if (!n || chain[n - 1] != ns)
		return;
	for (k = 0; k < 4; k++) {
		bprintf(b, "%s:", names[k]);
		for (i = n - 1; i >= 0; i--)
			bprintf(b, "\t%d", pidns_nr(chain[i], nr[k]));
		bprintf(b, "\n");
	}
}

static void gen_pid(struct proc_buf *b, struct pid_ns *pns, int pid, int tid, int which)
{
	struct thread_group *g = tg_find(pid);
	struct task *t = task_of(pid, tid);
	uint64_t ign = 0, cgt = 0, ns;
	char cpus[32];
	int i;

	if (!g)
		return;
#define V(nr) pidns_nr(pns, (nr)) /* as this proc's namespace sees a number */
	snprintf(cpus, sizeof(cpus), sandbox.ncpus > 1 ? "0-%d" : "0", sandbox.ncpus - 1);
	switch (which) {
	case F_STAT: {
		/* tty_nr: /dev/pts/N's device (major 136 and on), as new_encode_dev packs it; tpgid: its foreground group. */
		int tty_nr = 0, tpgid = -1;

		if (g->ctty) {
			int ix = pty_index(g->ctty), fg = pty_fgpgrp(g->ctty);

			tty_nr = (ix & 0xff) | ((136 + ix / 256) << 8);
			if (fg > 0)
				tpgid = V(fg);
		}
		ns = tg_cpu_ns(g);
		bprintf(b,
			"%d (%s) %c %d %d %d %d %d 4194560 0 0 0 0 %lu 0 %lu 0 20 %d %d 0 %lu %lu %lu "
			"18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
			V(tid ? tid : pid), t ? t->comm : "", state_of(g, t), g->parent ? V(g->parent->tgid) : 0,
			V(g->pgid), V(g->sid), tty_nr, tpgid, (unsigned long)(ns / 10000000ULL), (unsigned long)(g->children_cpu_ns / 10000000ULL),
			g->nice, g->nthreads, (unsigned long)((g->start_ns - sandbox.start_ns) / 10000000ULL),
			(unsigned long)(t && t->mm ? mm_total_bytes(t->mm) : 0),
			(unsigned long)(t && t->mm ? t->mm->rss_pages : 0));
		break;
	}
	case F_STATUS:
		if (t) {
			for (i = 0; i < 64; i++) {
				if (t->sighand->act[i].handler == 1)
					ign |= 1ULL << i;
				else if (t->sighand->act[i].handler > 1)
					cgt |= 1ULL << i;
			}
		}
		bprintf(b,
			"Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
			"TracerPid:\t%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t\n",
			t ? t->comm : "", t && t->fs ? t->fs->umask : 022, state_of(g, t),
			g->zombie ? "zombie" : t && t->ptrace.stopped ? "tracing stop" : g->stopped ? "stopped" :
			t && !t->blocked ? "running" : "sleeping", V(g->tgid),
			V(tid ? tid : pid), g->parent ? V(g->parent->tgid) : 0, t ? V(ptrace_tracer_pid(t)) : 0,
			t ? uid_seen(t->cred.uid) : 0, t ? uid_seen(t->cred.euid) : 0, t ? uid_seen(t->cred.suid) : 0,
			t ? uid_seen(t->cred.fsuid) : 0, t ? gid_seen(t->cred.gid) : 0, t ? gid_seen(t->cred.egid) : 0,
			t ? gid_seen(t->cred.sgid) : 0, t ? gid_seen(t->cred.fsgid) : 0, t && t->files ? t->files->size : 0);
		ns_lines(b, pns, tid ? tid : pid, g);
		if (t && t->mm) {
			struct memfig m;

			mem_figures(t->mm, &m);
			bprintf(b,
				"VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmPin:\t       0 kB\n"
				"VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu kB\n"
				"RssShmem:\t%8lu kB\nVmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n"
				"VmLib:\t%8lu kB\nVmPTE:\t%8lu kB\nVmSwap:\t       0 kB\n",
				(unsigned long)(m.size >> 10), (unsigned long)(m.size >> 10),
				(unsigned long)(mm_locked_bytes(t->mm, 0, UINT64_MAX) >> 10),
				(unsigned long)(t->mm->rss_pages * 4), (unsigned long)(t->mm->rss_pages * 4),
				(unsigned long)(m.anon * 4), (unsigned long)(m.file * 4), (unsigned long)(m.shmem * 4),
				(unsigned long)(m.data >> 10), (unsigned long)(m.stack >> 10), (unsigned long)(m.exe >> 10),
				(unsigned long)(m.lib >> 10), (unsigned long)((t->mm->rss_pages * 8 + 4095) / 4096 * 4));
		}
		bprintf(b,
			"Threads:\t%d\n"
			"SigQ:\t0/63459\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\n"
			"SigCgt:\t%016lx\nCapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\n"
			"CapBnd:\t%016lx\nCapAmb:\t%016lx\nNoNewPrivs:\t%d\nSeccomp:\t%d\n"
			"Cpus_allowed:\t%x\nCpus_allowed_list:\t%s\nMems_allowed_list:\t0\n"
			"voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
			g->nthreads,
			(unsigned long)(t ? t->sigpending : 0), (unsigned long)g->pending,
			(unsigned long)(t ? t->sigmask : 0), (unsigned long)ign, (unsigned long)cgt,
			(unsigned long)(t ? t->cred.cap_inh : 0), (unsigned long)(t ? t->cred.cap_prm : 0),
			(unsigned long)(t ? t->cred.cap_eff : 0), (unsigned long)(t ? t->cred.cap_bnd : 0),
			(unsigned long)(t ? t->cred.cap_amb : 0), t ? t->no_new_privs : 0, t ? t->seccomp_mode : 0,
			(1 << sandbox.ncpus) - 1, cpus);
		break;
	case F_STATM:
		/* size resident shared text lib data dt, in pages (lib and dt are 0 since Linux 2.6). */
		if (t && t->mm) {
			struct memfig m;

			mem_figures(t->mm, &m);
			bprintf(b, "%lu %lu %lu %lu 0 %lu 0\n", (unsigned long)(m.size / 4096),
				(unsigned long)t->mm->rss_pages, (unsigned long)(m.file + m.shmem),
				(unsigned long)(m.exe / 4096), (unsigned long)((m.data + m.stack) / 4096));
		} else {
			bprintf(b, "0 0 0 0 0 0 0\n");
		}
		break;
	case F_MAPS:
		if (t && t->mm) {
			size_t cap = 64 * 1024 + t->mm->nvmas * 256;
			char *m = malloc(cap);

			if (m) {
				size_t n = mm_format_maps(t->mm, m, cap);

				bprintf(b, "%.*s", (int)n, m);
				free(m);
			}
		}
		break;
	case F_AUXV:
		/* Read back from the stack where exec put it (Linux keeps a copy; a program rarely writes there). */
		if (t && t->mm && t->mm->auxv_len && t->mm->auxv_len <= 4096) {
			uint8_t aux[4096];

			if (mm_copy_in(t->mm, aux, t->mm->auxv_start, t->mm->auxv_len) == 0)
				for (size_t j = 0; j < t->mm->auxv_len; j++)
					bprintf(b, "%c", aux[j]);
		}
		break;
	case F_CMDLINE:
	case F_ENVIRON:
		if (t && t->mm) {
			gva_t s = which == F_CMDLINE ? t->mm->arg_start : t->mm->env_start;
			gva_t e = which == F_CMDLINE ? t->mm->arg_end : t->mm->env_end;
			size_t n = e > s && e - s < (1 << 20) ? (size_t)(e - s) : 0;
			char *m = n ? malloc(n) : NULL;

			if (m && mm_copy_in(t->mm, m, s, n) == 0) {
				size_t j;

				/* %s stops at NULs: append byte by byte. */
				for (j = 0; j < n; j++)
					bprintf(b, "%c", m[j]);
			}
			free(m);
		}
		break;
	case F_COMM:
		bprintf(b, "%s\n", t ? t->comm : "");
		break;
	case F_LIMITS: {
		static const char *const names[] = {"Max cpu time", "Max file size", "Max data size", "Max stack size",
						    "Max core file size", "Max resident set", "Max processes",
						    "Max open files", "Max locked memory", "Max address space",
						    "Max file locks", "Max pending signals", "Max msgqueue size",
						    "Max nice priority", "Max realtime priority", "Max realtime timeout"};
		static const char *const units[] = {"seconds", "bytes", "bytes", "bytes", "bytes", "bytes",
						    "processes", "files", "bytes", "bytes", "locks", "signals",
						    "bytes", "", "", "us"};

		bprintf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
		for (i = 0; i < 16; i++) {
			char s1[32], s2[32];

			if (g->rlim[i].rlim_cur == UINT64_MAX)
				strcpy(s1, "unlimited");
			else
				snprintf(s1, sizeof(s1), "%lu", (unsigned long)g->rlim[i].rlim_cur);
			if (g->rlim[i].rlim_max == UINT64_MAX)
				strcpy(s2, "unlimited");
			else
				snprintf(s2, sizeof(s2), "%lu", (unsigned long)g->rlim[i].rlim_max);
			bprintf(b, "%-25s %-20s %-20s %-10s\n", names[i], s1, s2, units[i]);
		}
		break;
	}
	case F_CGROUP:
		bprintf(b, "0::/\n");
		break;
	case F_MOUNTS:
		gen_mounts(b, t);
		break;
	case F_MOUNTINFO: {
		struct mount *m;

		for (m = vfs_mounts; m; m = m->next) {
			char path[ABI_PATH_MAX], root[ABI_PATH_MAX];
			struct path p = {m, m->root};

			if (!t || m->ns != vfs_mnt_ns(t) || vfs_path_string(t, &p, path, sizeof(path)) < 0)
				continue;
			fs_root_path(m, root, sizeof(root));
			/* The root mount's parent is outside the sandbox's view, as on Linux: id 1. */
			bprintf(b, "%d %d 0:%lu %s %s %s,relatime - %s %s %s\n", m->id, m->parent ? m->parent->id : 1,
				(unsigned long)m->sb->dev, root, path, (m->flags & VFS_MNT_RDONLY) ? "ro" : "rw", fs_name(m),
				fs_name(m), (m->flags & VFS_MNT_RDONLY) ? "ro" : "rw");
		}
		break;
	}
	case F_OOM:
		bprintf(b, "%d\n", g->oom_score_adj);
		break;
	case F_SMAPS:
	case F_SMAPS_ROLLUP:
		if (t && t->mm)
			gen_smaps(b, t->mm, which == F_SMAPS_ROLLUP);
		break;
	case F_IO:
		/* The sentry keeps no I/O accounting yet: Linux's fields, all zero. */
		bprintf(b, "rchar: 0\nwchar: 0\nsyscr: 0\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\n"
			   "cancelled_write_bytes: 0\n");
		break;
	case F_LOGINUID:
		bprintf(b, "4294967295");
		break;
	case F_UID_MAP:
	case F_GID_MAP:
		if (t)
			gen_idmap(b, t, which == F_GID_MAP);
		break;
	case F_SETGROUPS:
		if (t)
			bprintf(b, "%s\n", creds_userns(&t->cred)->setgroups_allowed ? "allow" : "deny");
		break;
	}
}

/* ---- links ---- */

/* The name of a device with no path here (host stdio's), as its node in a Linux /dev would be. */
static long dev_name(uint64_t rdev, char *buf, size_t len)
{
	static const char *const mem[] = {NULL, NULL, NULL, "null", NULL, "zero", NULL, "full", "random", "urandom"};
	unsigned ma = major(rdev), mi = minor(rdev);

	if (ma == 1 && mi < N(mem) && mem[mi])
		return snprintf(buf, len, "/dev/%s", mem[mi]);
	if (ma == 136)
		return snprintf(buf, len, "/dev/pts/%u", mi);
	if (ma == 4)
		return snprintf(buf, len, "/dev/tty%u", mi);
	if (ma == 5 && mi < 3)
		return snprintf(buf, len, "/dev/%s", mi == 0 ? "tty" : mi == 1 ? "console" : "ptmx");
	return snprintf(buf, len, "/dev/char/%u:%u", ma, mi);
}

/* The file at fd of pid as readlink gives it: a path, or Linux's "pipe:[ino]" style names. */
static long fd_target(struct task *t, int fd, char *buf, size_t len)
{
	struct file *f;
	uint32_t mode;
	long r;

	if (!t || !t->files || !(f = fdt_get(t->files, fd)))
		return -ENOENT;
	mode = f->inode->mode;
	if (f->path.d && task_current)
		r = vfs_path_string(task_current, &f->path, buf, len);
	else if (f->ops && f->ops->show_name && (r = f->ops->show_name(f, buf, len)) >= 0)
		;
	else if (f->ops && f->ops->dname)
		r = snprintf(buf, len, "%s", f->ops->dname);
	else if (S_ISCHR(mode))
		r = dev_name(f->inode->rdev, buf, len);
	else
		r = snprintf(buf, len, "%s:[%lu]", S_ISFIFO(mode) ? "pipe" : S_ISSOCK(mode) ? "socket" : "anon_inode",
			     (unsigned long)f->inode->ino);
	file_put(f);
	return r;
}

/*
 * /proc/PID/fdinfo/N: position, flags in octal (close-on-exec as
 * O_CLOEXEC), the mount's id as in mountinfo, the inode number.  A file
 * with no path is on a mount no one sees (pipefs...): id 0 here.
 */
static void gen_fdinfo(struct proc_buf *b, struct file *f, int cloexec)
{
	bprintf(b, "pos:\t%lu\nflags:\t0%o\nmnt_id:\t%d\nino:\t%lu\n", (unsigned long)f->pos,
		(unsigned)(f->flags | (cloexec ? O_CLOEXEC : 0)), f->path.mnt ? f->path.mnt->id : 0,
		(unsigned long)f->inode->ino);
}

/* An fd's link shows how the file is open: lr-x, l-wx or lrwx (nothing for O_PATH), as Linux's. */
static uint32_t fd_mode(struct file *f)
{
	uint32_t m = S_IFLNK;

	if (f->flags & O_PATH)
		return m;
	if ((f->flags & O_ACCMODE) != O_WRONLY)
		m |= 0500;
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		m |= 0300;
	return m;
}

/*
 * The namespace a /proc/PID/ns link stands for, or NULL: only for a reader
 * who may look at the task (Linux's PTRACE_MODE_READ check, else EACCES).
 */
static struct ns_common *ns_of_link(const struct pnode *p, long *err)
{
	struct task *t = task_of(p->pid, p->tid);

	*err = -ENOENT;
	if (!t || !task_current)
		return NULL;
	if (task_may_access(task_current, t) < 0) {
		*err = -EACCES;
		return NULL;
	}
	if (strstr(nslinks[p->which].name, "_for_children"))
		return task_ns_children(t, nslinks[p->which].type);
	return task_ns(t, nslinks[p->which].type);
}

/* Magic links: fd/N is the open file itself, exe the program, cwd and root the task's own places, ns/NAME its namespaces. */
static long proc_get_link(struct inode *ino, struct path *out)
{
	struct pnode *p = ino->priv;
	struct task *t = task_of(p->pid, p->tid);
	struct ns_common *ns;
	struct file *f;
	long r;

	if (!t)
		return -ENOENT;
	if (p->kind == P_NSLINK)
		return (ns = ns_of_link(p, &r)) ? nsfs_path(ns, out) : r;
	if (p->kind == P_FD) {
		if (!t->files || !(f = fdt_get(t->files, p->fd)))
			return -ENOENT;
		r = vfs_file_path(f, out);
		file_put(f);
		return r;
	}
	if (p->which == 0) {
		if (!t->mm || !t->mm->exe)
			return -ENOENT;
		*out = *t->mm->exe;
		path_get(out);
		return 0;
	}
	if (!t->fs)
		return -ENOENT;
	*out = p->which == 1 ? t->fs->cwd : t->fs->root;
	path_get(out);
	return 0;
}

static long proc_readlink(struct inode *ino, char *buf, size_t len)
{
	struct pnode *p = ino->priv;
	struct task *t;
	int n;
	char tmp[ABI_PATH_MAX];
	long r = -ENOENT;
	struct path path;

	switch (p->kind) {
	case P_SELF:
		if (!task_current)
			return -ENOENT;
		n = pidns_nr(sb_pidns(ino->sb), task_tgid(task_current));
		if (!n)
			return -ENOENT; /* the reader is not in this proc's namespace */
		r = snprintf(tmp, sizeof(tmp), "%d", n);
		break;
	case P_THREAD_SELF:
		if (!task_current)
			return -ENOENT;
		n = pidns_nr(sb_pidns(ino->sb), task_tgid(task_current));
		if (!n)
			return -ENOENT;
		r = snprintf(tmp, sizeof(tmp), "%d/task/%d", n, pidns_nr(sb_pidns(ino->sb), task_current->tid));
		break;
	case P_PIDLINK:
		t = task_of(p->pid, p->tid);
		if (!t || !t->fs || !task_current)
			return -ENOENT;
		if (p->which == 0) {
			/* exe: the file the first mapping named, as Linux keeps mm->exe_file. */
			size_t i;

			for (i = 0; t->mm && i < t->mm->nvmas; i++)
				if (t->mm->vmas[i].name) {
					r = snprintf(tmp, sizeof(tmp), "%s", t->mm->vmas[i].name);
					break;
				}
		} else {
			path = p->which == 1 ? t->fs->cwd : t->fs->root;
			r = vfs_path_string(task_current, &path, tmp, sizeof(tmp));
		}
		break;
	case P_FD:
		r = fd_target(task_of(p->pid, p->tid), p->fd, tmp, sizeof(tmp));
		break;
	case P_NSLINK: {
		struct ns_common *ns = ns_of_link(p, &r);

		if (ns)
			r = snprintf(tmp, sizeof(tmp), "%s:[%u]", ns_type_name(ns->type), (unsigned)ns->ino);
		break;
	}
	default:
		return -EINVAL;
	}
	if (r < 0)
		return r;
	if ((size_t)r > len)
		r = (long)len;
	memcpy(buf, tmp, (size_t)r);
	return r;
}

/* ---- lookup and listing ---- */

static long proc_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct pnode *p = dir->priv;
	struct super *sb = dir->sb;
	size_t i;
	int n;

	*out = NULL;
	switch (p->kind) {
	case P_ROOT:
		if (!strcmp(name, "self"))
			*out = pinode(sb, P_SELF, 0, 0, 0, 0, S_IFLNK | 0777);
		else if (!strcmp(name, "thread-self"))
			*out = pinode(sb, P_THREAD_SELF, 0, 0, 0, 0, S_IFLNK | 0777);
		else if (!strcmp(name, "sys"))
			*out = pinode(sb, P_SYSDIR, 0, 0, 0, 0, S_IFDIR | 0555);
		else if (!strcmp(name, "net"))
			*out = pinode(sb, P_NETDIR, 0, 0, 0, 0, S_IFDIR | 0555);
		for (i = 0; !*out && i < N(globals); i++)
			if (!strcmp(name, globals[i]))
				*out = pinode(sb, P_GLOBAL, 0, 0, 0, (int)i, S_IFREG | 0444);
		if (!*out && (n = pidns_global(sb_pidns(sb), parse_num(name))) > 0 && tg_find(n) && !tg_find(n)->zombie)
			*out = pinode(sb, P_PID, n, 0, 0, 0, S_IFDIR | 0555);
		break;
	case P_NETDIR:
		for (n = 0; n < n_net_files; n++)
			if (!strcmp(name, net_files[n]->name))
				*out = pinode(sb, P_NETFILE, p->pid, p->tid, 0, n, S_IFREG | 0444);
		break;
	case P_SYSDIR:
		if (p->which == 0 && sysnet && !strcmp(name, "net")) {
			*out = sysnet_node(sb, "", S_IFDIR);
			break;
		}
		for (i = 1; i < N(sysdirs); i++)
			if (sysdir_parent[i] == p->which && !strcmp(name, sysdirs[i]))
				*out = pinode(sb, P_SYSDIR, 0, 0, 0, (int)i, S_IFDIR | 0555);
		for (i = 0; !*out && i < N(sysfiles); i++)
			if (sysfiles[i].dir == p->which && !strcmp(name, sysfiles[i].name))
				*out = pinode(sb, P_SYSFILE, 0, 0, 0, (int)i,
					      S_IFREG | (i == S_HOSTNAME || i == S_DOMAINNAME ? 0644 : 0444));
		break;
	case P_PID:
		for (i = 0; i < N(pidfiles); i++)
			if (!strcmp(name, pidfiles[i]))
				*out = pinode(sb, P_PIDFILE, p->pid, p->tid, 0, (int)i,
					       S_IFREG | (PIDFILE_WRITABLE(i) ? 0644 : i == F_MEM ? 0600 : 0444));
		for (i = 0; !*out && i < N(pidlinks); i++)
			if (!strcmp(name, pidlinks[i]))
				*out = pinode(sb, P_PIDLINK, p->pid, p->tid, 0, (int)i, S_IFLNK | 0777);
		if (!*out && !strcmp(name, "fd"))
			*out = pinode(sb, P_FDDIR, p->pid, p->tid, 0, 0, S_IFDIR | 0500);
		if (!*out && !strcmp(name, "fdinfo"))
			*out = pinode(sb, P_FDINFODIR, p->pid, p->tid, 0, 0, S_IFDIR | 0500);
		if (!*out && !strcmp(name, "task") && !p->tid)
			*out = pinode(sb, P_TASKDIR, p->pid, 0, 0, 0, S_IFDIR | 0555);
		if (!*out && !strcmp(name, "ns"))
			*out = pinode(sb, P_NSDIR, p->pid, p->tid, 0, 0, S_IFDIR | 0511);
		if (!*out && !strcmp(name, "net")) /* the process's network namespace (/proc/net: the reader's) */
			*out = pinode(sb, P_NETDIR, p->pid, p->tid, 0, 0, S_IFDIR | 0555);
		break;
	case P_FDDIR:
	case P_FDINFODIR: {
		struct task *t = task_of(p->pid, p->tid);
		struct file *f;

		n = parse_num(name);
		if (n >= 0 && t && t->files && (f = fdt_get(t->files, n))) {
			if (p->kind == P_FDINFODIR) {
				*out = pinode(sb, P_FDINFO, p->pid, p->tid, n, 0, S_IFREG | 0444);
			} else {
				*out = pinode(sb, P_FD, p->pid, p->tid, n, 0, fd_mode(f));
				if (*out)
					(*out)->size = 64; /* as Linux's */
			}
			file_put(f);
		}
		break;
	}
	case P_TASKDIR:
		n = pidns_global(sb_pidns(sb), parse_num(name));
		if (n > 0 && task_of(p->pid, n))
			*out = pinode(sb, P_PID, p->pid, n, 0, 0, S_IFDIR | 0555);
		break;
	case P_NSDIR:
		for (i = 0; i < N(nslinks); i++)
			if (!strcmp(name, nslinks[i].name))
				*out = pinode(sb, P_NSLINK, p->pid, p->tid, 0, (int)i, S_IFLNK | 0777);
		break;
	case P_EXTDIR:
		break;
	case P_SYSNET: {
		char path[256];
		uint32_t mode;

		if (!S_ISDIR(dir->mode))
			return -ENOTDIR;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", p->path, *p->path ? "/" : "", name) >= sizeof(path))
			return -ENOENT;
		mode = sysnet->lookup(task_current, path);
		if (!mode)
			return -ENOENT;
		*out = sysnet_node(sb, path, mode);
		return *out ? 0 : -ENOMEM;
	}
	default:
		return -ENOTDIR;
	}
	if (!*out)
		*out = ext_lookup(sb, p, name);
	return *out ? 0 : -ENOENT;
}

static int proc_revalidate(struct inode *dir, struct dentry *d)
{
	struct pnode *p = d->inode ? d->inode->priv : NULL;
	struct task *t;
	struct file *f;

	(void)dir;
	if (!p)
		return 0; /* never keep negative entries: processes come and go */
	pid_owner(d->inode, p);
	switch (p->kind) {
	case P_PID:
		return task_of(p->pid, p->tid) != NULL;
	case P_SYSNET: /* the reader's namespace's: is it there, and the same kind of node? */
		return sysnet->lookup(task_current, p->path) == (S_ISDIR(d->inode->mode) ? S_IFDIR : d->inode->mode);
	case P_FD:
	case P_FDINFO:
		t = task_of(p->pid, p->tid);
		if (!t || !t->files || !(f = fdt_get(t->files, p->fd)))
			return 0;
		if (p->kind == P_FD)
			d->inode->mode = fd_mode(f); /* the fd may have been reused since */
		file_put(f);
		return 1;
	default:
		return 1;
	}
}

static long proc_iterate(struct file *f, dir_emit_fn emit, void *ctx)
{
	struct pnode *p = f->inode->priv;
	uint64_t i = 0;
	size_t k;

/*
 * Fixed entries take positions 0, 1, 2...  Entries that come and go
 * (processes, fds, threads) are placed by their number instead (EMIT_AT,
 * in ascending order), as Linux places them: closing fds or reaping
 * processes while a reader walks the directory never shifts the entries
 * still to come.  (A program closing every fd it finds in /proc/self/fd
 * used to skip half of them.)
 */
#define EMIT_AT(at, name, ino, type)                                                                       \
	do {                                                                                               \
		uint64_t at_ = (at);                                                                       \
		if (at_ >= f->pos) {                                                                       \
			f->pos = at_; /* the entry's own position: getdents's d_off follows it */          \
			if (emit(ctx, name, strlen(name), ino, type))                                       \
				return 0;                                                                  \
			f->pos = at_ + 1;                                                                  \
		}                                                                                          \
	} while (0)
#define EMIT(name, ino, type) EMIT_AT(i++, name, ino, type)

	EMIT(".", f->inode->ino, DT_DIR);
	EMIT("..", 1, DT_DIR);
	switch (p->kind) {
	case P_ROOT: {
		struct thread_group *g;
		char num[16];

		for (k = 0; k < N(globals); k++)
			EMIT(globals[k], 0x2000 + k, DT_REG);
		EMIT("self", 0x3000, DT_LNK);
		EMIT("thread-self", 0x3001, DT_LNK);
		EMIT("sys", 0x3002, DT_DIR);
		EMIT("net", 0x3003, DT_DIR);
		/* Processes in ascending pid order (this proc's namespace's numbers), as ps expects. */
		{
			struct pid_ns *ns = sb_pidns(f->inode->sb);
			int last = 0;

			for (;;) {
				int best = 0, nr;

				for (g = tg_all(); g; g = g->next)
					if (!g->zombie && (nr = pidns_nr(ns, g->tgid)) > last && (!best || nr < best))
						best = nr;
				if (!best)
					break;
				snprintf(num, sizeof(num), "%d", best);
				EMIT_AT(i + (uint64_t)best, num, 0x10000 + (uint64_t)best, DT_DIR);
				last = best;
			}
		}
		break;
	}
	case P_NETDIR:
		for (k = 0; k < (size_t)n_net_files; k++)
			EMIT(net_files[k]->name, 0xa000 + k, DT_REG);
		break;
	case P_SYSNET: {
		struct proc_sysnet_ent *ents = malloc(256 * sizeof(*ents));
		int n = ents ? sysnet->list(task_current, p->path, ents, 256) : 0, e;

		for (e = 0; e < n; e++) {
			uint64_t at = i++;

			if (at >= f->pos) {
				f->pos = at;
				if (emit(ctx, ents[e].name, strlen(ents[e].name), 0xb100 + at, ents[e].dir ? DT_DIR : DT_REG))
					break;
				f->pos = at + 1;
			}
		}
		free(ents);
		return 0;
	}
	case P_SYSDIR:
		if (p->which == 0 && sysnet)
			EMIT("net", 0x4100, DT_DIR);
		for (k = 1; k < N(sysdirs); k++)
			if (sysdir_parent[k] == p->which)
				EMIT(sysdirs[k], 0x4000 + k, DT_DIR);
		for (k = 0; k < N(sysfiles); k++)
			if (sysfiles[k].dir == p->which)
				EMIT(sysfiles[k].name, 0x5000 + k, DT_REG);
		break;
	case P_PID:
		for (k = 0; k < N(pidfiles); k++)
			EMIT(pidfiles[k], 0x6000 + k, DT_REG);
		for (k = 0; k < N(pidlinks); k++)
			EMIT(pidlinks[k], 0x7000 + k, DT_LNK);
		EMIT("fd", 0x7100, DT_DIR);
		EMIT("fdinfo", 0x7102, DT_DIR);
		EMIT("net", 0x7103, DT_DIR);
		EMIT("ns", 0x7104, DT_DIR);
		if (!p->tid)
			EMIT("task", 0x7101, DT_DIR);
		break;
	case P_NSDIR:
		for (k = 0; k < N(nslinks); k++)
			EMIT(nslinks[k].name, 0x7200 + k, DT_LNK);
		break;
	case P_FDDIR:
	case P_FDINFODIR: {
		struct task *t = task_of(p->pid, p->tid);
		char num[16];
		int fd;

		for (fd = 0; t && t->files && fd < t->files->size; fd++)
			if (t->files->fds[fd]) {
				snprintf(num, sizeof(num), "%d", fd);
				EMIT_AT(i + (uint64_t)fd, num, 0x8000 + (uint64_t)fd, p->kind == P_FDDIR ? DT_LNK : DT_REG);
			}
		break;
	}
	case P_TASKDIR: {
		struct thread_group *g = tg_find(p->pid);
		struct pid_ns *ns = sb_pidns(f->inode->sb);
		struct task *x;
		char num[16];
		int last = 0;

		/* Threads in ascending tid order, each at its tid's position. */
		for (;;) {
			int best = 0, nr;

			for (x = g ? g->threads : NULL; x; x = x->tg_next)
				if ((nr = pidns_nr(ns, x->tid)) > last && (!best || nr < best))
					best = nr;
			if (!best)
				break;
			snprintf(num, sizeof(num), "%d", best);
			EMIT_AT(i + (uint64_t)best, num, 0x9000 + (uint64_t)best, DT_DIR);
			last = best;
		}
		break;
	}
	default:
		break;
	}
	{
		char buf[64];
		const char *path = ext_path(p, buf, sizeof(buf));
		const char *slash;
		int e;

		for (e = 0; path && e < n_ext_dirs; e++)
			if (ext_dir_in(ext_dirs[e], path, NULL)) {
				slash = strrchr(ext_dirs[e], '/');
				EMIT(slash ? slash + 1 : ext_dirs[e], 0xa000 + (uint64_t)e, DT_DIR);
			}
		for (e = 0; path && e < n_ext_files; e++)
			if (!strcmp(ext_files[e]->dir, path))
				EMIT(ext_files[e]->name, 0xa100 + (uint64_t)e, DT_REG);
	}
#undef EMIT
#undef EMIT_AT
	return 0;
}

/* ---- files ---- */

int procfs_dir_pid(struct inode *ino)
{
	const struct pnode *p = ino->iops == &proc_iops ? ino->priv : NULL;

	return p && p->kind == P_PID && !p->tid ? p->pid : -EBADF;
}

/*
 * /proc/PID/mem: the process's memory at the file offset, read and written
 * as a debugger does (past the protection, mm_access_force), by whoever may
 * trace it (checked at open, as Linux).  The process is looked up at each
 * access; a file offset in no mapping gives EIO.
 */
static long mem_rw(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos, int write)
{
	struct pnode *p = f->inode->priv;
	struct task *t = task_of(p->pid, p->tid);
	long done = 0, r;
	int i;

	if (!t || !t->mm)
		return 0; /* the process is gone: end of file, as Linux once its memory is */
	for (i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		r = mm_access_force(t->mm, *pos, iov[i].iov_base, iov[i].iov_len, write);
		if (r < 0)
			return done ? done : r;
		*pos += (uint64_t)r;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

static long mem_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	return mem_rw(f, iov, cnt, pos, 0);
}

static long mem_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	return mem_rw(f, iov, cnt, pos, 1);
}

static const struct file_ops proc_mem_fops = {
	.read = mem_read,
	.write = mem_write,
	.seekable = 1,
};

static long proc_open(struct inode *ino, struct file *f, int flags)
{
	struct pnode *p = ino->priv;
	struct proc_buf *b;

	if (!S_ISREG(ino->mode))
		return 0;
	if (p->kind == P_PIDFILE && p->which == F_MEM) {
		struct task *t = task_of(p->pid, p->tid);

		if (!t)
			return -ESRCH;
		if (task_may_access(task_current, t) < 0)
			return -EACCES;
		f->ops = &proc_mem_fops;
		f->priv = NULL;
		return 0;
	}
	/* setgroups is written only with CAP_SYS_ADMIN in the task's user namespace (EPERM at open, as Linux). */
	if (p->kind == P_PIDFILE && p->which == F_SETGROUPS && (flags & O_ACCMODE) != O_RDONLY) {
		struct task *t = task_of(p->pid, p->tid);

		if (!t)
			return -ESRCH;
		if (!task_current || !ns_capable(task_current, creds_userns(&t->cred), CAP_SYS_ADMIN))
			return -EPERM;
	}
	/* The machine's sysctls: not the sandbox's root's to change (see sysfiles). */
	if ((flags & O_ACCMODE) != O_RDONLY && (p->kind == P_SYSFILE || p->kind == P_EXTFILE || p->kind == P_SYSNET) &&
	    !(ino->mode & 0200))
		return -EACCES;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	switch (p->kind) {
	case P_GLOBAL:
		gen_global(b, p->which);
		break;
	case P_SYSFILE:
		gen_sys(b, p->which);
		break;
	case P_NETFILE: {
		struct task *nt = p->pid ? task_of(p->pid, p->tid) : task_current;

		if (!nt) {
			free(b);
			return -ESRCH;
		}
		net_files[p->which]->show(nt, b);
		break;
	}
	case P_EXTFILE:
		ext_files[p->which]->show(b);
		break;
	case P_SYSNET:
		sysnet->show(task_current, p->path, b);
		break;
	case P_PIDFILE:
		if (!tg_find(p->pid)) {
			free(b);
			return -ESRCH;
		}
		gen_pid(b, sb_pidns(ino->sb), p->pid, p->tid, p->which);
		break;
	case P_FDINFO: {
		struct task *t = task_of(p->pid, p->tid);
		struct file *fl;

		if (!t || !t->files || !(fl = fdt_get(t->files, p->fd))) {
			free(b);
			return -ENOENT;
		}
		gen_fdinfo(b, fl, fdt_get_cloexec(t->files, p->fd));
		file_put(fl);
		break;
	}
	default:
		break;
	}
	f->priv = b;
	return 0;
}

static long proc_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct proc_buf *b = f->priv;

	return b ? vfs_iter_read(b->s, b->len, iov, cnt, pos) : 0;
}

int proc_parse_long(const char *s, long *v)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	*v = strtol(s, &end, 0);
	if (end == s || errno)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

/*
 * /proc/PID/oom_score_adj, as Linux's oom_score_adj_write: -1000..1000, and
 * below the lowest value a privileged writer set only with CAP_SYS_RESOURCE.
 */
static long store_oom(struct task *t, struct thread_group *g, const char *s)
{
	long v;
	long r = proc_parse_long(s, &v);

	if (r < 0)
		return r;
	if (v < -1000 || v > 1000)
		return -EINVAL;
	if (v < g->oom_score_adj_min && !capable(t, CAP_SYS_RESOURCE))
		return -EACCES;
	if (capable(t, CAP_SYS_RESOURCE))
		g->oom_score_adj_min = (int)v;
	g->oom_score_adj = (int)v;
	return 0;
}

/* kernel/hostname, kernel/domainname: the text up to a newline, cut at 64 bytes (proc_dostring). */
static void store_uts(char *dst, const char *s)
{
	size_t n = strcspn(s, "\n");

	if (n > 64)
		n = 64;
	memcpy(dst, s, n);
	dst[n] = 0;
}

/*
 * /proc/PID/uid_map, gid_map (less than a page, from offset 0) and
 * setgroups (less than 8 bytes) of a task's user namespace, written by the
 * calling task with userns.h's rules.
 */
static long write_userns_file(const struct pnode *p, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct task *t = task_current, *target = task_of(p->pid, p->tid);
	size_t total = iov_total(iov, cnt), len = 0;
	char *buf;
	long r;
	int i;

	if (!t)
		return -EPERM;
	if (!target)
		return -ESRCH;
	if (*pos || total >= (p->which == F_SETGROUPS ? 8 : 4096))
		return -EINVAL;
	buf = malloc(total + 1);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < cnt; i++) {
		memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	buf[total] = 0;
	if (p->which == F_SETGROUPS)
		r = userns_setgroups_write(creds_userns(&target->cred), buf);
	else
		r = userns_map_write(creds_userns(&target->cred), p->which == F_GID_MAP, creds_userns(&t->cred),
				     t->cred.euid, t->cred.egid, t->cred.cap_eff, buf, total);
	free(buf);
	if (r < 0)
		return r;
	*pos = total;
	return (long)total;
}

/*
 * A write takes the whole value at once, from offset 0, as Linux's sysctl
 * and oom_score_adj files (a value split over writes is not put together).
 */
static long proc_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct pnode *p = f->inode->priv;
	struct task *t = task_current;
	char buf[256];
	size_t len = 0, total = iov_total(iov, cnt);
	long r = -EINVAL;
	int i;

	if (p->kind == P_PIDFILE && (p->which == F_UID_MAP || p->which == F_GID_MAP || p->which == F_SETGROUPS))
		return write_userns_file(p, iov, cnt, pos);
	for (i = 0; i < cnt && len < sizeof(buf) - 1; i++) {
		size_t n = iov[i].iov_len < sizeof(buf) - 1 - len ? iov[i].iov_len : sizeof(buf) - 1 - len;

		memcpy(buf + len, iov[i].iov_base, n);
		len += n;
	}
	buf[len] = 0;
	if (strlen(buf) != len)
		return -EINVAL;
	switch (p->kind) {
	case P_PIDFILE: {
		struct thread_group *g = tg_find(p->pid);

		if (p->which != F_OOM)
			break;
		if (!g || g->zombie)
			return -ESRCH;
		if (len > 12)
			buf[12] = 0; /* Linux reads at most PROC_NUMBUF - 1 bytes */
		r = store_oom(t, g, buf);
		break;
	}
	case P_SYSFILE:
		if (p->which != S_HOSTNAME && p->which != S_DOMAINNAME)
			break;
		if (*pos)
			return (long)total; /* a second write of a string sysctl: nothing more taken */
		if (!t)
			return -EPERM;
		store_uts(p->which == S_HOSTNAME ? t->uts->hostname : t->uts->domainname, buf);
		r = 0;
		break;
	case P_EXTFILE:
		if (ext_files[p->which]->store)
			r = ext_files[p->which]->store(t, buf);
		break;
	case P_SYSNET:
		if (*pos)
			return (long)total; /* a later write of a sysctl is ignored, as Linux's (sysctl_writes_strict) */
		r = sysnet->store(t, p->path, buf);
		if (r >= 0 && (size_t)r < total)
			total = (size_t)r; /* what it took of the text: Linux's count for a vector with more after it */
		break;
	default:
		break;
	}
	if (r < 0)
		return r;
	/* A read of this open file from now on shows the new value, as Linux's (made at each read). */
	if (f->priv) {
		struct proc_buf *b = f->priv;

		b->len = 0;
		if (p->kind == P_PIDFILE)
			gen_pid(b, sb_pidns(f->inode->sb), p->pid, p->tid, p->which);
		else if (p->kind == P_SYSFILE)
			gen_sys(b, p->which);
		else if (p->kind == P_SYSNET)
			sysnet->show(t, p->path, b);
		else
			ext_files[p->which]->show(b);
	}
	*pos += total;
	return (long)total;
}

static void proc_release_file(struct file *f)
{
	struct proc_buf *b = f->priv;

	if (b && S_ISREG(f->inode->mode)) {
		free(b->s);
		free(b);
	}
}

static void proc_release(struct inode *ino)
{
	struct pnode *p = ino->priv;

	if (p)
		free(p->path);
	free(p);
}

static const struct inode_ops proc_iops = {
	.lookup = proc_lookup,
	.readlink = proc_readlink,
	.open = proc_open,
	.release = proc_release,
	.revalidate = proc_revalidate,
	.grants = proc_grants,
};

/* fd/N, exe, cwd and root. */
static const struct inode_ops proc_magic_iops = {
	.readlink = proc_readlink,
	.grants = proc_grants,
	.release = proc_release,
	.get_link = proc_get_link,
};

static const struct file_ops proc_dir_fops = {
	.iterate = proc_iterate,
	.seekable = 1,
};

static const struct file_ops proc_file_fops = {
	.read = proc_read,
	.write = proc_write,
	.release = proc_release_file,
	.seekable = 1,
};

struct inode *procfs_new(struct super **sbp)
{
	struct super *sb = super_new("proc", 0);

	if (!sb)
		return NULL;
	*sbp = sb;
	return pinode(sb, P_ROOT, 0, 0, 0, 0, S_IFDIR | 0555);
}

/*
 * mount -t proc: options (hidepid=...) are taken and ignored, as an old
 * kernel's.  The instance shows the mounter's pid namespace, whose
 * reference it keeps (proc instances are kept for the sandbox's life).
 */
static long proc_mount(const struct fs_mount_args *a, struct super **sb, struct inode **root)
{
	struct pid_ns *ns = task_current ? task_pidns(task_current) : &pid_ns_init;

	(void)a;
	*root = procfs_new(sb);
	if (!*root)
		return -ENOMEM;
	if (ns != &pid_ns_init) {
		ns_get(&ns->ns);
		(*sb)->priv = ns;
	}
	return 0;
}

static const struct fs_type proc_type = {.name = "proc", .flags = FS_USERMOUNT, .mount = proc_mount};
VFS_FS_TYPE(proc_type)
