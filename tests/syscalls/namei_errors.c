/*
 * The errors of making and removing names, in Linux's order: EEXIST,
 * ENOENT, ENOTDIR, EISDIR, ENOTEMPTY, EBUSY, EINVAL, EXDEV, EPERM for a
 * sticky directory and EACCES for the parent or a moved directory (as other
 * users, in children that setresuid), names in a removed directory, the
 * modes mkdir keeps and the group a setgid directory hands down.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define D "/tmp/cvt-ne"

static void show(const char *what, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		printf("%s: stat %s\n", what, errname(errno));
	else
		printf("%s: mode %o uid %u gid %u nlink %lu\n", what, st.st_mode, st.st_uid, st.st_gid,
		       (unsigned long)st.st_nlink);
	fflush(stdout);
}

static void size_of(const char *what, const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		printf("%s: sizes %ld %ld\n", what, (long)sa.st_size, (long)sb.st_size);
	fflush(stdout);
}

static void as_user(uid_t uid, gid_t gid, void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
			printf("setresuid: %s\n", errname(errno));
			_exit(1);
		}
		fn();
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("child status %d\n", status);
	fflush(stdout);
}

static void root_cases(void)
{
	int fd;

	mkdir(D, 0755);
	mkdir(D "/dir", 0755);
	mkdir(D "/full", 0755);
	mkdir(D "/full/in", 0755);
	mkdir(D "/empty", 0755);
	close(open(D "/file", O_CREAT | O_WRONLY, 0644));

	CHECK("mkdir existing", mkdir(D "/dir", 0755));
	CHECK("mkdir file", mkdir(D "/file", 0755));
	CHECK("mkdir trailing slash", mkdir(D "/new/", 0755));
	CHECK("mkdir missing parent", mkdir(D "/missing/x", 0755));
	CHECK("mkdir under file", mkdir(D "/file/x", 0755));
	CHECK("mkdir dot", mkdir(D "/.", 0755));
	CHECK("mkdir root", mkdir("/", 0755));
	umask(0);
	CHECK("mkdir 07777", mkdir(D "/modes", 07777));
	show("mkdir 07777", D "/modes");
	CHECK("mknod 07777", mknod(D "/modes/f", S_IFREG | 07777, 0));
	show("mknod 07777", D "/modes/f");
	fd = open(D "/modes/o", O_CREAT | O_WRONLY, 07777);
	close(fd);
	show("open 07777", D "/modes/o");
	CHECK("symlink", symlink("x", D "/modes/l"));
	show("symlink", D "/modes/l");
	umask(027);
	CHECK("mkfifo umask", mkfifo(D "/modes/p", 0777));
	show("mkfifo umask", D "/modes/p");
	umask(022);

	CHECK("mknod dir", mknod(D "/nd", S_IFDIR | 0755, 0));
	CHECK("mknod bad type", mknod(D "/nd", 0170000 | 0644, 0));
	CHECK("mknod type 0", mknod(D "/n0", 0644, 0));
	show("mknod type 0", D "/n0");
	CHECK("mkfifo existing", mkfifo(D "/file", 0644));
	CHECK("mkfifo trailing slash", mkfifo(D "/fifo/", 0644));
	CHECK("mkfifo existing trailing slash", mkfifo(D "/file/", 0644));
	CHECK("mkfifo dot", mkfifo(D "/.", 0644));
	CHECK("mkfifo dotdot", mkfifo(D "/dir/..", 0644));

	CHECK("symlink empty target", symlink("", D "/sl"));
	CHECK("symlink existing", symlink("x", D "/file"));
	CHECK("symlink trailing slash", symlink("x", D "/sl/"));

	CHECK("link dir", link(D "/dir", D "/dlink"));
	CHECK("link dir to existing", link(D "/dir", D "/file"));
	CHECK("link to trailing slash", link(D "/file", D "/nl/"));
	CHECK("link to other mount", link(D "/file", "/dev/shm/cvt-ne-x"));
	CHECK("link missing", link(D "/missing", D "/nl"));
	CHECK("link to dot", link(D "/file", D "/."));
	CHECK("link existing", link(D "/file", D "/dir"));

	CHECK("unlink dir", unlink(D "/dir"));
	CHECK("unlink trailing slash", unlink(D "/file/"));
	CHECK("unlink missing", unlink(D "/missing"));
	CHECK("unlink missing trailing slash", unlink(D "/missing/"));
	CHECK("unlink dot", unlink(D "/."));
	CHECK("unlink root", unlink("/"));

	CHECK("rmdir file", rmdir(D "/file"));
	CHECK("rmdir file trailing slash", rmdir(D "/file/"));
	CHECK("rmdir non-empty", rmdir(D "/full"));
	CHECK("rmdir dot", rmdir(D "/dir/."));
	CHECK("rmdir dotdot", rmdir(D "/dir/.."));
	CHECK("rmdir root", rmdir("/"));
	CHECK("rmdir missing", rmdir(D "/missing"));

	CHECK("rename into own subtree", rename(D "/full", D "/full/in/x"));
	CHECK("rename onto own ancestor", rename(D "/full/in", D "/full"));
	CHECK("rename file over dir", rename(D "/file", D "/dir"));
	CHECK("rename dir over file", rename(D "/dir", D "/file"));
	CHECK("rename dir over non-empty", rename(D "/dir", D "/full"));
	CHECK("rename missing to other mount", rename(D "/missing", "/dev/shm/cvt-ne-x"));
	CHECK("rename dot", rename(D "/.", D "/x"));
	CHECK("rename to dot", rename(D "/file", D "/."));
	CHECK("rename to root", rename(D "/file", "/"));
	CHECK("renameat2 noreplace to dot", renameat2(AT_FDCWD, D "/file", AT_FDCWD, D "/.", RENAME_NOREPLACE));
	CHECK("renameat2 noreplace existing", renameat2(AT_FDCWD, D "/file", AT_FDCWD, D "/n0", RENAME_NOREPLACE));
	CHECK("renameat2 exchange missing", renameat2(AT_FDCWD, D "/file", AT_FDCWD, D "/missing", RENAME_EXCHANGE));
	CHECK("renameat2 exchange into own subtree",
	      renameat2(AT_FDCWD, D "/full", AT_FDCWD, D "/full/in", RENAME_EXCHANGE));
	CHECK("renameat2 both flags",
	      renameat2(AT_FDCWD, D "/file", AT_FDCWD, D "/n0", RENAME_EXCHANGE | RENAME_NOREPLACE));
	CHECK("rename file trailing slash", rename(D "/file/", D "/x"));
	CHECK("rename to trailing slash", rename(D "/file", D "/x/"));
	CHECK("rename missing", rename(D "/missing", D "/x"));
	CHECK("rename missing over dir", rename(D "/missing", D "/dir"));
	CHECK("rename dir over empty", rename(D "/dir", D "/empty"));
	show("renamed dir", D "/empty");
	show("parent after", D);
	CHECK("rename dir trailing slashes", rename(D "/empty/", D "/dir/"));

	/* tmpfs counts 20 bytes a name in a directory's size: a rename over a name leaves one fewer. */
	mkdir(D "/sz", 0755);
	mkdir(D "/sz2", 0755);
	close(open(D "/sz/a", O_CREAT | O_WRONLY, 0644));
	close(open(D "/sz/b", O_CREAT | O_WRONLY, 0644));
	close(open(D "/sz2/c", O_CREAT | O_WRONLY, 0644));
	size_of("sizes before", D "/sz", D "/sz2");
	CHECK("rename over in dir", rename(D "/sz/a", D "/sz/b"));
	size_of("rename over in dir", D "/sz", D "/sz2");
	CHECK("rename over across", rename(D "/sz/b", D "/sz2/c"));
	size_of("rename over across", D "/sz", D "/sz2");
	CHECK("rename across", rename(D "/sz2/c", D "/sz/c"));
	size_of("rename across", D "/sz", D "/sz2");

	/* A setgid directory hands its group down, and its setgid bit to directories. */
	CHECK("mkdir setgid", mkdir(D "/sg", 0755));
	CHECK("chown setgid", chown(D "/sg", 0, 1234));
	CHECK("chmod setgid", chmod(D "/sg", 02777));
	CHECK("mkdir in setgid", mkdir(D "/sg/d", 0755));
	show("mkdir in setgid", D "/sg/d");
	close(open(D "/sg/f", O_CREAT | O_WRONLY, 02755));
	show("open in setgid", D "/sg/f");
	CHECK("mkfifo in setgid", mkfifo(D "/sg/p", 0644));
	show("mkfifo in setgid", D "/sg/p");
	CHECK("symlink in setgid", symlink("x", D "/sg/l"));
	show("symlink in setgid", D "/sg/l");
	fd = open(D "/sg", O_TMPFILE | O_WRONLY, 0640);
	if (fd >= 0) {
		char proc[64];

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		CHECK("link O_TMPFILE in setgid", linkat(AT_FDCWD, proc, AT_FDCWD, D "/sg/t", AT_SYMLINK_FOLLOW));
		show("O_TMPFILE in setgid", D "/sg/t");
		close(fd);
	}

	/* Nothing is made in a directory that was removed. */
	mkdir(D "/dead", 0755);
	if (chdir(D "/dead") == 0) {
		CHECK("rmdir cwd", rmdir(D "/dead"));
		CHECK("open O_CREAT in removed", open("x", O_CREAT | O_WRONLY, 0644));
		CHECK("mkdir in removed", mkdir("x", 0755));
		CHECK("mkfifo in removed", mkfifo("x", 0644));
		CHECK("symlink in removed", symlink("y", "x"));
		CHECK("link in removed", link(D "/file", "x"));
		CHECK("unlink in removed", unlink("x"));
		CHECK("rename into removed", rename(D "/file", "x"));
		CHECK("chdir back", chdir("/"));
	}
}

