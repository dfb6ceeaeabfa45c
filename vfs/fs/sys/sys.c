/*
 * sysfs: the few files programs read to learn the machine (lscpu, nproc,
 * glibc's get_nprocs_conf): the sandbox's CPUs, as a read-only tmpfs filled
 * the first time a walk enters it.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../../vfs.h"
#include "../tmpfs/tmpfs.h"
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

/*
 * A CPU mask as the kernel prints one (%*pb over the possible CPUs): hex,
 * in 32-bit groups separated by commas, the first only as wide as needed.
 * first..last are the CPUs in it.
 */
static void cpumask(char *buf, size_t size, int ncpus, int first, int last)
{
	int groups = (ncpus + 31) / 32, g;
	size_t len = 0;

	for (g = groups - 1; g >= 0 && len < size; g--) {
		uint32_t w = 0;
		int bits = g == groups - 1 ? ncpus - g * 32 : 32, c;

		for (c = 0; c < 32; c++)
			if (g * 32 + c >= first && g * 32 + c <= last)
				w |= 1U << c;
		len += (size_t)snprintf(buf + len, size - len, g == groups - 1 ? "%0*x" : ",%08x", (bits + 3) / 4, w);
	}
	snprintf(buf + len < buf + size ? buf + len : buf + size - 1, size > len ? size - len : 1, "\n");
}

static void cpulist(char *buf, size_t size, int first, int last)
{
	if (first == last)
		snprintf(buf, size, "%d\n", first);
	else
		snprintf(buf, size, "%d-%d\n", first, last);
}

/* Both forms of a CPU set, as NAME (the mask) and NAME_list (or cpumap and cpulist). */
static void add_cpus(struct dentry *dir, const char *mask_name, const char *list_name, int ncpus, int first, int last)
{
	char buf[256];

	cpumask(buf, sizeof(buf), ncpus, first, last);
	add(dir, mask_name, S_IFREG | 0444, buf);
	cpulist(buf, sizeof(buf), first, last);
	add(dir, list_name, S_IFREG | 0444, buf);
}

/*
 * cpuN/topology, as the kernel's sysfs ABI (Documentation/ABI/stable/
 * sysfs-devices-system-cpu) has it.  The sandbox's CPUs are one package
 * of ncpus cores with one thread each: what lscpu counts sockets, cores
 * and threads from.
 */
static void add_topology(struct dentry *c, int ncpus, int i)
{
	struct dentry *topo = add(c, "topology", S_IFDIR | 0755, NULL);
	char id[16];

	if (!topo)
		return;
	snprintf(id, sizeof(id), "%d\n", i);
	add(topo, "core_id", S_IFREG | 0444, id);
	add(topo, "physical_package_id", S_IFREG | 0444, "0\n");
	add(topo, "die_id", S_IFREG | 0444, "0\n");
	add(topo, "cluster_id", S_IFREG | 0444, "65535\n");
	add_cpus(topo, "thread_siblings", "thread_siblings_list", ncpus, i, i);
	add_cpus(topo, "core_cpus", "core_cpus_list", ncpus, i, i);
	add_cpus(topo, "cluster_cpus", "cluster_cpus_list", ncpus, i, i);
	add_cpus(topo, "core_siblings", "core_siblings_list", ncpus, 0, ncpus - 1);
	add_cpus(topo, "die_cpus", "die_cpus_list", ncpus, 0, ncpus - 1);
	add_cpus(topo, "package_cpus", "package_cpus_list", ncpus, 0, ncpus - 1);
}

/* One cache as CPUID describes it. */
struct cache_desc {
	unsigned type, level, line, parts, ways, sets;
};

/*
 * The CPU's cache descriptors (CPUID leaf 4 on Intel, 0x8000001d on AMD:
 * the same layout), read once for all the sandbox's CPUs, which are alike:
 * under virtualization every CPUID leaves the guest.  How many were found.
 */
static int read_caches(struct cache_desc *d, int max_descs)
{
	unsigned eax, ebx, ecx, edx, leaf, max;
	char vendor[13] = {0};
	int k;

	__cpuid(0, max, ebx, ecx, edx);
	memcpy(vendor, &ebx, 4);
	memcpy(vendor + 4, &edx, 4);
	memcpy(vendor + 8, &ecx, 4);
	if (!strcmp(vendor, "GenuineIntel") && max >= 4) {
		leaf = 4;
	} else {
		__cpuid(0x80000000, max, ebx, ecx, edx);
		if (max < 0x8000001d)
			return 0;
		leaf = 0x8000001d;
	}
	for (k = 0; k < max_descs; k++) {
		__cpuid_count(leaf, (unsigned)k, eax, ebx, ecx, edx);
		d[k].type = eax & 0x1f;
		if (!d[k].type || d[k].type > 3)
			break;
		d[k].level = (eax >> 5) & 7;
		d[k].line = (ebx & 0xfff) + 1;
		d[k].parts = ((ebx >> 12) & 0x3ff) + 1;
		d[k].ways = ((ebx >> 22) & 0x3ff) + 1;
		d[k].sets = ecx + 1;
	}
	return k;
}

