/*
 * TCP inside netstack (private to netstack/tcp/).
 *
 *   tcp.c        the state machine's transitions (RFC 9293), the connection
 *                table, and the socket calls (socket_ops, file_ops)
 *   tcp_in.c     segment input: header and option checks, the per-state
 *                processing of RFC 9293 3.10.7 with RFC 5961's checks,
 *                the out-of-order queue and the SACK blocks we report
 *   tcp_out.c    segments out: MSS, Nagle/NODELAY/CORK, window scaling,
 *                timestamps, SACK blocks, delayed and immediate ACKs, RST
 *   tcp_timer.c  retransmission (RFC 6298), delayed ACK, keepalive,
 *                zero-window probes, TIME_WAIT, FIN_WAIT_2, user timeout
 *   tcp_cong.c   congestion control: NewReno and CUBIC (the default)
 *
 * Segments and buffers.  The send queue holds the bytes the application
 * wrote and the peer has not yet acknowledged, as packets (struct pkb)
 * of at most one MSS with headroom for every header: a segment sent for
 * the first time is a pkb_clone of its queue entry with the TCP header
 * pushed in front, so the bytes are never copied on the way out; a
 * retransmission (rare) is a fresh copy, since the first clone may still
 * be read by its receiver.  The receive queue holds the packets that came,
 * headers pulled: read copies out of them, no other copy is made.
 *
 * Connections (every socket with a four-tuple: connecting, accepted,
 * SYN_RECV children of a listener, TIME_WAIT) are in TCP's own table,
 * looked up before the port table, which then only finds listeners.
 *
 * Lifetime: a tcp_sock is freed when it is CLOSED and no file, listener
 * queue or table holds it (tcp_maybe_free).  The stack re-enters itself
 * on loopback (a segment sent is received, and answered, before
 * net_ip_output returns), so nothing is freed while any TCP entry point
 * is still on the stack: frees wait for the outermost one (tcp_enter,
 * tcp_leave).
 *
 * Locking: sentry_lock, as all of netstack.
 */
#pragma once

#include <stdint.h>
#include <netinet/tcp.h>

#include "../../sentry/kernel/timer.h"
#include "../netstack.h"
#include "../socket/inet.h"

/* Sequence numbers compare modulo 2^32. */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* States, numbered as Linux's (/proc/net/tcp and TCP_INFO show these numbers). */
enum {
	TCP_S_ESTABLISHED = 1,
	TCP_S_SYN_SENT,
	TCP_S_SYN_RECV,
	TCP_S_FIN_WAIT1,
	TCP_S_FIN_WAIT2,
	TCP_S_TIME_WAIT,
	TCP_S_CLOSE,
	TCP_S_CLOSE_WAIT,
	TCP_S_LAST_ACK,
	TCP_S_LISTEN,
	TCP_S_CLOSING,
};

/* The wire header (RFC 9293 3.1). */
struct tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off_res;   /* data offset in the high 4 bits, 32-bit words */
	uint8_t flags;
	uint16_t window;
	uint16_t csum;
	uint16_t urg;
} __attribute__((packed));

/* Its flags are netinet/tcp.h's TH_FIN, TH_SYN, TH_RST, TH_PUSH, TH_ACK, TH_URG. */

enum { TCPOPT_EOL_ = 0, TCPOPT_NOP_ = 1, TCPOPT_MSS_ = 2, TCPOPT_WS_ = 3, TCPOPT_SACKOK_ = 4, TCPOPT_SACK_ = 5,
       TCPOPT_TS_ = 8 };

/* What the options of a received segment said. */
struct tcp_opts {
	int mss;               /* 0: none */
	int wscale;            /* -1: none */
	int sack_ok;
	int ts;                /* TSval/TSecr present */
	uint32_t tsval, tsecr;
	int nsack;
	uint32_t sack[4][2];
};

