/*
 * --strace: decodes each application system call into one strace(1)-like
 * line.  See strace.h for the contract.
 *
 * One constant table, sysents[], gives every x86-64 system call its name,
 * its argument count and the kind of each argument; numbers come from the
 * host's <sys/syscall.h> (__NR_*), which is the ABI, so none is typed here.
 * A kind names a printer in printers[]; a printer reads guest memory only
 * through mm_copy_in/mm_strncpy_in and falls back to the raw value, so a
 * hostile pointer, length or flag word prints as hex and never faults.
 *
 * Everything here is stateless and makes no host call but the final
 * host_write: snprintf, strerrordesc_np and sigabbrev_np only format and
 * look up constant tables.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include "../include/abi/abi.h"
#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "strace.h"
#include "syscalls.h" /* the numbers newer than the host's headers */

int strace_fd = -1;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What a line may hold; a longer one is cut, keeping its result. */
#define LINE_SIZE 1024
/* Room kept for ") = -1 ENAME (text)\n" so a cut line still shows the result. */
#define RESULT_ROOM 160
/* Bytes shown of a data buffer, as strace's default -s 32. */
#define BUF_SHOWN 32
/* Bytes shown of a path or name: longer than a buffer, because paths are what one debugs. */
#define STR_SHOWN 256
/* argv strings shown, and iovecs shown. */
#define ARGV_SHOWN 8
#define IOV_SHOWN 4
/* execve's envp is only counted, up to this many (bounds the reads). */
#define ENVP_COUNTED 1024
/* UIO_MAXIOV: a larger iovcnt is refused by Linux, so it is not walked. */
#define IOV_MAX_CNT 1024

/* Argument kinds: each selects a printer in printers[] below. */
enum argkind {
	A_HEX,        /* unknown or opaque: hex */
	A_INT,        /* int, decimal */
	A_FD,         /* file descriptor (int) */
	A_UINT,       /* unsigned int, decimal */
	A_LONG,       /* long, decimal (offsets) */
	A_SIZE,       /* unsigned long, decimal (sizes, counts) */
	A_PTR,        /* address: NULL or hex */
	A_DIRFD,      /* dirfd of the *at calls: AT_FDCWD */
	A_STR,        /* NUL-terminated string in (path, name) */
	A_IBUF,       /* buffer in; its length is the next argument */
	A_OBUF,       /* buffer out; shown up to the result, capped by the next argument */
	A_OSTR,       /* string out (getcwd), on success */
	A_IOV_IN,     /* struct iovec array in; its count is the next argument */
	A_IOV_OUT,    /* struct iovec array out; filled up to the result */
	A_OFLAGS,     /* open flags: O_RDONLY|O_CLOEXEC */
	A_FDFLAGS,    /* O_CLOEXEC|O_NONBLOCK only (dup3, pipe2) */
	A_MODE,       /* file mode, octal, with S_IF* type */
	A_OMODE,      /* open's mode: shown only when the flags before it create a file */
	A_PROT,       /* PROT_* */
	A_MFLAGS,     /* MAP_* */
	A_SIG,        /* signal number */
	A_SIGHOW,     /* SIG_BLOCK... */
	A_WHENCE,     /* SEEK_* */
	A_AMODE,      /* access mode: F_OK, R_OK... */
	A_ARGV,       /* NULL-terminated array of strings (execve argv) */
	A_ENVP,       /* the same, only counted */
	A_STAT,       /* struct stat out */
	A_STATX,      /* struct statx out */
	A_IOCTL,      /* ioctl request */
	A_FCNTL,      /* fcntl command */
	A_FCNTL_ARG,  /* fcntl's third argument: depends on the command, or absent */
	A_CLOCK,      /* clockid_t */
	A_FUTEX_OP,   /* futex op with its PRIVATE/CLOCK_REALTIME bits */
	A_FUTEX_TO,   /* futex's fourth argument: timeout or val2, per op */
	A_ARCH_PRCTL, /* arch_prctl code */
	A_TS,         /* struct timespec in */
	A_TS_OUT,     /* struct timespec out, on success */
	A_ATFLAGS,    /* AT_* flags */
	A_AF,         /* address family */
	A_SOCKTYPE,   /* SOCK_* type with SOCK_CLOEXEC/SOCK_NONBLOCK */
	A_SOCKADDR,   /* struct sockaddr in; its length is the next argument */
	A_CLONE,      /* clone flags; the low byte is the exit signal */
	A_NSFLAGS,    /* CLONE_NEW* flags (unshare, setns) */
	A_PIPEFDS,    /* int[2] out */
	A_WSTATUS,    /* wait status out */
	A_WAITOPT,    /* WNOHANG... */
	A_RLIMIT,     /* RLIMIT_* resource */
	A_GRND,       /* getrandom flags */
	A_NKINDS
};

/* What --strace knows of one system call. */
struct sysent {
	const char *name;
	unsigned char nargs;
	unsigned char kind[6];  /* enum argkind, one per argument */
};

/* The count of 1 to 6 macro arguments. */
#define NARG(...) NARG_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define NARG_(a1, a2, a3, a4, a5, a6, n, ...) n

#define S0(n) [__NR_##n] = {.name = #n, .nargs = 0}
#define S(n, ...) [__NR_##n] = {.name = #n, .nargs = NARG(__VA_ARGS__), .kind = {__VA_ARGS__}}

/*
 * Every x86-64 system call, from the man pages' prototypes.  The numbers
 * 335..423 are unused on x86-64 (they are 32-bit-only or were never
 * assigned).  Calls newer than the oldest headers we build with are
 * guarded, so an old host simply does not name them.
 */
