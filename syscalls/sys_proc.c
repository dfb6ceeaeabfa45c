/*
 * Process calls of the first slice: exit, ids, limits, signals' bookkeeping,
 * exec.  The sandbox is one thread group for now (fork and threads come with
 * the process issue), so "another process" is always ESRCH.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/times.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/futex.h"
#include "../sentry/kernel/ptrace.h"
#include "../sentry/kernel/task.h"
#include "../sentry/loader/loader.h"
#include "../sentry/mm/memfile.h"
#include "../sentry/mm/mm.h"
#include "../vfs/fs/proc/proc.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

SYSCALL(getpid) { (void)a; return task_vnr(t, task_tgid(t)); }
SYSCALL(getppid) { (void)a; return task_ppid(t); }
SYSCALL(gettid) { (void)a; return task_vnr(t, t->tid); }
SYSCALL(getuid) { (void)a; return task_uid_out(t, t->cred.uid); }
SYSCALL(geteuid) { (void)a; return task_uid_out(t, t->cred.euid); }
SYSCALL(getgid) { (void)a; return task_gid_out(t, t->cred.gid); }
SYSCALL(getegid) { (void)a; return task_gid_out(t, t->cred.egid); }

static long put3(struct task *t, const uint64_t *a, uint32_t x, uint32_t y, uint32_t z)
{
	if (mm_copy_out(t->mm, a[0], &x, 4) < 0 || mm_copy_out(t->mm, a[1], &y, 4) < 0 ||
	    mm_copy_out(t->mm, a[2], &z, 4) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL(getresuid)
{
	return put3(t, a, task_uid_out(t, t->cred.uid), task_uid_out(t, t->cred.euid), task_uid_out(t, t->cred.suid));
}

SYSCALL(getresgid)
{
	return put3(t, a, task_gid_out(t, t->cred.gid), task_gid_out(t, t->cred.egid), task_gid_out(t, t->cred.sgid));
}

SYSCALL(uname)
{
	struct abi_utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	strcpy(u.nodename, t->uts->hostname);
	/* The Linux version whose behaviour cvisor follows. */
	strcpy(u.release, "6.1.0");
	strcpy(u.version, "#1 SMP cvisor");
	strcpy(u.machine, "x86_64");
	strcpy(u.domainname, t->uts->domainname);
	return mm_copy_out(t->mm, a[0], &u, sizeof(u));
}

/*
 * sethostname, setdomainname: the caller's UTS namespace (a sandbox's, never
 * the host's), with CAP_SYS_ADMIN in the user namespace that owns it.
 */
static long set_uts_name(struct task *t, gva_t uname, uint64_t len, char *dst)
{
	char buf[65];

	if (!ns_capable(t, userns_owner(&t->uts->ns), CAP_SYS_ADMIN))
		return -EPERM;
	if (len > 64)
		return -EINVAL;
	if (mm_copy_in(t->mm, buf, uname, len) < 0)
		return -EFAULT;
	buf[len] = 0;
	memcpy(dst, buf, len + 1);
	return 0;
}

/* setns(2)'s namespaces: the CLONE_NEW* flags (CLONE_NEWTIME is 0x80, inside CSIGNAL). */
#define SETNS_FLAGS \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | 0x80)

/*
 * May t join ns (Linux's *_install checks)?  A user namespace: not t's own
 * (EINVAL, so no capability can be gained by re-entering it), by a lone
 * thread with an fs context of its own (EINVAL), with CAP_SYS_ADMIN in it.
 * Every other kind needs CAP_SYS_ADMIN in the user namespace that owns it
 * and in t's own, a mount namespace CAP_SYS_CHROOT too and an fs context
 * of one's own.
 */
static long may_join(struct task *t, const struct ns_common *ns)
{
	struct user_ns *own = creds_userns(&t->cred);

	if (ns->type == NS_USER) {
		if (ns == &own->ns || t->tg->nthreads > 1 || t->fs->refs > 1)
			return -EINVAL;
		return ns_capable(t, (const struct user_ns *)ns, CAP_SYS_ADMIN) ? 0 : -EPERM;
	}
	if (!ns_capable(t, userns_owner(ns), CAP_SYS_ADMIN) || !ns_capable(t, own, CAP_SYS_ADMIN) ||
	    (ns->type == NS_MNT && !capable(t, CAP_SYS_CHROOT)))
		return -EPERM;
	/* A pid namespace: the caller's own or one below it (Linux's pidns_install, after its capabilities). */
	if (ns->type == NS_PID && !pidns_within((const struct pid_ns *)ns, task_pidns(t)))
		return -EINVAL;
	/* After the capabilities, as Linux's mntns_install. */
	if (ns->type == NS_MNT && t->fs->refs > 1)
		return -EINVAL;
	return 0;
}

/*
 * setns(2): fd is an open /proc/PID/ns file (nstype 0 or its CLONE_NEW*
 * flag), or a pidfd with the flags of the namespaces to take from its
 * process, all checked before any is joined.  Joining a mount namespace
 * (its own too) moves root and cwd to the namespace's root, as on Linux.
 */
