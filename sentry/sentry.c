/* Sandbox start-up (see sentry.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#include "../netstack/netstack.h"
#include "../platform/platform.h"
#include "../syscalls/profile.h"
#include "../syscalls/strace.h"
#include "../syscalls/syscalls.h"
#include "../vfs/fs/dev/dev.h"
#include "../vfs/fs/gofer/gofer.h"
#include "../vfs/fs/hoststdio/hoststdio.h"
#include "../vfs/fs/overlay/overlay.h"
#include "../vfs/fs/proc/proc.h"
#include "../vfs/fs/pty/pty.h"
#include "../vfs/fs/sys/sys.h"
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/vfs.h"
#include "host/host.h"
#include "host/seccomp.h"
#include "ipc/ipc.h"
#include "kernel/task.h"
#include "loader/loader.h"
#include "log.h"
#include "mm/memfile.h"
#include "mm/mm.h"
#include "exec.h"
#include "sentry.h"
#include "timing.h"
#include "vdso/vdso.h"


enum { FS_TMPFS, FS_DEV, FS_PROC, FS_SYS };

/*
 * The lower layers never call the upper ones by name (docs/architecture.md,
 * Layers; make deps-check): where they need them, the upper ones are
 * plugged in here, before the first task runs.
 */
static void describe_inflight(char *line, size_t size)
{
	struct task *t = task_current;

	if (!t || t->cur_nr < 0)
		return;
	snprintf(line, size, "system call in flight: %s (%ld) from task %d\n",
		 strace_name(t->cur_nr) ? strace_name(t->cur_nr) : "?", t->cur_nr, t->tid);
}

static void connect_layers(void)
{
	crash_describe_inflight = describe_inflight;
	crash_end_sandbox = sentry_end_on_crash;
	task_syscall_handler = syscall_dispatch;
	task_pidfd_pid = pidfd_pid;
	task_pidfd_new = pidfd_new;
	mm_file_ops = &vfs_mm_file_ops;
	task_files = &vfs_task_files;
	loader_map_vdso = vdso_map;
	task_exit_ipc = ipc_exit;
	task_ipc_ns_init = &ipc_ns_init.ns;
	task_ipc_ns_new = ipc_ns_new;
	task_net_ns_init = &net_init_ns.ns;
	task_net_ns_new = net_ns_new;
}

/* Mounts a fresh file system on the directory at path in the root, if it exists there. */
static long mount_tmpfs(struct task *t, const char *path, uint64_t size, uint32_t mode, int rdonly, int kind,
			int oci)
{
	struct super *sb;
	struct inode *root = kind == FS_DEV ? devfs_new(&sb) : kind == FS_PROC ? procfs_new(&sb) :
			     tmpfs_new(size, mode, &sb);
	int dev = kind == FS_DEV;
	struct path p;
	long r;

	if (!root)
		return -ENOMEM;
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	/* An OCI container has /dev, /proc and /sys whether its image has the directories or not, as with runc. */
	if (r < 0 && oci && sentry_make_mountpoint(t, path) == 0)
		r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0) {
		log_debug("no %s in the root: not mounting it (%ld)", path, r);
		inode_put(root);
		return 0;
	}
	sb->rdonly = rdonly;
	r = vfs_mount_at(&p, sb, root, 0);
	if (r == 0 && dev)
		devfs_populate(&(struct path){p.d->mounted, p.d->mounted->root});
	if (r == 0 && kind == FS_SYS)
		sysfs_populate(p.d->mounted->root, sandbox.ncpus);
	path_put(&p);
	return r;
}

