/*
 * TCP input: a received segment is checked field by field before anything
 * uses it (length, data offset, checksum, every option's length), then
 * handed to its connection or listener and processed as RFC 9293 3.10.7
 * says, with RFC 5961's defences against blind RST, SYN and data
 * injection.  Malformed segments are counted (InErrs, InCsumErrors) and
 * dropped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../vfs/vfs.h"
#include "tcp.h"

struct tcp_mib tcp_mib;

/* What a received segment says, in host order. */
struct seg {
	uint32_t seq, ack, len; /* len: data bytes only */
	uint32_t wnd;           /* unscaled */
	uint32_t urg;           /* TH_URG: the urgent byte's sequence number */
	int flags;
	struct tcp_opts o;
};

int tcp_parse_options(const unsigned char *opt, size_t len, int syn, struct tcp_opts *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	o->wscale = -1;
	while (i < len) {
		unsigned kind = opt[i], olen;

		if (kind == TCPOPT_EOL_)
			break;
		if (kind == TCPOPT_NOP_) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case TCPOPT_MSS_:
			if (olen != 4)
				return -1;
			if (syn)
				o->mss = (opt[i + 2] << 8) | opt[i + 3];
			break;
		case TCPOPT_WS_:
			if (olen != 3)
				return -1;
			if (syn)
				o->wscale = opt[i + 2] > 14 ? 14 : opt[i + 2]; /* RFC 7323 2.3: more than 14 is taken as 14 */
			break;
		case TCPOPT_SACKOK_:
			if (olen != 2)
				return -1;
			if (syn)
				o->sack_ok = 1;
			break;
		case TCPOPT_TS_:
			if (olen != 10)
				return -1;
			o->ts = 1;
			memcpy(&o->tsval, opt + i + 2, 4);
			memcpy(&o->tsecr, opt + i + 6, 4);
			o->tsval = ntohl(o->tsval);
			o->tsecr = ntohl(o->tsecr);
			break;
		case TCPOPT_SACK_:
			if (olen < 10 || (olen - 2) % 8)
				return -1;
			for (unsigned k = 0; k < (olen - 2) / 8 && o->nsack < 4; k++) {
				uint32_t a, b;

				memcpy(&a, opt + i + 2 + 8 * k, 4);
				memcpy(&b, opt + i + 6 + 8 * k, 4);
				o->sack[o->nsack][0] = ntohl(a);
				o->sack[o->nsack][1] = ntohl(b);
				o->nsack++;
			}
			break;
		}
		i += olen;
	}
	return 0;
}

uint32_t tcp_rcv_space(struct tcp_sock *tp)
{
	size_t used = tp->rcv_queued + tp->ooo_queued;

	return used >= tp->rcvbuf_eff ? 0 : (uint32_t)(tp->rcvbuf_eff - used);
}

static void drop(struct pkb *p)
{
	pkb_free(p);
}

static void bad(struct netns *ns, struct pkb *p)
{
	NET_INC(ns, Tcp, InErrs);
	pkb_free(p);
}

/*
 * Counts p against tp's receive memory: 0, or -ENOMEM past twice the
 * buffer (the window bounds the data; this bounds the packets carrying it,
 * so a peer sending one byte per segment cannot make us hold more).
 */
static int charge(struct tcp_sock *tp, struct pkb *p)
{
	size_t c = pkb_truesize(p);

	if (tp->rcv_mem + c > 2 * tp->rcvbuf_eff + 65536 && tp->rcvq)
		return -ENOMEM;
	tp->rcv_mem += c;
	TCB_CHARGE(p) = c;
	return 0;
}

void tcp_pkb_free_charged(struct tcp_sock *tp, struct pkb *p)
{
	tp->rcv_mem -= TCB_CHARGE(p);
	pkb_free(p);
}

/* The options agreed in a handshake, from the peer's SYN or SYN-ACK. */
static void syn_options(struct tcp_sock *tp, const struct tcp_opts *o)
{
	tp->peer_mss = o->mss ? o->mss : (net_addr_is_v4(&tp->inet.raddr) ? 536 : 1220);
	if (o->wscale >= 0 && tp->wscale_ok) {
		tp->snd_wscale = o->wscale;
	} else {
		tp->wscale_ok = 0;
		tp->snd_wscale = 0;
		tp->rcv_wscale = 0;
	}
	tp->sack_ok = tp->sack_ok && o->sack_ok;
	tp->ts_ok = tp->ts_ok && o->ts;
	if (tp->ts_ok) {
		tp->ts_recent = o->tsval;
		tp->ts_recent_ms = tcp_now_ms();
	}
	tcp_mss_update(tp);
}

#define TCB_FIN 16 /* the out-of-order queue: a FIN follows this packet's data */
#define QSEQ(q) ((uint32_t)TCB_SEQ(q))
#define QEND(q) ((uint32_t)TCB_SEQ(q) + (uint32_t)(q)->len)

