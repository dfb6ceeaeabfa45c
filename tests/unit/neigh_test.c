/*
 * The veth's link layer on crafted frames, through the real packet-socket
 * endpoint (netstack/link/packet.c) with a unix datagram pair standing in
 * for the AF_PACKET socket: ARP is answered for our addresses only, a
 * neighbour that asked is known, one not known is asked for and what waits
 * on it is bounded, the cache is bounded (its oldest entry makes room),
 * checksums left to offload are completed (and a header pointing outside
 * the frame is refused), IPv6 neighbour solicitations are answered and
 * checked (hop limit 255).
 *
 * links: netstack/core/csum.c netstack/core/net.c netstack/core/netif.c netstack/core/pkb.c netstack/core/route.c netstack/core/rx.c netstack/link/loopback.c netstack/link/packet.c netstack/ethernet/eth.c netstack/arp/arp.c netstack/arp/neigh.c netstack/ipv6/ndp.c netstack/ipv4/ip4_input.c netstack/ipv4/ip4_output.c netstack/ipv6/ip6_input.c netstack/ipv6/ip6_output.c netstack/icmp/icmp.c netstack/icmp/raw.c netstack/udp/udp.c netstack/socket/inet.c netstack/socket/ifioctl.c vfs/socket.c vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/namei.c vfs/fstype.c vfs/fs/overlay/overlay.c vfs/fs/pipe/pipe.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/hoststdio/hoststdio.c vfs/fs/pty/pty.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c netstack/core/frag.c vfs/fpages.c
 * libs: -lunwind -lxxhash
 */
#define _GNU_SOURCE
#include <poll.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netstack/netstack.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/vfs.h"

#define UNIT_NAME "neigh"
#include "unit.h"

static int peer; /* our end of the pair: what we write, eth0 receives */
static const unsigned char our_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const unsigned char bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static unsigned char got[64][2048];
static size_t got_len[64];
static int ngot;

/* Sends frame (after a virtio_net_hdr, vh or zeros), lets the receive thread take it, and collects what eth0 sent. */
static void inject(const void *frame, size_t len, const struct virtio_net_hdr *vh)
{
	static const struct virtio_net_hdr none;
	unsigned char buf[2048];

	memcpy(buf, vh ? vh : &none, sizeof(none));
	memcpy(buf + sizeof(none), frame, len);
	if (write(peer, buf, sizeof(none) + len) < 0)
		return;
	/*
	 * Let the receive thread take it: wait for eth0's answer (up to half a
	 * second, for frames that get none), then a little more for the rest.
	 * A fixed short sleep lost answers on a loaded machine.
	 */
	pthread_mutex_unlock(&sentry_lock);
	poll(&(struct pollfd){.fd = peer, .events = POLLIN}, 1, 500);
	usleep(20000);
	pthread_mutex_lock(&sentry_lock);
}

static void collect(void)
{
	ssize_t n;

	ngot = 0;
	while (ngot < 64 && (n = recv(peer, got[ngot], sizeof(got[0]), MSG_DONTWAIT)) > 0) {
		memmove(got[ngot], got[ngot] + sizeof(struct virtio_net_hdr), (size_t)n - sizeof(struct virtio_net_hdr));
		got_len[ngot++] = (size_t)n - sizeof(struct virtio_net_hdr);
	}
}

static void eth(unsigned char *f, const unsigned char *dst, const unsigned char *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	type = htons(type);
	memcpy(f + 12, &type, 2);
}

static void mac_of(unsigned char *m, int n)
{
	m[0] = 0x02, m[1] = 0x11, m[2] = 0, m[3] = (unsigned char)(n >> 16), m[4] = (unsigned char)(n >> 8),
	m[5] = (unsigned char)n;
}