static const struct sysent sysents[] = {
	S(read, A_FD, A_OBUF, A_SIZE),
	S(write, A_FD, A_IBUF, A_SIZE),
	S(open, A_STR, A_OFLAGS, A_OMODE),
	S(close, A_FD),
	S(stat, A_STR, A_STAT),
	S(fstat, A_FD, A_STAT),
	S(lstat, A_STR, A_STAT),
	S(poll, A_PTR, A_UINT, A_INT),
	S(lseek, A_FD, A_LONG, A_WHENCE),
	S(mmap, A_PTR, A_SIZE, A_PROT, A_MFLAGS, A_FD, A_LONG),
	S(mprotect, A_PTR, A_SIZE, A_PROT),
	S(munmap, A_PTR, A_SIZE),
	S(brk, A_PTR),
	S(rt_sigaction, A_SIG, A_PTR, A_PTR, A_SIZE),
	S(rt_sigprocmask, A_SIGHOW, A_PTR, A_PTR, A_SIZE),
	S0(rt_sigreturn),
	S(ioctl, A_FD, A_IOCTL, A_HEX),
	S(pread64, A_FD, A_OBUF, A_SIZE, A_LONG),
	S(pwrite64, A_FD, A_IBUF, A_SIZE, A_LONG),
	S(readv, A_FD, A_IOV_OUT, A_INT),
	S(writev, A_FD, A_IOV_IN, A_INT),
	S(access, A_STR, A_AMODE),
	S(pipe, A_PIPEFDS),
	S(select, A_INT, A_PTR, A_PTR, A_PTR, A_PTR),
	S0(sched_yield),
	S(mremap, A_PTR, A_SIZE, A_SIZE, A_HEX, A_PTR),
	S(msync, A_PTR, A_SIZE, A_HEX),
	S(mincore, A_PTR, A_SIZE, A_PTR),
	S(madvise, A_PTR, A_SIZE, A_INT),
	S(shmget, A_HEX, A_SIZE, A_HEX),
	S(shmat, A_INT, A_PTR, A_HEX),
	S(shmctl, A_INT, A_INT, A_PTR),
	S(dup, A_FD),
	S(dup2, A_FD, A_FD),
	S0(pause),
	S(nanosleep, A_TS, A_PTR),
	S(getitimer, A_INT, A_PTR),
	S(alarm, A_UINT),
	S(setitimer, A_INT, A_PTR, A_PTR),
	S0(getpid),
	S(sendfile, A_FD, A_FD, A_PTR, A_SIZE),
	S(socket, A_AF, A_SOCKTYPE, A_INT),
	S(connect, A_FD, A_SOCKADDR, A_UINT),
	S(accept, A_FD, A_PTR, A_PTR),
	S(sendto, A_FD, A_IBUF, A_SIZE, A_HEX, A_SOCKADDR, A_UINT),
	S(recvfrom, A_FD, A_OBUF, A_SIZE, A_HEX, A_PTR, A_PTR),
	S(sendmsg, A_FD, A_PTR, A_HEX),
	S(recvmsg, A_FD, A_PTR, A_HEX),
	S(shutdown, A_FD, A_INT),
	S(bind, A_FD, A_SOCKADDR, A_UINT),
	S(listen, A_FD, A_INT),
	S(getsockname, A_FD, A_PTR, A_PTR),
	S(getpeername, A_FD, A_PTR, A_PTR),
	S(socketpair, A_AF, A_SOCKTYPE, A_INT, A_PIPEFDS),
	S(setsockopt, A_FD, A_INT, A_INT, A_PTR, A_UINT),
	S(getsockopt, A_FD, A_INT, A_INT, A_PTR, A_PTR),
	S(clone, A_CLONE, A_PTR, A_PTR, A_PTR, A_PTR),
	S0(fork),
	S0(vfork),
	S(execve, A_STR, A_ARGV, A_ENVP),
	S(exit, A_INT),
	S(wait4, A_INT, A_WSTATUS, A_WAITOPT, A_PTR),
	S(kill, A_INT, A_SIG),
	S(uname, A_PTR),
	S(semget, A_HEX, A_INT, A_HEX),
	S(semop, A_INT, A_PTR, A_SIZE),
	S(semctl, A_INT, A_INT, A_INT, A_HEX),
	S(shmdt, A_PTR),
	S(msgget, A_HEX, A_HEX),
	S(msgsnd, A_INT, A_PTR, A_SIZE, A_HEX),
	S(msgrcv, A_INT, A_PTR, A_SIZE, A_LONG, A_HEX),
	S(msgctl, A_INT, A_INT, A_PTR),
	S(fcntl, A_FD, A_FCNTL, A_FCNTL_ARG),
	S(flock, A_FD, A_INT),
	S(fsync, A_FD),
	S(fdatasync, A_FD),
	S(truncate, A_STR, A_LONG),
	S(ftruncate, A_FD, A_LONG),
	S(getdents, A_FD, A_PTR, A_SIZE),
	S(getcwd, A_OSTR, A_SIZE),
	S(chdir, A_STR),
	S(fchdir, A_FD),
	S(rename, A_STR, A_STR),
	S(mkdir, A_STR, A_MODE),
	S(rmdir, A_STR),
	S(creat, A_STR, A_MODE),
	S(link, A_STR, A_STR),
	S(unlink, A_STR),
	S(symlink, A_STR, A_STR),
	S(readlink, A_STR, A_OBUF, A_SIZE),
	S(chmod, A_STR, A_MODE),
	S(fchmod, A_FD, A_MODE),
	S(chown, A_STR, A_INT, A_INT),
	S(fchown, A_FD, A_INT, A_INT),
	S(lchown, A_STR, A_INT, A_INT),
	S(umask, A_MODE),
	S(gettimeofday, A_PTR, A_PTR),
	S(getrlimit, A_RLIMIT, A_PTR),
	S(getrusage, A_INT, A_PTR),
	S(sysinfo, A_PTR),
	S(times, A_PTR),
	S(ptrace, A_INT, A_INT, A_PTR, A_PTR),
	S0(getuid),
	S(syslog, A_INT, A_PTR, A_INT),
	S0(getgid),
	S(setuid, A_INT),
	S(setgid, A_INT),
	S0(geteuid),
	S0(getegid),
	S(setpgid, A_INT, A_INT),
	S0(getppid),
	S0(getpgrp),
	S0(setsid),
	S(setreuid, A_INT, A_INT),
	S(setregid, A_INT, A_INT),
	S(getgroups, A_INT, A_PTR),
	S(setgroups, A_INT, A_PTR),
	S(setresuid, A_INT, A_INT, A_INT),
	S(getresuid, A_PTR, A_PTR, A_PTR),
	S(setresgid, A_INT, A_INT, A_INT),
	S(getresgid, A_PTR, A_PTR, A_PTR),
	S(getpgid, A_INT),
	S(setfsuid, A_INT),
	S(setfsgid, A_INT),
	S(getsid, A_INT),
	S(capget, A_PTR, A_PTR),
	S(capset, A_PTR, A_PTR),
	S(rt_sigpending, A_PTR, A_SIZE),
	S(rt_sigtimedwait, A_PTR, A_PTR, A_TS, A_SIZE),
	S(rt_sigqueueinfo, A_INT, A_SIG, A_PTR),
	S(rt_sigsuspend, A_PTR, A_SIZE),
	S(sigaltstack, A_PTR, A_PTR),
	S(utime, A_STR, A_PTR),
	S(mknod, A_STR, A_MODE, A_HEX),
	S(uselib, A_STR),
	S(personality, A_HEX),
	S(ustat, A_HEX, A_PTR),
	S(statfs, A_STR, A_PTR),
	S(fstatfs, A_FD, A_PTR),
	S(sysfs, A_INT, A_HEX, A_HEX),
	S(getpriority, A_INT, A_INT),
	S(setpriority, A_INT, A_INT, A_INT),
	S(sched_setparam, A_INT, A_PTR),
	S(sched_getparam, A_INT, A_PTR),
	S(sched_setscheduler, A_INT, A_INT, A_PTR),
	S(sched_getscheduler, A_INT),
	S(sched_get_priority_max, A_INT),
	S(sched_get_priority_min, A_INT),
	S(sched_rr_get_interval, A_INT, A_TS_OUT),
	S(mlock, A_PTR, A_SIZE),
	S(munlock, A_PTR, A_SIZE),
	S(mlockall, A_HEX),
	S0(munlockall),
	S0(vhangup),
	S(modify_ldt, A_INT, A_PTR, A_SIZE),
	S(pivot_root, A_STR, A_STR),
	S(_sysctl, A_PTR),
	S(prctl, A_INT, A_HEX, A_HEX, A_HEX, A_HEX),
	S(arch_prctl, A_ARCH_PRCTL, A_PTR),
	S(adjtimex, A_PTR),
	S(setrlimit, A_RLIMIT, A_PTR),
	S(chroot, A_STR),
	S0(sync),
	S(acct, A_STR),
	S(settimeofday, A_PTR, A_PTR),
	S(mount, A_STR, A_STR, A_STR, A_HEX, A_PTR),
	S(umount2, A_STR, A_HEX),
	S(swapon, A_STR, A_HEX),
	S(swapoff, A_STR),
	S(reboot, A_HEX, A_HEX, A_HEX, A_PTR),
	S(sethostname, A_IBUF, A_SIZE),
	S(setdomainname, A_IBUF, A_SIZE),
	S(iopl, A_INT),
	S(ioperm, A_HEX, A_HEX, A_INT),
	S(create_module, A_STR, A_SIZE),
	S(init_module, A_PTR, A_SIZE, A_STR),
	S(delete_module, A_STR, A_HEX),
	S(get_kernel_syms, A_PTR),
	S(query_module, A_STR, A_INT, A_PTR, A_SIZE, A_PTR),
	S(quotactl, A_HEX, A_STR, A_INT, A_PTR),
	S(nfsservctl, A_INT, A_PTR, A_PTR),
	S(getpmsg, A_FD, A_PTR, A_PTR, A_PTR, A_PTR),
	S(putpmsg, A_FD, A_PTR, A_PTR, A_INT, A_HEX),
	/* Reserved, never implemented by Linux: no prototype, so all six registers. */
	S(afs_syscall, A_HEX, A_HEX, A_HEX, A_HEX, A_HEX, A_HEX),
	S(tuxcall, A_HEX, A_HEX, A_HEX, A_HEX, A_HEX, A_HEX),
	S(security, A_HEX, A_HEX, A_HEX, A_HEX, A_HEX, A_HEX),
	S0(gettid),
	S(readahead, A_FD, A_LONG, A_SIZE),
	S(setxattr, A_STR, A_STR, A_IBUF, A_SIZE, A_HEX),
	S(lsetxattr, A_STR, A_STR, A_IBUF, A_SIZE, A_HEX),
	S(fsetxattr, A_FD, A_STR, A_IBUF, A_SIZE, A_HEX),
	S(getxattr, A_STR, A_STR, A_OBUF, A_SIZE),
	S(lgetxattr, A_STR, A_STR, A_OBUF, A_SIZE),
	S(fgetxattr, A_FD, A_STR, A_OBUF, A_SIZE),
	S(listxattr, A_STR, A_OBUF, A_SIZE),
	S(llistxattr, A_STR, A_OBUF, A_SIZE),
	S(flistxattr, A_FD, A_OBUF, A_SIZE),
	S(removexattr, A_STR, A_STR),
	S(lremovexattr, A_STR, A_STR),
	S(fremovexattr, A_FD, A_STR),
	S(tkill, A_INT, A_SIG),
	S(time, A_PTR),
	S(futex, A_PTR, A_FUTEX_OP, A_INT, A_FUTEX_TO, A_PTR, A_HEX),
	S(sched_setaffinity, A_INT, A_SIZE, A_PTR),
	S(sched_getaffinity, A_INT, A_SIZE, A_PTR),
	S(set_thread_area, A_PTR),
	S(io_setup, A_UINT, A_PTR),
	S(io_destroy, A_HEX),
	S(io_getevents, A_HEX, A_LONG, A_LONG, A_PTR, A_TS),
	S(io_submit, A_HEX, A_LONG, A_PTR),
	S(io_cancel, A_HEX, A_PTR, A_PTR),
	S(get_thread_area, A_PTR),
	S(lookup_dcookie, A_HEX, A_PTR, A_SIZE),
	S(epoll_create, A_INT),
	/* The _old pair was never wired up on x86-64; shaped as their successors. */
	S(epoll_ctl_old, A_FD, A_INT, A_FD, A_PTR),
	S(epoll_wait_old, A_FD, A_PTR, A_INT, A_INT),
	S(remap_file_pages, A_PTR, A_SIZE, A_PROT, A_SIZE, A_HEX),
	S(getdents64, A_FD, A_PTR, A_SIZE),
	S(set_tid_address, A_PTR),
	S0(restart_syscall),
	S(semtimedop, A_INT, A_PTR, A_SIZE, A_TS),
	S(fadvise64, A_FD, A_LONG, A_LONG, A_INT),
	S(timer_create, A_CLOCK, A_PTR, A_PTR),
	S(timer_settime, A_INT, A_HEX, A_PTR, A_PTR),
	S(timer_gettime, A_INT, A_PTR),
	S(timer_getoverrun, A_INT),
	S(timer_delete, A_INT),
	S(clock_settime, A_CLOCK, A_TS),
	S(clock_gettime, A_CLOCK, A_TS_OUT),
	S(clock_getres, A_CLOCK, A_TS_OUT),
	S(clock_nanosleep, A_CLOCK, A_HEX, A_TS, A_PTR),
	S(exit_group, A_INT),
	S(epoll_wait, A_FD, A_PTR, A_INT, A_INT),
	S(epoll_ctl, A_FD, A_INT, A_FD, A_PTR),
	S(tgkill, A_INT, A_INT, A_SIG),
	S(utimes, A_STR, A_PTR),
	S(vserver, A_HEX, A_HEX, A_HEX, A_HEX, A_HEX, A_HEX),
	S(mbind, A_PTR, A_SIZE, A_INT, A_PTR, A_SIZE, A_HEX),
	S(set_mempolicy, A_INT, A_PTR, A_SIZE),
	S(get_mempolicy, A_PTR, A_PTR, A_SIZE, A_PTR, A_HEX),
	S(mq_open, A_STR, A_OFLAGS, A_OMODE, A_PTR),
	S(mq_unlink, A_STR),
	S(mq_timedsend, A_FD, A_IBUF, A_SIZE, A_UINT, A_TS),
	S(mq_timedreceive, A_FD, A_OBUF, A_SIZE, A_PTR, A_TS),
	S(mq_notify, A_FD, A_PTR),
	S(mq_getsetattr, A_FD, A_PTR, A_PTR),
	S(kexec_load, A_HEX, A_SIZE, A_PTR, A_HEX),
	S(waitid, A_INT, A_INT, A_PTR, A_WAITOPT, A_PTR),
	S(add_key, A_STR, A_STR, A_IBUF, A_SIZE, A_INT),
	S(request_key, A_STR, A_STR, A_STR, A_INT),
	S(keyctl, A_INT, A_HEX, A_HEX, A_HEX, A_HEX),
	S(ioprio_set, A_INT, A_INT, A_INT),
	S(ioprio_get, A_INT, A_INT),
	S0(inotify_init),
	S(inotify_add_watch, A_FD, A_STR, A_HEX),
	S(inotify_rm_watch, A_FD, A_INT),
	S(migrate_pages, A_INT, A_SIZE, A_PTR, A_PTR),
	S(openat, A_DIRFD, A_STR, A_OFLAGS, A_OMODE),
	S(mkdirat, A_DIRFD, A_STR, A_MODE),
	S(mknodat, A_DIRFD, A_STR, A_MODE, A_HEX),
	S(fchownat, A_DIRFD, A_STR, A_INT, A_INT, A_ATFLAGS),
	S(futimesat, A_DIRFD, A_STR, A_PTR),
	S(newfstatat, A_DIRFD, A_STR, A_STAT, A_ATFLAGS),
	S(unlinkat, A_DIRFD, A_STR, A_ATFLAGS),
	S(renameat, A_DIRFD, A_STR, A_DIRFD, A_STR),
	S(linkat, A_DIRFD, A_STR, A_DIRFD, A_STR, A_ATFLAGS),
	S(symlinkat, A_STR, A_DIRFD, A_STR),
	S(readlinkat, A_DIRFD, A_STR, A_OBUF, A_SIZE),
	/* The kernel's fchmodat and faccessat take no flags; glibc handles them. */
	S(fchmodat, A_DIRFD, A_STR, A_MODE),
	S(faccessat, A_DIRFD, A_STR, A_AMODE),
	S(pselect6, A_INT, A_PTR, A_PTR, A_PTR, A_TS, A_PTR),
	S(ppoll, A_PTR, A_UINT, A_TS, A_PTR, A_SIZE),
	S(unshare, A_NSFLAGS),
	S(set_robust_list, A_PTR, A_SIZE),
	S(get_robust_list, A_INT, A_PTR, A_PTR),
	S(splice, A_FD, A_PTR, A_FD, A_PTR, A_SIZE, A_HEX),
	S(tee, A_FD, A_FD, A_SIZE, A_HEX),
	S(sync_file_range, A_FD, A_LONG, A_LONG, A_HEX),
	S(vmsplice, A_FD, A_PTR, A_SIZE, A_HEX),
	S(move_pages, A_INT, A_SIZE, A_PTR, A_PTR, A_PTR, A_HEX),
	S(utimensat, A_DIRFD, A_STR, A_PTR, A_ATFLAGS),
	S(epoll_pwait, A_FD, A_PTR, A_INT, A_INT, A_PTR, A_SIZE),
	S(signalfd, A_FD, A_PTR, A_SIZE),
	S(timerfd_create, A_CLOCK, A_HEX),
	S(eventfd, A_UINT),
	S(fallocate, A_FD, A_HEX, A_LONG, A_LONG),
	S(timerfd_settime, A_FD, A_HEX, A_PTR, A_PTR),
	S(timerfd_gettime, A_FD, A_PTR),
	S(accept4, A_FD, A_PTR, A_PTR, A_FDFLAGS),
	S(signalfd4, A_FD, A_PTR, A_SIZE, A_FDFLAGS),
	S(eventfd2, A_UINT, A_FDFLAGS),
	S(epoll_create1, A_FDFLAGS),
	S(dup3, A_FD, A_FD, A_FDFLAGS),
	S(pipe2, A_PIPEFDS, A_FDFLAGS),
	S(inotify_init1, A_FDFLAGS),
	/* preadv and friends: the offset comes in two halves (pos_l, pos_h). */
	S(preadv, A_FD, A_IOV_OUT, A_INT, A_LONG, A_HEX),
	S(pwritev, A_FD, A_IOV_IN, A_INT, A_LONG, A_HEX),
	S(rt_tgsigqueueinfo, A_INT, A_INT, A_SIG, A_PTR),
	S(perf_event_open, A_PTR, A_INT, A_INT, A_FD, A_HEX),
	S(recvmmsg, A_FD, A_PTR, A_UINT, A_HEX, A_TS),
	S(fanotify_init, A_HEX, A_HEX),
	S(fanotify_mark, A_FD, A_HEX, A_HEX, A_DIRFD, A_STR),
	S(prlimit64, A_INT, A_RLIMIT, A_PTR, A_PTR),
	S(name_to_handle_at, A_DIRFD, A_STR, A_PTR, A_PTR, A_ATFLAGS),
	S(open_by_handle_at, A_FD, A_PTR, A_OFLAGS),
	S(clock_adjtime, A_CLOCK, A_PTR),
	S(syncfs, A_FD),
	S(sendmmsg, A_FD, A_PTR, A_UINT, A_HEX),
	S(setns, A_FD, A_NSFLAGS),
	S(getcpu, A_PTR, A_PTR, A_PTR),
	S(process_vm_readv, A_INT, A_PTR, A_SIZE, A_PTR, A_SIZE, A_HEX),
	S(process_vm_writev, A_INT, A_PTR, A_SIZE, A_PTR, A_SIZE, A_HEX),
	S(kcmp, A_INT, A_INT, A_INT, A_HEX, A_HEX),
	S(finit_module, A_FD, A_STR, A_HEX),
	S(sched_setattr, A_INT, A_PTR, A_HEX),
	S(sched_getattr, A_INT, A_PTR, A_UINT, A_HEX),
	S(renameat2, A_DIRFD, A_STR, A_DIRFD, A_STR, A_HEX),
	S(seccomp, A_UINT, A_HEX, A_PTR),
	S(getrandom, A_OBUF, A_SIZE, A_GRND),
	S(memfd_create, A_STR, A_HEX),
	S(kexec_file_load, A_FD, A_FD, A_SIZE, A_STR, A_HEX),
	S(bpf, A_INT, A_PTR, A_UINT),
	S(execveat, A_DIRFD, A_STR, A_ARGV, A_ENVP, A_ATFLAGS),
	S(userfaultfd, A_FDFLAGS),
	S(membarrier, A_INT, A_HEX, A_INT),
	S(mlock2, A_PTR, A_SIZE, A_HEX),
	S(copy_file_range, A_FD, A_PTR, A_FD, A_PTR, A_SIZE, A_HEX),
	S(preadv2, A_FD, A_IOV_OUT, A_INT, A_LONG, A_HEX, A_HEX),
	S(pwritev2, A_FD, A_IOV_IN, A_INT, A_LONG, A_HEX, A_HEX),
#ifdef __NR_pkey_mprotect
	S(pkey_mprotect, A_PTR, A_SIZE, A_PROT, A_INT),
	S(pkey_alloc, A_HEX, A_HEX),
	S(pkey_free, A_INT),
#endif
#ifdef __NR_statx
	S(statx, A_DIRFD, A_STR, A_ATFLAGS, A_HEX, A_STATX),
#endif
#ifdef __NR_io_pgetevents
	S(io_pgetevents, A_HEX, A_LONG, A_LONG, A_PTR, A_TS, A_PTR),
#endif
#ifdef __NR_rseq
	S(rseq, A_PTR, A_UINT, A_HEX, A_HEX),
#endif
#ifdef __NR_pidfd_send_signal
	S(pidfd_send_signal, A_FD, A_SIG, A_PTR, A_HEX),
#endif
#ifdef __NR_io_uring_setup
	S(io_uring_setup, A_UINT, A_PTR),
	S(io_uring_enter, A_FD, A_UINT, A_UINT, A_HEX, A_PTR, A_SIZE),
	S(io_uring_register, A_FD, A_UINT, A_PTR, A_UINT),
#endif
#ifdef __NR_open_tree
	S(open_tree, A_DIRFD, A_STR, A_HEX),
	S(move_mount, A_DIRFD, A_STR, A_DIRFD, A_STR, A_HEX),
	S(fsopen, A_STR, A_HEX),
	S(fsconfig, A_FD, A_UINT, A_STR, A_PTR, A_INT),
	S(fsmount, A_FD, A_HEX, A_HEX),
	S(fspick, A_DIRFD, A_STR, A_HEX),
#endif
#ifdef __NR_pidfd_open
	S(pidfd_open, A_INT, A_HEX),
#endif
#ifdef __NR_clone3
	S(clone3, A_PTR, A_SIZE),
#endif
#ifdef __NR_close_range
	S(close_range, A_UINT, A_UINT, A_HEX),
#endif
#ifdef __NR_openat2
	S(openat2, A_DIRFD, A_STR, A_PTR, A_SIZE),
#endif
#ifdef __NR_pidfd_getfd
	S(pidfd_getfd, A_FD, A_FD, A_HEX),
#endif
#ifdef __NR_faccessat2
	S(faccessat2, A_DIRFD, A_STR, A_AMODE, A_ATFLAGS),
#endif
#ifdef __NR_process_madvise
	S(process_madvise, A_FD, A_PTR, A_SIZE, A_INT, A_HEX),
#endif
#ifdef __NR_epoll_pwait2
	S(epoll_pwait2, A_FD, A_PTR, A_INT, A_TS, A_PTR, A_SIZE),
#endif
#ifdef __NR_mount_setattr
	S(mount_setattr, A_DIRFD, A_STR, A_ATFLAGS, A_PTR, A_SIZE),
#endif
#ifdef __NR_quotactl_fd
	S(quotactl_fd, A_FD, A_HEX, A_INT, A_PTR),
#endif
#ifdef __NR_landlock_create_ruleset
	S(landlock_create_ruleset, A_PTR, A_SIZE, A_HEX),
	S(landlock_add_rule, A_FD, A_INT, A_PTR, A_HEX),
	S(landlock_restrict_self, A_FD, A_HEX),
#endif
#ifdef __NR_memfd_secret
	S(memfd_secret, A_HEX),
#endif
#ifdef __NR_process_mrelease
	S(process_mrelease, A_FD, A_HEX),
#endif
#ifdef __NR_futex_waitv
	S(futex_waitv, A_PTR, A_UINT, A_HEX, A_TS, A_CLOCK),
#endif
#ifdef __NR_set_mempolicy_home_node
	S(set_mempolicy_home_node, A_PTR, A_SIZE, A_SIZE, A_HEX),
#endif
#ifdef __NR_cachestat
	S(cachestat, A_FD, A_PTR, A_PTR, A_HEX),
#endif
#ifdef __NR_fchmodat2
	S(fchmodat2, A_DIRFD, A_STR, A_MODE, A_ATFLAGS),
#endif
#ifdef __NR_map_shadow_stack
	S(map_shadow_stack, A_PTR, A_SIZE, A_HEX),
#endif
#ifdef __NR_futex_wake
	S(futex_wake, A_PTR, A_HEX, A_INT, A_HEX),
	S(futex_wait, A_PTR, A_HEX, A_HEX, A_HEX, A_TS, A_CLOCK),
	S(futex_requeue, A_PTR, A_HEX, A_INT, A_INT),
#endif
#ifdef __NR_statmount
	S(statmount, A_PTR, A_PTR, A_SIZE, A_HEX),
	S(listmount, A_PTR, A_PTR, A_SIZE, A_HEX),
#endif
#ifdef __NR_lsm_get_self_attr
	S(lsm_get_self_attr, A_UINT, A_PTR, A_PTR, A_HEX),
	S(lsm_set_self_attr, A_UINT, A_PTR, A_UINT, A_HEX),
	S(lsm_list_modules, A_PTR, A_PTR, A_HEX),
#endif
#ifdef __NR_mseal
	S(mseal, A_PTR, A_SIZE, A_HEX),
#endif
};

