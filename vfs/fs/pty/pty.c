/*
 * Pseudo-terminals: /dev/ptmx makes a pair, /dev/pts/N is the slave.  The
 * line discipline is the sentry's: canonical line editing (erase, kill,
 * EOF), echo, CR/NL mapping, output post-processing (ONLCR), and ISIG's
 * signals (^C, ^\, ^Z) to the foreground process group.  A pty can be a
 * session's controlling terminal (TIOCSCTTY, /dev/tty), with TIOCSPGRP
 * choosing its foreground group and TIOCSWINSZ raising SIGWINCH there.
 * Reads and writes never block (-EAGAIN); waiters of both sides sleep on
 * the slave node's queue, which every change wakes (notify).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/mm.h"
#include "../../vfs.h"
#include "pty.h"

#define MAXPTY 64
#define OUTSZ 65536
#define INSZ 8192

/* The kernel's struct termios (TCGETS/TCSETS), not glibc's larger one. */
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct pty {
	int index, locked;
	struct ktermios tio;
	struct winsize ws;
	char in[INSZ];          /* cooked input the slave can read */
	size_t inlen;
	int eof;                /* ^D at the start of a line: the next read returns 0 */
	char line[INSZ];        /* the canonical line being edited */
	size_t linelen;
	char out[OUTSZ];        /* what the slave wrote (and echo), for the master */
	size_t outhead, outlen;
	int masters, slaves;
	int slave_opened;
	int sid, fgpgrp;        /* the session it controls, and its foreground group */
	struct inode *ino;      /* the slave's node in /dev/pts, for notifications */
	struct dentry *node;
};

static struct pty *ptys[MAXPTY];
static struct dentry *pts_dir;

static const struct file_ops master_fops, slave_fops;

/* Both sides wait on the slave node's queue (pty_wait_link), whichever inode their file has. */
static void notify(struct pty *p)
{
	if (p->ino)
		vfs_notify(p->ino);
}

static void pty_wait_link(struct file *f, struct vfs_pollset *ps)
{
	struct pty *p = f->priv;

	if (p && p->ino)
		vfs_pollset_add_inode(ps, p->ino);
}

struct waitq *pty_waitq(struct pty *p)
{
	return &p->ino->wq;
}

static void default_termios(struct ktermios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD; /* a pty has no HUPCL (Linux's pts driver) */
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN | ECHOCTL | ECHOKE;
	t->c_cc[VINTR] = 3;
	t->c_cc[VQUIT] = 28;
	t->c_cc[VERASE] = 127;
	t->c_cc[VKILL] = 21;
	t->c_cc[VEOF] = 4;
	t->c_cc[VMIN] = 1;
	t->c_cc[VSTART] = 17;
	t->c_cc[VSTOP] = 19;
	t->c_cc[VSUSP] = 26;
	t->c_cc[VREPRINT] = 18;
	t->c_cc[VDISCARD] = 15;
	t->c_cc[VWERASE] = 23;
	t->c_cc[VLNEXT] = 22;
}

/* Output toward the master, with ONLCR when post-processing is on. */
static void out_put(struct pty *p, const char *s, size_t n, int raw)
{
	size_t i;

	for (i = 0; i < n && p->outlen < OUTSZ - 1; i++) {
		if (!raw && s[i] == '\n' && (p->tio.c_oflag & OPOST) && (p->tio.c_oflag & ONLCR))
			p->out[(p->outhead + p->outlen++) % OUTSZ] = '\r';
		p->out[(p->outhead + p->outlen++) % OUTSZ] = s[i];
	}
}

static void echo(struct pty *p, char c)
{
	if (!(p->tio.c_lflag & ECHO) && !(c == '\n' && (p->tio.c_lflag & ECHONL)))
		return;
	if ((p->tio.c_lflag & ECHOCTL) && (unsigned char)c < 32 && c != '\n' && c != '\t') {
		char s[2] = {'^', (char)(c + 64)};

		out_put(p, s, 2, 1);
		return;
	}
	out_put(p, &c, 1, 0);
}

static void signal_fg(struct pty *p, int sig)
{
	if (p->fgpgrp > 0)
		tg_signal_pgrp(p->fgpgrp, sig);
}

