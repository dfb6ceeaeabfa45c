/*
 * The vDSO: AT_SYSINFO_EHDR points at an ELF shared object mapped as
 * "[vdso]" that exports the functions glibc asks for (version LINUX_2.6);
 * the times it gives agree with the system calls' (interleaved, they never
 * go back), gettimeofday and time agree with clock_gettime, clock_getres
 * matches the system call, getcpu matches the system call, and the data page
 * cannot be made writable.  (That the clocks then need no system call is
 * tests/unit/vdso_strace.sh's part: it depends on the host's clocksource.)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "check.h"

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* The [start, end) and permissions of the maps line named name; 0 if none. */
static int find_map(const char *name, unsigned long *start, unsigned long *end, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;
		if (n >= strlen(name) && !strcmp(line + n - strlen(name), name) &&
		    sscanf(line, "%lx-%lx %4s", start, end, perms) == 3)
			found = 1;
	}
	fclose(f);
	return found;
}

static void check_image(void)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	static const char *const names[] = {"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time",
					    "__vdso_getcpu", "__vdso_clock_getres"};
	unsigned long start, end;
	char perms[5];
	void *h;
	size_t i;

	printf("AT_SYSINFO_EHDR set = %s\n", eh ? "yes" : "no");
	if (!eh)
		return;
	printf("ELF magic = %s\n", memcmp(eh->e_ident, ELFMAG, SELFMAG) ? "no" : "yes");
	printf("64-bit shared object = %s\n", eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_type == ET_DYN ? "yes" : "no");
	if (find_map("[vdso]", &start, &end, perms)) {
		printf("[vdso] in maps = %s\n", perms);
		printf("AT_SYSINFO_EHDR at its start = %s\n", (unsigned long)eh == start ? "yes" : "no");
	} else {
		printf("[vdso] in maps = none\n");
	}
	/* glibc keeps the vDSO as a loaded object named by its soname: look the symbols up as glibc does. */
	h = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
	printf("linux-vdso.so.1 loaded = %s\n", h ? "yes" : "no");
	for (i = 0; h && i < sizeof(names) / sizeof(names[0]); i++)
		printf("%s@LINUX_2.6 = %s\n", names[i], dlvsym(h, names[i], "LINUX_2.6") ? "found" : "missing");
	if (h) {
		int (*vgettime)(clockid_t, struct timespec *) = (int (*)(clockid_t, struct timespec *))dlvsym(
			h, "__vdso_clock_gettime", "LINUX_2.6");
		struct timespec a, b, c;

		if (vgettime) {
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
			vgettime(CLOCK_MONOTONIC, &b);
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &c);
			printf("__vdso_clock_gettime between two system calls = %s\n",
			       ns_of(&a) <= ns_of(&b) && ns_of(&b) <= ns_of(&c) ? "yes" : "no");
			printf("__vdso_clock_gettime(bad clock) = %d\n", vgettime(12345, &a));
		}
	}
}

/* clock_gettime through glibc (the vDSO) and the system call, interleaved: never backwards. */
static void check_interleaved(clockid_t c, const char *name)
{
	struct timespec ts;
	int64_t last = 0, now;
	long back = 0, i;

	for (i = 0; i < 200000; i++) {
		if (i % 4 == 3)
			syscall(SYS_clock_gettime, c, &ts);
		else
			clock_gettime(c, &ts);
		now = ns_of(&ts);
		if (now < last)
			back++;
		last = now;
	}
	printf("%s: vDSO and system call interleaved, went back = %ld\n", name, back);
}

static void check_getres(clockid_t c, const char *name)
{
	struct timespec a = {-1, -1}, b = {-2, -2};
	int ra = clock_getres(c, &a), rb = (int)syscall(SYS_clock_getres, c, &b);

	printf("clock_getres(%s) = %d, same as the system call = %s, NULL res = %d\n", name, ra,
	       ra == rb && a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec ? "yes" : "no", clock_getres(c, NULL));
}

