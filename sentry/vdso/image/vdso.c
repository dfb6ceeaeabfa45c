/*
 * cvisor's vDSO: the functions glibc looks up in the shared object that
 * AT_SYSINFO_EHDR points at (the x86-64 psABI names them __vdso_*, version
 * LINUX_2.6; see vdso.lds).  They answer from the data page the sentry keeps
 * current (../vdso_data.h) and fall back to the real system call, which the
 * sentry answers, for anything the page does not serve.
 *
 * Built on its own: -fPIC -shared -nostdlib, no relocations, no libc.  The
 * system-call fallbacks return -errno as the kernel's vDSO does; glibc turns
 * that into errno.
 */
#include "../vdso_data.h"

struct vdso_timespec {
	long tv_sec, tv_nsec;
};
struct vdso_timeval {
	long tv_sec, tv_usec;
};
struct vdso_timezone {
	int tz_minuteswest, tz_dsttime;
};

#define NR_gettimeofday 96
#define NR_time 201
#define NR_clock_gettime 228
#define NR_clock_getres 229
#define NR_getcpu 309

/* The data page, one page below the ELF header (vdso.lds). */
extern const volatile struct vdso_data cvisor_vdso_data __attribute__((visibility("hidden")));

static long fallback2(long nr, long a0, long a1)
{
	long r;

	__asm__ __volatile__("syscall" : "=a"(r) : "0"(nr), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
	return r;
}

int __vdso_clock_gettime(int clk, struct vdso_timespec *ts)
{
	int base = vdso_clock_base(clk);
	int64_t ns;

	if (base < 0 || vdso_data_read(&cvisor_vdso_data, base, &ns) < 0)
		return (int)fallback2(NR_clock_gettime, clk, (long)ts);
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return 0;
}

int __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
	int64_t ns;

	if (vdso_data_read(&cvisor_vdso_data, 0, &ns) < 0)
		return (int)fallback2(NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = ns / 1000000000;
		tv->tv_usec = ns % 1000000000 / 1000;
	}
	if (tz) {
		/* The sentry's gettimeofday reports UTC with no DST: so does this. */
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return 0;
}

long __vdso_time(long *t)
{
	int64_t ns;
	long s;

	if (vdso_data_read(&cvisor_vdso_data, 0, &ns) < 0)
		return fallback2(NR_time, (long)t, 0);
	s = ns / 1000000000;
	if (t)
		*t = s;
	return s;
}

int __vdso_clock_getres(int clk, struct vdso_timespec *res)
{
	if (vdso_clock_base(clk) < 0)
		return (int)fallback2(NR_clock_getres, clk, (long)res);
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = vdso_clock_res_ns(clk);
	}
	return 0;
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	(void)unused;
	if (cpu)
		*cpu = cvisor_vdso_data.cpu;
	if (node)
		*node = cvisor_vdso_data.node;
	return 0;
}
