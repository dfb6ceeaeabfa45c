/*
 * netstack: cvisor's own TCP/IP stack.  No host socket ever carries an
 * application's traffic; loopback never leaves the sentry, and a sandbox
 * with --network=sandbox exchanges Ethernet frames with its veth through
 * one AF_PACKET socket the sentry opened before its seccomp filter.
 *
 * Layout (each folder owns its layer and its wire formats):
 *   netstack/core/    packet buffers, interfaces, the receive backlog, routes,
 *                     counters, network namespaces
 *   netstack/link/    loopback; the packet-socket endpoint (veth)
 *   netstack/ethernet/, arp/     Ethernet framing and ARP
 *   netstack/ipv4/, ipv6/        IP in and out, fragments, NDP
 *   netstack/icmp/               ICMP and ICMPv6: echo, errors to sockets
 *   netstack/udp/, tcp/          transports (tcp: tcp.c state machine,
 *                                tcp_in.c, tcp_out.c, tcp_timer.c, tcp_cong.c)
 *   netstack/socket/             AF_INET/AF_INET6 on the socket layer
 *                                (vfs/socket.h): types, ports, options
 *   netstack/netlink/            AF_NETLINK (NETLINK_ROUTE, SOCK_DIAG)
 *
 * Dependencies run one way: netstack uses vfs (files, inodes, wait queues
 * through vfs_notify), sentry/kernel (tasks, timers, blocking) and
 * sentry/mm (memory charges); nothing below calls into netstack except
 * through a registry (SOCK_FAMILY, PROC_NET_FILE) and sentry start-up.
 *
 * Locking: everything here runs under sentry_lock, as the rest of the
 * sentry.  Nothing here sleeps: socket calls that must wait do so in
 * task_block on the socket's inode queue (vfs_notify wakes it), with the
 * condition checked again after each wake.  Timers (struct ktimer with fn
 * set) fire on the timer thread, also under sentry_lock.
 *
 * Addresses: inside the stack every IP address is a struct in6_addr; an
 * IPv4 address is held in its v4-mapped form (::ffff:a.b.c.d), so one
 * socket type serves AF_INET, AF_INET6 and dual-stack AF_INET6 sockets.
 * Ports are in host byte order everywhere but on the wire.
 *
 * Includers define _GNU_SOURCE first (s6_addr32).
 */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "../sentry/kernel/ns.h"
#include "../sentry/kernel/timer.h"

struct file;
struct task;
struct netif;
struct netns;

/* ---- addresses ---- */

static inline int net_addr_is_v4(const struct in6_addr *a)
{
	return a->s6_addr32[0] == 0 && a->s6_addr32[1] == 0 && a->s6_addr32[2] == htonl(0xffff);
}

/* The IPv4 address (network order) held in a v4-mapped a. */
static inline uint32_t net_addr_v4(const struct in6_addr *a)
{
	return a->s6_addr32[3];
}

/* a = the v4-mapped form of v4 (network order). */
static inline void net_addr_from_v4(struct in6_addr *a, uint32_t v4)
{
	a->s6_addr32[0] = 0;
	a->s6_addr32[1] = 0;
	a->s6_addr32[2] = htonl(0xffff);
	a->s6_addr32[3] = v4;
}

/* ---- packet buffers ---- */

/*
 * One packet: data[0..len) inside a buffer with headroom before it, so
 * each layer on the way out prepends its header (pkb_push) without a copy,
 * and each layer on the way in strips its own (pkb_pull).  A buffer may be
 * shared (pkb_clone: TCP keeps a segment for retransmission while the same
 * bytes travel); a shared buffer's bytes are never written.
 */
struct pkb {
	struct pkb *next;      /* queues (the backlog, a socket's receive queue) */
	unsigned char *data;
	size_t len;
	struct pkb_shared *buf; /* the bytes, with a reference count */
	struct netif *dev;     /* received on / leaving by */
	uint16_t proto;        /* ETH_P_IP or ETH_P_IPV6 (host order) */
	uint16_t nh_off;       /* network header: data - nh_off before pulls, see pkb_network */
	uint32_t flags;        /* PKB_* */
	uint64_t tstamp_ns;    /* arrival, host realtime (SO_TIMESTAMP) */
	/* Scratch for the layer that holds the packet (TCP's sequence numbers...). */
	uint64_t cb[6];
};

