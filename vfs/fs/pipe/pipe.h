/* Pipes: see pipe.c. */
#pragma once

struct file;

/* A new pipe: its read end in files[0], write end in files[1]; flags O_NONBLOCK. */
long pipe_create(struct file *files[2], int flags);

struct inode;
/* Opens the named FIFO ino for f, blocking until the other side opens as fifo(7) says. */
long pipe_fifo_open(struct inode *ino, struct file *f, int flags);

/* Whether f is an end of a pipe or FIFO. */
int pipe_is(const struct file *f);
/* F_GETPIPE_SZ (set 0) and F_SETPIPE_SZ: the capacity in bytes, or -errno. */
long pipe_size(struct file *f, int set, unsigned long size, int privileged);
/*
 * tee(2): copies up to len bytes from the pipe in to the pipe out without
 * consuming them.  Waits for data in in and room in out unless nonblock.
 */
long pipe_tee(struct file *in, struct file *out, size_t len, int nonblock);
