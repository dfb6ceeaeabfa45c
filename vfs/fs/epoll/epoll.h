/* epoll: see epoll.c. */
#pragma once

#include <stdint.h>
#include <sys/epoll.h>

struct file;
struct task;

long epoll_create_file(struct file **out);
int is_epoll(struct file *f);
/* Entries on the interest list: more events than that one wait never returns. */
int epoll_size(struct file *epf);
long epoll_ctl_file(struct file *epf, int op, int fd, struct file *target, uint32_t events, uint64_t data);
/* Waits for events (timeout_ns < 0: forever); the count or -EINTR. */
long epoll_wait_file(struct task *t, struct file *epf, struct epoll_event *out, int max, int64_t timeout_ns);