enum {
	/* Came over loopback: no checksum was computed and none is checked. */
	PKB_CSUM_NONE = 1 << 0,
	PKB_BROADCAST = 1 << 1,
	PKB_MULTICAST = 1 << 2,
	PKB_OTHERHOST = 1 << 3,
	/*
	 * Came over the veth with its transport checksum left to the device
	 * (the peer's kernel offloaded it; the frame's virtio_net_hdr said
	 * so): as Linux's CHECKSUM_PARTIAL, not computed and not checked.
	 */
	PKB_CSUM_PARTIAL = 1 << 4,
};
/* The flags under which TCP, UDP and ICMP check no checksum. */
#define PKB_L4_CSUM_UNCHECKED (PKB_CSUM_NONE | PKB_CSUM_PARTIAL)

/* A packet with room for headroom bytes of headers before len bytes of data (len set, bytes undefined). */
struct pkb *pkb_alloc(size_t headroom, size_t len);
/* Another packet sharing p's bytes (both read-only from now on). */
struct pkb *pkb_clone(struct pkb *p);
void pkb_free(struct pkb *p);
/* Prepends n bytes (a header) and returns where they start; NULL if the headroom is gone. */
void *pkb_push(struct pkb *p, size_t n);
/* Strips n bytes from the front; returns the new start, NULL if fewer than n are there. */
void *pkb_pull(struct pkb *p, size_t n);
/* Cuts the packet to n bytes (IP's total length below what the link delivered). */
void pkb_trim(struct pkb *p, size_t n);
/* The memory p holds (its buffer's bytes and bookkeeping): what a socket's SO_RCVBUF is charged. */
size_t pkb_truesize(const struct pkb *p);

/* ---- checksums (RFC 1071) ---- */

/* Adds len bytes at p to a running 32-bit sum. */
uint32_t net_csum_add(uint32_t sum, const void *p, size_t len);
/* Folds a running sum to the 16-bit one's complement checksum (network order, ready to store). */
uint16_t net_csum_fold(uint32_t sum);
/* The pseudo-header sum of TCP/UDP/ICMPv6 for src, dst (v4-mapped means IPv4), protocol and length. */
uint32_t net_csum_pseudo(const struct in6_addr *src, const struct in6_addr *dst, int protocol, size_t len);

/* ---- interfaces ---- */

struct netif_ops {
	/*
	 * Sends p (an IP packet, proto set; next_hop is the neighbour for
	 * links that need one).  Takes p in every case.  Never sleeps:
	 * loopback queues p on the receive backlog (net_rx); a veth sends
	 * the frame at once, or inside a send batch (net_tx_batch_begin)
	 * queues it for the batch's end.
	 */
	int (*xmit)(struct netif *ifp, struct pkb *p, const struct in6_addr *next_hop);
	/*
	 * Ethernet links: writes one whole frame (len bytes at frame, not
	 * kept) to the wire.  0 or -errno.  NULL for links without frames (lo).
	 */
	int (*out)(struct netif *ifp, const unsigned char *frame, size_t len);
	/* The interface of the other end of the link, or NULL (a veth's peer, which may be in another namespace). */
	struct netif *(*peer)(const struct netif *ifp);
	/*
	 * The interface is about to be deleted (netif_delete, or its
	 * namespace's teardown): frees priv.  A veth's two ends forget each
	 * other here, and netif_delete then deletes the peer it had.  NULL:
	 * nothing to do; the interface cannot be deleted (ip link del: EOPNOTSUPP).
	 */
	void (*dellink)(struct netif *ifp);
	/* "veth": IFLA_INFO_KIND; NULL for lo and the sandbox's own Ethernet link. */
	const char *kind;
	/* May move to another namespace (ip link set netns): lo and the sandbox's eth0 may not. */
	int movable;
	/* Sends what xmit queued in a batch (called by net_tx_batch_end); NULL for links that queue nothing. */
	void (*flush)(struct netif *ifp);
};

struct netif_addr {
	struct netif_addr *next;
	struct in6_addr addr;  /* v4-mapped for IPv4 */
	int prefixlen;         /* of the IPv4 or IPv6 address (0..32 or 0..128) */
	int scope;             /* RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE */
	uint32_t flags;        /* IFA_F_* */
	char label[16];
};

