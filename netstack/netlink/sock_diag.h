/*
 * What NETLINK_SOCK_DIAG (ss) reports of an AF_INET/AF_INET6 socket beyond
 * its struct inet_sock: a transport registers hooks that find its sockets
 * and fill this in (TCP: its state, queues and timer; UDP: its queues).
 * Without them, sock_diag lists the port table's sockets of the protocol
 * with what inet_sock knows: LISTEN when listening, ESTABLISHED when
 * connected (a remote port), else CLOSE, with empty queues.
 *
 * Locking: sentry_lock; the hook runs under it and must not change s.
 */
#pragma once

#include <stdint.h>

struct inet_sock;
struct netns;

struct sock_diag_info {
	int state;             /* TCP_ESTABLISHED... (<netinet/tcp.h>); UDP: TCP_CLOSE or TCP_ESTABLISHED */
	uint32_t rqueue;       /* bytes waiting to be read; a listener: connections waiting for accept */
	uint32_t wqueue;       /* bytes not yet acknowledged; a listener: its backlog */
	int timer;             /* 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe */
	uint32_t expires_ms;   /* until the timer fires */
	int retrans;
};

/*
 * A transport's part (TCP's, UDP's), registered at start-up with SOCK_DIAG.
 * for_each walks every socket of the protocol in ns, connections the port
 * table does not hold included (NULL: inet_for_each); fill adds what it
 * knows to d, which comes filled with the defaults above (NULL: those).
 */
struct sock_diag_ops {
	int protocol;
	void (*for_each)(struct netns *ns, void (*fn)(struct inet_sock *s, void *arg), void *arg);
	void (*fill)(const struct inet_sock *s, struct sock_diag_info *d);
};

/*
 * Weak, so that a transport linked without netlink (tests/unit's TCP test)
 * registers with nobody.
 */
__attribute__((weak)) void sock_diag_register(const struct sock_diag_ops *ops);
#define SOCK_DIAG(o) \
	__attribute__((constructor)) static void register_##o(void) \
	{ \
		if (sock_diag_register) \
			sock_diag_register(&o); \
	}
