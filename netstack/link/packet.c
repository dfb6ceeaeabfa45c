/*
 * The veth of --network=sandbox and --net-ns: an Ethernet interface whose
 * frames are read and written on the AF_PACKET socket cvisor opened on it
 * and handed over (net_config.packet_fd).  The host kernel in that
 * namespace holds no address on the interface, so every frame that
 * matters is the stack's; its sockets never see the application's traffic.
 *
 * Receiving: one sentry thread blocks in read(2) on the socket, outside
 * sentry_lock, and hands each frame to Ethernet (eth_rcv) under it.
 * Sending: one writev(2) per frame, from whichever thread sends (a task, the
 * timer thread, this one), under sentry_lock.  Both are calls the vetted
 * list had already (read, writev): batching with recvmmsg/sendmmsg or a
 * TPACKET ring would each need a call of its own (the ring, poll), and the
 * list is at its bound; a read returns one frame, a writev sends one.
 *
 * The socket has PACKET_VNET_HDR: each frame comes after a virtio_net_hdr.
 * A frame the peer's kernel sent with checksum offload (a veth offers it,
 * so the host end's TCP and UDP use it) carries only the pseudo-header's
 * sum, and the header says where the real one goes: it is completed here,
 * as the kernel's skb_checksum_help would, and then checked by the stack
 * like any other.  Ours go out with a zeroed header (nothing offloaded).
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
#include <sys/uio.h>

#include "../../sentry/host/host.h"
#include "../../sentry/kernel/task.h"
#include "../../sentry/log.h"
#include "../core/ip.h"
#include "../ethernet/ethernet.h"

/* The largest frame read: 64 KiB (a veth's MTU can be raised that far; a GSO frame is no larger), its headers. */
#define PACKET_FRAME_MAX (sizeof(struct virtio_net_hdr) + ETH_HDR_LEN + 65536)

struct packet_link {
	int fd;                /* the AF_PACKET socket; never closed while the sentry lives */
};



int packet_link_out(struct netif *ifp, const unsigned char *frame, size_t len)
{
	static const struct virtio_net_hdr none; /* no offload asked for */
	struct packet_link *l = ifp->priv;
	struct iovec iov[2] = {{(void *)&none, sizeof(none)}, {(void *)frame, len}};
	long n;

	do
		n = host_writev(l->fd, iov, 2);
	while (n == -EINTR);
	/*
	 * A full socket send queue (ENOBUFS, or EAGAIN past the socket's 1 ms
	 * send timeout) loses the frame as a full device queue would: TCP sends it again.
	 */
	return n < 0 ? (int)n : 0;
}

static const struct netif_ops packet_ops = {.xmit = eth_xmit, .out = packet_link_out};

/*
 * Completes the checksum the sender's kernel left to its device (h says
 * where it starts and where it goes), over frame[0..len): 0, or -1 when h
 * points outside the frame.
 */
static int complete_csum(const struct virtio_net_hdr *h, unsigned char *frame, size_t len)
{
	size_t start = h->csum_start, at = start + h->csum_offset;
	uint16_t c;

	if (start < ETH_HDR_LEN || start > len || at + 2 > len)
		return -1;
	/* The field holds the pseudo-header's sum already: sum it with the rest, from start. */
	c = net_csum_fold(net_csum_add(0, frame + start, len - start));
	memcpy(frame + at, &c, 2);
	return 0;
}

static void *rx_thread(void *arg)
{
	struct netif *ifp = arg;
	struct packet_link *l = ifp->priv;
	static unsigned char frame[PACKET_FRAME_MAX]; /* this thread's alone */
	struct virtio_net_hdr vh;
	sigset_t all;
	long n;

	/* Signals are for the application's tasks and the forwarder, never this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		n = host_read(l->fd, frame, sizeof(frame));
		if (n == -EINTR || n == -ENETDOWN)
			continue;
		if (n < 0) {
			log_warn("the veth's packet socket failed (%s): the sandbox's eth0 receives nothing more",
				 strerror((int)-n));
			return NULL;
		}
		pthread_mutex_lock(&sentry_lock);
		if ((size_t)n < sizeof(vh)) {
			ifp->stats.rx_errors++;
		} else {
			memcpy(&vh, frame, sizeof(vh));
			n -= (long)sizeof(vh);
			if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && complete_csum(&vh, frame + sizeof(vh), (size_t)n) < 0)
				ifp->stats.rx_errors++;
			else
				eth_rcv(ifp, frame + sizeof(vh), (size_t)n);
		}
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

	if (!ifp || !l) {
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