SYSCALL(setns)
{
	int fd = (int)a[0], pid;
	uint64_t flags = a[1];
	struct file *f = fdt_get(t->files, fd);
	struct ns_common *ns, *join[NS_NTYPES];
	struct thread_group *g;
	struct task *target;
	int n = 0, i;
	long r;

	if (!f)
		return -EBADF;
	ns = nsfs_of_file(f);
	if (ns) {
		r = flags && flags != (uint64_t)ns_type_flag(ns->type) ? -EINVAL : may_join(t, ns);
		if (r == 0)
			task_join_ns(t, ns);
		file_put(f);
		return r;
	}
	file_put(f);
	pid = task_pidfd_pid ? task_pidfd_pid(t, fd) : -EBADF;
	if (pid < 0 || !flags || (flags & ~(uint64_t)SETNS_FLAGS))
		return -EINVAL;
	g = tg_find(pid); /* a pidfd's pid is the global one */
	target = g && !g->zombie ? (g->leader ? g->leader : g->threads) : NULL;
	if (!target)
		return -ESRCH;
	for (i = 0; i < NS_NTYPES; i++) {
		if (!(flags & (uint64_t)ns_type_flag((enum ns_type)i)))
			continue;
		join[n] = task_ns(target, (enum ns_type)i);
		r = join[n] ? may_join(t, join[n]) : -EINVAL;
		if (r < 0)
			return r;
		n++;
	}
	for (i = 0; i < n; i++)
		task_join_ns(t, join[i]);
	return 0;
}

SYSCALL(sethostname) { return set_uts_name(t, a[0], a[1], t->uts->hostname); }
SYSCALL(setdomainname) { return set_uts_name(t, a[0], a[1], t->uts->domainname); }

SYSCALL(arch_prctl)
{
	switch ((int)a[0]) {
	case ARCH_SET_FS:
		if (a[1] >= t->mm->limit)
			return -EPERM;
		t->regs.fs_base = a[1];
		return 0;
	case ARCH_SET_GS:
		if (a[1] >= t->mm->limit)
			return -EPERM;
		t->regs.gs_base = a[1];
		return 0;
	case ARCH_GET_FS:
		return mm_copy_out(t->mm, a[1], &t->regs.fs_base, 8);
	case ARCH_GET_GS:
		return mm_copy_out(t->mm, a[1], &t->regs.gs_base, 8);
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV; /* no CPUID faulting here, as on a CPU without it (no cpuid_fault in cpuinfo) */
	}
	return -EINVAL;
}

SYSCALL(set_tid_address)
{
	t->clear_child_tid = a[0];
	return task_vnr(t, t->tid);
}

SYSCALL(set_robust_list)
{
	if (a[1] != 24)
		return -EINVAL;
	t->robust_list = a[0];
	t->robust_len = a[1];
	return 0;
}

SYSCALL(get_robust_list)
{
	uint64_t len = 24;

	if (a[0] && task_gnr(t, (int)a[0]) != t->tid)
		return -ESRCH;
	if (mm_copy_out(t->mm, a[1], &t->robust_list, 8) < 0 || mm_copy_out(t->mm, a[2], &len, 8) < 0)
		return -EFAULT;
	return 0;
}

static long do_prlimit(struct task *t, int res, gva_t unew, gva_t uold)
{
	struct abi_rlimit nl;

	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (unew) {
		if (mm_copy_in(t->mm, &nl, unew, sizeof(nl)) < 0)
			return -EFAULT;
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
		if (nl.rlim_max > t->tg->rlim[res].rlim_max && !capable(t, CAP_SYS_RESOURCE))
			return -EPERM;
		if (res == RLIMIT_NOFILE && nl.rlim_max > 1048576)
			return -EPERM; /* fs.nr_open */
	}
	if (uold && mm_copy_out(t->mm, uold, &t->tg->rlim[res], sizeof(t->tg->rlim[res])) < 0)
		return -EFAULT;
	if (unew) {
		t->tg->rlim[res] = nl;
		if (res == RLIMIT_CPU)
			tg_watch_cpu(t->tg);
	}
	return 0;
}

SYSCALL(prlimit64)
{
	if (a[0] && task_gnr(t, (int)a[0]) != task_tgid(t))
		return -ESRCH;
	return do_prlimit(t, (int)a[1], a[2], a[3]);
}

SYSCALL(getrlimit) { return do_prlimit(t, (int)a[0], 0, a[1]); }
SYSCALL(setrlimit) { return do_prlimit(t, (int)a[0], a[1], 0); }

SYSCALL(getrandom)
{
	uint8_t buf[4096];
	uint64_t len = a[1], done = 0;

	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((a[2] & GRND_INSECURE) && (a[2] & GRND_RANDOM))
		return -EINVAL;
	if (len > 33554431)
		len = 33554431;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);
		long r = host_getrandom(buf, n);

		if (r < 0)
			return done ? (long)done : r;
		if (mm_copy_out(t->mm, a[0] + done, buf, (size_t)r) < 0)
			return done ? (long)done : -EFAULT;
		done += (uint64_t)r;
	}
	return (long)done;
}

