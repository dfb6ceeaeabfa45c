/*
 * Who may read and set extended attributes, as Linux's xattr_permission
 * has it: user.* needs the file's read or write permission and lives only
 * on regular files and directories; trusted.* is root's alone.  Run as
 * root, the checks drop to uid 1000 in a child.
 */
#include "check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

int main(void)
{
	char v[8];
	pid_t pid;

	mkdir("/tmp/cvt-xp", 0777);
	close(open("/tmp/cvt-xp/open", O_CREAT | O_WRONLY, 0666));
	close(open("/tmp/cvt-xp/closed", O_CREAT | O_WRONLY, 0644));
	chmod("/tmp/cvt-xp/open", 0666);
	symlink("open", "/tmp/cvt-xp/link");
	CHECK("root: user. on a symlink", lsetxattr("/tmp/cvt-xp/link", "user.a", "1", 1, 0));
	CHECK("root: get user. of a symlink", lgetxattr("/tmp/cvt-xp/link", "user.a", v, sizeof(v)));
	CHECK("root: trusted.", setxattr("/tmp/cvt-xp/closed", "trusted.a", "1", 1, 0));
	pid = fork();
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(2);
		CHECK("user: user. on another's writable file", setxattr("/tmp/cvt-xp/open", "user.a", "1", 1, 0));
		CHECK("user: user. on another's read-only file", setxattr("/tmp/cvt-xp/closed", "user.a", "1", 1, 0));
		CHECK("user: get user. of another's readable file", getxattr("/tmp/cvt-xp/open", "user.a", v, sizeof(v)));
		CHECK("user: trusted. on another's writable file", setxattr("/tmp/cvt-xp/open", "trusted.a", "1", 1, 0));
		CHECK("user: get trusted.", getxattr("/tmp/cvt-xp/closed", "trusted.a", v, sizeof(v)));
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	unlink("/tmp/cvt-xp/link");
	unlink("/tmp/cvt-xp/open");
	unlink("/tmp/cvt-xp/closed");
	rmdir("/tmp/cvt-xp");
	return 0;
}
