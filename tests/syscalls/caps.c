/*
 * Capabilities as capabilities(7): capget/capset with versions 1-3, the
 * bounding and ambient sets, PR_SET_KEEPCAPS across setresuid, the
 * effective set following the euid and fsuid, and execve's transformation
 * for root and non-root.  The test first narrows every set to a few
 * capabilities, so what it prints does not depend on what the host's root
 * started with.
 */
#include "check.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define B(c) (1ULL << (c))
#define KNOWN (B(CAP_CHOWN) | B(CAP_DAC_OVERRIDE) | B(CAP_FOWNER) | B(CAP_KILL) | B(CAP_SETGID) | B(CAP_SETUID) | \
	       B(CAP_SETPCAP) | B(CAP_NET_RAW) | B(CAP_SYS_ADMIN))

static void status(const char *what)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	printf("%s:", what);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cap", 3)) {
			line[strcspn(line, "\n")] = 0;
			printf(" %s", line);
		}
	printf("\n");
	if (f)
		fclose(f);
	fflush(stdout);
}

static long capset3(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {
		{(uint32_t)eff, (uint32_t)prm, (uint32_t)inh},
		{(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32)},
	};

	return syscall(SYS_capset, &h, d);
}

static void getcaps(const char *what, uint32_t version)
{
	struct __user_cap_header_struct h = {version, 0};
	struct __user_cap_data_struct d[2];
	long r;

	memset(d, 0xaa, sizeof(d));
	errno = 0;
	r = syscall(SYS_capget, &h, d);
	printf("%s = %ld %s version %#x: e %08x/%08x p %08x/%08x i %08x/%08x\n", what, r, r ? errname(errno) : "",
	       h.version, d[0].effective, d[1].effective, d[0].permitted, d[1].permitted, d[0].inheritable,
	       d[1].inheritable);
	fflush(stdout);
}

/* Runs fn in a child process, so that each case starts from the same credentials. */
static void in_child(void (*fn)(void))
{
	int st;
	pid_t p;

	fflush(stdout);
	p = fork();
	if (p == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, &st, 0);
	if (st)
		printf("child status %#x\n", st);
}

/*
 * A copy of this program in /tmp, which a non-root uid can reach (the
 * build directory may sit below root's home, 0700).
 */
#define SELF_COPY "/tmp/cvt-caps-bin"

