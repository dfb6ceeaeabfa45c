/*
 * The target links TCP without the proc file system: /proc/net/tcp's
 * registration and printing have nothing to do here.
 */
#include "vfs/fs/proc/proc.h"

void proc_net_register(const struct proc_net_file *f)
{
	(void)f;
}

void proc_printf(struct proc_buf *b, const char *fmt, ...)
{
	(void)b;
	(void)fmt;
}
