/*
 * Calls older programs (and static binaries) still make: getdents(2) with
 * struct linux_dirent (d_type in the record's last byte), the three-argument
 * signalfd(2), readahead(2)'s checks, and vmsplice(2) into and out of pipes.
 */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char buf[4096], *names[16];
	int fd, n, pos, k = 0, pfd[2], sfd;
	struct iovec iov[2];
	sigset_t set;

	mkdir("/tmp/cvt-old", 0755);
	close(open("/tmp/cvt-old/file", O_CREAT | O_RDWR, 0644));
	mkdir("/tmp/cvt-old/dir", 0755);
	symlink("file", "/tmp/cvt-old/link");
	fd = open("/tmp/cvt-old", O_RDONLY | O_DIRECTORY);
	CHECK("getdents into 10 bytes", syscall(SYS_getdents, fd, buf, 10));
	while ((n = (int)syscall(SYS_getdents, fd, buf, sizeof(buf))) > 0)
		for (pos = 0; pos < n && k < 16;) {
			unsigned short reclen;
			char line[300];

			memcpy(&reclen, buf + pos + 16, 2);
			snprintf(line, sizeof(line), "%s type %d aligned %d", buf + pos + 18, buf[pos + reclen - 1],
				 reclen % 8 == 0);
			names[k++] = strdup(line);
			pos += reclen;
		}
	qsort(names, (size_t)k, sizeof(names[0]), cmp);
	for (int i = 0; i < k; i++)
		printf("%s\n", names[i]);
	CHECK("getdents on a file", syscall(SYS_getdents, open("/tmp/cvt-old/file", O_RDONLY), buf, sizeof(buf)));
	CHECK("getdents bad fd", syscall(SYS_getdents, 99, buf, sizeof(buf)));
	close(fd);

	fd = open("/tmp/cvt-old/file", O_RDONLY);
	CHECK("readahead file", syscall(SYS_readahead, fd, 0, 4096));
	if (pipe(pfd) < 0)
		return 1;
	CHECK("readahead pipe", syscall(SYS_readahead, pfd[0], 0, 4096));
	CHECK("readahead bad fd", syscall(SYS_readahead, 99, 0, 4096));
	CHECK("readahead write-only fd", syscall(SYS_readahead, open("/tmp/cvt-old/file", O_WRONLY), 0, 4096));

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK("signalfd size 4", syscall(SYS_signalfd, -1, &set, 4));
	sfd = (int)syscall(SYS_signalfd, -1, &set, 8);
	CHECK_OK("signalfd", sfd);
	kill(getpid(), SIGUSR1);
	{
		struct signalfd_siginfo si;

		CHECK("read it", read(sfd, &si, sizeof(si)));
		printf("signal %s\n", sigabbrev_np((int)si.ssi_signo));
	}

	iov[0] = (struct iovec){"hello ", 6};
	iov[1] = (struct iovec){"world", 5};
	CHECK("vmsplice to a pipe", syscall(SYS_vmsplice, pfd[1], iov, 2, 0));
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){buf, 3};
	iov[1] = (struct iovec){buf + 3, 100};
	CHECK("vmsplice from a pipe", syscall(SYS_vmsplice, pfd[0], iov, 2, 0));
	printf("got %s\n", buf);
	CHECK("vmsplice empty pipe, SPLICE_F_NONBLOCK", syscall(SYS_vmsplice, pfd[0], iov, 2, SPLICE_F_NONBLOCK));
	CHECK("vmsplice bad flags", syscall(SYS_vmsplice, pfd[0], iov, 2, 0x100));
	CHECK("vmsplice to a file", syscall(SYS_vmsplice, fd, iov, 2, 0));
	CHECK("vmsplice nothing to a file", syscall(SYS_vmsplice, fd, iov, 0, 0));
	CHECK("vmsplice 1025 segments", syscall(SYS_vmsplice, pfd[1], iov, 1025, 0));
	CHECK("vmsplice bad iovec", syscall(SYS_vmsplice, pfd[1], (void *)8, 1, 0));
	CHECK("vmsplice bad fd", syscall(SYS_vmsplice, 99, iov, 1, 0));
	return 0;
}