/* One character from the master (typed at the terminal) through the line discipline. */
static void input(struct pty *p, char c)
{
	struct ktermios *t = &p->tio;

	if (t->c_lflag & ISIG) {
		int sig = c == (char)t->c_cc[VINTR] ? SIGINT : c == (char)t->c_cc[VQUIT] ? SIGQUIT :
			  c == (char)t->c_cc[VSUSP] ? SIGTSTP : 0;

		if (sig && c) {
			echo(p, c);
			p->linelen = 0;
			signal_fg(p, sig);
			return;
		}
	}
	if (c == '\r' && (t->c_iflag & IGNCR))
		return;
	if (c == '\r' && (t->c_iflag & ICRNL))
		c = '\n';
	else if (c == '\n' && (t->c_iflag & INLCR))
		c = '\r';
	if (!(t->c_lflag & ICANON)) {
		if (p->inlen < INSZ)
			p->in[p->inlen++] = c;
		echo(p, c);
		return;
	}
	if (c == (char)t->c_cc[VERASE] || c == '\b') {
		if (p->linelen) {
			p->linelen--;
			if ((t->c_lflag & ECHO) && (t->c_lflag & ECHOE))
				out_put(p, "\b \b", 3, 1);
		}
		return;
	}
	if (c == (char)t->c_cc[VKILL]) {
		while (p->linelen) {
			p->linelen--;
			if ((t->c_lflag & ECHO) && (t->c_lflag & ECHOKE))
				out_put(p, "\b \b", 3, 1);
		}
		return;
	}
	if (c == (char)t->c_cc[VEOF]) {
		if (p->linelen == 0)
			p->eof = 1;
		if (p->inlen + p->linelen <= INSZ) {
			memcpy(p->in + p->inlen, p->line, p->linelen);
			p->inlen += p->linelen;
		}
		p->linelen = 0;
		return;
	}
	if (p->linelen < INSZ - 1)
		p->line[p->linelen++] = c;
	echo(p, c);
	if (c == '\n' || (c && c == (char)t->c_cc[VEOL])) {
		if (p->inlen + p->linelen <= INSZ) {
			memcpy(p->in + p->inlen, p->line, p->linelen);
			p->inlen += p->linelen;
		}
		p->linelen = 0;
	}
}


/* ---- the master side ---- */

long pty_master_write(struct pty *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		input(p, s[i]);
	notify(p);
	return (long)n;
}

size_t pty_master_read(struct pty *p, char *buf, size_t n)
{
	size_t done = 0;

	while (done < n && p->outlen) {
		buf[done++] = p->out[p->outhead];
		p->outhead = (p->outhead + 1) % OUTSZ;
		p->outlen--;
	}
	if (done)
		notify(p);
	return done;
}

int pty_slave_gone(struct pty *p)
{
	return p->slave_opened && p->slaves == 0;
}

static long m_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct pty *p = f->priv;
	size_t done = 0;
	int i;

	(void)pos;
	if (!p->outlen)
		return pty_slave_gone(p) ? -EIO : -EAGAIN;
	for (i = 0; i < cnt && p->outlen; i++)
		done += pty_master_read(p, iov[i].iov_base, iov[i].iov_len);
	return (long)done;
}

static long m_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	size_t done = 0;
	int i;

	(void)pos;
	for (i = 0; i < cnt; i++) {
		pty_master_write(f->priv, iov[i].iov_base, iov[i].iov_len);
		done += iov[i].iov_len;
	}
	return (long)done;
}

static unsigned m_poll(struct file *f, uint64_t *deadline)
{
	struct pty *p = f->priv;

	(void)deadline;
	return (p->outlen ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM | (pty_slave_gone(p) ? POLLHUP : 0);
}

/* ---- the slave side ---- */

/*
 * Job control: a process of a background group touching its controlling
 * terminal.  SIGTTIN (reads) stops its group unless blocked or ignored,
 * which makes the read fail with EIO; SIGTTOU (writes under TOSTOP,
 * settings changes) is simply not sent then.  An orphaned group, which no
 * shell would continue, gets EIO.  The call restarts after SIGCONT.
 */
static long job_check(struct pty *p, int sig)
{
	struct task *t = task_current;
	int passed;

	if (!t || t->tg->ctty != p || p->fgpgrp <= 0 || t->tg->pgid == p->fgpgrp)
		return 0;
	passed = (t->sigmask & (1ULL << (sig - 1))) || t->sighand->act[sig - 1].handler == (uint64_t)SIG_IGN;
	if (passed)
		return sig == SIGTTIN ? -EIO : 0;
	if (tg_pgrp_orphaned(t->tg->pgid))
		return -EIO;
	tg_signal_pgrp(t->tg->pgid, sig);
	return -ERESTARTSYS;
}

static long s_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct pty *p = f->priv;
	size_t want = iov_total(iov, cnt), n = 0, done = 0;
	long r;
	int i;

	(void)pos;
	if ((r = job_check(p, SIGTTIN)) < 0)
		return r;
	for (;;) {
		if (p->inlen)
			break;
		if (p->eof) {
			p->eof = 0;
			return 0;
		}
		if (p->masters == 0)
			return 0;
		return -EAGAIN;
	}
	/* Canonical: at most one line. */
	if (p->tio.c_lflag & ICANON) {
		char *nl = memchr(p->in, '\n', p->inlen);

		n = nl ? (size_t)(nl - p->in) + 1 : p->inlen;
	} else {
		n = p->inlen;
	}
	if (n > want)
		n = want;
	for (i = 0; i < cnt && done < n; i++) {
		size_t k = iov[i].iov_len < n - done ? iov[i].iov_len : n - done;

		memcpy(iov[i].iov_base, p->in + done, k);
		done += k;
	}
	memmove(p->in, p->in + n, p->inlen - n);
	p->inlen -= n;
	notify(p);
	return (long)n;
}