static long build_fs(struct task *t, int gofer_sock, int overlay, size_t gofer_fds, int private_tmp, int oci)
{
	struct super *sb;
	struct inode *root;
	long r;

	/* Without the overlay, writes to the root go through the gofer to the host. */
	struct gofer_config gc = {.sock = gofer_sock, .writable = !overlay, .fd_limit = gofer_fds};

	r = vfs_fs_new("gofer", &(struct fs_mount_args){.config = &gc}, &sb, &root);
	if (r < 0)
		return r;
	if (overlay) {
		/* The image below, read-only; writes land in sentry memory above it. */
		struct overlay_config oc = {.lower_root = root, .upper_bytes = sandbox.memory / 2};

		r = vfs_fs_new("overlay", &(struct fs_mount_args){.config = &oc}, &sb, &root);
		inode_put(oc.lower_root);
		if (r < 0)
			return r;
	}
	if (!vfs_mount_root(sb, root))
		return -ENOMEM;
	t->fs->root = t->fs->cwd = vfs_root;
	path_get(&t->fs->root);
	path_get(&t->fs->cwd);
	/* Nothing of the host's /proc, /sys or /dev is ever reachable: the sandbox's own cover them. */
	if ((r = mount_tmpfs(t, "/dev", 0, 0755, 0, FS_DEV, oci)) < 0 ||
	    (r = mount_tmpfs(t, "/proc", 0, 0555, 0, FS_PROC, oci)) < 0 ||
	    (r = mount_tmpfs(t, "/sys", 1 << 20, 0555, 1, FS_SYS, oci)) < 0)
		return r;
	/*
	 * /tmp is the root's own, as runsc do shows it and as a container's is
	 * its image's (or what its spec mounts there); --private-tmp: an empty one.
	 */
	if (private_tmp && (r = mount_tmpfs(t, "/tmp", sandbox.memory / 2, 01777, 0, FS_TMPFS, 0)) < 0)
		return r;
	return 0;
}

static long donate_stdio(struct task *t, unsigned closed)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		long h = (closed >> fd) & 1 ? -EBADF : host_dup(fd), fl;
		struct file *f;

		if (h < 0)
			continue; /* closed in the caller: closed in the sandbox too */
		fl = host_fcntl((int)h, F_GETFL, 0);
		f = hoststdio_file((int)h, fl < 0 ? O_RDWR : (int)(fl & ~O_CLOEXEC));
		if (!f)
			return -ENOMEM;
		fdt_install_at(t->files, fd, f, 0);
		if (fd == 0)
			hoststdio_set_input(f);
		if (fd > 0)
			hoststdio_set_console(f); /* stdout, or stderr if stdout is closed */
		file_put(f);
	}
	return 0;
}

/*
 * Finds argv0 in the sandbox's PATH, as execvp would; returns a malloc'd
 * path, or NULL with *err: -ENOENT, or the first error of a walk that was
 * not a plain "not there" (a gofer's, say), so that a lookup that failed
 * is not reported as a program that is missing.
 */
static char *find_program(struct task *t, const char *argv0, char *const *envp, long *err)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char buf[ABI_PATH_MAX];
	size_t i;
	long r;

	*err = -ENOENT;
	if (strchr(argv0, '/'))
		return strdup(argv0);
	for (i = 0; envp[i]; i++)
		if (!strncmp(envp[i], "PATH=", 5))
			path = envp[i] + 5;
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		struct path p;

		if (n + 1 + strlen(argv0) < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", argv0);
			if ((r = vfs_walk(t, AT_FDCWD, buf, WALK_FOLLOW, &p)) == 0) {
				int ok = S_ISREG(p.d->inode->mode) && vfs_permission(t, p.d->inode, 1) == 0;

				path_put(&p);
				if (ok)
					return strdup(buf);
			} else if (r != -ENOENT && r != -ENOTDIR && r != -EACCES && *err == -ENOENT) {
				*err = r;
			}
		}
		path = end ? end + 1 : path + n;
	}
	return NULL;
}