/* The sandbox's CPUs, as an affinity mask. */
static uint64_t all_cpus(void)
{
	return sandbox.ncpus >= 64 ? ~0ULL : (1ULL << sandbox.ncpus) - 1;
}

/*
 * The thread of a sched_* call: the caller (0) or any thread by tid; NULL
 * for a tid that does not name one.
 */
static struct task *sched_thread(struct task *t, int tid)
{
	if (tid < 0)
		return NULL;
	return tid == 0 ? t : task_find_vnr(t, tid);
}

SYSCALL(sched_getaffinity)
{
	struct task *x = sched_thread(t, (int)a[0]);
	uint64_t mask;

	/* The size first, then the thread (a negative tid is ESRCH): CPython grows its mask while EINVAL comes. */
	if (a[1] < 8 || (a[1] & 7))
		return -EINVAL;
	if (!x)
		return -ESRCH;
	/*
	 * Remembered, not enforced: the host places sandbox threads itself (the
	 * ptrace platform keeps a tracer and its stub on one CPU).
	 */
	mask = x->affinity ? x->affinity : all_cpus();
	if (mm_copy_out(t->mm, a[2], &mask, 8) < 0)
		return -EFAULT;
	return 8;
}

SYSCALL(sched_yield)
{
	(void)t, (void)a;
	return 0;
}

SYSCALL(rt_sigaction)
{
	int sig = (int)a[0];
	struct abi_sigaction act;

	if (a[3] != 8)
		return -EINVAL;
	if (sig < 1 || sig > 64)
		return -EINVAL;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[1] && mm_copy_in(t->mm, &act, a[1], sizeof(act)) < 0)
		return -EFAULT;
	if (a[2] && mm_copy_out(t->mm, a[2], &t->sighand->act[sig - 1], sizeof(act)) < 0)
		return -EFAULT;
	if (a[1]) {
		act.mask &= ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
		t->sighand->act[sig - 1] = act;
		task_sigaction_set(t, sig);
	}
	return 0;
}

SYSCALL(rt_sigprocmask)
{
	uint64_t set, old = t->sigmask;
	const uint64_t unblockable = (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1));

	if (a[3] != 8)
		return -EINVAL;
	if (a[1]) {
		if (mm_copy_in(t->mm, &set, a[1], 8) < 0)
			return -EFAULT;
		switch ((int)a[0]) {
		case SIG_BLOCK: t->sigmask |= set; break;
		case SIG_UNBLOCK: t->sigmask &= ~set; break;
		case SIG_SETMASK: t->sigmask = set; break;
		default: return -EINVAL;
		}
		t->sigmask &= ~unblockable;
	}
	if (a[2] && mm_copy_out(t->mm, a[2], &old, 8) < 0) {
		t->sigmask = old;
		return -EFAULT;
	}
	return 0;
}

SYSCALL(sigaltstack)
{
	struct abi_stack ss, old = t->altstack;
	int on = task_on_altstack(t, t->regs.rsp);

	if (a[0]) {
		if (mm_copy_in(t->mm, &ss, a[0], sizeof(ss)) < 0)
			return -EFAULT;
		/* 0, SS_DISABLE, or SS_ONSTACK (which old programs pass, meaning 0); SS_AUTODISARM beside. */
		if ((ss.ss_flags & ~ABI_SS_AUTODISARM) != 0 && (ss.ss_flags & ~ABI_SS_AUTODISARM) != SS_DISABLE &&
		    (ss.ss_flags & ~ABI_SS_AUTODISARM) != SS_ONSTACK)
			return -EINVAL;
		ss.ss_flags &= ~SS_ONSTACK;
		if (!(ss.ss_flags & SS_DISABLE) && ss.ss_size < 2048)
			return -ENOMEM;
		if (ss.ss_flags & SS_DISABLE) {
			ss.ss_sp = 0;
			ss.ss_size = 0;
		}
	}
	if (!old.ss_size)
		old.ss_flags = SS_DISABLE;
	else if (on)
		old.ss_flags = SS_ONSTACK;
	if (a[0] && on)
		return -EPERM; /* not while running on it */
	if (a[1] && mm_copy_out(t->mm, a[1], &old, sizeof(old)) < 0)
		return -EFAULT;
	if (a[0])
		t->altstack = ss;
	return 0;
}