static void rcvq_append(struct tcp_sock *tp, struct pkb *p)
{
	TCB_FLAGS(p) = 0;
	p->next = NULL;
	tp->rcv_queued += p->len;
	if (tp->rcvq_tail)
		tp->rcvq_tail->next = p;
	else
		tp->rcvq = p;
	tp->rcvq_tail = p;
}

void tcp_rcvq_skip(struct tcp_sock *tp)
{
	struct pkb *p = tp->rcvq;

	if (!p)
		return;
	tp->rcv_queued--;
	tp->copied_seq++;
	if (p->len > 1) {
		pkb_pull(p, 1);
		return;
	}
	tp->rcvq = p->next;
	if (!tp->rcvq)
		tp->rcvq_tail = NULL;
	tcp_pkb_free_charged(tp, p);
}

/*
 * A segment's urgent pointer (RFC 9293 3.10.7.4's sixth step, as Linux's
 * tcp_check_urg and tcp_urg): a pointer past what was read and received,
 * and past the mark we have, is the new mark: the socket's owner gets
 * SIGURG, and an old urgent byte at the head of the stream goes (it was
 * to be passed over).  Then the urgent byte itself, once a segment that
 * passed the sequence checks carries it (in order or not).
 */
static void urgent_in(struct tcp_sock *tp, struct pkb *p, const struct seg *s)
{
	uint32_t ptr = s->urg, off;

	if ((s->flags & TH_URG) && SEQ_GEQ(ptr, tp->rcv_nxt) && !(tp->urg_state && SEQ_LEQ(ptr, tp->urg_seq))) {
		if (tp->inet.ino)
			vfs_fown_urgent(tp->inet.ino);
		if (tp->urg_state && tp->urg_seq == tp->copied_seq && !tp->inet.oobinline && tp->rcvq)
			tcp_rcvq_skip(tp);
		tp->urg_state = TCP_URG_NOTYET;
		tp->urg_seq = ptr;
	}
	if (tp->urg_state != TCP_URG_NOTYET)
		return;
	off = tp->urg_seq - s->seq;
	if (off < s->len) {
		tp->urg_byte = p->data[off];
		tp->urg_state = TCP_URG_VALID;
		tcp_notify(tp);
	}
}

/* Moves the out-of-order packets rcv_nxt reached to the receive queue; 1 when a FIN is now at rcv_nxt. */
static int ooo_drain(struct tcp_sock *tp)
{
	struct pkb *p;

	while ((p = tp->ooo) && SEQ_LEQ(QSEQ(p), tp->rcv_nxt)) {
		uint32_t end = QEND(p);
		int fin = !!(TCB_FLAGS(p) & TCB_FIN);

		tp->ooo = p->next;
		tp->ooo_queued -= p->len;
		if (SEQ_GT(end, tp->rcv_nxt)) {
			pkb_pull(p, tp->rcv_nxt - QSEQ(p));
			TCB_SEQ(p) = tp->rcv_nxt;
			tp->rcv_nxt = end;
			rcvq_append(tp, p);
		} else {
			tcp_pkb_free_charged(tp, p);
		}
		if (fin && end == tp->rcv_nxt)
			return 1;
	}
	return 0;
}

/* Files a segment that came ahead of rcv_nxt by sequence; where it overlaps what is there, it is cut. */
static void ooo_insert(struct tcp_sock *tp, struct pkb *p, uint32_t seq, int fin)
{
	struct pkb **pp = &tp->ooo, *q;
	uint32_t end = seq + (uint32_t)p->len;

	while ((q = *pp) && (SEQ_LT(QEND(q), seq) || (QEND(q) == seq && SEQ_LT(QSEQ(q), seq))))
		pp = &q->next;
	if (q && SEQ_LEQ(QSEQ(q), seq) && SEQ_GEQ(QEND(q), end)) {
		/* All of it is here already: a duplicate (D-SACK it). */
		if (fin && QEND(q) == end)
			TCB_FLAGS(q) |= TCB_FIN;
		if (p->len)
			tp->dsack = tp->sack_ok, tp->dsack_lo = seq, tp->dsack_hi = end;
		drop(p);
		return;
	}
	if (q && SEQ_LT(QSEQ(q), seq)) {
		pkb_pull(p, QEND(q) - seq);
		seq = QEND(q);
		pp = &q->next;
	}
	while ((q = *pp) && SEQ_LEQ(QEND(q), end) && SEQ_GEQ(QSEQ(q), seq)) {
		if (TCB_FLAGS(q) & TCB_FIN && QEND(q) == end)
			fin = 1;
		*pp = q->next;
		tp->ooo_queued -= q->len;
		tcp_pkb_free_charged(tp, q);
	}
	if (q && SEQ_LT(QSEQ(q), end)) {
		pkb_trim(p, QSEQ(q) - seq);
		fin = 0;
	}
	if (charge(tp, p) < 0) {
		drop(p);
		return;
	}
	TCB_SEQ(p) = seq;
	TCB_FLAGS(p) = fin ? TCB_FIN : 0;
	p->next = *pp;
	*pp = p;
	tp->ooo_queued += p->len;
}

