/*
 * procfs files beyond the basics: fdinfo, mountinfo's tree, smaps against
 * maps, resident figures below virtual ones (status, stat, statm),
 * kernel/random/{uuid,boot_id}, io's fields.
 *
 * Printed: shapes and relations (a field's presence, one figure below
 * another, a parent found), never the figures themselves.
 */
#include "check.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>

static char text[1 << 20], text2[1 << 20];

/* Reads a whole file with plain syscalls (no stdio: reading must not change the mappings). */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, cap - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return len;
}

/* The value after "name" at the start of a line, or -1. */
static long field(const char *buf, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n))
			return strtol(p + n, NULL, 10);
	return -1;
}

struct mnt {
	int id, parent;
	char point[256], type[64];
};

static struct mnt mnts[256];
static int nmnts;

static void read_mountinfo(void)
{
	char *line, *save;

	slurp("/proc/self/mountinfo", text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line && nmnts < 256; line = strtok_r(NULL, "\n", &save)) {
		struct mnt *m = &mnts[nmnts];
		char *dash = strstr(line, " - ");

		if (sscanf(line, "%d %d %*s %*s %255s", &m->id, &m->parent, m->point) != 3 || !dash ||
		    sscanf(dash + 3, "%63s", m->type) != 1)
			continue;
		nmnts++;
	}
}

/* The last mount at point (the one seen). */
static struct mnt *mount_at(const char *point)
{
	int i;

	for (i = nmnts - 1; i >= 0; i--)
		if (!strcmp(mnts[i].point, point))
			return &mnts[i];
	return NULL;
}

static void show_mount(const char *point, const char *parent_point)
{
	struct mnt *m = mount_at(point), *p = mount_at(parent_point);

	if (!m) {
		printf("mount %s: none\n", point);
		return;
	}
	printf("mount %s: type %s, parent %s: %s\n", point, m->type, parent_point,
	       p && m->parent == p->id ? "yes" : "no");
}

int main(void)
{
	int fd, i, blocks = 0, lines = 0, rss_ok = 1, sizes_match;
	long vsize = 0, rss = 0, msize = 0, ssize = 0;
	char *p, buf[128], uuid1[64] = "", uuid2[64] = "";

	setvbuf(stdout, NULL, _IONBF, 0);

	/* fdinfo */
	fd = open("/tmp/cvt-fdinfo", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	write(fd, "0123456789", 10);
	lseek(fd, 4, SEEK_SET);
	snprintf(buf, sizeof(buf), "/proc/self/fdinfo/%d", fd);
	slurp(buf, text2, sizeof(text2));
	printf("fdinfo pos = %ld\n", field(text2, "pos:"));
	p = strstr(text2, "flags:");
	printf("fdinfo flags = %.*s\n", p ? (int)strcspn(p + 7, "\n") : 0, p ? p + 7 : "");
	read_mountinfo();
	{
		long id = field(text2, "mnt_id:");
		struct mnt *m = mount_at("/tmp");

		printf("fdinfo mnt_id is /tmp's = %d\n", m && m->id == id);
	}
	printf("fdinfo has ino = %d\n", field(text2, "ino:") > 0);
	CHECK("fdinfo of a closed fd", open("/proc/self/fdinfo/999", O_RDONLY));
	close(fd);
	unlink("/tmp/cvt-fdinfo");

	/* mountinfo: each mount under the one it was mounted on */
	show_mount("/proc", "/");
	show_mount("/sys", "/");
	show_mount("/tmp", "/");
	/* /dev is a devtmpfs here natively, stacked more than once: only the types below it. */
	printf("/dev/pts: %s, /dev/shm: %s\n", mount_at("/dev/pts") ? mount_at("/dev/pts")->type : "none",
	       mount_at("/dev/shm") ? mount_at("/dev/shm")->type : "none");

	/* smaps: one block per maps line, the same sizes, Rss within Size */
	slurp("/proc/self/maps", text2, sizeof(text2));
	slurp("/proc/self/smaps", text, sizeof(text));
	for (p = text2; *p; p = strchr(p, '\n') + 1) {
		unsigned long a, b;

		if (sscanf(p, "%lx-%lx", &a, &b) == 2)
			msize += (long)(b - a) / 1024, lines++;
		if (!strchr(p, '\n'))
			break;
	}
	for (p = text; *p; p = strchr(p, '\n') + 1) {
		long size;

		if (!strncmp(p, "Size:", 5)) {
			size = strtol(p + 5, NULL, 10);
			ssize += size;
			blocks++;
			rss = field(p, "Rss:");
			if (rss < 0 || rss > size)
				rss_ok = 0;
		}
		if (!strchr(p, '\n'))
			break;
	}
	sizes_match = msize == ssize;
	printf("smaps blocks = maps lines: %d, sizes match: %d, rss within size: %d\n", blocks == lines,
	       sizes_match, rss_ok);
	printf("smaps has VmFlags: %d, Pss: %d\n", strstr(text, "\nVmFlags:") != NULL, strstr(text, "\nPss:") != NULL);

	/* Resident below virtual. */
	slurp("/proc/self/status", text, sizeof(text));
	printf("status VmRSS < VmSize: %d, RssAnon present: %d\n", field(text, "VmRSS:") < field(text, "VmSize:"),
	       field(text, "RssAnon:") >= 0);
	slurp("/proc/self/stat", text, sizeof(text));
	p = strrchr(text, ')');
	for (i = 0; p && i < 21; i++)
		p = strchr(p + 1, ' '); /* to field 23, vsize */
	if (p && sscanf(p + 1, "%ld %ld", &vsize, &rss) == 2)
		printf("stat rss < vsize: %d\n", rss * 4096 < vsize && rss > 0);
	slurp("/proc/self/statm", text, sizeof(text));
	if (sscanf(text, "%ld %ld", &vsize, &rss) == 2)
		printf("statm resident < size: %d\n", rss < vsize && rss > 0);

	/* kernel/random */
	slurp("/proc/sys/kernel/random/uuid", uuid1, sizeof(uuid1));
	slurp("/proc/sys/kernel/random/uuid", uuid2, sizeof(uuid2));
	printf("uuid: length %zu, version %c, dashes %d, new each read %d\n", strlen(uuid1), uuid1[14],
	       uuid1[8] == '-' && uuid1[13] == '-' && uuid1[18] == '-' && uuid1[23] == '-', strcmp(uuid1, uuid2) != 0);
	slurp("/proc/sys/kernel/random/boot_id", uuid1, sizeof(uuid1));
	slurp("/proc/sys/kernel/random/boot_id", uuid2, sizeof(uuid2));
	printf("boot_id: length %zu, same each read %d\n", strlen(uuid1), !strcmp(uuid1, uuid2));

	/* io: the field names */
	slurp("/proc/self/io", text, sizeof(text));
	printf("io fields:");
	for (p = text; *p; p = strchr(p, '\n') + 1) {
		printf(" %.*s", (int)strcspn(p, ":"), p);
		if (!strchr(p, '\n'))
			break;
	}
	printf("\n");
	return 0;
}
