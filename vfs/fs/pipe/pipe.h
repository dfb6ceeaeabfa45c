/* Pipes: see pipe.c. */
#pragma once

struct file;

/* A new pipe: its read end in files[0], write end in files[1]; flags O_NONBLOCK. */
long pipe_create(struct file *files[2], int flags);

struct inode;
/* Opens the named FIFO ino for f, blocking until the other side opens as fifo(7) says. */
long pipe_fifo_open(struct inode *ino, struct file *f, int flags);
