/*
 * TCP's timers, each a struct ktimer calling a function on the timer
 * thread under sentry_lock:
 *   rtx_timer   retransmission (RFC 6298, doubling on each expiry), SYN and
 *               SYN-ACK retries, zero-window probes (RFC 9293 3.8.6.1)
 *   dack_timer  the delayed ACK (40 ms, Linux's minimum)
 *   ka_timer    keepalive (TCP_KEEPIDLE/INTVL/CNT), the orphan FIN_WAIT_2
 *               timeout, and TIME_WAIT's 60 s
 * A connection gives up (ETIMEDOUT) after TCP_SYN_RETRIES SYN retries,
 * TCP_RETRIES2 retransmissions, or TCP_USER_TIMEOUT of unacknowledged
 * data, as Linux does.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "../../sentry/host/host.h"
#include "tcp.h"

static void arm(struct ktimer *k, uint64_t ms)
{
	timer_arm_locked(k, host_monotonic_ns() + ms * 1000000ull, 0);
}

/* A lazy timer (see tcp.h) due in ms: the ktimer moves only when it would fire too late. */
static void arm_lazy(struct ktimer *k, uint64_t *due, uint64_t ms)
{
	*due = host_monotonic_ns() + ms * 1000000ull;
	if (!k->deadline_ns || k->deadline_ns > *due)
		timer_arm_locked(k, *due, 0);
}

/* On a lazy timer's firing: 1 if it is really due now; else re-armed for when it is (or left off). */
static int lazy_due(struct ktimer *k, uint64_t *due)
{
	if (!*due)
		return 0;
	if (host_monotonic_ns() < *due) {
		timer_arm_locked(k, *due, 0);
		return 0;
	}
	*due = 0;
	return 1;
}

void tcp_rtt_sample(struct tcp_sock *tp, uint32_t rtt_us)
{
	uint32_t rto;

	if (!rtt_us)
		rtt_us = 1;
	if (!tp->min_rtt_us || rtt_us < tp->min_rtt_us)
		tp->min_rtt_us = rtt_us;
	if (!tp->srtt_us) {
		tp->srtt_us = rtt_us;
		tp->rttvar_us = rtt_us / 2;
	} else {
		uint32_t d = tp->srtt_us > rtt_us ? tp->srtt_us - rtt_us : rtt_us - tp->srtt_us;

		tp->rttvar_us = (3 * tp->rttvar_us + d) / 4;
		tp->srtt_us = (7 * tp->srtt_us + rtt_us) / 8;
	}
	/* RTO = SRTT + max(G, 4 RTTVAR), at least Linux's 200 ms (RFC 6298 says 1 s; Linux's floor is what programs see). */
	rto = (tp->srtt_us + (4 * tp->rttvar_us > 1000 ? 4 * tp->rttvar_us : 1000)) / 1000;
	if (rto < TCP_RTO_MIN_MS)
		rto = TCP_RTO_MIN_MS;
	if (rto > TCP_RTO_MAX_MS)
		rto = TCP_RTO_MAX_MS;
	tp->rto_ms = rto;
}

static uint64_t backed_off(struct tcp_sock *tp)
{
	uint64_t ms = (uint64_t)tp->rto_ms << (tp->backoff < 20 ? tp->backoff : 20);

	return ms > TCP_RTO_MAX_MS ? TCP_RTO_MAX_MS : ms;
}

void tcp_rtx_arm(struct tcp_sock *tp)
{
	tp->probing = 0;
	arm_lazy(&tp->rtx_timer, &tp->rtx_due_ns, backed_off(tp));
}

void tcp_rtx_stop(struct tcp_sock *tp)
{
	tp->rtx_due_ns = 0;
}

void tcp_probe_arm(struct tcp_sock *tp)
{
	if (tp->rtx_due_ns && tp->probing)
		return;
	tp->probing = 1;
	arm_lazy(&tp->rtx_timer, &tp->rtx_due_ns, backed_off(tp));
}

