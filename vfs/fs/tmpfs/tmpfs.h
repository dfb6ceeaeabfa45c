/* tmpfs: see tmpfs.c. */
#pragma once

#include <stdint.h>

struct inode;
struct super;

/* A new tmpfs limited to max_bytes; returns its root directory inode. */
struct inode *tmpfs_new(uint64_t max_bytes, uint32_t mode, struct super **sb);
/* An unnamed file on tmpfs sb (MAP_SHARED|MAP_ANONYMOUS memory, memfd). */
struct inode *tmpfs_anon_file(struct super *sb, uint64_t size);
