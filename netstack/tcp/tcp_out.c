/*
 * TCP output: what may be sent now, and the segments themselves (see tcp.h
 * for how the send queue's packets become segments without a copy).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "../../sentry/host/host.h"
#include "tcp.h"

/* Room every segment keeps for IP's header, ours and our options. */
#define TCP_HEADROOM (NET_MAX_HEADROOM + 60)
/* The smallest buffer a small write gets, so that writes Nagle holds back fill one packet. */
#define TCP_MIN_CHUNK 2048

uint32_t tcp_tsval(void)
{
	return (uint32_t)tcp_now_ms() + 1;
}

uint32_t tcp_flight(struct tcp_sock *tp)
{
	uint32_t out = tp->snd_max - tp->snd_una;

	/* What the peer holds out of order is no longer in the network (RFC 6675's pipe, roughly). */
	return out > tp->sacked_out ? out - tp->sacked_out : 0;
}

/* Bytes of option a segment carries besides SYN's: timestamps. */
static int opt_len_data(struct tcp_sock *tp)
{
	return tp->ts_ok ? 12 : 0;
}

/* The segment size in force: the smaller MSS of both ends, less our options, at least 64 bytes. */
void tcp_mss_update(struct tcp_sock *tp)
{
	int m = tp->adv_mss;

	if (tp->peer_mss && tp->peer_mss < m)
		m = tp->peer_mss;
	m -= opt_len_data(tp);
	tp->mss = m < 64 ? 64 : m;
}

uint32_t tcp_adv_window(struct tcp_sock *tp)
{
	uint32_t space = tcp_rcv_space(tp);
	uint32_t edge = tp->rcv_wup + tp->rcv_wnd_adv, cur = SEQ_GT(edge, tp->rcv_nxt) ? edge - tp->rcv_nxt : 0;
	uint32_t max = 65535u << tp->rcv_wscale, unit = (1u << tp->rcv_wscale) - 1;

	/*
	 * Receiver-side silly window avoidance (RFC 9293 3.8.6.2.2): open the
	 * window again only by a full segment or half the buffer at once.  The
	 * right edge never moves left (3.8.6.2.1: shrinking is discouraged), so
	 * what is still open is rounded up to the scale's unit, never down.
	 */
	if (space <= cur || (space - cur < (uint32_t)tp->adv_mss && space - cur < tp->rcvbuf_eff / 2 &&
			     space < tp->rcvbuf_eff))
		space = (cur + unit) & ~unit;
	else
		space &= ~unit;
	return space > max ? max : space;
}

/* The route's source and its interface's traits for tp's peer: MSS, checksums. */
static struct net_tx_opts tx_opts(struct tcp_sock *tp)
{
	struct net_tx_opts o = {
		.ttl = net_addr_is_v4(&tp->inet.raddr) ? tp->inet.ttl : tp->inet.hoplimit,
		.tos = tp->inet.tos < 0 ? 0 : tp->inet.tos,
		.ifindex = tp->inet.bound_ifindex,
		.dontfrag = 1,
		.csum_off = 16, /* IP fills it, unless the interface needs none (loopback) */
	};

	return o;
}

