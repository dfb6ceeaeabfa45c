/* Pseudo-terminals (see pty.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

struct dentry;
struct file;
struct file_ops;
struct pty;
struct thread_group;

/* The operations of /dev/ptmx, /dev/tty and /dev/pts/N, by device number; NULL for others. */
const struct file_ops *pty_char_fops(uint64_t rdev);
/* Where the slaves' nodes go (devfs's pts directory). */
void pty_set_pts_dir(struct dentry *d);

/* For `cvisor do -t`: a pty whose master the sentry itself serves to the host terminal. */
struct pty *pty_new(void);
struct file *pty_open_slave(struct pty *p);
/* Also makes p the sandbox's console. */
void pty_hold_master(struct pty *p);
/*
 * For OCI exec with a terminal: the master held by the sentry as
 * pty_hold_master does, but not as the console; pty_release lets it go
 * (the slave's session gets SIGHUP, as at a master's close).
 */
void pty_hold(struct pty *p);
void pty_release(struct pty *p);
/* Opens /dev/console (f) onto that pty; -ENXIO without -t. */
long pty_console_open(struct file *f);
void pty_make_controlling(struct pty *p, struct thread_group *g);
long pty_master_write(struct pty *p, const char *s, size_t n);
size_t pty_master_read(struct pty *p, char *buf, size_t n);
/* The queue woken when either side of p changes (the console thread waits on it). */
struct waitq *pty_waitq(struct pty *p);
int pty_slave_gone(struct pty *p);
void pty_set_winsize(struct pty *p, const struct winsize *ws);
/* The N of p's /dev/pts/N. */
int pty_index(const struct pty *p);
/* p's foreground process group (a number of the sandbox's first pid namespace), 0 if none. */
int pty_fgpgrp(const struct pty *p);
