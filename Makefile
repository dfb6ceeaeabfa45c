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
LDFLAGS += -rdynamic
LDLIBS  = -lseccomp -lunwind -lxxhash -lpthread

B = build

SRCS_PLATFORM = platform/ptrace/ptrace.c
ASM_PLATFORM  = platform/ptrace/stub.S
SRCS_SENTRY   = sentry/sentry.c sentry/crash.c sentry/host/host.c sentry/host/seccomp.c \
                sentry/mm/memfile.c sentry/mm/mm.c sentry/loader/elf.c sentry/kernel/task.c sentry/kernel/process.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/wait.c
SRCS_SYSCALLS = syscalls/table.c syscalls/strace.c syscalls/sys_file.c syscalls/sys_mm.c \
                syscalls/sys_proc.c syscalls/sys_time.c syscalls/sys_poll.c syscalls/sys_fsmeta.c syscalls/sys_cred.c syscalls/sys_event.c syscalls/sys_socket.c syscalls/sys_xfile.c
SRCS_VFS      = vfs/core.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/lock.c vfs/xattr.c vfs/fs/gofer/gofer.c \
                vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/pipe/pipe.c vfs/fs/hoststdio/hoststdio.c vfs/fs/proc/proc.c vfs/fs/event/event.c vfs/fs/epoll/epoll.c vfs/fs/unix/unix.c vfs/fs/overlay/overlay.c vfs/fs/sys/sys.c vfs/fs/pty/pty.c vfs/fs/inotify/inotify.c
SRCS_SHIM     = runsc-shim/main.c runsc-shim/do.c runsc-shim/confine.c runsc-shim/gofer/gofer.c

SRCS = $(SRCS_PLATFORM) $(SRCS_SENTRY) $(SRCS_SYSCALLS) $(SRCS_VFS) $(SRCS_SHIM)
OBJS = $(SRCS:%.c=$(B)/obj/%.o) $(ASM_PLATFORM:%.S=$(B)/obj/%.o)

# Debian packages: to build, to test, to benchmark.
DEPS_BUILD = gcc make libc6-dev libseccomp-dev libunwind-dev libxxhash-dev pkg-config
DEPS_TEST  = busybox-static python3 perl coreutils procps git tar gzip util-linux tmux vim
DEPS_BENCH = runsc

all: $(B)/cvisor

$(B)/cvisor: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

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

deps-test: deps
	$(call apt_install,$(DEPS_TEST))

deps-bench: deps-test
	$(call apt_install,$(DEPS_BENCH))

# Builds, then runs a real program in a sandbox.
run: deps
	$(MAKE) $(B)/cvisor
	$(B)/cvisor do -- /bin/busybox sh -c 'echo "hello from the sandbox: $$((6*7))"; ls /'

test: deps-test
	$(MAKE) $(B)/cvisor
	bash tests/run.sh

bench: deps-bench
	$(MAKE) $(B)/cvisor
	bash tests/bench/run.sh

asan:
	$(MAKE) B=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDLIBS="$(LDLIBS) -fsanitize=address,undefined" build/asan/cvisor

clean:
	rm -rf $(B)

.PHONY: all deps deps-test deps-bench run test bench asan clean
