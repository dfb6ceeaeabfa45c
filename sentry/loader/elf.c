/*
 * ELF loading (static, PIE and dynamic with PT_INTERP), #! scripts, and the
 * initial stack: strings, AT_RANDOM bytes, auxv, envp, argv and argc laid
 * out as the x86-64 psABI and Linux's binfmt_elf do.
 *
 * Layout without ASLR, as Linux's with randomization off: a PIE at
 * 0x555555554000, the interpreter and mmaps top-down below the stack gap,
 * the stack ending just below the platform's limit.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "../../vfs/vfs.h"
#include "../host/host.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "../timing.h"
#include "loader.h"

#define PIE_BASE 0x555555554000UL
/*
 * The main stack: RLIMIT_STACK at exec time (8 MiB by default), at least
 * 128 KiB, at most 1 GiB (Linux caps the gap below it likewise).
 */
static uint64_t stack_size(struct task *t)
{
	uint64_t s = t->tg ? t->tg->rlim[RLIMIT_STACK].rlim_cur : (8UL << 20);

	if (s < (128UL << 10))
		s = 128UL << 10;
	if (s > (1UL << 30))
		s = 1UL << 30;
	return s & ABI_PAGE_MASK;
}
#define STACK_SIZE stack_size(t)
#define STACK_GAP (128UL << 20)
/* Room at the top of the stack for what goes with the strings: auxv, AT_RANDOM's bytes, "x86_64". */
#define STACK_AUX_ROOM 1024
#define MAX_SCRIPT_DEPTH 4

long (*loader_map_vdso)(struct mm *mm);

struct image {
	gva_t bias;
	gva_t entry;
	gva_t phdr;   /* address of the program headers in memory */
	uint16_t phnum;
	gva_t end;    /* end of the highest segment */
	char interp[ABI_PATH_MAX];
};

static long kread(struct file *f, void *buf, size_t len, uint64_t off)
{
	struct iovec iov = {buf, len};
	uint64_t pos = off;

	if (!f->ops || !f->ops->read)
		return -EACCES;
	return f->ops->read(f, &iov, 1, &pos);
}

/* Opens path (or the file at, when given) for execution: a regular file with exec permission. */
static long open_exec(struct task *t, const struct path *at, const char *path, struct file **out)
{
	struct path p;
	long r = 0;

	if (at)
		p = *at; /* the caller's reference, not put here */
	else
		r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	if (!S_ISREG(p.d->inode->mode))
		r = -EACCES;
	else
		r = vfs_permission(t, p.d->inode, 1);
	if (r == 0)
		r = vfs_open_path(t, &p, O_RDONLY, out);
	/* A program open for writing does not run (Linux's deny_write_access). */
	if (r == 0 && (*out)->inode->writecount > 0) {
		file_put(*out);
		*out = NULL;
		r = -ETXTBSY;
	}
	if (!at)
		path_put(&p);
	return r;
}

static int elf_prot(uint32_t pf)
{
	return ((pf & PF_R) ? PROT_READ : 0) | ((pf & PF_W) ? PROT_WRITE : 0) | ((pf & PF_X) ? PROT_EXEC : 0);
}