/* Writes the options of a segment with flags at o (room for 40 bytes); their length. */
static int write_options(struct tcp_sock *tp, unsigned char *o, int flags)
{
	int n = 0;

	if (flags & TH_SYN) {
		uint16_t mss = htons((uint16_t)tp->adv_mss);
		int sack = tp->state == TCP_S_SYN_SENT || tp->sack_ok;
		int ts = tp->state == TCP_S_SYN_SENT || tp->ts_ok;
		int ws = tp->state == TCP_S_SYN_SENT || tp->wscale_ok;

		o[n++] = TCPOPT_MSS_, o[n++] = 4;
		memcpy(o + n, &mss, 2);
		n += 2;
		if (sack && ts) {
			o[n++] = TCPOPT_SACKOK_, o[n++] = 2;
		} else if (sack) {
			o[n++] = TCPOPT_NOP_, o[n++] = TCPOPT_NOP_, o[n++] = TCPOPT_SACKOK_, o[n++] = 2;
		}
		if (ts) {
			uint32_t v = htonl(tcp_tsval()), e = htonl(tp->ts_recent);

			if (!sack)
				o[n++] = TCPOPT_NOP_, o[n++] = TCPOPT_NOP_;
			o[n++] = TCPOPT_TS_, o[n++] = 10;
			memcpy(o + n, &v, 4);
			memcpy(o + n + 4, &e, 4);
			n += 8;
		}
		if (ws) {
			o[n++] = TCPOPT_NOP_, o[n++] = TCPOPT_WS_, o[n++] = 3, o[n++] = (unsigned char)tp->rcv_wscale;
		}
		return n;
	}
	if (tp->ts_ok) {
		uint32_t v = htonl(tcp_tsval()), e = htonl(tp->ts_recent);

		o[n++] = TCPOPT_NOP_, o[n++] = TCPOPT_NOP_, o[n++] = TCPOPT_TS_, o[n++] = 10;
		memcpy(o + n, &v, 4);
		memcpy(o + n + 4, &e, 4);
		n += 8;
	}
	if (tp->sack_ok && !(flags & TH_RST) && (tp->ooo || tp->dsack)) {
		int max = tp->ts_ok ? 3 : 4, k = 0, at = n + 2;
		struct pkb *q;

		o[n] = TCPOPT_NOP_, o[n + 1] = TCPOPT_NOP_;
		at = n + 4;
		if (tp->dsack) {
			uint32_t a = htonl(tp->dsack_lo), b = htonl(tp->dsack_hi);

			memcpy(o + at, &a, 4);
			memcpy(o + at + 4, &b, 4);
			at += 8;
			k++;
			tp->dsack = 0;
		}
		/* The out-of-order runs, merged where they touch; the most recent first would be RFC 2018's ideal. */
		for (q = tp->ooo; q && k < max;) {
			uint32_t lo = (uint32_t)TCB_SEQ(q), hi = lo + (uint32_t)q->len;

			for (q = q->next; q && (uint32_t)TCB_SEQ(q) == hi; q = q->next)
				hi += (uint32_t)q->len;
			if (hi == lo)
				continue;
			lo = htonl(lo), hi = htonl(hi);
			memcpy(o + at, &lo, 4);
			memcpy(o + at + 4, &hi, 4);
			at += 8;
			k++;
		}
		if (k) {
			o[n + 2] = TCPOPT_SACK_, o[n + 3] = (unsigned char)(2 + 8 * k);
			n = at;
		}
	}
	return n;
}

/*
 * Pushes the header for a segment of p's data at seq with flags, and sends
 * it.  Takes p.  Every segment but the first SYN acknowledges rcv_nxt and
 * advertises the window, so any segment ends a delayed ACK.
 */
