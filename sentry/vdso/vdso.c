/*
 * The vDSO (see vdso.h): its pages in the memory file, the mapping at exec,
 * and the clock behind its data page.
 *
 * Fitting the line to the host.  At start-up the sentry samples the TSC
 * against the host's CLOCK_MONOTONIC; the line is switched on at the first
 * update, FIRST_UPDATE_NS later, with the frequency those two samples give
 * (until then the page says "ask the sentry", which reads the host).  Each
 * update samples again and starts a new segment of the line where the old
 * one is at that TSC, so the clock is continuous and never goes back; its
 * slope is the frequency measured over the last one to two seconds, nudged
 * (by at most MAX_SLEW_PPM) so that the segment ends on the host's clock.
 * The host's own rate changes (NTP slewing) are thus followed within an
 * update interval.  CLOCK_REALTIME keeps the host's offset from
 * CLOCK_MONOTONIC, which only a step of the host's wall clock changes.
 *
 * The interval: 50 ms once running, which keeps the sandbox's clock within
 * a few microseconds of the host's even while the host slews hard (the
 * sentry's timers and sleeps still wait on the host's clock), for a few
 * hundred nanoseconds of one thread's time per update.  The first updates
 * come sooner (2, 4, 8 ... ms) because the first frequency is measured over
 * a short time.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/platform/x86.h>
#include <time.h>

#include "../host/host.h"
#include "../log.h"
#include "../mm/memfile.h"
#include "../mm/mm.h"
#include "vdso.h"
#include "vdso_data.h"

#define PAGE ABI_PAGE_SIZE
#define MAX_CODE_PAGES 4
#define FIRST_UPDATE_NS 2000000LL   /* 2 ms */
#define UPDATE_NS 50000000LL        /* 50 ms */
#define REBASE_NS 1000000000LL      /* the frequency is measured over the last 1-2 s */
#define MAX_SLEW_PPM 1000
#define STEP_NS 10000000LL          /* behind the host by more: jump forward */
#define REAL_STEP_NS 1000000LL      /* the host's wall clock moved by more: follow it */

/* The image, from vdso_image.S. */
extern const uint8_t vdso_image_start[], vdso_image_end[];

static struct vdso_data *data; /* in the memory file; written by the update thread only */
static uint64_t frames[1 + MAX_CODE_PAGES];
static struct mm_special vvar_special = {.name = "[vvar]", .frames = frames, .npages = 1};
static struct mm_special code_special = {.name = "[vdso]", .frames = frames + 1};

/* ---- The image ---- */

/* The image is ours, but a broken build should fail here rather than in every process. */
static int image_ok(const uint8_t *img, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;

	return len >= sizeof(*eh) && len <= MAX_CODE_PAGES * PAGE && !memcmp(eh->e_ident, ELFMAG, SELFMAG) &&
	       eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_type == ET_DYN && eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) <= len;
}

/* ---- The clock ---- */

struct sample {
	uint64_t tsc;
	int64_t mono, real_off;
};

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* The TSC and the host's clocks at one moment: the tightest of a few tries. */
static void sample_host(struct sample *s)
{
	uint64_t best = UINT64_MAX;
	int i;

	for (i = 0; i < 8; i++) {
		struct timespec m, r, m2;
		uint64_t t1, t2;

		t1 = vdso_rdtsc_ordered();
		host_clock_gettime(CLOCK_MONOTONIC, &m);
		t2 = vdso_rdtsc_ordered();
		host_clock_gettime(CLOCK_REALTIME, &r);
		host_clock_gettime(CLOCK_MONOTONIC, &m2);
		if (t2 - t1 >= best)
			continue;
		best = t2 - t1;
		s->tsc = t1 + (t2 - t1) / 2;
		s->mono = ts_ns(&m);
		s->real_off = ts_ns(&r) - (ts_ns(&m) + ts_ns(&m2)) / 2;
	}
}

static int64_t line_at(const struct vdso_data *d, uint64_t tsc)
{
	uint64_t delta = tsc > d->tsc_base ? tsc - d->tsc_base : 0;

	return d->mono_ns + (int64_t)(((unsigned __int128)delta * d->mult) >> VDSO_MULT_SHIFT);
}