/* A send-queue or receive-queue packet's bookkeeping, in its cb. */
#define TCB_SEQ(p) ((p)->cb[0])        /* first sequence number its data has */
#define TCB_FLAGS(p) ((p)->cb[1])      /* TCB_* */
#define TCB_CAP(p) ((p)->cb[2])        /* send queue: bytes its buffer holds past data */
#define TCB_SENT_MS(p) ((p)->cb[3])    /* send queue: when last sent (ms) */
#define TCB_CHARGE(p) ((p)->cb[4])     /* receive side: bytes counted in rcv_mem */
enum {
	TCB_SACKED = 1,  /* the peer holds it (SACK) */
	TCB_RETRANS = 2, /* sent more than once: no RTT sample (Karn) */
	TCB_SENT = 4,    /* sent at least once */
	TCB_LOST = 8,    /* marked for retransmission in recovery */
};

struct tcp_sock;

/* A congestion controller (tcp_cong.c). */
struct tcp_cong_ops {
	const char *name;
	void (*init)(struct tcp_sock *tp);
	/* bytes newly acknowledged outside recovery */
	void (*on_ack)(struct tcp_sock *tp, uint32_t acked);
	/* the new ssthresh on a loss (fast retransmit or timeout) */
	uint32_t (*ssthresh)(struct tcp_sock *tp);
};

struct tcp_sock {
	struct inet_sock inet;         /* first: the socket layer's view */
	int state;
	int refs;                      /* a listener: its own while listening, one per child */
	int has_file;                  /* a file refers to it (its inode too) */
	int in_table;                  /* on the connection table */
	int dead;                      /* on the free list */
	int shut_all;                  /* the connection ended (reset, timed out, closed): both ways shut */
	int connecting;                /* connect(2) started and has not yet told its outcome */
	int user_mss;                  /* TCP_MAXSEG before connecting: 0 none */
	struct tcp_sock *hnext;        /* the connection table's chain */
	struct tcp_sock *free_next;

	/* Send side (RFC 9293 3.3.1 names). */
	uint32_t iss, snd_una, snd_nxt, snd_max, write_seq;
	uint32_t snd_wnd, max_wnd, snd_wl1, snd_wl2;
	int snd_wscale, rcv_wscale, wscale_ok;
	int sack_ok, ts_ok;
	uint32_t ts_recent;            /* the peer's last TSval in window (we echo it) */
	uint64_t ts_recent_ms;         /* when it was taken: PAWS forgets it after 24 days idle (RFC 7323 5.5) */
	int mss;                       /* what a segment's data may be (options left out) */
	int peer_mss, adv_mss;
	struct pkb *sndq, *sndq_tail;  /* from snd_una to write_seq */
	size_t snd_queued;             /* bytes in sndq */
	int fin_queued;                /* a FIN follows write_seq's data: its sequence number is write_seq */
	int snd_urg;                   /* urgent mode: send(MSG_OOB) data not all acknowledged yet */
	uint32_t snd_up;               /* ...and the byte after the last urgent one (every segment before it says so) */
	int nodelay, cork, more_pending;
	int syn_retries;               /* TCP_SYNCNT: 0 for the default (6) */

	/* Receive side. */
	uint32_t irs, rcv_nxt, rcv_wup, copied_seq;
	uint32_t rcv_wnd_adv;          /* the window last advertised (right edge - rcv_wup) */
	struct pkb *rcvq, *rcvq_tail;  /* in order, headers pulled, from copied_seq */
	size_t rcv_queued;
	struct pkb *ooo;               /* out of order, by sequence, no overlaps */
	size_t ooo_queued;
	size_t rcv_mem;                /* what the receive and out-of-order queues' packets hold */
	int fin_rcvd;                  /* a FIN came at rcv_nxt - 1 */
	int urg_state;                 /* TCP_URG_*: the urgent byte the peer last pointed at; 0 none */
	uint32_t urg_seq;              /* ...its sequence number: reads stop at it (the mark) */
	unsigned char urg_byte;        /* ...and its value, once it came */
	int dsack;                     /* report the duplicate [dsack_lo, dsack_hi) in the next ACK */
	uint32_t dsack_lo, dsack_hi;
	uint64_t oow_ack_ms;           /* when an out-of-window segment was last answered (oow_rate_limited) */
	size_t rcvbuf_eff, sndbuf_eff; /* the buffers in force (SO_RCVBUF/SNDBUF set them; else auto) */
	int user_rcvbuf, user_sndbuf;

