/*
 * Which capabilities follow the fsuid and which the euid, as Linux has it:
 * the file-system ones (CAP_CHOWN, CAP_FOWNER, CAP_DAC_OVERRIDE...) leave
 * the effective set when the fsuid leaves 0 and come back with it; the
 * others (CAP_SYS_ADMIN for trusted.* attributes, CAP_SYS_RESOURCE,
 * CAP_SYS_NICE) go with the euid.  Run as root, each case in a child.
 */
#include "check.h"

#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define F "/tmp/cvt-caps"

static void run(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

/* euid 0, fsuid 1000: no file-system capabilities, every other one. */
static void fsuid_user(void)
{
	char v[8];

	setfsuid(1000);
	CHECK("fsuid 1000: set trusted. (CAP_SYS_ADMIN)", setxattr(F, "trusted.b", "2", 1, 0));
	CHECK("fsuid 1000: get trusted. (CAP_SYS_ADMIN)", getxattr(F, "trusted.a", v, sizeof(v)));
	CHECK("fsuid 1000: chown root's file (CAP_CHOWN)", chown(F, 1000, 1000));
	CHECK("fsuid 1000: chmod root's file (CAP_FOWNER)", chmod(F, 0600));
	CHECK_OK("fsuid 1000: open root's 0600 file (CAP_DAC_OVERRIDE)", open(F, O_RDONLY));
}

/* euid 1000 (saved 0), fsuid back to 0: the file-system capabilities only. */
static void fsuid_root(void)
{
	struct rlimit rl;
	char v[8];

	if (setresuid(-1, 1000, 0) || setfsuid(0) != 1000)
		printf("cannot set the ids\n");
	CHECK("fsuid 0: chmod root's file (CAP_FOWNER)", chmod(F, 0640));
	CHECK_OK("fsuid 0: open root's 0600 file (CAP_DAC_OVERRIDE)", open(F, O_RDONLY));
	CHECK("fsuid 0: set trusted. (CAP_SYS_ADMIN)", setxattr(F, "trusted.c", "3", 1, 0));
	CHECK("fsuid 0: get trusted. (CAP_SYS_ADMIN)", getxattr(F, "trusted.a", v, sizeof(v)));
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_max += 1;
	CHECK("fsuid 0: raise a hard limit (CAP_SYS_RESOURCE)", setrlimit(RLIMIT_NOFILE, &rl));
	CHECK("fsuid 0: lower the nice value (CAP_SYS_NICE)", setpriority(PRIO_PROCESS, 0, -1));
}

int main(void)
{
	if (geteuid() != 0) {
		printf("not root: nothing to check\n");
		return 0;
	}
	close(open(F, O_CREAT | O_WRONLY, 0600));
	CHECK("root: set trusted.", setxattr(F, "trusted.a", "1", 1, 0));
	run(fsuid_user);
	run(fsuid_root);
	unlink(F);
	return 0;
}
