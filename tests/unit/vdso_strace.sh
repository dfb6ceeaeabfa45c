#!/usr/bin/env bash
# The vDSO answers the clocks without a system call (on a host whose
# clocksource is the TSC): `date` under --strace
# shows no clock_gettime, while a clock_gettime made as a system call (the
# CPU-time clock, which the vDSO hands to the sentry) still shows, so the
# check can fail.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
# cvisor reads the TSC only where the host keeps its own clocks on it.
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
if [ "$cs" != tsc ]; then
	echo "the host's clocksource is '${cs:-unknown}', not tsc: the sandbox's clocks go through the sentry"
	exit 77
fi
out=$("$root/build/cvisor" do --strace -- /bin/sh -c 'date; /usr/bin/python3 -c "import time; time.process_time()"' 2>&1 >/dev/null)
bad=0
date_part=$(awk '/execve\("\/usr\/bin\/python3"/ { exit } { print }' <<< "$out")
if grep -q 'clock_gettime(CLOCK_REALTIME' <<< "$date_part"; then
	echo "date still traps clock_gettime(CLOCK_REALTIME):"
	grep 'clock_gettime' <<< "$date_part" | head -5
	bad=1
fi
grep -q 'clock_gettime(CLOCK_PROCESS_CPUTIME_ID' <<< "$out" ||
	{ echo "missing: the CPU-time clock through the system call"; bad=1; }
grep -q 'write(1, ' <<< "$out" || { echo "missing: date's write (is --strace working?)"; bad=1; }
if [ $bad != 0 ]; then
	echo "--- strace output (tail):"
	tail -15 <<< "$out"
	exit 1
fi
exit 0
