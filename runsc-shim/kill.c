/*
 * cvisor kill [--all] ID [SIGNAL]: the signal goes to the monitor, which
 * passes on to the sandbox what the sentry takes (SIGTERM, SIGINT, SIGHUP,
 * SIGUSR1/2...) as runc's init would get them; SIGKILL ends the monitor,
 * and the sentry and gofers with it (their parent-death signal).  A
 * stopped container: an error without --all, nothing to do with it (as
 * clean-up loops such as `ctr task rm -f` expect).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "shim.h"

int shim_kill(int argc, char **argv)
{
	struct oci_state st;
	enum oci_status s;
	const char *id;
	int i = 1, all = 0, sig = SIGTERM, r = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a"))
			all = 1;
		else
			return shim_fail("cvisor kill [--all] ID [SIGNAL]", "kill: unknown flag '%s'", argv[i]);
	}
	if (!(id = oci_id(argc, argv, i, "kill")))
		return 1;
	if (i + 1 < argc && (sig = oci_signal(argv[i + 1])) < 0)
		return shim_fail("give a number or a name such as TERM or SIGKILL", "unknown signal '%s'", argv[i + 1]);
	if (oci_find(id, &st))
		return 1;
	s = oci_state_status(&st);
	if (s == OCI_STOPPED || s == OCI_CREATING) {
		if (!all)
			r = shim_fail(NULL, "container not running");
	} else {
		/* A frozen sandbox cannot act on a signal; one that kills it must get through. */
		if (sig == SIGKILL && s == OCI_PAUSED)
			oci_cgroup_freeze(&st.cg, 0);
		if (kill(st.pid, sig) < 0)
			r = shim_fail(NULL, "cannot signal container %s: %m", id);
	}
	oci_state_free(&st);
	return r;
}
