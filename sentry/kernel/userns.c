/*
 * User namespaces (see userns.h): their maps, how ids cross them, and
 * capabilities across them, as Linux's kernel/user_namespace.c and
 * cap_capable do it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>

#include "../mm/memfile.h"
#include "userns.h"

/* Linux's PROC_USER_INIT_INO. */
#define INIT_INO_USER 0xEFFFFFFDu

struct user_ns user_ns_init = {
	.ns = {.refs = 1, .type = NS_USER, .ino = INIT_INO_USER},
	.setgroups_allowed = 1,
	.uid_map = {.n = 1, .e = {{0, 0, 4294967295u}}},
	.gid_map = {.n = 1, .e = {{0, 0, 4294967295u}}},
};

static void userns_release(struct ns_common *ns)
{
	free(ns);
	mf_uncharge(sizeof(struct user_ns));
}

struct user_ns *userns_new(struct user_ns *parent, uint32_t euid, uint32_t egid, uint64_t cap_eff, long *err)
{
	struct user_ns *u;

	*err = -EUSERS;
	if (parent->level >= USERNS_MAX_LEVEL)
		return NULL;
	/* The creator must be someone in the parent: its ids are the new namespace's owner. */
	*err = -EPERM;
	if (userns_from_kid(&parent->uid_map, euid) == (uint32_t)-1 ||
	    userns_from_kid(&parent->gid_map, egid) == (uint32_t)-1)
		return NULL;
	*err = -ENOMEM;
	if (mf_charge(sizeof(*u)) < 0)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u) {
		mf_uncharge(sizeof(*u));
		return NULL;
	}
	u->ns = (struct ns_common){.refs = 1, .type = NS_USER, .ino = ns_alloc_ino(), .release = userns_release,
				   .owner = &parent->ns};
	ns_get(&parent->ns);
	u->parent = parent;
	u->level = parent->level + 1;
	u->owner = euid;
	u->group = egid;
	u->setgroups_allowed = parent->setgroups_allowed;
	u->parent_could_setfcap = !!(cap_eff & (1ULL << CAP_SETFCAP));
	*err = 0;
	return u;
}

uint32_t userns_make_kid(const struct userns_map *m, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < m->n; i++)
		if (id >= m->e[i].first && id - m->e[i].first < m->e[i].count)
			return m->e[i].lower + (id - m->e[i].first);
	return (uint32_t)-1;
}

/* The kernel id of id..id+count-1, all in one extent of m, or -1 (Linux's map_id_range_down). */
static uint32_t map_range_down(const struct userns_map *m, uint32_t id, uint32_t count)
{
	uint32_t i;

	for (i = 0; i < m->n; i++)
		if (id >= m->e[i].first && id - m->e[i].first < m->e[i].count &&
		    count - 1 <= m->e[i].count - 1 - (id - m->e[i].first))
			return m->e[i].lower + (id - m->e[i].first);
	return (uint32_t)-1;
}

uint32_t userns_from_kid(const struct userns_map *m, uint32_t kid)
{
	uint32_t i;

	for (i = 0; i < m->n; i++)
		if (kid >= m->e[i].lower && kid - m->e[i].lower < m->e[i].count)
			return m->e[i].first + (kid - m->e[i].lower);
	return (uint32_t)-1;
}

uint32_t userns_from_kid_munged(const struct userns_map *m, uint32_t kid)
{
	uint32_t id = userns_from_kid(m, kid);

	return id == (uint32_t)-1 ? USERNS_OVERFLOW_ID : id;
}

int userns_capable(const struct user_ns *cred_ns, uint32_t euid, uint64_t cap_eff, const struct user_ns *target, int cap)
{
	if (cap < 0 || cap > CAP_LAST_CAP)
		return 0;
	for (;;) {
		if (target == cred_ns)
			return !!(cap_eff & (1ULL << cap));
		/* Above or beside the credentials' namespace: nothing there is theirs. */
		if (target->level <= cred_ns->level)
			return 0;
		/* The owner of a child namespace holds every capability in it (and below). */
		if (target->parent == cred_ns && target->owner == euid)
			return 1;
		target = target->parent;
	}
}