static int xmit(struct tcp_sock *tp, struct pkb *p, uint32_t seq, int flags)
{
	unsigned char opt[40];
	int olen = write_options(tp, opt, flags), hlen = 20 + olen;
	struct tcp_hdr *th;
	uint32_t win;
	struct net_tx_opts o = tx_opts(tp);
	int r;

	if (!pkb_push(p, (size_t)hlen)) {
		pkb_free(p);
		return -ENOBUFS;
	}
	th = (struct tcp_hdr *)p->data;
	memcpy(p->data + 20, opt, (size_t)olen);
	th->sport = htons(tp->inet.lport);
	th->dport = htons(tp->inet.rport);
	th->seq = htonl(seq);
	th->off_res = (uint8_t)((hlen / 4) << 4);
	if (tp->state != TCP_S_SYN_SENT && flags != TH_RST)
		flags |= TH_ACK;
	th->urg = 0;
	if (tp->snd_urg && !(flags & TH_SYN) && SEQ_LT(seq, tp->snd_up)) {
		/* In urgent mode every segment points past the urgent byte, or as far as 16 bits reach (as Linux). */
		if (SEQ_LT(tp->snd_up, seq + 0x10000)) {
			th->urg = htons((uint16_t)(tp->snd_up - seq));
			flags |= TH_URG;
		} else if (SEQ_GT(seq + 0xffff, tp->snd_nxt)) {
			th->urg = htons(0xffff);
			flags |= TH_URG;
		}
	}
	th->flags = (uint8_t)flags;
	th->ack = (flags & TH_ACK) ? htonl(tp->rcv_nxt) : 0;
	if (flags & TH_SYN) {
		win = tcp_adv_window(tp);
		th->window = htons(win > 65535 ? 65535 : (uint16_t)win);
	} else {
		win = tcp_adv_window(tp);
		th->window = htons((uint16_t)(win >> tp->rcv_wscale));
	}
	if (flags & TH_ACK) {
		tp->rcv_wup = tp->rcv_nxt;
		tp->rcv_wnd_adv = win;
		tp->ack_pending = 0;
		tp->segs_unacked = 0;
		tcp_dack_stop(tp);
	}
	th->csum = 0;
	tp->segs_out++;
	NET_INC(tp->inet.ns, Tcp, OutSegs);
	if (flags & TH_RST)
		NET_INC(tp->inet.ns, Tcp, OutRsts);
	tp->last_snd_ms = tcp_now_ms();
	r = net_ip_output(tp->inet.ns, p, &tp->inet.laddr, &tp->inet.raddr, IPPROTO_TCP, &o);
	return r;
}

static struct pkb *empty_pkb(void)
{
	return pkb_alloc(TCP_HEADROOM, 0);
}

static void send_ctl(struct tcp_sock *tp, uint32_t seq, int flags)
{
	struct pkb *p = empty_pkb();

	if (p)
		xmit(tp, p, seq, flags);
}

void tcp_send_ack_now(struct tcp_sock *tp)
{
	send_ctl(tp, tp->snd_nxt, TH_ACK);
}

void tcp_send_ack(struct tcp_sock *tp)
{
	if (tp->state == TCP_S_CLOSE || tp->state == TCP_S_LISTEN || tp->state == TCP_S_SYN_SENT)
		return;
	tcp_send_ack_now(tp);
}

/*
 * Sequence space moves before a segment leaves: on loopback the answer is
 * processed before net_ip_output returns, and must find snd_nxt past it.
 */
static void advance_nxt(struct tcp_sock *tp, uint32_t end)
{
	if (SEQ_GT(end, tp->snd_nxt))
		tp->snd_nxt = end;
	if (SEQ_GT(tp->snd_nxt, tp->snd_max))
		tp->snd_max = tp->snd_nxt;
}

void tcp_send_syn(struct tcp_sock *tp)
{
	advance_nxt(tp, tp->iss + 1);
	send_ctl(tp, tp->iss, TH_SYN);
}

void tcp_send_synack(struct tcp_sock *tp)
{
	advance_nxt(tp, tp->iss + 1);
	send_ctl(tp, tp->iss, TH_SYN | TH_ACK);
}

void tcp_send_rst(struct tcp_sock *tp)
{
	send_ctl(tp, tp->snd_nxt, TH_RST | TH_ACK);
}

void tcp_send_rst_at(struct tcp_sock *tp, uint32_t seq)
{
	send_ctl(tp, seq, TH_RST);
}

/*
 * A zero-window probe (RFC 9293 3.8.6.1): an empty segment at snd_una - 1,
 * which the peer must answer with an ACK carrying its window, as Linux probes.
 */
void tcp_send_probe(struct tcp_sock *tp)
{
	send_ctl(tp, tp->snd_una - 1, TH_ACK);
}

