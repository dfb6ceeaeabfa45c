/*
 * veth pairs made inside the sandbox (ip link add A type veth peer name
 * B): two Ethernet interfaces of the stack, each the other's wire.  A
 * frame one end sends is handed to the other end's receive path at once
 * (eth_rcv, which copies it), in whichever namespace that end is; the
 * host is never involved.  Either end may move to another namespace of
 * the sandbox (netif_move); deleting one end, or the death of the
 * namespace of one, deletes both, as Linux's veth_dellink.
 *
 * A frame crossing to another namespace is handled there before the send
 * returns: the receiving namespace's backlog is drained by that call, and
 * an answer coming back is queued behind the sender's own drain, so a
 * chain of namespaces recurses at most once per namespace (net_rx).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sentry/host/host.h"
#include "../../sentry/kernel/task.h"
#include "../../sentry/mm/memfile.h"
#include "../core/ip.h"
#include "../ethernet/ethernet.h"
#include "veth.h"

struct veth {
	struct netif *peer;    /* the other end, NULL once it is gone */
};

static struct netif *veth_peer(const struct netif *ifp)
{
	return ifp->priv ? ((struct veth *)ifp->priv)->peer : NULL;
}

/* A frame out of one end is a frame in at the other, while both are up (Linux drops it otherwise, counted). */
static int veth_out(struct netif *ifp, const unsigned char *frame, size_t len)
{
	struct netif *peer = veth_peer(ifp);

	if (!peer || !(peer->flags & IFF_UP) || !(ifp->flags & IFF_UP)) {
		ifp->stats.tx_dropped++;
		return 0;
	}
	if (len > peer->mtu + ETH_HDR_LEN) {
		peer->stats.rx_dropped++; /* larger than the other end takes: Linux's is_skb_forwardable */
		return 0;
	}
	eth_rcv(peer, frame, len, 0); /* our own frames: their checksums are whole */
	return 0;
}

/* Both ends forget each other; netif_delete (or the teardown) then deletes the peer this one had. */
static void veth_dellink(struct netif *ifp)
{
	struct veth *v = ifp->priv;

	if (v->peer)
		((struct veth *)v->peer->priv)->peer = NULL;
	ifp->priv = NULL;
	free(v);
	mf_uncharge(sizeof(struct netif) + sizeof(struct veth));
}

static const struct netif_ops veth_ops = {
	.xmit = eth_xmit,
	.out = veth_out,
	.peer = veth_peer,
	.dellink = veth_dellink,
	.kind = "veth",
	.movable = 1,
};

/* A random locally administered unicast MAC, as Linux's eth_hw_addr_random. */
static void random_mac(unsigned char *mac)
{
	if (host_getrandom(mac, ETH_ADDR_LEN) != ETH_ADDR_LEN)
		memset(mac, 0x5a, ETH_ADDR_LEN);
	mac[0] = (unsigned char)((mac[0] & 0xfe) | 0x02);
}

static struct netif *veth_alloc(const char *name)
{
	struct netif *ifp;
	struct veth *v;

	if (mf_charge(sizeof(*ifp) + sizeof(*v)) < 0)
		return NULL;
	ifp = calloc(1, sizeof(*ifp));
	v = calloc(1, sizeof(*v));
	if (!ifp || !v) {
		free(ifp);
		free(v);
		mf_uncharge(sizeof(*ifp) + sizeof(*v));
		return NULL;
	}
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->flags = IFF_BROADCAST | IFF_MULTICAST;
	ifp->mtu = 1500;
	ifp->type = ARPHRD_ETHER;
	random_mac(ifp->hwaddr);
	memset(ifp->broadcast, 0xff, ETH_ADDR_LEN);
	ifp->hwlen = ETH_ADDR_LEN;
	ifp->ops = &veth_ops;
	ifp->priv = v;
	ifp->nqueues = sandbox.ncpus > 0 ? (unsigned)sandbox.ncpus : 1;
	return ifp;
}

int veth_new(struct netns *ns, const char *name, struct netns *peer_ns, const char *peer_name,
	     struct netif **out, struct netif **peer_out)
{
	struct netif *a, *b;

	if (netif_by_name(ns, name) || netif_by_name(peer_ns, peer_name) ||
	    (ns == peer_ns && !strncmp(name, peer_name, IFNAMSIZ)))
		return -EEXIST;
	a = veth_alloc(name);
	b = a ? veth_alloc(peer_name) : NULL;
	if (!b) {
		if (a) {
			free(a->priv);
			free(a);
			mf_uncharge(sizeof(*a) + sizeof(struct veth));
		}
		return -ENOMEM;
	}
	((struct veth *)a->priv)->peer = b;
	((struct veth *)b->priv)->peer = a;
	/*
	 * The peer first, as Linux's veth_newlink registers it: it takes the
	 * lower index, and is told while its peer has none yet ("@NONE").
	 */
	netif_register(peer_ns, b);
	a->ns = ns;
	net_notify_link(b);
	netif_register(ns, a);
	net_notify_link(a);
	*out = a;
	if (peer_out)
		*peer_out = b;
	return 0;
}