static void check_agree(void)
{
	struct timespec a, b;
	struct timeval tv;
	time_t t, tt;
	int ok_tv = 1, ok_t = 1, i;

	for (i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_REALTIME, &a);
		gettimeofday(&tv, NULL);
		t = time(&tt);
		clock_gettime(CLOCK_REALTIME, &b);
		if ((int64_t)tv.tv_sec * 1000000 + tv.tv_usec < ns_of(&a) / 1000 ||
		    (int64_t)tv.tv_sec * 1000000 + tv.tv_usec > ns_of(&b) / 1000)
			ok_tv = 0;
		/* Linux's time() reads the tick's coarse seconds: up to a tick behind, so one second at a boundary. */
		if (t != tt || t < a.tv_sec - 1 || t > b.tv_sec)
			ok_t = 0;
	}
	printf("gettimeofday within clock_gettime(REALTIME) = %s\n", ok_tv ? "yes" : "no");
	printf("time within clock_gettime(REALTIME) = %s\n", ok_t ? "yes" : "no");
	clock_gettime(CLOCK_REALTIME, &a);
	clock_gettime(CLOCK_TAI, &b);
	printf("CLOCK_TAI not behind CLOCK_REALTIME = %s\n", ns_of(&b) >= ns_of(&a) ? "yes" : "no");
	clock_gettime(CLOCK_MONOTONIC_COARSE, &a);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("MONOTONIC_COARSE not ahead of MONOTONIC = %s\n", ns_of(&a) <= ns_of(&b) ? "yes" : "no");
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_BOOTTIME, &b);
	printf("BOOTTIME not behind MONOTONIC = %s\n", ns_of(&b) >= ns_of(&a) ? "yes" : "no");
	errno = 0;
	CHECK("clock_gettime(bad clock)", clock_gettime(12345, &a));
	CHECK("clock_gettime(PROCESS_CPUTIME) (not served by the page)", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a));
}

static void check_getcpu(void)
{
	cpu_set_t set;
	unsigned cpu = 99, node = 99, scpu = 98, snode = 98;
	int c;

	/* On one CPU, so the two answers cannot differ by a migration. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK("sched_setaffinity(cpu 0)", sched_setaffinity(0, sizeof(set), &set));
	c = sched_getcpu();
	CHECK("getcpu (vDSO)", getcpu(&cpu, &node));
	syscall(SYS_getcpu, &scpu, &snode, NULL);
	printf("getcpu same as the system call = %s, sched_getcpu too = %s\n", cpu == scpu && node == snode ? "yes" : "no",
	       c == (int)scpu ? "yes" : "no");
	CHECK("getcpu(NULL, NULL)", getcpu(NULL, NULL));
}

/*
 * The data page can never be made writable.  (Whether the code may be made
 * writable, copy-on-write, depends on the kernel: Linux with sealed system
 * mappings refuses any change to it, so that is not compared here.)
 */
static void check_protection(void)
{
	unsigned long vs, ve;
	char perms[5];

	if (find_map("[vvar]", &vs, &ve, perms)) {
		CHECK("mprotect([vvar], READ|WRITE)", mprotect((void *)vs, 4096, PROT_READ | PROT_WRITE));
		CHECK("mprotect([vvar], READ)", mprotect((void *)vs, 4096, PROT_READ));
	}
}

int main(void)
{
	check_image();
	check_interleaved(CLOCK_MONOTONIC, "MONOTONIC");
	check_interleaved(CLOCK_REALTIME, "REALTIME");
	check_interleaved(CLOCK_BOOTTIME, "BOOTTIME");
	check_interleaved(CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE");
	check_getres(CLOCK_REALTIME, "REALTIME");
	check_getres(CLOCK_MONOTONIC, "MONOTONIC");
	check_getres(CLOCK_BOOTTIME, "BOOTTIME");
	check_getres(CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE");
	check_getres(CLOCK_REALTIME_COARSE, "REALTIME_COARSE");
	check_getres(CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID");
	check_getres(12345, "12345");
	check_agree();
	check_getcpu();
	check_protection();
	return 0;
}