void tcp_send_keepalive(struct tcp_sock *tp)
{
	send_ctl(tp, tp->snd_una - 1, TH_ACK);
}

void tcp_send_fin(struct tcp_sock *tp)
{
	tp->fin_queued = 1;
	tcp_output(tp);
}

void tcp_send_reset_reply(struct netns *ns, const struct net_rx_meta *m, const struct tcp_hdr *th, size_t datalen)
{
	struct pkb *p;
	struct tcp_hdr *r;
	struct net_tx_opts o = {.ttl = -1, .csum_off = 16};

	if (th->flags & TH_RST)
		return;
	p = empty_pkb();
	if (!p)
		return;
	r = pkb_push(p, sizeof(*r));
	if (!r) {
		pkb_free(p);
		return;
	}
	memset(r, 0, sizeof(*r));
	r->sport = th->dport;
	r->dport = th->sport;
	r->off_res = 5 << 4;
	if (th->flags & TH_ACK) {
		r->seq = th->ack;
		r->flags = TH_RST;
	} else {
		uint32_t len = (uint32_t)datalen + !!(th->flags & TH_SYN) + !!(th->flags & TH_FIN);

		r->ack = htonl(ntohl(th->seq) + len);
		r->flags = TH_RST | TH_ACK;
	}
	NET_INC(ns, Tcp, OutRsts);
	NET_INC(ns, Tcp, OutSegs);
	net_ip_output(ns, p, &m->dst, &m->src, IPPROTO_TCP, &o);
}

/* A new send-queue packet with room for cap bytes (pkb_alloc charges the memory budget). */
static struct pkb *sndq_new(size_t cap)
{
	struct pkb *p = pkb_alloc(TCP_HEADROOM, cap);

	if (!p)
		return NULL;
	/* Filled by tcp_queue_data up to cap: the bytes past len are ours until the packet is first sent. */
	pkb_trim(p, 0);
	TCB_CAP(p) = cap;
	TCB_FLAGS(p) = 0;
	return p;
}

long tcp_queue_data(struct tcp_sock *tp, const struct iovec *iov, int cnt, size_t skip, size_t len)
{
	size_t done = 0;
	int i = 0;

	while (done < len) {
		struct pkb *p = tp->sndq_tail;
		size_t room, n;

		if (!p || (TCB_FLAGS(p) & TCB_SENT) || TCB_CAP(p) == 0) {
			size_t want = len - done, cap = (size_t)tp->mss;

			if (want < cap)
				cap = want < TCP_MIN_CHUNK ? TCP_MIN_CHUNK : want;
			if (cap > (size_t)tp->mss)
				cap = (size_t)tp->mss;
			p = sndq_new(cap);
			if (!p)
				break;
			TCB_SEQ(p) = tp->write_seq;
			if (tp->sndq_tail)
				tp->sndq_tail->next = p;
			else
				tp->sndq = p;
			tp->sndq_tail = p;
		}
		room = TCB_CAP(p);
		n = len - done < room ? len - done : room;
		/* Gather n bytes from the iovecs, after skip. */
		{
			size_t got = 0;
			unsigned char *dst = p->data + p->len;

			for (; i < cnt && got < n; i++) {
				size_t l = iov[i].iov_len;

				if (skip >= l) {
					skip -= l;
					continue;
				}
				l -= skip;
				if (l > n - got)
					l = n - got;
				memcpy(dst + got, (const char *)iov[i].iov_base + skip, l);
				got += l;
				if (skip + l < iov[i].iov_len) {
					skip += l;
					break;
				}
				skip = 0;
			}
		}
		p->len += n;
		TCB_CAP(p) -= n;
		tp->write_seq += (uint32_t)n;
		tp->snd_queued += n;
		done += n;
	}
	return done ? (long)done : -ENOMEM;
}

/* The send-queue packet holding seq (below write_seq), or NULL. */
static struct pkb *sndq_find(struct tcp_sock *tp, uint32_t seq)
{
	struct pkb *p;