/* Maps the PT_LOAD segments of the ELF file f into mm. */
static long load_elf(struct mm *mm, struct file *f, int is_interp, struct image *im)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	gva_t lo = UINT64_MAX, hi = 0;
	long r;
	int i;

	r = kread(f, &eh, sizeof(eh), 0);
	if (r < 0)
		return r;
	if (r < (long)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64 || (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 128)
		return -ENOEXEC;
	ph = calloc(eh.e_phnum, sizeof(*ph));
	if (!ph)
		return -ENOMEM;
	r = kread(f, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff);
	if (r != (long)(eh.e_phnum * sizeof(*ph))) {
		r = r < 0 ? r : -ENOEXEC;
		goto out;
	}
	im->interp[0] = 0;
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP && !is_interp) {
			if (ph[i].p_filesz < 2 || ph[i].p_filesz >= sizeof(im->interp)) {
				r = -ENOEXEC;
				goto out;
			}
			r = kread(f, im->interp, ph[i].p_filesz, ph[i].p_offset);
			if (r != (long)ph[i].p_filesz) {
				r = -ENOEXEC;
				goto out;
			}
			im->interp[ph[i].p_filesz - 1] = 0;
		}
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || (ph[i].p_vaddr - ph[i].p_offset) % ABI_PAGE_SIZE) {
			r = -ENOEXEC;
			goto out;
		}
		if (ph[i].p_vaddr < lo)
			lo = ph[i].p_vaddr;
		if (ph[i].p_vaddr + ph[i].p_memsz > hi)
			hi = ph[i].p_vaddr + ph[i].p_memsz;
	}
	if (hi <= lo || hi - lo > mm->limit) {
		r = -ENOEXEC;
		goto out;
	}
	lo &= ABI_PAGE_MASK;
	im->bias = 0;
	if (eh.e_type == ET_DYN) {
		/* Reserve the whole span so the segments land together. */
		gva_t want = is_interp ? 0 : PIE_BASE;
		r = mm_mmap(mm, want, ABI_PAGE_ALIGN(hi) - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, 7);
		if (r < 0)
			goto out;
		im->bias = (gva_t)r - lo;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr *p = &ph[i];
		gva_t start = (p->p_vaddr & ABI_PAGE_MASK) + im->bias;
		gva_t fend = p->p_vaddr + p->p_filesz + im->bias;
		gva_t mend = ABI_PAGE_ALIGN(p->p_vaddr + p->p_memsz + im->bias);
		int prot = elf_prot(p->p_flags);

		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz) {
			r = mm_mmap(mm, start, fend - start, prot, MAP_PRIVATE | MAP_FIXED, f->inode,
				    p->p_offset & ABI_PAGE_MASK, 7);
			if (r < 0)
				goto out;
			/* The file's bytes after filesz on the last page are bss: zero them. */
			if ((fend & (ABI_PAGE_SIZE - 1)) && p->p_memsz > p->p_filesz) {
				size_t n = ABI_PAGE_SIZE - (fend & (ABI_PAGE_SIZE - 1));

				if (!(prot & PROT_WRITE))
					mm_mprotect(mm, fend & ABI_PAGE_MASK, ABI_PAGE_SIZE, prot | PROT_WRITE);
				r = mm_zero_out(mm, fend, n);
				if (!(prot & PROT_WRITE))
					mm_mprotect(mm, fend & ABI_PAGE_MASK, ABI_PAGE_SIZE, prot);
				if (r < 0)
					goto out;
			}
		}
		if (mend > ABI_PAGE_ALIGN(fend) && p->p_memsz > p->p_filesz) {
			gva_t bss = p->p_filesz ? ABI_PAGE_ALIGN(fend) : start;

			r = mm_mmap(mm, bss, mend - bss, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0, 7);
			if (r < 0)
				goto out;
		}
		if (p->p_offset <= eh.e_phoff && eh.e_phoff + eh.e_phnum * sizeof(*ph) <= p->p_offset + p->p_filesz)
			im->phdr = p->p_vaddr + (eh.e_phoff - p->p_offset) + im->bias;
	}
	if (f->path.d) {
		char name[ABI_PATH_MAX];

		if (vfs_path_string(task_current, &f->path, name, sizeof(name)) > 0)
			mm_set_name(mm, lo + im->bias, ABI_PAGE_ALIGN(hi) + im->bias, name);
	}
	/* Unused parts of the reservation (gaps between segments) stay PROT_NONE, as Linux leaves them. */
	im->entry = eh.e_entry + im->bias;
	im->phnum = eh.e_phnum;
	im->end = hi + im->bias;
	r = 0;
out:
	free(ph);
	return r;
}

/* Builds the initial stack; returns the stack pointer or -errno. */
static long build_stack(struct task *t, struct mm *mm, char *const argv[], char *const envp[], const char *execfn,
			struct image *exe, struct image *interp, gva_t vdso)
{
	size_t argc = 0, envc = 0, strbytes = 0, i, nwords, auxn = 0;
	gva_t top = mm->limit - 0x22000, sp, p, *argp = NULL, *envpp = NULL;
	uint64_t aux[2 * 24], *words = NULL;
	uint8_t rnd[16];
	long r;

	for (argc = 0; argv[argc]; argc++)
		strbytes += strlen(argv[argc]) + 1;
	for (envc = 0; envp[envc]; envc++)
		strbytes += strlen(envp[envc]) + 1;
	strbytes += strlen(execfn) + 1;
	/*
	 * execve checked Linux's limits (a quarter of RLIMIT_STACK); this only
	 * keeps a tiny RLIMIT_STACK's arguments from running off the stack.
	 */
	if (strbytes + (argc + envc + 3) * 8 + STACK_AUX_ROOM > STACK_SIZE)
		return -E2BIG;
	top &= ~15UL;
	r = mm_mmap(mm, top - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0, 7);
	if (r < 0)
		return r;
	mm_set_flags(mm, top - STACK_SIZE, top, VMA_STACK);
	mm->stack_top = top;
	mm->mmap_base = (top - STACK_SIZE - STACK_GAP) & ABI_PAGE_MASK;