#undef S
#undef S0

static const struct sysent *sysent_of(long nr)
{
	if (nr < 0 || (unsigned long)nr >= ARRAY_SIZE(sysents) || !sysents[nr].name)
		return NULL;
	return &sysents[nr];
}

const char *strace_name(long nr)
{
	const struct sysent *e = sysent_of(nr);

	return e ? e->name : NULL;
}

/* ---- the line being built ---- */

/*
 * Appends are all or nothing, and the first that does not fit stops all
 * later ones (full), so a cut line never ends inside an escape or a name.
 */
struct line {
	char buf[LINE_SIZE];
	size_t len;
	size_t limit;  /* appends stop at limit - 1 bytes */
	bool full;     /* an append did not fit: ignore the rest */
};

static void put_mem(struct line *l, const char *s, size_t n)
{
	if (l->full)
		return;
	if (n > l->limit - 1 - l->len) {
		l->full = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void put(struct line *l, const char *s)
{
	put_mem(l, s, strlen(s));
}

static void putf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct line *l, const char *fmt, ...)
{
	size_t room = l->limit - l->len;  /* vsnprintf's room counts the NUL */
	va_list ap;
	int n;

	if (l->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room)
		l->full = true;  /* the partial text past len is simply not counted */
	else
		l->len += (size_t)n;
}

static void put_hexval(struct line *l, uint64_t v)
{
	if (v)
		putf(l, "%#llx", (unsigned long long)v);
	else
		put(l, "0");
}

static void put_addr(struct line *l, uint64_t v)
{
	if (v)
		putf(l, "%#llx", (unsigned long long)v);
	else
		put(l, "NULL");
}

/*
 * Bytes as a C string literal: \n, \t... for the usual controls, octal for
 * other bytes (three digits when an octal digit follows, so the escape
 * stays unambiguous); "..." after the quote when more bytes were not shown.
 */
static void put_quoted(struct line *l, const unsigned char *s, size_t n, bool more)
{
	size_t i;

	put(l, "\"");
	for (i = 0; i < n; i++) {
		unsigned char ch = s[i];
		char esc[3] = {'\\', 0, 0};

		switch (ch) {
		case '\n': esc[1] = 'n'; break;
		case '\t': esc[1] = 't'; break;
		case '\r': esc[1] = 'r'; break;
		case '\v': esc[1] = 'v'; break;
		case '\f': esc[1] = 'f'; break;
		case '"':
		case '\\': esc[1] = (char)ch; break;
		}
		if (esc[1]) {
			put_mem(l, esc, 2);
		} else if (ch >= 0x20 && ch < 0x7f) {
			put_mem(l, (const char *)&ch, 1);
		} else if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
			putf(l, "\\%03o", ch);
		} else {
			putf(l, "\\%o", ch);
		}
	}
	put(l, more ? "\"..." : "\"");
}

