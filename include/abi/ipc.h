/*
 * System V IPC as a 64-bit x86-64 process sees it (svipc(7), shmctl(2),
 * semctl(2), msgctl(2)): the structures the kernel copies in and out, laid
 * out as its ipc64_perm, shmid64_ds, semid64_ds and msqid64_ds are on
 * x86-64.  The flag and command numbers are <sys/ipc.h>, <sys/shm.h>,
 * <sys/sem.h> and <sys/msg.h>'s.
 */
#pragma once

#include <stdint.h>

struct abi_ipc_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;  /* the low 9 bits are the permissions; SHM_DEST, SHM_LOCKED above */
	uint16_t seq;
	uint16_t pad2;
	uint32_t pad3;
	uint64_t unused1, unused2;
};

struct abi_shmid_ds {
	struct abi_ipc_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t unused4, unused5;
};

/* shmctl(IPC_INFO) */
struct abi_shminfo {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint64_t unused1, unused2, unused3, unused4;
};

/* shmctl(SHM_INFO) */
struct abi_shm_info {
	int32_t used_ids;
	int32_t pad;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

struct abi_semid_ds {
	struct abi_ipc_perm sem_perm;
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems;
	uint64_t unused3, unused4;
};

/* semctl(IPC_INFO / SEM_INFO) */
struct abi_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

/* One operation of semop(2). */
struct abi_sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

struct abi_msqid_ds {
	struct abi_ipc_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};

/* msgctl(IPC_INFO / MSG_INFO) */
struct abi_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
	uint16_t pad;
};

/* POSIX message queues (mq_getattr(3)): struct mq_attr. */
struct abi_mq_attr {
	int64_t mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
	int64_t reserved[4];
};
