/*
 * Passes when keyctl(2) answers, as Linux does; cvisor has no keyrings
 * (as gVisor, it answers ENOSYS), so under cvisor this is a regression
 * whose unimplemented call the compat report must name.  The call only
 * reads: the id of the user keyring, which Linux makes on first use.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_USER_KEYRING (-4)

int main(void)
{
	long r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0);

	if (r < 0) {
		perror("keyctl");
		return 1;
	}
	printf("keyctl answered\n");
	return 0;
}
