#!/usr/bin/env bash
# tests/stdio: the caller's stdin, stdout and stderr as the sandbox's fds 0-2
# (vfs/fs/hoststdio), compared with the same program run natively on the
# same kind of host file.  Prints PASS/FAIL lines for tests/run.sh to count.
# Usage: tests/stdio/run.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}
B=$root/build/tests/stdio
# A tree under /tmp is out of the sandbox's sight (its /tmp is its own).
case $root/ in /tmp/*) B=$(mktemp -d /var/tmp/cvisor-stdio.XXXXXX); trap 'rm -rf "$B"' EXIT;; esac
mkdir -p "$B"
fail=0

result() { # name native sandbox
	if [ "$2" = "$3" ]; then echo "PASS stdio/$1"
	else echo "FAIL stdio/$1: native <$2> sandbox <$3>"; fail=1; fi
}

gcc -O2 -Wall -Wextra -Werror -pthread -o "$B/blocked_efault" "$root/tests/syscalls/blocked_efault.c" ||
	{ echo "FAIL stdio/build"; exit 1; }

# A read of a host pipe that blocks, its buffer unmapped meanwhile: EFAULT, and the data stays.
native=$( (sleep 1; echo hello) | timeout 20 "$B/blocked_efault" stdin 2>&1; echo "exit $?")
sandbox=$( (sleep 1; echo hello) | timeout 20 "$CVISOR" do -- "$B/blocked_efault" stdin 2>&1; echo "exit $?")
result "read of a host pipe, buffer unmapped while blocked" "$native" "$sandbox"

# Input that comes late, read whole, and a poll that waits for it.
native=$( (sleep 0.3; echo one; sleep 0.3; echo two) | timeout 20 cat; echo "exit $?")
sandbox=$( (sleep 0.3; echo one; sleep 0.3; echo two) | timeout 20 "$CVISOR" do -- cat; echo "exit $?")
result "late input through cat" "$native" "$sandbox"
poll='import select, sys; r = select.select([0], [], [], 5)[0]; print(r, sys.stdin.readline().strip())'
native=$( (sleep 0.3; echo x) | timeout 20 python3 -c "$poll"; echo "exit $?")
sandbox=$( (sleep 0.3; echo x) | timeout 20 "$CVISOR" do -- python3 -c "$poll"; echo "exit $?")
result "select waits for a host pipe" "$native" "$sandbox"
# TCGETS on a terminal stdin fills the kernel's 36-byte termios, not one byte past it.
tcgets='import fcntl, termios; b = bytearray(b"\xaa" * 64); fcntl.ioctl(0, termios.TCGETS, b); print("past 36:", b[36:].hex())'
if command -v script >/dev/null; then
	native=$(timeout 20 script -qc "/usr/bin/python3 -c '$tcgets'" /dev/null </dev/null | tr -d '\r')
	sandbox=$(timeout 20 script -qc "$CVISOR do -- /usr/bin/python3 -c '$tcgets'" /dev/null </dev/null | tr -d '\r')
	result "TCGETS on a terminal stdin writes the kernel's termios only" "$native" "$sandbox"
else
	echo "SKIP stdio/TCGETS: script (util-linux) is not installed"
fi
exit $fail
