/* sysfs (see sys.c). */
#pragma once

struct dentry;

/* Fills a fresh tmpfs root with the sandbox's sysfs files. */
void sysfs_populate(struct dentry *root, int ncpus);