void tcp_dack_arm(struct tcp_sock *tp)
{
	if (!tp->dack_due_ns)
		arm_lazy(&tp->dack_timer, &tp->dack_due_ns, TCP_DELACK_MS);
}

void tcp_dack_stop(struct tcp_sock *tp)
{
	tp->dack_due_ns = 0;
}

void tcp_ka_arm(struct tcp_sock *tp, uint64_t ms)
{
	arm(&tp->ka_timer, ms);
}

static uint64_t ka_idle_ms(struct tcp_sock *tp)
{
	return TCP_KA_MS(TCP_KA_IDLE_S(tp));
}

/* Keepalive starts counting idle time again (a segment came, SO_KEEPALIVE changed). */
void tcp_ka_reset(struct tcp_sock *tp)
{
	if (tp->state == TCP_S_TIME_WAIT || tp->state == TCP_S_CLOSE)
		return;
	if (tp->inet.keepalive && tp->state == TCP_S_ESTABLISHED)
		tcp_ka_arm(tp, ka_idle_ms(tp));
	else if (tp->state == TCP_S_ESTABLISHED)
		timer_cancel_locked(&tp->ka_timer);
}

/* Whether retransmitting has gone on long enough to give up. */
static int give_up(struct tcp_sock *tp, uint64_t now)
{
	if (tp->user_timeout_ms && tp->first_rtx_ms && now - tp->first_rtx_ms >= tp->user_timeout_ms)
		return 1;
	if (tp->state == TCP_S_SYN_RECV && tp->parent)
		return tp->retries >= TCP_SYNACK_RETRIES;
	if (tp->state == TCP_S_SYN_SENT || tp->state == TCP_S_SYN_RECV)
		return tp->retries >= (tp->syn_retries ? tp->syn_retries : TCP_SYN_RETRIES);
	return !tp->user_timeout_ms && tp->retries >= TCP_RETRIES2;
}

static void rtx_fire(struct ktimer *k)
{
	struct tcp_sock *tp = k->arg;
	uint64_t now = tcp_now_ms();

	tcp_enter();
	if (!lazy_due(k, &tp->rtx_due_ns))
		goto out;
	if (tp->state == TCP_S_CLOSE || tp->state == TCP_S_LISTEN || tp->state == TCP_S_TIME_WAIT)
		goto out;
	if (!tp->first_rtx_ms)
		tp->first_rtx_ms = now;
	if (tp->probing) {
		/* The peer's window is shut: ask for it again, backing off (probes do not time out while answered). */
		if (tp->snd_una == tp->write_seq) {
			tp->probing = 0;
			goto out;
		}
		if (tp->snd_wnd) {
			/* A window too small for silly-window avoidance: send what fits (Linux's tcp_write_wakeup). */
			tp->probing = 0;
			tp->probe_force = 1;
			tcp_output(tp);
			goto out;
		}
		if (give_up(tp, now) && now - tp->last_ack_rcv_ms > backed_off(tp)) {
			tcp_done(tp, ETIMEDOUT);
			goto out;
		}
		tcp_send_probe(tp);
		tp->retries++;
		if (tp->backoff < 20)
			tp->backoff++;
		tp->probing = 1;
		arm_lazy(&tp->rtx_timer, &tp->rtx_due_ns, backed_off(tp));
		goto out;
	}
	if (tp->snd_una == tp->snd_max)
		goto out;
	if (give_up(tp, now)) {
		int err = tp->err_soft ? tp->err_soft : ETIMEDOUT;

		if (tp->state != TCP_S_SYN_SENT && tp->state != TCP_S_SYN_RECV)
			tcp_send_rst(tp);
		tcp_done(tp, err);
		goto out;
	}
	tp->retries++;
	if (tp->state == TCP_S_SYN_SENT || tp->state == TCP_S_SYN_RECV) {
		tcp_retransmit_head(tp);
	} else {
		/* RFC 5681 3.1: one segment, ssthresh halved; everything sent is resent as the window opens (go back). */
		tcp_cong_timeout(tp);
		tp->in_recovery = 0;
		tp->in_loss = 1;
		tp->recover = tp->snd_max;
		tp->dupacks = 0;
		tp->rtt_timing = 0;
		tp->snd_nxt = tp->snd_una;
		if (tcp_retransmit_head(tp) && tp->snd_una != tp->write_seq) {
			uint32_t end = (uint32_t)TCB_SEQ(tp->sndq) + (uint32_t)(tp->sndq->len < (size_t)tp->mss ?
										     tp->sndq->len :
										     (size_t)tp->mss);
			if (SEQ_GT(end, tp->snd_nxt))
				tp->snd_nxt = end;
		} else if (tp->snd_una == tp->write_seq) {
			tp->snd_nxt = tp->write_seq + 1;
		}
	}
	if (tp->state == TCP_S_CLOSE)
		goto out;
	if (tp->backoff < 20)
		tp->backoff++;
	arm_lazy(&tp->rtx_timer, &tp->rtx_due_ns, backed_off(tp));
out:
	tcp_leave();
}

