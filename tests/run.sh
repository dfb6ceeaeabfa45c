#!/usr/bin/env bash
# The test suite: every program in tests/syscalls/ and every case in
# tests/integration/cases.txt runs natively and in the sandbox, and the
# native run is the reference (tests/lib.sh: compat_compare).  Then the unit
# tests, tests/security, tests/gofer and tests/tty.  Last line: "N passed, M failed"
# (the skips are counted on the line before); exit status 0 when nothing
# failed.
usage()
{
	cat <<EOF
usage: tests/run.sh [--cvisor PATH] [--sandbox-cmd 'CMD ...'] [--timeout SECONDS] [--later] [FILTER]
  --cvisor PATH       the cvisor to test (default build/cvisor); sandboxed runs are PATH do -- CMD
  --sandbox-cmd CMD   run the sandboxed side as CMD PROGRAM ARGS... instead, split on blanks:
                      'runsc --rootless --network=none do' checks the suite against gVisor,
                      'env' is an identity sandbox (everything must pass)
  --timeout SECONDS   per run (default 60); a hang is a failure
  --later             also run tests/integration/cases-later.txt (features not there yet)
  FILTER              run only the tests whose name contains FILTER (e.g. syscalls/mem)
EOF
}

set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
CVISOR=$root/build/cvisor
SANDBOX_CMD=
FILTER=
LATER=
while [ $# -gt 0 ]; do
	case $1 in
	--cvisor) CVISOR=$(realpath -m "$2"); shift 2;;
	--sandbox-cmd) SANDBOX_CMD=$2; shift 2;;
	--timeout) RUN_TIMEOUT=$2; shift 2;;
	--later) LATER=1; shift;;
	-h|--help) usage; exit 0;;
	-*) usage >&2; exit 2;;
	*) FILTER=$1; shift;;
	esac
done
if [ -n "$SANDBOX_CMD" ]; then
	read -ra SANDBOX <<< "$SANDBOX_CMD"
	under_cvisor=
else
	SANDBOX=("$CVISOR" do --)
	under_cvisor=1
fi

# Inherited descriptors would shift the numbers the programs see natively
# but not in a sandbox: keep only 0, 1 and 2 (and bash's own 255).
for fd in $(ls /proc/$$/fd); do
	[ "$fd" -gt 2 ] && [ "$fd" != 255 ] && eval "exec $fd>&-" 2>/dev/null
done
ulimit -c 0
umask 022
export LC_ALL=C

# Everything a case reads lives on the host's disk, which a sandbox sees
# (read-only); never under /tmp, which is the sandbox's own.  One directory
# per run, so that runs side by side do not trip over each other.
T=$(mktemp -d /var/tmp/cvisor-tests.XXXXXX)
trap 'rm -rf "$T"' EXIT
WORK=$T/work
mkdir -p "$WORK" "$T/data"
export T
. "$here/lib.sh"

# Another sandbox than cvisor may share the host's /tmp (env does, `runsc
# do` does): it gets the native side's fresh /tmp as well.
[ -n "$under_cvisor" ] || SANDBOX_PREFIX=("${NATIVE_PREFIX[@]}")

want() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

