/*
 * Timeouts of nearly INT64_MAX seconds are valid and mean "a very long
 * time": each wait below ends only by the 50 ms interval timer's signal
 * (EINTR), never by a timeout that a wrapped multiplication made short
 * (2^62 s * 1e9 is 0 mod 2^64).  A POSIX timer or a timerfd set that far
 * ahead stays armed, with that much left, and does not fire.
 */
#include "check.h"

#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <poll.h>
#include <sys/time.h>
#include <sys/timerfd.h>
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
	for (unsigned i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		struct itimerspec its = {{0, 0}, {secs[i], 0}}, left;
		struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
		struct timespec tenth = {0, 100000000};
		struct pollfd pfd;
		sigset_t usr2, pending;
		timer_t tid;

		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2);
		sigprocmask(SIG_BLOCK, &usr2, NULL);
		timer_create(CLOCK_MONOTONIC, &sev, &tid);
		snprintf(what, sizeof(what), "timer_settime, %lld s", (long long)secs[i]);
		CHECK(what, timer_settime(tid, 0, &its, NULL));
		nanosleep(&tenth, NULL);
		sigpending(&pending);
		timer_gettime(tid, &left);
		printf("  fired: %s, more than 10^9 s left: %s\n", sigismember(&pending, SIGUSR2) ? "yes" : "no",
		       left.it_value.tv_sec > 1000000000 ? "yes" : "no");
		timer_delete(tid);

		pfd.fd = timerfd_create(CLOCK_MONOTONIC, 0);
		pfd.events = POLLIN;
		snprintf(what, sizeof(what), "timerfd_settime, %lld s", (long long)secs[i]);
		CHECK(what, timerfd_settime(pfd.fd, 0, &its, NULL));
		timerfd_gettime(pfd.fd, &left);
		printf("  readable after 100 ms: %d, more than 10^9 s left: %s\n", poll(&pfd, 1, 100),
		       left.it_value.tv_sec > 1000000000 ? "yes" : "no");
		close(pfd.fd);
	}
	return 0;
}
