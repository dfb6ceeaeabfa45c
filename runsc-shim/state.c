/* cvisor state ID: the OCI state JSON of the container. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "oci.h"
#include "shim.h"

int shim_state(int argc, char **argv)
{
	const char *id = oci_id(argc, argv, 1, "state");
	struct oci_state st;
	char *json;

	if (!id || oci_find(id, &st))
		return 1;
	json = oci_state_json(&st);
	printf("%s\n", json);
	free(json);
	oci_state_free(&st);
	return 0;
}