/* An ARP request from ip/mac for target. */
static void arp_request(const char *ip, const unsigned char *mac, const char *target)
{
	unsigned char f[42];
	uint32_t a;

	eth(f, bcast, mac, ETH_P_ARP);
	memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	memcpy(f + 22, mac, 6);
	inet_pton(AF_INET, ip, &a);
	memcpy(f + 28, &a, 4);
	memset(f + 32, 0, 6);
	inet_pton(AF_INET, target, &a);
	memcpy(f + 38, &a, 4);
	inject(f, sizeof(f), NULL);
}

/* An ARP reply from ip/mac to us. */
static void arp_reply(const char *ip, const unsigned char *mac)
{
	unsigned char f[42];
	uint32_t a;

	eth(f, our_mac, mac, ETH_P_ARP);
	memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x02", 8);
	memcpy(f + 22, mac, 6);
	inet_pton(AF_INET, ip, &a);
	memcpy(f + 28, &a, 4);
	memcpy(f + 32, our_mac, 6);
	inet_pton(AF_INET, "198.18.0.2", &a);
	memcpy(f + 38, &a, 4);
	inject(f, sizeof(f), NULL);
}

/* An ICMP echo request from ip/mac to 198.18.0.2; offload: its checksum left to complete (vnet header). */
static void ping_from(const char *ip, const unsigned char *mac, int offload, int bad_offload)
{
	unsigned char f[14 + 20 + 16];
	struct virtio_net_hdr vh = {0};
	uint16_t c;
	uint32_t a;

	memset(f, 0, sizeof(f));
	eth(f, our_mac, mac, ETH_P_IP);
	f[14] = 0x45, f[16] = 0, f[17] = 36, f[22] = 64, f[23] = IPPROTO_ICMP;
	inet_pton(AF_INET, ip, &a);
	memcpy(f + 26, &a, 4);
	inet_pton(AF_INET, "198.18.0.2", &a);
	memcpy(f + 30, &a, 4);
	c = net_csum_fold(net_csum_add(0, f + 14, 20));
	memcpy(f + 24, &c, 2);
	f[34] = 8; /* echo request */
	memcpy(f + 38, "\x12\x34\x00\x01ping-me!", 12);
	if (offload) {
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.csum_start = bad_offload ? 200 : 34;
		vh.csum_offset = 2;
	} else {
		c = net_csum_fold(net_csum_add(0, f + 34, 16));
		memcpy(f + 36, &c, 2);
	}
	inject(f, sizeof(f), offload ? &vh : NULL);
}

static int count(uint16_t type, const unsigned char *to)
{
	int i, n = 0;

	for (i = 0; i < ngot; i++)
		if (got[i][12] == type >> 8 && got[i][13] == (type & 0xff) && (!to || !memcmp(got[i], to, 6)))
			n++;
	return n;
}

static void arp_cases(void)
{
	unsigned char a[6], b[6], m[6];
	int i, ok = 1;

	mac_of(a, 1);
	arp_request("198.18.0.1", a, "198.18.0.2");
	collect();
	CHECK("arp: a request for our address is answered, to the asker, with our MAC",
	      ngot == 1 && count(ETH_P_ARP, a) == 1 && got[0][21] == 2 && !memcmp(got[0] + 22, our_mac, 6));
	arp_request("198.18.0.1", a, "198.18.0.9");
	collect();
	CHECK("arp: a request for another address is not answered", ngot == 0);
	ping_from("198.18.0.1", a, 0, 0);
	collect();
	CHECK("arp: who asked for us is known (the echo reply goes straight to it)",
	      ngot == 1 && count(ETH_P_IP, a) == 1 && got[0][34] == 0);
	ping_from("198.18.0.1", a, 1, 0);
	collect();
	CHECK("offload: a checksum left to the device is completed (the echo is answered)",
	      ngot == 1 && count(ETH_P_IP, a) == 1);
	ping_from("198.18.0.1", a, 1, 1);
	collect();
	CHECK("offload: a header pointing past the frame is refused", ngot == 0);

	mac_of(b, 2);
	for (i = 0; i < 20; i++)
		ping_from("198.18.0.77", b, 0, 0);
	collect();
	CHECK("arp: an unknown neighbour is asked for, once (broadcast)", ngot == 1 && count(ETH_P_ARP, bcast) == 1);
	arp_reply("198.18.0.77", b);
	collect();
	CHECK("arp: what waited on it is sent when it answers, at most 8 packets", ngot == 8 && count(ETH_P_IP, b) == 8);

	for (i = 0; i < 300; i++) {
		char ip[32];

		mac_of(m, 1000 + i);
		snprintf(ip, sizeof(ip), "198.18.%d.%d", 1 + i / 250, 1 + i % 250);
		arp_request(ip, m, "198.18.0.2");
		collect();
		ok &= ngot == 1;
	}
	CHECK("arp: 300 askers are each answered", ok);
	ping_from("198.18.0.1", a, 0, 0);
	collect();
	CHECK("arp: the cache is bounded: the oldest entry made room (it is asked for again)",
	      ngot == 1 && count(ETH_P_ARP, bcast) == 1);
	mac_of(m, 1299);
	ping_from("198.18.2.50", m, 0, 0);
	collect();
	CHECK("arp: the newest entry is still known", ngot == 1 && count(ETH_P_IP, m) == 1);
}