/* ---- reading the guest ---- */

/* One call being printed. */
struct call {
	struct task *t;
	long nr;
	const uint64_t *a;  /* the six raw arguments */
	long ret;
	bool done;          /* printed after the call: output arguments are filled */
};

/* True if the call returned without an error, so its output arguments hold data. */
static bool succeeded(const struct call *c)
{
	return c->done && c->ret >= 0;
}

static bool guest_read(const struct call *c, void *dst, gva_t src, size_t len)
{
	struct mm *mm = c->t ? c->t->mm : NULL;

	return mm && src && mm_copy_in(mm, dst, src, len) == 0;
}

/*
 * Reads the guest string at src into buf (size bytes, size >= 2).  Returns
 * its length, or -1 if unreadable; *more is set when it is longer than
 * what buf holds, and then buf holds the first size - 1 bytes.
 */
static long guest_str(const struct call *c, char *buf, size_t size, gva_t src, bool *more)
{
	struct mm *mm = c->t ? c->t->mm : NULL;
	long r;

	*more = false;
	if (!mm || !src)
		return -1;
	r = mm_strncpy_in(mm, buf, src, size);
	if (r >= 0 && (size_t)r < size)
		return r;
	/* Too long: the prefix is readable, but do not rely on what strncpy left in buf. */
	if (r == -ENAMETOOLONG && mm_copy_in(mm, buf, src, size - 1) == 0) {
		*more = true;
		return (long)(size - 1);
	}
	return -1;
}

/* A guest string, at most shown bytes of it; its address if unreadable. */
static void put_guest_str(struct line *l, const struct call *c, gva_t p, size_t shown)
{
	char s[STR_SHOWN + 1];
	bool more;
	long n;

	if (shown > STR_SHOWN)
		shown = STR_SHOWN;
	n = guest_str(c, s, shown + 1, p, &more);
	if (n < 0)
		put_addr(l, p);
	else
		put_quoted(l, (const unsigned char *)s, (size_t)n, more);
}

/* A guest buffer of len bytes, the first BUF_SHOWN of them; its address if unreadable. */
static void put_guest_buf(struct line *l, const struct call *c, gva_t p, uint64_t len)
{
	unsigned char b[BUF_SHOWN];
	size_t n = len < sizeof(b) ? (size_t)len : sizeof(b);

	if (n && !guest_read(c, b, p, n)) {
		put_addr(l, p);
		return;
	}
	put_quoted(l, b, n, len > n);
}

/* ---- symbolic values ---- */

struct sym {
	uint64_t v;
	const char *name;
};

#define SYM(x) {(uint64_t)(x), #x}

static const char *sym_name(const struct sym *tab, size_t n, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].v == v)
			return tab[i].name;
	return NULL;
}

/*
 * v as NAME|NAME|0x..: entries are tried in order and a multi-bit entry
 * must match whole, so list composite flags (O_SYNC) before their parts.
 * Prints "0" for 0; bits no entry names end in hex.
 */
static void put_flags(struct line *l, uint64_t v, const struct sym *tab, size_t n)
{
	bool any = false;
	size_t i;

	for (i = 0; i < n && v; i++) {
		if (!tab[i].v || (v & tab[i].v) != tab[i].v)
			continue;
		if (any)
			put(l, "|");
		put(l, tab[i].name);
		v &= ~tab[i].v;
		any = true;
	}
	if (v || !any) {
		if (any)
			put(l, "|");
		put_hexval(l, v);
	}
}

/* v by name from tab, or in decimal. */
static void put_sym_dec(struct line *l, int64_t v, const struct sym *tab, size_t n)
{
	const char *name = sym_name(tab, n, (uint64_t)v);

	if (name)
		put(l, name);
	else
		putf(l, "%lld", (long long)v);
}

/* v by name from tab, or in hex. */
static void put_sym_hex(struct line *l, uint64_t v, const struct sym *tab, size_t n)
{
	const char *name = sym_name(tab, n, v);

	if (name)
		put(l, name);
	else
		put_hexval(l, v);
}

/* SIGTERM, SIGRT_3 for real-time signals (counted from the kernel's 32), else decimal. */
static void put_signame(struct line *l, int sig)
{
	const char *abbrev = sig > 0 && sig < 32 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		putf(l, "SIG%s", abbrev);
	else if (sig >= 32 && sig <= 64)
		putf(l, "SIGRT_%d", sig - 32);
	else
		putf(l, "%d", sig);
}