SYSCALL(prctl)
{
	char name[16];

	switch ((int)a[0]) {
	case PR_SET_NAME:
		if (mm_strncpy_in(t->mm, name, a[1], sizeof(name)) == -EFAULT)
			return -EFAULT;
		name[15] = 0;
		memcpy(t->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return mm_copy_out(t->mm, a[1], t->comm, sizeof(t->comm));
	case PR_SET_PDEATHSIG:
		if (a[1] > 64)
			return -EINVAL;
		t->tg->pdeathsig = (int)a[1];
		return 0;
	case PR_GET_PDEATHSIG:
		return mm_copy_out(t->mm, a[1], &t->tg->pdeathsig, sizeof(int));
	case PR_SET_DUMPABLE:
		if (a[1] > 1)
			return -EINVAL;
		t->tg->dumpable = (int)a[1];
		return 0;
	case PR_GET_DUMPABLE:
		return t->tg->dumpable;
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		t->no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return t->no_new_privs;
	case PR_SET_CHILD_SUBREAPER:
		t->tg->subreaper = !!a[1];
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return mm_copy_out(t->mm, a[1], &t->tg->subreaper, sizeof(int));
	case PR_GET_SECUREBITS:
		/* PR_SET_KEEPCAPS is the one secure bit the sandbox keeps. */
		return t->keepcaps ? SECBIT_KEEP_CAPS : 0;
	case PR_CAPBSET_READ:
		return a[1] <= CAP_LAST_CAP ? !!(t->cred.cap_bnd & CREDS_CAP(a[1])) : -EINVAL;
	case PR_GET_TIMERSLACK:
		/* Kept and answered; the host's timers have their own slack. */
		return (long)(t->timer_slack_ns ? t->timer_slack_ns : 50000);
	case PR_SET_TIMERSLACK:
		t->timer_slack_ns = (long)a[1] <= 0 ? t->default_slack_ns : a[1];
		return 0;
	case PR_GET_KEEPCAPS:
		return t->keepcaps;
	case PR_SET_KEEPCAPS:
		if (a[1] > 1)
			return -EINVAL;
		t->keepcaps = (int)a[1];
		return 0;
	case PR_CAPBSET_DROP:
		if (a[1] > CAP_LAST_CAP)
			return -EINVAL;
		if (!ns_capable(t, creds_userns(&t->cred), CAP_SETPCAP))
			return -EPERM;
		t->cred.cap_bnd &= ~CREDS_CAP(a[1]);
		return 0;
	case PR_CAP_AMBIENT:
		if (a[1] == PR_CAP_AMBIENT_CLEAR_ALL) {
			if (a[2] || a[3] || a[4])
				return -EINVAL;
			t->cred.cap_amb = 0;
			return 0;
		}
		if (a[2] > CAP_LAST_CAP || a[3] || a[4])
			return -EINVAL;
		switch (a[1]) {
		case PR_CAP_AMBIENT_IS_SET:
			return !!(t->cred.cap_amb & CREDS_CAP(a[2]));
		case PR_CAP_AMBIENT_RAISE:
			/* Only a capability both permitted and inheritable can be ambient. */
			if (!(t->cred.cap_prm & t->cred.cap_inh & CREDS_CAP(a[2])))
				return -EPERM;
			t->cred.cap_amb |= CREDS_CAP(a[2]);
			return 0;
		case PR_CAP_AMBIENT_LOWER:
			t->cred.cap_amb &= ~CREDS_CAP(a[2]);
			return 0;
		}
		return -EINVAL;
	case PR_GET_THP_DISABLE:
		return t->tg->thp_disable;
	case PR_SET_THP_DISABLE:
		t->tg->thp_disable = a[1] != 0;
		return 0;
	case PR_GET_SECCOMP:
		return t->seccomp_mode;
	case PR_SET_SECCOMP:
		return seccomp_prctl_set(t, a[1], a[2]);
	case PR_GET_TID_ADDRESS:
		return mm_copy_out(t->mm, a[1], &t->clear_child_tid, sizeof(t->clear_child_tid));
	case PR_MCE_KILL_GET:
		return PR_MCE_KILL_DEFAULT;
	case PR_SET_MM:
		return -EPERM; /* the sandbox's memory layout is the sentry's to keep */
	}
	return -EINVAL;
}

SYSCALL(sysinfo)
{
	struct sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = (long)((host_monotonic_ns() - sandbox.start_ns) / 1000000000ULL);
	si.totalram = sandbox.memory;
	si.freeram = sandbox.memory - mf.used * 4096;
	si.procs = 1; /* not yet counted */
	si.mem_unit = 1;
	return mm_copy_out(t->mm, a[0], &si, sizeof(si));
}

static uint64_t all_cpus(void);

/* The CPU a thread runs on, as far as it can tell: the first of its affinity mask (node 0). */
SYSCALL(getcpu)
{
	uint64_t mask = t->affinity ? t->affinity : all_cpus();
	uint32_t cpu = mask ? (uint32_t)__builtin_ctzll(mask) : 0, zero = 0;

	if (a[0] && mm_copy_out(t->mm, a[0], &cpu, 4) < 0)
		return -EFAULT;
	if (a[1] && mm_copy_out(t->mm, a[1], &zero, 4) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL(rseq)
{
	/* glibc treats ENOSYS as "no rseq" and carries on without it. */
	(void)t, (void)a;
	return -ENOSYS;
}

static struct timeval ns_tv(uint64_t ns)
{
	struct timeval tv = {(time_t)(ns / 1000000000ULL), (suseconds_t)(ns % 1000000000ULL / 1000)};

	return tv;
}

/*
 * The host tells the stub's CPU time as one figure: it is all reported as
 * user time (the application's system calls run in the sentry, not in it).
 */
SYSCALL(getrusage)
{
	struct rusage ru;
	int who = (int)a[0];

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	if (who == RUSAGE_CHILDREN) {
		ru.ru_utime = ns_tv(t->tg->children_cpu_ns);
	} else {
		ru.ru_utime = ns_tv(tg_cpu_ns(t->tg));
		ru.ru_maxrss = (long)(t->mm->rss_pages * 4);
	}
	return mm_copy_out(t->mm, a[1], &ru, sizeof(ru));
}

SYSCALL(times)
{
	struct tms tm;

	memset(&tm, 0, sizeof(tm));
	tm.tms_utime = (clock_t)(tg_cpu_ns(t->tg) / 10000000ULL);
	tm.tms_cutime = (clock_t)(t->tg->children_cpu_ns / 10000000ULL);
	if (a[0] && mm_copy_out(t->mm, a[0], &tm, sizeof(tm)) < 0)
		return -EFAULT;
	return (long)(host_monotonic_ns() / 10000000ULL);
}

/* ---- scheduling: one policy (SCHED_OTHER), niceness kept per process ---- */

static struct thread_group *sched_target(struct task *t, int pid)
{
	struct task *x = sched_thread(t, pid);

	return x ? x->tg : NULL;
}

/* Linux's check_same_owner, or CAP_SYS_NICE: who may change another's scheduling. */
static int may_sched(struct task *t, const struct creds *c)
{
	return c->uid == t->cred.euid || c->euid == t->cred.euid || capable(t, CAP_SYS_NICE);
}

SYSCALL(sched_setaffinity)
{
	struct task *x = sched_thread(t, (int)a[0]);
	uint64_t mask = 0;

	/* The mask first, then the thread (a negative tid is ESRCH), as Linux. */
	if (mm_copy_in(t->mm, &mask, a[2], a[1] < 8 ? a[1] : 8) < 0)
		return -EFAULT;
	if (!x)
		return -ESRCH;
	if (!may_sched(t, &x->cred))
		return -EPERM;
	if (!(mask & all_cpus()))
		return -EINVAL;
	x->affinity = mask & all_cpus();
	return 0;
}

SYSCALL(sched_getparam)
{
	int prio = 0;

	if (!a[1] || (int)a[0] < 0)
		return -EINVAL; /* a NULL param before the pid, as Linux */
	if (!sched_target(t, (int)a[0]))
		return -ESRCH;
	return mm_copy_out(t->mm, a[1], &prio, sizeof(prio));
}

SYSCALL(sched_setparam)
{
	struct thread_group *g;
	int prio;

	/* Linux's order: a NULL param or negative pid, the param's copy, then the pid. */
	if (!a[1] || (int)a[0] < 0)
		return -EINVAL;
	if (mm_copy_in(t->mm, &prio, a[1], sizeof(prio)) < 0)
		return -EFAULT;
	if (!(g = sched_target(t, (int)a[0])))
		return -ESRCH;
	if (prio != 0)
		return -EINVAL;
	return may_sched(t, &g->threads->cred) ? 0 : -EPERM;
}

SYSCALL(sched_getscheduler)
{
	if (!sched_target(t, (int)a[0]))
		return (int)a[0] < 0 ? -EINVAL : -ESRCH;
	return SCHED_OTHER;
}

SYSCALL(sched_setscheduler)
{
	struct thread_group *g;
	int prio;

	if (!a[2] || (int)a[0] < 0 || (int)a[1] < 0)
		return -EINVAL;
	if (mm_copy_in(t->mm, &prio, a[2], sizeof(prio)) < 0)
		return -EFAULT;
	if (!(g = sched_target(t, (int)a[0])))
		return -ESRCH;
	switch ((int)a[1] & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
		if (prio != 0)
			return -EINVAL;
		return may_sched(t, &g->threads->cred) ? 0 : -EPERM;
	case SCHED_FIFO:
	case SCHED_RR:
		return prio < 1 || prio > 99 ? -EINVAL : -EPERM; /* no real-time scheduling in the sandbox */
	}
	return -EINVAL;
}

SYSCALL(sched_get_priority_max)
{
	(void)t;
	return (int)a[0] == SCHED_FIFO || (int)a[0] == SCHED_RR ? 99 :
	       ((int)a[0] == SCHED_OTHER || (int)a[0] == SCHED_BATCH || (int)a[0] == SCHED_IDLE) ? 0 : -EINVAL;
}

SYSCALL(sched_get_priority_min)
{
	(void)t;
	return (int)a[0] == SCHED_FIFO || (int)a[0] == SCHED_RR ? 1 :
	       ((int)a[0] == SCHED_OTHER || (int)a[0] == SCHED_BATCH || (int)a[0] == SCHED_IDLE) ? 0 : -EINVAL;
}

SYSCALL(sched_rr_get_interval)
{
	struct abi_timespec ts = {0, 100000000};

	if (!sched_target(t, (int)a[0]))
		return (int)a[0] < 0 ? -EINVAL : -ESRCH;
	return mm_copy_out(t->mm, a[1], &ts, sizeof(ts));
}

/*
 * Does g fall under (which, who) of get/setpriority?  PRIO_PROCESS: the
 * process of thread who (the caller for 0); PRIO_PGRP: process group who
 * (the caller's); PRIO_USER: real uid who (the caller's).
 */
static int prio_match(struct task *t, struct thread_group *g, int which, int who, struct thread_group *one)
{
	if (g->zombie || !g->threads)
		return 0;
	switch (which) {
	case PRIO_PROCESS:
		return g == one;
	case PRIO_PGRP:
		return g->pgid == (who ? task_gnr(t, who) : t->tg->pgid);
	default:
		return g->threads->cred.uid == (who ? (uint32_t)who : t->cred.uid);
	}
}

static long prio_args(struct task *t, int which, int who, struct thread_group **one)
{
	*one = NULL;
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	if (which == PRIO_PROCESS && !(*one = sched_target(t, who)))
		return -ESRCH;
	return 0;
}

SYSCALL(getpriority)
{
	struct thread_group *g, *one;
	int which = (int)a[0], who = (int)a[1], best = -ESRCH;
	long r = prio_args(t, which, who, &one);

	if (r < 0)
		return r;
	/* The highest priority (lowest nice) among them, as 20 - nice: the raw call is never negative. */
	for (g = tg_all(); g; g = g->next)
		if (prio_match(t, g, which, who, one) && 20 - g->nice > best)
			best = 20 - g->nice;
	return best;
}

SYSCALL(setpriority)
{
	struct thread_group *g, *one;
	int which = (int)a[0], who = (int)a[1], nice = (int)a[2];
	long r = prio_args(t, which, who, &one), err = -ESRCH;

	if (r < 0)
		return r;
	if (nice < -20)
		nice = -20;
	if (nice > 19)
		nice = 19;
	/* Linux's set_one_prio: each match is tried; an error stays, a success only clears ESRCH. */
	for (g = tg_all(); g; g = g->next) {
		const struct creds *c;

		if (!prio_match(t, g, which, who, one))
			continue;
		c = &g->threads->cred;
		if (!may_sched(t, c)) {
			err = -EPERM;
			continue;
		}
		/* can_nice: within the target's RLIMIT_NICE (20 - nice), or CAP_SYS_NICE. */
		if (nice < g->nice && (uint64_t)(20 - nice) > g->rlim[RLIMIT_NICE].rlim_cur && !capable(t, CAP_SYS_NICE)) {
			err = -EACCES;
			continue;
		}
		if (err == -ESRCH)
			err = 0;
		g->nice = nice;
	}
	return err;
}

/* ---- execve ---- */

/*
 * execve's limits (execve(2), "Limits on size of arguments and environment"):
 * one string of at most MAX_ARG_STRLEN bytes with its NUL; the strings of
 * the path, argv and envp with a pointer each within a quarter of
 * RLIMIT_STACK (at most 3/4 of 8 MiB, at least ARG_MAX), and the strings
 * within RLIMIT_STACK itself, where Linux's new stack could not hold them.
 */
#define MAX_ARG_STRLEN (32 * ABI_PAGE_SIZE)
#define ARG_MAX_MIN (32 * ABI_PAGE_SIZE)
#define ARG_LIMIT_MAX ((8UL << 20) / 4 * 3)

struct arg_budget {
	size_t strings; /* bytes the strings may still take */
	size_t stack;   /* bytes left below RLIMIT_STACK */
};

/*
 * The number of pointers in a NULL-terminated guest array, or -errno.  A
 * pointer costs 8 bytes of a budget no larger than ARG_LIMIT_MAX, so the
 * count stops with E2BIG long before a hostile array could keep us busy.
 */
static long count_strings(struct task *t, gva_t uarr)
{
	size_t n = 0;
	uint64_t p;

	if (!uarr)
		return 0;
	for (;; n++) {
		if (mm_copy_in(t->mm, &p, uarr + n * 8, 8) < 0)
			return -EFAULT;
		if (!p)
			return (long)n;
		if (n >= ARG_LIMIT_MAX / 8)
			return -E2BIG;
	}
}

/* Sets up the budget for argc + envc pointers and the program's path, as Linux's bprm_stack_limits. */
static long arg_budget_init(struct task *t, struct arg_budget *b, size_t argc, size_t envc, const char *path)
{
	uint64_t rlim = t->tg->rlim[RLIMIT_STACK].rlim_cur;
	size_t limit = rlim / 4 < ARG_LIMIT_MAX ? rlim / 4 : ARG_LIMIT_MAX;
	size_t ptrs = ((argc ? argc : 1) + envc) * 8, len = strlen(path) + 1;

	if (limit < ARG_MAX_MIN)
		limit = ARG_MAX_MIN;
	if (limit <= ptrs || limit - ptrs < len || rlim < 8 + len)
		return -E2BIG;
	b->strings = limit - ptrs - len;
	b->stack = rlim == RLIM_INFINITY ? SIZE_MAX : rlim - 8 - len;
	return 0;
}

/* Copies n guest strings (counted by count_strings) into sentry memory, within the budget; buf holds MAX_ARG_STRLEN. */
static long get_strings(struct task *t, gva_t uarr, size_t n, struct arg_budget *b, char *buf, char ***out)
{
	char **v = calloc(n + 1, sizeof(*v));
	size_t i;
	long r;

	*out = NULL;
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint64_t p;

		if (mm_copy_in(t->mm, &p, uarr + i * 8, 8) < 0) {
			r = -EFAULT;
			goto fail;
		}
		/* Another thread may have changed the array since it was counted. */
		if (!p)
			break;
		r = mm_strncpy_in(t->mm, buf, p, MAX_ARG_STRLEN);
		if (r < 0) {
			r = r == -ENAMETOOLONG ? -E2BIG : r;
			goto fail;
		}
		if ((size_t)r + 1 > b->strings || (size_t)r + 1 > b->stack) {
			r = -E2BIG;
			goto fail;
		}
		b->strings -= (size_t)r + 1;
		b->stack -= (size_t)r + 1;
		v[i] = malloc((size_t)r + 1);
		if (!v[i]) {
			r = -ENOMEM;
			goto fail;
		}
		memcpy(v[i], buf, (size_t)r + 1);
	}
	*out = v;
	return 0;
fail:
	while (i--)
		free(v[i]);
	free(v);
	return r;
}

static void free_strings(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

int exec_test_failure;

/*
 * Past the point of no return an execve can no longer fail the call: the
 * old image is gone.  Linux ends the process with SIGSEGV then; so here.
 */
static void exec_failed_late(struct task *t)
{
	task_exit_group(t, SIGSEGV);
}

/*
 * execve and execveat: path is the program, already resolved to a name the
 * walk understands, or at (execveat's) the file itself and path its name.
 */
static long do_execve(struct task *t, const struct path *at, const char *path, gva_t uargv, gva_t uenvp)
{
	char **argv = NULL, **envp = NULL, *buf;
	struct arg_budget budget;
	long r, argc, envc;
	struct mm *mm;
	plat_regs regs;
	int i, old_tid = t->tid;

	argc = count_strings(t, uargv);
	if (argc < 0)
		return argc;
	envc = count_strings(t, uenvp);
	if (envc < 0)
		return envc;
	r = arg_budget_init(t, &budget, (size_t)argc, (size_t)envc, path);
	if (r < 0)
		return r;
	buf = malloc(MAX_ARG_STRLEN);
	if (!buf)
		return -ENOMEM;
	/* Linux copies the environment first: a budget overrun in both is found there. */
	r = get_strings(t, uenvp, (size_t)envc, &budget, buf, &envp);
	if (r >= 0)
		r = get_strings(t, uargv, (size_t)argc, &budget, buf, &argv);
	free(buf);
	if (r < 0)
		goto out;
	if (!argv[0]) {
		/*
		 * An empty argv: the program gets argc 1 and an empty argv[0], as
		 * Linux gives it since 5.18 (programs index argv[0] unchecked).
		 */
		char **one = calloc(2, sizeof(*one));

		if (!one || !(one[0] = strdup(""))) {
			free(one);
			r = -ENOMEM;
			goto out;
		}
		free(argv);
		argv = one;
	}
	r = loader_exec_at(t, at, path, argv, envp, &mm, &regs);
	if (r < 0)
		goto out;
	/* Past the point of no return: the other threads and the old image go. */
	task_exec_single(t);
	creds_exec(&t->cred);
	/* Dumpable again unless it runs with ids that are not its own (Linux's setup_new_exec). */
	t->tg->dumpable = t->cred.euid == t->cred.uid && t->cred.egid == t->cred.gid;
	t->keepcaps = 0; /* SECBIT_KEEP_CAPS does not survive execve */
	/* The old image's robust locks are released, and the new one starts with none (as Linux's exec). */
	futex_exit_robust_list(t);
	t->clear_child_tid = 0;
	if (t->mm->refs > 1) {
		/*
		 * The old memory lives on for a process that shares it (we are
		 * its vfork child): our thread of its stub leaves, and we run
		 * in the new stub's first thread.
		 */
		int err;
		struct plat_ctx *c = exec_test_failure ? NULL : plat->ctx_create(mm->as, &err);

		if (!c) {
			/* The old context stays the vfork parent's: it must not run the new image. */
			mm_put(mm);
			exec_failed_late(t);
			goto out;
		}
		plat->ctx_destroy(t->ctx, 1);
		t->ctx = c;
	} else if ((r = plat->ctx_exec(t->ctx, mm->as)) < 0) {
		/* Its context could not move to the new memory, and the old image is gone: the process ends. */
		mm_put(mm);
		exec_failed_late(t);
		goto out;
	}
	mm_put(t->mm);
	t->mm = mm;
	regs.fs_base = 0;
	t->regs = regs;
	fdt_close_on_exec(t->files);
	task_vfork_release(t);
	if (t->sighand->refs > 1) {
		/* Shared with a process that is not exec'ing (CLONE_SIGHAND): a copy of our own. */
		struct sighand *sh = exec_test_failure ? NULL : malloc(sizeof(*sh));

		if (!sh) {
			/* Resetting the shared actions would change the other process's. */
			exec_failed_late(t);
			goto out;
		}
		*sh = *t->sighand;
		sh->refs = 1;
		t->sighand->refs--;
		t->sighand = sh;
	}
	for (i = 0; i < 64; i++)
		if (t->sighand->act[i].handler > 1) /* SIG_DFL 0, SIG_IGN 1 survive */
			memset(&t->sighand->act[i], 0, sizeof(t->sighand->act[i]));
	memset(&t->altstack, 0, sizeof(t->altstack));
	{
		const char *base = strrchr(path, '/');

		base = base ? base + 1 : path;
		snprintf(t->comm, sizeof(t->comm), "%.15s", base);
	}
	ptrace_exec(t, old_tid);
	r = 0;
out:
	free_strings(argv);
	free_strings(envp);
	return r;
}

SYSCALL(execve)
{
	char path[ABI_PATH_MAX];
	long r = mm_strncpy_in(t->mm, path, a[0], sizeof(path));

	if (r < 0)
		return r;
	return do_execve(t, NULL, path, a[1], a[2]);
}

/*
 * execveat: a path relative to dirfd, or with AT_EMPTY_PATH the file at
 * dirfd itself (fexecve).  The loader opens the place found here, as
 * Linux does, not its name walked again with the caller's permissions;
 * the absolute name is what the new program sees (AT_EXECFN, comm).
 */
SYSCALL(execveat)
{
	char path[ABI_PATH_MAX], full[ABI_PATH_MAX];
	int dirfd = (int)a[0], flags = (int)a[4];
	struct path p;
	long r;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	r = mm_strncpy_in(t->mm, path, a[1], sizeof(path));
	if (r < 0)
		return r;
	if (path[0] == '/' || (dirfd == AT_FDCWD && path[0]))
		return do_execve(t, NULL, path, a[2], a[3]);
	if (!path[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	r = vfs_walk(t, dirfd, path, (path[0] ? 0 : WALK_EMPTY_PATH) | ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW),
		     &p);
	if (r < 0)
		return r;
	if ((flags & AT_SYMLINK_NOFOLLOW) && S_ISLNK(p.d->inode->mode)) {
		path_put(&p);
		return -ELOOP;
	}
	r = vfs_path_string(t, &p, full, sizeof(full));
	if (r >= 0)
		r = do_execve(t, &p, full, a[2], a[3]);
	path_put(&p);
	return r;
}

/* personality(2): kept and inherited (and given back); the sandbox acts on none of its flags. */
SYSCALL(personality)
{
	unsigned old = t->personality;

	if ((unsigned)a[0] != 0xffffffffU)
		t->personality = (unsigned)a[0];
	return old;
}

/*
 * kcmp(2): do two tasks share a kernel object?  0 when they do; otherwise
 * 1 or 2, an order that (as Linux's obfuscated pointers) means nothing.
 */
enum { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM, KCMP_EPOLL_TFD };

static long kcmp_ptr(const void *p, const void *q)
{
	return p == q ? 0 : (uintptr_t)p < (uintptr_t)q ? 1 : 2;
}

SYSCALL(kcmp)
{
	struct task *x = task_find_vnr(t, (int)a[0]), *y = task_find_vnr(t, (int)a[1]);
	struct file *f1, *f2;
	long r;

	if (!x || !y)
		return -ESRCH;
	if (task_may_access(t, x) < 0 || task_may_access(t, y) < 0)
		return -EPERM;
	switch ((int)a[2]) {
	case KCMP_FILE:
		f1 = x->files ? fdt_get(x->files, (int)a[3]) : NULL;
		f2 = y->files ? fdt_get(y->files, (int)a[4]) : NULL;
		r = f1 && f2 ? kcmp_ptr(f1, f2) : -EBADF;
		if (f1)
			file_put(f1);
		if (f2)
			file_put(f2);
		return r;
	case KCMP_VM:
		return kcmp_ptr(x->mm, y->mm);
	case KCMP_FILES:
		return kcmp_ptr(x->files, y->files);
	case KCMP_FS:
		return kcmp_ptr(x->fs, y->fs);
	case KCMP_SIGHAND:
		return kcmp_ptr(x->sighand, y->sighand);
	case KCMP_IO:
	case KCMP_SYSVSEM:
		/* One I/O context and SEM_UNDO list per process (shared by its threads). */
		return kcmp_ptr(x->tg, y->tg);
	case KCMP_EPOLL_TFD:
		return -EOPNOTSUPP; /* not offered (Linux without CONFIG_EPOLL answers so) */
	default:
		return -EINVAL;
	}
}
