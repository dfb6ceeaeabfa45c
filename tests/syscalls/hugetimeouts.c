/*
 * Timeouts of nearly INT64_MAX seconds are valid and mean "a very long
 * time": each wait below ends only by the 50 ms interval timer's signal
 * (EINTR), never by a timeout that a wrapped multiplication made short
 * (2^62 s * 1e9 is 0 mod 2^64).
 */
#include "check.h"

#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static void on_alarm(int sig)
{
	(void)sig;
}

static void arm(void)
{
	struct itimerval it = {{0, 0}, {0, 50000}};

	setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
	static const int64_t secs[] = {(int64_t)1 << 62, INT64_MAX / 1000000000, INT64_MAX};
	struct sigaction sa = {.sa_handler = on_alarm};
	uint32_t word = 0;
	char what[80];

	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: the waits end with EINTR */
	for (unsigned i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		struct timespec ts = {secs[i], 0};
		sigset_t usr1;

		snprintf(what, sizeof(what), "futex wait, %lld s", (long long)secs[i]);
		arm();
		CHECK(what, syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0));
		snprintf(what, sizeof(what), "futex wait_bitset absolute, %lld s", (long long)secs[i]);
		arm();
		CHECK(what, syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE, 0, &ts, NULL, FUTEX_BITSET_MATCH_ANY));
		snprintf(what, sizeof(what), "nanosleep, %lld s", (long long)secs[i]);
		arm();
		CHECK(what, nanosleep(&ts, NULL));
		snprintf(what, sizeof(what), "sigtimedwait, %lld s", (long long)secs[i]);
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		arm();
		CHECK(what, sigtimedwait(&usr1, NULL, &ts));
	}
	return 0;
}
