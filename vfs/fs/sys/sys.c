/*
 * sysfs: the few files programs read to learn the machine (lscpu, nproc,
 * glibc's get_nprocs_conf): the sandbox's CPUs, as a tmpfs filled once at
 * start-up and then mounted read-only.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../../vfs.h"
#include "sys.h"

static struct dentry *add(struct dentry *dir, const char *name, mode_t mode, const char *text)
{
	struct inode *ino;
	struct dentry *d;

	if (dir->inode->iops->mknod(dir->inode, name, mode, 0, NULL, &ino) < 0)
		return NULL;
	d = dentry_new(dir, name, strlen(name), ino);
	if (d && text) {
		struct file f = {.inode = ino, .flags = O_WRONLY};
		struct iovec iov = {(void *)text, strlen(text)};
		uint64_t pos = 0;

		ino->fops->write(&f, &iov, 1, &pos);
	}
	return d;
}

static struct dentry *mkdirs(struct dentry *d, const char *path)
{
	char buf[256], *save, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, "/", &save); part && d; part = strtok_r(NULL, "/", &save)) {
		struct dentry *c = dentry_lookup_cached(d, part, strlen(part));

		d = c ? c : add(d, part, S_IFDIR | 0755, NULL);
	}
	return d;
}

void sysfs_populate(struct dentry *root, int ncpus)
{
	struct dentry *cpu = mkdirs(root, "devices/system/cpu");
	char range[32], name[32];
	int i;

	/* A tmpfs underneath, but sysfs to statfs and /proc/mounts; nothing to count. */
	root->inode->sb->type = "sysfs";
	root->inode->sb->ops = NULL;
	mkdirs(root, "fs/cgroup");
	mkdirs(root, "kernel");
	if (!cpu)
		return;
	snprintf(range, sizeof(range), ncpus > 1 ? "0-%d\n" : "0\n", ncpus - 1);
	add(cpu, "online", S_IFREG | 0444, range);
	add(cpu, "possible", S_IFREG | 0444, range);
	add(cpu, "present", S_IFREG | 0444, range);
	add(cpu, "kernel_max", S_IFREG | 0444, "8191\n");
	for (i = 0; i < ncpus; i++) {
		struct dentry *c, *topo;
		char id[16];

		snprintf(name, sizeof(name), "cpu%d", i);
		c = add(cpu, name, S_IFDIR | 0755, NULL);
		if (!c)
			continue;
		add(c, "online", S_IFREG | 0444, "1\n");
		topo = add(c, "topology", S_IFDIR | 0755, NULL);
		if (!topo)
			continue;
		snprintf(id, sizeof(id), "%d\n", i);
		add(topo, "core_id", S_IFREG | 0444, id);
		add(topo, "physical_package_id", S_IFREG | 0444, "0\n");
		add(topo, "core_siblings_list", S_IFREG | 0444, range);
		snprintf(id, sizeof(id), "%d\n", i);
		add(topo, "thread_siblings_list", S_IFREG | 0444, id);
	}
}