/* Acknowledge now, or later (delayed ACK: every second full segment, 40 ms at most). */
static void ack_policy(struct tcp_sock *tp, uint32_t len)
{
	tp->ack_pending = 1;
	if (len >= (uint32_t)tp->rcv_mss / 2 || len >= 536)
		tp->segs_unacked++;
	if (tp->quickack > 0) {
		tp->quickack--;
		tcp_send_ack(tp);
	} else if (tp->segs_unacked >= 2 || tp->ooo || tcp_rcv_space(tp) < (uint32_t)tp->adv_mss) {
		tcp_send_ack(tp);
	} else {
		tcp_dack_arm(tp);
	}
}

/* Marks the send-queue packets that SACK blocks cover (only blocks within what we sent count). */
static void sack_update(struct tcp_sock *tp, const struct seg *s)
{
	for (int i = 0; i < s->o.nsack; i++) {
		uint32_t lo = s->o.sack[i][0], hi = s->o.sack[i][1];
		struct pkb *p;

		if (!SEQ_LT(lo, hi) || SEQ_LEQ(hi, tp->snd_una) || SEQ_GT(hi, tp->snd_max) ||
		    SEQ_LT(lo, tp->snd_una))
			continue; /* D-SACK or nonsense: nothing to mark */
		for (p = tp->sndq; p; p = p->next) {
			uint32_t a = (uint32_t)TCB_SEQ(p), b = a + (uint32_t)p->len;

			if (SEQ_GEQ(a, hi))
				break;
			if (SEQ_GEQ(a, lo) && SEQ_LEQ(b, hi) && !(TCB_FLAGS(p) & TCB_SACKED)) {
				TCB_FLAGS(p) |= TCB_SACKED;
				tp->sacked_out += (uint32_t)p->len;
			}
		}
	}
}

/*
 * Marks lost what sits below the highest SACKed byte and was neither
 * SACKed nor already resent (RFC 6675's IsLost, roughly): each hole is
 * resent once per recovery; a resent segment lost again is the RTO's.
 */
static void mark_lost(struct tcp_sock *tp)
{
	struct pkb *p, *hi = NULL;

	for (p = tp->sndq; p; p = p->next)
		if (TCB_FLAGS(p) & TCB_SACKED)
			hi = p;
	for (p = tp->sndq; p && p != hi; p = p->next)
		if (!(TCB_FLAGS(p) & (TCB_SACKED | TCB_RETRANS)) && SEQ_LT((uint32_t)TCB_SEQ(p), tp->snd_max))
			TCB_FLAGS(p) |= TCB_LOST;
}

/* Frees what ack acknowledges; the bytes of data it acknowledged. */
static uint32_t clean_sndq(struct tcp_sock *tp, uint32_t ack, int ts_sample)
{
	struct pkb *p;
	uint32_t acked = 0;
	uint64_t now = tcp_now_ms();

	while ((p = tp->sndq)) {
		uint32_t seq = (uint32_t)TCB_SEQ(p), end = seq + (uint32_t)p->len;

		if (SEQ_LEQ(end, ack) && (TCB_FLAGS(p) & TCB_SENT || p->len == 0)) {
			if (!ts_sample && !(TCB_FLAGS(p) & TCB_RETRANS) && !p->next && TCB_SENT_MS(p))
				tcp_rtt_sample(tp, (uint32_t)(now - TCB_SENT_MS(p)) * 1000 + 1);
			if (TCB_FLAGS(p) & TCB_SACKED)
				tp->sacked_out -= (uint32_t)p->len;
			tp->sndq = p->next;
			if (!tp->sndq)
				tp->sndq_tail = NULL;
			tp->snd_queued -= p->len;
			acked += (uint32_t)p->len;
			pkb_free(p);
			continue;
		}
		if (SEQ_LT(seq, ack) && SEQ_LT(ack, end)) {
			/* Part of it: the rest is all that is kept (a shared packet is only read from here on). */
			uint32_t n = ack - seq;

			if (TCB_FLAGS(p) & TCB_SACKED) {
				tp->sacked_out -= (uint32_t)p->len;
				TCB_FLAGS(p) &= ~(uint64_t)TCB_SACKED;
			}
			pkb_pull(p, n);
			TCB_SEQ(p) = ack;
			tp->snd_queued -= n;
			acked += n;
			if (!(TCB_FLAGS(p) & TCB_SENT) && TCB_CAP(p))
				TCB_FLAGS(p) |= TCB_SENT; /* never appended to again: its start moved */
		}
		break;
	}
	return acked;
}

