/*
 * Many extended attributes on one tmpfs file: a hundred small "user." ones
 * fit (CPython's test_os.ExtendedAttributeTests sets exactly that many),
 * listxattr names them all, and a large value fits beside them.  cvisor
 * refused the 65th with ENOSPC.
 */
#include "check.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/xattr.h>

int main(void)
{
	const char *f = "/tmp/cvt-xattrmany";
	char name[32], list[4096];
	static char big[65537];
	int i, fd = open(f, O_CREAT | O_RDWR | O_TRUNC, 0600), ok = 1;
	ssize_t n;

	if (fd < 0)
		return 1;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "user.test%d", i);
		if (setxattr(f, name, "x", 1, 0) < 0) {
			printf("setxattr %s = -1 %s\n", name, errname(errno));
			ok = 0;
			break;
		}
	}
	printf("100 set: %d\n", ok);
	n = listxattr(f, list, sizeof(list));
	for (i = 0, ok = 0; n > 0 && i < n; i += (int)strlen(list + i) + 1)
		ok += !strncmp(list + i, "user.test", 9);
	printf("listed user.test*: %d\n", ok);
	memset(big, 'v', sizeof(big));
	CHECK("fsetxattr 60000 bytes", fsetxattr(fd, "user.big", big, 60000, 0));
	CHECK("fgetxattr size", fgetxattr(fd, "user.big", NULL, 0));
	CHECK("setxattr past XATTR_SIZE_MAX", setxattr(f, "user.huge", big, 65537, 0));
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "user.test%d", i);
		removexattr(f, name);
	}
	CHECK("listxattr size after removing", listxattr(f, NULL, 0));
	close(fd);
	unlink(f);
	return 0;
}
