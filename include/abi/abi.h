/*
 * The Linux x86-64 ABI as the application sees it: structures laid out as
 * the kernel lays them out for a 64-bit process, written from the man pages
 * (stat(2), statx(2), getdents64(2), uname(2), getauxval(3)) and the
 * x86-64 psABI.  Numeric constants (errno values, O_* and PROT_* flags,
 * syscall numbers) come from the host's <linux/...> and <asm/...> headers,
 * which are the same ABI: the sentry only runs on x86-64 Linux.
 */
#pragma once

#include <stdint.h>

/* A guest virtual address: never dereferenced, only passed to mm_copy_*. */
typedef uint64_t gva_t;

/* x86-64 layout of struct stat (fstat(2), newfstatat(2)). */
struct abi_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	int64_t st_atime_sec;
	int64_t st_atime_nsec;
	int64_t st_mtime_sec;
	int64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	int64_t st_ctime_nsec;
	int64_t reserved[3];
};
_Static_assert(sizeof(struct abi_stat) == 144, "struct stat is 144 bytes on x86-64");

struct abi_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct abi_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t pad1;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct abi_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t spare[12];
};
_Static_assert(sizeof(struct abi_statx) == 256, "struct statx is 256 bytes");

/* getdents64(2) record header; the name follows, NUL-terminated, padded to 8. */
struct abi_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

struct abi_iovec {
	uint64_t iov_base;
	uint64_t iov_len;
};

struct abi_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/*
 * A timeout, a sleep or a timer value from the application: Linux refuses
 * (EINVAL) negative seconds and nanoseconds outside [0, 1e9).
 */
static inline int abi_timespec_valid(const struct abi_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

/*
 * A valid timeout in nanoseconds, and a deadline that far past now, both
 * saturated at ABI_NS_FOREVER: seconds near INT64_MAX would otherwise wrap
 * to a short timeout, where Linux (which clamps at KTIME_MAX) waits on.
 */
#define ABI_NS_FOREVER ((uint64_t)INT64_MAX)

static inline uint64_t abi_timespec_ns(const struct abi_timespec *ts)
{
	if ((uint64_t)ts->tv_sec >= ABI_NS_FOREVER / 1000000000ULL)
		return ABI_NS_FOREVER;
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

static inline uint64_t abi_ns_after(uint64_t now, uint64_t ns)
{
	return now >= ABI_NS_FOREVER || ns >= ABI_NS_FOREVER - now ? ABI_NS_FOREVER : now + ns;
}

struct abi_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct abi_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

struct abi_rlimit {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};

/* Auxiliary vector tags (getauxval(3), the psABI). */
enum {
	ABI_AT_NULL = 0, ABI_AT_PHDR = 3, ABI_AT_PHENT = 4, ABI_AT_PHNUM = 5,
	ABI_AT_PAGESZ = 6, ABI_AT_BASE = 7, ABI_AT_FLAGS = 8, ABI_AT_ENTRY = 9,
	ABI_AT_UID = 11, ABI_AT_EUID = 12, ABI_AT_GID = 13, ABI_AT_EGID = 14,
	ABI_AT_PLATFORM = 15, ABI_AT_HWCAP = 16, ABI_AT_CLKTCK = 17,
	ABI_AT_SECURE = 23, ABI_AT_RANDOM = 25, ABI_AT_HWCAP2 = 26,
	ABI_AT_EXECFN = 31, ABI_AT_SYSINFO_EHDR = 33, ABI_AT_MINSIGSTKSZ = 51,
};

/* memfd_create(2) flags and a seal newer than the host's headers (Linux 6.3). */
#define ABI_MFD_NOEXEC_SEAL 0x0008U
#define ABI_MFD_EXEC 0x0010U
#define ABI_F_SEAL_EXEC 0x0020

/* The user address space the application gets (see platform/ptrace/stub.h). */
#define ABI_PAGE_SIZE 4096UL
#define ABI_PAGE_MASK (~(ABI_PAGE_SIZE - 1))
#define ABI_PAGE_ALIGN(x) (((x) + ABI_PAGE_SIZE - 1) & ABI_PAGE_MASK)
#define ABI_PATH_MAX 4096
#define ABI_NAME_MAX 255
/* The kernel's O_LARGEFILE on x86-64 (glibc's O_LARGEFILE is 0 there): F_GETFL shows it. */
#define ABI_O_LARGEFILE 0100000
/* sigaltstack(2): the stack is disarmed while a handler runs on it (Linux 4.7); bit 31 of an int. */
#define ABI_SS_AUTODISARM ((int32_t)(1U << 31))
