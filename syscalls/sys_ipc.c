/* System V IPC: shmget/shmat/shmdt/shmctl, semget/semop/semtimedop/semctl, msgget/msgsnd/msgrcv/msgctl. */
#define _GNU_SOURCE
#include <errno.h>

#include "../sentry/ipc/ipc.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
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
