/*
 * The UTS names: sethostname and setdomainname, what uname and
 * /proc/sys/kernel/{hostname,domainname} then show, and their errors.
 *
 * Natively the test first moves into a UTS namespace of its own, so the
 * host's names never change; in the sandbox that is a UTS namespace of its
 * own already.  A failure of unshare stops the test before it sets a name
 * (in the sandbox too, unless it refused with EPERM, as it once did).
 */
#include "check.h"
#include <linux/capability.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/utsname.h>


int main(void)
{
	char long_name[66];

	if (unshare(CLONE_NEWUTS) < 0 && !in_cvisor()) {
		printf("unshare(CLONE_NEWUTS) = -1 %s: not setting any name\n", errname(errno));
		return 1;
	}
	CHECK("sethostname", sethostname("cvt-host", 8));
	CHECK("setdomainname", setdomainname("cvt.example", 11));
	show_uts("set");
	CHECK("setdomainname empty", setdomainname("", 0));
	show_uts("empty domain");
	memset(long_name, 'd', sizeof(long_name));
	CHECK("setdomainname 64 bytes", setdomainname(long_name, 64));
	show_uts("64 bytes");
	CHECK("setdomainname 65 bytes", setdomainname(long_name, 65));
	CHECK("setdomainname bad pointer", syscall(SYS_setdomainname, 8L, 4L));
	CHECK("sethostname 65 bytes", sethostname(long_name, 65));
	CHECK("sethostname bad pointer", syscall(SYS_sethostname, 8L, 4L));
	{
		/* Without CAP_SYS_ADMIN in the effective set: EPERM. */
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2];

		syscall(SYS_capget, &h, d);
		d[0].effective &= ~(1U << CAP_SYS_ADMIN);
		CHECK("capset", syscall(SYS_capset, &h, d));
		CHECK("setdomainname without CAP_SYS_ADMIN", setdomainname("x", 1));
		CHECK("sethostname without CAP_SYS_ADMIN", sethostname("x", 1));
	}
	show_uts("at the end");
	return 0;
}
