/*
 * Passes when ioprio_get(2) answers, as Linux does; cvisor does not
 * implement it yet, so under cvisor this is a regression whose
 * unimplemented call the compat report must name.  The call only reads.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IOPRIO_WHO_PROCESS 1

int main(void)
{
	long r = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);

	if (r < 0) {
		perror("ioprio_get");
		return 1;
	}
	printf("ioprio %ld\n", r);
	return 0;
}
