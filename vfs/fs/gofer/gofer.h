/*
 * The gofer client: the container's root file system.  Its protocol (walk
 * one component, open, read, readdir, readlink) is the interface the
 * out-of-process gofer will serve; see gofer.c.
 */
#pragma once

struct inode;
struct super;

/* The root inode of a read-only mount of what the gofer at sock serves; NULL with *err. */
struct inode *gofer_mount(int sock, struct super **sb, long *err);
