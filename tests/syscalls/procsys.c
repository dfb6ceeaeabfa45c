/*
 * /proc/sys files that software reads are there and read as numbers or
 * text (values vary by machine, so only their shape is printed), and
 * kernel/osrelease agrees with uname(2); /proc/config.gz is a gzip file that
 * names the options a program may probe for (those set on both sides).
 * Writes: the namespaced sysctls take their own value back (harmless on the
 * host, where the native run is not in a namespace of its own) and refuse
 * malformed or out-of-range values with EINVAL, as Linux's parsers do.
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

/* Writes text to /proc/sys/NAME: what write returned. */
static void sysctl_write(const char *what, const char *name, const char *text)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("%s: open -1 %s\n", what, errname(errno));
		return;
	}
	CHECK(what, write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1);
	close(fd);
}

/* Reads /proc/sys/NAME and writes the same text back. */
static void same_back(const char *name)
{
	char path[128], buf[256], what[160];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		printf("%s: unreadable\n", name);
		return;
	}
	buf[n] = 0;
	snprintf(what, sizeof(what), "%s: its own value back", name);
	sysctl_write(what, name, buf);
}

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
						   "EVENTFD", "FHANDLE", "FILE_LOCKING", "MEMBARRIER", "KCMP", "PID_NS", NULL};
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
	setvbuf(stdout, NULL, _IONBF, 0);
	same_back("kernel/hostname");
	same_back("kernel/domainname");
	same_back("kernel/shmmax");
	same_back("kernel/msgmni");
	same_back("kernel/sem");
	same_back("fs/mqueue/msg_max");
	sysctl_write("shmmax abc", "kernel/shmmax", "abc");
	sysctl_write("shmmax -5", "kernel/shmmax", "-5");
	sysctl_write("msgmni 40000", "kernel/msgmni", "40000");
	sysctl_write("msgmni -1", "kernel/msgmni", "-1");
	sysctl_write("sem with SEMMNI 40000", "kernel/sem", "250 32000 32 40000");
	sysctl_write("mqueue msg_max 0", "fs/mqueue/msg_max", "0");
	sysctl_write("mqueue msgsize_max 100", "fs/mqueue/msgsize_max", "100");
	return 0;
}