/*
 * Signals sent to cvisor itself (Ctrl-C at the terminal, kill from a
 * supervisor) are the sandbox's: SIGINT, SIGQUIT and (with -t) SIGTSTP go
 * to the foreground process group, as a terminal would send them; SIGTERM and
 * SIGHUP to pid 1, as runc forwards them.  They are blocked in every sentry
 * thread and taken here, where the sentry lock can be taken.
 *
 * The sentry is a child of cvisor in cvisor's process group (so that the
 * terminal's job control holds it as it holds cvisor).  What the terminal
 * sends the foreground group (SI_KERNEL) reaches both: the sentry takes
 * that itself and cvisor lets it be.  What a process sends cvisor, cvisor
 * passes on (runsc-shim/do.c) with sigqueue, SI_QUEUE; what a process sends
 * the sentry directly (SI_USER) is dropped, as a kill of the process group
 * reached cvisor too.  A hangup reaches only cvisor when it leads the
 * session: SIGHUP always comes through cvisor.
 */
static const int forwarded[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGUSR1, SIGUSR2, SIGWINCH};

void sentry_forwarded_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
}

int sentry_signal_direct(const siginfo_t *si)
{
	return si->si_code == SI_KERNEL && si->si_signo != SIGHUP;
}

/* -t: the pty whose master the sentry serves to the host terminal. */
static struct pty *console;
/* An OCI container (its monitor passes SIGTSTP on; cvisor do without -t stops the sandbox itself). */
static int sandbox_oci;
static struct termios host_tio;
static int host_tio_saved;

static void console_winsize(void)
{
	struct winsize ws;

	if (console && host_ioctl(0, TIOCGWINSZ, &ws) == 0)
		pty_set_winsize(console, &ws);
}

/* Host terminal -> pty master (the line discipline runs in the sentry). */
static void *console_in(void *arg)
{
	char buf[4096];

	(void)arg;
	for (;;) {
		long n = host_read(0, buf, sizeof(buf));

		pthread_mutex_lock(&sentry_lock);
		if (n <= 0) {
			/* The caller's input ended: the sandbox reads end-of-file, as at a terminal's ^D. */
			char eof = 4;

			pty_master_write(console, &eof, 1);
			pthread_mutex_unlock(&sentry_lock);
			return NULL;
		}
		pty_master_write(console, buf, (size_t)n);
		pthread_mutex_unlock(&sentry_lock);
	}
}

/* Drains what the sandbox wrote to its terminal onto the host's; returns when nothing is left. */
static void console_flush_locked(void)
{
	char buf[4096];
	size_t n;

	while ((n = pty_master_read(console, buf, sizeof(buf)))) {
		pthread_mutex_unlock(&sentry_lock);
		host_write(1, buf, n);
		pthread_mutex_lock(&sentry_lock);
	}
}

/* The console thread is no task: a waiter with a callback on the pty's queue signals its own condition. */
static pthread_cond_t console_cond = PTHREAD_COND_INITIALIZER;

static void console_wake(struct waiter *w)
{
	(void)w;
	pthread_cond_signal(&console_cond);
}

static void *console_out(void *arg)
{
	static struct waiter w = {.fn = console_wake};

	(void)arg;
	pthread_mutex_lock(&sentry_lock);
	waiter_add(pty_waitq(console), &w);
	for (;;) {
		console_flush_locked();
		pthread_cond_wait(&console_cond, &sentry_lock);
	}
	return NULL;
}

static void start_thread(void *(*fn)(void *))
{
	pthread_attr_t attr;
	pthread_t th;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 << 10);
	pthread_create(&th, &attr, fn, NULL);
	pthread_attr_destroy(&attr);
}

/* -t: a pty as the first process's stdio and controlling terminal, the host terminal raw. */
static long setup_console(struct task *t)
{
	int fd;

	console = pty_new();
	if (!console)
		return -ENOSPC;
	pty_hold_master(console);
	for (fd = 0; fd < 3; fd++) {
		struct file *f = pty_open_slave(console);

		if (!f)
			return -ENOMEM;
		fdt_install_at(t->files, fd, f, 0);
		file_put(f);
	}
	pty_make_controlling(console, t->tg);
	if (tcgetattr(0, &host_tio) == 0) {
		struct termios raw = host_tio;

		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		host_tio_saved = 1;
	}
	console_winsize();
	start_thread(console_in);
	start_thread(console_out);
	return 0;
}