	/* ACK policy. */
	int ack_pending;               /* data came that we have not acknowledged */
	int segs_unacked;              /* full segments since our last ACK */
	int quickack;                  /* ACK at once this many more times (start, TCP_QUICKACK) */
	int pingpong;                  /* interactive: ACKs ride on replies */

	/* Timing (RFC 6298), in microseconds but rto in ms. */
	uint32_t srtt_us, rttvar_us, rto_ms, min_rtt_us;
	int backoff;                   /* RTO doublings since the last forward progress */
	int retries;                   /* retransmissions of the head (or probes) without progress */
	uint64_t rtt_seq_ms;           /* Karn timing without timestamps: when rtt_seq was sent */
	uint32_t rtt_seq;
	int rtt_timing;
	uint64_t first_rtx_ms;         /* when the oldest unacknowledged retransmission began */
	uint64_t last_rcv_ms, last_snd_ms, last_ack_rcv_ms;

	/* Congestion (bytes). */
	const struct tcp_cong_ops *cong;
	uint32_t cwnd, ssthresh, prior_cwnd;
	int in_recovery;               /* fast recovery until snd_una passes recover */
	int in_loss;                   /* after an RTO until snd_una passes recover */
	uint32_t recover;
	int dupacks;
	uint64_t cong_priv[8];         /* the controller's own state */

	/* Keepalive and timeouts (0: the defaults). */
	int ka_idle_s, ka_intvl_s, ka_cnt, ka_probes;
	uint32_t user_timeout_ms;
	int linger2_s;

	/*
	 * rtx_timer and dack_timer are lazy: rtx_due_ns and dack_due_ns say
	 * when they are due (0: not), and arming or stopping them mostly moves
	 * these alone; the ktimer, armed no later than its due time, looks at
	 * them when it fires.  Every segment would otherwise re-arm a ktimer,
	 * which costs the timer thread a wake-up.
	 */
	struct ktimer rtx_timer;       /* retransmission, SYN, zero-window probe */
	struct ktimer dack_timer;      /* delayed ACK */
	uint64_t rtx_due_ns, dack_due_ns;
	struct ktimer ka_timer;        /* keepalive, FIN_WAIT_2, TIME_WAIT */
	int probing;                   /* rtx_timer probes a zero window */
	int probe_force;               /* the next segment may be smaller than silly-window avoidance allows */

	/* A listener. */
	int backlog;
	struct tcp_sock *synq;         /* children in SYN_RECV */
	struct tcp_sock *acceptq, *acceptq_tail; /* established, not yet accepted */
	int acceptq_len, synq_len;
	struct tcp_sock *parent;       /* a child until accepted: its listener (a reference) */
	struct tcp_sock *qnext;

	/* Counters (TCP_INFO). */
	uint32_t total_retrans, retrans_out, lost_out, sacked_out;
	uint64_t bytes_acked, bytes_received, bytes_sent, bytes_retrans;
	uint32_t segs_in, segs_out, data_segs_in, data_segs_out;
	int rcv_mss;                   /* the largest segment's data seen */
	int err_soft;                  /* the last ICMP error, for SO_ERROR after a timeout */
};

/*
 * Urgent data, as Linux (BSD's model, RFC 6093): send(MSG_OOB) makes the
 * last byte it queued urgent, and the urgent pointer of every segment
 * before it points past it.  The receiver keeps one urgent byte: its
 * place in the stream (urg_seq, the mark) and, once it came, its value,
 * which recv(MSG_OOB) returns once.  Unless SO_OOBINLINE, normal reads
 * pass over it, urgent or already read; reads stop at the mark.
 */
