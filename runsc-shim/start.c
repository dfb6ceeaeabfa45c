/* cvisor start ID: the created container's monitor, waiting on its start fifo, goes on (between the start hooks). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "shim.h"

int oci_start(const struct oci_state *st)
{
	char fifo[4400];
	int fd, r = 0;

	if (oci_hooks_run(st, "startContainer", 1))
		return 1;
	if (oci_fifo_path(st->id, fifo, sizeof(fifo)) == 0) {
		/* Non-blocking: ENXIO says the monitor is gone (no reader). */
		fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || write(fd, "", 1) != 1)
			r = shim_fail("delete the container and create it again", "cannot start container %s: %s", st->id,
				      strerror(errno == ENXIO ? ESRCH : errno));
		if (fd >= 0)
			close(fd);
	}
	if (!r)
		oci_hooks_run(st, "poststart", 0);
	return r;
}

int shim_start(int argc, char **argv)
{
	const char *id = oci_id(argc, argv, 1, "start");
	struct oci_state st;
	enum oci_status s;
	int lock, r;

	if (!id || oci_find(id, &st))
		return 1;
	lock = oci_lock(id);
	s = oci_state_status(&st);
	if (s != OCI_CREATED)
		r = shim_fail("only a created container can be started", "cannot start a container that is %s",
			      oci_status_name[s]);
	else
		r = oci_start(&st);
	oci_state_free(&st);
	if (lock >= 0)
		close(lock);
	return r;
}