/*
 * Takes the signals cvisor passes on, and between them keeps the vDSO's
 * clock (vdso_clock_tick) when it has one to keep.
 */
static void *forwarder(void *arg)
{
	int64_t interval = vdso_clock_next(), next = 0;
	sigset_t set;

	(void)arg;
	sentry_forwarded_set(&set);
	if (interval > 0)
		next = (int64_t)host_monotonic_ns() + interval;
	for (;;) {
		siginfo_t si;
		int sig;

		if (next) {
			int64_t left = next - (int64_t)host_monotonic_ns();
			struct timespec to = {(time_t)(left / 1000000000), (long)(left % 1000000000)};

			if (left <= 0) {
				/* From now, not from the last deadline: a late wake-up (a busy host) brings no burst of updates. */
				interval = vdso_clock_tick();
				next = interval > 0 ? (int64_t)host_monotonic_ns() + interval : 0;
				continue;
			}
			sig = sigtimedwait(&set, &si, &to);
		} else {
			sig = sigwaitinfo(&set, &si);
		}
		if (sig < 0 || (si.si_code != SI_QUEUE && !sentry_signal_direct(&si)))
			continue;
		if (sig == SIGTSTP && !console && !sandbox_oci)
			continue; /* without -t, cvisor do stops the whole sandbox as one job (runsc-shim/do.c) */
		pthread_mutex_lock(&sentry_lock);
		if (sig == SIGWINCH && console)
			console_winsize(); /* the host terminal changed size: so does the sandbox's */
		else
			task_signal_from_host(sig);
		pthread_mutex_unlock(&sentry_lock);
	}
	return NULL;
}

static void start_forwarder(void)
{
	sigset_t set;
	pthread_attr_t attr;
	pthread_t th;

	sentry_forwarded_set(&set);
	/* Blocked here before any other thread exists, so every sentry thread inherits it. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 128 << 10);
	pthread_create(&th, &attr, forwarder, NULL);
	pthread_attr_destroy(&attr);
}

/* The gofer, a child of this process: killed and reaped at the sandbox's end, or at a crash. */

/*
 * Sleeps *us microseconds on a futex of its own (no other host call is
 * needed for it), and doubles *us up to a millisecond: the end of a
 * sandbox is usually a matter of microseconds (a stub killed, a thread's
 * last steps), and a fixed millisecond was most of a short sandbox's exit.
 */
static void pause_backoff(unsigned *us)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	uint64_t ns = host_realtime_ns() + *us * 1000ULL;
	struct timespec d = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};

	pthread_mutex_lock(&m);
	pthread_cond_timedwait(&c, &m, &d);
	pthread_mutex_unlock(&m);
	if (*us < 1000)
		*us = *us * 2 > 1000 ? 1000 : *us * 2;
}

/*
 * Reaps every child of this process until none is left or deadline: the
 * gofer, stub processes, and the stub threads the sentry's threads traced
 * (a wait from any thread of the process sees them all).  What is left
 * after the deadline dies with the sentry (PDEATHSIG, EXITKILL), unreaped.
 */
static void reap_children(uint64_t deadline)
{
	unsigned us = 20;
	int st;
	long r;

	while ((r = host_wait4(-1, &st, __WALL | WNOHANG)) >= 0) {
		if (r > 0)
			continue;
		if (host_monotonic_ns() >= deadline) {
			log_warn("a process of the sandbox did not exit with it");
			break;
		}
		pause_backoff(&us);
	}
}

/*
 * Under sentry_lock, which it lets go while it sleeps: waits until count()
 * is 0 or deadline (monotonic) has passed; what count() says then.
 */
static int wait_for_none(int (*count)(void), uint64_t deadline)
{
	unsigned us = 20;
	int left;

	while ((left = count()) > 0 && host_monotonic_ns() < deadline) {
		pthread_mutex_unlock(&sentry_lock);
		pause_backoff(&us);
		pthread_mutex_lock(&sentry_lock);
	}
	return left;
}

#define SANDBOX_LINGER_NS 5000000000ULL /* the longest the sandbox's end waits for its connections */