static long s_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct pty *p = f->priv;
	size_t done = 0;
	long r;
	int i;

	(void)pos;
	if ((p->tio.c_lflag & TOSTOP) && (r = job_check(p, SIGTTOU)) < 0)
		return r;
	for (i = 0; i < cnt; i++) {
		const char *s = iov[i].iov_base;
		size_t k = 0;

		while (k < iov[i].iov_len) {
			size_t room = OUTSZ - 1 - p->outlen;

			if (p->masters == 0)
				return done ? (long)done : -EIO;
			if (room < 2) {
				notify(p);
				return done ? (long)done : -EAGAIN;
			}
			/* Leave room for a CR before each NL. */
			room = room / 2;
			if (room > iov[i].iov_len - k)
				room = iov[i].iov_len - k;
			out_put(p, s + k, room, 0);
			k += room;
			done += room;
		}
	}
	notify(p);
	return (long)done;
}

static unsigned s_poll(struct file *f, uint64_t *deadline)
{
	struct pty *p = f->priv;

	(void)deadline;
	return (p->inlen || p->eof || !p->masters ? POLLIN | POLLRDNORM : 0) |
	       (p->outlen < OUTSZ / 2 ? POLLOUT | POLLWRNORM : 0) | (!p->masters ? POLLHUP : 0);
}

/* ---- ioctls, both sides ---- */

/* TCSETS* and TCSETA*: the new settings; flush drops pending input first. */
static long set_termios(struct pty *p, const struct ktermios *k, int flush)
{
	p->tio = *k;
	if (flush)
		p->inlen = p->linelen = 0;
	if (!(p->tio.c_lflag & ICANON) && p->linelen) {
		memcpy(p->in + p->inlen, p->line, p->linelen);
		p->inlen += p->linelen;
		p->linelen = 0;
	}
	notify(p);
	return 0;
}

