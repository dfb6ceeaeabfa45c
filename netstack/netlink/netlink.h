/*
 * AF_NETLINK: the socket side (af_netlink.c) and what its protocols
 * (rtnetlink.c for NETLINK_ROUTE, sock_diag.c for NETLINK_SOCK_DIAG) share.
 *
 * A request a socket sends is split into its messages here, each checked
 * against the bytes that came (Linux's netlink_rcv_skb: a header whose
 * length lies ends the batch silently), and handed to its protocol's
 * handler, which answers through a struct nl_reply.  Answers are queued on
 * the socket as datagrams, a dump's whole answer at once, split at message
 * boundaries into datagrams of at most the size Linux would fill (so that
 * glibc's 4 KiB buffer in getaddrinfo's __check_pf never sees MSG_TRUNC).
 *
 * Every handler treats the request as hostile: it reads a message only
 * within hdr->nlmsg_len (checked against the bytes sent before it is
 * called) and its attributes through nl_parse, which checks each length.
 *
 * Locking: sentry_lock, as the whole stack (netstack.h).
 *
 * Includers define _GNU_SOURCE first.
 */
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdint.h>

struct netns;
struct task;
struct nl_sock;

/*
 * What an answer is being built into.  Each message is begun with
 * nl_msg_begin (which returns its family header, zeroed), filled with
 * nl_put*, and closed with nl_msg_end.  An allocation failure is
 * remembered (err) and the answer then ends in -ENOBUFS, as a full socket
 * buffer would.
 */
struct nl_reply {
	struct nl_sock *sk;
	const struct nlmsghdr *req; /* the request: its seq and the sender's portid go on every answer */
	uint32_t portid;            /* the sender's */
	unsigned char *buf;         /* the datagram being filled */
	size_t len, cap;
	size_t msg;                 /* where the open message starts (len when none is open) */
	size_t chunk;               /* a dump's datagrams end before this many bytes */
	int dump;
	int err;
	const char *ext_msg;        /* Linux's extack message for the error (shown with NETLINK_EXT_ACK) */
};

/* The request being handled, as a protocol's handler sees it. */
struct nl_req {
	struct task *t;
	struct netns *ns;
	struct nl_sock *sk;
	const struct nlmsghdr *h;   /* nlmsg_len >= NLMSG_HDRLEN, and that many bytes are there */
	int strict;                 /* NETLINK_GET_STRICT_CHK */
};

/*
 * A protocol: handle is called for each request message (NLM_F_REQUEST,
 * type >= NLMSG_MIN_TYPE) and answers into r; it returns 0 (acked when
 * NLM_F_ACK asks), a -errno (answered with NLMSG_ERROR), or NL_DUMPED
 * when it answered with a dump (never acked, as Linux's -EINTR from
 * netlink_dump_start).
 */
#define NL_DUMPED 1
struct nl_protocol {
	int protocol;
	long (*handle)(const struct nl_req *q, struct nl_reply *r);
};

/* ---- building answers ---- */

/* Begins a message of type (nlmsg_flags flags) with a family header of hdrlen bytes; NULL when out of memory. */
void *nl_msg_begin(struct nl_reply *r, int type, int flags, size_t hdrlen);
/* Closes the open message; a dump's datagram that grew past its chunk is cut before it. */
void nl_msg_end(struct nl_reply *r);
/* Drops the open message (a filter rejected it after all). */
void nl_msg_cancel(struct nl_reply *r);
void nl_put(struct nl_reply *r, int type, const void *data, size_t len);
void nl_put_u8(struct nl_reply *r, int type, uint8_t v);
void nl_put_u16(struct nl_reply *r, int type, uint16_t v);
void nl_put_u32(struct nl_reply *r, int type, uint32_t v);
void nl_put_str(struct nl_reply *r, int type, const char *s);
/* A nested attribute (type without NLA_F_NESTED, as most of Linux's): its offset, to close with nl_nest_end. */
size_t nl_nest_begin(struct nl_reply *r, int type);
void nl_nest_end(struct nl_reply *r, size_t off);
/* The open message's family header (moves when the buffer grows: take it again after each put). */
void *nl_msg_hdr(struct nl_reply *r);

/* ---- reading requests ---- */

/*
 * The attributes after a message's family header of hdrlen bytes (aligned)
 * into tb[0..max] (NULL when absent; the last of a type wins).  -EINVAL when
 * the message is shorter than its header, as nlmsg_parse.  An attribute
 * whose length is short or runs past the message ends the walk: ignored
 * (with what follows) as Linux's lenient parse does, -EINVAL under strict
 * checking.  Each attribute found has a length within the message.
 */
long nl_parse(const struct nlmsghdr *h, size_t hdrlen, const struct nlattr **tb, int max, int strict);
/* The same over len bytes of attributes at p (a nested attribute's payload), tb cleared first. */
long nl_parse_attrs(const void *p, size_t len, const struct nlattr **tb, int max, int strict);
/* An attribute's payload and its length. */
static inline const void *nl_data(const struct nlattr *a) { return (const char *)a + NLA_HDRLEN; }
static inline size_t nl_len(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }
/* A u32/u8 attribute's value: -ERANGE when it is shorter, as Linux's policy check. */
long nl_get_u32(const struct nlattr *a, uint32_t *v);
long nl_get_u8(const struct nlattr *a, uint8_t *v);

/* ---- multicast (notifications) ---- */

/* Does any socket of protocol in ns listen to group (1..64)? */
int nl_has_listeners(struct netns *ns, int protocol, uint32_t group);
/*
 * Queues the messages of r (built with a request-less nl_reply: see
 * nl_notify_begin) on every socket of protocol in ns that joined group,
 * as Linux's netlink_broadcast: a full receiver loses it and hears ENOBUFS
 * at its next receive (unless NETLINK_NO_ENOBUFS); frees r's buffer.
 */
void nl_notify_begin(struct nl_reply *r);
void nl_broadcast(struct netns *ns, int protocol, uint32_t group, struct nl_reply *r);

/* ---- the protocols ---- */

extern const struct nl_protocol nl_route_protocol;
extern const struct nl_protocol nl_sock_diag_protocol;