	for (p = tp->sndq; p; p = p->next)
		if (SEQ_LT(seq, (uint32_t)TCB_SEQ(p) + (uint32_t)p->len))
			return p;
	return NULL;
}

/* A copy of len bytes of p from off, as a new packet with headroom. */
static struct pkb *copy_part(struct pkb *p, size_t off, size_t len)
{
	struct pkb *q = pkb_alloc(TCP_HEADROOM, len);

	if (q)
		memcpy(q->data, p->data + off, len);
	return q;
}

/*
 * Sends len bytes of p from off (with FIN if fin); the first whole sending
 * of p goes without a copy.  snd_nxt moves past it first (advance_nxt)
 * when it is sent from snd_nxt; a fast retransmission of a hole leaves it.
 */
static int send_data(struct tcp_sock *tp, struct pkb *p, size_t off, size_t len, int fin)
{
	uint32_t seq = (uint32_t)TCB_SEQ(p) + (uint32_t)off;
	int retrans = SEQ_LT(seq, tp->snd_max);
	struct pkb *q;

	if (off == 0 && len == p->len && !(TCB_FLAGS(p) & TCB_SENT)) {
		TCB_CAP(p) = 0; /* shared from now on: nothing more is appended */
		q = pkb_clone(p);
	} else {
		q = copy_part(p, off, len);
	}
	if (!q)
		return -ENOBUFS;
	if (TCB_FLAGS(p) & TCB_SENT || retrans) {
		TCB_FLAGS(p) |= TCB_RETRANS;
		tp->total_retrans++;
		tp->bytes_retrans += len;
		NET_INC(tp->inet.ns, Tcp, RetransSegs);
	}
	if (off + len == p->len)
		TCB_FLAGS(p) |= TCB_SENT;
	TCB_FLAGS(p) &= ~(uint64_t)TCB_LOST;
	TCB_SENT_MS(p) = tcp_now_ms();
	tp->data_segs_out++;
	tp->bytes_sent += len;
	if (!tp->rtt_timing && !tp->ts_ok && !retrans) {
		tp->rtt_timing = 1;
		tp->rtt_seq = seq;
		tp->rtt_seq_ms = tcp_now_ms();
	}
	if (!retrans || tp->snd_nxt == seq)
		advance_nxt(tp, seq + (uint32_t)len + (uint32_t)fin);
	return xmit(tp, q, seq, TH_PUSH | (fin ? TH_FIN : 0));
}

static int can_send_data(int state)
{
	return state == TCP_S_ESTABLISHED || state == TCP_S_CLOSE_WAIT || state == TCP_S_FIN_WAIT1 ||
	       state == TCP_S_LAST_ACK || state == TCP_S_CLOSING;
}

/*
 * Sends from snd_nxt what the peer's window, the congestion window and
 * Nagle (RFC 9293 3.7.4, with TCP_NODELAY, TCP_CORK and MSG_MORE) allow.
 * On loopback the peer may answer inside net_ip_output and its ACK change
 * tp under us: every pass starts again from tp's fields.
 */
