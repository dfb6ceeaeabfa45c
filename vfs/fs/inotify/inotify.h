/* inotify (see inotify.c). */
#pragma once

#include <stdint.h>

struct file;
struct inode;
struct watch;

long inotify_create(int flags, struct file **out);
int is_inotify(struct file *f);
long inotify_add(struct file *f, struct inode *target, uint32_t mask);
long inotify_rm(struct file *f, int wd);
void inotify_drop_watch(struct watch *w);
