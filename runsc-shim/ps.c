/*
 * cvisor ps [--format table|json] ID: the host processes of the container
 * (its cgroup's: the monitor, the gofers, the sentry and its stubs), as
 * runc lists the host pids of its container's processes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "shim.h"

int shim_ps(int argc, char **argv)
{
	const char *format = "table", *id;
	struct oci_state st;
	pid_t *pids;
	size_t n, k;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *v = oci_flag(argc, argv, &i, "--format", "-f");

		if (!v)
			return shim_fail("cvisor ps [--format table|json] ID", "ps: unknown flag '%s'", argv[i]);
		format = v;
	}
	if (!(id = oci_id(argc, argv, i, "ps")) || oci_find(id, &st))
		return 1;
	pids = oci_cgroup_pids(&st.cg, &n);
	if (!strcmp(format, "json")) {
		printf("[");
		for (k = 0; k < n; k++)
			printf("%s%d", k ? "," : "", (int)pids[k]);
		printf("]\n");
	} else {
		printf("PID\n");
		for (k = 0; k < n; k++)
			printf("%d\n", (int)pids[k]);
	}
	free(pids);
	oci_state_free(&st);
	return 0;
}