struct netif_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};

/* A route (see "routes" below). */
struct net_route {
	struct net_route *next;
	struct in6_addr dst;   /* v4-mapped for IPv4 routes */
	int prefixlen;         /* of dst's family */
	struct in6_addr gateway; /* unspecified: on-link */
	struct in6_addr prefsrc; /* unspecified: chosen by the address rules */
	struct netif *dev;
	uint32_t metric;
	unsigned char table, protocol, scope, type; /* RT_TABLE_*, RTPROT_*, RT_SCOPE_*, RTN_* */
};

struct netif {
	struct netif *next;    /* the namespace's list, by index */
	struct netns *ns;
	int index;
	char name[16];
	unsigned flags;        /* IFF_UP, IFF_LOOPBACK, IFF_RUNNING, IFF_BROADCAST, IFF_MULTICAST */
	unsigned mtu;          /* lo: 65536, as Linux */
	unsigned short type;   /* ARPHRD_LOOPBACK, ARPHRD_ETHER */
	unsigned char hwaddr[6], broadcast[6];
	int hwlen;
	int no_csum;           /* loopback: checksums neither made nor checked */
	int was_up;            /* has been up: Linux gives a device its qdisc then ("noop" before, and after a move) */
	unsigned nqueues;      /* transmit and receive queues (a veth has one per CPU, as Linux's); 0: 1 */
	int forwarding;        /* ipv4/conf/<name>/forwarding: IPv4 that comes in by it for another host is routed on */
	struct netns *move_to; /* while netif_move tells it gone: where it goes, and its index there */
	int move_index;
	struct netif_addr *addrs;
	struct netif_mcast *mcast; /* the multicast groups joined on it, each with its count of sockets */
	struct net_route mroute;   /* what net_route_lookup answers for a group sent out here (IP_MULTICAST_IF) */
	struct netif_stats stats;
	const struct netif_ops *ops;
	void *priv;
	struct netif *tx_next; /* on the list of links with frames queued in the send batch (netif_tx_queued) */
	int tx_queued;         /* on that list */
};

/* A multicast group joined on an interface (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP). */
struct netif_mcast {
	struct netif_mcast *next;
	struct in6_addr group;  /* v4-mapped for IPv4 */
	int users;
};

/* Joins (or, with join 0, leaves) group on ifp: counted per socket.  0 or -ENOMEM. */
int netif_mc_join(struct netif *ifp, const struct in6_addr *group, int join);
/* Has group been joined on ifp? */
int netif_mc_joined(const struct netif *ifp, const struct in6_addr *group);

/* The interface of ns numbered index / named name, or NULL. */
struct netif *netif_by_index(struct netns *ns, int index);
struct netif *netif_by_name(struct netns *ns, const char *name);
/* Adds ifp (index, name, ops, mtu... set; ns and index are filled) to ns. */
void netif_register(struct netns *ns, struct netif *ifp);
/*
 * Takes ifp away and frees it, as Linux's unregister_netdevice: down
 * first, then its addresses, routes and neighbours go (each told), then
 * the link itself (RTM_DELLINK), then its own dellink (a veth's peer goes
 * with it).
 */
void netif_delete(struct netif *ifp);
/*
 * Moves ifp to namespace to (ip link set netns): down, stripped of its
 * addresses, routes and neighbours as when it is deleted, then added to
 * to with its index if free there (else the next), and told there.
 * newname, when non-NULL, is its name there.  -EINVAL if it may not move
 * (lo), -EEXIST if to has an interface of its name.  0 when to is its own.
 */
int netif_move(struct netif *ifp, struct netns *to, const char *newname);
/*
 * Is ifp's carrier on (IFF_LOWER_UP)?  lo and the sandbox's eth0 while up;
 * a veth while both ends are up.
 */
int netif_carrier(const struct netif *ifp);
/*
 * Send batches.  Between net_tx_batch_begin and the outermost
 * net_tx_batch_end a link may hold back the frames it is given and send
 * them together at the end (the veth: one sendmmsg for the lot instead of
 * a host call each).  A batch runs under sentry_lock from end to end and
 * never sleeps, so nothing waits on a frame it holds: the receive thread
 * makes one of each batch of frames it reads (the ACKs and answers they
 * call for go out together), and TCP one of each pass of tcp_output.
 * Outside a batch every frame goes at once.  Batches nest.
 */
