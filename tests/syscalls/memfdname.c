/*
 * What /proc shows of a memfd: its fd links read "/memfd:NAME (deleted)",
 * and so does a mapping of it in /proc/PID/maps, as Linux's.
 */
#include "check.h"
#include <stdlib.h>
#include <sys/mman.h>

static void link_of(const char *what, int fd)
{
	char path[64], buf[512];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("%s: readlink = -1 %s\n", what, errname(errno));
		return;
	}
	buf[n] = 0;
	printf("%s: %s\n", what, buf);
}

int main(void)
{
	char name[251], line[1024];
	int fd = memfd_create("hello", 0), fd2 = memfd_create("with space", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int fd3 = memfd_create("", 0);
	FILE *maps;
	void *p;

	link_of("hello", fd);
	link_of("with space", fd2);
	link_of("empty name", fd3);
	memset(name, 'n', sizeof(name));
	name[249] = 0;
	CHECK_OK("249 bytes", fd = memfd_create(name, 0));
	link_of("249 bytes", fd);
	name[249] = 'n';
	name[250] = 0;
	CHECK("250 bytes", memfd_create(name, 0));

	if (ftruncate(fd2, 4096) < 0 || (p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd2, 0)) == MAP_FAILED) {
		printf("mmap: %s\n", errname(errno));
		return 1;
	}
	maps = fopen("/proc/self/maps", "r");
	while (maps && fgets(line, sizeof(line), maps))
		if (strstr(line, "memfd:"))
			printf("maps: %s", strchr(line, '/'));
	return 0;
}
