/*
 * create and run: a bundle becomes a container (oci.h).  What can be
 * checked is checked before create returns (the spec, the program in the
 * image, the console socket, the cgroups), so that the caller hears of it
 * there, in runc's words where clients read them ("executable file not
 * found" makes podman exit 127).  Then a monitor process is forked: it
 * joins the cgroups, waits on the start fifo until `start` (create only),
 * and runs the sandbox with shim_sandbox_run, exiting with its status.
 * Its pid is the pid file's; it stays a child of the caller (or of the
 * caller's subreaper once create has returned).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../platform/platform.h"
#include "network.h"
#include "oci.h"
#include "shim.h"

/* path inside the image at rootfd, resolved as the sandbox would (symlinks stay inside): its stat, or -errno. */
static int stat_in_root(int rootfd, const char *path, struct stat *st)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how)), r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* The program of args[0] is in the image and executable, as runc checks before create returns. */
static int check_program(const struct oci_spec *s)
{
	const char *prog = s->args[0], *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char buf[8192];
	struct stat st;
	int rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC), r = -ENOENT;
	size_t i;

	if (rootfd < 0)
		return shim_fail(NULL, "cannot open the root %s: %s", s->root, strerror(errno));
	if (strchr(prog, '/')) {
		snprintf(buf, sizeof(buf), "%s/%s", prog[0] == '/' ? "" : s->cwd, prog);
		r = stat_in_root(rootfd, buf, &st);
		close(rootfd);
		if (r < 0)
			return shim_fail("check process.args[0] and the image", "exec: \"%s\": stat %s: %s", prog, prog,
					 r == -ENOENT ? "no such file or directory" : strerror(-r));
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			return shim_fail("check process.args[0] and the image", "exec: \"%s\": permission denied", prog);
		return 0;
	}
	for (i = 0; s->env[i]; i++)
		if (!strncmp(s->env[i], "PATH=", 5))
			path = s->env[i] + 5;
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
		if (stat_in_root(rootfd, buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (st.st_mode & 0111) {
				close(rootfd);
				return 0;
			}
			r = -EACCES;
		}
		path += n + (path[n] == ':');
	}
	close(rootfd);
	if (r == -EACCES)
		return shim_fail("check process.args[0] and the image", "exec: \"%s\": permission denied", prog);
	return shim_fail("check process.args[0] and the PATH of process.env", "exec: \"%s\": executable file not found in $PATH",
			 prog);
}

/*
 * --console-socket: a new host pty whose master goes to the socket (one
 * SCM_RIGHTS message, as runc sends it); its replica, returned, becomes
 * the monitor's stdio and controlling terminal, and the sentry serves the
 * sandbox's own pty on it as `do -t` serves the caller's terminal.
 */
int oci_send_console(const char *sock_path)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), replica = -1, s = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[128], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
		goto fail;
	replica = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (replica < 0 || strlen(sock_path) >= sizeof(sa.sun_path))
		goto fail;
	strcpy(sa.sun_path, sock_path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	iov.iov_base = name;
	iov.iov_len = strlen(name);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	if (sendmsg(s, &msg, 0) < 0)
		goto fail;
	close(s);
	close(master);
	return replica;
fail:
	shim_fail("give the path of a unix socket that listens for the pty (--console-socket)",
		  "cannot send the console to %s: %s", sock_path, strerror(errno));
	if (s >= 0)
		close(s);
	if (replica >= 0)
		close(replica);
	if (master >= 0)
		close(master);
	return -1;
}

static uint64_t default_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	uint64_t half = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz / 2 : (4ULL << 30);

	return half > (16ULL << 30) ? (16ULL << 30) : half;
}

/*
 * Closes every fd from 3 up but keep1 and keep2 (-1: none): what the caller
 * left open (containerd's shim leaves fd 3, a pipe it waits on) is not the
 * container's, and must not stay open for as long as it runs.
 */
static void close_others(int keep1, int keep2)
{
	int lo = keep1 < keep2 ? keep1 : keep2, hi = keep1 < keep2 ? keep2 : keep1;
	unsigned from = 3;

	if (lo >= 3) {
		if ((unsigned)lo > from)
			close_range(from, (unsigned)lo - 1, 0);
		from = (unsigned)lo + 1;
	}
	if (hi >= 3 && hi != lo) {
		if ((unsigned)hi > from)
			close_range(from, (unsigned)hi - 1, 0);
		from = (unsigned)hi + 1;
	}
	close_range(from, ~0U, 0);
}

/*
 * The global --platform, before anything is made: known to the build and
 * able to run here.  A platform with a host device (kvm) is not offered
 * here: the monitor does not hand one to the sentry as `cvisor do` does.
 */
static int check_platform(void)
{
	const struct platform *p = shim_platform_find(oci_g.platform ? oci_g.platform : SENTRY_DEFAULT_PLATFORM);

	if (!p)
		return -1;
	if (p->host_fd)
		return shim_fail("use --platform=ptrace or --platform=systrap for containers; `cvisor do` runs it",
				 "the %s platform is not offered to containers yet", p->name), -1;
	return shim_platform_runs(p, "pick another with --platform=NAME (`cvisor platforms` lists them)", NULL) ? -1 : 0;
}