static long tty_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct pty *p = f->priv;
	int v;

	switch (req) {
	case TCGETS:
		return mm_copy_out(t->mm, arg, &p->tio, sizeof(p->tio));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (f->ops == &slave_fops && (v = (int)job_check(p, SIGTTOU)) < 0)
			return v;
	{
		struct ktermios k;

		if (mm_copy_in(t->mm, &k, arg, sizeof(k)) < 0)
			return -EFAULT;
		return set_termios(p, &k, req == TCSETSF);
	}
	case TCGETA: { /* the old struct termio: the flags' low halves and the first 8 control characters */
		struct termio o = {(uint16_t)p->tio.c_iflag, (uint16_t)p->tio.c_oflag, (uint16_t)p->tio.c_cflag,
				   (uint16_t)p->tio.c_lflag, p->tio.c_line, {0}};

		memcpy(o.c_cc, p->tio.c_cc, sizeof(o.c_cc));
		return mm_copy_out(t->mm, arg, &o, sizeof(o));
	}
	case TCSETA:
	case TCSETAW:
	case TCSETAF: {
		struct termio o;
		struct ktermios k = p->tio;

		if (f->ops == &slave_fops && (v = (int)job_check(p, SIGTTOU)) < 0)
			return v;
		if (mm_copy_in(t->mm, &o, arg, sizeof(o)) < 0)
			return -EFAULT;
		k.c_iflag = (k.c_iflag & 0xffff0000u) | o.c_iflag;
		k.c_oflag = (k.c_oflag & 0xffff0000u) | o.c_oflag;
		k.c_cflag = (k.c_cflag & 0xffff0000u) | o.c_cflag;
		k.c_lflag = (k.c_lflag & 0xffff0000u) | o.c_lflag;
		k.c_line = o.c_line;
		memcpy(k.c_cc, o.c_cc, sizeof(o.c_cc));
		return set_termios(p, &k, req == TCSETAF);
	}
	case TIOCGWINSZ:
		return mm_copy_out(t->mm, arg, &p->ws, sizeof(p->ws));
	case TIOCSWINSZ: {
		struct winsize ws;

		if (mm_copy_in(t->mm, &ws, arg, sizeof(ws)) < 0)
			return -EFAULT;
		pty_set_winsize(p, &ws);
		return 0;
	}
	case TIOCGPGRP:
		if (p->sid != t->tg->sid)
			return -ENOTTY;
		v = task_vnr(t, p->fgpgrp); /* kept global: in the caller's pid namespace */
		return mm_copy_out(t->mm, arg, &v, sizeof(int));
	case TIOCSPGRP:
		if (f->ops == &slave_fops && (v = (int)job_check(p, SIGTTOU)) < 0)
			return v;
		if (mm_copy_in(t->mm, &v, arg, sizeof(v)) < 0)
			return -EFAULT;
		if (p->sid != t->tg->sid)
			return -ENOTTY;
		if (v <= 0)
			return -EINVAL;
		if (!(v = task_gnr(t, v)))
			return -ESRCH; /* no group the caller can see */
		p->fgpgrp = v;
		return 0;
	case TIOCGSID:
		if (p->sid <= 0)
			return -ENOTTY;
		v = task_vnr(t, p->sid);
		return mm_copy_out(t->mm, arg, &v, sizeof(int));
	case TIOCSCTTY:
		if (t->tg->sid != t->tg->tgid)
			return -EPERM; /* only a session leader */
		if (p->sid > 0 && p->sid != t->tg->sid && !(arg == 1 && capable(t, CAP_SYS_ADMIN)))
			return -EPERM;
		p->sid = t->tg->sid;
		p->fgpgrp = t->tg->pgid;
		t->tg->ctty = p;
		return 0;
	case TIOCNOTTY:
		if (t->tg->ctty == p)
			t->tg->ctty = NULL;
		return 0;
	case FIONREAD:
		v = f->ops == &master_fops ? (int)p->outlen : (int)p->inlen;
		return mm_copy_out(t->mm, arg, &v, sizeof(v));
	case TIOCOUTQ:
		v = f->ops == &master_fops ? 0 : (int)p->outlen;
		return mm_copy_out(t->mm, arg, &v, sizeof(v));
	case TIOCGPTN:
		if (f->ops != &master_fops)
			return -ENOTTY;
		return mm_copy_out(t->mm, arg, &p->index, sizeof(int));
	case TIOCSPTLCK:
		if (f->ops != &master_fops)
			return -ENOTTY;
		if (mm_copy_in(t->mm, &v, arg, sizeof(v)) < 0)
			return -EFAULT;
		p->locked = !!v;
		return 0;
	case TIOCGETD:
		v = 0;
		return mm_copy_out(t->mm, arg, &v, sizeof(v));
	case TCFLSH:
		if (arg == TCIFLUSH || arg == TCIOFLUSH)
			p->inlen = p->linelen = 0;
		if (arg == TCOFLUSH || arg == TCIOFLUSH)
			p->outlen = 0;
		notify(p);
		return 0;
	case TCSBRK:
	case TCSBRKP:
	case TCXONC:
	case TIOCEXCL:
	case TIOCNXCL:
	case TIOCSETD:
		return 0;
	case TIOCSTI:
		return -EPERM; /* typing into another's terminal: never in the sandbox */
	}
	return -ENOTTY;
}

/* ---- opening and closing ---- */

/* The pty of `cvisor do -t`, which is also the sandbox's console. */
static struct pty *console_pty;

static void put_pty(struct pty *p)
{
	if (p->masters || p->slaves)
		return;
	if (p == console_pty)
		console_pty = NULL;
	if (p->node)
		vfs_remove_name(p->node);
	ptys[p->index] = NULL;
	free(p);
}

static void m_release(struct file *f)
{
	struct pty *p = f->priv;

	p->masters--;
	signal_fg(p, SIGHUP);
	notify(p);
	put_pty(p);
}

static void s_release(struct file *f)
{
	struct pty *p = f->priv;

	p->slaves--;
	notify(p);
	put_pty(p);
}

