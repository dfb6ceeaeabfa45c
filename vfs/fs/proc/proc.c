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
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../../../sentry/host/host.h"
#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/memfile.h"
#include "../../../sentry/mm/mm.h"
#include "../../vfs.h"
#include "proc.h"

enum kind {
	P_ROOT, P_SELF, P_THREAD_SELF, P_GLOBAL, P_SYSDIR, P_SYSFILE,
	P_PID, P_PIDFILE, P_PIDLINK, P_FDDIR, P_FD, P_TASKDIR,
};

struct pnode {
	enum kind kind;
	int pid, tid, fd;
	int which; /* index into a name table */
};

struct buf {
	char *s;
	size_t len, cap;
};

static const struct inode_ops proc_iops, proc_magic_iops;
static const struct file_ops proc_dir_fops, proc_file_fops;

/* ---- name tables ---- */

static const char *const globals[] = {"cpuinfo", "meminfo", "stat", "loadavg", "uptime", "version",
				      "filesystems", "mounts", "cmdline"};
enum { G_CPUINFO, G_MEMINFO, G_STAT, G_LOADAVG, G_UPTIME, G_VERSION, G_FILESYSTEMS, G_MOUNTS, G_CMDLINE };

/* /proc/sys: directories then files, each file with its directory. */
static const char *const sysdirs[] = {"sys", "kernel", "vm", "fs"};
static const struct {
	int dir; /* index into sysdirs */
	const char *name;
} sysfiles[] = {
	{1, "hostname"}, {1, "ostype"}, {1, "osrelease"}, {1, "pid_max"}, {1, "ngroups_max"},
	{1, "cap_last_cap"}, {1, "version"}, {2, "overcommit_memory"}, {2, "max_map_count"},
	{3, "file-max"}, {3, "nr_open"}, {3, "pipe-max-size"},
};

static const char *const pidfiles[] = {"stat", "status", "statm", "maps", "cmdline", "environ", "comm",
				       "limits", "cgroup", "mounts", "mountinfo", "oom_score_adj", "loginuid"};
enum { F_STAT, F_STATUS, F_STATM, F_MAPS, F_CMDLINE, F_ENVIRON, F_COMM, F_LIMITS, F_CGROUP, F_MOUNTS,
       F_MOUNTINFO, F_OOM, F_LOGINUID, NPIDFILES };
