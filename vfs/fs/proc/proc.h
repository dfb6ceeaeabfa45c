/* procfs: the sandbox's processes and figures (see proc.c). */
#pragma once

struct inode;
struct super;

/* A new procfs; returns its root directory. */
struct inode *procfs_new(struct super **sb);
