/*
 * cvisor do: run one command in a new sandbox, with the host's / (or
 * --root) as its root (read-only below a layer in memory, or written
 * through the gofer with --overlay=none; /tmp is the root's own, as runsc
 * do shows it, or an empty tmpfs with --private-tmp), the caller's stdio, and
 * the command's exit status as ours (128+N when it dies of signal N).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../platform/platform.h"
#include "../sentry/host/host.h"
#include "../sentry/host/seccomp.h"
#include "../sentry/log.h"
#include "../sentry/sentry.h"
#include "../sentry/timing.h"
#include "../syscalls/strace.h"
#include "../syscalls/syscalls.h"
#include "gofer/gofer.h"
#include "network.h"
#include "shim.h"

extern char **environ;

static const char usage_text[] =
	"usage: cvisor do [flags] -- CMD [ARGS...]\n"
	"  --root DIR            the sandbox's root file system (default /), read-only unless --overlay=none\n"
	"  --cwd DIR             working directory inside the sandbox (default: the caller's, if it exists there)\n"
	"  --platform=NAME       how application code runs (default systrap; `cvisor platforms` lists them)\n"
	"  --overlay=memory|none writes to the root go to sentry memory (default), or through the gofer to DIR\n"
	"  --private-tmp         an empty /tmp of the sandbox's own (default: the root's /tmp, read-only\n"
	"                        below the overlay like the rest of the root)\n"
	"  --memory=SIZE         memory of the application, /tmp and the overlay's writes together, e.g.\n"
	"                        512M, 4G (default: half the host's memory, at most 16G)\n"
	"  --tasks=N             threads of all the sandbox's processes together; clone and fork fail\n"
	"                        with EAGAIN past it (default: pid_max/16, at most 4096)\n"
	"  --files=N             open files of the whole sandbox; ENFILE past it (default 65536)\n"
	"  --cgroup=PATH         start the gofer, the sentry and the stubs in this existing cgroup v2\n"
	"                        directory (its cpu.max, memory.max and pids.max then bound them on the host)\n"
	"  -t, --tty             give the command a terminal (a pty in the sandbox on the caller's terminal)\n"
	"  --strace              print each system call of the application to stderr\n"
	"  --debug               diagnostics; at exit the unimplemented system calls asked for, and the\n"
	"                        start-up and exit time by phase\n"
	"  --no-cpu-pin          let the host place tracer and application on any CPU\n"
	"  --gofer-fds=N         host fds of idle root files kept open at most (default: a quarter of\n"
	"                        RLIMIT_NOFILE, at most 4096); others are opened again when used\n"
	"  --network=none        the sandbox has loopback only (the default)\n"
	"  --network=sandbox     a new network namespace with a veth pair: eth0 in it is the sandbox's,\n"
	"                        the other end (--veth=NAME, default cvisor-<pid>) stays in the caller's,\n"
	"                        up, without an address; cvisor's own TCP/IP stack sends and receives\n"
	"                        eth0's frames\n"
	"  --address=CIDR        an address of the sandbox's eth0 (198.18.0.2/24, fd00::2/64; repeatable)\n"
	"  --gateway=IP          a default route of the sandbox's stack (one IPv4, one IPv6)\n"
	"  --net-ns=PATH         join this network namespace (CNI, netavark): its Ethernet interface's\n"
	"                        addresses and routes become the sandbox stack's (the host kernel there\n"
	"                        loses them)\n"
	"  --print-host-syscalls print the vetted list of host system calls and exit\n";

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end || v < (16ULL << 20))
		return -1;
	*out = v;
	return 0;
}

/* Each sandbox task is two host tasks (a sentry thread, a stub thread): a sixteenth of pid_max keeps many sandboxes in. */
static int default_tasks(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	long pid_max = 32768;

	if (f) {
		if (fscanf(f, "%ld", &pid_max) != 1)
			pid_max = 32768;
		fclose(f);
	}
	pid_max /= 16;
	return pid_max > 4096 ? 4096 : pid_max < 64 ? 64 : (int)pid_max;
}

/*
 * The cgroup v2 directory path, where the gofer and the sentry (and so the
 * stubs) are born (shim_clone); cvisor itself, which only waits, stays where
 * it was started, as runc does.
 */
