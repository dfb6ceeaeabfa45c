/* The system calls cvisor implements, one X(name) each; see table.c. */
/* sys_file.c */
X(read) X(write) X(pread64) X(pwrite64) X(readv) X(writev) X(preadv) X(pwritev) X(preadv2) X(pwritev2)
X(open) X(openat) X(openat2) X(creat) X(close) X(close_range) X(lseek) X(fstat) X(stat) X(lstat) X(newfstatat) X(statx)
X(getdents64) X(getdents) X(readlink) X(readlinkat) X(access) X(faccessat) X(faccessat2) X(getcwd) X(chdir) X(fchdir)
X(dup) X(dup2) X(dup3) X(fcntl) X(ioctl) X(pipe) X(pipe2) X(mkdir) X(mkdirat) X(unlink) X(unlinkat) X(rmdir)
X(symlink) X(symlinkat) X(ftruncate) X(truncate) X(fsync) X(fdatasync) X(fadvise64) X(readahead) X(umask)
X(statfs) X(fstatfs)
X(sendfile) X(flock)
/* sys_fsmeta.c */
X(link) X(linkat) X(rename) X(renameat) X(renameat2) X(mknod) X(mknodat) X(chmod) X(fchmod) X(fchmodat)
X(fchmodat2)
X(chown) X(lchown) X(fchown) X(fchownat) X(utimensat) X(futimesat) X(utimes) X(utime)
/* sys_cred.c */
X(setresuid) X(setresgid) X(setreuid) X(setregid) X(setuid) X(setgid) X(setfsuid) X(setfsgid) X(setgroups) X(getgroups)
X(capset)
/* sys_event.c */
X(eventfd) X(eventfd2) X(timerfd_create) X(timerfd_settime) X(timerfd_gettime) X(signalfd) X(signalfd4) X(epoll_create)
X(epoll_create1) X(epoll_ctl) X(epoll_wait) X(epoll_pwait) X(epoll_pwait2) X(memfd_create)
X(inotify_init) X(inotify_init1) X(inotify_add_watch) X(inotify_rm_watch)
/* sys_socket.c */
X(socket) X(socketpair) X(bind) X(listen) X(connect) X(accept) X(accept4) X(sendto) X(sendmsg) X(recvfrom)
X(recvmsg) X(sendmmsg) X(recvmmsg) X(shutdown) X(getsockname) X(getpeername) X(getsockopt) X(setsockopt)
/* sys_xfile.c */
X(sync) X(syncfs) X(sync_file_range) X(fallocate) X(copy_file_range) X(splice) X(tee) X(vmsplice) X(chroot)
X(getxattr) X(lgetxattr) X(fgetxattr) X(setxattr) X(lsetxattr) X(fsetxattr) X(listxattr) X(llistxattr)
X(flistxattr) X(removexattr) X(lremovexattr) X(fremovexattr) X(mount) X(umount2) X(pivot_root)
/* sys_poll.c */
X(poll) X(ppoll) X(select) X(pselect6)
/* sys_mm.c */
X(brk) X(mmap) X(munmap) X(remap_file_pages) X(mprotect) X(mremap) X(madvise) X(msync) X(mlock) X(munlock) X(mincore)
/* sys_proc.c */
X(getpid) X(getppid) X(gettid) X(getuid) X(geteuid) X(getgid) X(getegid)
X(getresuid) X(getresgid) X(uname) X(arch_prctl) X(set_tid_address) X(set_robust_list)
X(get_robust_list) X(prlimit64) X(getrlimit) X(setrlimit) X(getrandom) X(sched_getaffinity) X(sched_yield)
X(rt_sigaction) X(rt_sigprocmask) X(sigaltstack) X(prctl) X(seccomp) X(sysinfo) X(getcpu) X(rseq) X(execve) X(execveat) X(sethostname) X(setdomainname) X(setns)
X(getrusage) X(times) X(capget) X(sched_setaffinity) X(sched_getparam) X(sched_setparam)
X(sched_getscheduler) X(sched_setscheduler) X(sched_get_priority_max) X(sched_get_priority_min)
X(sched_rr_get_interval) X(getpriority) X(setpriority)
/* sentry/kernel/process.c */
X(clone) X(clone3) X(unshare) X(fork) X(vfork) X(wait4) X(waitid) X(kill) X(tkill) X(tgkill) X(exit) X(exit_group)
X(getpgrp) X(getpgid) X(setpgid) X(getsid) X(setsid) X(pidfd_open) X(pidfd_send_signal) X(pidfd_getfd)
/* sentry/kernel/futex.c */
X(futex) X(futex_waitv)
/* sentry/kernel/signal.c */
X(rt_sigreturn) X(rt_sigpending) X(rt_sigsuspend) X(pause) X(rt_sigtimedwait)
X(rt_sigqueueinfo) X(rt_tgsigqueueinfo)
/* sys_time.c */
X(clock_gettime) X(clock_getres) X(clock_settime) X(settimeofday) X(gettimeofday) X(time) X(nanosleep) X(clock_nanosleep) X(restart_syscall) X(getitimer) X(setitimer) X(alarm)
X(timer_create) X(timer_settime) X(timer_gettime) X(timer_getoverrun) X(timer_delete)
/* sys_ipc.c */
X(shmget) X(shmat) X(shmdt) X(shmctl) X(semget) X(semop) X(semtimedop) X(semctl)
X(msgget) X(msgsnd) X(msgrcv) X(msgctl)
X(mq_open) X(mq_unlink) X(mq_timedsend) X(mq_timedreceive) X(mq_notify) X(mq_getsetattr)
/* sys_mm.c, continued */
X(mlock2) X(mlockall) X(munlockall)
/* sys_sched.c */
X(sched_setattr) X(sched_getattr) X(ioprio_set) X(ioprio_get) X(membarrier)
X(process_vm_readv) X(process_vm_writev) X(personality) X(kcmp)
/* sys_aio.c */
X(io_setup) X(io_destroy) X(io_submit) X(io_cancel) X(io_getevents) X(io_pgetevents)
/* sys_fsinfo.c */
X(ustat) X(sysfs) X(cachestat) X(name_to_handle_at) X(open_by_handle_at)
X(ptrace)