void net_tx_batch_begin(void);
void net_tx_batch_end(void);
/* Is a batch open?  (A link's xmit then may queue, and calls netif_tx_queued.) */
int net_tx_batching(void);
/* ifp holds frames for the batch's end: its flush op is called there. */
void netif_tx_queued(struct netif *ifp);
/*
 * Brings ifp up or down (IFF_UP, IFF_RUNNING): its addresses' routes are
 * added or taken away with it (IPv4's local ones stay), its IPv6
 * addresses go when it goes down, and lo's ::1 comes back with it, as
 * Linux's.  0 or -errno.
 */
int netif_set_up(struct netif *ifp, int up);
/*
 * Gives ifp the address addr/prefixlen (v4-mapped for IPv4) and, while ifp
 * is up, the routes Linux makes for it (the local one in table local, the
 * prefix's in table main).  -EEXIST if it has it, -ENOMEM.
 */
int netif_addr_add(struct netif *ifp, const struct in6_addr *addr, int prefixlen, int scope, uint32_t flags);
/* Takes the address (and its routes) away: -EADDRNOTAVAIL if ifp has no such address. */
int netif_addr_del(struct netif *ifp, const struct in6_addr *addr, int prefixlen);
/* The interface of ns that has addr as an address (and the address), or NULL. */
struct netif *netif_with_addr(struct netns *ns, const struct in6_addr *addr, struct netif_addr **out);

/* ---- routes ---- */


/*
 * Where a packet to dst goes: the route (longest prefix, lowest metric)
 * and the source address to use from it; -ENETUNREACH when none.  A
 * socket bound to an interface (SO_BINDTODEVICE) passes its index, else 0.
 */
int net_route_lookup(struct netns *ns, const struct in6_addr *dst, int ifindex, struct net_route **rt,
		     struct in6_addr *src);
/*
 * May a packet from src take route rt?  An IPv4 loopback source leaves by
 * the loopback device only: -EINVAL otherwise, as Linux's route output
 * refuses it (no route_localnet).  0 when it may.
 */
int net_route_src_ok(struct netns *ns, const struct net_route *rt, const struct in6_addr *src);
/* Adds a copy of r (next ignored): -EEXIST for the same table, dst, prefix and metric; -ENOMEM. */
int net_route_add(struct netns *ns, const struct net_route *r);
/* Removes the route of table to dst/prefixlen (dev and metric when set): -ESRCH if none. */
int net_route_del(struct netns *ns, int table, const struct in6_addr *dst, int prefixlen, struct netif *dev,
		  uint32_t metric);
/*
 * dev went down: its routes go, but IPv4's local ones (Linux keeps them
 * until the address goes, and tells no one of the IPv4 routes it drops).
 */
void net_route_flush_dev(struct netns *ns, struct netif *dev);

/*
 * A neighbour entry (netstack/arp/neigh.c's cache of ARP and NDP) as
 * rtnetlink shows it: a copy, made for the telling.
 */
struct net_neigh {
	struct netif *ifp;
	struct in6_addr addr;  /* v4-mapped for ARP */
	unsigned char mac[6];
	int has_mac;           /* mac is known (NDA_LLADDR) */
	uint16_t state;        /* NUD_INCOMPLETE, REACHABLE, STALE, PROBE, FAILED, PERMANENT */
	unsigned probes;
	uint64_t confirmed_ms, updated_ms; /* ago */
};
/* Calls fn for each neighbour entry of ns, oldest first. */
void net_neigh_walk(struct netns *ns, void (*fn)(void *ctx, const struct net_neigh *n), void *ctx);
/*
 * ip neigh add/replace/change: addr's entry on ifp (an Ethernet link)
 * becomes mac (NULL: none, FAILED) in state (NUD_PERMANENT: kept and
 * never asked again; NUD_REACHABLE; others stale), made if create,
 * changed only if replace (else an existing one stays); -EEXIST with
 * excl, -ENOENT, -ENOBUFS (the cache is full of entries in use).  Told.
 */
