/* sysfs (see sys.c). */
#pragma once

struct dentry;

/* Makes a fresh tmpfs root the sandbox's sysfs: filled with its files on the first walk into it. */
void sysfs_populate(struct dentry *root, int ncpus);
