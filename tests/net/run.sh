#!/usr/bin/env bash
# tests/net's shell cases: the network stack as ip, ss and programs of the
# image see it.  Each case of cases.txt ("name|shell command") runs
# natively, in a throwaway network namespace made to look like a sandbox's
# (unshare -n, then lo up: lo with 127.0.0.1/8 and ::1, nothing else), and
# in the sandbox; stdout and the exit status are compared, the native run
# being the reference.  The native side never changes the host's own
# network: every command runs inside its own `unshare -n`.  (The C programs
# of tests/net are built and compared by tests/run.sh itself.)
# Prints PASS/FAIL/SKIP lines for tests/run.sh.
# Usage: tests/net/run.sh [CVISOR] [FILTER]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/net
CVISOR=$(realpath -m "${1:-$root/build/cvisor}")
FILTER=${2:-}
# The programs and outputs live on the host's disk, where a sandbox can see them (its /tmp is its own).
B=$(mktemp -d /var/tmp/cvisor-net.XXXXXX)
trap 'rm -rf "$B"' EXIT
export LC_ALL=C
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
failed=0

want() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }
pass() { echo "PASS $1"; }
skip() { echo "SKIP $1: $2"; }
fail() { echo "FAIL $1"; shift; printf '%s\n' "$@" | sed 's/^/    /'; failed=1; }

if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
	skip net "the native reference runs in a network namespace of its own (unshare -n), which needs root"
	exit 0
fi
if ! command -v ip >/dev/null || ! command -v ss >/dev/null; then
	skip net "iproute2 (ip, ss) is not installed (apt-get install iproute2)"
	exit 0
fi

# native CMD...: CMD in a fresh network namespace with lo up, as a sandbox starts.
native() { timeout -k 5 60 unshare -n sh -c 'ip link set lo up && exec "$@"' net-native "$@"; }
sandboxed() { timeout -k 5 60 "$CVISOR" do -- "$@"; }

# compare NAME CMD...: both runs of CMD, stdout and status compared.
compare()
{
	local name=$1 n s
	shift
	(cd "$B" && native "$@") >"$B/native.out" 2>"$B/native.err" </dev/null
	n=$?
	(cd "$B" && sandboxed "$@") >"$B/sandbox.out" 2>"$B/sandbox.err" </dev/null
	s=$?
	if [ "$n" != "$s" ] || ! cmp -s "$B/native.out" "$B/sandbox.out"; then
		fail "$name" "exit native $n, sandbox $s" "$(diff "$B/native.out" "$B/sandbox.out" | head -30)" \
			"sandbox stderr:" "$(tail -5 "$B/sandbox.err")"
	else
		pass "$name"
	fi
}

while IFS= read -r line; do
	case "$line" in ''|'#'*) continue;; esac
	name=net/${line%%|*}
	name=${name%"${name##*[! ]}"}
	cmd=${line#*|}
	cmd=${cmd#"${cmd%%[! ]*}"}
	cmd=${cmd//@HERE@/$here}
	want "$name" || continue
	# "needs-tcp CMD", "needs-udp CMD": a case that means something only once the sandbox has that transport.
	case $cmd in
	needs-tcp\ *|needs-udp\ *)
		kind=${cmd%% *}
		kind=${kind#needs-}
		cmd=${cmd#* }
		type=SOCK_STREAM
		[ "$kind" = udp ] && type=SOCK_DGRAM
		if ! sandboxed /usr/bin/python3 -c "import socket; socket.socket(socket.AF_INET, socket.$type)" \
			>/dev/null 2>&1; then
			skip "$name" "${kind^^} is not in this build yet (socket(AF_INET, $type) fails in the sandbox)"
			continue
		fi;;
	esac
	# "needs-cmd NAME CMD": a case for a program of Debian's that may not be installed (make deps-test installs it).
	if [[ $cmd == needs-cmd\ * ]]; then
		prog=${cmd#needs-cmd }
		prog=${prog%% *}
		cmd=${cmd#needs-cmd "$prog" }
		if ! command -v "$prog" >/dev/null; then
			skip "$name" "$prog is not installed (make deps-test)"
			continue
		fi
	fi
	compare "$name" sh -c "$cmd"
done < "$here/cases.txt"
exit $failed
