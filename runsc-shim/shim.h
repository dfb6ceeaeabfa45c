/*
 * The `cvisor` command: one function per verb (one file each), dispatched
 * from the verb table in main.c.  A verb returns the process exit status.
 * Errors are reported here, at the edge, as a message a person can act on.
 */
#pragma once

int shim_do(int argc, char **argv);
int shim_platforms(int argc, char **argv);
int shim_compat(int argc, char **argv);

/* Prints "cvisor: <message>" and a hint; returns 1 (runc's error status). */
int shim_fail(const char *hint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * runsc-shim/confine.c, each called while its process is one thread.
 * The gofer's confinement: own namespaces, no pseudo file systems, chrooted
 * into root; 0 or -errno.  The sentry's: own namespaces and an empty
 * read-only root; 0, or -errno with *step saying what failed.
 */
int shim_confine_gofer(const char *root);
int shim_confine_sentry(const char **step);
