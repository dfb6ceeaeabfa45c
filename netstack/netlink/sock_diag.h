/*
 * What NETLINK_SOCK_DIAG (ss) reports of an AF_INET/AF_INET6 socket beyond
 * its struct inet_sock: a transport registers a hook that fills it (TCP:
 * its state, queues and timer; UDP: its queues).  Without one, sock_diag
 * reports what inet_sock knows: LISTEN when listening, ESTABLISHED when
 * connected (a remote port), else CLOSE, with empty queues.
 *
 * Locking: sentry_lock; the hook runs under it and must not change s.
 */
#pragma once

#include <stdint.h>

struct inet_sock;

struct sock_diag_info {
	int state;             /* TCP_ESTABLISHED... (<netinet/tcp.h>); UDP: TCP_CLOSE or TCP_ESTABLISHED */
	uint32_t rqueue;       /* bytes waiting to be read; a listener: connections waiting for accept */
	uint32_t wqueue;       /* bytes not yet acknowledged; a listener: its backlog */
	int timer;             /* 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe */
	uint32_t expires_ms;   /* until the timer fires */
	int retrans;
};

/* Fills d for s (d comes with the defaults above filled in). */
typedef void (*sock_diag_fill_fn)(const struct inet_sock *s, struct sock_diag_info *d);

/* Registers protocol's hook (IPPROTO_TCP, IPPROTO_UDP), at start-up. */
void sock_diag_register(int protocol, sock_diag_fill_fn fn);