# Programs are built into build/tests/syscalls/, unless the tree is under
# /tmp, where no sandbox (nor the native run's fresh /tmp) could see them.
BIN=$root/build/tests/syscalls
case $root/ in /tmp/*) BIN=$T/bin;; esac
mkdir -p "$BIN"

# First, that the comparison itself can fail (a few seconds).
want runner && compat_self_test

header="== tests/syscalls (native vs ${SANDBOX[*]})"
for src in "$here"/syscalls/*.c; do
	prog=$(basename "$src" .c)
	name=syscalls/$prog
	want "$name" || continue
	[ -z "$header" ] || { echo "$header"; header=; }
	# Built under a temporary name and renamed, so that a run side by side
	# never executes a half-written binary.
	if ! gcc -O2 -pthread -Wall -Wextra -Werror -o "$BIN/.$prog.$$" "$src" 2>"$T/build.err"; then
		rm -f "$BIN/.$prog.$$"
		fail "$name" "does not build:" "$(head -10 "$T/build.err")"
		continue
	fi
	mv -f "$BIN/.$prog.$$" "$BIN/$prog"
	compat_compare "$name" "$BIN/$prog"
done

# The integration cases the filter selects, as "name|command" lines.
selected_cases()
{
	local f line name
	for f in "$here/integration/cases.txt" ${LATER:+"$here/integration/cases-later.txt"}; do
		while IFS= read -r line; do
			case "$line" in ''|'#'*) continue;; esac
			name=${line%%|*}
			name=integration/${name%"${name##*[! ]}"}
			want "$name" && printf '%s|%s\n' "$name" "${line#*|}"
		done < "$f"
	done
}

cases=$(selected_cases)
if [ -n "$cases" ]; then
	echo "== tests/integration"
	# 64 MiB that differ from block to block, the same on every machine.
	/usr/bin/python3 - "$T/data/big.bin" <<'EOF'
import hashlib, sys
with open(sys.argv[1], "wb") as f:
    for i in range(64 * 1024):
        f.write(hashlib.shake_128(i.to_bytes(8, "little")).digest(1024))
EOF
	cp -r "$here/integration/files/." "$T/data/"
	# A file of the image with extended attributes of its own (where the host's file system keeps them).
	echo xattr-file > "$T/data/xattr.txt"
	/usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.cvisor", b"from the image"); os.setxattr(sys.argv[1], "user.second", b"2")' "$T/data/xattr.txt" 2>/dev/null || true
	while IFS= read -r c; do
		compat_compare "${c%%|*}" bash -c "${c#*|}"
	done <<< "$cases"
fi

# Unit tests in C, tests/unit/*_test.c: each links the sentry sources on
# its " * links:" line and prints a PASS or FAIL line per check.
for src in "$here"/unit/*_test.c; do
	[ -e "$src" ] || continue
	prog=$(basename "$src" .c)
	want "unit/$prog" || continue
	[ -z "${unit_header:-}" ] && { echo "== tests/unit"; unit_header=1; }
	links=$(sed -n 's|^ \* links: ||p' "$src" | sed "s|[^ ]*|$root/&|g")
	# shellcheck disable=SC2086 # links is a list of files
	if ! gcc -O2 -Wall -Wextra -Werror -I"$root" -o "$BIN/$prog" "$src" $links -lseccomp 2>"$T/build.err"; then
		fail "unit/$prog" "does not build:" "$(head -10 "$T/build.err")"
		continue
	fi
	got=
	while IFS= read -r l; do
		case "$l" in
		PASS*) pass "unit/${l#PASS }"; got=1;;
		FAIL*) fail "unit/${l#FAIL }"; got=1;;
		SKIP*) l=${l#SKIP }; skip "unit/${l%%:*}" "${l#*: }"; got=1;;
		esac
	done < <(timeout -k 5 "${RUN_TIMEOUT:-60}" "$BIN/$prog" 2>&1 </dev/null)
	[ -n "$got" ] || fail "unit/$prog" "printed no PASS or FAIL line"
done

# Unit tests: tests/unit/*.sh and the executables the build puts in
# build/unit/ (or build/unit-tests/).  Exit 0 passes, 77 skips.
for t in "$here"/unit/*.sh "$root"/build/unit/* "$root"/build/unit-tests/*; do
	[ -f "$t" ] || continue
	case $t in *.sh) run=(bash "$t");; *) [ -x "$t" ] || continue; run=("$t");; esac
	name=unit/$(basename "$t")
	want "$name" || continue
	timeout -k 5 "${RUN_TIMEOUT:-60}" "${run[@]}" >"$T/unit.out" 2>&1 </dev/null
	case $? in
	0) pass "$name";;
	77) skip "$name" "$(tail -1 "$T/unit.out")";;
	*) fail "$name" "$(tail -20 "$T/unit.out")";;
	esac
done

# tests/security, tests/gofer, tests/tty and tests/stdio belong to cvisor itself (escape
# attempts, --overlay=none and --gofer-fds, `cvisor do -t`, the donated stdio): they only mean
# something under cvisor.  Each run.sh prints PASS/FAIL/SKIP lines.
# cvisor_suite DIR WHY_NOT_ELSEWHERE
cvisor_suite() {
	local dir=$1 why=$2 l
	want "$dir" || return 0
	if [ -z "$under_cvisor" ]; then
		skip "$dir" "$why"
		return 0
	fi
	echo "== tests/$dir"
	while IFS= read -r l; do
		case "$l" in
		PASS*) pass "${l#PASS }";;
		FAIL*) fail "${l#FAIL }";;
		SKIP*) l=${l#SKIP }; skip "${l%%:*}" "${l#*: }";;
		esac
	done < <(bash "$here/$dir/run.sh" "$CVISOR" 2>&1)
}
cvisor_suite security "escape attempts only make sense under cvisor"
cvisor_suite gofer "writes through the gofer are cvisor's --overlay=none"
cvisor_suite tty "the terminal cases drive cvisor do -t"
cvisor_suite stdio "host stdio is how cvisor donates the caller's fds"
cvisor_suite stress "a hang under stress-ng is cvisor's to find"

if want kvm && need_kvm "kvm platform"; then
	skip "kvm platform" "the KVM platform is not built yet"
fi

echo
[ "$SKIPPED" = 0 ] || echo "$SKIPPED skipped (reasons above)"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
