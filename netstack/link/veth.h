/*
 * veth pairs inside the sandbox (veth.c), made by rtnetlink's RTM_NEWLINK
 * with IFLA_INFO_KIND "veth".  Includers define _GNU_SOURCE first.
 * Locking: sentry_lock, as the whole stack.
 */
#pragma once

#include "../netstack.h"

/*
 * Makes the pair name (in ns) and peer_name (in peer_ns), both down, with
 * random MACs, each charged to the sandbox's memory, and tells of both.
 * -EEXIST when a name is taken, -ENOMEM.  *out is name's end, *peer_out
 * (when not NULL) the other.
 */
int veth_new(struct netns *ns, const char *name, struct netns *peer_ns, const char *peer_name,
	     struct netif **out, struct netif **peer_out);
