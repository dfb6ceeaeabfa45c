/*
 * The OCI seccomp profile's decision alone (syscalls/profile.c): the
 * default for a call no rule names (and for numbers past the table), all
 * of a rule's conditions must hold, of several rules that match the most
 * restrictive action wins (as in Linux's seccomp, whatever their order),
 * each comparison, MASKED_EQ's mask, an errno per rule, and no profile at
 * all until one is set.
 * links: syscalls/profile.c
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#include "syscalls/profile.h"

#define UNIT_NAME "profile"
#include "unit.h"

static int decide(long nr, uint64_t a0, uint64_t a1, int *err)
{
	uint64_t a[6] = {a0, a1, 0, 0, 0, 0};

	return syscall_profile_decide(nr, a, err);
}

int main(void)
{
	struct profile_rule rules[] = {
		/* chmod: EACCES for mode 0777 only */
		{.nr = SYS_mkdir, .action = PROFILE_ERRNO, .err = EPERM},
		{.nr = SYS_chmod, .action = PROFILE_ERRNO, .err = EACCES, .nconds = 1,
		 .conds = {{.index = 1, .op = PROFILE_EQ, .value = 0777}}},
		/* kill: allowed, but KILL_PROCESS for signal 9, whatever the rules' order */
		{.nr = SYS_kill, .action = PROFILE_ALLOW},
		{.nr = SYS_kill, .action = PROFILE_KILL_PROCESS, .nconds = 1, .conds = {{.index = 1, .op = PROFILE_EQ, .value = 9}}},
		{.nr = SYS_kill, .action = PROFILE_ALLOW},
		/* two conditions, both must hold: 10 <= a0 < 20 */
		{.nr = SYS_dup, .action = PROFILE_TRAP, .err = 7, .nconds = 2,
		 .conds = {{.index = 0, .op = PROFILE_GE, .value = 10}, {.index = 0, .op = PROFILE_LT, .value = 20}}},
		{.nr = SYS_close, .action = PROFILE_ERRNO, .err = EBADF, .nconds = 1,
		 .conds = {{.index = 0, .op = PROFILE_MASKED_EQ, .value = 0xf0, .value2 = 0x30}}},
		{.nr = SYS_getpid, .action = PROFILE_LOG},
		{.nr = 9999, .action = PROFILE_ALLOW}, /* past the table: dropped */
	};
	struct syscall_profile p = {.default_action = PROFILE_ERRNO, .default_err = ENOSYS, .rules = rules,
				    .nrules = sizeof(rules) / sizeof(rules[0])};
	int err = -1;

	CHECK("no profile until one is set", !syscall_profile_on && syscall_profile_set(NULL) == 0 && !syscall_profile_on);
	CHECK("set", syscall_profile_set(&p) == 0 && syscall_profile_on);
	memset(rules, 0, sizeof(rules)); /* the profile was copied */
	CHECK("a call no rule names gets the default and its errno",
	      decide(SYS_getppid, 0, 0, &err) == PROFILE_ERRNO && err == ENOSYS);
	CHECK("a number past the table gets the default", decide(9999, 0, 0, &err) == PROFILE_ERRNO && err == ENOSYS);
	CHECK("a negative number gets the default", decide(-1, 0, 0, &err) == PROFILE_ERRNO);
	CHECK("a rule without conditions", decide(SYS_mkdir, 0, 0, &err) == PROFILE_ERRNO && err == EPERM);
	CHECK("a condition that holds", decide(SYS_chmod, 0, 0777, &err) == PROFILE_ERRNO && err == EACCES);
	CHECK("a condition that does not: the default", decide(SYS_chmod, 0, 0644, &err) == PROFILE_ERRNO && err == ENOSYS);
	CHECK("the stricter of two matching rules wins", decide(SYS_kill, 1, 9, &err) == PROFILE_KILL_PROCESS);
	CHECK("the other rule alone", decide(SYS_kill, 1, 15, &err) == PROFILE_ALLOW);
	CHECK("both conditions hold", decide(SYS_dup, 15, 0, &err) == PROFILE_TRAP && err == 7);
	CHECK("one of two does not", decide(SYS_dup, 25, 0, &err) == PROFILE_ERRNO && err == ENOSYS);
	CHECK("GE's bound", decide(SYS_dup, 10, 0, &err) == PROFILE_TRAP && decide(SYS_dup, 9, 0, &err) == PROFILE_ERRNO);
	CHECK("MASKED_EQ", decide(SYS_close, 0x3a, 0, &err) == PROFILE_ERRNO && err == EBADF &&
				   decide(SYS_close, 0x4a, 0, &err) == PROFILE_ERRNO && err == ENOSYS);
	CHECK("LOG", decide(SYS_getpid, 0, 0, &err) == PROFILE_LOG);
	return unit_failed;
}