static int join_cgroup(const char *path)
{
	struct statfs sf;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		return -ENOTDIR; /* a cgroup v1 hierarchy, or no cgroup at all */
	}
	/* Writable by cvisor, as a child's birth there needs. */
	if (faccessat(fd, "cgroup.procs", W_OK, AT_EACCESS) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	shim_cgroup_fd = fd;
	return 0;
}

static uint64_t default_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	uint64_t half = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz / 2 : (4ULL << 30);

	return half > (16ULL << 30) ? (16ULL << 30) : half;
}

/*
 * The host keeps its clocks on the TSC only while it trusts it (synchronised
 * across CPUs, steady): then the sandbox's vDSO may read it too.
 */
static int host_clocksource_is_tsc(void)
{
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");
	char name[32] = "";

	if (!f)
		return 0;
	if (!fgets(name, sizeof(name), f))
		name[0] = 0;
	fclose(f);
	return strcmp(name, "tsc\n") == 0;
}

/*
 * A background job's sentry touched the terminal, which sent SIGTTIN or
 * SIGTTOU to cvisor's process group; or, without -t, cvisor was sent
 * SIGTSTP (^Z at the terminal, or kill).  The sentry ignores these (pid 1
 * of its namespace stops only on a SIGSTOP from outside): cvisor stops it,
 * then itself, so that the shell sees the job stopped; `fg` or `bg`
 * continues cvisor's group, and cvisor the sentry.  The whole sandbox
 * stops as one job, as a native command and its children would; its own
 * processes see no SIGTSTP (with -t they do, from their own terminal).
 * Application code that runs between two system calls goes on until its
 * next one, where the stopped sentry holds it.
 */
static void job_stop(pid_t sentry, int sig)
{
	struct timespec now = {0, 0};
	sigset_t one;

	kill(sentry, SIGSTOP);
	sigemptyset(&one);
	sigaddset(&one, sig);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL); /* stopped here until continued */
	sigprocmask(SIG_BLOCK, &one, NULL);
	/* Sent again while the sentry was on its way to stopping: stale now. */
	sigaddset(&one, SIGTTIN);
	sigaddset(&one, SIGTTOU);
	sigaddset(&one, SIGTSTP);
	while (sigtimedwait(&one, NULL, &now) > 0)
		;
	kill(sentry, SIGCONT);
}

/*
 * cvisor's part while the sentry runs: pass on to it what processes send
 * cvisor (sentry.c's forwarder says which it takes), and return the
 * sandbox's exit status once it is gone.  Its pid namespace dies with it,
 * stubs and all, before it can be waited for.
 */
static int supervise(pid_t sentry, const sigset_t *set, int tty, int oci)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si), st;

		if (sig == SIGCHLD) {
			pid_t w = waitpid(sentry, &st, WNOHANG);

			if (w == 0)
				continue; /* the gofer */
			if (w < 0)
				return shim_fail(NULL, "lost the sentry: %s", strerror(errno));
			/* An OCI runtime's caller reads the container's end in the status: killed, as runc's init would be. */
			if (WIFSIGNALED(st) && oci)
				return 128 + WTERMSIG(st);
			if (WIFSIGNALED(st))
				return shim_fail("the host killed it (out of memory?), or see the lines above",
						 "the sentry died of signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
			return WEXITSTATUS(st);
		}
		if (sig == SIGTTIN || sig == SIGTTOU || (sig == SIGTSTP && !tty && !oci))
			job_stop(sentry, sig);
		else if (sig > 0 && !sentry_signal_direct(&si))
			sigqueue(sentry, sig, (union sigval){0});
	}
}

/*
 * Every process of the sandbox on the CPU cvisor runs on (they inherit
 * it): the sentry's requests to the gofer, like the tracer's round trips
 * with a stub, cost a context switch on one CPU and tens of microseconds
 * between two (a wake-up across CPUs of a virtual machine); /bin/true
 * makes some twenty of them.  The platform then pins tracer and stubs to
 * that same CPU (--no-cpu-pin: neither).
 */
