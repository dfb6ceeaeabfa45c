/* Event files: eventfd, timerfd, signalfd (see event.c). */
#pragma once

#include <stdint.h>

struct file;

#define EFD_SEMAPHORE_ 1
#define EFD_CLOEXEC_ 02000000
#define EFD_NONBLOCK_ 04000

long eventfd_create(unsigned initval, int flags, struct file **out);
/* Is f an eventfd? */
int is_eventfd(struct file *f);
/* Adds n to an eventfd's count (Linux's eventfd_signal: saturates, never blocks), and wakes its readers. */
void eventfd_signal(struct file *f, uint64_t n);
long timerfd_create_file(int clock, int flags, struct file **out);
int is_timerfd(struct file *f);
void timerfd_get(struct file *f, uint64_t *value, uint64_t *interval);
/* value: ns from now, or on the timer's clock when absolute; 0 disarms. */
void timerfd_set(struct file *f, uint64_t value, uint64_t interval, int absolute);
/* A new signalfd for mask (*fp NULL), or a new mask for the signalfd *fp. */
long signalfd_update(struct file **fp, uint64_t mask, int flags);