int net_neigh_set(struct netif *ifp, const struct in6_addr *addr, const unsigned char *mac, int state, int create,
		  int replace, int excl);
/* ip neigh del: -ENOENT if ifp has no entry for addr.  Told (FAILED, then gone, as Linux's). */
int net_neigh_del(struct netif *ifp, const struct in6_addr *addr);

/*
 * Who hears of changes to links, addresses and routes (rtnetlink's
 * multicast groups: ip monitor).  netstack/core calls it after each change
 * it makes, in Linux's order; netstack/netlink registers it at start-up
 * (core cannot call up into netlink itself).  added: 1 new, 0 gone.
 */
struct net_change_listener {
	void (*link)(struct netif *ifp);
	void (*link_gone)(struct netif *ifp); /* RTM_DELLINK: ifp is still whole, but off its namespace's list */
	void (*addr)(struct netif *ifp, const struct netif_addr *a, int added);
	void (*route)(struct netns *ns, const struct net_route *r, int added);
	void (*neigh)(const struct net_neigh *n, int added); /* RTM_NEWNEIGH (added 1) or RTM_DELNEIGH */
};
void net_set_change_listener(const struct net_change_listener *l);
/* Tells the listener that ifp's flags, MTU or name changed (the callers of core's own changes need not). */
void net_notify_link(struct netif *ifp);
/* ...that ifp left its namespace (deleted, or moved to another): RTM_DELLINK there. */
void net_notify_link_gone(struct netif *ifp);
/* ...that neighbour entry n changed (added 1) or went (0): netstack/arp/neigh.c's. */
void net_notify_neigh(const struct net_neigh *n, int added);
/* ...and that ifp's address a came (added 1) or is going (0): netif.c's, in Linux's order with the routes. */
void net_notify_addr(struct netif *ifp, const struct netif_addr *a, int added);
/*
 * What addr is to ns: RTN_LOCAL (one of ours, 127/8 included),
 * RTN_BROADCAST, RTN_MULTICAST, or RTN_UNICAST for anything else.
 */
int net_addr_type(struct netns *ns, const struct in6_addr *addr);

/* ---- counters ---- */

/*
 * The counters of /proc/net/snmp, snmp6 and netstat, as X(group, name):
 * group is the line's prefix ("Ip", "Udp"...), name the column.  A packet
 * dropped for being malformed is counted in the group's *HdrErrors,
 * InErrors or InCsumErrors, as Linux counts it.
 */
