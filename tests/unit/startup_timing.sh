#!/usr/bin/env bash
# cvisor do --debug prints where the sandbox's start and end went: every
# phase once, each a number of microseconds, and phases that add up to the
# total (each mark adds the time since the last one, so nothing is counted
# twice or lost).  Without --debug nothing of it is printed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$("$root/build/cvisor" do --debug -- /bin/true 2>&1 >/dev/null) || { echo "cvisor do --debug /bin/true failed:"; echo "$out"; exit 1; }
phases="namespaces gofer root kernel.state seccomp stub loader first.instruction program exit teardown"
bad=0
for p in $phases; do
	n=$(grep -cE "^cvisor: debug:   $p +[0-9]+\.[0-9]$" <<< "$out")
	[ "$n" = 1 ] || { echo "phase '$p' printed $n times, not once with a number"; bad=1; }
done
sum=$(awk '/^cvisor: debug:   / && !/ total / { s += $NF } END { printf "%.1f", s }' <<< "$out")
total=$(awk '/^cvisor: debug:   total / { print $NF }' <<< "$out")
# The printed figures are rounded to 0.1 us each.
awk -v s="$sum" -v t="${total:-0}" 'BEGIN { d = s - t; exit !(t > 0 && d < 2 && d > -2) }' ||
	{ echo "the phases add up to $sum us, the total says ${total:-nothing}"; bad=1; }
# The program phase is the program's own: a longer program shows there, not in start-up.
slow=$("$root/build/cvisor" do --debug -- /bin/sleep 0.2 2>&1 >/dev/null)
prog=$(awk '/^cvisor: debug:   program / { print $NF }' <<< "$slow")
awk -v p="${prog:-0}" 'BEGIN { exit !(p >= 200000) }' || { echo "sleep 0.2 shows ${prog:-no} us in its program phase"; bad=1; }
quiet=$("$root/build/cvisor" do -- /bin/true 2>&1)
grep -q 'microseconds' <<< "$quiet" && { echo "printed without --debug:"; echo "$quiet"; bad=1; }
if [ $bad != 0 ]; then
	echo "--- output:"
	echo "$out"
	exit 1
fi
exit 0
