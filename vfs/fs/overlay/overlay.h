/* The overlay root (see overlay.c). */
#pragma once

#include <stdint.h>

struct dentry;
struct inode;
struct path;
struct super;

/* What the "overlay" type's mount makes (fs_mount_args.config): an overlay over lower_root. */
struct overlay_config {
	struct inode *lower_root; /* the caller keeps its reference; the overlay takes its own */
	uint64_t upper_bytes;
};

/* An overlay over lower_root with an upper layer of at most upper_bytes; its root. */
struct inode *overlay_new(struct inode *lower_root, uint64_t upper_bytes, struct super **sb);
/* Gives the regular file at p an upper copy, if it is still the lower one (before a write). */
long overlay_copy_up(struct path *p);
/* rmdir of an overlay directory: -ENOTEMPTY while lower names remain that were not removed. */
long overlay_rmdir_check(struct dentry *d);
/* Is ino an overlay directory over a lower one (rename cannot move those yet: EXDEV)? */
int overlay_is_lower_dir(struct inode *ino);