/* Symlinks as the last component, dots, long names, O_TMPFILE. */
static void link_cases(void)
{
	char longname[300];
	int fd;

	mkdir(D "/ln", 0755);
	mkdir(D "/ln/d", 0755);
	close(open(D "/ln/f", O_CREAT | O_WRONLY, 0644));
	symlink("d", D "/ln/sd");
	symlink("f", D "/ln/sf");
	symlink("nowhere", D "/ln/dangling");
	CHECK("rmdir symlink to dir", rmdir(D "/ln/sd"));
	CHECK("rmdir symlink to dir, slash", rmdir(D "/ln/sd/"));
	CHECK("unlink symlink to dir, slash", unlink(D "/ln/sd/"));
	CHECK("mkdir over dangling", mkdir(D "/ln/dangling", 0755));
	CHECK("mkdir over dangling, slash", mkdir(D "/ln/dangling/", 0755));
	CHECK("mkfifo over dangling", mkfifo(D "/ln/dangling", 0644));
	CHECK("open O_CREAT|O_EXCL dangling", open(D "/ln/dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK("open O_CREAT|O_NOFOLLOW dangling", open(D "/ln/dangling", O_CREAT | O_NOFOLLOW | O_WRONLY, 0644));
	fd = open(D "/ln/dangling", O_CREAT | O_WRONLY, 0644);
	CHECK("open O_CREAT dangling makes its target", fd < 0 ? -1 : 0);
	close(fd);
	show("the target", D "/ln/nowhere");
	CHECK("link symlink", link(D "/ln/sf", D "/ln/l1"));
	show("link symlink", D "/ln/l1");
	CHECK("linkat follow", linkat(AT_FDCWD, D "/ln/sf", AT_FDCWD, D "/ln/l2", AT_SYMLINK_FOLLOW));
	show("linkat follow", D "/ln/l2");
	CHECK("linkat bad flags", linkat(AT_FDCWD, D "/ln/f", AT_FDCWD, D "/ln/l3", 0x10000));
	CHECK("rename symlink to dir", rename(D "/ln/sd", D "/ln/sd2"));
	CHECK("rename symlink to dir, slash", rename(D "/ln/sd2/", D "/ln/sd3"));
	CHECK("rename file onto dir slash", rename(D "/ln/f", D "/ln/d/"));
	CHECK("rename dir onto file slash", rename(D "/ln/d", D "/ln/f/"));
	CHECK("rename dir onto itself", rename(D "/ln/d", D "/ln/d"));
	CHECK("rename dir onto itself, slash", rename(D "/ln/d/", D "/ln/d/"));
	CHECK("rename dot dir", rename(D "/ln/d/.", D "/ln/x"));
	CHECK("rename dotdot", rename(D "/ln/d/..", D "/ln/x"));
	CHECK("rmdir dir/./", rmdir(D "/ln/d/./"));
	CHECK("unlink dir/..", unlink(D "/ln/d/.."));
	CHECK("mkdir a/b/..", mkdir(D "/ln/d/..", 0755));
	CHECK("exchange with itself", renameat2(AT_FDCWD, D "/ln/f", AT_FDCWD, D "/ln/f", RENAME_EXCHANGE));
	CHECK("exchange file and dir", renameat2(AT_FDCWD, D "/ln/f", AT_FDCWD, D "/ln/d", RENAME_EXCHANGE));
	show("exchanged: f", D "/ln/f");
	show("exchanged: ln", D "/ln");
	CHECK("exchange file slash", renameat2(AT_FDCWD, D "/ln/d/", AT_FDCWD, D "/ln/f/", RENAME_EXCHANGE));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	memcpy(longname, "/tmp/", 5);
	CHECK("mkdir long name", mkdir(longname, 0755));
	CHECK("mkfifo long name", mkfifo(longname, 0644));
	CHECK("rename to long name", rename(D "/ln/l1", longname));
	CHECK("unlink long name", unlink(longname));
	fd = open(D "/ln", O_TMPFILE | O_WRONLY | O_EXCL, 0644);
	if (fd >= 0) {
		char proc[64];

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		CHECK("link O_TMPFILE|O_EXCL", linkat(AT_FDCWD, proc, AT_FDCWD, D "/ln/t", AT_SYMLINK_FOLLOW));
		close(fd);
	}
	fd = open(D "/ln/l2", O_RDONLY);
	unlink(D "/ln/l2");
	unlink(D "/ln/nowhere");
	CHECK("linkat AT_EMPTY_PATH of a removed file",
	      linkat(fd, "", AT_FDCWD, D "/ln/back", AT_EMPTY_PATH));
	close(fd);
}

/* Which of a file's and its directory's times each call moves (ctime: metadata, mtime: entries). */
static void times_of(const char *what, const char *file, const char *dir, struct stat *f0, struct stat *d0)
{
	struct stat f, d;
	int fc, dm, dc;

	if (lstat(file, &f) < 0)
		memset(&f, 0, sizeof(f));
	stat(dir, &d);
	fc = f.st_ctim.tv_sec != f0->st_ctim.tv_sec || f.st_ctim.tv_nsec != f0->st_ctim.tv_nsec;
	dm = d.st_mtim.tv_sec != d0->st_mtim.tv_sec || d.st_mtim.tv_nsec != d0->st_mtim.tv_nsec;
	dc = d.st_ctim.tv_sec != d0->st_ctim.tv_sec || d.st_ctim.tv_nsec != d0->st_ctim.tv_nsec;
	printf("%s: file ctime %s, dir mtime %s, dir ctime %s\n", what, fc ? "moved" : "same", dm ? "moved" : "same",
	       dc ? "moved" : "same");
	fflush(stdout);
	*f0 = f;
	*d0 = d;
	usleep(20000);
}

static void time_cases(void)
{
	struct stat f, d, o;
	int fd;

	mkdir(D "/tm", 0755);
	mkdir(D "/tm2", 0755);
	close(open(D "/tm/f", O_CREAT | O_WRONLY, 0644));
	lstat(D "/tm/f", &f);
	stat(D "/tm", &d);
	usleep(20000);
	link(D "/tm/f", D "/tm/g");
	times_of("link", D "/tm/f", D "/tm", &f, &d);
	unlink(D "/tm/g");
	times_of("unlink one of two", D "/tm/f", D "/tm", &f, &d);
	rename(D "/tm/f", D "/tm/h");
	times_of("rename", D "/tm/h", D "/tm", &f, &d);
	stat(D "/tm2", &o);
	rename(D "/tm/h", D "/tm2/h");
	times_of("rename out", D "/tm2/h", D "/tm", &f, &d);
	times_of("rename in", D "/tm2/h", D "/tm2", &f, &o);
	close(open(D "/tm2/v", O_CREAT | O_WRONLY, 0644));
	fd = open(D "/tm2/v", O_RDONLY);
	lstat(D "/tm2/v", &f);
	stat(D "/tm2", &o);
	usleep(20000);
	rename(D "/tm2/h", D "/tm2/v");
	{
		struct stat v;

		fstat(fd, &v);
		printf("replaced file: ctime %s, nlink %lu\n",
		       v.st_ctim.tv_sec != f.st_ctim.tv_sec || v.st_ctim.tv_nsec != f.st_ctim.tv_nsec ? "moved" : "same",
		       (unsigned long)v.st_nlink);
	}
	close(fd);
	mkdir(D "/tm2/sd", 0755);
	stat(D "/tm2/sd", &f);
	stat(D "/tm2", &o);
	usleep(20000);
	mkdir(D "/tm2/sd/x", 0755);
	times_of("mkdir in it", D "/tm2/sd", D "/tm2", &f, &o);
	rmdir(D "/tm2/sd/x");
	times_of("rmdir in it", D "/tm2/sd", D "/tm2", &f, &o);
	mkfifo(D "/tm2/sd/p", 0644);
	times_of("mkfifo in it", D "/tm2/sd", D "/tm2", &f, &o);
	symlink("x", D "/tm2/sd/l");
	times_of("symlink in it", D "/tm2/sd", D "/tm2", &f, &o);
}

static void other_a(void)
{
	close(open(D "/st/a", O_CREAT | O_WRONLY, 0644));
	CHECK("a: mkdir in sticky", mkdir(D "/st/adir", 0755));
	close(open(D "/st2/a", O_CREAT | O_WRONLY, 0644));
	close(open(D "/w/mine", O_CREAT | O_WRONLY, 0644));
	show("a: own file", D "/w/mine");
	CHECK("a: mkdir own", mkdir(D "/w/minedir", 0750));
	show("a: own dir", D "/w/minedir");
}

static void other_b(void)
{
	CHECK("b: unlink other's in sticky", unlink(D "/st/a"));
	CHECK("b: rename other's in sticky", rename(D "/st/a", D "/st/c"));
	CHECK("b: rmdir other's in sticky", rmdir(D "/st/adir"));
	close(open(D "/st/b", O_CREAT | O_WRONLY, 0644));
	CHECK("b: rename own over other's in sticky", rename(D "/st/b", D "/st/a"));
	CHECK("b: rename own in sticky", rename(D "/st/b", D "/st/b2"));
	CHECK("b: unlink own in sticky", unlink(D "/st/b2"));
	CHECK("b: unlink in own sticky dir", unlink(D "/st2/a"));

	CHECK("b: mkdir in read-only dir", mkdir(D "/ro/x", 0755));
	CHECK("b: mkdir existing in read-only dir", mkdir(D "/ro/f", 0755));
	CHECK("b: mkfifo in read-only dir", mkfifo(D "/ro/x", 0644));
	CHECK("b: open O_CREAT in read-only dir", open(D "/ro/x", O_CREAT | O_WRONLY, 0644));
	CHECK("b: symlink in read-only dir", symlink("y", D "/ro/x"));
	CHECK("b: link into read-only dir", link(D "/w/f", D "/ro/x"));
	CHECK("b: unlink in read-only dir", unlink(D "/ro/f"));
	CHECK("b: unlink dir in read-only dir", unlink(D "/ro/sub"));
	CHECK("b: rmdir file in read-only dir", rmdir(D "/ro/f"));
	CHECK("b: rmdir missing in read-only dir", rmdir(D "/ro/missing"));
	CHECK("b: rename out of read-only dir", rename(D "/ro/f", D "/w/f2"));
	CHECK("b: mkdir in unsearchable dir", mkdir(D "/nx/x", 0755));
	CHECK("b: unlink in unsearchable dir", unlink(D "/nx/f"));
	CHECK("b: mknod char", mknod(D "/w/c", S_IFCHR | 0644, makedev(1, 3)));
	CHECK("b: move root's dir to another dir", rename(D "/w/rd", D "/w/w2/rd"));
	CHECK("b: rename root's dir in its dir", rename(D "/w/rd", D "/w/rd2"));
	CHECK("b: link root's file", link(D "/w/f", D "/w/f3"));

	/* In a setgid directory of a group b is not in: no setgid executable files. */
	close(open(D "/sgu/f", O_CREAT | O_WRONLY, 02755));
	show("b: setgid file in setgid dir", D "/sgu/f");
	CHECK("b: mknod setgid", mknod(D "/sgu/n", S_IFREG | 02750, 0));
	show("b: mknod setgid in setgid dir", D "/sgu/n");
	CHECK("b: mkdir in setgid dir", mkdir(D "/sgu/d", 0755));
	show("b: mkdir in setgid dir", D "/sgu/d");
}

static void user_cases(void)
{
	mkdir(D "/st", 01777);
	chmod(D "/st", 01777);
	mkdir(D "/st2", 01777);
	chmod(D "/st2", 01777);
	CHECK("chown st2", chown(D "/st2", 1001, 1001));
	mkdir(D "/ro", 0755);
	close(open(D "/ro/f", O_CREAT | O_WRONLY, 0666));
	mkdir(D "/ro/sub", 0777);
	mkdir(D "/nx", 0666);
	chmod(D "/nx", 0666);
	close(open(D "/nx/f", O_CREAT | O_WRONLY, 0666));
	mkdir(D "/w", 0777);
	chmod(D "/w", 0777);
	mkdir(D "/w/w2", 0777);
	chmod(D "/w/w2", 0777);
	mkdir(D "/w/rd", 0755);
	close(open(D "/w/f", O_CREAT | O_WRONLY, 0666));
	chmod(D "/w/f", 0666);
	mkdir(D "/sgu", 0777);
	chown(D "/sgu", 0, 1234);
	chmod(D "/sgu", 02777);
	as_user(1000, 1000, other_a);
	as_user(1001, 1001, other_b);
	show("a left in sticky", D "/st/a");
}

int main(void)
{
	umask(022);
	root_cases();
	link_cases();
	time_cases();
	user_cases();
	return 0;
}