#define NET_MIB_LIST(X) \
	X(Ip, Forwarding) X(Ip, DefaultTTL) X(Ip, InReceives) X(Ip, InHdrErrors) X(Ip, InAddrErrors) \
	X(Ip, ForwDatagrams) X(Ip, InUnknownProtos) X(Ip, InDiscards) X(Ip, InDelivers) X(Ip, OutRequests) \
	X(Ip, OutDiscards) X(Ip, OutNoRoutes) X(Ip, ReasmTimeout) X(Ip, ReasmReqds) X(Ip, ReasmOKs) \
	X(Ip, ReasmFails) X(Ip, FragOKs) X(Ip, FragFails) X(Ip, FragCreates) X(Ip, OutTransmits) \
	X(Icmp, InMsgs) X(Icmp, InErrors) X(Icmp, InCsumErrors) X(Icmp, OutMsgs) X(Icmp, OutErrors) \
	X(Tcp, RtoAlgorithm) X(Tcp, RtoMin) X(Tcp, RtoMax) X(Tcp, MaxConn) X(Tcp, ActiveOpens) \
	X(Tcp, PassiveOpens) X(Tcp, AttemptFails) X(Tcp, EstabResets) X(Tcp, CurrEstab) X(Tcp, InSegs) \
	X(Tcp, OutSegs) X(Tcp, RetransSegs) X(Tcp, InErrs) X(Tcp, OutRsts) X(Tcp, InCsumErrors) \
	X(Udp, InDatagrams) X(Udp, NoPorts) X(Udp, InErrors) X(Udp, OutDatagrams) X(Udp, RcvbufErrors) \
	X(Udp, SndbufErrors) X(Udp, InCsumErrors) X(Udp, IgnoredMulti) X(Udp, MemErrors) \
	X(Ip6, InReceives) X(Ip6, InHdrErrors) X(Ip6, InTooBigErrors) X(Ip6, InNoRoutes) X(Ip6, InAddrErrors) \
	X(Ip6, InUnknownProtos) X(Ip6, InTruncatedPkts) X(Ip6, InDiscards) X(Ip6, InDelivers) \
	X(Ip6, OutRequests) X(Ip6, OutDiscards) X(Ip6, OutNoRoutes) X(Ip6, OutTransmits) X(Ip6, ReasmTimeout) \
	X(Ip6, ReasmReqds) X(Ip6, ReasmOKs) X(Ip6, ReasmFails) X(Ip6, FragOKs) X(Ip6, FragFails) X(Ip6, FragCreates) \
	X(Ip6, InNoECTPkts) X(Ip6, InECT1Pkts) X(Ip6, InECT0Pkts) X(Ip6, InCEPkts) \
	X(Icmp6, InMsgs) X(Icmp6, InErrors) X(Icmp6, OutMsgs) X(Icmp6, OutErrors) X(Icmp6, InCsumErrors) \
	X(Udp6, InDatagrams) X(Udp6, NoPorts) X(Udp6, InErrors) X(Udp6, OutDatagrams) X(Udp6, RcvbufErrors) \
	X(Udp6, SndbufErrors) X(Udp6, InCsumErrors) X(Udp6, IgnoredMulti) X(Udp6, MemErrors) \
	X(UdpLite, InDatagrams) X(UdpLite, NoPorts) X(UdpLite, InErrors) X(UdpLite, OutDatagrams) \
	X(UdpLite, RcvbufErrors) X(UdpLite, SndbufErrors) X(UdpLite, InCsumErrors) X(UdpLite, IgnoredMulti) \
	X(UdpLite, MemErrors) \
	X(UdpLite6, InDatagrams) X(UdpLite6, NoPorts) X(UdpLite6, InErrors) X(UdpLite6, OutDatagrams) \
	X(UdpLite6, RcvbufErrors) X(UdpLite6, SndbufErrors) X(UdpLite6, InCsumErrors) X(UdpLite6, IgnoredMulti) \
	X(UdpLite6, MemErrors)

enum {
#define NET_MIB_ENUM(g, n) NET_MIB_##g##_##n,
	NET_MIB_LIST(NET_MIB_ENUM)
#undef NET_MIB_ENUM
	NET_MIB_MAX
};

#define NET_INC(ns, g, n) ((ns)->mib[NET_MIB_##g##_##n]++)

/* ---- network namespaces ---- */

#define NET_NSIDS_MAX 16

/*
 * A namespace's settings, /proc/sys/net's (netstack/socket/sysctl.c
 * serves them), as the stack uses them: each is read where it matters
 * (a listen, a new socket, a keepalive or FIN_WAIT2 timer, an ephemeral
 * port), so a write changes what follows, as in Linux.
 */
struct net_sysctl {
	int somaxconn;                 /* core/somaxconn: listen's backlog is cut to it (4096) */
	int tcp_keepalive_time;        /* seconds; TCP_KEEPIDLE's default (7200) */
	int tcp_keepalive_intvl;       /* TCP_KEEPINTVL's (75) */
	int tcp_keepalive_probes;      /* TCP_KEEPCNT's (9) */
	int tcp_fin_timeout;           /* seconds an orphan stays in FIN_WAIT2, TCP_LINGER2's default (60) */
	int tcp_rmem[3], tcp_wmem[3];  /* a TCP socket's SO_RCVBUF/SO_SNDBUF start at [1] */
	int forwarding_all;            /* ipv4/ip_forward, conf/all/forwarding: written, every interface's follows */
	int forwarding_default;        /* ipv4/conf/default/forwarding: what a new interface's starts as */
};

/*
 * A network stack instance: interfaces, routes, bound ports and counters.
 * The sandbox starts with one (net_init_ns, which lives as long as the
 * sandbox); unshare(CLONE_NEWNET), clone and clone3 make more
 * (net_ns_new), each starting with a down lo, as Linux's.
 *
 * References (ns.refs, under sentry_lock): each task in it (task->net),
 * each socket made in it (an inet socket from creation until it is freed,
 * TIME_WAIT included; a netlink socket until it is closed) and each open
 * /proc/PID/ns/net file.  A socket keeps its namespace when its task moves
 * to another (setns).  The last reference frees it with its interfaces,
 * routes, queues and port tables (net_ns_teardown).
 */