static const struct sym open_flags[] = {
	SYM(O_CREAT), SYM(O_EXCL), SYM(O_NOCTTY), SYM(O_TRUNC), SYM(O_APPEND), SYM(O_NONBLOCK),
	SYM(O_SYNC), SYM(O_DSYNC), SYM(O_ASYNC), SYM(O_DIRECT), {ABI_O_LARGEFILE, "O_LARGEFILE"} /* glibc's O_LARGEFILE is 0 */,
	SYM(O_TMPFILE), SYM(O_DIRECTORY), SYM(O_NOFOLLOW), SYM(O_NOATIME), SYM(O_CLOEXEC), SYM(O_PATH),
};

static const struct sym fd_flags[] = {
	SYM(O_CLOEXEC), SYM(O_NONBLOCK), SYM(O_DIRECT),
};

static const struct sym prot_flags[] = {
	SYM(PROT_READ), SYM(PROT_WRITE), SYM(PROT_EXEC), SYM(PROT_GROWSDOWN), SYM(PROT_GROWSUP),
};

static const struct sym map_types[] = {
	SYM(MAP_SHARED), SYM(MAP_PRIVATE),
#ifdef MAP_SHARED_VALIDATE
	SYM(MAP_SHARED_VALIDATE),
#endif
};

static const struct sym map_flags[] = {
	SYM(MAP_FIXED), SYM(MAP_ANONYMOUS), SYM(MAP_32BIT), SYM(MAP_GROWSDOWN), SYM(MAP_DENYWRITE),
	SYM(MAP_EXECUTABLE), SYM(MAP_LOCKED), SYM(MAP_NORESERVE), SYM(MAP_POPULATE), SYM(MAP_NONBLOCK),
	SYM(MAP_STACK), SYM(MAP_HUGETLB),
#ifdef MAP_SYNC
	SYM(MAP_SYNC),
#endif
#ifdef MAP_FIXED_NOREPLACE
	SYM(MAP_FIXED_NOREPLACE),
#endif
};

static const struct sym at_flags[] = {
	SYM(AT_SYMLINK_NOFOLLOW), SYM(AT_REMOVEDIR), SYM(AT_SYMLINK_FOLLOW), SYM(AT_NO_AUTOMOUNT),
	SYM(AT_EMPTY_PATH),
#ifdef AT_STATX_FORCE_SYNC
	SYM(AT_STATX_FORCE_SYNC), SYM(AT_STATX_DONT_SYNC),
#endif
#ifdef AT_RECURSIVE
	SYM(AT_RECURSIVE),
#endif
};

static const struct sym clone_flags[] = {
	SYM(CLONE_VM), SYM(CLONE_FS), SYM(CLONE_FILES), SYM(CLONE_SIGHAND),
#ifdef CLONE_PIDFD
	SYM(CLONE_PIDFD),
#endif
	SYM(CLONE_PTRACE), SYM(CLONE_VFORK), SYM(CLONE_PARENT), SYM(CLONE_THREAD), SYM(CLONE_NEWNS),
	SYM(CLONE_SYSVSEM), SYM(CLONE_SETTLS), SYM(CLONE_PARENT_SETTID), SYM(CLONE_CHILD_CLEARTID),
	SYM(CLONE_DETACHED), SYM(CLONE_UNTRACED), SYM(CLONE_CHILD_SETTID), SYM(CLONE_NEWCGROUP),
	SYM(CLONE_NEWUTS), SYM(CLONE_NEWIPC), SYM(CLONE_NEWUSER), SYM(CLONE_NEWPID), SYM(CLONE_NEWNET),
	SYM(CLONE_IO),
#ifdef CLONE_NEWTIME
	/* Inside CSIGNAL: only meaningful to unshare and setns, which have no exit signal. */
	SYM(CLONE_NEWTIME),
#endif
};

static const struct sym ioctls[] = {
	SYM(TCGETS), SYM(TCSETS), SYM(TCSETSW), SYM(TCSETSF), SYM(TCGETA), SYM(TCSETA), SYM(TCSETAW),
	SYM(TCSETAF), SYM(TCSBRK), SYM(TCXONC), SYM(TCFLSH), SYM(TIOCEXCL), SYM(TIOCNXCL),
	SYM(TIOCSCTTY), SYM(TIOCGPGRP), SYM(TIOCSPGRP), SYM(TIOCOUTQ), SYM(TIOCSTI), SYM(TIOCGWINSZ),
	SYM(TIOCSWINSZ), SYM(TIOCMGET), SYM(TIOCMBIS), SYM(TIOCMBIC), SYM(TIOCMSET), SYM(FIONREAD),
	SYM(TIOCLINUX), SYM(TIOCCONS), SYM(TIOCNOTTY), SYM(TIOCSETD), SYM(TIOCGETD), SYM(TIOCSBRK),
	SYM(TIOCCBRK), SYM(TIOCGSID), SYM(TIOCGPTN), SYM(TIOCSPTLCK), SYM(TIOCGDEV), SYM(TIOCGEXCL),
#ifdef TIOCGPTPEER
	SYM(TIOCGPTPEER),
#endif
	SYM(FIONBIO), SYM(FIONCLEX), SYM(FIOCLEX), SYM(FIOASYNC), SYM(FIOQSIZE), SYM(TIOCPKT),
	SYM(TIOCGPKT), SYM(TIOCGLCKTRMIOS), SYM(TIOCSLCKTRMIOS), SYM(TIOCSERGETLSR),
};

static const struct sym fcntl_cmds[] = {
	SYM(F_DUPFD), SYM(F_GETFD), SYM(F_SETFD), SYM(F_GETFL), SYM(F_SETFL), SYM(F_GETLK),
	SYM(F_SETLK), SYM(F_SETLKW), SYM(F_SETOWN), SYM(F_GETOWN), SYM(F_SETSIG), SYM(F_GETSIG),
	SYM(F_SETOWN_EX), SYM(F_GETOWN_EX), SYM(F_OFD_GETLK), SYM(F_OFD_SETLK), SYM(F_OFD_SETLKW),
	SYM(F_SETLEASE), SYM(F_GETLEASE), SYM(F_NOTIFY), SYM(F_DUPFD_CLOEXEC), SYM(F_SETPIPE_SZ),
	SYM(F_GETPIPE_SZ), SYM(F_ADD_SEALS), SYM(F_GET_SEALS),
#ifdef F_GET_RW_HINT
	SYM(F_GET_RW_HINT), SYM(F_SET_RW_HINT), SYM(F_GET_FILE_RW_HINT), SYM(F_SET_FILE_RW_HINT),
#endif
};

static const struct sym fd_cloexec[] = {
	SYM(FD_CLOEXEC),
};

static const struct sym clocks[] = {
	SYM(CLOCK_REALTIME), SYM(CLOCK_MONOTONIC), SYM(CLOCK_PROCESS_CPUTIME_ID),
	SYM(CLOCK_THREAD_CPUTIME_ID), SYM(CLOCK_MONOTONIC_RAW), SYM(CLOCK_REALTIME_COARSE),
	SYM(CLOCK_MONOTONIC_COARSE), SYM(CLOCK_BOOTTIME), SYM(CLOCK_REALTIME_ALARM),
	SYM(CLOCK_BOOTTIME_ALARM), SYM(CLOCK_TAI),
};

static const struct sym futex_cmds[] = {
	SYM(FUTEX_WAIT), SYM(FUTEX_WAKE), SYM(FUTEX_FD), SYM(FUTEX_REQUEUE), SYM(FUTEX_CMP_REQUEUE),
	SYM(FUTEX_WAKE_OP), SYM(FUTEX_LOCK_PI), SYM(FUTEX_UNLOCK_PI), SYM(FUTEX_TRYLOCK_PI),
	SYM(FUTEX_WAIT_BITSET), SYM(FUTEX_WAKE_BITSET), SYM(FUTEX_WAIT_REQUEUE_PI),
	SYM(FUTEX_CMP_REQUEUE_PI),
#ifdef FUTEX_LOCK_PI2
	SYM(FUTEX_LOCK_PI2),
#endif
};

static const struct sym arch_prctl_codes[] = {
	SYM(ARCH_SET_GS), SYM(ARCH_SET_FS), SYM(ARCH_GET_FS), SYM(ARCH_GET_GS),
#ifdef ARCH_GET_CPUID
	SYM(ARCH_GET_CPUID), SYM(ARCH_SET_CPUID),
#endif
#ifdef ARCH_GET_XCOMP_SUPP
	SYM(ARCH_GET_XCOMP_SUPP), SYM(ARCH_GET_XCOMP_PERM), SYM(ARCH_REQ_XCOMP_PERM),
#endif
#ifdef ARCH_GET_XCOMP_GUEST_PERM
	SYM(ARCH_GET_XCOMP_GUEST_PERM), SYM(ARCH_REQ_XCOMP_GUEST_PERM),
#endif
#ifdef ARCH_MAP_VDSO_64
	SYM(ARCH_MAP_VDSO_X32), SYM(ARCH_MAP_VDSO_32), SYM(ARCH_MAP_VDSO_64),
#endif
};

static const struct sym whences[] = {
	SYM(SEEK_SET), SYM(SEEK_CUR), SYM(SEEK_END), SYM(SEEK_DATA), SYM(SEEK_HOLE),
};

static const struct sym sighows[] = {
	SYM(SIG_BLOCK), SYM(SIG_UNBLOCK), SYM(SIG_SETMASK),
};

static const struct sym access_modes[] = {
	SYM(R_OK), SYM(W_OK), SYM(X_OK),
};

static const struct sym families[] = {
	SYM(AF_UNSPEC), SYM(AF_UNIX), SYM(AF_INET), SYM(AF_INET6), SYM(AF_NETLINK), SYM(AF_PACKET),
};