static const char *const pidlinks[] = {"exe", "cwd", "root"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
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
	ino->iops = kind == P_FD || (kind == P_PIDLINK && which > 0) ? &proc_magic_iops : &proc_iops;
	ino->ino = node_ino(p);
	if (S_ISDIR(mode)) {
		ino->fops = &proc_dir_fops;
		ino->nlink = 2;
	} else if (S_ISREG(mode)) {
		ino->fops = &proc_file_fops;
	}
	return ino;
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

static void gen_cpuinfo(struct buf *b)
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

static void gen_global(struct buf *b, int which)
{
	uint64_t total = sandbox.memory / 1024, used = mf.used * 4, up = host_monotonic_ns() - sandbox.start_ns;
	struct mount *m;
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
		bprintf(b, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tdevpts\nnodev\tpipefs\n");
		break;
	case G_MOUNTS:
		for (m = vfs_mounts; m; m = m->next) {
			char path[ABI_PATH_MAX];
			struct path p = {m, m->root};

			if (!task_current || vfs_path_string(task_current, &p, path, sizeof(path)) < 0)
				continue;
			bprintf(b, "%s %s %s %s 0 0\n", m->sb->type, path, !strcmp(m->sb->type, "gofer") ? "9p" :
				m->sb->type, (m->flags & 1) ? "ro" : "rw");
		}
		break;
	case G_CMDLINE:
		bprintf(b, "cvisor\n");
		break;
	}
}

static void gen_sys(struct buf *b, int which)
{
	static const char *const values[] = {NULL, "Linux", "6.1.0", "4194304", "65536", "40", "#1 SMP cvisor",
					     "0", "65530", "1048576", "1048576", "1048576"};

	if (which == 0)
		bprintf(b, "%s\n", sandbox.hostname);
	else
		bprintf(b, "%s\n", values[which]);
}

/* ---- per-process files ---- */

static char state_of(struct thread_group *g)
{
	return g->zombie ? 'Z' : g->stopped ? 'T' : 'S';
}

static void gen_pid(struct buf *b, int pid, int tid, int which)
{
	struct thread_group *g = tg_find(pid);
	struct task *t = task_of(pid, tid);
	uint64_t ign = 0, cgt = 0, ns;
	int i;

	if (!g)
		return;
	switch (which) {
	case F_STAT:
		ns = tg_cpu_ns(g);
		bprintf(b,
			"%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 %lu 0 %lu 0 20 %d %d 0 %lu %lu %lu "
			"18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
			tid ? tid : pid, t ? t->comm : "", state_of(g), g->parent ? g->parent->tgid : 0, g->pgid,
			g->sid, (unsigned long)(ns / 10000000ULL), (unsigned long)(g->children_cpu_ns / 10000000ULL),
			g->nice, g->nthreads, (unsigned long)((g->start_ns - sandbox.start_ns) / 10000000ULL),
			(unsigned long)(t && t->mm ? t->mm->rss_pages * 4096 : 0),
			(unsigned long)(t && t->mm ? t->mm->rss_pages : 0));
		break;
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
			"TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t\n"
			"VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nThreads:\t%d\n"
			"SigQ:\t0/63459\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\n"
			"SigCgt:\t%016lx\nCapInh:\t0000000000000000\nCapPrm:\t%s\nCapEff:\t%s\n"
			"CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t%d\nSeccomp:\t0\n"
			"Cpus_allowed:\t%x\nCpus_allowed_list:\t0-%d\nMems_allowed_list:\t0\n"
			"voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
			t ? t->comm : "", t && t->fs ? t->fs->umask : 022, state_of(g),
			g->zombie ? "zombie" : g->stopped ? "stopped" : "sleeping", g->tgid, tid ? tid : pid,
			g->parent ? g->parent->tgid : 0, t ? t->cred.uid : 0, t ? t->cred.euid : 0,
			t ? t->cred.suid : 0, t ? t->cred.fsuid : 0, t ? t->cred.gid : 0, t ? t->cred.egid : 0,
			t ? t->cred.sgid : 0, t ? t->cred.fsgid : 0, t && t->files ? t->files->size : 0,
			(unsigned long)(t && t->mm ? t->mm->rss_pages * 4 : 0),
			(unsigned long)(t && t->mm ? t->mm->rss_pages * 4 : 0),
			(unsigned long)(t && t->mm ? t->mm->rss_pages * 4 : 0), g->nthreads,
			(unsigned long)(t ? t->sigpending : 0), (unsigned long)g->pending,
			(unsigned long)(t ? t->sigmask : 0), (unsigned long)ign, (unsigned long)cgt,
			t && t->cred.euid == 0 ? "000001ffffffffff" : "0000000000000000",
			t && t->cred.euid == 0 ? "000001ffffffffff" : "0000000000000000", t ? t->no_new_privs : 0,
			(1 << sandbox.ncpus) - 1, sandbox.ncpus - 1);
		break;
	case F_STATM:
		bprintf(b, "%lu %lu 0 0 0 0 0\n", (unsigned long)(t && t->mm ? t->mm->rss_pages : 0),
			(unsigned long)(t && t->mm ? t->mm->rss_pages : 0));
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
		gen_global(b, G_MOUNTS);
		break;
	case F_MOUNTINFO: {
		struct mount *m;
		int id = 1;

		for (m = vfs_mounts; m; m = m->next, id++) {
			char path[ABI_PATH_MAX];
			struct path p = {m, m->root};

			if (!t || vfs_path_string(t, &p, path, sizeof(path)) < 0)
				continue;
			bprintf(b, "%d %d 0:%lu / %s %s - %s %s %s\n", id, m->parent ? 1 : 0,
				(unsigned long)m->sb->dev, path, (m->flags & 1) ? "ro" : "rw", m->sb->type,
				m->sb->type, (m->flags & 1) ? "ro" : "rw");
		}
		break;
	}
	case F_OOM:
		bprintf(b, "0\n");
		break;
	case F_LOGINUID:
		bprintf(b, "4294967295");
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

/* Magic links: fd/N is the open file itself, cwd and root the task's own places. */
static long proc_get_link(struct inode *ino, struct path *out)
{
	struct pnode *p = ino->priv;
	struct task *t = task_of(p->pid, p->tid);
	struct file *f;
	long r;

	if (!t)
		return -ENOENT;
	if (p->kind == P_FD) {
		if (!t->files || !(f = fdt_get(t->files, p->fd)))
			return -ENOENT;
		r = vfs_file_path(f, out);
		file_put(f);
		return r;
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
	char tmp[ABI_PATH_MAX];
	long r = -ENOENT;
	struct path path;

	switch (p->kind) {
	case P_SELF:
		if (!task_current)
			return -ENOENT;
		r = snprintf(tmp, sizeof(tmp), "%d", task_tgid(task_current));
		break;
	case P_THREAD_SELF:
		if (!task_current)
			return -ENOENT;
		r = snprintf(tmp, sizeof(tmp), "%d/task/%d", task_tgid(task_current), task_current->tid);
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
		for (i = 0; !*out && i < N(globals); i++)
			if (!strcmp(name, globals[i]))
				*out = pinode(sb, P_GLOBAL, 0, 0, 0, (int)i, S_IFREG | 0444);
		if (!*out && (n = parse_num(name)) > 0 && tg_find(n) && !tg_find(n)->zombie)
			*out = pinode(sb, P_PID, n, 0, 0, 0, S_IFDIR | 0555);
		break;
	case P_SYSDIR:
		for (i = 1; i < N(sysdirs); i++)
			if (p->which == 0 && !strcmp(name, sysdirs[i]))
				*out = pinode(sb, P_SYSDIR, 0, 0, 0, (int)i, S_IFDIR | 0555);
		for (i = 0; !*out && i < N(sysfiles); i++)
			if (sysfiles[i].dir == p->which && !strcmp(name, sysfiles[i].name))
				*out = pinode(sb, P_SYSFILE, 0, 0, 0, (int)i, S_IFREG | 0444);
		break;
	case P_PID:
		for (i = 0; i < N(pidfiles); i++)
			if (!strcmp(name, pidfiles[i]))
				*out = pinode(sb, P_PIDFILE, p->pid, p->tid, 0, (int)i, S_IFREG | 0444);
		for (i = 0; !*out && i < N(pidlinks); i++)
			if (!strcmp(name, pidlinks[i]))
				*out = pinode(sb, P_PIDLINK, p->pid, p->tid, 0, (int)i, S_IFLNK | 0777);
		if (!*out && !strcmp(name, "fd"))
			*out = pinode(sb, P_FDDIR, p->pid, p->tid, 0, 0, S_IFDIR | 0500);
		if (!*out && !strcmp(name, "task") && !p->tid)
			*out = pinode(sb, P_TASKDIR, p->pid, 0, 0, 0, S_IFDIR | 0555);
		break;
	case P_FDDIR: {
		struct task *t = task_of(p->pid, p->tid);
		struct file *f;

		n = parse_num(name);
		if (n >= 0 && t && t->files && (f = fdt_get(t->files, n))) {
			*out = pinode(sb, P_FD, p->pid, p->tid, n, 0, fd_mode(f));
			if (*out)
				(*out)->size = 64; /* as Linux's */
			file_put(f);
		}
		break;
	}
	case P_TASKDIR:
		n = parse_num(name);
		if (n > 0 && task_of(p->pid, n))
			*out = pinode(sb, P_PID, p->pid, n, 0, 0, S_IFDIR | 0555);
		break;
	default:
		return -ENOTDIR;
	}
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
	switch (p->kind) {
	case P_PID:
		return task_of(p->pid, p->tid) != NULL;
	case P_FD:
		t = task_of(p->pid, p->tid);
		if (!t || !t->files || !(f = fdt_get(t->files, p->fd)))
			return 0;
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

#define EMIT(name, ino, type)                                                                              \
	do {                                                                                               \
		if (i++ >= f->pos) {                                                                       \
			if (emit(ctx, name, strlen(name), ino, type))                                       \
				return 0;                                                                  \
			f->pos = i;                                                                        \
		}                                                                                          \
	} while (0)

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
		/* Processes in ascending pid order, as ps expects. */
		{
			int last = 0;

			for (;;) {
				int best = 0;

				for (g = tg_all(); g; g = g->next)
					if (!g->zombie && g->tgid > last && (!best || g->tgid < best))
						best = g->tgid;
				if (!best)
					break;
				snprintf(num, sizeof(num), "%d", best);
				EMIT(num, 0x10000 + (uint64_t)best, DT_DIR);
				last = best;
			}
		}
		break;
	}
	case P_SYSDIR:
		for (k = 1; p->which == 0 && k < N(sysdirs); k++)
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
		if (!p->tid)
			EMIT("task", 0x7101, DT_DIR);
		break;
	case P_FDDIR: {
		struct task *t = task_of(p->pid, p->tid);
		char num[16];
		int fd;

		for (fd = 0; t && t->files && fd < t->files->size; fd++)
			if (t->files->fds[fd]) {
				snprintf(num, sizeof(num), "%d", fd);
				EMIT(num, 0x8000 + (uint64_t)fd, DT_LNK);
			}
		break;
	}
	case P_TASKDIR: {
		struct thread_group *g = tg_find(p->pid);
		struct task *x;
		char num[16];

		for (x = g ? g->threads : NULL; x; x = x->tg_next) {
			snprintf(num, sizeof(num), "%d", x->tid);
			EMIT(num, 0x9000 + (uint64_t)x->tid, DT_DIR);
		}
		break;
	}
	default:
		break;
	}
#undef EMIT
	return 0;
}

/* ---- files ---- */

static long proc_open(struct inode *ino, struct file *f, int flags)
{
	struct pnode *p = ino->priv;
	struct buf *b;

	if (!S_ISREG(ino->mode))
		return 0;
	/* Opening for writing is allowed (root may); the writes fail, nothing here takes them yet. */
	(void)flags;
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
	case P_PIDFILE:
		if (!tg_find(p->pid)) {
			free(b);
			return -ESRCH;
		}
		gen_pid(b, p->pid, p->tid, p->which);
		break;
	default:
		break;
	}
	f->priv = b;
	return 0;
}

static long proc_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct buf *b = f->priv;

	return b ? vfs_iter_read(b->s, b->len, iov, cnt, pos) : 0;
}

static void proc_release_file(struct file *f)
{
	struct buf *b = f->priv;

	if (b && S_ISREG(f->inode->mode)) {
		free(b->s);
		free(b);
	}
}

static void proc_release(struct inode *ino)
{
	free(ino->priv);
}

static const struct inode_ops proc_iops = {
	.lookup = proc_lookup,
	.readlink = proc_readlink,
	.open = proc_open,
	.release = proc_release,
	.revalidate = proc_revalidate,
};

/* fd/N, cwd and root (exe stays a plain link: the sentry keeps only its name). */
static const struct inode_ops proc_magic_iops = {
	.readlink = proc_readlink,
	.release = proc_release,
	.get_link = proc_get_link,
};

static const struct file_ops proc_dir_fops = {
	.iterate = proc_iterate,
	.seekable = 1,
};

static const struct file_ops proc_file_fops = {
	.read = proc_read,
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