enum {
	TCP_URG_NOTYET = 1, /* pointed at, not yet come */
	TCP_URG_VALID,      /* come: recv(MSG_OOB) gives urg_byte, poll says POLLPRI */
	TCP_URG_READ,       /* given by recv(MSG_OOB), still in the stream before the reader */
};

static inline struct tcp_sock *tcp_sk(struct inet_sock *s)
{
	return (struct tcp_sock *)s;
}

/* Counters of netstat's TcpExt that NET_MIB_LIST does not have (the Tcp line's are there, per namespace). */
struct tcp_mib {
	uint64_t listen_drops, listen_overflows, syn_drops, challenge_acks;
};
extern struct tcp_mib tcp_mib;

/* ---- tcp.c ---- */
uint64_t tcp_now_ms(void);
void tcp_enter(void);
void tcp_leave(void);
void tcp_set_state(struct tcp_sock *tp, int state);
/* The connection matching a received segment's four-tuple (seen from us). */
struct tcp_sock *tcp_conn_lookup(struct netns *ns, const struct in6_addr *laddr, uint16_t lport,
				 const struct in6_addr *raddr, uint16_t rport);
void tcp_conn_insert(struct tcp_sock *tp);
/* Tells whoever waits or polls on tp (nothing when it has no file yet). */
void tcp_notify(struct tcp_sock *tp);
/* The connection is over: err for its reader (0: an orderly end), timers stopped, queues freed. */
void tcp_done(struct tcp_sock *tp, int err);
void tcp_enter_time_wait(struct tcp_sock *tp);
/* A SYN at listener l from m's source: a SYN_RECV child, or NULL when the queue is full. */
struct tcp_sock *tcp_child_new(struct tcp_sock *l, const struct net_rx_meta *m, uint16_t sport, uint16_t dport);
/* Child c completed its handshake: onto its listener's accept queue. */
void tcp_child_established(struct tcp_sock *c);
void tcp_maybe_free(struct tcp_sock *tp);
void tcp_sock_defaults(struct tcp_sock *tp);
void tcp_buffers_update(struct tcp_sock *tp);
long tcp_create(struct netns *ns, int family, int protocol, int flags, struct file **out);

/* ---- tcp_in.c ---- */
void tcp_rcv(struct netns *ns, struct pkb *p, const struct net_rx_meta *m);
/* Parses the options of a header of hdr_len bytes: -1 when malformed. */
int tcp_parse_options(const unsigned char *opt, size_t len, int syn, struct tcp_opts *o);
/* Whether the peer may send more: room left in the receive buffer, in bytes. */
uint32_t tcp_rcv_space(struct tcp_sock *tp);
/* Frees a receive-queue packet and gives back what it was charged. */
void tcp_pkb_free_charged(struct tcp_sock *tp, struct pkb *p);
/* Takes the byte at copied_seq out of the receive queue unread (an urgent byte outside the stream). */
void tcp_rcvq_skip(struct tcp_sock *tp);

/* ---- tcp_out.c ---- */
/* Sends what the window, Nagle and cwnd allow; push: the caller's write ended (not MSG_MORE). */
void tcp_output(struct tcp_sock *tp);
void tcp_send_ack(struct tcp_sock *tp);
/* An ACK that ignores the delayed-ACK policy (out of window, challenge). */
void tcp_send_ack_now(struct tcp_sock *tp);
void tcp_send_syn(struct tcp_sock *tp);
void tcp_send_synack(struct tcp_sock *tp);
void tcp_send_fin(struct tcp_sock *tp);
void tcp_send_rst(struct tcp_sock *tp);
/* <SEQ=seq><CTL=RST>: the answer to an unacceptable ACK during the handshake (RFC 9293 3.10.7.3/4). */
void tcp_send_rst_at(struct tcp_sock *tp, uint32_t seq);
/* The RST RFC 9293 answers a segment with when no connection wants it. */
void tcp_send_reset_reply(struct netns *ns, const struct net_rx_meta *m, const struct tcp_hdr *th, size_t datalen);
/* Resends the segment at snd_una (timeout or fast retransmit), ignoring cwnd; 0 when nothing is there. */
int tcp_retransmit_head(struct tcp_sock *tp);
/* Resends a segment marked lost or unsacked below snd_max while cwnd allows (SACK recovery). */
void tcp_retransmit_lost(struct tcp_sock *tp);
void tcp_send_probe(struct tcp_sock *tp);
void tcp_send_keepalive(struct tcp_sock *tp);
/* Queues len bytes of iov (from skip) at the send queue's end: bytes queued, or -ENOMEM. */
long tcp_queue_data(struct tcp_sock *tp, const struct iovec *iov, int cnt, size_t skip, size_t len);
uint32_t tcp_flight(struct tcp_sock *tp);
uint32_t tcp_adv_window(struct tcp_sock *tp);
uint32_t tcp_tsval(void);
void tcp_mss_update(struct tcp_sock *tp);

