/* tmpfs: see tmpfs.c. */
#pragma once

#include <stdint.h>

struct inode;
struct super;

/* A new tmpfs limited to max_bytes; returns its root directory inode. */
struct inode *tmpfs_new(uint64_t max_bytes, uint32_t mode, struct super **sb);
/* An unnamed file on tmpfs sb (MAP_SHARED|MAP_ANONYMOUS memory, memfd). */
struct inode *tmpfs_anon_file(struct super *sb, uint64_t size);
/* What /proc shows for such a file ("/memfd:NAME (deleted)", as Linux): 0 or -ENOMEM. */
long tmpfs_set_anon_name(struct inode *ino, const char *name);
/* A tmpfs of nameless files only (memfd, MAP_SHARED|MAP_ANONYMOUS): its super, no root kept; NULL. */
struct super *tmpfs_anon_super(uint64_t max_bytes);
/* mount -o size=,nr_inodes=: the limits of a tmpfs just made (0 keeps one); the root counts as an inode. */
long tmpfs_set_limits(struct super *sb, uint64_t max_bytes, uint64_t max_inodes);
/*
 * memfd seals (F_SEAL_*), kept on tmpfs regular files only: a pointer to
 * ino's, or NULL for any other inode (F_GET_SEALS: EINVAL).  A file starts
 * with F_SEAL_SEAL; memfd_create(MFD_ALLOW_SEALING) clears it.  tmpfs
 * itself refuses writes and size changes the seals forbid (EPERM).
 */
unsigned *tmpfs_seals(struct inode *ino);
/* F_ADD_SEALS (the caller checked that the file is open for writing): 0 or -EINVAL/-EPERM/-EBUSY. */
long tmpfs_add_seals(struct inode *ino, unsigned seals);
/* fallocate: gives [off, off + len) of a tmpfs file its pages (st_blocks); -ENOSPC, -EOPNOTSUPP elsewhere. */
long tmpfs_allocate(struct inode *ino, uint64_t off, uint64_t len);
