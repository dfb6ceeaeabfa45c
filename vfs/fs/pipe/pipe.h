/* Pipes: see pipe.c. */
#pragma once

struct file;

/* A new pipe: its read end in files[0], write end in files[1]; flags O_NONBLOCK. */
long pipe_create(struct file *files[2], int flags);
