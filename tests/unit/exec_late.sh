#!/usr/bin/env bash
# An execve that fails past its point of no return (cvisor do
# --test-exec-failure: no memory for a vfork child's new context, or for
# the copy of signal actions it shares with another process) ends that
# process with SIGSEGV, as Linux does, and leaves the other process alone:
# the vfork parent runs on, and the actions it shares keep its handler.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build/tests/unit
# A tree under /tmp is out of the sandbox's sight (its /tmp is its own).
case $root/ in /tmp/*) bin=$(mktemp -d /var/tmp/cvisor-exec-late.XXXXXX); trap 'rm -rf "$bin"' EXIT;; esac
mkdir -p "$bin"
gcc -O2 -Wall -Wextra -Werror -o "$bin/execshared" "$root/tests/syscalls/execshared.c" || exit 1
out=$(timeout 60 "$root/build/cvisor" do --test-exec-failure -- "$bin/execshared" 2>&1)
rc=$?
want="vfork child: killed by SEGV
CLONE_SIGHAND child: killed by SEGV
the parent's SIGUSR1 handler is kept: yes"
if [ $rc != 0 ] || [ "$out" != "$want" ]; then
	echo "exit $rc; got:"
	echo "$out"
	echo "wanted:"
	echo "$want"
	exit 1
fi
exit 0