static const struct sym sock_types[] = {
	SYM(SOCK_STREAM), SYM(SOCK_DGRAM), SYM(SOCK_RAW), SYM(SOCK_RDM), SYM(SOCK_SEQPACKET),
	SYM(SOCK_DCCP), SYM(SOCK_PACKET),
};

static const struct sym sock_flags[] = {
	SYM(SOCK_CLOEXEC), SYM(SOCK_NONBLOCK),
};

static const struct sym wait_opts[] = {
	/* WSTOPPED (waitid) is the same bit as WUNTRACED. */
	SYM(WNOHANG), SYM(WUNTRACED), SYM(WEXITED), SYM(WCONTINUED), SYM(WNOWAIT), SYM(__WNOTHREAD),
	SYM(__WALL), SYM(__WCLONE),
};

static const struct sym rlimits[] = {
	SYM(RLIMIT_CPU), SYM(RLIMIT_FSIZE), SYM(RLIMIT_DATA), SYM(RLIMIT_STACK), SYM(RLIMIT_CORE),
	SYM(RLIMIT_RSS), SYM(RLIMIT_NPROC), SYM(RLIMIT_NOFILE), SYM(RLIMIT_MEMLOCK), SYM(RLIMIT_AS),
	SYM(RLIMIT_LOCKS), SYM(RLIMIT_SIGPENDING), SYM(RLIMIT_MSGQUEUE), SYM(RLIMIT_NICE),
	SYM(RLIMIT_RTPRIO), SYM(RLIMIT_RTTIME),
};

static const struct sym grnd_flags[] = {
	SYM(GRND_NONBLOCK), SYM(GRND_RANDOM),
#ifdef GRND_INSECURE
	SYM(GRND_INSECURE),
#endif
};

static const struct sym file_types[] = {
	SYM(S_IFREG), SYM(S_IFDIR), SYM(S_IFLNK), SYM(S_IFCHR), SYM(S_IFBLK), SYM(S_IFIFO),
	SYM(S_IFSOCK),
};

/* ---- argument printers: one per kind; c->a[i] is the argument ---- */

typedef void printer_fn(struct line *l, const struct call *c, int i);

/* The argument after i, which holds the length of some pointer kinds; 0 past the sixth. */
static uint64_t next_arg(const struct call *c, int i)
{
	return i + 1 < 6 ? c->a[i + 1] : 0;
}

static void p_hex(struct line *l, const struct call *c, int i)
{
	put_hexval(l, c->a[i]);
}

static void p_int(struct line *l, const struct call *c, int i)
{
	putf(l, "%d", (int)c->a[i]);
}

static void p_uint(struct line *l, const struct call *c, int i)
{
	putf(l, "%u", (unsigned)c->a[i]);
}

static void p_long(struct line *l, const struct call *c, int i)
{
	putf(l, "%lld", (long long)c->a[i]);
}

static void p_size(struct line *l, const struct call *c, int i)
{
	putf(l, "%llu", (unsigned long long)c->a[i]);
}

static void p_ptr(struct line *l, const struct call *c, int i)
{
	put_addr(l, c->a[i]);
}

static void p_dirfd(struct line *l, const struct call *c, int i)
{
	if ((int)c->a[i] == AT_FDCWD)
		put(l, "AT_FDCWD");
	else
		putf(l, "%d", (int)c->a[i]);
}

static void p_str(struct line *l, const struct call *c, int i)
{
	put_guest_str(l, c, c->a[i], STR_SHOWN);
}

static void p_ibuf(struct line *l, const struct call *c, int i)
{
	put_guest_buf(l, c, c->a[i], next_arg(c, i));
}

/* Shows what the call wrote: the result counts the bytes, the next argument bounds them. */
static void p_obuf(struct line *l, const struct call *c, int i)
{
	uint64_t len = (uint64_t)c->ret;

	if (!succeeded(c)) {
		put_addr(l, c->a[i]);
		return;
	}
	if (len > next_arg(c, i))
		len = next_arg(c, i);
	put_guest_buf(l, c, c->a[i], len);
}

static void p_ostr(struct line *l, const struct call *c, int i)
{
	if (succeeded(c))
		put_guest_str(l, c, c->a[i], STR_SHOWN);
	else
		put_addr(l, c->a[i]);
}

/*
 * An iovec array: [{iov_base="...", iov_len=N}, ...].  For input every
 * buffer is shown; for output only the first `budget` bytes were written
 * (the result), so buffers past it show their address.
 */
static void put_iov(struct line *l, const struct call *c, int i, bool out)
{
	uint64_t base = c->a[i], budget = out ? (uint64_t)c->ret : UINT64_MAX;
	int cnt = (int)next_arg(c, i), k;

	if ((out && !succeeded(c)) || cnt < 0 || cnt > IOV_MAX_CNT) {
		put_addr(l, base);
		return;
	}
	put(l, "[");
	for (k = 0; k < cnt && k < IOV_SHOWN; k++) {
		uint64_t iov[2];  /* iov_base, iov_len */
		uint64_t shown;

		if (!guest_read(c, iov, base + (uint64_t)k * sizeof(iov), sizeof(iov))) {
			put_addr(l, base + (uint64_t)k * sizeof(iov));
			break;
		}
		put(l, k ? ", {iov_base=" : "{iov_base=");
		shown = iov[1] < budget ? iov[1] : budget;
		if (out && !shown)
			put_addr(l, iov[0]);
		else
			put_guest_buf(l, c, iov[0], shown);
		budget -= shown;
		putf(l, ", iov_len=%llu}", (unsigned long long)iov[1]);
	}
	put(l, k < cnt ? ", ...]" : "]");
}

static void p_iov_in(struct line *l, const struct call *c, int i)
{
	put_iov(l, c, i, false);
}

static void p_iov_out(struct line *l, const struct call *c, int i)
{
	put_iov(l, c, i, true);
}

static void put_oflags(struct line *l, uint64_t v)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};

	put(l, acc[v & O_ACCMODE]);
	v &= ~(uint64_t)O_ACCMODE;
	if (v) {
		put(l, "|");
		put_flags(l, v, open_flags, ARRAY_SIZE(open_flags));
	}
}

static void p_oflags(struct line *l, const struct call *c, int i)
{
	put_oflags(l, (uint32_t)c->a[i]);
}

static void p_fdflags(struct line *l, const struct call *c, int i)
{
	put_flags(l, (uint32_t)c->a[i], fd_flags, ARRAY_SIZE(fd_flags));
}

/* S_IFREG|0644: the type if any, the permission bits in octal, stray bits in hex. */
static void put_mode(struct line *l, uint64_t v)
{
	const char *type = sym_name(file_types, ARRAY_SIZE(file_types), v & S_IFMT);

	if (type)
		putf(l, "%s|", type);
	else if (v & S_IFMT)
		putf(l, "%#llo|", (unsigned long long)(v & S_IFMT));
	putf(l, "0%03llo", (unsigned long long)(v & 07777));
	if (v & ~(uint64_t)(S_IFMT | 07777))
		putf(l, "|%#llx", (unsigned long long)(v & ~(uint64_t)(S_IFMT | 07777)));
}

static void p_mode(struct line *l, const struct call *c, int i)
{
	put_mode(l, (uint32_t)c->a[i]);
}

static void p_prot(struct line *l, const struct call *c, int i)
{
	if (c->a[i])
		put_flags(l, c->a[i], prot_flags, ARRAY_SIZE(prot_flags));
	else
		put(l, "PROT_NONE");
}

/* MAP_PRIVATE|MAP_ANONYMOUS: the mapping type (low nibble) first, then the flags. */
static void p_mflags(struct line *l, const struct call *c, int i)
{
	uint64_t v = c->a[i];

	put_sym_hex(l, v & MAP_TYPE, map_types, ARRAY_SIZE(map_types));
	v &= ~(uint64_t)MAP_TYPE;
	if (v) {
		put(l, "|");
		put_flags(l, v, map_flags, ARRAY_SIZE(map_flags));
	}
}

static void p_sig(struct line *l, const struct call *c, int i)
{
	put_signame(l, (int)c->a[i]);
}

static void p_sighow(struct line *l, const struct call *c, int i)
{
	put_sym_dec(l, (int)c->a[i], sighows, ARRAY_SIZE(sighows));
}

static void p_whence(struct line *l, const struct call *c, int i)
{
	put_sym_dec(l, (int)c->a[i], whences, ARRAY_SIZE(whences));
}

static void p_amode(struct line *l, const struct call *c, int i)
{
	if ((int)c->a[i] == F_OK)
		put(l, "F_OK");
	else
		put_flags(l, (uint32_t)c->a[i], access_modes, ARRAY_SIZE(access_modes));
}

/* ["ls", "-l"]: the first ARGV_SHOWN strings, each cut as a buffer is. */
static void p_argv(struct line *l, const struct call *c, int i)
{
	uint64_t base = c->a[i], p;
	int k;

	if (!base) {
		put(l, "NULL");
		return;
	}
	if (!guest_read(c, &p, base, sizeof(p))) {
		put_addr(l, base);
		return;
	}
	put(l, "[");
	for (k = 0; k < ARGV_SHOWN; k++) {
		if (!guest_read(c, &p, base + (uint64_t)k * sizeof(p), sizeof(p))) {
			put(l, k ? ", ?" : "?");  /* the array runs into unreadable memory */
			break;
		}
		if (!p)
			break;
		if (k)
			put(l, ", ");
		put_guest_str(l, c, p, BUF_SHOWN);
	}
	if (k == ARGV_SHOWN && guest_read(c, &p, base + (uint64_t)k * sizeof(p), sizeof(p)) && p)
		put(l, ", ...");
	put(l, "]");
}