/*
 * The end of a sandbox: the other tasks, killed when pid 1 exited, finish
 * (their stubs are killed on the way), the connections they closed get
 * out what they owe their peers, and every child is reaped.  Each
 * wait is bounded, so that a stuck task cannot hang cvisor's exit.  The
 * gofer is cvisor's child, not the sentry's (runsc-shim/do.c ends it), and
 * the sentry is pid 1 of a pid namespace of its own: what it leaves
 * behind dies with it.
 */
static void sandbox_end(void)
{
	uint64_t deadline = host_monotonic_ns() + 3000000000ULL;
	int left;

	pthread_mutex_lock(&sentry_lock);
	left = wait_for_none(task_count, deadline);
	/*
	 * Connections closed on the way may still owe their peers data or a
	 * FIN (a server's last reply, queued by a send that returned at once):
	 * the sentry is the kernel that would send them after the programs,
	 * so it does, for a while, and resets what is left.
	 */
	wait_for_none(tcp_unfinished, host_monotonic_ns() + SANDBOX_LINGER_NS);
	tcp_abort_unfinished();
	pthread_mutex_unlock(&sentry_lock);
	if (left)
		log_warn("%d tasks did not end with the sandbox", left);
	/* What is left of the platform (stubs of tasks that did not end, its own helpers) ends now. */
	plat->kill_all();
	reap_children(deadline);
}

void sentry_end_on_crash(void)
{
	plat->kill_all();
	reap_children(host_monotonic_ns() + 1000000000ULL);
}

static int run(const struct sentry_config *cfg, struct task **init);

int sentry_run(const struct sentry_config *cfg)
{
	struct task *init = NULL;
	int status;

	sandbox_oci = cfg->process != NULL;
	if (sandbox_oci)
		task_protect_init(); /* as a container's pid 1 under runc */
	status = run(cfg, &init);
	/* Made but never run (the sandbox could not start): its stub goes with it. */
	if (init)
		task_exit_thread(init);
	sandbox_end();
	{
		/* The gofers end on their sockets' end: they go down while this process does, not after it. */
		int socks[SENTRY_GOFERS_MAX];
		size_t i, n = sentry_gofer_socks(cfg, socks, SENTRY_GOFERS_MAX);

		for (i = 0; i < n; i++)
			host_close(socks[i]);
	}
	timing_mark(TIMING_EXIT);
	return status;
}

