/*
 * System V IPC: shmget/shmat/shmdt/shmctl, semget/semop/semtimedop/semctl,
 * msgget/msgsnd/msgrcv/msgctl; POSIX message queues: mq_*.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/resource.h>

#include "../sentry/ipc/ipc.h"
#include "../sentry/ipc/mqueue.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

/* Keys, ids, flags, counts and commands are C ints in the ABI: the upper halves of the registers are ignored. */
SYSCALL(shmget) { return ipc_shmget(t, (int32_t)a[0], a[1], (int)a[2]); }
SYSCALL(shmat) { return ipc_shmat(t, (int)a[0], a[1], (int)a[2]); }
SYSCALL(shmdt) { return ipc_shmdt(t, a[0]); }
SYSCALL(shmctl) { return ipc_shmctl(t, (int)a[0], (int)a[1], a[2]); }

SYSCALL(semget) { return ipc_semget(t, (int32_t)a[0], (int)a[1], (int)a[2]); }
SYSCALL(semop) { return ipc_semtimedop(t, (int)a[0], a[1], (unsigned)a[2], NULL); }

SYSCALL(semtimedop)
{
	struct abi_timespec ts;

	if (!a[3])
		return ipc_semtimedop(t, (int)a[0], a[1], (unsigned)a[2], NULL);
	if (mm_copy_in(t->mm, &ts, a[3], sizeof(ts)) < 0)
		return -EFAULT;
	return ipc_semtimedop(t, (int)a[0], a[1], (unsigned)a[2], &ts);
}

SYSCALL(semctl) { return ipc_semctl(t, (int)a[0], (int)a[1], (int)a[2], a[3]); }

SYSCALL(msgget) { return ipc_msgget(t, (int32_t)a[0], (int)a[1]); }
SYSCALL(msgsnd) { return ipc_msgsnd(t, (int)a[0], a[1], a[2], (int)a[3]); }
SYSCALL(msgrcv) { return ipc_msgrcv(t, (int)a[0], a[1], a[2], (int64_t)a[3], (int)a[4]); }
SYSCALL(msgctl) { return ipc_msgctl(t, (int)a[0], (int)a[1], a[2]); }

/* ---- POSIX message queues ---- */

/* The timeout of mq_timedsend/mq_timedreceive, as Linux's prepare_timeout: 0, -EFAULT or -EINVAL. */
static long get_abs_timeout(struct task *t, gva_t p, struct abi_timespec *ts)
{
	if (mm_copy_in(t->mm, ts, p, sizeof(*ts)) < 0)
		return -EFAULT;
	return abi_timespec_valid(ts) ? 0 : -EINVAL;
}

SYSCALL(mq_open)
{
	struct abi_mq_attr attr;
	char name[ABI_PATH_MAX];
	struct file *f;
	long r;

	if (a[3] && mm_copy_in(t->mm, &attr, a[3], sizeof(attr)) < 0)
		return -EFAULT;
	r = mm_strncpy_in(t->mm, name, a[0], sizeof(name));
	if (r < 0)
		return r;
	if (!name[0])
		return -ENOENT;
	r = ipc_mq_open(t, name, (int)a[1], (uint32_t)a[2], a[3] ? &attr : NULL, &f);
	if (r < 0)
		return r;
	/* Always close-on-exec, as Linux opens them. */
	r = fdt_install(t->files, f, 0, 1, t->tg->rlim[RLIMIT_NOFILE].rlim_cur);
	file_put(f);
	return r;
}

SYSCALL(mq_unlink)
{
	char name[ABI_PATH_MAX];
	long r = mm_strncpy_in(t->mm, name, a[0], sizeof(name));

	if (r < 0)
		return r;
	if (!name[0])
		return -ENOENT;
	return ipc_mq_unlink(t, name);
}

SYSCALL(mq_timedsend)
{
	struct abi_timespec ts;
	long r;

	if (a[4] && (r = get_abs_timeout(t, a[4], &ts)) < 0)
		return r;
	return ipc_mq_timedsend(t, (int)a[0], a[1], a[2], (unsigned)a[3], a[4] ? &ts : NULL);
}

SYSCALL(mq_timedreceive)
{
	struct abi_timespec ts;
	long r;

	if (a[4] && (r = get_abs_timeout(t, a[4], &ts)) < 0)
		return r;
	return ipc_mq_timedreceive(t, (int)a[0], a[1], a[2], a[3], a[4] ? &ts : NULL);
}

SYSCALL(mq_notify)
{
	struct sigevent sev;

	if (a[1] && mm_copy_in(t->mm, &sev, a[1], sizeof(sev)) < 0)
		return -EFAULT;
	return ipc_mq_notify(t, (int)a[0], a[1] ? &sev : NULL);
}

SYSCALL(mq_getsetattr)
{
	struct abi_mq_attr set, old;
	long r;

	if (a[1] && mm_copy_in(t->mm, &set, a[1], sizeof(set)) < 0)
		return -EFAULT;
	r = ipc_mq_getsetattr(t, (int)a[0], a[1] ? &set : NULL, &old);
	if (r < 0)
		return r;
	if (a[2] && mm_copy_out(t->mm, a[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}
