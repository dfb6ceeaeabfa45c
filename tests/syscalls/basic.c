/*
 * The process itself: uname, ids, arch_prctl, clocks, getrandom, affinity,
 * and the exit status (3, so that the runner's status check is exercised).
 * Values that differ between a host and a sandbox (pids, the kernel
 * release, host name, times) are only checked for their shape.
 */
#define _GNU_SOURCE
#include "check.h"

#include <asm/prctl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>

int main(void)
{
	struct utsname u;
	struct timespec a, b;
	unsigned long fs = 0;
	cpu_set_t set;
	char rnd[300];
	int i, zeros;

	CHECK("uname", uname(&u));
	printf("sysname %s machine %s\n", u.sysname, u.machine);
	CHECK("release is set", u.release[0] != 0);
	CHECK("getpid > 0", getpid() > 0);
	CHECK("gettid == getpid", syscall(SYS_gettid) == getpid());
	CHECK("getppid >= 0", getppid() >= 0);
	CHECK("getpgid(0) >= 0", getpgid(0) >= 0);
	CHECK("getsid(0) >= 0", getsid(0) >= 0);
	CHECK("getuid", getuid());
	CHECK("geteuid", geteuid());
	CHECK("getgid", getgid());
	CHECK("getegid", getegid());
	CHECK("umask", (umask(022), umask(022)));

	/* glibc set FS for thread-local storage before main. */
	CHECK("arch_prctl(ARCH_GET_FS)", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	CHECK("FS base is set", fs != 0);
	CHECK("FS base is the thread pointer", fs == (unsigned long)__builtin_thread_pointer());
	/*
	 * CPUID faulting only where /proc/cpuinfo says cpuid_fault, ENODEV
	 * elsewhere (LTP's arch_prctl01); 1 asks for what is there already.
	 */
	{
		FILE *f = fopen("/proc/cpuinfo", "r");
		char line[4096];
		int fault = 0;
		long r;

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "flags", 5) && strstr(line, " cpuid_fault"))
				fault = 1;
		if (f)
			fclose(f);
		errno = 0;
		r = syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
		printf("arch_prctl(ARCH_SET_CPUID, 1) as cpuinfo's cpuid_fault says = %s\n",
		       (fault ? r == 0 : r == -1 && errno == ENODEV) ? "yes" : errname(errno));
	}
	CHECK("arch_prctl(ARCH_GET_CPUID)", syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0));

	CHECK("clock_gettime MONOTONIC", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a));
	for (i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
	CHECK("MONOTONIC goes forward", b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec));
	CHECK("tv_nsec in range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000L);
	CHECK("clock_gettime REALTIME", syscall(SYS_clock_gettime, CLOCK_REALTIME, &a));
	CHECK("REALTIME is after 2024", a.tv_sec > 1704067200);
	/* The vDSO's answer and the system call's agree to within a second. */
	clock_gettime(CLOCK_REALTIME, &b);
	CHECK("vDSO REALTIME agrees", b.tv_sec - a.tv_sec <= 1 && b.tv_sec >= a.tv_sec);
	CHECK("clock_getres MONOTONIC", syscall(SYS_clock_getres, CLOCK_MONOTONIC, &a));
	CHECK("resolution <= 1 ms", a.tv_sec == 0 && a.tv_nsec > 0 && a.tv_nsec <= 1000000);
	CHECK("time() is REALTIME", time(NULL) >= b.tv_sec);

	memset(rnd, 0, sizeof(rnd));
	CHECK("getrandom 300", getrandom(rnd, sizeof(rnd), 0));
	for (zeros = 0, i = 0; i < 300; i++)
		zeros += rnd[i] == 0;
	CHECK("getrandom filled it", zeros < 20);
	CHECK("getrandom GRND_NONBLOCK 16", getrandom(rnd, 16, GRND_NONBLOCK));
	CHECK("getrandom 0", getrandom(rnd, 0, 0));

	CHECK("sched_getaffinity", sched_getaffinity(0, sizeof(set), &set));
	printf("affinity %s\n", CPU_COUNT(&set) >= 1 ? "ok" : "empty");
	CHECK("sched_yield", sched_yield());
	CHECK("getpriority", (errno = 0, getpriority(PRIO_PROCESS, 0) == -1 && errno ? -1 : 0));

	printf("exiting with 3\n");
	return 3;
}