/* ---- tcp_timer.c ---- */
void tcp_timers_init(struct tcp_sock *tp);
void tcp_timers_stop(struct tcp_sock *tp);
void tcp_rtx_arm(struct tcp_sock *tp);
void tcp_rtx_stop(struct tcp_sock *tp);
void tcp_dack_arm(struct tcp_sock *tp);
void tcp_dack_stop(struct tcp_sock *tp);
void tcp_ka_arm(struct tcp_sock *tp, uint64_t ms);
void tcp_ka_reset(struct tcp_sock *tp);
void tcp_rtt_sample(struct tcp_sock *tp, uint32_t rtt_us);
void tcp_probe_arm(struct tcp_sock *tp);
#define TCP_TIMEWAIT_MS 60000
#define TCP_INVALID_RATELIMIT_MS 500 /* Linux's net.ipv4.tcp_invalid_ratelimit */
#define TCP_PAWS_IDLE_MS (24ull * 24 * 3600 * 1000) /* RFC 7323 5.5: a timestamp taken is good for 24 days */
/*
 * The namespace's defaults (net/ipv4/tcp_* sysctls) where the socket set
 * none, read at each use as Linux's are.  The timers take at least a
 * second of keepalive (a 0 or negative sysctl would spin them).
 */
#define TCP_KA_IDLE_S(tp) ((tp)->ka_idle_s ? (tp)->ka_idle_s : (tp)->inet.ns->sysctl.tcp_keepalive_time)
#define TCP_KA_INTVL_S(tp) ((tp)->ka_intvl_s ? (tp)->ka_intvl_s : (tp)->inet.ns->sysctl.tcp_keepalive_intvl)
#define TCP_KA_CNT(tp) ((tp)->ka_cnt ? (tp)->ka_cnt : (tp)->inet.ns->sysctl.tcp_keepalive_probes)
#define TCP_KA_MS(s) ((uint64_t)((s) > 0 ? (s) : 1) * 1000)
/* How long an orphan waits in FIN_WAIT2: TCP_LINGER2, else net.ipv4.tcp_fin_timeout. */
#define TCP_FIN_TIMEOUT_MS(tp) \
	((uint64_t)((tp)->linger2_s > 0 ? (tp)->linger2_s \
		    : (tp)->inet.ns->sysctl.tcp_fin_timeout > 0 ? (tp)->inet.ns->sysctl.tcp_fin_timeout : 0) * 1000)
#define TCP_RTO_MIN_MS 200
#define TCP_RTO_MAX_MS 120000
#define TCP_RTO_INIT_MS 1000
#define TCP_DELACK_MS 40
#define TCP_SYN_RETRIES 6
#define TCP_SYNACK_RETRIES 5
#define TCP_RETRIES2 15

/* ---- tcp_cong.c ---- */
extern const struct tcp_cong_ops tcp_cubic, tcp_newreno;
const struct tcp_cong_ops *tcp_cong_find(const char *name);
void tcp_cong_init(struct tcp_sock *tp);
/* An ACK for acked new bytes came (after the scoreboard was updated). */
void tcp_cong_ack(struct tcp_sock *tp, uint32_t acked, int dupack);
void tcp_cong_timeout(struct tcp_sock *tp);