/* An ACK that moves snd_una: the queue, timing, congestion state. */
static void ack_new(struct tcp_sock *tp, const struct seg *s)
{
	uint32_t ack = s->ack, prior_una = tp->snd_una;
	int ts_sample = 0;
	uint32_t acked;

	if (tp->ts_ok && s->o.ts && s->o.tsecr) {
		uint32_t d = tcp_tsval() - s->o.tsecr;

		if (d < 600000) {
			tcp_rtt_sample(tp, d * 1000 + 500);
			ts_sample = 1;
		}
	} else if (tp->rtt_timing && SEQ_GT(ack, tp->rtt_seq)) {
		tcp_rtt_sample(tp, (uint32_t)(tcp_now_ms() - tp->rtt_seq_ms) * 1000 + 1);
		ts_sample = 1;
		tp->rtt_timing = 0;
	}
	acked = clean_sndq(tp, ack, ts_sample);
	tp->snd_una = ack;
	if (tp->snd_urg && SEQ_GEQ(ack, tp->snd_up))
		tp->snd_urg = 0;
	if (SEQ_LT(tp->snd_nxt, ack))
		tp->snd_nxt = ack;
	tp->bytes_acked += ack - prior_una;
	tp->backoff = 0;
	tp->retries = 0;
	tp->first_rtx_ms = 0;
	tp->probing = 0;
	tp->last_ack_rcv_ms = tcp_now_ms();
	if (tp->in_recovery || tp->in_loss) {
		if (SEQ_GEQ(ack, tp->recover)) {
			if (tp->in_recovery)
				tp->cwnd = tp->ssthresh;
			tp->in_recovery = 0;
			tp->in_loss = 0;
		} else if (tp->in_recovery) {
			/* A partial ACK (RFC 6582): the next hole goes out now; the window deflates by what was acked. */
			tp->cwnd = tp->cwnd > acked ? tp->cwnd - acked + (uint32_t)tp->mss : (uint32_t)tp->mss;
			mark_lost(tp);
			if (!tp->sacked_out)
				tcp_retransmit_head(tp);
			else
				tcp_retransmit_lost(tp);
		} else {
			tcp_cong_ack(tp, ack - prior_una, 0);
		}
	} else {
		tcp_cong_ack(tp, ack - prior_una, 0);
	}
	tp->dupacks = 0;
	if (tp->snd_una == tp->snd_max)
		tcp_rtx_stop(tp);
	else
		tcp_rtx_arm(tp);
	tcp_notify(tp);
}

/* A duplicate ACK: fast retransmit on the third (or when SACK shows three segments' worth above a hole). */
static void ack_dup(struct tcp_sock *tp, const struct seg *s)
{
	tp->dupacks++;
	if (tp->in_recovery) {
		tp->cwnd += (uint32_t)tp->mss;
		if (tp->sacked_out) {
			mark_lost(tp);
			tcp_retransmit_lost(tp);
		}
		return;
	}
	if (tp->dupacks >= 3 || tp->sacked_out >= 3 * (uint32_t)tp->mss) {
		tp->ssthresh = tp->cong->ssthresh(tp);
		tp->prior_cwnd = tp->cwnd;
		tp->cwnd = tp->ssthresh + 3 * (uint32_t)tp->mss;
		tp->in_recovery = 1;
		tp->recover = tp->snd_max;
		mark_lost(tp);
		tcp_retransmit_head(tp);
		tcp_retransmit_lost(tp);
	}
}

