#!/usr/bin/env bash
# make compat: CPython's own regression tests (Debian's libpython3.11-testsuite),
# the modules that exercise the kernel, natively and under cvisor through
# `cvisor compat --format=regrtest`, which compares them test by test.  The
# native side runs in a mount namespace of its own with a fresh /tmp (cvisor
# compat does that), and the modules that send signals or touch the network
# only reach loopback and their own processes.  Some do more as root: test_time
# sets the realtime clock back an hour and forward again, test_socket sets
# the host name.  So the whole run sits in throwaway pid, network, UTS, IPC
# and mount namespaces (`unshare -p -f -n -u -i --mount-proc`), and without
# the capabilities no namespace confines (CAP_SYS_TIME, CAP_SYS_MODULE,
# CAP_SYS_BOOT: the clock tests then skip, as in any container); with no
# way to make those (not root), it refuses to run.
#
# Prints the per-module table (tests that pass natively, then in the sandbox,
# regressed, fixed) and each regressed test, then the system calls the
# regressions asked for that cvisor lacks.  Exit status: cvisor compat's.
#
# Usage: tests/compat/cpython.sh [CVISOR] [MODULE...]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}
[ $# -gt 0 ] && shift
PY=/usr/bin/python3
MODULES=("$@")
[ ${#MODULES[@]} -gt 0 ] || MODULES=(test_os test_posix test_signal test_socket test_subprocess
	test_selectors test_asyncio.test_events test_threading test_multiprocessing_fork
	test_multiprocessing_forkserver test_multiprocessing_spawn test_mmap test_fcntl test_pty
	test_select test_epoll test_shutil test_tempfile test_pathlib test_time test_resource test_io
	test_fileio test_socketserver test_sched test_eintr test_poll test_file_eintr test_termios)

if ! "$PY" -c 'import test.support' 2>/dev/null || [ ! -d /usr/lib/python3.11/test ]; then
	echo "make compat: CPython's tests are not installed: apt-get install libpython3.11-testsuite" >&2
	exit 2
fi

# Inside throwaway namespaces, once (the variable stops a second time).
if [ -z "${CVISOR_COMPAT_NS:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! unshare -p -f -n -u -i --mount-proc true 2>/dev/null ||
		! setpriv --bounding-set -sys_time,-sys_module,-sys_boot true 2>/dev/null; then
		echo "make compat: needs root, namespaces and setpriv (util-linux) to keep CPython's tests off the host" >&2
		exit 2
	fi
	exec env CVISOR_COMPAT_NS=1 unshare -p -f -n -u -i --mount-proc \
		setpriv --bounding-set -sys_time,-sys_module,-sys_boot \
		sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh bash "$0" "$CVISOR" "${MODULES[@]}"
fi

B=$(mktemp -d /var/tmp/cvisor-cpython.XXXXXX)
trap 'rm -rf "$B"' EXIT
for m in "${MODULES[@]}"; do
	# test_termios is new in 3.12: a module the installed CPython lacks is left out, and said so.
	if [ ! -e "/usr/lib/python3.11/test/${m%%.*}.py" ] && [ ! -d "/usr/lib/python3.11/test/${m%%.*}" ]; then
		echo "make compat: $m: not in this CPython's test suite, left out" >&2
		continue
	fi
	# -v: a line per test, which --format=regrtest reads; -u network,cpu... stays off
	# (the default resources): nothing reaches beyond loopback.
	# AF_VSOCK tests wait forever natively on a VM whose host has vsock: left out.
	echo "$m $PY -m test -v $m -i '*VSOCK*'"
done > "$B/list"

"$CVISOR" compat --format=regrtest -j 2 --timeout "${COMPAT_TIMEOUT:-900}" --json "$B/out.json" \
	-f "$B/list" > "$B/compat.out" 2> "$B/compat.err"
rc=$?
if [ ! -s "$B/out.json" ]; then
	echo "make compat: cvisor compat wrote no results (exit $rc):" >&2
	tail -20 "$B/compat.err" "$B/compat.out" >&2
	exit 1
fi

"$PY" - "$B/out.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
rows, regressed, errors = [], [], []
tot = [0, 0, 0, 0]
for t in data["tests"]:
    r = t["results"][0]
    cases = r.get("cases", [])
    nat = sum(1 for c in cases if c["native"] == "passed")
    sb = sum(1 for c in cases if c["native"] == "passed" and c["sandbox"] == "passed")
    reg = [c["name"] for c in cases if c["class"] == "regressed"]
    fix = sum(1 for c in cases if c["class"] == "fixed")
    if not cases:
        # No line per test: the module as one run (a crash, a timeout, an import error).
        nat = 1 if t["native"]["status"] == 0 else 0
        sb = 1 if r["class"] == "passed" else 0
        if r["class"] in ("regressed", "timeout", "sandbox-error"):
            reg = ["(the whole module: %s)" % r["class"]]
    if r["class"] == "sandbox-error":
        errors.append((t["name"], r.get("cvisor_errors", "")))
    rows.append((t["name"], nat, sb, len(reg), fix))
    regressed += [(t["name"], n) for n in reg]
    for i, v in enumerate((nat, sb, len(reg), fix)):
        tot[i] += v
print("| module | pass natively | pass in cvisor | regressed | fixed |")
print("|---|---|---|---|---|")
for name, nat, sb, reg, fix in rows:
    print("| %s | %d | %d | %d | %d |" % (name, nat, sb, reg, fix))
print("| **total** | %d | %d | %d | %d |" % tuple(tot))
if errors:
    print("\nsandbox errors:")
    for name, e in errors:
        print("  %s: %s" % (name, e.strip().splitlines()[0] if e.strip() else "(see --json)"))
if regressed:
    print("\nregressed:")
    for m, n in regressed:
        print("  %s: %s" % (m, n))
todo = data.get("unimplemented", [])
if todo:
    print("\nsystem calls cvisor lacks, by tests that asked for them:")
    for row in todo[:20]:
        print("  %-20s %3d tests, %3d of them regressed" % (row["call"], row["tests"], row["regressed"]))
PY
exit $rc
