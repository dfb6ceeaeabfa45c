/* The gofer process (see gofer.c). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct gofer_req;
struct gofer_rep;

/*
 * Forks the gofer for root (a host directory) while cvisor is still one
 * thread; *sock is the sentry's end of its socket.  Returns its pid or -errno.
 */
pid_t gofer_start(const char *root, int *sock);

/*
 * One request, as received: n bytes at req (a buffer of at least
 * sizeof(*req)), the recvmsg flags, and the fds that came with it (-1:
 * none; the caller closes them).  Fills *rep and returns the fd to send
 * with it, or -1; the caller closes that after sending.  GOFER_GETXATTR's
 * value goes to value, GOFER_XATTR_MAX bytes (its size in rep->err).  Checks the
 * message itself (size, truncation, NUL-ended names) before acting.
 * serve() is this in a loop; the fuzz target calls it directly.
 */
int gofer_handle(struct gofer_req *req, size_t n, int msg_flags, int infd, int infd2, struct gofer_rep *rep,
		 char *value);
