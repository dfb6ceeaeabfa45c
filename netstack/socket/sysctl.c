/*
 * /proc/sys/net (proc.h's proc_sysnet): the reader's network namespace's
 * settings, each the value the stack really uses (struct net_sysctl,
 * local_port_lo/hi), in Linux's formats.
 *
 * Writable (0644) are the settings the stack honours: core/somaxconn,
 * ipv4/ip_local_port_range, tcp_keepalive_time/intvl/probes,
 * tcp_fin_timeout, tcp_rmem and tcp_wmem (of which a new socket takes
 * [1]), ip_forward and ipv4/conf/{all,default,IF}/forwarding (IPv4 that
 * comes in by a forwarding interface for another host is routed on:
 * netstack/ipv4/ip4_input.c), each checked and parsed as Linux's proc
 * handler does it
 * (EINVAL for what it refuses).  A write needs the file's mode (root) or
 * CAP_NET_ADMIN over the namespace's owning user namespace (Linux's
 * net_ctl_permissions); others open it for writing with EACCES.
 *
 * Read-only (0444), with the value that describes the stack, are those it
 * has no way to honour yet: IPv6's forwarding (the stack routes only
 * IPv4 between interfaces), disable_ipv6 (IPv6 is always on), tcp_syncookies (a full SYN queue drops, as with 0), and
 * ping_group_range (no group may make ICMP datagram sockets).  Where Linux
 * has hundreds of files here, only these are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../sentry/kernel/task.h"
#include "../../vfs/fs/proc/proc.h"
#include "inet.h"

#define SYSCTL_HZ 250 /* the jiffies of Linux's *_jiffies handlers: bounds keepalive and fin timeouts */

enum fmt { F_INT, F_JIFFIES, F_U8, F_VEC3, F_PORTS, F_TEXT, F_FWD };

/* A file below net/: its path, how it reads and writes, and where its value lives (offset in struct net_sysctl). */
struct entry {
	const char *path;
	enum fmt fmt;
	int min;                /* F_INT, F_VEC3: the least value */
	size_t off;             /* F_INT, F_JIFFIES, F_U8, F_VEC3 */
	const char *text;       /* F_TEXT: the fixed value of a read-only file */
};

