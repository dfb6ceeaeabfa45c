/*
 * sysfuzz: random system calls with hostile arguments, from several
 * processes, for a given time.  Run ONLY inside cvisor (tests/fuzz/sysfuzz/
 * run.sh does): on a real kernel, as root, some of these calls could harm
 * the host.  Inside, it is the sentry that must stand: no crash, no hang,
 * no "cvisor:" error, nothing left running.
 *
 *   sysfuzz SECONDS SEED [PROCS]
 *
 * Each of PROCS supervisors (seeded SEED+i, so a run repeats) forks
 * workers one after another; a worker makes CALLS_PER_WORKER calls and
 * exits.  A worker may die of what it did to itself (a signal handler at a
 * random address, its own memory unmapped, a seccomp filter, RLIMIT_CPU)
 * or block forever (pause, a futex wait, a read of an empty pipe): its
 * supervisor kills it after WORKER_SECONDS and forks the next.  Calls that
 * would end or wreck the test itself are skipped or tamed (see tame()).
 * A supervisor checks after each worker that its own memory is as it was
 * (a worker is a fork: nothing it does may reach its parent's pages).
 * Last line: "sysfuzz: done after ..."; "sysfuzz replay SEED" runs one
 * worker's calls again (with cvisor do --strace to see them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CALLS_PER_WORKER 300
#define WORKER_SECONDS 2
#define SCRATCH_SIZE (64 * 1024)
#define MAX_NR 463

static uint64_t rng;

/* xorshift64*: small, and the same sequence on every machine. */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n) { return rnd() % n; }

/* Memory the arguments point into, set up by each worker. */
static char *scratch;    /* SCRATCH_SIZE writable bytes, a PROT_NONE page after */
static char *ro;         /* a read-only page */
static char *gone;       /* a page that was mapped and is not any more */
static char *unended;    /* a string of 'A's that runs into the guard page */
static int fds[28];
static int nfds;
static const char *const paths[] = {
	"/tmp/sysfuzz", "/tmp/sysfuzz/dir", "/tmp", "/", "", ".", "..", "/proc/self/status", "/proc/self/fd/0",
	"/dev/null", "/dev/zero", "/tmp/sysfuzz/link", "/etc/passwd", "/proc/self/mem", "/sys/devices", "/dev/ptmx",
};

static uint64_t hostile_arg(void)
{
	switch (below(16)) {
	case 0: return 0;
	case 1: return (uint64_t)-1;
	case 2: return below(64);
	case 3: return rnd();
	case 4: return (uint32_t)rnd();
	case 5: { /* sizes at the edges */
		static const uint64_t v[] = {4095, 4096, 4097, 1UL << 20, 1UL << 31, 1UL << 32, INT64_MAX, 0x7ffff000,
					     UINT64_MAX - 4095, 0x80000000, 65536, 1UL << 47};
		return v[below(sizeof(v) / sizeof(v[0]))];
	}
	case 6: { /* bad pointers */
		static const uint64_t v[] = {1, 0xffffffffffff0000ULL, 0xffff888000000000ULL, 0x7ffffffff000ULL,
					     0x800000000000ULL, 0x1000, 0x400000, 0x7fffffffeff8ULL};
		return below(2) ? (uint64_t)gone + below(4096) : v[below(sizeof(v) / sizeof(v[0]))];
	}
	case 7: case 8: /* into the scratch buffer, sometimes at its very end */
		return below(3) ? (uint64_t)scratch + below(SCRATCH_SIZE) : (uint64_t)scratch + SCRATCH_SIZE - below(16);
	case 9: /* read-only memory: a page, the program's text, a literal */
		return below(3) == 0 ? (uint64_t)ro + below(4096) : below(2) ? (uint64_t)&hostile_arg : (uint64_t) "ro";
	case 10: case 11: /* fds */
		return below(8) ? (uint64_t)fds[below(nfds)] : below(2) ? (uint64_t)(int64_t)AT_FDCWD : 1000000;
	case 12: /* paths */
		return below(6) ? (uint64_t)paths[below(sizeof(paths) / sizeof(paths[0]))] : (uint64_t)unended;
	case 13: /* odd flags */
		return (1ULL << below(64)) | (below(2) ? 1ULL << below(32) : 0);
	case 14: return (uint64_t)-(int64_t)below(4096);
	default: return below(4096) * 4096;
	}
}

/*
 * Makes a call safe for the test, or returns 0 to skip it: nothing may end
 * the worker's supervisor or the sandbox, and nothing may spawn copies of
 * the fuzzer.  Signals and process-wide changes reach only the worker.
 */