	argp = calloc(argc + 1, sizeof(*argp));
	envpp = calloc(envc + 1, sizeof(*envpp));
	if (!argp || !envpp) {
		r = -ENOMEM;
		goto out;
	}
	/* Strings from the top: execfn, then environment, then arguments below them. */
	p = top - 8;
	p -= strlen(execfn) + 1;
	gva_t execfn_at = p;
	if ((r = mm_copy_out(mm, p, execfn, strlen(execfn) + 1)) < 0)
		goto out;
	for (i = envc; i-- > 0;) {
		p -= strlen(envp[i]) + 1;
		envpp[i] = p;
		if ((r = mm_copy_out(mm, p, envp[i], strlen(envp[i]) + 1)) < 0)
			goto out;
	}
	mm->env_start = p;
	mm->env_end = execfn_at;
	for (i = argc; i-- > 0;) {
		p -= strlen(argv[i]) + 1;
		argp[i] = p;
		if ((r = mm_copy_out(mm, p, argv[i], strlen(argv[i]) + 1)) < 0)
			goto out;
	}
	mm->arg_start = p;
	mm->arg_end = mm->env_start;
	p -= sizeof("x86_64");
	gva_t platform_at = p;
	if ((r = mm_copy_out(mm, p, "x86_64", sizeof("x86_64"))) < 0)
		goto out;
	p -= sizeof(rnd);
	p &= ~15UL;
	gva_t random_at = p;
	host_getrandom(rnd, sizeof(rnd));
	if ((r = mm_copy_out(mm, p, rnd, sizeof(rnd))) < 0)
		goto out;

#define AUX(k, v) (aux[auxn++] = (uint64_t)(k), aux[auxn++] = (uint64_t)(v))
	if (vdso)
		AUX(ABI_AT_SYSINFO_EHDR, vdso); /* first, as Linux's x86-64 ARCH_DLINFO puts it */
	AUX(ABI_AT_PHDR, exe->phdr);
	AUX(ABI_AT_PHENT, sizeof(Elf64_Phdr));
	AUX(ABI_AT_PHNUM, exe->phnum);
	AUX(ABI_AT_PAGESZ, ABI_PAGE_SIZE);
	AUX(ABI_AT_BASE, interp ? interp->bias : 0);
	AUX(ABI_AT_FLAGS, 0);
	AUX(ABI_AT_ENTRY, exe->entry);
	AUX(ABI_AT_UID, t->cred.uid);
	AUX(ABI_AT_EUID, t->cred.euid);
	AUX(ABI_AT_GID, t->cred.gid);
	AUX(ABI_AT_EGID, t->cred.egid);
	AUX(ABI_AT_SECURE, 0);
	AUX(ABI_AT_HWCAP, getauxval(AT_HWCAP));
	AUX(ABI_AT_HWCAP2, getauxval(AT_HWCAP2));
	AUX(ABI_AT_CLKTCK, 100);
	AUX(ABI_AT_RANDOM, random_at);
	AUX(ABI_AT_PLATFORM, platform_at);
	AUX(ABI_AT_EXECFN, execfn_at);
	AUX(ABI_AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ) ? getauxval(AT_MINSIGSTKSZ) : 2048);
	AUX(ABI_AT_NULL, 0);
#undef AUX

	nwords = 1 + argc + 1 + envc + 1 + auxn;
	words = calloc(nwords, sizeof(*words));
	if (!words) {
		r = -ENOMEM;
		goto out;
	}
	i = 0;
	words[i++] = argc;
	memcpy(&words[i], argp, argc * sizeof(*words));
	i += argc + 1;
	memcpy(&words[i], envpp, envc * sizeof(*words));
	i += envc + 1;
	memcpy(&words[i], aux, auxn * sizeof(*words));
	sp = (p - nwords * 8) & ~15UL;
	if ((r = mm_copy_out(mm, sp, words, nwords * 8)) < 0)
		goto out;
	mm->auxv_start = sp + (nwords - auxn) * 8;
	mm->auxv_len = auxn * 8;
	r = (long)sp;
out:
	free(argp);
	free(envpp);
	free(words);
	return r;
}

