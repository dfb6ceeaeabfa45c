/*
 * splice from a pipe into a file opened O_APPEND is EINVAL, copy_file_range
 * into one EBADF, as Linux (LTP's splice03); into the same file opened
 * without O_APPEND both work.
 */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>

int main(void)
{
	char path[] = "/tmp/splice_append.XXXXXX";
	int f = mkstemp(path), p[2], a, src;

	if (f < 0 || pipe(p) < 0)
		return 1;
	a = open(path, O_WRONLY | O_APPEND);
	src = open(path, O_RDONLY);
	CHECK("write 10 to the pipe", write(p[1], "0123456789", 10));
	CHECK("splice to the O_APPEND fd", splice(p[0], NULL, a, NULL, 10, 0));
	CHECK("splice to the plain fd", splice(p[0], NULL, f, NULL, 10, 0));
	CHECK("copy_file_range to the O_APPEND fd", copy_file_range(src, NULL, a, NULL, 5, 0));
	CHECK("copy_file_range to the plain fd", copy_file_range(src, NULL, f, NULL, 5, 0));
	unlink(path);
	return 0;
}