void tcp_output(struct tcp_sock *tp)
{
	int sent = 0, window_limited = 0;

	tcp_enter();
	net_tx_batch_begin(); /* the segments of this pass leave together (a veth: one host call) */
	while (can_send_data(tp->state)) {
		uint32_t seq = tp->snd_nxt, wnd_end = tp->snd_una + tp->snd_wnd, flight = tcp_flight(tp);
		uint32_t usable = SEQ_GT(wnd_end, seq) ? wnd_end - seq : 0;
		struct pkb *p;
		size_t off, len;
		int fin;

		if (seq == tp->write_seq) {
			/* Only the FIN may be left. */
			if (tp->fin_queued && (SEQ_LEQ(tp->snd_max, tp->write_seq) || tp->snd_nxt != tp->snd_max)) {
				/* The FIN, for the first time or going back after a timeout. */
				advance_nxt(tp, tp->write_seq + 1);
				send_ctl(tp, tp->write_seq, TH_FIN | TH_ACK);
				sent = 1;
			}
			break;
		}
		p = sndq_find(tp, seq);
		if (!p)
			break;
		if (TCB_FLAGS(p) & TCB_SACKED && SEQ_LT(seq, tp->snd_max)) {
			/* The peer has it: skip it when going back. */
			tp->snd_nxt = (uint32_t)TCB_SEQ(p) + (uint32_t)p->len;
			continue;
		}
		off = seq - (uint32_t)TCB_SEQ(p);
		len = p->len - off;
		if (len > (size_t)tp->mss)
			len = (size_t)tp->mss;
		if (len > usable) {
			/* Sender-side silly window avoidance (RFC 9293 3.8.6.2.1); a probe may send what fits. */
			if (usable == 0 || (!tp->probe_force && usable < (uint32_t)tp->mss && usable < tp->max_wnd / 2)) {
				window_limited = 1;
				break;
			}
			len = usable;
		}
		if (flight && flight + len > tp->cwnd)
			break;
		fin = tp->fin_queued && seq + len == tp->write_seq;
		if (len < (size_t)tp->mss && seq + len == tp->write_seq && !fin && !SEQ_LT(seq, tp->snd_max) &&
		    !tp->snd_urg) {
			/* A small last piece: corked, more coming, or Nagle while data is unacknowledged; urgent data goes. */
			if (tp->cork || tp->more_pending)
				break;
			if (!tp->nodelay && tp->snd_max != tp->snd_una)
				break;
		}
		if (send_data(tp, p, off, len, fin) < 0 && !sent)
			break;
		sent = 1;
	}
	tp->probe_force = 0;
	if (tp->snd_una != tp->snd_max) {
		if (!tp->rtx_due_ns || tp->probing)
			tcp_rtx_arm(tp);
	} else if (window_limited) {
		/* Nothing in flight to bring an ACK that opens the window: the persist timer asks. */
		tcp_probe_arm(tp);
	}
	if (!sent && tp->ack_pending && tp->quickack)
		tcp_send_ack(tp);
	net_tx_batch_end();
	tcp_leave();
}

int tcp_retransmit_head(struct tcp_sock *tp)
{
	struct pkb *p;
	size_t len;

	if (tp->snd_una == tp->snd_max)
		return 0;
	if (tp->state == TCP_S_SYN_SENT) {
		tcp_send_syn(tp);
		return 1;
	}
	if (tp->state == TCP_S_SYN_RECV) {
		tcp_send_synack(tp);
		return 1;
	}
	if (tp->snd_una == tp->write_seq) {
		/* Only the FIN is unacknowledged. */
		send_ctl(tp, tp->write_seq, TH_FIN | TH_ACK);
		tp->total_retrans++;
		return 1;
	}
	p = tp->sndq;
	if (!p)
		return 0;
	len = p->len < (size_t)tp->mss ? p->len : (size_t)tp->mss;
	send_data(tp, p, 0, len, tp->fin_queued && (uint32_t)TCB_SEQ(p) + len == tp->write_seq);
	return 1;
}

void tcp_retransmit_lost(struct tcp_sock *tp)
{
	struct pkb *p;

	for (p = tp->sndq; p && SEQ_LT((uint32_t)TCB_SEQ(p), tp->snd_max); p = p->next) {
		uint32_t seq = (uint32_t)TCB_SEQ(p);

		if (!(TCB_FLAGS(p) & TCB_LOST))
			continue;
		if (tcp_flight(tp) + p->len > tp->cwnd && tcp_flight(tp))
			break;
		if (p->len <= (size_t)tp->mss)
			send_data(tp, p, 0, p->len, 0);
		/* send_data may have let an ACK free p (loopback): find our place again. */
		p = sndq_find(tp, seq);
		if (!p)
			break;
	}
}