/* Parses "#!interp [arg]" from the first line; 0 if not a script. */
static int parse_shebang(const char *buf, size_t len, char *interp, size_t isz, char *arg, size_t asz)
{
	const char *p = buf + 2, *end, *nl;
	size_t n;

	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	nl = memchr(buf, '\n', len);
	end = nl ? nl : buf + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	n = 0;
	while (p + n < end && p[n] != ' ' && p[n] != '\t')
		n++;
	if (n == 0 || n >= isz)
		return -ENOEXEC;
	memcpy(interp, p, n);
	interp[n] = 0;
	p += n;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(end - p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	if (n >= asz)
		return -ENOEXEC;
	memcpy(arg, p, n);
	arg[n] = 0;
	return 1;
}

long loader_exec(struct task *t, const char *path, char *const argv[], char *const envp[], struct mm **mmp,
		 plat_regs *regs)
{
	return loader_exec_at(t, NULL, path, argv, envp, mmp, regs);
}

long loader_exec_at(struct task *t, const struct path *at, const char *path, char *const argv[],
		    char *const envp[], struct mm **mmp, plat_regs *regs)
{
	struct image exe = {0}, interp = {0};
	struct file *f = NULL, *fi = NULL;
	char head[256], sinterp[256], sarg[256];
	char **nargv = NULL;
	const char *execfn = path;
	struct mm *mm = NULL;
	int depth = 0, err = 0;
	gva_t vdso;
	long r;

	for (;;) {
		r = open_exec(t, at, path, &f);
		if (r < 0)
			goto out;
		r = kread(f, head, sizeof(head), 0);
		if (r < 0)
			goto out;
		r = parse_shebang(head, (size_t)r, sinterp, sizeof(sinterp), sarg, sizeof(sarg));
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		/* A script: run the interpreter with [interp, arg?, path, argv[1:]...]. */
		if (++depth > MAX_SCRIPT_DEPTH) {
			r = -ELOOP;
			goto out;
		}
		{
			size_t n = 0, i, j = 0;
			char **na;

			while (argv[n])
				n++;
			na = calloc(n + 4, sizeof(*na));
			if (!na) {
				r = -ENOMEM;
				goto out;
			}
			na[j++] = strdup(sinterp);
			if (sarg[0])
				na[j++] = strdup(sarg);
			na[j++] = strdup(path);
			for (i = 1; i < n; i++)
				na[j++] = strdup(argv[i]);
			for (i = 0; i < j; i++)
				if (!na[i])
					r = -ENOMEM;
			if (nargv) {
				for (i = 0; nargv[i]; i++)
					free(nargv[i]);
				free(nargv);
			}
			nargv = na;
			argv = na;
			if (r == -ENOMEM)
				goto out;
			path = na[0];
			at = NULL; /* the interpreter is found by its name */
		}
		file_put(f);
		f = NULL;
	}

	timing_mark(TIMING_LOADER);
	mm = mm_create(&err);
	timing_mark(TIMING_STUB);
	if (!mm) {
		r = err;
		goto out;
	}
	/* The stack first: it fixes mmap_base, below which everything else goes top-down. */
	mm->mmap_base = (mm->limit - 0x22000 - STACK_SIZE - STACK_GAP) & ABI_PAGE_MASK;
	r = load_elf(mm, f, 0, &exe);
	if (r == 0 && f->path.d)
		r = mm_set_exe(mm, &f->path); /* what /proc/PID/exe opens */
	if (r < 0)
		goto out;
	if (exe.interp[0]) {
		r = open_exec(t, NULL, exe.interp, &fi);
		if (r < 0)
			goto out;
		r = load_elf(mm, fi, 1, &interp);
		if (r < 0)
			goto out;
	}
	/* After the interpreter, so the vDSO lands below it (top-down), where Linux puts it. */
	r = loader_map_vdso ? loader_map_vdso(mm) : 0;
	if (r < 0)
		goto out;
	vdso = (gva_t)r;
	mm->brk_start = mm->brk = ABI_PAGE_ALIGN(exe.end);
	r = build_stack(t, mm, argv, envp, execfn, &exe, exe.interp[0] ? &interp : NULL, vdso);
	if (r < 0)
		goto out;
	memset(regs, 0, sizeof(*regs));
	/* Linux's x86-64 user segments and flags (interrupts on). */
	regs->cs = 0x33;
	regs->ss = 0x2b;
	regs->eflags = 0x202;
	regs->rsp = (uint64_t)r;
	regs->rip = exe.interp[0] ? interp.entry : exe.entry;
	*mmp = mm;
	mm = NULL;
	r = 0;
out:
	if (mm)
		mm_put(mm);
	if (f)
		file_put(f);
	if (fi)
		file_put(fi);
	if (nargv) {
		size_t i;

		for (i = 0; nargv[i]; i++)
			free(nargv[i]);
		free(nargv);
	}
	return r;
}
