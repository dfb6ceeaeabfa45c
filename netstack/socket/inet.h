/*
 * AF_INET and AF_INET6 sockets on the socket layer (vfs/socket.h).
 *
 * socket(2) finds the family (SOCK_FAMILY in inet.c), which finds the
 * transport by type and protocol (INET_TYPE: TCP for SOCK_STREAM, UDP for
 * SOCK_DGRAM, ping sockets for SOCK_DGRAM/IPPROTO_ICMP...).  The transport
 * makes the file: its socket_ops and file_ops, with a struct inet_sock at
 * the start of its own socket struct.  What every transport shares lives
 * here: the options of SOL_SOCKET and IPPROTO_IP/IPV6, sockaddr decoding,
 * the table of bound ports, and waiting.
 *
 * Locking: sentry_lock (see netstack.h).  After any change a poller may
 * see, a transport calls vfs_notify(s->ino).
 */
#pragma once

#include <stdint.h>
#include <sys/socket.h>

#include "../netstack.h"

struct inode;

struct inet_sock {
	struct netns *ns;       /* reference: the namespace of the task that made it, until it is freed */
	struct inode *ino;      /* its file's inode: wait queue and poll generation */
	int family;             /* AF_INET or AF_INET6, as created */
	int type, protocol;
	/* Bound and connected ends: v4-mapped for IPv4; ports host order, 0 for none. */
	struct in6_addr laddr, raddr;
	uint16_t lport, rport;
	int bound;              /* on the port table */
	int bound_ifindex;      /* SO_BINDTODEVICE */
	int v6only;             /* IPV6_V6ONLY */
	int reuseaddr, reuseport, keepalive, broadcast, oobinline, dontroute, passcred, timestamp;
	int rcvbuf, sndbuf;     /* as Linux reports them: twice what was set, within its bounds */
	int rcvlowat;
	int so_error;           /* SO_ERROR: taken (and cleared) by getsockopt */
	int linger_on, linger_s;
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0: forever */
	int priority;
	uint32_t mark;
	int tos, ttl, hoplimit; /* -1: the default */
	int pktinfo, recvtos, recvttl, recverr; /* IP_PKTINFO/IPV6_RECVPKTINFO, ... */
	int pmtudisc;
	int rd_shut, wr_shut;
	/* Added with the first stack (netip): */
	struct inet_sock *bind_next; /* the port table's chain (inet_port_bind) */
	int listening;          /* TCP: set by listen; SO_ACCEPTCONN and the port rules read it */
	uint32_t uid;           /* the creator's euid: SO_REUSEPORT groups, /proc/net's uid column */
	int tclass;             /* IPV6_TCLASS, -1: the default */
	int recvtclass, recvhoplimit, mc_loop, mc_ttl, freebind, hdrincl, recvorigdstaddr;
	size_t rmem_alloc;      /* received bytes queued (their true size): SO_RCVBUF's measure, /proc/net's rx_queue */
	struct inet_mcast *mc;  /* groups joined (IP_ADD_MEMBERSHIP...), each counted on its interface */
	int mc_count;
	int mc_ifindex;         /* IP_MULTICAST_IF/IPV6_MULTICAST_IF: 0 for the route's */
	uint32_t mc_addr;       /* IP_MULTICAST_IF's address as given (getsockopt shows it) */
};

/* One group a socket joined. */
struct inet_mcast {
	struct inet_mcast *next;
	struct in6_addr group;
	int ifindex;
};

/* A transport's way of making sockets of one type (and protocol). */
struct inet_type {
	int type;               /* SOCK_STREAM, SOCK_DGRAM, SOCK_RAW */
	int protocol;           /* IPPROTO_TCP...: protocol 0 picks the type's is_default one, else the
				 * first registered for type; -1: any but 0 (raw sockets) */
	int needs_cap;          /* raw sockets: CAP_NET_RAW */
	int is_default;         /* protocol 0 picks this one of its type (UDP among UDP and ping) */
	/* A new socket file (flags: O_NONBLOCK) in *out; its inet_sock filled by inet_sock_init. */
	long (*create)(struct netns *ns, int family, int protocol, int flags, struct file **out);
};

void inet_register_type(const struct inet_type *t);
#define INET_TYPE(t) \
	__attribute__((constructor)) static void register_##t(void) { inet_register_type(&t); }

