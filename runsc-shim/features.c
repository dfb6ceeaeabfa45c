/* cvisor features: what this runtime implements, in the runtime spec's features.json shape. */
#define _GNU_SOURCE
#include <stdio.h>

#include "oci.h"
#include "shim.h"

int shim_features(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("{\n"
	      "  \"ociVersionMin\": \"1.0.0\",\n"
	      "  \"ociVersionMax\": \"1.1.0\",\n"
	      "  \"hooks\": [],\n"
	      "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\", \"size\", \"mode\"],\n"
	      "  \"linux\": {\n"
	      "    \"namespaces\": [\"pid\", \"mount\", \"ipc\", \"uts\", \"network\", \"user\"],\n"
	      "    \"capabilities\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_DAC_READ_SEARCH\", \"CAP_FOWNER\", \"CAP_FSETID\",\n"
	      "      \"CAP_KILL\", \"CAP_SETGID\", \"CAP_SETUID\", \"CAP_SETPCAP\", \"CAP_NET_BIND_SERVICE\", \"CAP_NET_RAW\",\n"
	      "      \"CAP_SYS_CHROOT\", \"CAP_SYS_ADMIN\", \"CAP_MKNOD\", \"CAP_AUDIT_WRITE\", \"CAP_SETFCAP\"],\n"
	      "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, \"systemdUser\": false},\n"
	      "    \"seccomp\": {\"enabled\": false},\n"
	      "    \"apparmor\": {\"enabled\": false},\n"
	      "    \"selinux\": {\"enabled\": false}\n"
	      "  },\n"
	      "  \"annotations\": {\"org.opencontainers.runtime-spec.features\": \"cvisor: a user-space kernel sandbox\"}\n"
	      "}\n",
	      stdout);
	return 0;
}
