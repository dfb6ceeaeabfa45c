/* cvisor list [--format table|json] [-q]: the containers under --root. */
#define _GNU_SOURCE
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "oci.h"
#include "shim.h"

int shim_list(int argc, char **argv)
{
	json_object *all = json_object_new_array();
	const char *format = "table";
	int i, quiet = 0;
	struct dirent *e;
	DIR *d;

	for (i = 1; i < argc; i++) {
		const char *v;

		if ((v = oci_flag(argc, argv, &i, "--format", "-f")))
			format = v;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = 1;
		else
			return shim_fail("cvisor list [--format table|json] [-q]", "list: unknown flag '%s'", argv[i]);
	}
	if (!quiet && !strcmp(format, "table"))
		printf("%-12s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	d = opendir(oci_g.root);
	while (d && (e = readdir(d))) {
		struct oci_state st;
		enum oci_status s;

		if (e->d_name[0] == '.' || oci_state_load(e->d_name, &st) < 0)
			continue;
		s = oci_state_status(&st);
		if (quiet) {
			printf("%s\n", st.id);
		} else if (!strcmp(format, "json")) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "ociVersion", json_object_new_string("1.1.0"));
			json_object_object_add(o, "id", json_object_new_string(st.id));
			json_object_object_add(o, "pid", json_object_new_int(s == OCI_STOPPED ? 0 : st.pid));
			json_object_object_add(o, "status", json_object_new_string(oci_status_name[s]));
			json_object_object_add(o, "bundle", json_object_new_string(st.bundle));
			json_object_object_add(o, "created", json_object_new_string(st.created));
			json_object_object_add(o, "owner", json_object_new_string("root"));
			json_object_array_add(all, o);
		} else {
			printf("%-12s %-8d %-10s %-40s %s\n", st.id, s == OCI_STOPPED ? 0 : (int)st.pid, oci_status_name[s],
			       st.bundle, st.created);
		}
		oci_state_free(&st);
	}
	if (d)
		closedir(d);
	if (!quiet && !strcmp(format, "json"))
		printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(all);
	return 0;
}
