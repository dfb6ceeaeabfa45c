#!/usr/bin/env bash
# tests/kvm: the kvm platform's own checks, on --platform=kvm whatever platform
# the suite runs on (seconds): the guest machine alone (probe.c: the syscall
# quirk, faults, the memslot flush), an application's attacks on the guest's
# ring-0 side (tests/security/guest.c), which must all end in a signal, and
# more application threads than KVM has vCPUs (manythreads.c).
# SKIP lines, with the reason, where kvm cannot run here.
# Usage: tests/kvm/run.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}
B=$root/build/tests/kvm
case $root/ in /tmp/*) B=$(mktemp -d /var/tmp/cvisor-kvm.XXXXXX); trap 'rm -rf "$B"' EXIT;; esac
mkdir -p "$B"

state=$("$CVISOR" platforms 2>&1 | sed -n 's/^kvm //p')
if [ "$state" != available ]; then
	echo "SKIP kvm/all: ${state#unavailable: }"
	exit 0
fi
if ! gcc -O2 -Wall -Wextra -Werror -I"$root" -o "$B/probe" "$root/tests/kvm/probe.c" "$root/platform/kvm/guest.c" ||
   ! gcc -O2 -Wall -Wextra -Werror -o "$B/guest" "$root/tests/security/guest.c" ||
   ! gcc -O2 -pthread -Wall -Wextra -Werror -o "$B/manythreads" "$root/tests/kvm/manythreads.c"; then
	echo "FAIL kvm/build"
	exit 1
fi
out=$(timeout 60 "$B/probe" 2>&1); rc=$?
if [ $rc = 0 ]; then echo "PASS kvm/probe: the guest machine alone"
else echo "FAIL kvm/probe: exit $rc: $(grep -v '^ok' <<< "$out" | tr '\n' '|')"; fi
# The nested host's costs, for the record (docs/kvm.md).
grep -E "^(system call round trip|memslot delete|an ended space)" <<< "$out" | sed 's/^/kvm: /'

# A sandbox that ends at once, or says why, within seconds (runsc's kvm hangs on such hosts).
start=$(date +%s%N)
out=$(timeout 20 "$CVISOR" do --platform=kvm -- /bin/true 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ $rc = 0 ]; then echo "PASS kvm/do /bin/true ends (${ms} ms)"
else echo "FAIL kvm/do /bin/true ends: exit $rc after ${ms} ms: $(tail -2 <<< "$out" | tr '\n' '|')"; fi

out=$(timeout 120 "$CVISOR" do --platform=kvm -- "$B/guest" 2>&1); rc=$?
while IFS= read -r line; do
	case "$line" in
	*": ok") echo "PASS kvm/security/${line%: ok}";;
	*": ESCAPED"*) echo "FAIL kvm/security/${line%%: ESCAPED*}: $line";;
	esac
done <<< "$out"
grep -q "^0 escaped" <<< "$out" || echo "FAIL kvm/security/guest: exit $rc: $(tail -3 <<< "$out" | tr '\n' '|')"
# More threads than KVM's 1024 vCPUs: blocked ones lend theirs, and get their FPU state back.
out=$(timeout 120 "$CVISOR" do --platform=kvm -- "$B/manythreads" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = "1100 threads: ok" ]; then echo "PASS kvm/more threads than vCPUs"
else echo "FAIL kvm/more threads than vCPUs: exit $rc: $(tail -3 <<< "$out" | tr '\n' '|')"; fi
exit 0
