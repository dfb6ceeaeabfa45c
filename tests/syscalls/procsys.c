/*
 * /proc/sys files that software reads are there and read as numbers or
 * text (values vary by machine, so only their shape is printed), and
 * kernel/osrelease agrees with uname(2); /proc/config.gz is a gzip file that
 * names the options a program may probe for (those set on both sides).
 */
#include "check.h"
#include <ctype.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/utsname.h>

static const char *const files[] = {
	"kernel/core_pattern", "kernel/domainname", "kernel/tainted", "kernel/pid_max", "kernel/threads-max",
	"kernel/hostname", "kernel/osrelease", "kernel/shmmax", "kernel/msgmni", "kernel/sem",
	"fs/inotify/max_user_watches", "fs/inotify/max_user_instances", "fs/inotify/max_queued_events",
	"fs/pipe-max-size", "fs/pipe-user-pages-hard", "fs/pipe-user-pages-soft", "fs/lease-break-time",
	"fs/mqueue/msg_max", NULL,
};

int main(void)
{
	char path[128], buf[256];
	struct utsname u;
	int i;

	for (i = 0; files[i]; i++) {
		int fd, num = 1;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/sys/%s", files[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			printf("%s: open -1 %s\n", files[i], errname(errno));
			continue;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0 || buf[n - 1] != '\n') {
			printf("%s: read %zd, no newline\n", files[i], n);
			continue;
		}
		buf[n - 1] = 0;
		for (char *c = buf; *c; c++)
			if (!isdigit((unsigned char)*c) && *c != '\t' && *c != '-')
				num = 0;
		printf("%s: %s\n", files[i], num ? "a number" : "text");
	}
	uname(&u);
	i = open("/proc/sys/kernel/osrelease", O_RDONLY);
	buf[read(i, buf, sizeof(buf) - 1)] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("osrelease is uname -r: %d\n", !strcmp(buf, u.release));
	i = open("/proc/version", O_RDONLY);
	buf[read(i, buf, sizeof(buf) - 1)] = 0;
	printf("/proc/version names uname -r: %d\n", strstr(buf, u.release) != NULL);
	{
		static const char *const want[] = {"SYSVIPC", "POSIX_MQUEUE", "AIO", "EPOLL", "FUTEX", "INOTIFY_USER",
						   "EVENTFD", "FHANDLE", "FILE_LOCKING", "MEMBARRIER", "KCMP", NULL};
		FILE *z = popen("gzip -dc /proc/config.gz", "r");
		char line[256];
		int found[16] = {0};

		while (z && fgets(line, sizeof(line), z))
			for (i = 0; want[i]; i++) {
				size_t n = strlen(want[i]);

				if (!strncmp(line, "CONFIG_", 7) && !strncmp(line + 7, want[i], n) && !strcmp(line + 7 + n, "=y\n"))
					found[i] = 1;
			}
		printf("config.gz read: %d\n", z && pclose(z) == 0);
		for (i = 0; want[i]; i++)
			printf("CONFIG_%s=y: %d\n", want[i], found[i]);
	}
	return 0;
}
