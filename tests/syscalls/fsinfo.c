/*
 * Calls that ask about file systems and files: fchmodat2 (its flags, a
 * symlink's mode), ustat, sysfs(2) (consistent with itself; the list of
 * types differs between kernels), cachestat (its checks, and a file's
 * pages), and file handles: name_to_handle_at and open_by_handle_at on
 * /tmp (sizes, EOVERFLOW, reopening a file by handle, ESTALE once gone).
 */
#include "check.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

struct fh {
	unsigned handle_bytes;
	int handle_type;
	unsigned char h[128];
};

int main(void)
{
	char buf[8192], name[64];
	struct stat st;
	uint64_t cs[5];
	struct {
		uint64_t off, len;
	} range = {0, 0};
	struct fh fh;
	int fd, pfd[2], mnt, n, h;

	memset(buf, 'x', sizeof(buf));
	fd = open("/tmp/cvt-fsinfo", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (write(fd, buf, 8192) != 8192 || symlink("/tmp/cvt-fsinfo", "/tmp/cvt-fsinfo-ln") < 0)
		return 1;

	CHECK("fchmodat2 0600", syscall(SYS_fchmodat2, AT_FDCWD, "/tmp/cvt-fsinfo", 0600, 0));
	CHECK("fchmodat2 NOFOLLOW on a file", syscall(SYS_fchmodat2, AT_FDCWD, "/tmp/cvt-fsinfo", 0640, AT_SYMLINK_NOFOLLOW));
	CHECK("fchmodat2 NOFOLLOW on a symlink", syscall(SYS_fchmodat2, AT_FDCWD, "/tmp/cvt-fsinfo-ln", 0600, AT_SYMLINK_NOFOLLOW));
	CHECK("fchmodat2 unknown flag", syscall(SYS_fchmodat2, AT_FDCWD, "/tmp/cvt-fsinfo", 0600, 1));
	CHECK("fchmodat2 AT_EMPTY_PATH", syscall(SYS_fchmodat2, fd, "", 0604, AT_EMPTY_PATH));
	CHECK("fchmodat2 empty path, no flag", syscall(SYS_fchmodat2, fd, "", 0604, 0));
	CHECK("fchmodat2 bad path", syscall(SYS_fchmodat2, AT_FDCWD, (char *)8, 0604, 0));
	fstat(fd, &st);
	printf("mode %o\n", (unsigned)st.st_mode & 07777);
	CHECK("fchmodat follows, flags not looked at", syscall(SYS_fchmodat, AT_FDCWD, "/tmp/cvt-fsinfo-ln", 0644, AT_SYMLINK_NOFOLLOW));

	stat("/tmp", &st);
	CHECK("ustat /tmp's device", syscall(SYS_ustat, (unsigned)st.st_dev, buf));
	CHECK("ustat bad buffer", syscall(SYS_ustat, (unsigned)st.st_dev, (void *)8));
	CHECK("ustat no such device", syscall(SYS_ustat, 0x7777777, buf));
	CHECK("ustat 0", syscall(SYS_ustat, 0, buf));

	n = (int)syscall(SYS_sysfs, 3);
	printf("sysfs: some types %d\n", n > 0);
	h = (int)syscall(SYS_sysfs, 1, "proc");
	memset(name, 0, sizeof(name));
	CHECK("sysfs name of proc's index", syscall(SYS_sysfs, 2, h, name));
	printf("it is %s\n", name);
	CHECK("sysfs index past the last", syscall(SYS_sysfs, 2, n, name));
	CHECK("sysfs unknown type", syscall(SYS_sysfs, 1, "nonesuch"));
	CHECK("sysfs bad name", syscall(SYS_sysfs, 1, (char *)8));
	CHECK("sysfs bad buffer", syscall(SYS_sysfs, 2, 0, (char *)8));
	CHECK("sysfs option 0", syscall(SYS_sysfs, 0));
	CHECK("sysfs option 4", syscall(SYS_sysfs, 4));

	range.off = 4096;
	range.len = 4096;
	CHECK("cachestat one page", syscall(SYS_cachestat, fd, &range, cs, 0));
	printf("cached %llu dirty %llu\n", (unsigned long long)cs[0], (unsigned long long)cs[1]);
	range.off = 1 << 20;
	CHECK("cachestat past the end", syscall(SYS_cachestat, fd, &range, cs, 0));
	printf("cached %llu\n", (unsigned long long)cs[0]);
	CHECK("cachestat flags", syscall(SYS_cachestat, fd, &range, cs, 1));
	CHECK("cachestat bad fd", syscall(SYS_cachestat, 99, &range, cs, 0));
	CHECK("cachestat bad range", syscall(SYS_cachestat, fd, (void *)8, cs, 0));
	CHECK("cachestat bad result", syscall(SYS_cachestat, fd, &range, (void *)8, 0));
	if (pipe(pfd) < 0)
		return 1;
	CHECK("cachestat pipe", syscall(SYS_cachestat, pfd[0], &range, cs, 0));
	printf("cached %llu\n", (unsigned long long)cs[0]);

	fh.handle_bytes = 0;
	CHECK("name_to_handle_at, no room", syscall(SYS_name_to_handle_at, AT_FDCWD, "/tmp/cvt-fsinfo", &fh, &mnt, 0));
	printf("bytes needed %u\n", fh.handle_bytes);
	fh.handle_bytes = 129;
	CHECK("name_to_handle_at, 129 bytes", syscall(SYS_name_to_handle_at, AT_FDCWD, "/tmp/cvt-fsinfo", &fh, &mnt, 0));
	fh.handle_bytes = 128;
	CHECK("name_to_handle_at, bad flag", syscall(SYS_name_to_handle_at, AT_FDCWD, "/tmp/cvt-fsinfo", &fh, &mnt, 8));
	CHECK("name_to_handle_at, no file", syscall(SYS_name_to_handle_at, AT_FDCWD, "/tmp/cvt-none", &fh, &mnt, 0));
	CHECK("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/tmp/cvt-fsinfo", &fh, &mnt, 0));
	printf("bytes %u type %d\n", fh.handle_bytes, fh.handle_type);
	mnt = open("/tmp", O_RDONLY | O_DIRECTORY); /* the handle's mount */
	h = (int)syscall(SYS_open_by_handle_at, mnt, &fh, O_RDONLY);
	CHECK_OK("open_by_handle_at", h);
	memset(buf, 0, sizeof(buf));
	CHECK("read through it", read(h, buf, 10));
	printf("%.10s\n", buf);
	close(h);
	{
		struct fh bad = fh;

		bad.handle_bytes = 0;
		CHECK("open_by_handle_at, 0 bytes", syscall(SYS_open_by_handle_at, mnt, &bad, O_RDONLY));
		CHECK("open_by_handle_at, bad mount fd", syscall(SYS_open_by_handle_at, 99, &fh, O_RDONLY));
		CHECK("open_by_handle_at, bad handle pointer", syscall(SYS_open_by_handle_at, mnt, (void *)8, O_RDONLY));
	}
	close(fd);
	unlink("/tmp/cvt-fsinfo");
	CHECK("open_by_handle_at, file gone", syscall(SYS_open_by_handle_at, mnt, &fh, O_RDONLY));
	return 0;
}
