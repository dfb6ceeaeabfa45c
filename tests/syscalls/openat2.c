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
static void c(const char *what, int dfd, const char *p, unsigned long long res, unsigned long long flags) {
	struct open_how h = {.flags = flags, .mode = 0600, .resolve = res};
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
	/* Creation under the rules: the parent's walk obeys them, and so does a link at the new name. */
	c("create beneath", dfd, "d/new", RESOLVE_BENEATH, O_CREAT | O_WRONLY);
	c("create beneath, parent out", dfd, "../cvt-oa-out", RESOLVE_BENEATH, O_CREAT | O_WRONLY);
	c("create beneath, absolute", dfd, "/tmp/cvt-oa-abs", RESOLVE_BENEATH, O_CREAT | O_WRONLY);
	c("create in root, absolute", dfd, "/d/new2", RESOLVE_IN_ROOT, O_CREAT | O_WRONLY);
	c("create through an abs link, beneath", dfd, "abs", RESOLVE_BENEATH, O_CREAT | O_WRONLY);
	c("create through a rel link, no symlinks", dfd, "rel", RESOLVE_NO_SYMLINKS, O_CREAT | O_WRONLY);
	c("create exclusive, existing", dfd, "d/new", RESOLVE_BENEATH, O_CREAT | O_EXCL | O_WRONLY);
	c("tmpfile beneath", dfd, "d", RESOLVE_BENEATH, O_TMPFILE | O_WRONLY);
	c("tmpfile beneath, out", dfd, "..", RESOLVE_BENEATH, O_TMPFILE | O_WRONLY);
	printf("new files: %d %d, outside: %d %d\n", access("/tmp/cvt-oa/d/new", F_OK) == 0,
	       access("/tmp/cvt-oa/d/new2", F_OK) == 0, access("/tmp/cvt-oa-out", F_OK) == 0,
	       access("/tmp/cvt-oa-abs", F_OK) == 0);
	return 0;
}
