/*
 * The gofer client: the container's root file system, served by the gofer
 * process (runsc-shim/gofer) over the protocol in protocol.h; see gofer.c.
 */
#pragma once

#include <stddef.h>

struct inode;
struct super;

/* What the "gofer" type's mount makes (fs_mount_args.config): one per gofer. */
struct gofer_config {
	int sock;        /* the gofer's socket (on the vetted list: see host_seccomp_install) */
	int writable;    /* writes go through the gofer to the host (--overlay=none) */
	size_t fd_limit; /* host fds of idle files kept open at most (0: the default, 4096) */
};

/*
 * The root inode of a mount of what the gofer at sock serves: read-only,
 * or written through the gofer with writable (--overlay=none).  At most
 * fd_limit host fds of idle files stay open (0: the default).  NULL with *err.
 */
struct inode *gofer_mount(int sock, int writable, size_t fd_limit, struct super **sb, long *err);

/* Writes back what shared mappings changed in every gofer file (the sandbox's end). */
void gofer_writeback_all(void);
/* Lets go of every cached page no mapping holds (the memory file's reclaimer). */
void gofer_cache_drop_unmapped(void);