static int tame(long nr, uint64_t *a)
{
	pid_t self = getpid();

	switch (nr) {
	case SYS_exit: case SYS_exit_group: case SYS_rt_sigreturn: case SYS_vfork: case SYS_clone:
	case SYS_clone3: case SYS_execve: case SYS_execveat: case SYS_reboot: case SYS_pause:
		return 0;
	case SYS_kill:
		a[0] = below(2) ? (uint64_t)self : 0; /* its own process group: see worker() */
		return 1;
	case SYS_tkill:
		a[0] = (uint64_t)syscall(SYS_gettid);
		return 1;
	case SYS_tgkill: case SYS_rt_tgsigqueueinfo:
		a[0] = (uint64_t)self;
		a[1] = (uint64_t)syscall(SYS_gettid);
		return 1;
	case SYS_setpgid:
		a[0] = 0;
		a[1] = 0; /* never into the supervisor's group */
		return 1;
	case SYS_rt_sigqueueinfo: case SYS_prlimit64: case SYS_process_vm_writev: case SYS_pidfd_open:
	case SYS_sched_setaffinity: case SYS_sched_setscheduler: case SYS_sched_setparam:
	case SYS_sched_setattr: case SYS_process_madvise: case SYS_migrate_pages: case SYS_move_pages:
		a[0] = below(2) ? (uint64_t)self : 0;
		return 1;
	case SYS_ptrace:
		a[1] = (uint64_t)self;
		return 1;
	case SYS_setpriority:
		a[0] = PRIO_PROCESS;
		a[1] = 0;
		return 1;
	case SYS_munmap: case SYS_mremap: case SYS_mprotect: case SYS_madvise: case SYS_pkey_mprotect:
	case SYS_remap_file_pages: case SYS_mbind: case SYS_shmdt: case SYS_brk:
		/* Its own text, stack and heap stay: only the scratch, the read-only page, or wild addresses. */
		a[0] = below(2) ? (uint64_t)scratch + below(SCRATCH_SIZE / 4096) * 4096
				: below(2) ? (uint64_t)ro : (uint64_t)gone;
		return 1;
	case SYS_fork:
		return 2; /* made, and the child _exits at once */
	}
	return 1;
}

