#!/usr/bin/env bash
# `cvisor do --strace`: the lines a few known calls must give, in strace(1)'s
# shape.  The expectations come from what the calls do, not from a run.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$("$root/build/cvisor" do --strace -- /bin/sh -c 'echo hello; cat /nonexistent-cvt; exit 3' 2>&1 >/dev/null)
rc=$?
bad=0
expect()
{
	grep -qF -- "$1" <<< "$out" || { echo "missing: $1"; bad=1; }
}
[ $rc = 3 ] || { echo "exit status $rc, wanted 3"; bad=1; }
expect 'write(1, "hello\n", 6) = 6'
expect 'openat(AT_FDCWD, "/nonexistent-cvt", O_RDONLY) = -1 ENOENT (No such file or directory)'
expect 'exit_group(3) = ?'
expect 'execve("/usr/bin/cat", ["cat", "/nonexistent-cvt"], '
if [ $bad != 0 ]; then
	echo "--- strace output (tail):"
	tail -15 <<< "$out"
	exit 1
fi
exit 0