/* 0x7ffc... followed by how many strings the array holds. */
static void p_envp(struct line *l, const struct call *c, int i)
{
	uint64_t base = c->a[i], p = 0;
	int k;

	put_addr(l, base);
	if (!base)
		return;
	for (k = 0; k < ENVP_COUNTED; k++) {
		if (!guest_read(c, &p, base + (uint64_t)k * sizeof(p), sizeof(p)))
			return;  /* no terminator within reach: no count */
		if (!p)
			break;
	}
	if (k == ENVP_COUNTED)
		putf(l, " /* %d+ vars */", k);
	else
		putf(l, " /* %d var%s */", k, k == 1 ? "" : "s");
}

static void p_stat(struct line *l, const struct call *c, int i)
{
	struct abi_stat st;

	if (!succeeded(c) || !guest_read(c, &st, c->a[i], sizeof(st))) {
		put_addr(l, c->a[i]);
		return;
	}
	put(l, "{st_mode=");
	put_mode(l, st.st_mode);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		putf(l, ", st_rdev=makedev(%#x, %#x)", major(st.st_rdev), minor(st.st_rdev));
	else
		putf(l, ", st_size=%lld", (long long)st.st_size);
	put(l, ", ...}");
}

static void p_statx(struct line *l, const struct call *c, int i)
{
	struct abi_statx stx;

	if (!succeeded(c) || !guest_read(c, &stx, c->a[i], sizeof(stx))) {
		put_addr(l, c->a[i]);
		return;
	}
	putf(l, "{stx_mask=%#x, stx_mode=", stx.stx_mask);
	put_mode(l, stx.stx_mode);
	putf(l, ", stx_size=%llu, ...}", (unsigned long long)stx.stx_size);
}

/* The kernel compares ioctl requests as unsigned int: the upper half is ignored. */
static void p_ioctl(struct line *l, const struct call *c, int i)
{
	put_sym_hex(l, (uint32_t)c->a[i], ioctls, ARRAY_SIZE(ioctls));
}

static void p_fcntl(struct line *l, const struct call *c, int i)
{
	put_sym_dec(l, (int)c->a[i], fcntl_cmds, ARRAY_SIZE(fcntl_cmds));
}

/* The fcntl commands that take no third argument; strace(1) leaves it out too. */
static bool fcntl_has_arg(int cmd)
{
	switch (cmd) {
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG: case F_GETLEASE:
	case F_GETPIPE_SZ: case F_GET_SEALS:
		return false;
	}
	return true;
}

static void p_fcntl_arg(struct line *l, const struct call *c, int i)
{
	uint64_t v = c->a[i];

	switch ((int)c->a[1]) {
	case F_SETFL:
		put_oflags(l, (uint32_t)v);
		break;
	case F_SETFD:
		put_flags(l, (uint32_t)v, fd_cloexec, ARRAY_SIZE(fd_cloexec));
		break;
	case F_DUPFD: case F_DUPFD_CLOEXEC: case F_SETOWN: case F_SETPIPE_SZ: case F_SETLEASE:
		putf(l, "%d", (int)v);
		break;
	case F_SETSIG:
		put_signame(l, (int)v);
		break;
	case F_GETLK: case F_SETLK: case F_SETLKW: case F_OFD_GETLK: case F_OFD_SETLK:
	case F_OFD_SETLKW: case F_GETOWN_EX: case F_SETOWN_EX:
		put_addr(l, v);
		break;
	default:
		put_hexval(l, v);
	}
}

/* Negative clock ids name the CPU clock of a process or thread (clock_getcpuclockid). */
static void p_clock(struct line *l, const struct call *c, int i)
{
	put_sym_dec(l, (int)c->a[i], clocks, ARRAY_SIZE(clocks));
}

static int futex_cmd(uint64_t op)
{
	return (int)(op & FUTEX_CMD_MASK);
}

/* FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, as the kernel's header spells them. */
static void p_futex_op(struct line *l, const struct call *c, int i)
{
	uint32_t op = (uint32_t)c->a[i];
	const char *name = sym_name(futex_cmds, ARRAY_SIZE(futex_cmds), (uint64_t)futex_cmd(op));

	if (!name) {
		put_hexval(l, op);
		return;
	}
	put(l, name);
	if (op & FUTEX_PRIVATE_FLAG)
		put(l, "_PRIVATE");
	if (op & FUTEX_CLOCK_REALTIME)
		put(l, "|FUTEX_CLOCK_REALTIME");
}

static void put_timespec(struct line *l, const struct call *c, gva_t p)
{
	int64_t ts[2];  /* tv_sec, tv_nsec */

	if (!p) {
		put(l, "NULL");
		return;
	}
	if (!guest_read(c, ts, p, sizeof(ts))) {
		put_addr(l, p);
		return;
	}
	putf(l, "{tv_sec=%lld, tv_nsec=%lld}", (long long)ts[0], (long long)ts[1]);
}

static void p_ts(struct line *l, const struct call *c, int i)
{
	put_timespec(l, c, c->a[i]);
}

static void p_ts_out(struct line *l, const struct call *c, int i)
{
	if (succeeded(c))
		put_timespec(l, c, c->a[i]);
	else
		put_addr(l, c->a[i]);
}

/* futex's fourth argument is a timeout for the waiting ops and a count (val2) for the rest. */
static void p_futex_to(struct line *l, const struct call *c, int i)
{
	switch (futex_cmd(c->a[1])) {
	case FUTEX_WAIT: case FUTEX_WAIT_BITSET: case FUTEX_LOCK_PI: case FUTEX_WAIT_REQUEUE_PI:
#ifdef FUTEX_LOCK_PI2
	case FUTEX_LOCK_PI2:
#endif
		put_timespec(l, c, c->a[i]);
		break;
	default:
		putf(l, "%u", (unsigned)c->a[i]);
	}
}

static void p_arch_prctl(struct line *l, const struct call *c, int i)
{
	put_sym_hex(l, (uint32_t)c->a[i], arch_prctl_codes, ARRAY_SIZE(arch_prctl_codes));
}

/* AT_REMOVEDIR and AT_EACCESS share a bit; faccessat2 is the one that means the latter. */
static void p_atflags(struct line *l, const struct call *c, int i)
{
	uint64_t v = (uint32_t)c->a[i];

#ifdef __NR_faccessat2
	if (c->nr == __NR_faccessat2 && (v & AT_EACCESS)) {
		put(l, "AT_EACCESS");
		v &= ~(uint64_t)AT_EACCESS;
		if (!v)
			return;
		put(l, "|");
	}
#endif
	put_flags(l, v, at_flags, ARRAY_SIZE(at_flags));
}

static void p_af(struct line *l, const struct call *c, int i)
{
	put_sym_dec(l, (int)c->a[i], families, ARRAY_SIZE(families));
}

static void p_socktype(struct line *l, const struct call *c, int i)
{
	uint64_t v = (uint32_t)c->a[i];
	uint64_t flags = v & (uint64_t)(SOCK_CLOEXEC | SOCK_NONBLOCK);

	put_sym_dec(l, (int)(v & ~flags), sock_types, ARRAY_SIZE(sock_types));
	if (flags) {
		put(l, "|");
		put_flags(l, flags, sock_flags, ARRAY_SIZE(sock_flags));
	}
}

/*
 * A socket address, decoded from its bytes as the ABI lays them out:
 * family (host order) at 0; for AF_INET the port (network order) at 2 and
 * the address at 4; for AF_INET6 the port at 2 and the address at 8; for
 * AF_UNIX the path at 2, abstract when it starts with a NUL.
 */
static void p_sockaddr(struct line *l, const struct call *c, int i)
{
	uint64_t len = next_arg(c, i) & 0xffffffff;  /* socklen_t */
	unsigned char sa[128];
	char addr[INET6_ADDRSTRLEN];
	uint16_t family;
	size_t n = len < sizeof(sa) ? (size_t)len : sizeof(sa);

	if (n < 2 || !guest_read(c, sa, c->a[i], n)) {
		put_addr(l, c->a[i]);
		return;
	}
	memcpy(&family, sa, 2);
	put(l, "{sa_family=");
	put_sym_dec(l, family, families, ARRAY_SIZE(families));
	if (family == AF_INET && n >= 8) {
		putf(l, ", sin_port=htons(%u), sin_addr=inet_addr(\"%u.%u.%u.%u\")}", sa[2] << 8 | sa[3], sa[4],
		     sa[5], sa[6], sa[7]);
	} else if (family == AF_INET6 && n >= 24 && inet_ntop(AF_INET6, sa + 8, addr, sizeof(addr))) {
		putf(l, ", sin6_port=htons(%u), sin6_addr=\"%s\"}", sa[2] << 8 | sa[3], addr);
	} else if (family == AF_UNIX && n > 2) {
		put(l, ", sun_path=");
		if (sa[2]) {
			put_quoted(l, sa + 2, strnlen((const char *)sa + 2, n - 2), false);
		} else {
			/* Abstract: the length, not a NUL, ends the name, which may hold NULs. */
			put(l, "@");
			put_quoted(l, sa + 3, n - 3, false);
		}
		put(l, "}");
	} else {
		put(l, ", ...}");
	}
}

/* clone's flags; the low byte is the signal the parent gets when the child exits. */
static void p_clone(struct line *l, const struct call *c, int i)
{
	uint64_t v = c->a[i], flags = v & ~(uint64_t)CSIGNAL;
	int sig = (int)(v & CSIGNAL);

	if (flags) {
		/* clone_flags lists CLONE_NEWTIME last, and it cannot match outside CSIGNAL. */
		put_flags(l, flags, clone_flags, ARRAY_SIZE(clone_flags));
		if (sig)
			put(l, "|");
	}
	if (sig || !flags)
		put_signame(l, sig);
}

static void p_nsflags(struct line *l, const struct call *c, int i)
{
	put_flags(l, c->a[i], clone_flags, ARRAY_SIZE(clone_flags));
}

static void p_pipefds(struct line *l, const struct call *c, int i)
{
	int fds[2];

	if (!succeeded(c) || !guest_read(c, fds, c->a[i], sizeof(fds)))
		put_addr(l, c->a[i]);
	else
		putf(l, "[%d, %d]", fds[0], fds[1]);
}

