/*
 * The gofer protocol: the sentry asks, the gofer (a separate process
 * confined to the container's root) opens.  One request, one reply, over a
 * SOCK_SEQPACKET socket; file descriptors travel with SCM_RIGHTS.
 *
 *   GOFER_ROOT: no fd in; the root directory's fd out.
 *   GOFER_WALK: a directory fd in (one the gofer gave earlier), a single
 *               component name; the child's fd out: readable for regular
 *               files and directories, O_PATH for anything else.  The
 *               gofer never follows a symlink and refuses "", ".", ".."
 *               and names with a '/'.
 * Replies carry -errno or 0 and the file's stat.
 */
#pragma once

#include <stdint.h>
#include <sys/stat.h>

enum { GOFER_ROOT = 1, GOFER_WALK = 2 };

struct gofer_req {
	uint32_t op;
	char name[256];
};

struct gofer_rep {
	int32_t err;
	struct stat st;
};