/* Sets *init to pid 1's first task until it has run. */
static int run(const struct sentry_config *cfg, struct task **init)
{
	struct task *t;
	struct utsname un;
	int socks[SENTRY_GOFERS_MAX];
	char *prog;
	long r;
	int err = 0;

	log_debug_enabled = cfg->debug;
	/*
	 * Every task's host thread sleeps on a futex of this process.  Linux
	 * (6.16 on) gives a process a private futex hash of 4 buckets per CPU,
	 * at least 16, from its second thread on: with a thousand sleeping
	 * tasks each wake walks chains of dozens, and ping-pong between two
	 * tasks slowed by a tenth.  The host's global hash, as before 6.16,
	 * costs this sandbox no memory of its own.  An older kernel says EINVAL.
	 */
	host_futex_hash_global();
	sandbox.memory = cfg->memory;
	sandbox.max_tasks = cfg->max_tasks > 0 ? cfg->max_tasks : 1024;
	if (cfg->max_files)
		vfs_max_files = cfg->max_files;
	sandbox.start_ns = host_monotonic_ns();
	sandbox.ncpus = cfg->ncpus > 0 ? cfg->ncpus : 1;
	if (uname(&un) == 0)
		snprintf(uts_ns_init.hostname, sizeof(uts_ns_init.hostname), "%s", un.nodename);
	snprintf(uts_ns_init.domainname, sizeof(uts_ns_init.domainname), "%s", un.domainname[0] ? un.domainname : "(none)");
	plat = plat_find(cfg->platform ? cfg->platform : SENTRY_DEFAULT_PLATFORM);
	if (!plat) {
		fprintf(stderr, "cvisor: no platform '%s' in this build\n", cfg->platform);
		return -EINVAL;
	}
	/* The memory file first: a platform may start helpers that hold it (systrap's stub template). */
	r = mf_init(cfg->memory);
	if (r < 0) {
		fprintf(stderr, "cvisor: cannot create the sandbox's memory file (%s)\n", strerror((int)-r));
		return (int)r;
	}
	r = plat->init(&(struct plat_config){.pin_cpu = cfg->pin_cpu, .host_fd = cfg->plat_fd > 0 ? cfg->plat_fd : -1});
	if (r < 0) {
		fprintf(stderr, "cvisor: cannot set up the %s platform: %s\n", plat->name, strerror((int)-r));
		return (int)r;
	}
	strace_fd = cfg->strace ? 2 : -1;
	connect_layers();

	/* The vDSO first: the forwarder keeps its clock. */
	r = vdso_init(cfg->host_tsc);
	if (r < 0) {
		fprintf(stderr, "cvisor: cannot set up the vDSO (%s)\n", strerror((int)-r));
		return (int)r;
	}
	start_forwarder();
	r = net_init(&cfg->net);
	if (r < 0) {
		fprintf(stderr, "cvisor: cannot set up the sandbox's network stack (%s)\n", strerror((int)-r));
		return (int)r;
	}
	t = *init = task_create_init();
	if (!t)
		return -ENOMEM;
	mf_set_reclaim(gofer_cache_drop_unmapped);
	timing_mark(TIMING_KERNEL);
	/*
	 * The filter and the first stub come before the root: the gofer is
	 * still setting itself up (its mounts detached, each an RCU grace
	 * period of the host's, a millisecond or more in all), and its first
	 * answer is waited for; this work fills that wait.  Nothing the root
	 * needs is off the list (gofer sockets, the -t console's terminal
	 * requests, the sentry's own memory), and the stub is forked under
	 * the filter, which it keeps below its own.  Donated stdio is taken
	 * first (its fds are duplicated, which the list does not allow).
	 */
	if (!cfg->tty && (r = donate_stdio(t, cfg->stdio_closed)) < 0) {
		fprintf(stderr, "cvisor: cannot set up the sandbox's stdio: %s\n", strerror((int)-r));
		return (int)r;
	}
	if (host_seccomp_install(socks, sentry_gofer_socks(cfg, socks, SENTRY_GOFERS_MAX),
				 cfg->net.sandbox ? cfg->net.packet_fd : -1, (const int[2]){plat_file_sock, plat_file_peer},
				 plat->host_rules) < 0) {
		fprintf(stderr, "cvisor: cannot install the host system call filter\n");
		return -EPERM;
	}
	timing_mark(TIMING_SECCOMP);
	/*
	 * For the tests that prove the filter: a call that is not on the list,
	 * one on it with arguments that are not, or kill(2), which no list has
	 * (it could name cvisor's process group); sendmmsg on an fd that is not
	 * a veth's packet socket (stdout, none of its messages); read(2), which
	 * left the list for readv; each harmless if allowed (no process has pid
	 * 0x3ffffff0, past any pid_max).
	 */
	if (cfg->test_forbidden_call == 1)
		host_raw_syscall6(SYS_getpriority, 0, 0, 0, 0, 0, 0);
	else if (cfg->test_forbidden_call == 2)
		host_raw_syscall6(SYS_ptrace, PTRACE_PEEKDATA, 0x3ffffff0, 0, 0, 0, 0);
	else if (cfg->test_forbidden_call == 3)
		host_raw_syscall6(SYS_kill, 0x3ffffff0, SIGKILL, 0, 0, 0, 0);
	else if (cfg->test_forbidden_call == 4)
		host_raw_syscall6(SYS_sendmmsg, 1, 0, 0, 0, 0, 0);
	else if (cfg->test_forbidden_call == 5)
		host_raw_syscall6(SYS_read, -1, 0, 0, 0, 0, 0);

	if (plat->as_prepare)
		plat->as_prepare();
	timing_mark(TIMING_STUB);
	r = build_fs(t, cfg->gofer_sock, !cfg->no_overlay, cfg->gofer_fds, cfg->private_tmp, cfg->process != NULL);
	if (r < 0) {
		fprintf(stderr, "cvisor: cannot use %s as the root file system: %s\n", cfg->root, strerror((int)-r));
		return (int)r;
	}
	r = sentry_make_mounts(t, cfg);
	if (r < 0)
		return (int)r;
	if (cfg->cwd) {
		struct path p;

		if (vfs_walk(t, AT_FDCWD, cfg->cwd, WALK_FOLLOW | WALK_DIRECTORY, &p) == 0) {
			path_put(&t->fs->cwd);
			t->fs->cwd = p;
		}
	}
	if (cfg->tty && (r = setup_console(t)) < 0) {
		fprintf(stderr, "cvisor: cannot set up the sandbox's stdio: %s\n", strerror((int)-r));
		return (int)r;
	}

	/* The mounts the sandbox is built on stay: the application may not uncover what lies below them. */
	vfs_lock_mounts();
	timing_mark(TIMING_ROOT);
	sentry_apply_process(t, cfg);
	if (syscall_profile_set(cfg->profile) < 0) {
		fprintf(stderr, "cvisor: no memory for the container's seccomp profile\n");
		return -ENOMEM;
	}
	/*
	 * The lookup walks the VFS, whose gofer calls share one socket per
	 * mount: under the lock, as every other user of the VFS.  (It ran
	 * without it while OCI exec's thread could already walk for an exec
	 * that came at once: the two threads' requests and replies crossed on
	 * the gofer's socket, and "sleep" was found to be a directory, or a
	 * loop, under load.)
	 */
	pthread_mutex_lock(&sentry_lock);
	prog = find_program(t, cfg->argv[0], cfg->envp, &r);
	pthread_mutex_unlock(&sentry_lock);
	if (!prog) {
		if (r == -ENOENT)
			fprintf(stderr, "cvisor: %s: command not found in the sandbox\n", cfg->argv[0]);
		else
			fprintf(stderr, "cvisor: cannot look %s up in the sandbox's PATH: %s\n", cfg->argv[0], strerror((int)-r));
		return (int)r;
	}
	pthread_mutex_lock(&sentry_lock);
	task_current = t;
	r = loader_exec(t, prog, cfg->argv, cfg->envp, &t->mm, &t->regs);
	if (r == 0) {
		t->ctx = plat->ctx_create(t->mm->as, &err);
		if (!t->ctx)
			r = err;
	}
	pthread_mutex_unlock(&sentry_lock);
	if (r < 0) {
		fprintf(stderr, "cvisor: cannot run %s: %s\n", prog, strerror((int)-r));
		free(prog);
		return (int)r;
	}
	/* OCI exec's processes come once the first one is there. */
	sentry_exec_start(cfg->exec_socks[0] > 0 ? cfg->exec_socks[0] : -1, cfg->exec_socks[1] > 0 ? cfg->exec_socks[1] : -1,
			  find_program);
	{
		const char *base = strrchr(prog, '/');

		snprintf(t->comm, sizeof(t->comm), "%.15s", base ? base + 1 : prog);
	}
	free(prog);
	timing_mark(TIMING_LOADER);

	/* pid 1's first thread runs here; the sandbox lasts as long as pid 1. */
	*init = NULL;
	task_run(t);
	timing_mark(TIMING_RUN);
	task_exit_thread(t);
	pthread_mutex_lock(&sentry_lock);
	r = task_wait_init_exit();
	gofer_writeback_all(); /* shared mappings of host files (--overlay=none) */
	if (console)
		console_flush_locked();
	pthread_mutex_unlock(&sentry_lock);
	if (host_tio_saved)
		tcsetattr(0, TCSANOW, &host_tio); /* the user's terminal as it was */
	if (cfg->debug)
		syscall_report_unimplemented(2);
	return (int)r;
}