/* Whether seg is within the window we advertised (RFC 9293 3.10.7.4's table). */
static int seq_acceptable(struct tcp_sock *tp, const struct seg *s, int fin)
{
	uint32_t wnd = tp->rcv_wup + tp->rcv_wnd_adv - tp->rcv_nxt, len = s->len + (uint32_t)fin;

	if (SEQ_LT(tp->rcv_wup + tp->rcv_wnd_adv, tp->rcv_nxt))
		wnd = 0;
	if (len == 0) {
		if (wnd == 0)
			return s->seq == tp->rcv_nxt;
		return SEQ_LEQ(tp->rcv_nxt, s->seq) && SEQ_LT(s->seq, tp->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return 0;
	return (SEQ_LEQ(tp->rcv_nxt, s->seq) && SEQ_LT(s->seq, tp->rcv_nxt + wnd)) ||
	       (SEQ_LEQ(tp->rcv_nxt, s->seq + len - 1) && SEQ_LT(s->seq + len - 1, tp->rcv_nxt + wnd));
}

/*
 * Whether the ACK answering an out-of-window segment (or a challenge) is
 * to be left out: at most one per TCP_INVALID_RATELIMIT_MS per connection,
 * for pure ACKs and SYNs, as Linux's tcp_oow_rate_limited.  Two ends that
 * disagree about the sequence space (a forged segment moved one of them)
 * would otherwise answer each other's ACKs forever; a segment with data is
 * no part of such a loop and is always answered.
 */
static int oow_rate_limited(struct tcp_sock *tp, const struct seg *s)
{
	uint64_t now = tcp_now_ms();

	if (s->len && !(s->flags & TH_SYN))
		return 0;
	if (tp->oow_ack_ms && now - tp->oow_ack_ms < TCP_INVALID_RATELIMIT_MS)
		return 1;
	tp->oow_ack_ms = now;
	return 0;
}

/* RFC 5961: a challenge ACK instead of acting on a segment that may be forged, rate-limited. */
static void challenge_ack(struct tcp_sock *tp, const struct seg *s)
{
	if (oow_rate_limited(tp, s))
		return;
	tcp_mib.challenge_acks++;
	tcp_send_ack_now(tp);
}

static void process_fin(struct tcp_sock *tp)
{
	tp->rcv_nxt++;
	tp->fin_rcvd = 1;
	switch (tp->state) {
	case TCP_S_SYN_RECV:
	case TCP_S_ESTABLISHED:
		tcp_set_state(tp, TCP_S_CLOSE_WAIT);
		break;
	case TCP_S_FIN_WAIT1:
		/* Our FIN not yet acknowledged: both sides closing at once. */
		tcp_set_state(tp, TCP_S_CLOSING);
		break;
	case TCP_S_FIN_WAIT2:
		tcp_enter_time_wait(tp);
		break;
	}
	tcp_send_ack_now(tp);
	tcp_notify(tp);
}

/* The segment for a connection in SYN_SENT (RFC 9293 3.10.7.3). */
static void rcv_syn_sent(struct tcp_sock *tp, struct pkb *p, const struct seg *s)
{
	if (s->flags & TH_ACK) {
		if (SEQ_LEQ(s->ack, tp->iss) || SEQ_GT(s->ack, tp->snd_max)) {
			if (!(s->flags & TH_RST))
				tcp_send_rst_at(tp, s->ack);
			drop(p);
			return;
		}
	}
	if (s->flags & TH_RST) {
		if (s->flags & TH_ACK)
			tcp_done(tp, ECONNREFUSED);
		drop(p);
		return;
	}
	if (!(s->flags & TH_SYN)) {
		drop(p);
		return;
	}
	tp->irs = s->seq;
	tp->rcv_nxt = s->seq + 1;
	tp->rcv_wup = tp->rcv_nxt;
	tp->copied_seq = tp->rcv_nxt;
	syn_options(tp, &s->o);
	if (s->flags & TH_ACK) {
		tp->snd_una = s->ack;
		tp->snd_wnd = s->wnd; /* a SYN's window is never scaled */
		tp->max_wnd = tp->snd_wnd;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
		if (tp->retries == 0)
			tcp_rtt_sample(tp, (uint32_t)(tcp_now_ms() - tp->last_snd_ms) * 1000 + 1);
		tp->retries = 0;
		tp->backoff = 0;
		tcp_rtx_stop(tp);
		tcp_cong_init(tp);
		tcp_set_state(tp, TCP_S_ESTABLISHED);
		tp->last_rcv_ms = tcp_now_ms();
		tcp_ka_reset(tp);
		tcp_send_ack_now(tp);
		tcp_notify(tp);
		tcp_output(tp);
	} else {
		/* Simultaneous open. */
		tcp_set_state(tp, TCP_S_SYN_RECV);
		tp->snd_wnd = s->wnd;
		tcp_send_synack(tp);
	}
	drop(p);
}

/* A segment for a listener (RFC 9293 3.10.7.2). */
static void rcv_listen(struct tcp_sock *l, struct pkb *p, const struct seg *s, const struct net_rx_meta *m,
		       const struct tcp_hdr *th)
{
	struct tcp_sock *c;

	if (s->flags & TH_RST) {
		drop(p);
		return;
	}
	if (s->flags & TH_ACK || !(s->flags & TH_SYN)) {
		if (s->flags & TH_ACK)
			tcp_send_reset_reply(l->inet.ns, m, th, s->len);
		drop(p);
		return;
	}
	c = tcp_child_new(l, m, ntohs(th->sport), ntohs(th->dport));
	if (!c) {
		drop(p);
		return;
	}
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->rcv_wup = c->rcv_nxt;
	c->copied_seq = c->rcv_nxt;
	c->snd_wnd = s->wnd;
	c->max_wnd = s->wnd;
	c->snd_wl1 = s->seq;
	syn_options(c, &s->o);
	tcp_send_synack(c);
	tcp_rtx_arm(c);
	drop(p);
}

/* A segment for a synchronized connection (RFC 9293 3.10.7.4). */
static void rcv_established(struct tcp_sock *tp, struct pkb *p, struct seg *s)
{
	int fin = !!(s->flags & TH_FIN);

	/*
	 * 0: PAWS (RFC 7323 5.3): a segment whose timestamp is older than the
	 * last one taken in the window is an old duplicate from a wrapped
	 * sequence space: dropped with an ACK, as Linux's tcp_paws_discard
	 * (with its slack of 1 and its exception for a reordered pure ACK),
	 * unless the timestamp taken is 24 days old.  RSTs are not checked.
	 */
	if (tp->ts_ok && s->o.ts && !(s->flags & TH_RST) && (int32_t)(tp->ts_recent - s->o.tsval) > 1 &&
	    tcp_now_ms() - tp->ts_recent_ms < TCP_PAWS_IDLE_MS &&
	    !(s->len == 0 && !(s->flags & (TH_SYN | TH_FIN)) && s->seq == tp->rcv_nxt && s->ack == tp->snd_una)) {
		if (!oow_rate_limited(tp, s))
			tcp_send_ack_now(tp);
		drop(p);
		return;
	}
	/* 1: sequence number. */
	if (!seq_acceptable(tp, s, fin)) {
		if (!(s->flags & TH_RST)) {
			if (s->len && SEQ_LEQ(s->seq + s->len, tp->rcv_nxt)) {
				tp->dsack = tp->sack_ok, tp->dsack_lo = s->seq, tp->dsack_hi = s->seq + s->len;
			}
			if (tp->state == TCP_S_TIME_WAIT && fin)
				tcp_enter_time_wait(tp); /* its FIN again: our ACK was lost; 2 MSL anew */
			if (!oow_rate_limited(tp, s))
				tcp_send_ack_now(tp);
		}
		drop(p);
		return;
	}
	/* 2: RST, only at exactly rcv_nxt (RFC 5961 3.2); elsewhere in the window a challenge ACK. */
	if (s->flags & TH_RST) {
		if (s->seq != tp->rcv_nxt) {
			challenge_ack(tp, s);
		} else if (tp->state == TCP_S_SYN_RECV && tp->parent) {
			tcp_done(tp, 0);
		} else {
			int err = tp->state == TCP_S_SYN_RECV ? ECONNREFUSED :
				  (tp->state == TCP_S_CLOSING || tp->state == TCP_S_LAST_ACK || tp->state == TCP_S_TIME_WAIT) ?
									 0 :
									 ECONNRESET;
			if (tp->state == TCP_S_CLOSE_WAIT)
				err = EPIPE;
			if (err == ECONNRESET || err == EPIPE)
				NET_INC(tp->inet.ns, Tcp, EstabResets);
			tcp_done(tp, err);
		}
		drop(p);
		return;
	}
	/* Trim what we have already (the front) and what is past the window (the end). */
	if (SEQ_LT(s->seq, tp->rcv_nxt)) {
		uint32_t dup = tp->rcv_nxt - s->seq;

		if (s->flags & TH_SYN) {
			s->flags &= ~TH_SYN;
			s->seq++;
			dup--;
		}
		if (dup > s->len)
			dup = s->len;
		if (dup) {
			tp->dsack = tp->sack_ok, tp->dsack_lo = s->seq, tp->dsack_hi = s->seq + dup;
			pkb_pull(p, dup);
			s->seq += dup;
			s->len -= dup;
		}
	}
	{
		uint32_t edge = tp->rcv_wup + tp->rcv_wnd_adv;

		if (SEQ_GT(s->seq + s->len, edge) && SEQ_GEQ(edge, s->seq)) {
			s->len = edge - s->seq;
			pkb_trim(p, s->len);
			fin = 0;
		}
	}
	/* 4: a SYN in a synchronized state: challenge ACK (RFC 5961 4.2), the SYN-ACK again for a repeated SYN. */
	if (s->flags & TH_SYN) {
		if (tp->state == TCP_S_SYN_RECV && s->seq == tp->irs)
			tcp_send_synack(tp);
		else
			challenge_ack(tp, s);
		drop(p);
		return;
	}
	/* 5: ACK. */
	if (!(s->flags & TH_ACK)) {
		drop(p);
		return;
	}
	if (tp->state == TCP_S_SYN_RECV) {
		if (SEQ_LEQ(s->ack, tp->snd_una) || SEQ_GT(s->ack, tp->snd_max)) {
			tcp_send_rst_at(tp, s->ack);
			drop(p);
			return;
		}
		tp->snd_una = s->ack;
		tp->snd_wnd = s->wnd << tp->snd_wscale;
		tp->max_wnd = tp->snd_wnd;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
		if (tp->retries == 0)
			tcp_rtt_sample(tp, (uint32_t)(tcp_now_ms() - tp->last_snd_ms) * 1000 + 1);
		tp->retries = 0;
		tp->backoff = 0;
		tcp_rtx_stop(tp);
		tcp_cong_init(tp);
		tcp_set_state(tp, TCP_S_ESTABLISHED);
		tcp_ka_reset(tp);
		if (tp->parent)
			tcp_child_established(tp);
		tcp_notify(tp);
	}
	/* RFC 5961 5.2: an ACK of data never sent, or far older than the window, is answered, not taken. */
	if (SEQ_GT(s->ack, tp->snd_max) || SEQ_LT(s->ack, tp->snd_una - tp->max_wnd)) {
		if (!oow_rate_limited(tp, s))
			tcp_send_ack_now(tp);
		drop(p);
		return;
	}
	if (tp->sack_ok && s->o.nsack)
		sack_update(tp, s);
	{
		uint32_t wnd = s->wnd << tp->snd_wscale;
		int wnd_changed = 0;

		if (SEQ_LT(tp->snd_wl1, s->seq) || (tp->snd_wl1 == s->seq && SEQ_LEQ(tp->snd_wl2, s->ack))) {
			wnd_changed = wnd != tp->snd_wnd;
			tp->snd_wnd = wnd;
			if (wnd > tp->max_wnd)
				tp->max_wnd = wnd;
			tp->snd_wl1 = s->seq;
			tp->snd_wl2 = s->ack;
			if (wnd_changed)
				tcp_notify(tp);
		}
		if (SEQ_GT(s->ack, tp->snd_una))
			ack_new(tp, s);
		else if (s->ack == tp->snd_una && !s->len && !fin && !wnd_changed && tp->snd_una != tp->snd_max)
			ack_dup(tp, s);
	}
	if (tp->state == TCP_S_CLOSE)
		goto out; /* ack_new's retransmission may have met a RST on loopback */
	if (tp->ts_ok && s->o.ts && SEQ_LEQ(s->seq, tp->rcv_wup) && (int32_t)(s->o.tsval - tp->ts_recent) >= 0) {
		tp->ts_recent = s->o.tsval;
		tp->ts_recent_ms = tcp_now_ms();
	}
	{
		int fin_acked = tp->fin_queued && tp->snd_una == tp->write_seq + 1;

		switch (tp->state) {
		case TCP_S_FIN_WAIT1:
			if (fin_acked) {
				tcp_set_state(tp, TCP_S_FIN_WAIT2);
				if (!tp->has_file)
					tcp_ka_arm(tp, TCP_FIN_TIMEOUT_MS(tp));
				tcp_notify(tp);
			}
			break;
		case TCP_S_CLOSING:
			if (fin_acked)
				tcp_enter_time_wait(tp);
			break;
		case TCP_S_LAST_ACK:
			if (fin_acked) {
				tcp_done(tp, 0);
				drop(p);
				return;
			}
			break;
		case TCP_S_TIME_WAIT:
			if (fin) {
				tcp_send_ack_now(tp);
				tcp_enter_time_wait(tp);
			}
			drop(p);
			return;
		}
	}
	/* 6: the urgent pointer. */
	if ((s->flags & TH_URG) || tp->urg_state == TCP_URG_NOTYET)
		urgent_in(tp, p, s);
	/* 7: data. */
	if (s->len) {
		if (tp->state != TCP_S_ESTABLISHED && tp->state != TCP_S_FIN_WAIT1 && tp->state != TCP_S_FIN_WAIT2) {
			drop(p);
			return;
		}
		if (!tp->has_file && !tp->parent) {
			/* Closed by the application: nobody will read it (RFC 9293 3.10.7 note; Linux resets). */
			tcp_send_rst(tp);
			tcp_done(tp, 0);
			drop(p);
			return;
		}
		tp->data_segs_in++;
		tp->bytes_received += s->len;
		if ((int)s->len > tp->rcv_mss)
			tp->rcv_mss = (int)s->len;
		tp->last_rcv_ms = tcp_now_ms();
		if (s->seq == tp->rcv_nxt) {
			int fin_now, acked_now = 0;

			if (charge(tp, p) < 0) {
				drop(p);
				return;
			}
			TCB_SEQ(p) = s->seq;
			tp->rcv_nxt += s->len;
			rcvq_append(tp, p);
			fin_now = fin && s->seq + s->len == tp->rcv_nxt;
			if (!fin_now && tp->ooo) {
				fin_now = ooo_drain(tp);
				if (!fin_now)
					tcp_send_ack_now(tp); /* a hole filled: the sender waits to hear at once */
				acked_now = 1;
			}
			if (fin_now)
				process_fin(tp);
			else if (!acked_now)
				ack_policy(tp, s->len);
			tcp_notify(tp);
			tcp_output(tp);
			return;
		}
		/* Ahead of rcv_nxt: kept for later, and a duplicate ACK (with SACK blocks) now. */
		ooo_insert(tp, p, s->seq, fin);
		tcp_send_ack_now(tp);
		return;
	}
	/* 8: FIN. */
	if (fin) {
		if (s->seq == tp->rcv_nxt) {
			process_fin(tp);
		} else if (SEQ_GT(s->seq, tp->rcv_nxt)) {
			struct pkb *z = pkb_alloc(0, 0);

			if (z)
				ooo_insert(tp, z, s->seq, 1);
			tcp_send_ack_now(tp);
		}
	}
	if (tp->state != TCP_S_CLOSE)
		tcp_output(tp);
out:
	if (p)
		drop(p);
}

void tcp_rcv(struct netns *ns, struct pkb *p, const struct net_rx_meta *m)
{
	const struct tcp_hdr *th;
	struct tcp_hdr hcopy;
	struct tcp_sock *tp;
	struct seg s;
	size_t doff;

	NET_INC(ns, Tcp, InSegs);
	if (p->len < sizeof(struct tcp_hdr)) {
		bad(ns, p);
		return;
	}
	th = (const struct tcp_hdr *)p->data;
	doff = (size_t)(th->off_res >> 4) * 4;
	if (doff < sizeof(struct tcp_hdr) || doff > p->len) {
		bad(ns, p);
		return;
	}
	if (!(p->flags & PKB_L4_CSUM_UNCHECKED)) {
		uint32_t sum = net_csum_pseudo(&m->src, &m->dst, IPPROTO_TCP, p->len);

		if (net_csum_fold(net_csum_add(sum, p->data, p->len)) != 0) {
			NET_INC(ns, Tcp, InCsumErrors);
			bad(ns, p);
			return;
		}
	}
	if (p->flags & (PKB_BROADCAST | PKB_MULTICAST) || th->sport == 0 || th->dport == 0) {
		bad(ns, p);
		return;
	}
	if (tcp_parse_options(p->data + sizeof(*th), doff - sizeof(*th), !!(th->flags & TH_SYN), &s.o) < 0) {
		bad(ns, p);
		return;
	}
	hcopy = *th;
	s.seq = ntohl(th->seq);
	s.ack = ntohl(th->ack);
	s.flags = th->flags;
	s.wnd = ntohs(th->window);
	/* The pointer says where the byte after the urgent one is (BSD's reading, Linux's tcp_stdurg 0). */
	s.urg = s.seq + ntohs(th->urg) - !!th->urg;
	s.len = (uint32_t)(p->len - doff);
	pkb_pull(p, doff);
	/* Both SYN and FIN, or SYN and RST: nonsense every stack drops. */
	if ((s.flags & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN) || (s.flags & (TH_SYN | TH_RST)) == (TH_SYN | TH_RST)) {
		bad(ns, p);
		return;
	}
	tcp_enter();
	tp = tcp_conn_lookup(ns, &m->dst, ntohs(th->dport), &m->src, ntohs(th->sport));
	if (tp && tp->state == TCP_S_TIME_WAIT && (s.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    (SEQ_GT(s.seq, tp->rcv_nxt) || (tp->ts_ok && s.o.ts && (int32_t)(s.o.tsval - tp->ts_recent) > 0))) {
		/*
		 * A new SYN for the pair of a connection in TIME_WAIT, past all it
		 * ever sent (its sequence number or timestamp newer): a new
		 * incarnation (RFC 9293 3.6.1, RFC 6191), as Linux's TCP_TW_SYN.
		 * The old one goes and the listener takes the SYN; else a client
		 * that picks the same port again waits a second for its retry.
		 */
		tcp_done(tp, 0);
		tp = NULL;
	}
	if (!tp) {
		struct inet_sock *is = inet_lookup(ns, IPPROTO_TCP, &m->src, ntohs(hcopy.sport), &m->dst,
						   ntohs(hcopy.dport), m->ifindex);

		if (is && tcp_sk(is)->state == TCP_S_LISTEN)
			rcv_listen(tcp_sk(is), p, &s, m, &hcopy);
		else {
			tcp_send_reset_reply(ns, m, &hcopy, s.len);
			drop(p);
		}
		tcp_leave();
		return;
	}
	tp->segs_in++;
	if (tp->state == TCP_S_SYN_SENT)
		rcv_syn_sent(tp, p, &s);
	else if (tp->state == TCP_S_CLOSE || tp->state == TCP_S_LISTEN) {
		tcp_send_reset_reply(ns, m, &hcopy, s.len);
		drop(p);
	} else {
		tp->last_rcv_ms = tcp_now_ms();
		tp->ka_probes = 0;
		rcv_established(tp, p, &s);
	}
	tcp_leave();
}

static void tcp_err(struct netns *ns, const struct net_icmp_err *e)
{
	struct tcp_hdr th;
	struct tcp_sock *tp;

	if (e->payload_len < 8)
		return;
	memcpy(&th, e->payload, 8);
	tp = tcp_conn_lookup(ns, &e->src, ntohs(th.sport), &e->dst, ntohs(th.dport));
	if (!tp)
		return;
	if (e->err == EMSGSIZE) {
		/* Path MTU: the segments get smaller (the next ones; what is queued is resent in pieces). */
		int v6 = !net_addr_is_v4(&tp->inet.raddr), m = (int)e->info - (v6 ? 60 : 40);

		if (m >= 536 && m < tp->adv_mss) {
			tp->adv_mss = m;
			tcp_mss_update(tp);
		}
		return;
	}
	if (tp->state == TCP_S_SYN_SENT && (e->err == ECONNREFUSED || e->err == EHOSTUNREACH || e->err == ENETUNREACH)) {
		tcp_enter();
		tcp_done(tp, e->err);
		tcp_leave();
		return;
	}
	tp->err_soft = e->err;
}

static const struct net_protocol tcp_protocol = {.protocol = IPPROTO_TCP, .rcv = tcp_rcv, .err = tcp_err};
NET_PROTOCOL(tcp_protocol)
