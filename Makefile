# cvisor: `make` builds build/cvisor; `make run` and `make test` install what
# they need from Debian first (see README.md).

CC      ?= gcc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -fno-strict-aliasing -I.
ifeq ($(CI),true)
CFLAGS  += -Werror
endif
ifdef WERROR
CFLAGS  += -Werror
endif
# The small libraries are linked in where Debian's archives are position
# independent (each shared one cost every start some 40 us of the loader's
# work); libunwind's is not and libmnl has none, so those two stay shared:
# the binary stays a PIE, its code at a random address in the sentry, which
# parses hostile input (docs/security.md weighs the 0.1 ms this costs).
LDFLAGS += -rdynamic
LDLIBS  = -Wl,-Bstatic -lseccomp -lxxhash -ljson-c -Wl,-Bdynamic -lunwind -lmnl -lpthread

B = build

# Every C file of a folder is part of the binary (tests and fuzz targets live under tests/).
SRCS_PLATFORM = $(wildcard platform/*.c platform/*/*.c)
ASM_PLATFORM  = $(wildcard platform/*/*.S)
ASM_SENTRY    = $(wildcard sentry/*/*.S)
SRCS_SENTRY   = $(wildcard sentry/*.c sentry/*/*.c)
SRCS_SYSCALLS = $(wildcard syscalls/*.c)
SRCS_VFS      = $(wildcard vfs/*.c vfs/fs/*/*.c)
SRCS_SHIM     = $(wildcard runsc-shim/*.c runsc-shim/*/*.c)
SRCS_NET      = $(wildcard netstack/*.c netstack/*/*.c)

SRCS = $(SRCS_PLATFORM) $(SRCS_SENTRY) $(SRCS_SYSCALLS) $(SRCS_VFS) $(SRCS_NET) $(SRCS_SHIM)
OBJS = $(SRCS:%.c=$(B)/obj/%.o) $(ASM_PLATFORM:%.S=$(B)/obj/%.o) $(ASM_SENTRY:%.S=$(B)/obj/%.o)

# Debian packages: to build, for make run's program, to test, to benchmark.
DEPS_BUILD = gcc make libc6-dev libseccomp-dev libunwind-dev libxxhash-dev libjson-c-dev libmnl-dev pkg-config
DEPS_RUN   = busybox-static
DEPS_TEST  = busybox-static python3 perl coreutils procps git tar gzip util-linux tmux vim clang iputils-ping iproute2 postgresql runc curl stress-ng trinity containerd podman conmon libaio-dev nginx-light redis-server redis-tools iperf3 python3-scapy strace gdb
DEPS_BENCH = runsc crun iperf3
DEPS_COMPAT = python3 libpython3.11-testsuite iproute2

all: $(B)/cvisor

$(B)/cvisor: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# The vDSO image (sentry/vdso/image/): a shared object of its own, built
# without the sentry's flags (no sanitizers, no libc, no relocations) and
# carried in the binary by sentry/vdso/vdso_image.S.
VDSO_CFLAGS  = -O2 -g0 -std=gnu11 -Wall -Wextra -fPIC -ffreestanding -fno-builtin -fno-stack-protector \
	       -fcf-protection=none -fno-plt -I.
VDSO_LDFLAGS = -shared -nostdlib -Wl,-T,sentry/vdso/image/vdso.lds -Wl,-soname=linux-vdso.so.1 \
	       -Wl,--hash-style=both -Wl,--eh-frame-hdr -Wl,-Bsymbolic -Wl,--no-undefined \
	       -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none
ifneq ($(filter -Werror,$(CFLAGS)),)
VDSO_CFLAGS += -Werror
endif

$(B)/vdso/vdso.so: sentry/vdso/image/vdso.c sentry/vdso/image/vdso.lds sentry/vdso/vdso_data.h
	@mkdir -p $(dir $@)
	$(CC) $(VDSO_CFLAGS) $(VDSO_LDFLAGS) -o $@.tmp sentry/vdso/image/vdso.c
	@if readelf -r $@.tmp | grep -q 'Relocation section'; then \
		echo "cvisor: the vDSO image has relocations; nothing would apply them" >&2; rm -f $@.tmp; exit 1; fi
	mv $@.tmp $@

$(B)/obj/sentry/vdso/vdso_image.o: sentry/vdso/vdso_image.S $(B)/vdso/vdso.so
	@mkdir -p $(dir $@)
	$(CC) -c -DVDSO_IMAGE='"$(B)/vdso/vdso.so"' -o $@ $<

-include $(OBJS:.o=.d)

# Installs Debian packages that are missing (root on Debian 12; a no-op when all are there).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "cvisor: need root to install$$missing (or install them yourself)"; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(DEPS_BUILD))

deps-run: deps
	$(call apt_install,$(DEPS_RUN))

deps-test: deps-run
	$(call apt_install,$(DEPS_TEST))

deps-bench: deps-test
	$(call apt_install,$(DEPS_BENCH))

# Builds, then runs a real program in a sandbox (busybox: installed first, as a
# fresh Debian 12 has no /bin/busybox).
run: deps-run
	$(MAKE) $(B)/cvisor
	$(B)/cvisor do -- /bin/busybox sh -c 'echo "hello from the sandbox: $$((6*7))"; ls /'

# The suite on build/cvisor, then its syscall and integration tests again on
# the sanitizer build (ASan, UBSan, LeakSanitizer).
test: deps-test
	$(MAKE) $(B)/cvisor
	$(MAKE) asan
	bash tests/run.sh --asan build/asan/cvisor

# The layers call one way only (docs/architecture.md): fails on a cycle
# between them, printed with the symbols that make it; first proves that it can.
deps-check: $(B)/cvisor
	bash tests/deps/deps-check.sh --self-test
	bash tests/deps/deps-check.sh -v $(B)/obj $(patsubst $(B)/obj/%,%,$(OBJS))

# The fuzzers for longer than make test runs them (tests/fuzz/run.sh): each
# libFuzzer target for FUZZ_SECONDS, then the system call fuzzer inside the
# sandbox for FUZZ_SYSCALL_SECONDS, on build/cvisor and on the sanitizer build.
FUZZ_SECONDS ?= 60
FUZZ_SYSCALL_SECONDS ?= 300
fuzz: deps-test
	$(MAKE) $(B)/cvisor
	$(MAKE) asan
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SYSCALL_SECONDS=$(FUZZ_SYSCALL_SECONDS) bash tests/fuzz/run.sh $(B)/cvisor
	bash tests/fuzz/sysfuzz/run.sh build/asan/cvisor $(FUZZ_SYSCALL_SECONDS) 2

deps-compat: deps-run
	$(call apt_install,$(DEPS_COMPAT))

# CPython's regression tests (the kernel-facing modules), natively and in the
# sandbox, compared test by test; prints the table the README shows.  About
# 20 minutes on 2 CPUs.  MODULES="test_os test_fcntl" runs only those.
compat: deps-compat
	$(MAKE) $(B)/cvisor
	bash tests/compat/cpython.sh $(B)/cvisor $(MODULES)

bench: deps-bench
	$(MAKE) $(B)/cvisor
	bash tests/bench/run.sh
	bash tests/bench/oci.sh

asan:
	$(MAKE) B=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
		LDLIBS="$(LDLIBS) -fsanitize=address,undefined" build/asan/cvisor

clean:
	rm -rf $(B)

.PHONY: all deps deps-run deps-test deps-bench deps-compat compat run test fuzz deps-check bench asan clean