static void setup_worker(void)
{
	int p[2], s[2];
	char *m;

	m = mmap(NULL, SCRATCH_SIZE + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		_exit(3);
	mprotect(m + SCRATCH_SIZE, 4096, PROT_NONE);
	scratch = m;
	unended = m + SCRATCH_SIZE - 64;
	memset(unended, 'A', 64);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	mkdir("/tmp/sysfuzz", 0777);
	mkdir("/tmp/sysfuzz/dir", 0777);
	symlink("/tmp/sysfuzz/dir", "/tmp/sysfuzz/link");
	nfds = 0;
	fds[nfds++] = -1;
	fds[nfds++] = 0;
	fds[nfds++] = 1;
	fds[nfds++] = 2;
	if (pipe(p) == 0) {
		fds[nfds++] = p[0];
		fds[nfds++] = p[1];
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0) {
		fds[nfds++] = s[0];
		fds[nfds++] = s[1];
	}
	fds[nfds++] = open("/tmp/sysfuzz/file", O_RDWR | O_CREAT, 0644);
	fds[nfds++] = open("/tmp/sysfuzz", O_RDONLY | O_DIRECTORY);
	fds[nfds++] = open("/dev/null", O_RDWR);
	fds[nfds++] = open("/proc/self/maps", O_RDONLY);
	fds[nfds++] = eventfd(0, 0);
	fds[nfds++] = epoll_create1(0);
	fds[nfds++] = timerfd_create(CLOCK_MONOTONIC, 0);
	fds[nfds++] = inotify_init1(0);
	fds[nfds++] = (int)syscall(SYS_memfd_create, "sysfuzz", 0);
	fds[nfds++] = socket(AF_UNIX, SOCK_DGRAM, 0);
	/* The sandbox's own network stack: UDP bound and connected on loopback, dual-stack, and a raw ICMP socket. */
	{
		struct sockaddr_in lo = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		struct sockaddr_in6 lo6 = {.sin6_family = AF_INET6, .sin6_port = htons(9), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
		int u = socket(AF_INET, SOCK_DGRAM, 0), u6 = socket(AF_INET6, SOCK_DGRAM, 0);

		bind(u, (struct sockaddr *)&lo, sizeof(lo));
		connect(u6, (struct sockaddr *)&lo6, sizeof(lo6));
		fds[nfds++] = u;
		fds[nfds++] = u6;
		fds[nfds++] = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		fds[nfds++] = socket(AF_INET6, SOCK_DGRAM, 0);
	}
	fds[nfds++] = open("/tmp/sysfuzz/dir", O_PATH);
	{
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		fds[nfds++] = signalfd(-1, &set, 0);
	}
}

/* /dev/null, opened by main before any worker: a worker may remove or replace the sandbox's /dev/null. */
static int null_fd = -1;

static void worker(void)
{
	int i;

	setpgid(0, 0); /* kill(0, ...) then reaches the worker alone */
	/* What it writes to 1 and 2 is noise: the supervisors' lines stay readable. */
	if (dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0)
		_exit(4);
	close(null_fd);
	setup_worker();
	for (i = 0; i < CALLS_PER_WORKER; i++) {
		uint64_t a[6];
		long nr, r;
		int k, how;

		switch (below(32)) {
		case 0: nr = (long)rnd(); break;                     /* any number at all */
		case 1: nr = 0x40000000 | (long)below(MAX_NR); break; /* x32 */
		case 2: nr = MAX_NR + (long)below(600); break;
		default: nr = (long)below(MAX_NR);
		}
		for (k = 0; k < 6; k++)
			a[k] = hostile_arg();
		how = tame(nr, a);
		if (!how)
			continue;
		r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (how == 2 && r == 0)
			_exit(0);
		if (how == 2 && r > 0)
			waitpid((pid_t)r, NULL, 0);
	}
	_exit(0);
}

/*
 * The supervisor's own memory, which no worker may change (each is a fork:
 * its writes are its own copies).  Checked after every worker.
 */
static unsigned char canary_bss[65536];
static unsigned char *canary_heap;

static void canary_fill(void)
{
	size_t i;

	canary_heap = malloc(sizeof(canary_bss));
	for (i = 0; i < sizeof(canary_bss); i++)
		canary_bss[i] = canary_heap[i] = (unsigned char)(i * 7 + 1);
}

static int canary_intact(void)
{
	size_t i;

	for (i = 0; i < sizeof(canary_bss); i++)
		if (canary_bss[i] != (unsigned char)(i * 7 + 1) || canary_heap[i] != (unsigned char)(i * 7 + 1))
			return 0;
	return 1;
}

static volatile sig_atomic_t timed_out;
static void on_alarm(int sig) { (void)sig; timed_out = 1; }

/* Forks workers until the deadline; prints its counts. */
static void supervise(int id, uint64_t seed, time_t deadline)
{
	unsigned long workers = 0, died = 0, hung = 0;
	struct sigaction sa = {.sa_handler = on_alarm};

	sigaction(SIGALRM, &sa, NULL);
	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	canary_fill();
	while (time(NULL) < deadline) {
		uint64_t wseed = rnd();
		int status;
		pid_t pid = fork(), w;

		if (pid < 0) {
			usleep(10000);
			continue;
		}
		if (pid == 0) {
			rng = wseed | 1;
			worker();
		}
		workers++;
		timed_out = 0;
		alarm(WORKER_SECONDS);
		w = waitpid(pid, &status, 0);
		alarm(0);
		if (w < 0 && timed_out) {
			hung++;
			kill(pid, SIGKILL);
			kill(-pid, SIGKILL); /* the worker's own group: a fork it left behind */
			waitpid(pid, &status, 0);
		} else if (w == pid && WIFSIGNALED(status)) {
			died++;
		}
		kill(-pid, SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!canary_intact()) {
			printf("sysfuzz %d: a worker changed its parent's memory: worker seed %#llx (sysfuzz replay %#llx)\n",
			       id, (unsigned long long)(wseed | 1), (unsigned long long)(wseed | 1));
			_exit(1);
		}
	}
	printf("sysfuzz %d: %lu workers, %lu died of a signal, %lu hung\n", id, workers, died, hung);
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	int seconds, procs, i, bad = 0;
	uint64_t seed;
	time_t deadline;

	if (argc < 3) {
		fprintf(stderr, "usage: sysfuzz SECONDS SEED [PROCS]\n       sysfuzz replay WORKER_SEED\n");
		return 2;
	}
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		return 3;
	if (!strcmp(argv[1], "replay")) { /* one worker's calls again, in this process */
		rng = strtoull(argv[2], NULL, 0);
		worker();
	}
	seconds = atoi(argv[1]);
	seed = strtoull(argv[2], NULL, 0);
	procs = argc > 3 ? atoi(argv[3]) : 4;
	deadline = time(NULL) + seconds;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0)
			supervise(i, seed + (uint64_t)i, deadline);
		if (pid < 0)
			bad = 1;
	}
	for (i = 0; i < procs; i++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	}
	printf("sysfuzz: %s after %ds, seed %llu, %d processes\n", bad ? "a supervisor failed" : "done", seconds,
	       (unsigned long long)seed, procs);
	return bad;
}