int userns_may_setgroups(const struct user_ns *ns)
{
	return ns->gid_map.n && ns->setgroups_allowed;
}

size_t userns_map_show(const struct user_ns *ns, int gid, const struct user_ns *reader_ns, char *buf, size_t size)
{
	const struct userns_map *m = gid ? &ns->gid_map : &ns->uid_map;
	const struct user_ns *lower_ns = reader_ns;
	size_t len = 0;
	uint32_t i;

	/* A reader inside sees the lower ids as its parent has them. */
	if (lower_ns == ns && ns->parent)
		lower_ns = ns->parent;
	if (size)
		buf[0] = 0;
	for (i = 0; i < m->n; i++) {
		const struct userns_map *lm = gid ? &lower_ns->gid_map : &lower_ns->uid_map;
		uint32_t lower = userns_from_kid(lm, m->e[i].lower);
		int n = snprintf(buf + (len < size ? len : size), len < size ? size - len : 0, "%10u %10u %10u\n",
				 m->e[i].first, lower, m->e[i].count);

		if (n > 0)
			len += (size_t)n;
	}
	return len;
}

/*
 * Linux's simple_strtoul at base 10: the digits there are (none: 0), kept
 * to the low 64 bits; *end after them.
 */
static uint64_t parse_ul(const char *s, const char **end)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	*end = s;
	return v;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static const char *skip_spaces(const char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

static int ranges_overlap(uint32_t a, uint32_t b, uint32_t count_a, uint32_t count_b)
{
	uint32_t a_end = a + count_a - 1, b_end = b + count_b - 1;

	return (a >= b && a <= b_end) || (a_end >= b && a_end <= b_end) || (b >= a && b <= a_end);
}

/* Parses a map's text into m: the lines as written (lower ids still the parent's).  0 or -EINVAL. */
static long parse_map(char *text, struct userns_map *m)
{
	char *pos = text, *next;

	m->n = 0;
	for (; pos; pos = next) {
		struct userns_extent x;
		const char *p;
		uint32_t i;

		next = strchr(pos, '\n');
		if (next) {
			*next++ = 0;
			if (!*next)
				next = NULL;
		}
		p = skip_spaces(pos);
		x.first = (uint32_t)parse_ul(p, &p);
		if (!is_space(*p))
			return -EINVAL;
		p = skip_spaces(p);
		x.lower = (uint32_t)parse_ul(p, &p);
		if (!is_space(*p))
			return -EINVAL;
		p = skip_spaces(p);
		x.count = (uint32_t)parse_ul(p, &p);
		if (*p && !is_space(*p))
			return -EINVAL;
		if (*skip_spaces(p))
			return -EINVAL;
		if (x.first == (uint32_t)-1 || x.lower == (uint32_t)-1)
			return -EINVAL;
		/* A count of 0, or a range that wraps. */
		if ((uint32_t)(x.first + x.count) <= x.first || (uint32_t)(x.lower + x.count) <= x.lower)
			return -EINVAL;
		for (i = 0; i < m->n; i++)
			if (ranges_overlap(x.first, m->e[i].first, x.count, m->e[i].count) ||
			    ranges_overlap(x.lower, m->e[i].lower, x.count, m->e[i].count))
				return -EINVAL;
		if (m->n == USERNS_MAP_MAX)
			return -EINVAL;
		m->e[m->n++] = x;
	}
	return m->n ? 0 : -EINVAL;
}

/*
 * Sorts m's extents by their first ids.  An insertion sort of at most 340:
 * glibc's qsort asks the host for sysinfo(2), which is not the sentry's to
 * call (sentry/host's vetted list).
 */
static void sort_by_first(struct userns_map *m)
{
	uint32_t i, j;

	for (i = 1; i < m->n; i++) {
		struct userns_extent x = m->e[i];

		for (j = i; j > 0 && m->e[j - 1].first > x.first; j--)
			m->e[j] = m->e[j - 1];
		m->e[j] = x;
	}
}

/* Linux's new_idmap_permitted (the writer is the file's opener here). */
static int map_permitted(const struct user_ns *ns, int gid, const struct user_ns *writer_ns, uint32_t euid,
			 uint32_t egid, uint64_t cap_eff, const struct userns_map *m)
{
	int cap = gid ? CAP_SETGID : CAP_SETUID;
	uint32_t i;

	/* Mapping the parent's uid 0 needs CAP_SETFCAP there (Linux's verify_root_map). */
	for (i = 0; !gid && i < m->n; i++) {
		if (m->e[i].lower != 0)
			continue;
		if (ns == writer_ns) {
			if (!ns->parent_could_setfcap)
				return 0;
		} else if (!userns_capable(writer_ns, euid, cap_eff, ns->parent, CAP_SETFCAP)) {
			return 0;
		}
		break;
	}
	/* Its owner may map itself alone: nothing it could not do without the namespace. */
	if (m->n == 1 && m->e[0].count == 1 && ns->owner == euid) {
		uint32_t kid = userns_make_kid(gid ? &ns->parent->gid_map : &ns->parent->uid_map, m->e[0].lower);

		if (!gid && kid == euid)
			return 1;
		if (gid && !ns->setgroups_allowed && kid == egid)
			return 1;
	}
	return userns_capable(writer_ns, euid, cap_eff, ns->parent, cap);
}

long userns_map_write(struct user_ns *ns, int gid, const struct user_ns *writer_ns, uint32_t euid, uint32_t egid,
		      uint64_t cap_eff, const char *text, size_t len)
{
	struct userns_map *map = gid ? &ns->gid_map : &ns->uid_map, *m;
	const struct userns_map *parent_map;
	char *buf;
	uint32_t i;
	long r;

	if (!ns->parent)
		return -EPERM; /* the first namespace's maps are the identity for good */
	if (writer_ns != ns && writer_ns != ns->parent)
		return -EPERM;
	if (map->n)
		return -EPERM; /* written once */
	if (!userns_capable(writer_ns, euid, cap_eff, ns, CAP_SYS_ADMIN))
		return -EPERM;
	buf = malloc(len + 1);
	m = malloc(sizeof(*m));
	r = -ENOMEM;
	if (!buf || !m)
		goto out;
	memcpy(buf, text, len);
	buf[len] = 0;
	r = parse_map(buf, m);
	if (r < 0)
		goto out;
	r = -EPERM;
	if (!map_permitted(ns, gid, writer_ns, euid, egid, cap_eff, m))
		goto out;
	/* The lower ids are the parent's: to kernel ids, each range wholly mapped there. */
	parent_map = gid ? &ns->parent->gid_map : &ns->parent->uid_map;
	for (i = 0; i < m->n; i++) {
		uint32_t lo = map_range_down(parent_map, m->e[i].lower, m->e[i].count);

		if (lo == (uint32_t)-1)
			goto out;
		m->e[i].lower = lo;
	}
	/* Linux keeps more than 5 extents sorted, and /proc shows them so. */
	if (m->n > 5)
		sort_by_first(m);
	memcpy(map, m, sizeof(*m));
	r = 0;
out:
	free(buf);
	free(m);
	return r;
}

long userns_setgroups_write(struct user_ns *ns, const char *text)
{
	int allow;

	if (!strncmp(text, "allow", 5)) {
		allow = 1;
		text += 5;
	} else if (!strncmp(text, "deny", 4)) {
		allow = 0;
		text += 4;
	} else {
		return -EINVAL;
	}
	if (*skip_spaces(text))
		return -EINVAL;
	if (allow) {
		/* Denied once, denied for good. */
		if (!ns->setgroups_allowed)
			return -EPERM;
	} else {
		/* Too late once gid_map gave setgroups a meaning. */
		if (ns->gid_map.n)
			return -EPERM;
		ns->setgroups_allowed = 0;
	}
	return 0;
}
