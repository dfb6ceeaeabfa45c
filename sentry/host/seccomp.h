/*
 * The vetted list of host system calls (seccomp.c): the sentry's shared
 * rules, and the rules each part that makes host calls of its own (a
 * platform) contributes, merged into one filter at start-up.
 */
#pragma once

#include <seccomp.h>
#include <stddef.h>

/* One allowed call: by name, with its argument limits and the reason it is needed. */
struct host_rule {
	const char *name;
	const char *reason;
	int argc;                    /* 0: any arguments; -1: the gofers' sockets only (arg 0);
				      * -2: the veth's packet socket only (arg 0) and args[0];
				      * -3: the platform's file socket only (arg 0) and args[0];
				      * -4: the stubs' end of it only (arg 0) and args[0] */
	struct scmp_arg_cmp args[2]; /* all must hold */
};

#define HOST_ANY(n, why) {n, why, 0, {{0}}}
/* Limited to the gofers' sockets, whose numbers are only known at start-up. */
#define HOST_GOFER(n, why) {n, why, -1, {{0}}}
/* Limited to the veth's packet socket (none without one) and one more condition. */
#define HOST_PACKET(n, why, c) {n, why, -2, {c}}
/* Limited to the socket the platform sends its stubs files on (plat_file_sock), and one more condition. */
#define HOST_FILESOCK(n, why, c) {n, why, -3, {c}}
/* Limited to the stubs' end of that socket, where the sentry keeps it (plat_file_peer), and one more condition. */
#define HOST_FILEPEER(n, why, c) {n, why, -4, {c}}
#define HOST_ONE(n, why, c) {n, why, 1, {c}}
#define HOST_TWO(n, why, c1, c2) {n, why, 2, {c1, c2}}
/*
 * A process or thread id in 0..INT_MAX as the kernel reads it (an int,
 * from the low half of the register).  The sentry is pid 1 of a pid
 * namespace of its own (runsc-shim/confine.c), so an id names only the
 * sandbox's own processes; tgkill refuses 0 itself, and kill(2), which
 * would read 0 as cvisor's process group, is on no list.
 */
#define HOST_PID_ONLY SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffff80000000ULL, 0)

/* The rules of one part of cvisor, named for --print-host-syscalls ("platform/ptrace"). */
struct host_rules {
	const char *part;
	const struct host_rule *rules;
	size_t n;
};

/*
 * Installs the shared list and extra's rules (NULL: none) on every sentry
 * thread; the gofer rules allow each of the nsocks sockets in socks, the
 * packet rules packet_fd (-1: no veth, and they allow nothing), the file
 * socket rules file_sock[0] and the rules of its stubs' end file_sock[1]
 * (-1: none).
 */
int host_seccomp_install(const int *socks, size_t nsocks, int packet_fd, const int file_sock[2],
			 const struct host_rules *extra);
/* Prints every rule of the shared list and of extra, each with its reason and part. */
void host_seccomp_print(int fd, const struct host_rules *extra);
