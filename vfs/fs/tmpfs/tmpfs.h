/* tmpfs: see tmpfs.c. */
#pragma once

#include <stdint.h>

struct inode;
struct super;

/* A new tmpfs limited to max_bytes; returns its root directory inode. */
struct inode *tmpfs_new(uint64_t max_bytes, uint32_t mode, struct super **sb);
/* An unnamed file on tmpfs sb (MAP_SHARED|MAP_ANONYMOUS memory, memfd). */
struct inode *tmpfs_anon_file(struct super *sb, uint64_t size);
/* mount -o size=,nr_inodes=: the limits of a tmpfs just made (0 keeps one); the root counts as an inode. */
long tmpfs_set_limits(struct super *sb, uint64_t max_bytes, uint64_t max_inodes);
