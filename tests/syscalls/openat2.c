/* openat2 and its RESOLVE_* rules: beneath, in-root, no symlinks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
static void t(const char *what, int dfd, const char *p, unsigned long long res) {
	struct open_how h = {.flags = O_RDONLY, .resolve = res};
	long r = syscall(SYS_openat2, dfd, p, &h, sizeof(h));
	printf("%s: %s\n", what, r >= 0 ? "ok" : strerrorname_np(errno));
	if (r >= 0) close(r);
}
int main(void) {
	mkdir("/tmp/cvt-oa", 0755); mkdir("/tmp/cvt-oa/d", 0755); close(open("/tmp/cvt-oa/d/f", O_CREAT|O_WRONLY, 0600));
	unlink("/tmp/cvt-oa/abs"); symlink("/etc/passwd", "/tmp/cvt-oa/abs");
	unlink("/tmp/cvt-oa/rel"); symlink("d/f", "/tmp/cvt-oa/rel");
	int dfd = open("/tmp/cvt-oa", O_RDONLY | O_DIRECTORY);
	t("plain", dfd, "d/f", 0);
	t("beneath inside", dfd, "d/../d/f", RESOLVE_BENEATH);
	t("beneath dotdot out", dfd, "../cvt-oa/d/f", RESOLVE_BENEATH);
	t("beneath absolute", dfd, "/etc/passwd", RESOLVE_BENEATH);
	t("beneath abs link", dfd, "abs", RESOLVE_BENEATH);
	t("beneath rel link", dfd, "rel", RESOLVE_BENEATH);
	t("no symlinks", dfd, "rel", RESOLVE_NO_SYMLINKS);
	t("in root absolute", dfd, "/d/f", RESOLVE_IN_ROOT);
	t("in root dotdot", dfd, "../../d/f", RESOLVE_IN_ROOT);
	t("in root abs link", dfd, "abs", RESOLVE_IN_ROOT);
	t("bad resolve", dfd, "d/f", 0x1000);
	return 0;
}