/* The monitor, after fork: the container's process from the caller's point of view.  Never returns. */
static void monitor(const struct oci_launch *l, struct oci_spec *s, const struct oci_cgroups *cg, int console, int ready)
{
	struct sentry_config cfg = {.root = s->root, .pin_cpu = 1,
				    .platform = oci_g.platform ? oci_g.platform : SENTRY_DEFAULT_PLATFORM};
	char fifo[4400];
	int r;

	close_others(console, ready);
	if (!l->foreground)
		setsid();
	if (console >= 0) {
		ioctl(console, TIOCSCTTY, 0);
		dup2(console, 0);
		dup2(console, 1);
		dup2(console, 2);
		if (console > 2)
			close(console);
	}
	if ((r = oci_cgroup_join(cg)) < 0)
		_exit(shim_fail("check that cvisor may write the cgroup (cgroupsPath)", "cannot join the container's cgroup: %s",
				strerror(-r)));
	if (l->wait_start && oci_fifo_path(l->id, fifo, sizeof(fifo)) == 0) {
		/*
		 * Open (without waiting for a writer) before create returns, so
		 * that `start` finds a reader at once; poll then waits for its
		 * byte (a fifo that never had a writer does not report a hangup).
		 */
		struct pollfd pfd = {.events = POLLIN};
		char c = 0;

		pfd.fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (pfd.fd < 0)
			_exit(shim_fail(NULL, "lost the start fifo %s: %s", fifo, strerror(errno)));
		if (write(ready, "", 1) != 1)
			_exit(1);
		close(ready);
		while (poll(&pfd, 1, -1) < 0 || read(pfd.fd, &c, 1) != 1)
			;
		close(pfd.fd);
		unlink(fifo);
	}
	if (ready >= 0)
		close(ready);
	cfg.argv = s->args;
	cfg.envp = s->env;
	cfg.cwd = s->cwd;
	cfg.tty = console >= 0 || (s->terminal && isatty(0));
	cfg.memory = s->memory_limit > 0 ? (uint64_t)s->memory_limit : default_memory();
	if (cfg.memory < (16ULL << 20))
		cfg.memory = 16ULL << 20;
	if (s->pids_limit > 0)
		cfg.max_tasks = (int)(s->pids_limit > 4096 ? 4096 : s->pids_limit);
	cfg.mounts = s->mounts;
	cfg.nmounts = s->nmounts;
	cfg.root_rdonly = s->root_readonly;
	cfg.hostname = s->hostname;
	cfg.process = &s->proc;
	cfg.profile = s->seccomp;
	if (oci_exec_server_prepare(l->id, &cfg) < 0)
		fprintf(stderr, "cvisor: cannot listen for exec in the state directory: %s; exec will not work\n",
			strerror(errno));
	/*
	 * A network namespace the spec names (a pod's, made by CNI) is joined
	 * and its Ethernet interface taken, as `do --net-ns` does; none named,
	 * or no network namespace at all: loopback only (the sandbox's own
	 * network, never the host's).
	 */
	struct shim_net net = {.mode = s->netns_path ? SHIM_NET_NETNS : SHIM_NET_NONE, .netns = s->netns_path};
	_exit(shim_sandbox_run(&cfg, &(struct shim_sandbox){.oci = 1, .started = oci_exec_server_start, .net = &net}));
}

static void now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

static int write_pid_file(const char *path, pid_t pid)
{
	char tmp[4200], num[16];
	int fd, n = snprintf(num, sizeof(num), "%d", (int)pid);

	snprintf(tmp, sizeof(tmp), "%s.cvisor-tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, num, (size_t)n) != n || close(fd) < 0 || rename(tmp, path) < 0)
		return shim_fail("give a --pid-file in a directory cvisor may write", "cannot write the pid file %s: %s", path,
				 strerror(errno));
	return 0;
}

/* Removes ROOT/ID (its files) and the container's cgroups. */
void oci_remove(const char *id, const struct oci_cgroups *cg)
{
	static const char *const files[] = {"state.json", "state.json.tmp", "start.fifo", "exec.sock", "lock"};
	char dir[4400], path[4500];
	size_t i;

	if (cg)
		oci_cgroup_remove(cg);
	if (oci_dir(id, dir, sizeof(dir)) < 0)
		return;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* run in the foreground: signals sent to cvisor go to the monitor; returns the container's status. */
static int wait_monitor(pid_t pid, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si), st;

		if (sig == SIGCHLD) {
			if (waitpid(pid, &st, WNOHANG) != pid)
				continue;
			return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
		}
		/* What the terminal sent the whole group reached the sandbox already. */
		if (sig > 0 && si.si_code != SI_KERNEL)
			kill(pid, sig);
	}
}

