/* The gofer process (see gofer.c). */
#pragma once

#include <sys/types.h>

/*
 * Forks the gofer for root (a host directory) while cvisor is still one
 * thread; *sock is the sentry's end of its socket.  Returns its pid or -errno.
 */
pid_t gofer_start(const char *root, int *sock);