static void seq_begin(void)
{
	__atomic_store_n(&data->seq, data->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the odd count is seen before the fields change */
}

static void seq_end(void)
{
	__atomic_store_n(&data->seq, data->seq + 1, __ATOMIC_RELEASE);
}

static struct sample ref, ref_next; /* frequency baselines (update thread only) */

/* Starts the line: the host's time at a sample taken while readers wait, so no earlier answer is later. */
static void clock_enable(void)
{
	struct sample s;
	double ns_per_tick;

	seq_begin();
	sample_host(&s);
	ns_per_tick = s.tsc > ref.tsc && s.mono > ref.mono ? (double)(s.mono - ref.mono) / (double)(s.tsc - ref.tsc) : 0;
	if (ns_per_tick > 0 && ns_per_tick < 1000) {
		data->tsc_base = s.tsc;
		data->mono_ns = s.mono;
		data->real_off_ns = s.real_off;
		data->mult = (uint64_t)(ns_per_tick * (double)(1ULL << VDSO_MULT_SHIFT));
		data->tsc_ok = 1;
	}
	seq_end();
	ref_next = s;
}

/* A new segment of the line from the current one at the TSC of a new sample, aimed at the host next_ns on. */
static void clock_update(int64_t next_ns)
{
	struct sample s;
	struct vdso_data n;
	double ns_per_tick, corr;
	int64_t at, err;

	sample_host(&s);
	n = *data;
	at = line_at(data, s.tsc);
	err = s.mono - at;
	if (s.mono - ref_next.mono >= REBASE_NS) {
		ref = ref_next;
		ref_next = s;
	}
	ns_per_tick = (double)(s.mono - ref.mono) / (double)(s.tsc - ref.tsc);
	n.tsc_base = s.tsc;
	n.mono_ns = at;
	corr = (double)err / (double)next_ns;
	if (err > STEP_NS) {
		n.mono_ns = s.mono; /* far behind (the TSC stalled?): forward is allowed */
		corr = 0;
	}
	if (corr > MAX_SLEW_PPM * 1e-6)
		corr = MAX_SLEW_PPM * 1e-6;
	if (corr < -MAX_SLEW_PPM * 1e-6)
		corr = -MAX_SLEW_PPM * 1e-6;
	if (ns_per_tick > 0 && ns_per_tick < 1000)
		n.mult = (uint64_t)(ns_per_tick * (1 + corr) * (double)(1ULL << VDSO_MULT_SHIFT));
	if (s.real_off - n.real_off_ns > REAL_STEP_NS || n.real_off_ns - s.real_off > REAL_STEP_NS)
		n.real_off_ns = s.real_off;
	seq_begin();
	data->tsc_base = n.tsc_base;
	data->mono_ns = n.mono_ns;
	data->mult = n.mult;
	data->real_off_ns = n.real_off_ns;
	seq_end();
}

/* The time to the next call of vdso_clock_tick, in ns; -1: no clock to keep. */
static int64_t clock_interval = -1;

int64_t vdso_clock_next(void)
{
	return clock_interval;
}

int64_t vdso_clock_tick(void)
{
	if (clock_interval < 0)
		return -1;
	if (!data->tsc_ok) {
		clock_enable();
	} else {
		clock_interval = clock_interval * 2 < UPDATE_NS ? clock_interval * 2 : UPDATE_NS;
		clock_update(clock_interval);
	}
	return clock_interval;
}

/*
 * An invariant TSC (constant rate, running in every C-state): CPUID
 * 0x80000007, EDX bit 8, as glibc read it when cvisor started (each CPUID
 * leaves a virtual machine's guest: some 13 us here).
 */
static int tsc_invariant(void)
{
	return CPU_FEATURE_PRESENT(INVARIANT_TSC);
}

static void clock_start(void)
{
	sample_host(&ref);
	ref_next = ref;
	clock_interval = FIRST_UPDATE_NS;
}

int vdso_init(int host_tsc)
{
	size_t len = (size_t)(vdso_image_end - vdso_image_start), n = ABI_PAGE_ALIGN(len) / PAGE, i;
	uint64_t f;

	if (!image_ok(vdso_image_start, len))
		die("vdso: the built-in image is not a 64-bit ELF shared object of at most %d pages", MAX_CODE_PAGES);
	f = mf_alloc(1 + n);
	if (f == MF_NONE)
		return -ENOMEM;
	for (i = 0; i <= n; i++)
		frames[i] = f + i * PAGE;
	data = mf_ptr(frames[0]);
	memcpy(mf_ptr(frames[1]), vdso_image_start, len);
	code_special.npages = n;
	/* getcpu(2) in the sandbox answers CPU 0, node 0 (syscalls/sys_proc.c): so does the vDSO. */
	data->cpu = 0;
	data->node = 0;
	if (host_tsc && tsc_invariant())
		clock_start();
	else
		log_debug("vdso: the TSC is not the host's clocksource or not invariant: clocks go through the sentry");
	return 0;
}

long vdso_map(struct mm *mm)
{
	uint64_t len = (1 + code_special.npages) * PAGE;
	long at, r;

	if (!code_special.npages)
		return 0;
	/* Top-down like any mapping: below the interpreter, as Linux places it. */
	at = mm_mmap(mm, 0, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, PROT_NONE);
	if (at < 0)
		return at;
	/* The data page may never become writable or executable; the code may, copy-on-write (a debugger's breakpoint). */
	r = mm_map_special(mm, (gva_t)at, &vvar_special, PROT_READ, PROT_READ);
	if (r == 0)
		r = mm_map_special(mm, (gva_t)at + PAGE, &code_special, PROT_READ | PROT_EXEC,
				   PROT_READ | PROT_WRITE | PROT_EXEC);
	if (r < 0) {
		mm_munmap(mm, (gva_t)at, len);
		return r;
	}
	return at + (long)PAGE;
}

static int64_t host_ns(int base)
{
	return (int64_t)(base == 0 ? host_realtime_ns() : host_monotonic_ns());
}

int64_t vdso_clock_ns(int base)
{
	int64_t ns;

	if (!data)
		return host_ns(base);
	for (;;) {
		uint32_t seq = __atomic_load_n(&data->seq, __ATOMIC_ACQUIRE);

		if (seq & 1) {
			__builtin_ia32_pause();
			continue;
		}
		if (vdso_data_read(data, base, &ns) == 0)
			return ns;
		/* Not on the line yet: the host's clock, unless the line started meanwhile. */
		ns = host_ns(base);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&data->seq, __ATOMIC_ACQUIRE) == seq)
			return ns;
	}
}