int oci_launch(const struct oci_launch *given)
{
	struct oci_launch launch = *given, *l = &launch;
	struct oci_spec s;
	struct oci_state st;
	char bundle[4096], dir[4400], path[4500];
	int lock = -1, console = -1, ready[2] = {-1, -1}, r;
	int64_t mem, pids;
	sigset_t set, old;
	pid_t pid;

	if (oci_dir(l->id, dir, sizeof(dir)) < 0 || check_platform() < 0)
		return 1;
	if (!realpath(l->bundle, bundle))
		return shim_fail("give the bundle directory (--bundle), which holds config.json", "bundle %s: %s", l->bundle,
				 strerror(errno));
	if (oci_spec_load(bundle, &s) || check_program(&s)) {
		oci_spec_free(&s);
		return 1;
	}
	if (s.terminal && !l->console && !(l->foreground && isatty(0))) {
		oci_spec_free(&s);
		return shim_fail("give --console-socket, or set process.terminal to false",
				 "process.terminal is true but there is no console socket");
	}
	mkdir(oci_g.root, 0711);
	if (mkdir(dir, 0711) < 0) {
		oci_spec_free(&s);
		if (errno == EEXIST)
			return shim_fail("delete it first, or use another ID", "container with id exists: %s", l->id);
		return shim_fail("give a --root directory cvisor may write", "cannot make %s: %s", dir, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/lock", dir);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	lock = oci_lock(l->id);
	memset(&st, 0, sizeof(st));
	snprintf(st.id, sizeof(st.id), "%s", l->id);
	snprintf(st.bundle, sizeof(st.bundle), "%s", bundle);
	now_rfc3339(st.created, sizeof(st.created));
	{
		json_object *a = NULL;

		if (json_object_object_get_ex(s.json, "annotations", &a))
			st.annotations = json_object_get(a);
	}
	/*
	 * The host's limits are a backstop above the sentry's own (monitor()): room for its own memory and
	 * threads.  A guest task costs the host up to three tasks (the sentry's thread for it, its stub
	 * thread, and on systrap a stub process's control thread); the tasks a platform keeps for later
	 * are given back at the limit (platform.h's give_back).
	 */
	mem = s.memory_limit;
	pids = s.pids_limit;
	if (mem > 0)
		s.memory_limit = mem + mem / 2 + (64LL << 20);
	if (pids > 0)
		s.pids_limit = 3 * pids + 32;
	oci_devices_note(&s);
	/* run with start hooks goes through created, as create and start do, so that they run in between. */
	if (!l->wait_start && (oci_hooks_has(&s, "startContainer") || oci_hooks_has(&s, "poststart")))
		launch.wait_start = 1;
	r = oci_cgroup_make(&s, l->id, &st.cg);
	s.memory_limit = mem;
	s.pids_limit = pids;
	if (r < 0) {
		shim_fail("check cgroupsPath, and that cvisor runs as root", "cannot make the container's cgroup: %s", strerror(-r));
		goto fail;
	}
	if (l->wait_start) {
		char fifo[4400];

		if (oci_fifo_path(l->id, fifo, sizeof(fifo)) < 0 || mkfifo(fifo, 0600) < 0) {
			shim_fail(NULL, "cannot make the start fifo: %s", strerror(errno));
			goto fail;
		}
	}
	if (l->console && s.terminal && (console = oci_send_console(l->console)) < 0)
		goto fail;
	if (l->foreground) {
		sentry_forwarded_set(&set);
		sigaddset(&set, SIGCHLD);
		sigprocmask(SIG_BLOCK, &set, &old);
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		shim_fail(NULL, "cannot make a pipe: %s", strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		shim_fail(NULL, "cannot fork the container's monitor: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		close(lock);
		if (l->foreground)
			sigprocmask(SIG_SETMASK, &old, NULL);
		close(ready[0]);
		monitor(l, &s, &st.cg, console, l->wait_start ? ready[1] : -1);
	}
	close(ready[1]);
	if (l->wait_start) {
		char c;

		/* The monitor waits on the start fifo (or failed, and said why). */
		if (read(ready[0], &c, 1) != 1) {
			waitpid(pid, NULL, 0);
			close(ready[0]);
			shim_fail(NULL, "the container's monitor failed before it was created");
			goto fail;
		}
	}
	close(ready[0]);
	if (console >= 0)
		close(console);
	st.pid = pid;
	st.start_time = oci_proc_start_time(pid);
	if (oci_state_save(&st) < 0 || (l->pid_file && write_pid_file(l->pid_file, pid))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	/* The hooks of creation; one that fails undoes the create, as runc's does. */
	if (oci_hooks_run(&st, "prestart", 1) || oci_hooks_run(&st, "createRuntime", 1) ||
	    oci_hooks_run(&st, "createContainer", 1) || (l->wait_start && !given->wait_start && oci_start(&st))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	close(lock);
	lock = -1;
	oci_spec_free(&s);
	if (!l->foreground) {
		oci_state_free(&st);
		return 0;
	}
	r = wait_monitor(pid, &set);
	oci_hooks_run(&st, "poststop", 0);
	oci_remove(l->id, &st.cg);
	oci_state_free(&st);
	return r;
fail:
	oci_remove(l->id, &st.cg);
	oci_state_free(&st);
	oci_spec_free(&s);
	if (lock >= 0)
		close(lock);
	return 1;
}
