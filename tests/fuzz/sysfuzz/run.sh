#!/usr/bin/env bash
# The system call fuzzer (sysfuzz.c) inside cvisor, never natively: fails on
# a sentry crash or a "cvisor:" message, a hang (the host-side timeout), a
# run that does not finish, or any process of the run left afterwards.
# Usage: tests/fuzz/sysfuzz/run.sh CVISOR SECONDS SEED [PROCS]
set -u
root=$(cd "$(dirname "$0")/../../.." && pwd)
CVISOR=$(realpath "${1:-$root/build/cvisor}")
SECS=${2:-10}
SEED=${3:-1}
PROCS=${4:-4}
name="fuzz/sysfuzz (${SECS}s, seed $SEED, $PROCS processes, $(basename "$(dirname "$CVISOR")")/$(basename "$CVISOR"))"
# The program must be on the host's disk for the sandbox to see it: not under /tmp.
B=$root/build/tests/fuzz
case $root/ in /tmp/*) B=$(mktemp -d /var/tmp/cvisor-sysfuzz.XXXXXX); trap 'rm -rf "$B"' EXIT;; esac
mkdir -p "$B"
if ! gcc -O2 -Wall -Wextra -Werror -o "$B/.sysfuzz.$$" "$root/tests/fuzz/sysfuzz/sysfuzz.c" 2>"$B/build.err"; then
	echo "FAIL $name: does not build: $(head -5 "$B/build.err")"
	exit 1
fi
mv -f "$B/.sysfuzz.$$" "$B/sysfuzz"

# Every process of this run carries the mark in its environment, so any left behind can be found.
mark=CVISOR_SYSFUZZ_RUN=$$.$RANDOM
out=$B/sysfuzz.out
err=$B/sysfuzz.err
env "$mark" timeout -k 10 $((SECS + 60)) "$CVISOR" do -- "$B/sysfuzz" "$SECS" "$SEED" "$PROCS" </dev/null >"$out" 2>"$err"
rc=$?
sleep 1
left=$(grep -lsx --null-data -F "$mark" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | tr '\n' ' ')
for pid in $left; do kill -KILL "$pid" 2>/dev/null; done

why=
case $rc in
0) ;;
124|137) why="hung: still running after $((SECS + 60))s";;
*) why="exit status $rc";;
esac
grep -q '^sysfuzz: done' "$out" || why="${why:+$why; }it did not finish: $(grep -v '^sysfuzz [0-9]*: [0-9]' "$out" | tail -3)"
grep -q 'cvisor:' "$err" && why="${why:+$why; }$(grep -m1 -A8 'cvisor:' "$err")"
# The sanitizer build's reports (UBSan's "runtime error", ASan's ERROR) come before it exits.
grep -qE 'runtime error|ERROR: (Address|Leak)Sanitizer' "$err" &&
	why="${why:+$why; }$(grep -m1 -A6 -E 'runtime error|ERROR: (Address|Leak)Sanitizer' "$err")"
[ -z "$left" ] || why="${why:+$why; }processes left running: $left"
if [ -n "$why" ]; then
	# One line (tests/run.sh reads PASS/FAIL lines): the details joined with " | ".
	echo "FAIL $name: $(printf '%s' "$why" | sed 's/^[[:space:]]*//' | paste -sd'|' | sed 's/|/ | /g')"
	exit 1
fi
echo "PASS $name: $(grep -c '^sysfuzz [0-9]' "$out") supervisors: $(grep '^sysfuzz [0-9]' "$out" | awk '{w+=$3; d+=$5; h+=$10} END {print w " workers, " d " died of a signal, " h " hung"}')"