static void copy_self(void)
{
	char buf[64 * 1024];
	int in = open("/proc/self/exe", O_RDONLY), out = open(SELF_COPY, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	close(out);
}

static void exec_status(const char *what)
{
	fflush(stdout);
	execl(SELF_COPY, "caps", "status", what, (char *)NULL);
	printf("execl = -1 %s\n", errname(errno));
}

static void drop_all_uids(void)
{
	CHECK("setresuid(1000, 1000, 1000)", setresuid(1000, 1000, 1000));
	status("  after");
	CHECK("  chown", chown("/tmp/cvt-caps", 1, 1));
}

static void keepcaps_uids(void)
{
	CHECK("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	CHECK("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	CHECK("setresuid(1000, 1000, 1000)", setresuid(1000, 1000, 1000));
	status("  after");
	CHECK("  chown", chown("/tmp/cvt-caps", 1, 1));
	CHECK("capset effective = permitted", capset3(KNOWN, KNOWN, B(CAP_NET_RAW)));
	status("  after");
	CHECK("  chown", chown("/tmp/cvt-caps", 1, 1));
	CHECK("capset raise permitted", capset3(KNOWN, KNOWN | B(CAP_SYS_NICE), 0));
	CHECK("ambient raise CAP_NET_RAW", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0));
	exec_status("exec as 1000 with ambient CAP_NET_RAW");
}

static void euid_only(void)
{
	CHECK("setresuid(-1, 1000, -1)", setresuid(-1, 1000, -1));
	status("  after");
	CHECK("  chown", chown("/tmp/cvt-caps", 1, 1));
	CHECK("setresuid(-1, 0, -1)", setresuid(-1, 0, -1));
	status("  after");
	CHECK("setfsuid(1000)", setfsuid(1000));
	status("  after");
	CHECK("  chown", chown("/tmp/cvt-caps", 1, 1));
	CHECK("setfsuid(0)", setfsuid(0));
	status("  after");
}

static void exec_root(void)
{
	CHECK("ambient raise CAP_NET_RAW", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0));
	CHECK("capset narrower", capset3(B(CAP_KILL), B(CAP_KILL) | B(CAP_NET_RAW), B(CAP_NET_RAW)));
	CHECK("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	exec_status("exec as root");
}

static void exec_nonroot_uid(void)
{
	/* uid 1000 but euid 0: the file still counts as privileged, with no effective set. */
	CHECK("setresuid(1000, -1, -1)", setresuid(1000, -1, -1));
	CHECK("setresuid(-1, 1000, -1)", setresuid(-1, 1000, -1));
	exec_status("exec with uid 1000, euid 1000, suid 0");
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct h;

	if (argc > 2 && !strcmp(argv[1], "status")) {
		status(argv[2]);
		CHECK("  PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		return 0;
	}
	close(open("/tmp/cvt-caps", O_CREAT | O_WRONLY, 0644));
	copy_self();
	/* Narrow the bounding set to KNOWN (the numbers run out with EINVAL), then the other sets. */
	for (int c = 0; c < 64; c++)
		if (!(KNOWN & B(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			printf("PR_CAPBSET_DROP %d = -1 %s\n", c, errname(errno));
	CHECK("capset to KNOWN", capset3(KNOWN, KNOWN, 0));
	status("start");
	CHECK("PR_CAPBSET_READ CAP_KILL", prctl(PR_CAPBSET_READ, CAP_KILL, 0, 0, 0));
	CHECK("PR_CAPBSET_READ CAP_SYS_NICE", prctl(PR_CAPBSET_READ, CAP_SYS_NICE, 0, 0, 0));
	CHECK("PR_CAPBSET_READ 64", prctl(PR_CAPBSET_READ, 64, 0, 0, 0));

	getcaps("capget v1", _LINUX_CAPABILITY_VERSION_1);
	getcaps("capget v2", _LINUX_CAPABILITY_VERSION_2);
	getcaps("capget v3", _LINUX_CAPABILITY_VERSION_3);
	getcaps("capget bad version", 0x12345678);
	h = (struct __user_cap_header_struct){0x12345678, 0};
	CHECK("capget bad version, no data", syscall(SYS_capget, &h, NULL));
	printf("  version %#x\n", h.version);
	h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, 0};
	CHECK("capget no data", syscall(SYS_capget, &h, NULL));
	h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, -5};
	CHECK("capget pid -5", syscall(SYS_capget, &h, (void *)&h));
	CHECK("capget bad header", syscall(SYS_capget, (void *)8, NULL));
	h = (struct __user_cap_header_struct){0x12345678, 0};
	CHECK("capset bad version", syscall(SYS_capset, &h, NULL));
	printf("  version %#x\n", h.version);
	h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, getpid() + 1000};
	CHECK("capset other pid", syscall(SYS_capset, &h, NULL));
	h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, 0};
	CHECK("capset bad data", syscall(SYS_capset, &h, (void *)8));
	CHECK("capset effective outside permitted", capset3(KNOWN | B(CAP_SYS_NICE), KNOWN, 0));
	CHECK("capset permitted raised", capset3(KNOWN, KNOWN | B(CAP_SYS_NICE), 0));
	CHECK("capset inheritable outside bounding", capset3(KNOWN, KNOWN, B(CAP_SYS_NICE)));
	CHECK("capset inheritable CAP_NET_RAW", capset3(KNOWN, KNOWN, B(CAP_NET_RAW)));
	{
		struct __user_cap_header_struct h1 = {_LINUX_CAPABILITY_VERSION_1, 0};
		struct __user_cap_data_struct d1 = {(uint32_t)KNOWN, (uint32_t)KNOWN, (uint32_t)B(CAP_NET_RAW)};

		CHECK("capset v1", syscall(SYS_capset, &h1, &d1));
	}
	CHECK("ambient raise CAP_KILL (not inheritable)", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	CHECK("ambient raise 64", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 64, 0, 0));
	CHECK("ambient raise, arg4", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 1, 0));
	CHECK("ambient is_set CAP_NET_RAW", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0));
	CHECK("ambient raise CAP_NET_RAW", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0));
	CHECK("ambient is_set CAP_NET_RAW", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0));
	status("with ambient");
	CHECK("capset drops inheritable", capset3(KNOWN, KNOWN, 0));
	CHECK("ambient is_set CAP_NET_RAW", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0));
	CHECK("capset inheritable CAP_NET_RAW", capset3(KNOWN, KNOWN, B(CAP_NET_RAW)));
	CHECK("ambient clear_all, arg3", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0));
	CHECK("ambient clear_all", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));

	printf("-- all uids leave 0\n");
	in_child(drop_all_uids);
	printf("-- with keepcaps\n");
	in_child(keepcaps_uids);
	printf("-- the euid and fsuid alone\n");
	in_child(euid_only);
	printf("-- exec as root\n");
	in_child(exec_root);
	printf("-- exec with a non-zero uid\n");
	in_child(exec_nonroot_uid);

	CHECK("capset without CAP_SETPCAP", capset3(B(CAP_KILL), KNOWN, 0));
	CHECK("PR_CAPBSET_DROP without CAP_SETPCAP", prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0));
	CHECK("chown without CAP_CHOWN", chown("/tmp/cvt-caps", 1, 1));
	CHECK("capset inheritable without CAP_SETPCAP", capset3(B(CAP_KILL), KNOWN, B(CAP_SYS_ADMIN)));
	CHECK("capset effective back from permitted", capset3(KNOWN, KNOWN, 0));
	CHECK("chown with CAP_CHOWN", chown("/tmp/cvt-caps", 1, 1));
	unlink("/tmp/cvt-caps");
	unlink(SELF_COPY);
	return 0;
}
