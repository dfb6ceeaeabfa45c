#!/usr/bin/env bash
# tests/stress: a few stress-ng stressors that block and wake a lot (pipes,
# poll, epoll, futexes, eventfd, timerfd, signal waits, wait4, locks) run
# side by side in one sandbox, which must end on its own and, started again,
# on SIGTERM: a lost wake-up or a deadlock shows as a hang.  About 15 s.
# Prints PASS/FAIL/SKIP lines for tests/run.sh to count.
# Usage: tests/stress/run.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}

if ! command -v stress-ng >/dev/null; then
	echo "SKIP stress/stress-ng: stress-ng is not installed (apt-get install stress-ng)"
	exit 0
fi
S=(--pipe 1 --poll 1 --epoll 1 --eventfd 1 --futex 1 --timerfd 1 --sigsuspend 1 --sigfd 1 --sigq 1
   --fork 1 --vfork 1 --flock 1 --lockf 1 --sockpair 1 --nanosleep 1 --pthread 1)
fail=0
cd "$(mktemp -d /var/tmp/cvisor-stress.XXXXXX)" || exit 1
trap 'cd /; rm -rf "$OLDPWD"' EXIT

# Its own end: 4 s of stressing; stress-ng's own failures (missing features) do not count here.
timeout -k 5 40 "$CVISOR" do -- stress-ng "${S[@]}" -t 4s >out.txt 2>&1
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "FAIL stress/16 stressors end on their own: still running after 40 s"; fail=1
else
	echo "PASS stress/16 stressors end on their own"
fi

# SIGTERM to cvisor goes to pid 1 (stress-ng), which stops its stressors and ends.
"$CVISOR" do -- stress-ng "${S[@]}" -t 60s >out.txt 2>&1 &
pid=$!
sleep 4
kill -TERM "$pid"
for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then
	echo "FAIL stress/16 stressors end on SIGTERM: still running 20 s later"; fail=1
	kill -KILL "$pid"
else
	echo "PASS stress/16 stressors end on SIGTERM"
fi
wait "$pid" 2>/dev/null
exit $fail
