/*
 * Mappings of a file from the image (the program's own executable): shared
 * read-only, private ones that share the page cache until written, fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	char head[4], *s, *p1, *p2;
	pid_t c;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (fd < 0)
		return 1;
	s = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	printf("shared read-only mapping: %s\n", s == MAP_FAILED ? strerror(errno) : !memcmp(s, "\177ELF", 4) ? "ELF" : "wrong bytes");
	printf("shared writable of a read-only fd: %s\n",
	       mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? strerror(errno) : "mapped");
	p1 = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	p2 = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p1 == MAP_FAILED || p2 == MAP_FAILED)
		return 2;
	printf("private mappings read the file: %d %d\n", !memcmp(p1, "\177ELF", 4), !memcmp(p2, "\177ELF", 4));
	p1[0] = 'X';
	p1[5000] = 'Y';
	printf("a write stays in its mapping: %c / %c %c\n", p1[0], p2[0], s[0]);
	if (pread(fd, head, 4, 0) != 4)
		return 3;
	printf("read() sees the file: %d\n", !memcmp(head, "\177ELF", 4));
	printf("mprotect a read-only private mapping writable: %d\n", mprotect(p2, 4096, PROT_READ | PROT_WRITE));
	p2[1] = 'Z';
	printf("then written: %c%c, shared one still %c%c\n", p2[0], p2[1], s[0], s[1]);
	c = fork();
	if (c == 0) {
		p1[1] = 'C';
		s = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		printf("child: its write %c%c, a new mapping %c\n", p1[0], p1[1], s[1]);
		_exit(0);
	}
	waitpid(c, &st, 0);
	printf("parent after the child wrote: %c%c\n", p1[0], p1[1]);
	printf("munmap: %d %d %d\n", munmap(p1, 8192), munmap(p2, 8192), munmap(s, 8192));
	return 0;
}
