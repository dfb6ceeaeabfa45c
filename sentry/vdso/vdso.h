/*
 * cvisor's vDSO: an ELF shared object of its own (sentry/vdso/image/) mapped
 * into every address space at exec as "[vdso]", with its data page "[vvar]"
 * just below it, so that clock_gettime, gettimeofday, time, clock_getres and
 * getcpu need no system call.  It is only memory the sentry maps, so it works
 * on every platform.
 *
 * The sandbox's CLOCK_MONOTONIC and CLOCK_REALTIME are one line in the TSC
 * (vdso_data.h), which the sentry fits to the host's clocks at start-up and
 * keeps fitted from a thread of its own; the sentry's clock_gettime reads the
 * same line (vdso_clock_ns), so the two never disagree.  Where the TSC cannot
 * be trusted (not invariant, or not the host's clocksource) the page says so
 * and both read the host's clocks instead.
 *
 * Locking: none needed by callers; the data page has its own sequence count.
 */
#pragma once

#include <stdint.h>

struct mm;

/*
 * Copies the image into the memory file and readies the clock.  host_tsc:
 * the host's clocksource is the TSC (read by the caller before the sentry
 * left the host's files).  0 or -errno (then no process gets a vDSO).
 */
int vdso_init(int host_tsc);

/*
 * The clock behind the data page is kept by calls to vdso_clock_tick(),
 * the first vdso_clock_next() ns after vdso_init and each later one the
 * ns the last call returned after it (the sentry's signal forwarder makes
 * them, between signals: a thread of its own cost every start some 0.1 ms
 * to make).  Either says -1 when there is no clock to keep (the TSC is
 * not the host's clocksource): the page then sends every reader to the
 * sentry.
 */
int64_t vdso_clock_next(void);
int64_t vdso_clock_tick(void);

/* Maps [vvar] and [vdso] into mm; returns the vDSO's address (AT_SYSINFO_EHDR), 0 if none, or -errno. */
long vdso_map(struct mm *mm);

/* The sandbox's clock in ns: base 0 CLOCK_REALTIME, 1 CLOCK_MONOTONIC (vdso_clock_base() maps ids). */
int64_t vdso_clock_ns(int base);