#define OFF(f) offsetof(struct net_sysctl, f)
static const struct entry entries[] = {
	{"core/somaxconn", F_INT, 0, OFF(somaxconn), NULL},
	{"ipv4/ip_forward", F_FWD, 0, 0, NULL},
	{"ipv4/ip_local_port_range", F_PORTS, 0, 0, NULL},
	{"ipv4/ping_group_range", F_TEXT, 0, 0, "1\t0"},
	{"ipv4/tcp_fin_timeout", F_JIFFIES, 0, OFF(tcp_fin_timeout), NULL},
	{"ipv4/tcp_keepalive_intvl", F_JIFFIES, 0, OFF(tcp_keepalive_intvl), NULL},
	{"ipv4/tcp_keepalive_probes", F_U8, 0, OFF(tcp_keepalive_probes), NULL},
	{"ipv4/tcp_keepalive_time", F_JIFFIES, 0, OFF(tcp_keepalive_time), NULL},
	{"ipv4/tcp_rmem", F_VEC3, 1, OFF(tcp_rmem), NULL},
	{"ipv4/tcp_syncookies", F_TEXT, 0, 0, "0"},
	{"ipv4/tcp_wmem", F_VEC3, 1, OFF(tcp_wmem), NULL},
};
/* The files of each interface's directory (and all's, default's) below ipv4/conf/ and ipv6/conf/. */
static const char *const conf4[] = {"forwarding"};
static const char *const conf6[] = {"disable_ipv6", "forwarding"};
static const char *const dirs[] = {"core", "ipv4", "ipv6"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What a path names (resolve). */
struct where {
	int kind;               /* 0 nothing, 1 a directory, 2 a file */
	const struct entry *e;  /* a file of entries[], or NULL for a conf file */
	int v6;                 /* conf: ipv6/conf/ */
	int conf;               /* conf: C_ALL, C_DEFAULT or C_IF (ifp) */
	struct netif *ifp;
	const char *file;       /* conf: the file's name */
};
enum { C_ALL = 1, C_DEFAULT, C_IF };

static int resolve(struct netns *ns, const char *path, struct where *w)
{
	char name[IFNAMSIZ + 1], file[32];
	size_t i, n = 0;
	int k;

	memset(w, 0, sizeof(*w));
	w->kind = 1;
	if (!*path)
		return 1;
	for (i = 0; i < N(dirs); i++)
		if (!strcmp(path, dirs[i]))
			return 1;
	if (!strcmp(path, "ipv4/conf") || !strcmp(path, "ipv6/conf"))
		return 1;
	w->kind = 2;
	for (i = 0; i < N(entries); i++)
		if (!strcmp(path, entries[i].path)) {
			w->e = &entries[i];
			return 2;
		}
	/* ipv4/conf/NAME[/FILE]: NAME all, default or an interface of ns. */
	w->kind = 0;
	if (strncmp(path, "ipv4/conf/", 10) && strncmp(path, "ipv6/conf/", 10))
		return 0;
	w->v6 = path[3] == '6';
	k = sscanf(path + 10, "%16[^/]/%31[^/]%zn", name, file, &n);
	if (k < 1 || strlen(name) >= IFNAMSIZ)
		return 0;
	w->conf = !strcmp(name, "all") ? C_ALL : !strcmp(name, "default") ? C_DEFAULT : C_IF;
	if (w->conf == C_IF && !(w->ifp = netif_by_name(ns, name)))
		return 0;
	if (k == 1)
		return w->kind = strchr(path + 10, '/') ? 0 : 1;
	if (path[10 + n] != 0)
		return 0;
	for (i = 0; i < (w->v6 ? N(conf6) : N(conf4)); i++)
		if (!strcmp(file, w->v6 ? conf6[i] : conf4[i])) {
			w->file = w->v6 ? conf6[i] : conf4[i];
			return w->kind = 2;
		}
	return 0;
}

/* The IPv4 forwarding setting a path stands for (ip_forward is all's), or NULL for any other. */
static int *forwarding(struct netns *ns, const struct where *w)
{
	if (w->e && w->e->fmt == F_FWD)
		return &ns->sysctl.forwarding_all;
	if (w->e || w->v6 || !w->file)
		return NULL;
	return w->conf == C_ALL ? &ns->sysctl.forwarding_all
	       : w->conf == C_DEFAULT ? &ns->sysctl.forwarding_default
				      : &w->ifp->forwarding;
}

static uint32_t sysnet_lookup(struct task *t, const char *path)
{
	struct netns *ns = net_ns_of(t);
	struct where w;

	switch (resolve(ns, path, &w)) {
	case 1:
		return S_IFDIR;
	case 2:
		return S_IFREG | ((w.e && w.e->fmt != F_TEXT) || forwarding(ns, &w) ? 0644 : 0444);
	default:
		return 0;
	}
}

static void add(struct proc_sysnet_ent *out, int *n, int max, const char *name, int dir)
{
	if (*n >= max)
		return;
	snprintf(out[*n].name, sizeof(out[*n].name), "%s", name);
	out[*n].dir = dir;
	(*n)++;
}

static int sysnet_list(struct task *t, const char *path, struct proc_sysnet_ent *out, int max)
{
	struct netns *ns = net_ns_of(t);
	size_t len = strlen(path), i;
	int n = 0;

	if (!*path) {
		for (i = 0; i < N(dirs); i++)
			add(out, &n, max, dirs[i], 1);
		return n;
	}
	if (!strcmp(path, "ipv4/conf") || !strcmp(path, "ipv6/conf")) {
		struct netif *ifp;

		add(out, &n, max, "all", 1);
		add(out, &n, max, "default", 1);
		for (ifp = ns->ifs; ifp; ifp = ifp->next)
			add(out, &n, max, ifp->name, 1);
		return n;
	}
	if (!strncmp(path, "ipv4/conf/", 10) || !strncmp(path, "ipv6/conf/", 10)) {
		int v6 = path[3] == '6';

		for (i = 0; i < (v6 ? N(conf6) : N(conf4)); i++)
			add(out, &n, max, v6 ? conf6[i] : conf4[i], 0);
		return n;
	}
	if (!strcmp(path, "ipv4") || !strcmp(path, "ipv6"))
		add(out, &n, max, "conf", 1);
	for (i = 0; i < N(entries); i++)
		if (!strncmp(entries[i].path, path, len) && entries[i].path[len] == '/')
			add(out, &n, max, entries[i].path + len + 1, 0);
	return n;
}

static int *field(struct netns *ns, const struct entry *e)
{
	return (int *)((char *)&ns->sysctl + e->off);
}

static void sysnet_show(struct task *t, const char *path, struct proc_buf *b)
{
	struct netns *ns = net_ns_of(t);
	struct where w;
	int *v;

	if (resolve(ns, path, &w) != 2)
		return;
	if ((v = forwarding(ns, &w))) {
		proc_printf(b, "%d\n", *v);
		return;
	}
	if (!w.e) {
		proc_printf(b, "0\n"); /* IPv6's forwarding and disable_ipv6 */
		return;
	}
	v = field(ns, w.e);
	switch (w.e->fmt) {
	case F_TEXT:
		proc_printf(b, "%s\n", w.e->text);
		break;
	case F_PORTS:
		proc_printf(b, "%u\t%u\n", ns->local_port_lo, ns->local_port_hi);
		break;
	case F_VEC3:
		proc_printf(b, "%d\t%d\t%d\n", v[0], v[1], v[2]);
		break;
	default:
		proc_printf(b, "%d\n", *v);
	}
}

/*
 * One number of a write, as Linux's proc_get_long: blanks skipped before
 * it, an optional '-' (refused when unsigned), digits in C's bases (0x..,
 * 0..), then a blank or the end.  1 when one was read (*s moves past it),
 * 0 at the end of the text, -EINVAL.
 */
static int get_long(const char **s, long long *v, int is_unsigned)
{
	const char *p = *s;
	unsigned long long u;
	int neg = 0;
	char *end;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return 0;
	if (*p == '-') {
		if (is_unsigned)
			return -EINVAL;
		neg = 1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	u = strtoull(p, &end, 0);
	if (errno || u > (unsigned long long)UINT_MAX + 1 || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
		return -EINVAL;
	*v = neg ? -(long long)u : (long long)u;
	*s = end;
	return 1;
}

/*
 * Up to n numbers into v, each within lo..hi; what came before a bad one
 * is kept, as Linux stores a vector value by value.  Returns the bytes
 * taken (up to the blanks after the last number: text past n numbers is
 * left, and the write says so by its count, as Linux's); none at all is
 * EINVAL.
 */
static long get_vec(const char *text, int *v, int n, int is_unsigned, long long lo, long long hi)
{
	const char *s = text;
	long long x;
	int i, r;

	for (i = 0; i < n; i++) {
		r = get_long(&s, &x, is_unsigned);
		if (r < 0)
			return r;
		if (r == 0) {
			if (!i)
				return -EINVAL;
			break;
		}
		if (x < lo || x > hi)
			return -EINVAL;
		v[i] = (int)x;
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
	}
	return s - text;
}

/*
 * IPv4 forwarding, as Linux's devinet_sysctl_forward: all's (and
 * ip_forward) sets default's and every interface's with it, default's only
 * itself (a new interface starts with it), an interface's only its own.
 */
static long store_forwarding(struct netns *ns, int *v, const char *text)
{
	struct netif *ifp;
	int x = *v;
	long r = get_vec(text, &x, 1, 0, INT_MIN, INT_MAX);

	if (r < 0)
		return r;
	*v = x;
	if (v == &ns->sysctl.forwarding_all) {
		ns->sysctl.forwarding_default = x;
		for (ifp = ns->ifs; ifp; ifp = ifp->next)
			ifp->forwarding = x;
		ns->mib[NET_MIB_Ip_Forwarding] = x ? 1 : 2;
	}
	return r;
}

static long sysnet_store(struct task *t, const char *path, const char *text)
{
	struct netns *ns = net_ns_of(t);
	struct where w;
	int *v, range[2];
	long r;

	if (resolve(ns, path, &w) != 2)
		return -EACCES;
	if ((v = forwarding(ns, &w)))
		return store_forwarding(ns, v, text);
	if (!w.e || w.e->fmt == F_TEXT)
		return -EACCES;
	v = field(ns, w.e);
	switch (w.e->fmt) {
	case F_INT:
		return get_vec(text, v, 1, 0, w.e->min, INT_MAX);
	case F_JIFFIES:
		return get_vec(text, v, 1, 0, -(long long)(INT_MAX / SYSCTL_HZ), INT_MAX / SYSCTL_HZ);
	case F_U8:
		return get_vec(text, v, 1, 1, 0, 255);
	case F_VEC3:
		return get_vec(text, v, 3, 0, w.e->min, INT_MAX);
	case F_PORTS:
		/* Into a copy, checked whole: 1..65535 each, low <= high, and the low above the privileged ports (1024). */
		range[0] = (int)ns->local_port_lo;
		range[1] = (int)ns->local_port_hi;
		r = get_vec(text, range, 2, 0, 1, 65535);
		if (r < 0)
			return r;
		if (range[1] < range[0] || range[0] < 1024)
			return -EINVAL;
		ns->local_port_lo = (unsigned)range[0];
		ns->local_port_hi = (unsigned)range[1];
		return r;
	default:
		return -EACCES;
	}
}

static int sysnet_grants(struct task *t, const char *path)
{
	(void)path;
	return net_capable(t, net_ns_of(t), CAP_NET_ADMIN);
}

static const struct proc_sysnet sysnet = {
	.lookup = sysnet_lookup,
	.list = sysnet_list,
	.show = sysnet_show,
	.store = sysnet_store,
	.grants = sysnet_grants,
};
PROC_SYSNET(sysnet)