static void dack_fire(struct ktimer *k)
{
	struct tcp_sock *tp = k->arg;

	tcp_enter();
	if (lazy_due(k, &tp->dack_due_ns) && tp->ack_pending)
		tcp_send_ack(tp);
	tcp_leave();
}

static void ka_fire(struct ktimer *k)
{
	struct tcp_sock *tp = k->arg;
	uint64_t now = tcp_now_ms(), idle;

	tcp_enter();
	switch (tp->state) {
	case TCP_S_TIME_WAIT:
	case TCP_S_FIN_WAIT2:
		/* 2 MSL over, or an orphan's FIN_WAIT_2 gave up waiting for the peer's FIN. */
		tcp_done(tp, 0);
		break;
	case TCP_S_ESTABLISHED:
	case TCP_S_CLOSE_WAIT:
		if (!tp->inet.keepalive)
			break;
		idle = now - (tp->last_rcv_ms > tp->last_ack_rcv_ms ? tp->last_rcv_ms : tp->last_ack_rcv_ms);
		if (tp->snd_una != tp->snd_max || idle < ka_idle_ms(tp)) {
			/* Data in flight is the retransmission timer's; otherwise not idle long enough yet. */
			tp->ka_probes = 0;
			tcp_ka_arm(tp, idle < ka_idle_ms(tp) ? ka_idle_ms(tp) - idle : ka_idle_ms(tp));
			break;
		}
		if (tp->ka_probes >= TCP_KA_CNT(tp) ||
		    (tp->user_timeout_ms && idle >= ka_idle_ms(tp) + tp->user_timeout_ms)) {
			tcp_send_rst(tp);
			tcp_done(tp, ETIMEDOUT);
			break;
		}
		tcp_send_keepalive(tp);
		tp->ka_probes++;
		tcp_ka_arm(tp, TCP_KA_MS(TCP_KA_INTVL_S(tp)));
		break;
	}
	tcp_leave();
}

void tcp_timers_init(struct tcp_sock *tp)
{
	tp->rtx_timer.fn = rtx_fire;
	tp->rtx_timer.arg = tp;
	tp->dack_timer.fn = dack_fire;
	tp->dack_timer.arg = tp;
	tp->ka_timer.fn = ka_fire;
	tp->ka_timer.arg = tp;
}

void tcp_timers_stop(struct tcp_sock *tp)
{
	tp->rtx_due_ns = tp->dack_due_ns = 0;
	timer_cancel_locked(&tp->rtx_timer);
	timer_cancel_locked(&tp->dack_timer);
	timer_cancel_locked(&tp->ka_timer);
}