/* A neighbour solicitation for fd00::2 from fd00::1 (mac), hop limit hl. */
static void solicit(const unsigned char *mac, int hl)
{
	unsigned char f[14 + 40 + 32];
	struct in6_addr src, dst, target;
	uint16_t c;

	memset(f, 0, sizeof(f));
	eth(f, (const unsigned char *)"\x33\x33\xff\x00\x00\x02", mac, ETH_P_IPV6);
	inet_pton(AF_INET6, "fd00::1", &src);
	inet_pton(AF_INET6, "ff02::1:ff00:2", &dst);
	inet_pton(AF_INET6, "fd00::2", &target);
	f[14] = 0x60, f[19] = 32, f[20] = IPPROTO_ICMPV6, f[21] = (unsigned char)hl;
	memcpy(f + 22, &src, 16);
	memcpy(f + 38, &dst, 16);
	f[54] = 135;
	memcpy(f + 62, &target, 16);
	f[78] = 1, f[79] = 1;
	memcpy(f + 80, mac, 6);
	c = net_csum_fold(net_csum_add(net_csum_pseudo(&src, &dst, IPPROTO_ICMPV6, 32), f + 54, 32));
	memcpy(f + 56, &c, 2);
	inject(f, sizeof(f), NULL);
}

static void ndp_cases(void)
{
	unsigned char a[6];

	mac_of(a, 5);
	solicit(a, 255);
	collect();
	CHECK("ndp: a solicitation for our address gets a solicited advertisement with our MAC",
	      ngot == 1 && count(ETH_P_IPV6, a) == 1 && got[0][54] == 136 && (got[0][58] & 0x40) &&
		      !memcmp(got[0] + 80, our_mac, 6));
	solicit(a, 64);
	collect();
	CHECK("ndp: one that crossed a router (hop limit 64) is ignored", ngot == 0);
}

int main(void)
{
	struct net_config c = {.sandbox = 1, .ifname = "eth0", .mtu = 1500, .naddrs = 2};
	int sv[2];

	if (mf_init(64 << 20) < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return 1;
	mm_file_ops = &vfs_mm_file_ops;
	task_files = &vfs_task_files;
	task_current = task_create_init();
	peer = sv[1];
	c.packet_fd = sv[0];
	memcpy(c.hwaddr, our_mac, 6);
	inet_pton(AF_INET6, "::ffff:198.18.0.2", &c.addrs[0].addr);
	c.addrs[0].prefixlen = 16;
	inet_pton(AF_INET6, "fd00::2", &c.addrs[1].addr);
	c.addrs[1].prefixlen = 64;
	pthread_mutex_lock(&sentry_lock);
	CHECK("net_init with a veth", net_init(&c) == 0);
	arp_cases();
	ndp_cases();
	return unit_failed;
}
