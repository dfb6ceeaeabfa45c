/*
 * The veth of --network=sandbox and --net-ns: an Ethernet interface whose
 * frames are read and written on the AF_PACKET socket cvisor opened on it
 * and handed over (net_config.packet_fd).  The host kernel in that
 * namespace holds no address on the interface, so every frame that
 * matters is the stack's; its sockets never see the application's traffic.
 *
 * Receiving: one sentry thread blocks in recvmmsg(2) on the socket,
 * outside sentry_lock, which returns up to PACKET_BATCH frames (waiting
 * for the first only), and hands them to Ethernet (eth_rcv) under it, all
 * in one send batch (net_tx_batch_begin): the ACKs and answers they call
 * for go out together at its end.  Sending: a frame sent outside a batch
 * goes at once; inside one it is copied to the link's queue, and the
 * batch's end sends the queue with one sendmmsg(2).  So a burst of frames
 * costs a host call for each PACKET_BATCH of them, each way, rather than
 * one a frame.  The vetted list has recvmmsg and sendmmsg for this socket
 * alone; a TPACKET_V3 ring would have needed poll(2) besides (and makes
 * a block of frames wait for its timeout when the link is quiet).
 *
 * The socket has PACKET_VNET_HDR: each frame comes after a virtio_net_hdr.
 * A frame the peer's kernel sent with checksum offload (a veth offers it,
 * so the host end's TCP and UDP use it) carries only the pseudo-header's
 * sum, and the header says where the real one goes.  Such a frame never
 * crossed a wire: as Linux takes a CHECKSUM_PARTIAL packet, the stack
 * takes its transport checksum as good (PKB_CSUM_PARTIAL) and neither
 * completes nor checks it (both were two passes over every byte of a
 * bulk transfer); a header pointing outside the frame drops it.  A peer
 * that lies gains nothing it could not have by sending a right sum.  Ours
 * go out with a zeroed header (nothing offloaded).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/virtio_net.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "../../sentry/host/host.h"
#include "../../sentry/kernel/task.h"
#include "../../sentry/log.h"
#include "../core/ip.h"
#include "../ethernet/ethernet.h"

/* The largest frame read: 64 KiB (a veth's MTU can be raised that far; a GSO frame is no larger), its headers. */
#define PACKET_FRAME_MAX (sizeof(struct virtio_net_hdr) + ETH_HDR_LEN + 65536)
/* Frames a recvmmsg or a sendmmsg moves at most. */
#define PACKET_BATCH 32
/* Bytes of frames a send batch queues at most before it sends them (a frame is at most ETH_HDR_LEN + 65536). */
#define PACKET_TXQ_BYTES (256 << 10)

struct packet_link {
	int fd;                /* the AF_PACKET socket; never closed while the sentry lives */
	/* The send queue, under sentry_lock: frames [0, ntx) in txbuf[0, txused). */
	unsigned ntx;
	size_t txused;
	unsigned char *txbuf;  /* PACKET_TXQ_BYTES */
	unsigned char *rxbuf;  /* the receive thread's: PACKET_BATCH frames of PACKET_FRAME_MAX */
	struct mmsghdr txmsg[PACKET_BATCH];
	struct iovec txiov[PACKET_BATCH][2];
};

static void packet_flush(struct netif *ifp);
static const struct netif_ops packet_ops = {.xmit = eth_xmit, .out = packet_link_out, .flush = packet_flush};
static const struct virtio_net_hdr no_offload; /* what our frames go with */

/*
 * Sends the queued frames, as few sendmmsg calls as the socket takes.  A
 * full socket send queue (ENOBUFS, or EAGAIN past the socket's 1 ms send
 * timeout) loses the frame it stopped at, as a full device queue would:
 * TCP sends it again.
 */
static void packet_flush(struct netif *ifp)
{
	struct packet_link *l = ifp->priv;
	unsigned i = 0;
	long n;

	while (i < l->ntx) {
		n = host_sendmmsg(l->fd, l->txmsg + i, l->ntx - i);
		if (n == -EINTR)
			continue;
		if (n <= 0) {
			/* eth_send counted it as sent when it was queued. */
			ifp->stats.tx_errors++;
			ifp->stats.tx_packets--;
			ifp->stats.tx_bytes -= l->txiov[i][1].iov_len;
			i++;
			continue;
		}
		i += (unsigned)n;
	}
	l->ntx = 0;
	l->txused = 0;
}

int packet_link_out(struct netif *ifp, const unsigned char *frame, size_t len)
{
	struct packet_link *l = ifp->priv;
	struct iovec *iov;
	long n;

	if (!net_tx_batching() || len > PACKET_TXQ_BYTES) {
		struct iovec one[2] = {{(void *)&no_offload, sizeof(no_offload)}, {(void *)frame, len}};
		struct mmsghdr m = {.msg_hdr = {.msg_iov = one, .msg_iovlen = 2}};

		do
			n = host_sendmmsg(l->fd, &m, 1);
		while (n == -EINTR);
		return n < 0 ? (int)n : n == 1 ? 0 : -ENOBUFS;
	}
	if (l->ntx == PACKET_BATCH || l->txused + len > PACKET_TXQ_BYTES)
		packet_flush(ifp);
	/* The caller's buffer is its own again when we return: the frame is copied. */
	memcpy(l->txbuf + l->txused, frame, len);
	iov = l->txiov[l->ntx];
	iov[0] = (struct iovec){(void *)&no_offload, sizeof(no_offload)};
	iov[1] = (struct iovec){l->txbuf + l->txused, len};
	l->txmsg[l->ntx] = (struct mmsghdr){.msg_hdr = {.msg_iov = iov, .msg_iovlen = 2}};
	l->ntx++;
	l->txused += len;
	netif_tx_queued(ifp);
	return 0;
}