static void pin_here(void)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	if (cpu < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

/*
 * The sentry is gone (or never came): its gofer has no one left to serve.
 * Killed and reaped here, so that nothing of the sandbox outlives cvisor
 * (a gofer left to the host's pid 1 stays a zombie where pid 1 does not reap).
 */
static void gofer_end(pid_t gofer)
{
	kill(gofer, SIGKILL);
	while (waitpid(gofer, NULL, 0) < 0 && errno == EINTR)
		;
}

int shim_do(int argc, char **argv)
{
	struct sentry_config cfg = {.root = "/", .memory = default_memory(), .pin_cpu = 1,
				    .platform = SENTRY_DEFAULT_PLATFORM};
	const struct platform *p;
	const char *cgroup = NULL;
	struct shim_net net = {.mode = SHIM_NET_NONE};
	int print_host_syscalls = 0;
	char cwd[4096];
	int i, status;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (!strcmp(a, "--root") && i + 1 < argc) {
			cfg.root = argv[++i];
		} else if (!strncmp(a, "--root=", 7)) {
			cfg.root = a + 7;
		} else if (!strcmp(a, "--cwd") && i + 1 < argc) {
			cfg.cwd = argv[++i];
		} else if (!strncmp(a, "--platform=", 11)) {
			cfg.platform = a + 11;
		} else if (!strncmp(a, "--memory=", 9)) {
			if (parse_size(a + 9, &cfg.memory) < 0)
				return shim_fail("give a size of at least 16M, like 512M or 4G", "bad --memory '%s'",
						 a + 9);
		} else if (!strncmp(a, "--tasks=", 8) || !strncmp(a, "--files=", 8)) {
			char *end;
			unsigned long n = strtoul(a + 8, &end, 10);

			if (end == a + 8 || *end || n < 1 || n > (1UL << 22))
				return shim_fail("give a number from 1 to 4194304", "bad %.7s '%s'", a, a + 8);
			if (a[2] == 't')
				cfg.max_tasks = (int)n;
			else
				cfg.max_files = n;
		} else if (!strncmp(a, "--cgroup=", 9)) {
			cgroup = a + 9;
		} else if (!strncmp(a, "--overlay=", 10)) {
			if (!strcmp(a + 10, "none"))
				cfg.no_overlay = 1;
			else if (strcmp(a + 10, "memory"))
				return shim_fail("use --overlay=memory (the default) or --overlay=none",
						 "unknown overlay '%s'", a + 10);
		} else if (!strcmp(a, "--private-tmp")) {
			cfg.private_tmp = 1;
		} else if (!strcmp(a, "-t") || !strcmp(a, "--tty")) {
			cfg.tty = 1;
		} else if (!strcmp(a, "--strace")) {
			cfg.strace = 1;
		} else if (!strcmp(a, "--debug")) {
			cfg.debug = 1;
		} else if (!strncmp(a, "--gofer-fds=", 12)) {
			char *end;
			unsigned long n = strtoul(a + 12, &end, 10);

			if (end == a + 12 || *end || n < 16 || n > (1UL << 20))
				return shim_fail("give a number from 16 up", "bad --gofer-fds '%s'", a + 12);
			cfg.gofer_fds = n;
		} else if ((status = shim_net_flag(&net, a)) >= 0) {
			if (status)
				return status;
		} else if (!strcmp(a, "--no-cpu-pin")) {
			cfg.pin_cpu = 0;
		} else if (!strcmp(a, "--print-host-syscalls")) {
			print_host_syscalls = 1; /* after every flag: --platform changes the list */
		} else if (!strcmp(a, "--test-sentry-crash")) {
			syscall_test_crash = 8; /* a fault at a small address, as a NULL-pointer bug would */
		} else if (!strcmp(a, "--test-exec-failure")) {
			exec_test_failure = 1;
		} else if (!strcmp(a, "--test-forbidden-host-call")) {
			cfg.test_forbidden_call = 1;
		} else if (!strcmp(a, "--test-forbidden-host-call=ptrace")) {
			cfg.test_forbidden_call = 2;
		} else if (!strcmp(a, "--test-forbidden-host-call=kill")) {
			cfg.test_forbidden_call = 3;
		} else if (!strcmp(a, "--test-forbidden-host-call=sendmmsg")) {
			cfg.test_forbidden_call = 4;
		} else if (!strcmp(a, "--test-forbidden-host-call=read")) {
			cfg.test_forbidden_call = 5;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else {
			fputs(usage_text, stderr);
			return shim_fail("see the flags above", "unknown flag '%s'", a);
		}
	}
	p = shim_platform_find(cfg.platform);
	if (!p)
		return 1;
	if (print_host_syscalls) {
		host_seccomp_print(1, p->host_rules);
		return 0;
	}
	{
		const char *why = NULL;

		if (shim_platform_runs(p, "pick another with --platform=NAME (`cvisor platforms` lists them)", &why))
			return 1;
		if (why && cfg.debug)
			fprintf(stderr, "cvisor: debug: note: %s\n", why);
	}
	if (i >= argc) {
		fputs(usage_text, stderr);
		return shim_fail("name the command to run after --", "no command given");
	}
	cfg.argv = argv + i;
	cfg.envp = environ;
	if (!cfg.cwd && getcwd(cwd, sizeof(cwd)))
		cfg.cwd = cwd;
	if (net.mode != SHIM_NET_SANDBOX && net.veth)
		return shim_fail("--veth names the host end of --network=sandbox's veth", "--veth without --network=sandbox");
	if (net.mode == SHIM_NET_NONE && (net.config.naddrs || net.config.nroutes))
		return shim_fail("give --network=sandbox or --net-ns=PATH for an interface to have them",
				 "--address and --gateway need an interface");
	return shim_sandbox_run(&cfg, &(struct shim_sandbox){.cgroup = cgroup, .net = &net});
}

int shim_sandbox_run(struct sentry_config *cfg0, const struct shim_sandbox *opt)
{
	struct sentry_config cfg = *cfg0;
	const char *cgroup = opt->cgroup;
	int *socks[SENTRY_GOFERS_MAX] = {&cfg.gofer_sock};
	pid_t gofers[SENTRY_GOFERS_MAX];
	size_t ngofers = 1, nsocks, k;
	struct rlimit rl;
	sigset_t sigs, own;
	pid_t gofer;
	int status;

	if (!cfg.max_tasks)
		cfg.max_tasks = default_tasks();
	if (cgroup) {
		int r = join_cgroup(cgroup);

		if (r < 0)
			return shim_fail("give an existing cgroup v2 directory that cvisor may write to (and that has no "
					 "controllers enabled for children)",
					 "cannot join cgroup %s: %s", cgroup,
					 r == -ENOTDIR ? "not a directory of a cgroup v2 hierarchy" : strerror(-r));
	}
	if (cfg.debug) {
		/* The start-up breakdown: shared with the sentry, which marks its own phases. */
		void *page = mmap(NULL, sizeof(struct timing), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (page != MAP_FAILED)
			timing_start(page);
	}

	/*
	 * The sentry holds host fds for the root's files; idle ones are closed
	 * past a bound well under the limit, which leaves room for open files,
	 * stubs and the rest.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
		if (!cfg.gofer_fds)
			cfg.gofer_fds = rl.rlim_cur / 4 > 4096 ? 4096 : rl.rlim_cur / 4 < 16 ? 16 : rl.rlim_cur / 4;
	}
	/*
	 * One malloc arena for all sentry threads: glibc trims a thread arena
	 * after reading /proc/sys/vm/overcommit_memory, a host path the vetted
	 * list forbids (and the sentry lock serialises the threads anyway).
	 */
	mallopt(M_ARENA_MAX, 1);
	/*
	 * Freed heap kept up to 4 MiB, not glibc's 128 KiB: the veth's frames
	 * come as packets of up to 64 KiB (GSO), and a heap trimmed after
	 * each took a page fault for every 4 KiB of the next (a tenth of the
	 * sentry's time in a bulk transfer).
	 */
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	{
		/* The sandbox's network: loopback only unless do's flags (opt->net) give it an interface. */
		struct shim_net none = {.mode = SHIM_NET_NONE}, *net = opt->net ? opt->net : &none;
		const char *step;

		status = shim_net_setup(net, &step);
		if (status < 0)
			return shim_fail(net->mode == SHIM_NET_NETNS ? "check that PATH is a network namespace (ip netns "
								       "add NAME makes /run/netns/NAME) with an "
								       "Ethernet interface, and that cvisor runs as root"
								     : "cvisor needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) to make the "
								       "sandbox's network",
					 "cannot %s: %s", step, strerror(-status));
		cfg.net = net->config;
	}
	timing_mark(TIMING_NAMESPACES);
	if (cfg.pin_cpu)
		pin_here();
	/* The gofer first, while cvisor is one thread: a fork is clean then. */
	if ((gofer = gofer_start(cfg.root, &cfg.gofer_sock)) < 0)
		return shim_fail("check that the directory exists and that cvisor runs as root", "cannot start the gofer for %s", cfg.root);
	timing_mark(TIMING_GOFER);
	/* An OCI container's bind mounts: a gofer each, confined to its directory. */
	gofers[0] = gofer;
	for (k = 0; k < cfg.nmounts; k++) {
		struct sentry_mount *m = &cfg.mounts[k];

		if (m->kind != SENTRY_MNT_GOFER)
			continue;
		if (ngofers == SENTRY_GOFERS_MAX || (gofers[ngofers] = gofer_start(m->source, &m->sock)) < 0) {
			while (ngofers--)
				gofer_end(gofers[ngofers]);
			return shim_fail("check that the directory exists (and that there are at most 63 bind mounts)",
					 "cannot start the gofer for %s", m->source);
		}
		socks[ngofers++] = &m->sock;
	}
	/* OCI exec's control sockets move into the sentry as the gofers' do (sentry/exec.h). */
	nsocks = ngofers;
	for (k = 0; k < 2; k++)
		if (cfg.exec_socks[k] > 0 && nsocks < SENTRY_GOFERS_MAX)
			socks[nsocks++] = &cfg.exec_socks[k];
	/* The veth's packet socket moves into the sentry with them. */
	if (cfg.net.packet_fd >= 0 && nsocks < SENTRY_GOFERS_MAX)
		socks[nsocks++] = &cfg.net.packet_fd;
	/* And the platform's host device (/dev/kvm), which the sentry's empty root does not hold. */
	{
		const struct platform *p = plat_find(cfg.platform ? cfg.platform : SENTRY_DEFAULT_PLATFORM);
		const char *why = NULL;

		if (p && p->host_fd) {
			int fd = p->host_fd(&why);

			if (fd < 0) {
				while (ngofers--)
					gofer_end(gofers[ngofers]);
				return shim_fail("pick another with --platform=NAME (`cvisor platforms` lists them)",
						 "the %s platform cannot start: %s", p->name, why ? why : strerror(-fd));
			}
			cfg.plat_fd = fd;
			if (nsocks < SENTRY_GOFERS_MAX)
				socks[nsocks++] = &cfg.plat_fd;
		}
	}
	/* What the sentry needs of the host's files, taken before it leaves them. */
	cfg.ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	cfg.host_tsc = host_clocksource_is_tsc();
	/* Blocked from here on, so that none is lost before the sentry's forwarder takes them. */
	sentry_forwarded_set(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGTTIN);
	sigaddset(&sigs, SIGTTOU);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	{
		const char *step;
		pid_t pid = shim_spawn_sentry(socks, nsocks, &cfg.stdio_closed, &step);

		if (pid < 0) {
			while (ngofers--)
				gofer_end(gofers[ngofers]);
			return shim_fail("cvisor needs root (CAP_SYS_ADMIN) to make the sandbox's namespaces",
					 "cannot %s for the sentry: %s", step, strerror(-pid));
		}
		if (pid > 0) {
			if (opt->started)
				opt->started(opt->arg);
			/* An OCI runtime still has root's work after the end (poststop hooks, cgroups, state). */
			if (!opt->oci && (status = shim_confine_supervisor()) < 0)
				log_warn("cvisor could not drop its capabilities while it waits: %s", strerror(-status));
			status = supervise(pid, &sigs, cfg.tty, opt->oci);
			while (ngofers--)
				gofer_end(gofers[ngofers]);
			timing_mark(TIMING_TEARDOWN);
			timing_print(strace_name);
			return status;
		}
	}
	/* The sentry from here on.  The terminal's stop signals must reach cvisor's group (see supervise). */
	timing_mark(TIMING_NAMESPACES);
	sigemptyset(&own);
	sigaddset(&own, SIGCHLD);
	sigaddset(&own, SIGTTIN);
	sigaddset(&own, SIGTTOU);
	sigprocmask(SIG_UNBLOCK, &own, NULL);
	crash_install();
	status = sentry_run(&cfg);
	fflush(stdout);
	if (status < 0)
		return 1;
	if (status & 0x7f)
		return 128 + (status & 0x7f);
	return (status >> 8) & 0xff;
}
