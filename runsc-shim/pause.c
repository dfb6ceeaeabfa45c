/*
 * cvisor pause ID, cvisor resume ID: the host freezer stops every process
 * of the sandbox at once (the sentry, its stubs, the gofers), so that no
 * application thread runs on while its sentry thread is stopped.  Just
 * before it freezes, pause keeps the process list for ps (ps.c).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "shim.h"

static int freeze(int argc, char **argv, int frozen)
{
	const char *verb = frozen ? "pause" : "resume", *id = oci_id(argc, argv, 1, verb);
	struct oci_state st;
	enum oci_status s;
	int lock, r = 0;

	if (!id || oci_find(id, &st))
		return 1;
	lock = oci_lock(id);
	s = oci_state_status(&st);
	if (s != (frozen ? OCI_RUNNING : OCI_PAUSED))
		r = shim_fail(NULL, "container %s is %s, not %s", id, oci_status_name[s], frozen ? "running" : "paused");
	else if (frozen && ps_keep(id) < 0)
		r = 1; /* the sandbox did not answer: not frozen, so that nothing is paused that ps could not list */
	else if ((r = oci_cgroup_freeze(&st.cg, frozen)) < 0)
		r = shim_fail("the host needs the cgroup freezer (cgroup v2, or v1's freezer)", "cannot %s container %s: %s",
			      verb, id, strerror(-r));
	/* The kept list lives as long as the pause: gone at resume, or when the freeze failed. */
	if (frozen ? r != 0 : r == 0)
		ps_forget(id);
	oci_state_free(&st);
	if (lock >= 0)
		close(lock);
	return r;
}

int shim_pause(int argc, char **argv)
{
	return freeze(argc, argv, 1);
}

int shim_resume(int argc, char **argv)
{
	return freeze(argc, argv, 0);
}