/* Does h, a header saying the sender's kernel left the checksum to the device, point inside frame[0..len)? */
static int csum_partial_ok(const struct virtio_net_hdr *h, size_t len)
{
	size_t start = h->csum_start, at = start + h->csum_offset;

	return start >= ETH_HDR_LEN && start <= len && at + 2 <= len;
}

void packet_link_rx(struct netif *ifp, unsigned char *frame, size_t len, int truncated)
{
	struct virtio_net_hdr vh;
	uint32_t pflags = 0;

	if (truncated || len < sizeof(vh)) {
		ifp->stats.rx_errors++;
		return;
	}
	memcpy(&vh, frame, sizeof(vh));
	frame += sizeof(vh);
	len -= sizeof(vh);
	if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!csum_partial_ok(&vh, len)) {
			ifp->stats.rx_errors++;
			return;
		}
		pflags = PKB_CSUM_PARTIAL;
	}
	eth_rcv(ifp, frame, len, pflags);
}

static void *rx_thread(void *arg)
{
	struct netif *ifp = arg;
	struct packet_link *l = ifp->priv;
	/* This thread's alone: PACKET_BATCH frames of PACKET_FRAME_MAX, pages the host fills as frames come. */
	unsigned char *frames = l->rxbuf;
	static struct mmsghdr msg[PACKET_BATCH];
	static struct iovec iov[PACKET_BATCH];
	sigset_t all;
	long n, i;

	/* Signals are for the application's tasks and the forwarder, never this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		for (i = 0; i < PACKET_BATCH; i++) {
			iov[i] = (struct iovec){frames + (size_t)i * PACKET_FRAME_MAX, PACKET_FRAME_MAX};
			msg[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
		}
		n = host_recvmmsg(l->fd, msg, PACKET_BATCH);
		if (n == -EINTR || n == -ENETDOWN)
			continue;
		if (n < 0) {
			log_warn("the veth's packet socket failed (%s): the sandbox's eth0 receives nothing more",
				 strerror((int)-n));
			return NULL;
		}
		pthread_mutex_lock(&sentry_lock);
		net_tx_batch_begin();
		for (i = 0; i < n && i < PACKET_BATCH; i++) {
			size_t len = msg[i].msg_len < PACKET_FRAME_MAX ? msg[i].msg_len : PACKET_FRAME_MAX;

			packet_link_rx(ifp, iov[i].iov_base, len, !!(msg[i].msg_hdr.msg_flags & MSG_TRUNC));
		}
		net_tx_batch_end();
		pthread_mutex_unlock(&sentry_lock);
	}
}

/* c's routes, and the addresses' own (netif_addr_add makes those). */
static int add_routes(struct netns *ns, struct netif *ifp, const struct net_config *c)
{
	int i, r;

	for (i = 0; i < c->nroutes; i++) {
		struct net_route rt = {.dst = c->routes[i].dst, .prefixlen = c->routes[i].prefixlen,
				       .gateway = c->routes[i].gateway, .dev = ifp, .table = RT_TABLE_MAIN,
				       .protocol = RTPROT_BOOT, .type = RTN_UNICAST};

		rt.scope = IN6_IS_ADDR_UNSPECIFIED(&rt.gateway) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
		rt.metric = net_addr_is_v4(&rt.dst) ? 0 : 1024; /* Linux's defaults */
		r = net_route_add(ns, &rt);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

int packet_link_init(struct netns *ns, const struct net_config *c)
{
	struct netif *ifp = calloc(1, sizeof(*ifp));
	struct packet_link *l = calloc(1, sizeof(*l));
	pthread_attr_t attr;
	pthread_t th;
	int i, r;

	if (l) {
		l->txbuf = malloc(PACKET_TXQ_BYTES);
		l->rxbuf = malloc((size_t)PACKET_BATCH * PACKET_FRAME_MAX);
	}
	if (!ifp || !l || !l->txbuf || !l->rxbuf) {
		if (l) {
			free(l->txbuf);
			free(l->rxbuf);
		}
		free(ifp);
		free(l);
		return -ENOMEM;
	}
	l->fd = c->packet_fd;
	snprintf(ifp->name, sizeof(ifp->name), "%s", c->ifname[0] ? c->ifname : "eth0");
	ifp->flags = IFF_BROADCAST | IFF_MULTICAST;
	ifp->mtu = c->mtu >= 68 && c->mtu <= 65536 ? c->mtu : 1500;
	ifp->type = ARPHRD_ETHER;
	memcpy(ifp->hwaddr, c->hwaddr, ETH_ADDR_LEN);
	memset(ifp->broadcast, 0xff, ETH_ADDR_LEN);
	ifp->hwlen = ETH_ADDR_LEN;
	ifp->ops = &packet_ops;
	ifp->priv = l;
	netif_register(ns, ifp);
	r = netif_set_up(ifp, 1);
	for (i = 0; r == 0 && i < c->naddrs; i++) {
		const struct in6_addr *a = &c->addrs[i].addr;
		int scope = !net_addr_is_v4(a) && a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80
				    ? RT_SCOPE_LINK
				    : RT_SCOPE_UNIVERSE;

		r = netif_addr_add(ifp, a, c->addrs[i].prefixlen, scope, IFA_F_PERMANENT);
	}
	if (r == 0)
		r = add_routes(ns, ifp, c);
	if (r < 0)
		return r;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 128 << 10);
	r = -pthread_create(&th, &attr, rx_thread, ifp);
	pthread_attr_destroy(&attr);
	return r;
}
