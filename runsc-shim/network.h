/*
 * The sandbox's network: flags and the namespace cvisor makes or joins
 * for it (runsc-shim/network.c says how).  Includers define _GNU_SOURCE.
 */
#pragma once

#include "../netstack/netstack.h"

enum { SHIM_NET_NONE, SHIM_NET_SANDBOX, SHIM_NET_NETNS };

struct shim_net {
	int mode;                 /* SHIM_NET_* */
	const char *netns;        /* --net-ns=PATH */
	const char *veth;         /* --veth=NAME: the host end (default cvisor-<pid>) */
	struct net_config config; /* --address, --gateway; the rest filled by shim_net_setup */
};

/*
 * Takes one of the network flags (--network=, --net-ns=, --veth=,
 * --address=, --gateway=) into n: 0; 1 when it was one but bad (the
 * message printed: 1 is the exit status); -1 when it is not a network flag.
 */
int shim_net_flag(struct shim_net *n, const char *arg);

/*
 * Makes or joins the sandbox's network namespace and enters it, as the
 * mode says, and fills n->config (the packet socket, the interface, its
 * addresses and routes) for the sentry.  Called while cvisor is one
 * thread, before the gofer starts.  0 or -errno with *step saying what failed.
 */
int shim_net_setup(struct shim_net *n, const char **step);
