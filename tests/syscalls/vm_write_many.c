/*
 * process_vm_writev into many pages of a child that sleeps: each page
 * written is one the child never touched, so the sentry maps it into the
 * child's stub, from the writer's thread, which cannot run the child's
 * batch of mappings (ptrace: only the child's own host thread traces its
 * stub).  The writes must all land, and the child, once woken, must read
 * them back; the sentry crashed instead once the queue of mappings filled.
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>

#define PAGES 4096
#define STEP 16 /* one page in 16: each its own fault-around window, its own mapping */
#define PG 4096

int main(void)
{
	char *m = mmap(NULL, (size_t)PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], back[2];
	long written = 0;
	pid_t pid;
	int i;

	if (m == MAP_FAILED || pipe(go) < 0 || pipe(back) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		uint64_t sum = 0;
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (i = 0; i < PAGES; i += STEP)
			sum += (uint64_t)(unsigned char)m[(size_t)i * PG] * (uint64_t)(i + 1) + (unsigned char)m[(size_t)i * PG + 7];
		if (write(back[1], &sum, sizeof(sum)) != sizeof(sum))
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	for (i = 0; i < PAGES; i += STEP) {
		char v[8];
		struct iovec l = {v, sizeof(v)}, r = {m + (size_t)i * PG, sizeof(v)};
		long w;

		memset(v, 'a' + i / STEP % 26, sizeof(v));
		w = process_vm_writev(pid, &l, 1, &r, 1, 0);
		if (w > 0)
			written += w;
	}
	printf("bytes written = %ld\n", written);
	{
		uint64_t sum = 0;

		if (write(go[1], "g", 1) != 1 || read(back[0], &sum, sizeof(sum)) != sizeof(sum))
			printf("the child did not answer\n");
		else
			printf("the child reads back = %llu\n", (unsigned long long)sum);
	}
	wait_child("child", pid);
	return 0;
}
