/*
 * Congestion control (in bytes): slow start and congestion avoidance of
 * RFC 5681 with NewReno's recovery (RFC 6582, in tcp_in.c), and CUBIC
 * (RFC 9438), Linux's default and ours.  A controller only decides how
 * the window grows between losses and what ssthresh a loss leaves; fast
 * retransmit and recovery are the same for both (tcp_in.c).
 */
#define _GNU_SOURCE
#include <string.h>

#include "tcp.h"

#define INIT_CWND_SEGS 10 /* RFC 6928, as Linux */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* RFC 5681 3.1 with RFC 3465's byte counting: cwnd grows by the bytes acked, up to ssthresh; what is left over. */
static uint32_t slow_start(struct tcp_sock *tp, uint32_t acked)
{
	uint32_t room = tp->ssthresh > tp->cwnd ? tp->ssthresh - tp->cwnd : 0, grow = min_u32(acked, room);

	tp->cwnd += grow;
	return acked - grow;
}

/* ---- NewReno ---- */

struct reno_priv {
	uint32_t acc; /* bytes acked toward the next segment of growth */
};

static void reno_init(struct tcp_sock *tp)
{
	memset(tp->cong_priv, 0, sizeof(tp->cong_priv));
}

static void reno_grow(struct tcp_sock *tp, uint32_t acked)
{
	struct reno_priv *r = (struct reno_priv *)tp->cong_priv;

	/* Congestion avoidance: one segment per window's worth of bytes acked. */
	r->acc += acked;
	if (r->acc >= tp->cwnd) {
		r->acc -= tp->cwnd;
		tp->cwnd += (uint32_t)tp->mss;
	}
}

static void reno_on_ack(struct tcp_sock *tp, uint32_t acked)
{
	if (tp->cwnd < tp->ssthresh)
		acked = slow_start(tp, acked);
	if (acked)
		reno_grow(tp, acked);
}

static uint32_t reno_ssthresh(struct tcp_sock *tp)
{
	uint32_t f = tcp_flight(tp) / 2, min = 2 * (uint32_t)tp->mss;

	return f > min ? f : min;
}

const struct tcp_cong_ops tcp_newreno = {
	.name = "reno",
	.init = reno_init,
	.on_ack = reno_on_ack,
	.ssthresh = reno_ssthresh,
};

/* ---- CUBIC (RFC 9438), in segments and seconds ---- */

#define CUBIC_C 0.4
#define CUBIC_BETA 0.7

struct cubic_priv {
	double w_max;       /* the window (segments) before the last reduction */
	double k;           /* seconds the cubic takes to come back to w_max */
	double w_est;       /* the Reno-friendly estimate (RFC 9438 4.3) */
	uint64_t epoch_ms;  /* the start of this congestion-avoidance epoch, 0 none */
	uint32_t acc;       /* bytes acked toward the next segment of growth */
};

/* The cube root by Newton's method (no libm in the sentry for one function). */
static double cube_root(double x)
{
	double r = x > 1 ? x / 3 : 1;

	if (x <= 0)
		return 0;
	for (int i = 0; i < 60; i++) {
		double n = r - (r * r * r - x) / (3 * r * r);

		if (n == r)
			break;
		r = n;
	}
	return r;
}

static void cubic_init(struct tcp_sock *tp)
{
	memset(tp->cong_priv, 0, sizeof(tp->cong_priv));
	_Static_assert(sizeof(struct cubic_priv) <= sizeof(tp->cong_priv), "cubic state fits");
}

static void cubic_on_ack(struct tcp_sock *tp, uint32_t acked)
{
	struct cubic_priv *c = (struct cubic_priv *)tp->cong_priv;
	double mss = (double)tp->mss, cwnd, t, target, rtt_s;
	uint64_t now = tcp_now_ms();

	if (tp->cwnd < tp->ssthresh) {
		acked = slow_start(tp, acked);
		if (!acked)
			return;
	}
	cwnd = tp->cwnd / mss;
	if (!c->epoch_ms) {
		c->epoch_ms = now;
		if (c->w_max < cwnd) {
			c->w_max = cwnd;
			c->k = 0;
		} else {
			c->k = cube_root((c->w_max - cwnd) / CUBIC_C);
		}
		c->w_est = cwnd;
	}
	rtt_s = tp->srtt_us ? tp->srtt_us / 1e6 : 0.001;
	t = (now - c->epoch_ms) / 1000.0;
	target = t + rtt_s - c->k;
	target = CUBIC_C * target * target * target + c->w_max;
	/* The Reno-friendly region: never slower than Reno would be (alpha = 3(1-beta)/(1+beta)). */
	c->w_est += (3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA)) * (acked / mss) / cwnd;
	if (c->w_est > target)
		target = c->w_est;
	if (target > cwnd) {
		/* Grow by (target - cwnd)/cwnd segments per segment acked, at most half a segment each (RFC 9438 4.4). */
		double inc = (target - cwnd) / cwnd * (acked / mss);

		if (inc > (acked / mss) * 0.5 + 1)
			inc = (acked / mss) * 0.5 + 1;
		c->acc += (uint32_t)(inc * mss);
	} else {
		c->acc += (uint32_t)(acked / (100 * cwnd)) + 1;
	}
	if (c->acc >= (uint32_t)tp->mss) {
		tp->cwnd += c->acc / (uint32_t)tp->mss * (uint32_t)tp->mss;
		c->acc %= (uint32_t)tp->mss;
	}
}

static uint32_t cubic_ssthresh(struct tcp_sock *tp)
{
	struct cubic_priv *c = (struct cubic_priv *)tp->cong_priv;
	double cwnd = tp->cwnd / (double)tp->mss;
	uint32_t t, min = 2 * (uint32_t)tp->mss;

	/* Fast convergence (RFC 9438 4.7): a flow losing below its last w_max gives more room away. */
	c->w_max = cwnd < c->w_max ? cwnd * (1 + CUBIC_BETA) / 2 : cwnd;
	c->epoch_ms = 0;
	t = (uint32_t)(tp->cwnd * CUBIC_BETA);
	return t > min ? t : min;
}

const struct tcp_cong_ops tcp_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.on_ack = cubic_on_ack,
	.ssthresh = cubic_ssthresh,
};

const struct tcp_cong_ops *tcp_cong_find(const char *name)
{
	if (!strcmp(name, "cubic"))
		return &tcp_cubic;
	if (!strcmp(name, "reno"))
		return &tcp_newreno;
	return NULL;
}

/* The window a new connection starts with, once the handshake fixed the MSS. */
void tcp_cong_init(struct tcp_sock *tp)
{
	if (!tp->cong)
		tp->cong = &tcp_cubic;
	tp->cwnd = INIT_CWND_SEGS * (uint32_t)tp->mss;
	tp->ssthresh = 0x7fffffff;
	tp->cong->init(tp);
}

void tcp_cong_ack(struct tcp_sock *tp, uint32_t acked, int dupack)
{
	(void)dupack;
	/*
	 * Grow only when the window was the limit (RFC 7661's spirit, Linux's
	 * tcp_is_cwnd_limited): a flow the application or the receiver holds
	 * back keeps its cwnd instead of inflating it without bound.
	 */
	if (2 * (tcp_flight(tp) + acked) < tp->cwnd)
		return;
	tp->cong->on_ack(tp, acked);
}

void tcp_cong_timeout(struct tcp_sock *tp)
{
	if (!tp->in_loss)
		tp->ssthresh = tp->cong->ssthresh(tp);
	tp->cwnd = (uint32_t)tp->mss;
}