/* Fills the shared part of a new socket with Linux's defaults. */
void inet_sock_init(struct inet_sock *s, struct netns *ns, struct inode *ino, int family, int type, int protocol);
/* Lets go of what the shared part holds (the groups it joined): every transport's release calls it. */
void inet_sock_destroy(struct inet_sock *s);

/*
 * A sockaddr from the application (already in sentry memory) as an
 * address and port for s: AF_INET into v4-mapped, AF_INET6 as is (a
 * v4-mapped one refused on a v6only socket).  -EINVAL for a short length,
 * -EAFNOSUPPORT for a wrong family, as Linux.
 */
long inet_addr_in(const struct inet_sock *s, const struct sockaddr *sa, socklen_t len, struct in6_addr *addr,
		  uint16_t *port);
/* The sockaddr s's family shows for addr and port. */
void inet_addr_out(const struct inet_sock *s, const struct in6_addr *addr, uint16_t port,
		   struct sockaddr_storage *ss, socklen_t *len);

/*
 * The options every transport shares (SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6):
 * 0 when handled, -ENOPROTOOPT when the transport must answer itself, or
 * another -errno.
 */
long inet_getsockopt(struct inet_sock *s, int level, int name, void *val, socklen_t *len);
long inet_setsockopt(struct inet_sock *s, int level, int name, const void *val, socklen_t len);

/*
 * The bound-port table of s->protocol in s->ns.  inet_port_bind puts s
 * there at addr and port (0: an ephemeral one from the namespace's
 * range); -EADDRINUSE unless SO_REUSEADDR/SO_REUSEPORT allow sharing it as
 * Linux's rules do (listen decides for TCP: see inet_port_conflict), and
 * -EADDRNOTAVAIL for an address no interface has.  Unbind on close.
 */
long inet_port_bind(struct inet_sock *s, const struct in6_addr *addr, uint16_t port);
void inet_port_unbind(struct inet_sock *s);
/* Would a and b, bound where they are, clash (Linux's bind rules, TCP's with listen)? */
int inet_port_conflict(const struct inet_sock *a, const struct inet_sock *b);
/* Does another bound socket clash with s where it is (TCP's listen checks again)? */
int inet_port_in_use(const struct inet_sock *s);
/* Is addr the wildcard of its family (:: or 0.0.0.0 v4-mapped)? */
int inet_addr_any(const struct in6_addr *addr);
/*
 * The socket of protocol that gets a packet from src:sport to dst:dport:
 * a connected one matching all four first, then one bound to dst (or the
 * wildcard) and dport.  NULL when none.
 */
struct inet_sock *inet_lookup(struct netns *ns, int protocol, const struct in6_addr *src, uint16_t sport,
			      const struct in6_addr *dst, uint16_t dport, int ifindex);
/* Every socket of protocol in ns, for /proc/net and sock_diag (under sentry_lock, no changes). */
void inet_for_each(struct netns *ns, int protocol, void (*fn)(struct inet_sock *s, void *arg), void *arg);
/* Every raw socket of ns of one family (AF_INET6 when v6), which the port tables do not hold. */
void raw_for_each(struct netns *ns, int v6, void (*fn)(struct inet_sock *s, void *arg), void *arg);

struct umsg;
/*
 * Appends a control message to what recvmsg gives back (m->ctl, at most
 * m->ctlcap bytes); MSG_CTRUNC in *msg_flags when it does not fit.
 */
void inet_put_cmsg(struct umsg *m, int level, int type, const void *data, size_t len, int *msg_flags);

/*
 * The interface ioctls every inet socket answers (SIOCGIFCONF, SIOCGIFADDR,
 * SIOCGIFFLAGS...), guest memory through the mm copy helpers: -ENOTTY
 * for a request that is none of them.
 */
long inet_ioctl(struct inet_sock *s, struct task *t, unsigned long req, uint64_t arg);

/* SO_RCVTIMEO/SO_SNDTIMEO as a deadline for inet_wait (host realtime ns, 0: none). */
uint64_t inet_deadline(uint64_t timeo_ns);

/*
 * Waits for a change on s (its inode's queue), at most until deadline
 * (host realtime ns, 0: none).  0 after a wake (check again), -EAGAIN when
 * nonblock, -ETIMEDOUT past deadline (the caller answers EAGAIN as
 * SO_RCVTIMEO wants), -EINTR/-ERESTARTSYS for a signal.
 */
long inet_wait(struct task *t, struct inet_sock *s, int nonblock, uint64_t deadline);