/* cpuN/cache/indexM: L1 and L2 are each core's own, L3 the package's, as on the machines cvisor runs on. */
static void add_caches(struct dentry *c, int ncpus, int i, const struct cache_desc *d, int n)
{
	static const char *const types[] = {NULL, "Data\n", "Instruction\n", "Unified\n"};
	struct dentry *cache = n ? add(c, "cache", S_IFDIR | 0755, NULL) : NULL;
	char buf[64];
	int k;

	for (k = 0; cache && k < n; k++) {
		struct dentry *idx;

		snprintf(buf, sizeof(buf), "index%d", k);
		idx = add(cache, buf, S_IFDIR | 0755, NULL);
		if (!idx)
			continue;
		add(idx, "type", S_IFREG | 0444, types[d[k].type]);
		snprintf(buf, sizeof(buf), "%u\n", d[k].level);
		add(idx, "level", S_IFREG | 0444, buf);
		snprintf(buf, sizeof(buf), "%uK\n", d[k].line * d[k].parts * d[k].ways * d[k].sets / 1024);
		add(idx, "size", S_IFREG | 0444, buf);
		snprintf(buf, sizeof(buf), "%u\n", d[k].line);
		add(idx, "coherency_line_size", S_IFREG | 0444, buf);
		snprintf(buf, sizeof(buf), "%u\n", d[k].parts);
		add(idx, "physical_line_partition", S_IFREG | 0444, buf);
		snprintf(buf, sizeof(buf), "%u\n", d[k].ways);
		add(idx, "ways_of_associativity", S_IFREG | 0444, buf);
		snprintf(buf, sizeof(buf), "%u\n", d[k].sets);
		add(idx, "number_of_sets", S_IFREG | 0444, buf);
		snprintf(buf, sizeof(buf), "%d\n", d[k].level < 3 ? i : 0);
		add(idx, "id", S_IFREG | 0444, buf);
		if (d[k].level < 3)
			add_cpus(idx, "shared_cpu_map", "shared_cpu_list", ncpus, i, i);
		else
			add_cpus(idx, "shared_cpu_map", "shared_cpu_list", ncpus, 0, ncpus - 1);
	}
}

/* One NUMA node holding every CPU: lscpu's "NUMA node(s)". */
static void add_node(struct dentry *root, int ncpus)
{
	struct dentry *nodes = mkdirs(root, "devices/system/node"), *n0;
	static const char *const states[] = {"online", "possible", "has_cpu", "has_memory", "has_normal_memory"};
	size_t k;

	if (!nodes)
		return;
	for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
		add(nodes, states[k], S_IFREG | 0444, "0\n");
	n0 = add(nodes, "node0", S_IFDIR | 0755, NULL);
	if (n0) {
		add_cpus(n0, "cpumap", "cpulist", ncpus, 0, ncpus - 1);
		add(n0, "distance", S_IFREG | 0444, "10\n");
	}
}

/* The one sysfs (the sandbox mounts it once): its CPU count, and whether it is filled yet. */
static int sys_ncpus, sys_filled;

static void fill(struct dentry *root, int ncpus)
{
	struct dentry *cpu = mkdirs(root, "devices/system/cpu");
	struct cache_desc caches[8];
	int ncaches = read_caches(caches, 8);
	char range[32], name[32];
	int i;

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
		struct dentry *c;

		snprintf(name, sizeof(name), "cpu%d", i);
		c = add(cpu, name, S_IFDIR | 0755, NULL);
		if (!c)
			continue;
		add(c, "online", S_IFREG | 0444, "1\n");
		add_topology(c, ncpus, i);
		add_caches(c, ncpus, i, caches, ncaches);
	}
	add_node(root, ncpus);
}

/*
 * Filled on the first walk into it, not at mount: some 70 nodes a CPU,
 * each file a page of the memory file, are most of a sandbox's start-up
 * otherwise, and most programs never look.
 */
static void sys_enter(struct super *sb, struct dentry *root)
{
	(void)sb;
	if (sys_filled)
		return;
	sys_filled = 1;
	fill(root, sys_ncpus);
}

static const struct super_ops sys_sops = {.enter = sys_enter};

void sysfs_populate(struct dentry *root, int ncpus)
{
	/* A tmpfs underneath, but sysfs to statfs and /proc/mounts; nothing to count. */
	root->inode->sb->type = "sysfs";
	root->inode->sb->ops = &sys_sops;
	/* About 70 nodes a CPU (topology, caches), each file a page of its own: room for them all. */
	tmpfs_set_limits(root->inode->sb, (uint64_t)(ncpus * 80 + 64) * 4096, (uint64_t)ncpus * 80 + 256);
	sys_ncpus = ncpus;
}
