/*
 * Signal-driven I/O and dnotify: F_SETOWN/F_GETOWN (a process, a group),
 * F_SETOWN_EX/F_GETOWN_EX, F_SETSIG/F_GETSIG with their checks, SIGIO when
 * an O_ASYNC pipe end becomes readable (and the F_SETSIG signal's si_fd,
 * si_code and si_band), and F_NOTIFY on a directory: a signal per event
 * with DN_MULTISHOT, one only without, ENOTDIR on a file, DN_MULTISHOT
 * alone accepted (CPython's test_fcntl_64_bit).  cvisor answered EINVAL to
 * all of these.
 */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

static volatile sig_atomic_t got_io, got_rt, rt_code, rt_fd_ok, rt_band;

static void on_io(int sig)
{
	(void)sig;
	got_io++;
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	got_rt++;
	rt_code = si->si_code;
	rt_fd_ok = si->si_fd;
	rt_band = (int)si->si_band;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_io}, sr = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO};
	struct f_owner_ex ox;
	int p[2], d, fd;
	char c;

	sigaction(SIGIO, &sa, NULL);
	sigaction(SIGRTMIN + 1, &sr, NULL);
	if (pipe(p) < 0)
		return 1;

	printf("-- owners\n");
	CHECK("F_GETOWN before", fcntl(p[0], F_GETOWN));
	CHECK("F_SETOWN self", fcntl(p[0], F_SETOWN, getpid()));
	CHECK("F_GETOWN is self", fcntl(p[0], F_GETOWN) == getpid());
	CHECK("F_SETOWN -pgrp", fcntl(p[1], F_SETOWN, -getpgrp()));
	CHECK("F_GETOWN is -pgrp", fcntl(p[1], F_GETOWN) == -getpgrp());
	CHECK("F_SETOWN no such pid", fcntl(p[1], F_SETOWN, 999999));
	CHECK("F_GETOWN_EX", fcntl(p[1], F_GETOWN_EX, &ox));
	printf("owner type pgrp %d, id ok %d\n", ox.type == F_OWNER_PGRP, ox.pid == getpgrp());
	ox.type = 7;
	ox.pid = getpid();
	CHECK("F_SETOWN_EX bad type", fcntl(p[1], F_SETOWN_EX, &ox));
	ox.type = F_OWNER_TID;
	CHECK("F_SETOWN_EX tid", fcntl(p[1], F_SETOWN_EX, &ox));
	CHECK("F_GETOWN_EX bad pointer", fcntl(p[1], F_GETOWN_EX, (void *)8));
	CHECK("F_SETSIG 65", fcntl(p[0], F_SETSIG, 65));
	CHECK("F_GETSIG", fcntl(p[0], F_GETSIG));

	printf("-- SIGIO\n");
	CHECK("F_SETFL O_ASYNC", fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	CHECK("write", write(p[1], "x", 1));
	printf("SIGIO arrived: %d\n", got_io > 0);
	CHECK("read", read(p[0], &c, 1));
	CHECK("F_SETSIG SIGRTMIN+1", fcntl(p[0], F_SETSIG, SIGRTMIN + 1));
	CHECK("F_GETSIG is it", fcntl(p[0], F_GETSIG) == SIGRTMIN + 1);
	got_io = 0;
	CHECK("write", write(p[1], "y", 1));
	printf("F_SETSIG signal: %d, SIGIO: %d, si_code POLL_IN %d, si_fd ok %d, band has POLLIN %d\n", got_rt > 0, got_io,
	       rt_code == POLL_IN, rt_fd_ok == p[0], (rt_band & POLLIN) != 0);
	CHECK("read", read(p[0], &c, 1));
	CHECK("clear O_ASYNC", fcntl(p[0], F_SETFL, O_NONBLOCK));
	got_rt = 0;
	CHECK("write", write(p[1], "z", 1));
	printf("signals after O_ASYNC is off: %d\n", got_rt);

	printf("-- dnotify\n");
	mkdir("/tmp/cvt-dn", 0700);
	d = open("/tmp/cvt-dn", O_RDONLY | O_DIRECTORY);
	fd = open("/tmp/cvt-dn-file", O_CREAT | O_RDWR, 0600);
	CHECK("F_NOTIFY on a file", fcntl(fd, F_NOTIFY, DN_CREATE));
	CHECK("F_NOTIFY DN_MULTISHOT alone", fcntl(fd, F_NOTIFY, (unsigned long)DN_MULTISHOT));
	CHECK("F_NOTIFY DN_CREATE|DN_MULTISHOT", fcntl(d, F_NOTIFY, DN_CREATE | DN_DELETE | DN_MULTISHOT));
	CHECK("F_GETOWN is self", fcntl(d, F_GETOWN) == getpid());
	got_io = 0;
	close(open("/tmp/cvt-dn/a", O_CREAT | O_WRONLY, 0600));
	close(open("/tmp/cvt-dn/b", O_CREAT | O_WRONLY, 0600));
	printf("SIGIO for creates: %d\n", got_io > 0);
	got_io = 0;
	unlink("/tmp/cvt-dn/a");
	printf("SIGIO for a delete: %d\n", got_io > 0);
	/* A second F_NOTIFY adds to the first, DN_MULTISHOT included. */
	CHECK("F_NOTIFY DN_CREATE again", fcntl(d, F_NOTIFY, DN_CREATE));
	got_io = 0;
	close(open("/tmp/cvt-dn/f", O_CREAT | O_WRONLY, 0600));
	printf("still multishot: %d\n", got_io > 0);
	CHECK("F_NOTIFY remove", fcntl(d, F_NOTIFY, 0));
	got_io = 0;
	close(open("/tmp/cvt-dn/g", O_CREAT | O_WRONLY, 0600));
	printf("after removing: %d\n", got_io > 0);
	CHECK("F_NOTIFY one shot", fcntl(d, F_NOTIFY, DN_CREATE));
	got_io = 0;
	close(open("/tmp/cvt-dn/c", O_CREAT | O_WRONLY, 0600));
	printf("first create after one shot: %d\n", got_io > 0);
	got_io = 0;
	close(open("/tmp/cvt-dn/e", O_CREAT | O_WRONLY, 0600));
	printf("second create after one shot: %d\n", got_io > 0);
	unlink("/tmp/cvt-dn/b");
	unlink("/tmp/cvt-dn/c");
	unlink("/tmp/cvt-dn/e");
	unlink("/tmp/cvt-dn/f");
	unlink("/tmp/cvt-dn/g");
	rmdir("/tmp/cvt-dn");
	unlink("/tmp/cvt-dn-file");
	return 0;
}