static long slave_open(struct file *f, int flags)
{
	struct task *t = task_current;
	struct pty *p;
	unsigned idx = minor(f->inode->rdev);

	if (idx >= MAXPTY || !(p = ptys[idx]))
		return -EIO;
	if (p->locked)
		return -EIO;
	f->priv = p;
	p->slaves++;
	p->slave_opened = 1;
	/* A session leader without a terminal acquires this one (unless O_NOCTTY). */
	if (t && !(flags & O_NOCTTY) && t->tg->sid == t->tg->tgid && !t->tg->ctty && p->sid <= 0) {
		p->sid = t->tg->sid;
		p->fgpgrp = t->tg->pgid;
		t->tg->ctty = p;
	}
	return 0;
}

static long ptmx_open(struct file *f, int flags);
static long tty_open(struct file *f, int flags);

static const struct file_ops master_fops = {
	.read = m_read, .write = m_write, .poll = m_poll, .ioctl = tty_ioctl, .release = m_release,
	.wait_link = pty_wait_link,
};

static const struct file_ops slave_fops = {
	.read = s_read, .write = s_write, .poll = s_poll, .ioctl = tty_ioctl, .release = s_release,
	.open = slave_open, .wait_link = pty_wait_link,
};

static const struct file_ops ptmx_fops = {.open = ptmx_open};
static const struct file_ops tty_fops = {.open = tty_open};

struct pty *pty_new(void)
{
	struct pty *p;
	char name[16];
	int i;

	for (i = 0; i < MAXPTY && ptys[i]; i++)
		;
	if (i == MAXPTY || !pts_dir)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->index = i;
	p->locked = 1;
	p->sid = -1;
	default_termios(&p->tio);
	snprintf(name, sizeof(name), "%d", i);
	if (pts_dir->inode->iops->mknod(pts_dir->inode, name, S_IFCHR | 0620, makedev(136, i), NULL, &p->ino) == 0) {
		p->node = dentry_new(pts_dir, name, strlen(name), p->ino);
		if (!p->node) {
			inode_put(p->ino);
			p->ino = NULL;
		}
	}
	if (!p->node) {
		free(p);
		return NULL;
	}
	ptys[i] = p;
	return p;
}

static long ptmx_open(struct file *f, int flags)
{
	struct pty *p = pty_new();

	(void)flags;
	if (!p)
		return -ENOSPC;
	f->ops = &master_fops;
	f->priv = p;
	p->masters++;
	return 0;
}

static long tty_open(struct file *f, int flags)
{
	struct task *t = task_current;
	struct pty *p = t ? t->tg->ctty : NULL;

	(void)flags;
	if (!p)
		return -ENXIO; /* no controlling terminal */
	f->ops = &slave_fops;
	f->priv = p;
	p->slaves++;
	return 0;
}

const struct file_ops *pty_char_fops(uint64_t rdev)
{
	if (major(rdev) == 136)
		return &slave_fops;
	if (major(rdev) == 5 && minor(rdev) == 2)
		return &ptmx_fops;
	if (major(rdev) == 5 && minor(rdev) == 0)
		return &tty_fops;
	return NULL;
}

void pty_set_pts_dir(struct dentry *d)
{
	pts_dir = d;
}

struct file *pty_open_slave(struct pty *p)
{
	struct file *f = file_new(NULL, p->ino, &slave_fops, O_RDWR);

	if (!f)
		return NULL;
	f->priv = p;
	p->slaves++;
	p->slave_opened = 1;
	p->locked = 0;
	return f;
}

void pty_hold_master(struct pty *p)
{
	p->masters++;
	if (!console_pty)
		console_pty = p;
}

void pty_hold(struct pty *p)
{
	p->masters++;
}

void pty_release(struct pty *p)
{
	p->masters--;
	signal_fg(p, SIGHUP);
	notify(p);
	put_pty(p);
}

long pty_console_open(struct file *f)
{
	if (!console_pty)
		return -ENXIO;
	f->ops = &slave_fops;
	f->priv = console_pty;
	console_pty->slaves++;
	return 0;
}

void pty_make_controlling(struct pty *p, struct thread_group *g)
{
	p->sid = g->sid;
	p->fgpgrp = g->pgid;
	g->ctty = p;
}

int pty_index(const struct pty *p)
{
	return p->index;
}

int pty_fgpgrp(const struct pty *p)
{
	return p->fgpgrp > 0 ? p->fgpgrp : 0;
}

void pty_set_winsize(struct pty *p, const struct winsize *ws)
{
	int changed = memcmp(&p->ws, ws, sizeof(*ws)) != 0;

	p->ws = *ws;
	if (changed)
		signal_fg(p, SIGWINCH);
}
