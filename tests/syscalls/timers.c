/* POSIX timers: a periodic timer_create timer delivers its signal with its value. */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
static volatile int hits; static volatile int val;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; hits++; val = si->si_value.sival_int; }
int main(void) {
	struct sigaction sa = {0}; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO; sigaction(SIGUSR1, &sa, 0);
	struct sigevent ev = {0}; ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGUSR1; ev.sigev_value.sival_int = 42;
	timer_t id; timer_create(CLOCK_MONOTONIC, &ev, &id);
	struct itimerspec it = {{0, 20000000}, {0, 20000000}}; timer_settime(id, 0, &it, 0);
	while (hits < 3) pause();
	timer_delete(id);
	printf("hits>=3 val=%d\n", val);
	return 0;
}
