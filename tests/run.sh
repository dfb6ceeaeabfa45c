#!/usr/bin/env bash
# The test suite: every program and case runs natively and in the sandbox,
# and the native run is the reference.  Last line: "N passed, M failed".
#   tests/run.sh [--cvisor PATH] [--sandbox-cmd 'CMD ...'] [FILTER]
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
CVISOR=$root/build/cvisor
SANDBOX_CMD=
FILTER=
while [ $# -gt 0 ]; do
	case $1 in
	--cvisor) CVISOR=$2; shift 2;;
	--sandbox-cmd) SANDBOX_CMD=$2; shift 2;;
	*) FILTER=$1; shift;;
	esac
done
[ -n "$SANDBOX_CMD" ] || SANDBOX_CMD="$CVISOR do --"
export SANDBOX_CMD

# Programs live outside /tmp: the sandbox's /tmp is its own.
T=/var/tmp/cvisor-tests
rm -rf "$T" && mkdir -p "$T/bin" "$T/work"
WORK=$T/work
. "$here/lib.sh"

want() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

echo "== tests/syscalls (native vs $SANDBOX_CMD)"
for src in "$here"/syscalls/*.c; do
	name=syscalls/$(basename "$src" .c)
	want "$name" || continue
	if ! gcc -O2 -pthread -Wall -Wextra -Werror -o "$T/bin/$(basename "$src" .c)" "$src" 2>"$T/build.err"; then
		fail "$name" "does not build:" "$(head -5 "$T/build.err")"
		continue
	fi
	compare_run "$name" "$T/bin/$(basename "$src" .c)"
done

echo "== tests/integration"
# Shared inputs the cases read: on the host's disk, which the sandbox sees read-only.
mkdir -p "$T/data"
python3 -c '
import sys
with open(sys.argv[1], "wb") as f:
    x = 12345
    for i in range(64 * 1024):
        block = bytearray()
        for j in range(128):
            x = (x * 1103515245 + 12345) & 0xffffffff
            block += x.to_bytes(8, "little")
        f.write(block)
' "$T/data/big.bin"
cp -r "$here/integration/files/." "$T/data/" 2>/dev/null
export T
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue;; esac
	name=integration/${line%%|*}
	name=${name% }
	cmd=${line#*|}
	want "$name" || continue
	compare_run "$name" bash -c "$cmd"
done < "$here/integration/cases.txt"

if want unit; then
	echo "== tests/unit"
	for src in "$here"/unit/*_test.c; do
		[ -e "$src" ] || continue
		bin=$T/bin/$(basename "$src" .c)
		# Unit tests link the part they test (listed on the test's "links:" line, if any).
		if ! gcc -O2 -Wall -Wextra -Werror -I"$root" -o "$bin" "$src" $(sed -n 's|^ \* links: ||p' "$src" | sed "s|[^ ]*|$root/&|g") -lseccomp 2>"$T/build.err"; then
			fail "unit/$(basename "$src" .c)" "does not build:" "$(head -5 "$T/build.err")"
			continue
		fi
		while IFS= read -r l; do
			case "$l" in
			PASS*) pass "unit/${l#PASS }";;
			FAIL*) fail "unit/${l#FAIL }";;
			esac
		done < <(timeout 60 "$bin" 2>&1)
	done
fi

if want security; then
	echo "== tests/security"
	if [ "$SANDBOX_CMD" = "$CVISOR do --" ]; then
		out=$(bash "$here/security/run.sh" "$CVISOR" 2>&1)
		while IFS= read -r l; do
			case "$l" in
			PASS*) pass "${l#PASS }";;
			FAIL*) fail "${l#FAIL }";;
			esac
		done <<< "$out"
	else
		skip security "escape attempts only make sense under cvisor"
	fi
fi

if want tty; then
	echo "== tests/tty"
	if [ "$SANDBOX_CMD" = "$CVISOR do --" ]; then
		while IFS= read -r l; do
			case "$l" in
			PASS*) pass "${l#PASS }";;
			FAIL*) fail "${l#FAIL }";;
			SKIP*) l=${l#SKIP }; skip "${l%%:*}" "${l#*: }";;
			esac
		done < <(bash "$here/tty/run.sh" "$CVISOR" 2>&1)
	else
		skip tty "the terminal cases drive cvisor do -t"
	fi
fi

if [ -e /dev/kvm ]; then
	skip "kvm platform" "the KVM platform is not built yet"
else
	skip "kvm platform" "no /dev/kvm on this machine"
fi

echo
if [ $SKIPPED -gt 0 ]; then
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
	echo "$PASSED passed, $FAILED failed"
fi
[ $FAILED = 0 ]
