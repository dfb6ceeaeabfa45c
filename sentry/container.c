/*
 * What an OCI spec asks of the sandbox beyond `cvisor do` (sentry.h):
 * its mounts, made in the sandbox's own VFS (a host directory only ever
 * through a gofer of its own), and who its first process is.  Called from
 * sentry_run while the sentry is one thread and before the mounts are
 * locked, so nothing here races the application.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../vfs/fs/gofer/gofer.h"
#include "../vfs/fs/proc/proc.h"
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/namei.h"
#include "../vfs/vfs.h"
#include "kernel/task.h"
#include "sentry.h"

/* Makes the missing directories of path (absolute), and with file_last an empty file last; 0 or -errno. */
static long make_path(struct task *t, const char *path, int file_last)
{
	char buf[ABI_PATH_MAX + ABI_NAME_MAX + 1];
	size_t len = strlen(path), i;

	if (len >= ABI_PATH_MAX || path[0] != '/')
		return -ENAMETOOLONG;
	for (i = 1; i <= len; i++) {
		struct vfs_name nm;
		struct path p;
		int last = i == len;
		long r;

		if (!last && path[i] != '/')
			continue;
		if (i > 1 && path[i - 1] == '/')
			continue;
		memcpy(buf, path, i);
		buf[i] = 0;
		if (vfs_walk(t, AT_FDCWD, buf, WALK_FOLLOW, &p) == 0) {
			path_put(&p);
			continue;
		}
		r = vfs_name_walk(t, AT_FDCWD, buf, 0, &nm);
		if (r < 0)
			return r;
		r = last && file_last ? vfs_mknod(t, &nm, S_IFREG | 0644, NULL) : vfs_mkdir(t, &nm, 0755);
		vfs_name_put(&nm);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

long sentry_make_mountpoint(struct task *t, const char *path)
{
	return make_path(t, path, 0);
}

/* Mounts sb's inode root on dest, made first if missing; the mount takes the reference on root, or it is dropped. */
static long mount_on(struct task *t, const char *dest, struct super *sb, struct inode *root, int flags)
{
	struct path p;
	long r = make_path(t, dest, !S_ISDIR(root->mode));

	if (r == 0)
		r = vfs_walk(t, AT_FDCWD, dest, WALK_FOLLOW, &p);
	if (r == 0) {
		r = vfs_mount_at(&p, sb, root, flags);
		path_put(&p);
	}
	if (r < 0)
		inode_put(root);
	return r;
}

static long mount_gofer(struct task *t, const struct sentry_mount *m)
{
	struct super *sb;
	struct inode *root, *file = NULL;
	long r = 0;

	root = gofer_mount(m->sock, !m->rdonly, 0, &sb, &r);
	if (!root)
		return r;
	if (m->file) {
		r = root->iops->lookup(root, m->file, &file);
		inode_put(root);
		if (r < 0)
			return r;
		root = file;
	}
	return mount_on(t, m->dest, sb, root, m->rdonly ? VFS_MNT_RDONLY : 0);
}

/* maskedPaths: what is there is covered; a path that is not there needs nothing. */
static long mask(struct task *t, const char *dest)
{
	struct path p, null;
	struct super *sb;
	struct inode *root;
	long r;

	if (vfs_walk(t, AT_FDCWD, dest, WALK_FOLLOW, &p) < 0)
		return 0;
	if (S_ISDIR(p.d->inode->mode)) {
		root = tmpfs_new(4096, 0555, &sb);
		r = root ? vfs_mount_at(&p, sb, root, VFS_MNT_RDONLY) : -ENOMEM;
		if (r < 0 && root)
			inode_put(root);
	} else {
		r = vfs_walk(t, AT_FDCWD, "/dev/null", WALK_FOLLOW, &null);
		if (r == 0) {
			r = vfs_bind_at(&p, &null, VFS_MNT_RDONLY);
			path_put(&null);
		}
	}
	path_put(&p);
	return r;
}

/* readonlyPaths: bound on itself, read-only. */
static long rdonly(struct task *t, const char *dest)
{
	struct path p;
	long r;

	if (vfs_walk(t, AT_FDCWD, dest, WALK_FOLLOW, &p) < 0)
		return 0;
	r = vfs_bind_at(&p, &p, VFS_MNT_RDONLY);
	path_put(&p);
	return r;
}

static long make_mount(struct task *t, const struct sentry_mount *m)
{
	struct super *sb;
	struct inode *root;

	switch (m->kind) {
	case SENTRY_MNT_TMPFS:
	case SENTRY_MNT_PROC:
		root = m->kind == SENTRY_MNT_PROC ? procfs_new(&sb)
						    : tmpfs_new(m->size ? m->size : sandbox.memory / 2, m->mode ? m->mode : 01777, &sb);
		if (!root)
			return -ENOMEM;
		return mount_on(t, m->dest, sb, root, m->rdonly ? VFS_MNT_RDONLY : 0);
	case SENTRY_MNT_GOFER:
		return mount_gofer(t, m);
	case SENTRY_MNT_MASK:
		return mask(t, m->dest);
	case SENTRY_MNT_RDONLY:
		return rdonly(t, m->dest);
	}
	return -EINVAL;
}

long sentry_make_mounts(struct task *t, const struct sentry_config *cfg)
{
	size_t i;

	if (!cfg->process)
		return 0; /* cvisor do */
	for (i = 0; i < cfg->nmounts; i++) {
		long r = make_mount(t, &cfg->mounts[i]);

		if (r < 0) {
			fprintf(stderr, "cvisor: cannot mount %s in the sandbox: %s\n", cfg->mounts[i].dest,
				strerror((int)-r));
			return r;
		}
	}
	/* runc makes a missing working directory: so does cvisor, for a container. */
	if (cfg->cwd && make_path(t, cfg->cwd, 0) < 0)
		fprintf(stderr, "cvisor: cannot make the working directory %s in the sandbox\n", cfg->cwd);
	if (cfg->root_rdonly)
		vfs_root.mnt->flags |= VFS_MNT_RDONLY;
	if (cfg->hostname)
		snprintf(uts_ns_init.hostname, sizeof(uts_ns_init.hostname), "%s", cfg->hostname);
	return 0;
}

void sentry_apply_process(struct task *t, const struct sentry_config *cfg)
{
	const struct sentry_process *p = cfg->process;
	struct creds *c = &t->cred;
	size_t i;

	if (!p)
		return;
	if (p->set_ids) {
		c->uid = c->euid = c->suid = c->fsuid = p->uid;
		c->gid = c->egid = c->sgid = c->fsgid = p->gid;
		groups_put(c->groups);
		c->groups = NULL;
		if (p->ngroups) {
			struct groups *g = malloc(sizeof(*g) + p->ngroups * sizeof(uint32_t));

			if (g) {
				g->refs = 1;
				g->n = (uint32_t)p->ngroups;
				memcpy(g->gid, p->groups, p->ngroups * sizeof(uint32_t));
				c->groups = g;
			}
		}
	}
	if (p->set_caps) {
		c->cap_bnd = p->cap_bnd & CREDS_CAP_ALL;
		c->cap_prm = p->cap_prm & CREDS_CAP_ALL;
		c->cap_eff = p->cap_eff & c->cap_prm;
		c->cap_inh = p->cap_inh & CREDS_CAP_ALL;
		c->cap_amb = p->cap_amb & c->cap_prm & c->cap_inh;
	} else if (p->set_ids && p->uid) {
		/* A user other than root holds no capability, as after setuid(2) from root. */
		c->cap_prm = c->cap_eff = c->cap_amb = 0;
	}
	t->no_new_privs = p->no_new_privs;
	for (i = 0; i < p->nrlimits; i++)
		if (p->rlimits[i].resource >= 0 && p->rlimits[i].resource < TASK_RLIMITS)
			t->tg->rlim[p->rlimits[i].resource] =
				(struct abi_rlimit){p->rlimits[i].cur, p->rlimits[i].max};
}

size_t sentry_gofer_socks(const struct sentry_config *cfg, int *socks, size_t max)
{
	size_t n = 0, i;

	if (max)
		socks[n++] = cfg->gofer_sock;
	for (i = 0; i < cfg->nmounts && n < max; i++)
		if (cfg->mounts[i].kind == SENTRY_MNT_GOFER)
			socks[n++] = cfg->mounts[i].sock;
	/* OCI exec's sockets are served with the gofer's host call (sentry/exec.h). */
	for (i = 0; i < 2 && n < max; i++)
		if (cfg->exec_socks[i] > 0)
			socks[n++] = cfg->exec_socks[i];
	return n;
}