struct netns {
	struct ns_common ns;   /* first: task->net and nsfs point here */
	struct netif *ifs;
	struct netif *lo;
	int next_ifindex;
	struct net_route *routes;
	struct pkb *backlog, *backlog_tail; /* received, not yet handed up (net_rx) */
	int draining;
	void *ports[256];      /* by IP protocol: the transport's table of bound sockets */
	uint64_t mib[NET_MIB_MAX]; /* counters of /proc/net/snmp and netstat, by NET_MIB_* */
	uint64_t icmp_types[2][2][256]; /* ICMP [0] and ICMPv6 [1] messages in [0] and out [1], by type (IcmpMsg) */
	uint32_t ip_id;        /* the next IPv4 identification */
	uint32_t ip6_frag_id;  /* the next IPv6 fragment identification */
	/* Fragments being reassembled (netstack/core/frag.c): by hash, and oldest first for the one timer. */
	struct frag_queue *frag_hash[256];
	struct frag_queue *frag_oldest, *frag_newest;
	size_t frag_mem;       /* their bytes (truesize), at most NET_FRAG_HIGH_THRESH */
	int frag_queues;
	struct ktimer frag_timer;
	int backlog_len;
	unsigned local_port_lo, local_port_hi; /* ip_local_port_range: 32768..60999 */
	struct net_sysctl sysctl;
	int fib4_made;         /* an IPv4 route was ever added (Linux's FIB tables exist: see net_addr_type) */
	struct neigh *neighs;  /* the neighbour cache of its Ethernet links (netstack/arp/neigh.c) */
	int nneighs;
	struct netns *all_next; /* every namespace of the sandbox (net_ns_for_each) */
	/*
	 * The ids this namespace gives others (IFLA_LINK_NETNSID: where a
	 * veth's peer is), given on first use from 0 up, as Linux's
	 * peernet2id_alloc; an entry goes with the namespace it names.
	 */
	struct {
		struct netns *peer;
		int id;
	} nsids[NET_NSIDS_MAX];
	int nnsids;
};

extern struct netns net_init_ns;

/*
 * Sets up ns as a new namespace: lo (down, no address), an empty route
 * table, one reference, the first namespace's inode number. 0 or -ENOMEM.
 */
int net_ns_setup(struct netns *ns);
/* A new namespace (unshare, clone: task_net_ns_new), charged to the sandbox's memory; NULL if none fits. */
struct ns_common *net_ns_new(void);
/* Frees what ns holds (interfaces, addresses, routes, queues, port tables): its last reference went. */
void net_ns_teardown(struct netns *ns);

static inline struct netns *net_ns_get(struct netns *ns)
{
	ns->ns.refs++;
	return ns;
}

static inline void net_ns_put(struct netns *ns)
{
	ns_put(&ns->ns);
}
/* The id ns gives peer (assigned now if it has none; -1 when its table is full), as Linux's peernet2id_alloc. */
int net_ns_id(struct netns *ns, struct netns *peer);
/* Brings ns's lo up with 127.0.0.1/8 and ::1/128, as the sandbox's first namespace has it. */
int net_lo_up(struct netns *ns);

/* The namespace t's sockets live in. */
struct netns *net_ns_of(struct task *t);
/* Does t hold cap over ns: in the user namespace that owns it (Linux's ns_capable(net->user_ns, cap))? */
int net_capable(const struct task *t, const struct netns *ns, int cap);

/* ---- the receive path ---- */

/*
 * Hands a packet a link received to IP.  Packets are queued and handed up
 * by the outermost call only, so loopback's send -> receive -> reply
 * chain stays one loop deep however long it runs.
 */
void net_rx(struct netif *ifp, struct pkb *p);

/* What IP tells a transport about a packet it hands up. */
struct net_rx_meta {
	struct in6_addr src, dst; /* v4-mapped for IPv4 */
	int v6;                /* came as IPv6 */
	int ttl;               /* TTL or hop limit */
	int tos;               /* TOS or traffic class */
	int ifindex;
	size_t nh_len;         /* the IP header's length, options included */
};

