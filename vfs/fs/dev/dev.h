/*
 * devfs: a tmpfs holding the device nodes an application expects in /dev
 * (null, zero, full, random, urandom) and the operations behind them.
 */
#pragma once

#include <stdint.h>

struct file_ops;
struct inode;
struct super;

/* The operations of the character device rdev, or NULL if cvisor has none. */
const struct file_ops *dev_char_fops(uint64_t rdev);
/* A new /dev, populated. */
struct inode *devfs_new(struct super **sb);
struct path;
/* Fills /dev, the root of its mount dev: the nodes, and /dev/shm and /dev/pts mounted. */
void devfs_populate(struct path *dev);
