/*
 * cvisor delete [--force] ID: forgets a stopped container (its state and
 * cgroups); with --force any container, killed first, and a missing one
 * is no error (clean-up is idempotent, as containerd and podman expect).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"
#include "shim.h"

int shim_delete(int argc, char **argv)
{
	struct oci_state st;
	enum oci_status s;
	const char *id;
	int i = 1, force = 0, lock, tries, r;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f"))
			force = 1;
		else
			return shim_fail("cvisor delete [--force] ID", "delete: unknown flag '%s'", argv[i]);
	}
	if (!(id = oci_id(argc, argv, i, "delete")))
		return 1;
	r = oci_state_load(id, &st);
	if (r == -ENOENT && force)
		return 0;
	if (r < 0 && !(force && r == -EIO))
		return oci_find(id, &st);
	lock = oci_lock(id);
	s = oci_state_status(&st);
	if (s != OCI_STOPPED && s != OCI_CREATING && !force && s != OCI_CREATED) {
		oci_state_free(&st);
		close(lock);
		return shim_fail("stop it first (cvisor kill), or use --force", "cannot delete container %s that is %s", id,
				 oci_status_name[s]);
	}
	if (s != OCI_STOPPED && s != OCI_CREATING) {
		oci_cgroup_freeze(&st.cg, 0);
		kill(st.pid, SIGKILL);
		for (tries = 0; tries < 300 && oci_state_status(&st) != OCI_STOPPED; tries++)
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	if (s != OCI_CREATING)
		oci_hooks_run(&st, "poststop", 0);
	oci_remove(id, &st.cg);
	oci_state_free(&st);
	if (lock >= 0)
		close(lock);
	return 0;
}