/* An ICMP error about a packet we sent, as a transport gets it. */
struct net_icmp_err {
	int v6;
	int type, code;
	uint32_t info;         /* next-hop MTU for "fragmentation needed"/"packet too big" */
	int err;               /* the errno it maps to (ECONNREFUSED, EHOSTUNREACH, EMSGSIZE...) */
	struct in6_addr src, dst; /* of the offending packet (ours) */
	struct in6_addr from;  /* the router or host that answered */
	const unsigned char *payload; /* the offending packet from its transport header on */
	size_t payload_len;
};

/* A transport protocol: what IP hands packets and errors to, by protocol number. */
struct net_protocol {
	int protocol;          /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6 */
	/* p starts at the transport header; takes p. */
	void (*rcv)(struct netns *ns, struct pkb *p, const struct net_rx_meta *m);
	void (*err)(struct netns *ns, const struct net_icmp_err *e);
};

void net_register_protocol(const struct net_protocol *p);
/* The transport registered for protocol, or NULL. */
const struct net_protocol *net_find_protocol(int protocol);
#define NET_PROTOCOL(p) \
	__attribute__((constructor)) static void register_##p(void) { net_register_protocol(&p); }

/* ---- the send path ---- */

struct net_tx_opts {
	int ttl;               /* -1: the default (64) */
	int tos;               /* TOS / traffic class */
	int ifindex;           /* SO_BINDTODEVICE, IP_PKTINFO: 0 for any */
	int dontfrag;          /* IP_PMTUDISC_DO: EMSGSIZE past the path MTU rather than fragments */
	/*
	 * Non-zero: the offset in p of the transport's checksum field, which
	 * IP fills (over the pseudo-header and p, ICMPv4 without one) unless
	 * the route's interface has no_csum; 0 when the transport made it.
	 * A UDP checksum that comes out 0 is sent as 0xffff.
	 */
	int csum_off;
};

/*
 * Sends p (starting at its transport header, checksum already made unless
 * the route's interface has no_csum) from src to dst, IPv4 when both are
 * v4-mapped, else IPv6.  Routes, prepends the IP header, fragments IPv4
 * if it must, and hands it to the interface.  Takes p in every case;
 * 0 or -ENETUNREACH, -EHOSTUNREACH, -EMSGSIZE, -ENOBUFS.
 */
int net_ip_output(struct netns *ns, struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst,
		  int protocol, const struct net_tx_opts *o);
/* Bytes of IP header net_ip_output prepends, and the most a transport should reserve for all headers. */
#define NET_MAX_HEADROOM 128

/* ---- start-up ---- */

#define NET_CONFIG_MAX 8

/*
 * What cvisor (runsc-shim/network.c) made or took for the stack: with
 * sandbox set, an AF_PACKET socket bound to the namespace's Ethernet
 * interface (opened before the seccomp filter; the sentry only reads and
 * writes it), that interface's name, MAC and MTU, and the addresses and
 * routes the stack takes for it (the host kernel there has none left).
 */
struct net_config {
	int sandbox;           /* --network=sandbox or --net-ns: the veth's packet socket is in packet_fd */
	int packet_fd;
	char ifname[16];
	unsigned char hwaddr[6];
	unsigned mtu;
	int naddrs, nroutes;
	struct {
		struct in6_addr addr; /* v4-mapped for IPv4 */
		int prefixlen;
	} addrs[NET_CONFIG_MAX];
	struct {
		struct in6_addr dst, gateway; /* v4-mapped for IPv4; gateway unspecified: on-link */
		int prefixlen;
	} routes[NET_CONFIG_MAX];
};

/* Brings up the sandbox's stack: lo with 127.0.0.1/8 and ::1/128 and their routes, and the veth if any. */
int net_init(const struct net_config *c);

/*
 * The sandbox's end (tcp/tcp.c): how many TCP connections its programs
 * closed still owe their peers data or a FIN, which Linux's kernel would
 * go on sending after the programs exit; and the reset of those left when
 * the sentry stops waiting.  Under sentry_lock.
 */
int tcp_unfinished(void);
void tcp_abort_unfinished(void);