/* [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], when a child was reaped. */
static void p_wstatus(struct line *l, const struct call *c, int i)
{
	int s;

	if (!succeeded(c) || !c->ret || !guest_read(c, &s, c->a[i], sizeof(s))) {
		put_addr(l, c->a[i]);
		return;
	}
	if (WIFEXITED(s)) {
		putf(l, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(s));
	} else if (WIFSIGNALED(s)) {
		put(l, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		put_signame(l, WTERMSIG(s));
		put(l, WCOREDUMP(s) ? " && WCOREDUMP(s)}]" : "}]");
	} else if (WIFSTOPPED(s)) {
		put(l, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		put_signame(l, WSTOPSIG(s));
		put(l, "}]");
	} else if (WIFCONTINUED(s)) {
		put(l, "[{WIFCONTINUED(s)}]");
	} else {
		putf(l, "[%#x]", (unsigned)s);
	}
}

static void p_waitopt(struct line *l, const struct call *c, int i)
{
	put_flags(l, (uint32_t)c->a[i], wait_opts, ARRAY_SIZE(wait_opts));
}

static void p_rlimit(struct line *l, const struct call *c, int i)
{
	put_sym_dec(l, (int)c->a[i], rlimits, ARRAY_SIZE(rlimits));
}

static void p_grnd(struct line *l, const struct call *c, int i)
{
	put_flags(l, (uint32_t)c->a[i], grnd_flags, ARRAY_SIZE(grnd_flags));
}

static printer_fn *const printers[A_NKINDS] = {
	[A_HEX] = p_hex,
	[A_INT] = p_int,
	[A_FD] = p_int,
	[A_UINT] = p_uint,
	[A_LONG] = p_long,
	[A_SIZE] = p_size,
	[A_PTR] = p_ptr,
	[A_DIRFD] = p_dirfd,
	[A_STR] = p_str,
	[A_IBUF] = p_ibuf,
	[A_OBUF] = p_obuf,
	[A_OSTR] = p_ostr,
	[A_IOV_IN] = p_iov_in,
	[A_IOV_OUT] = p_iov_out,
	[A_OFLAGS] = p_oflags,
	[A_FDFLAGS] = p_fdflags,
	[A_MODE] = p_mode,
	[A_OMODE] = p_mode,
	[A_PROT] = p_prot,
	[A_MFLAGS] = p_mflags,
	[A_SIG] = p_sig,
	[A_SIGHOW] = p_sighow,
	[A_WHENCE] = p_whence,
	[A_AMODE] = p_amode,
	[A_ARGV] = p_argv,
	[A_ENVP] = p_envp,
	[A_STAT] = p_stat,
	[A_STATX] = p_statx,
	[A_IOCTL] = p_ioctl,
	[A_FCNTL] = p_fcntl,
	[A_FCNTL_ARG] = p_fcntl_arg,
	[A_CLOCK] = p_clock,
	[A_FUTEX_OP] = p_futex_op,
	[A_FUTEX_TO] = p_futex_to,
	[A_ARCH_PRCTL] = p_arch_prctl,
	[A_TS] = p_ts,
	[A_TS_OUT] = p_ts_out,
	[A_ATFLAGS] = p_atflags,
	[A_AF] = p_af,
	[A_SOCKTYPE] = p_socktype,
	[A_SOCKADDR] = p_sockaddr,
	[A_CLONE] = p_clone,
	[A_NSFLAGS] = p_nsflags,
	[A_PIPEFDS] = p_pipefds,
	[A_WSTATUS] = p_wstatus,
	[A_WAITOPT] = p_waitopt,
	[A_RLIMIT] = p_rlimit,
	[A_GRND] = p_grnd,
};

/* ---- the line ---- */

/*
 * Arguments the call ignores, left out as strace(1) does: fcntl's third
 * for the F_GET* commands, open's mode unless it creates a file.
 */
static bool arg_used(const struct call *c, unsigned kind, int i)
{
	uint64_t oflags = i > 0 ? c->a[i - 1] : 0;

	if (kind == A_FCNTL_ARG)
		return fcntl_has_arg((int)c->a[1]);
	if (kind == A_OMODE)
		return (oflags & O_CREAT) || (oflags & O_TMPFILE) == O_TMPFILE;
	return true;
}

static void put_args(struct line *l, const struct call *c, const struct sysent *e)
{
	int i, shown = 0;

	for (i = 0; i < e->nargs && i < 6; i++) {
		unsigned kind = e->kind[i];

		if (!arg_used(c, kind, i))
			continue;
		if (shown++)
			put(l, ", ");
		if (kind < A_NKINDS && printers[kind])
			printers[kind](l, c, i);
		else
			put_hexval(l, c->a[i]);
	}
}

/*
 * The kernel-internal restart codes a handler returns when a signal
 * interrupts it; the application never sees them, so glibc has no names.
 */
static const char *restart_name(long err)
{
	switch (err) {
#ifdef ERESTARTSYS
	case ERESTARTSYS: return "ERESTARTSYS (to be restarted if SA_RESTART is set)";
#endif
#ifdef ERESTARTNOINTR
	case ERESTARTNOINTR: return "ERESTARTNOINTR (to be restarted)";
#endif
#ifdef ERESTARTNOHAND
	case ERESTARTNOHAND: return "ERESTARTNOHAND (to be restarted if there is no handler)";
#endif
#ifdef ERESTART_RESTARTBLOCK
	case ERESTART_RESTARTBLOCK: return "ERESTART_RESTARTBLOCK (interrupted by a signal)";
#endif
	}
	return NULL;
}

/* Calls whose result is an address, printed in hex. */
static bool returns_addr(long nr)
{
	return nr == __NR_mmap || nr == __NR_brk || nr == __NR_mremap || nr == __NR_shmat;
}

static void put_result(struct line *l, const struct call *c)
{
	long r = c->ret;

	if (!c->done) {
		put(l, " = ?");
	} else if (r < 0 && r >= -4095) {
		const char *restart = restart_name(-r);
		const char *name = strerrorname_np((int)-r), *desc = strerrordesc_np((int)-r);

		if (restart)
			putf(l, " = ? %s", restart);
		else if (name)
			putf(l, " = -1 %s (%s)", name, desc ? desc : "?");
		else
			putf(l, " = -1 errno %ld (Unknown error %ld)", -r, -r);
	} else if (returns_addr(c->nr)) {
		putf(l, " = %#lx", (unsigned long)r);
	} else if (c->nr == __NR_fcntl && (int)c->a[1] == F_GETFL) {
		putf(l, " = %#lx (flags ", (unsigned long)r);
		put_oflags(l, (uint64_t)r);
		put(l, ")");
	} else if (c->nr == __NR_fcntl && (int)c->a[1] == F_GETFD) {
		putf(l, " = %#lx (flags ", (unsigned long)r);
		put_flags(l, (uint64_t)r, fd_cloexec, ARRAY_SIZE(fd_cloexec));
		put(l, ")");
	} else {
		putf(l, " = %ld", r);
	}
}

/* host_write may write less than asked; a few tries, then the line is dropped. */
static void emit(const char *buf, size_t len)
{
	size_t off = 0;
	int tries;

	for (tries = 0; off < len && tries < 8; tries++) {
		long n = host_write(strace_fd, buf + off, len - off);

		if (n > 0)
			off += (size_t)n;
		else if (n != -EINTR && n != -EAGAIN)
			break;
	}
}

/*
 * Builds and writes one line.  The arguments may fill the line only up to
 * LINE_SIZE - RESULT_ROOM, so a cut line still ends with "...)" and its
 * result.
 */
static void print_call(const struct call *c, const char *resumed)
{
	const struct sysent *e = sysent_of(c->nr);
	struct line l;
	bool cut;
	int i;

	l.len = 0;
	l.full = false;
	l.limit = LINE_SIZE - RESULT_ROOM;
	putf(&l, "[pid %d] ", c->t ? c->t->tid : 0);
	if (resumed) {
		putf(&l, "<... %s resumed>", resumed);
	} else if (e) {
		putf(&l, "%s(", e->name);
		put_args(&l, c, e);
	} else {
		/* An unknown number: all six registers, as the handler would see them. */
		putf(&l, "syscall_%#lx(", (unsigned long)c->nr);
		for (i = 0; i < 6; i++) {
			if (i)
				put(&l, ", ");
			put_hexval(&l, c->a[i]);
		}
	}
	cut = l.full;
	l.full = false;
	l.limit = LINE_SIZE - 1;  /* keep a byte for the newline */
	if (cut)
		put(&l, "...");
	put(&l, ")");
	put_result(&l, c);
	l.buf[l.len++] = '\n';
	emit(l.buf, l.len);
}

/* The calls that do not come back to their caller when they succeed. */
static bool no_return(long nr)
{
	return nr == __NR_execve || nr == __NR_execveat || nr == __NR_exit || nr == __NR_exit_group;
}

static bool is_exec(long nr)
{
	return nr == __NR_execve || nr == __NR_execveat;
}

void strace_enter(struct task *t, long nr, const uint64_t args[6])
{
	struct call c = {.t = t, .nr = nr, .a = args, .ret = 0, .done = false};

	/*
	 * Everything else prints at exit, when output arguments are filled;
	 * args[] comes back to strace_exit, so nothing needs keeping here.
	 * execve is printed now because its strings are gone once it succeeds.
	 */
	if (strace_fd >= 0 && no_return(nr))
		print_call(&c, NULL);
}

void strace_exit(struct task *t, long nr, const uint64_t args[6], long ret)
{
	struct call c = {.t = t, .nr = nr, .a = args, .ret = ret, .done = true};

	if (strace_fd < 0)
		return;
	if (!no_return(nr))
		print_call(&c, NULL);
	else if (is_exec(nr) && ret < 0)  /* a failed execve returns after all */
		print_call(&c, strace_name(nr));
}
