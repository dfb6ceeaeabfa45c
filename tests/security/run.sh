#!/usr/bin/env bash
# tests/security: escape attempts under cvisor, each required to fail.
# Prints PASS/FAIL lines for tests/run.sh to count; exits non-zero on a failure.
# Usage: tests/security/run.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}
B=$root/build/tests/security
# A tree under /tmp is out of the sandbox's sight (its /tmp is its own).
case $root/ in /tmp/*) B=$(mktemp -d /var/tmp/cvisor-security.XXXXXX); trap 'rm -rf "$B"' EXIT;; esac
mkdir -p "$B"
fail=0
pass=0

result() { # name ok(0/1) detail
	if [ "$2" = 0 ]; then echo "PASS security/$1"; pass=$((pass + 1))
	else echo "FAIL security/$1: $3"; fail=$((fail + 1)); fi
}

gcc -O2 -Wall -Wextra -Werror -pthread -o "$B/escape" "$root/tests/security/escape.c" || { echo "FAIL security/build"; exit 1; }

# A root for the sandbox that holds the program, and a secret outside it.
sbroot=$B/root
rm -rf "$sbroot" && mkdir -p "$sbroot"/{bin,tmp,dev,proc,sys,etc,lib,lib64,usr}
cp "$B/escape" "$sbroot/bin/"
for lib in $(ldd "$B/escape" | grep -o '/[^ ]*'); do mkdir -p "$sbroot$(dirname "$lib")"; cp -L "$lib" "$sbroot$lib"; done
marker="cvisor-secret-$$-$RANDOM"
secret=$B/secret.txt
echo "$marker" > "$secret"

out=$(timeout 120 "$CVISOR" do --root "$sbroot" -- /bin/escape "$marker" "$secret" 2>&1)
rc=$?
while IFS= read -r line; do
	case "$line" in
	*": ok") result "${line%%:*}" 0 "";;
	*": ESCAPED"*) result "${line%%:*}" 1 "$line";;
	esac
done <<< "$out"
if ! grep -q "^0 escaped" <<< "$out"; then
	result "escape-program" 1 "exit $rc: $(tail -3 <<< "$out")"
fi
# Attacks on the machine the application runs on (the kvm platform's ring-0
# side, privileged instructions): each must end in the signal Linux gives.
# On the platform of this run; tests/kvm runs it on --platform=kvm as well.
if gcc -O2 -Wall -Wextra -Werror -o "$B/guest" "$root/tests/security/guest.c"; then
	out=$(timeout 120 "$CVISOR" do -- "$B/guest" 2>&1); rc=$?
	while IFS= read -r line; do
		case "$line" in
		*": ok") result "guest: ${line%: ok}" 0 "";;
		*": ESCAPED"*) result "guest: ${line%%: ESCAPED*}" 1 "$line";;
		esac
	done <<< "$out"
	grep -q "^0 escaped" <<< "$out" || result "guest-program" 1 "exit $rc: $(tail -3 <<< "$out")"
else
	result "guest build" 1 ""
fi

# The systrap platform's stub (tests/security/systrap.c): host calls made
# through the stub's own syscall instruction, writes to its pages, forged
# message pages and signal frames.  Always on systrap, whatever platform the
# suite runs on; skipped, with the reason, where systrap cannot run.
st_state=$("$CVISOR" platforms 2>&1 | sed -n 's/^systrap //p')
if [ "$st_state" != available ]; then
	echo "SKIP security/systrap stub attacks: systrap ${st_state:-is not in this build}"
else
	gcc -O2 -Wall -Wextra -Werror -pthread -o "$B/systrap" "$root/tests/security/systrap.c" || result "systrap build" 1 ""
	out=$(timeout 120 "$CVISOR" do --platform=systrap -- "$B/systrap" 2>&1); rc=$?
	while IFS= read -r line; do
		case "$line" in
		*": ok") result "systrap: ${line%: ok}" 0 "";;
		*": ESCAPED"*) result "systrap: ${line%%: ESCAPED*}" 1 "$line";;
		esac
	done <<< "$out"
	if [ $rc != 0 ] || ! grep -q "^0 escaped" <<< "$out" || grep -q "^cvisor: .*\(crashed\|died\)" <<< "$out"; then
		result "systrap: stub attacks" 1 "exit $rc: $(tail -3 <<< "$out")"
	fi
fi
# The ptrace platform's pooled stubs (tests/security/ptrace.c): a process
# that runs in the stub of one that ended finds none of its memory,
# addresses or registers, nor files it was sent to map.  Always on ptrace, whatever platform the suite runs on.
if gcc -O2 -Wall -Wextra -Werror -pthread -o "$B/ptrace" "$root/tests/security/ptrace.c" &&
   gcc -static -nostdlib -nostartfiles -O2 -fno-stack-protector -Wall -Wextra -Werror \
	-o "$B/ptrace_fresh" "$root/tests/security/ptrace_fresh.c"; then
	out=$(timeout 120 "$CVISOR" do --platform=ptrace -- "$B/ptrace" "$B/ptrace_fresh" 2>&1); rc=$?
	while IFS= read -r line; do
		case "$line" in
		*": ok") result "ptrace: ${line%: ok}" 0 "";;
		*": ESCAPED"*) result "ptrace: ${line%%: ESCAPED*}" 1 "$line";;
		esac
	done <<< "$out"
	if [ $rc != 0 ] || ! grep -q "^0 escaped" <<< "$out"; then
		result "ptrace: pooled stubs" 1 "exit $rc: $(tail -3 <<< "$out")"
	fi
else
	result "ptrace build" 1 ""
fi
# The sandbox's write to its root must not be on the host.
if [ -e "$sbroot/cvisor-escape-probe" ]; then result "root write stays inside" 1 "file appeared on the host"
else result "root write stays inside" 0 ""; fi

# With the host's / as the image, the sandbox's /tmp (--private-tmp), /dev, /proc, /sys, ...
# sit on the image's directories, the host's own.  The sandbox cannot unmount
# them, lazily or not (EINVAL, as for the locked mounts a user namespace
# inherits), nor bind a tree they sit in elsewhere to see below them: a
# marker in the host's /tmp is never reachable.  Its own mounts it may unmount.
# (No native comparison: root in a plain mount namespace may unmount them.)
hostmark=$(mktemp /tmp/cvisor-hostmark.XXXXXX)
echo "$marker" > "$hostmark"
name=$(basename "$hostmark")
out=$(timeout 60 "$CVISOR" do --private-tmp -- /bin/busybox sh -c '
for m in /tmp /dev /proc /sys /dev/pts /dev/shm /; do umount $m; umount -l $m; done
mkdir -p /tmp/b; mount --bind / /tmp/b; mount --bind /dev /tmp/b
cat /tmp/'"$name"' /tmp/b/tmp/'"$name"'
test -e /proc/self/status && test -c /dev/null && test -d /dev/pts && echo still-the-sandboxs
mount -t tmpfs own /tmp/b && umount /tmp/b && echo own-unmounted' 2>&1); rc=$?
rm -f "$hostmark"
if [ "$(grep -c "Invalid argument" <<< "$out")" = 16 ] && ! grep -q "$marker" <<< "$out" &&
   grep -q still-the-sandboxs <<< "$out" && grep -q own-unmounted <<< "$out"; then
	result "the sandbox's own mounts cannot be unmounted" 0 ""
else
	result "the sandbox's own mounts cannot be unmounted" 1 "exit $rc: $(grep -v 'Invalid argument' <<< "$out" | head -5)"
fi

# What the sentry, its stubs and the gofer hold on the host, seen from outside
# (ids, capabilities, namespaces, roots, fds): tests/security/privileges.sh.
while IFS= read -r line; do
	case "$line" in
	PASS\ security/*) result "${line#PASS security/}" 0 "";;
	FAIL\ security/*) line=${line#FAIL security/}; result "${line%%: *}" 1 "${line#*: }";;
	*) echo "$line";;
	esac
done < <(bash "$root/tests/security/privileges.sh" "$CVISOR" 2>&1)

# A caller's closed stdin is closed in the sandbox too, not the sentry's next fd
# (the gofer's socket or the memory file took its number once).
timeout 30 "$CVISOR" do -- /bin/busybox test -e /proc/self/fd/0 <&-; rc=$?
if [ $rc = 1 ]; then result "a closed stdin stays closed" 0 ""
else result "a closed stdin stays closed" 1 "exit $rc: the sandbox has an fd 0"; fi

# The host's clock is not the sandbox's to set, even as the sandbox's root.
before=$(date +%s)
out=$(timeout 30 "$CVISOR" do -- /bin/busybox date -s @86400 2>&1); rc=$?
if [ "$(date +%s)" -ge "$before" ] && grep -qi "not permitted" <<< "$out"; then
	result "setting the clock is refused" 0 ""
else
	result "setting the clock is refused" 1 "exit $rc: $out"
fi

# A fork bomb under RLIMIT_NPROC 50 is held to 50 tasks, and nothing is left on the host.
gcc -O2 -Wall -Wextra -Werror -o "$B/forkbomb" "$root/tests/security/forkbomb.c" || result "forkbomb build" 1 ""
out=$(timeout 120 "$CVISOR" do -- "$B/forkbomb" 2>&1); rc=$?
sleep 0.3
left=$(pgrep -f -- "$B/forkbomb" | wc -l)
if grep -q "^tasks 50 errno EAGAIN" <<< "$out" && [ $rc = 137 ] && [ "$left" = 0 ]; then
	result "fork bomb held to 50 tasks" 0 ""
else
	result "fork bomb held to 50 tasks" 1 "exit $rc, $left left: $out"
fi

# Allocating until it fails ends in the sandbox's OOM kill, not the host's.
out=$(timeout 120 "$CVISOR" do --memory=64M -- /usr/bin/python3 -c 'x = []
while True: x.append(bytearray(1 << 20))' 2>&1); rc=$?
if [ $rc = 137 ]; then result "memory limit: OOM kill inside" 0 ""
else result "memory limit: OOM kill inside" 1 "exit $rc: $(tail -2 <<< "$out")"; fi

# The sandbox's limits (--memory, --tasks, --files), each run into from inside
# (tests/security/limits.c).  No native comparison: the host has no such
# limits, so each line is checked against the errno or signal Linux gives
# at that limit.  Every run must end cleanly: the expected status, no
# `cvisor:` message (the sentry did not die), nothing left running.
# (static: no shared library's pages in the page cache to blur what "reclaim" measures)
gcc -O2 -static -Wall -Wextra -Werror -o "$B/limits" "$root/tests/security/limits.c" || result "limits build" 1 ""
# [nofile=N] limit_case NAME WANT_RC 'EXPECTED LINES (grep -x patterns, one a line)' CVISOR_FLAGS... -- ARGS
# (nofile: cvisor's own RLIMIT_NOFILE)
limit_case() {
	local name=$1 want_rc=$2 lines=$3 flags=() out rc left why=
	shift 3
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	out=$([ -z "${nofile:-}" ] || ulimit -n "$nofile"
	      timeout 120 "$CVISOR" do "${flags[@]}" -- "$B/limits" "$@" 2>&1); rc=$?
	sleep 0.3
	left=$(pgrep -f -- "$B/limits" | wc -l)
	[ $rc = "$want_rc" ] || why="exit $rc, not $want_rc"
	[ "$left" = 0 ] || why="$why; $left processes left"
	! grep -q '^cvisor:' <<< "$out" || why="$why; cvisor failed"
	while IFS= read -r l; do
		[ -z "$l" ] || grep -qx -- "$l" <<< "$out" || why="$why; no line '$l'"
	done <<< "$lines"
	result "$name" $([ -z "$why" ]; echo $?) "$why: $(tr '\n' '|' <<< "$out")"
}
limit_case "memory: mmap and brk past --memory get ENOMEM" 0 'mmap 512M: ENOMEM
mmap 512M noreserve: mapped
mmap 512M PROT_NONE: mapped
brk +512M: ENOMEM
brk +1M: grown' --memory=64M -- overcommit
limit_case "memory: the OOM killer takes the biggest process" 0 'grower: killed by KILL
big child: killed by KILL
parent: 16M after the kills: ok' --memory=64M -- oom
limit_case "memory: pid 1 out of memory is killed (137)" 137 '' --memory=64M -- oom-self
limit_case "memory: tmpfs full is ENOSPC (SIGBUS in a shared mapping), one budget with the overlay" 0 'tmpfs write: ENOSPC
shared page past the limit: SIGBUS
after unlink: written
overlay write: ENOSPC
/tmp and / together: under 64 MiB.*' --memory=64M -- tmpfs
limit_case "memory: pipe buffers and socket queues count against --memory" 0 'pipe buffers: ENOMEM under 64 MiB
socket queues: ENOBUFS under 64 MiB' --memory=64M -- pipes
head -c 3000000 /dev/urandom > "$B/cache-a"; head -c 1000000 /dev/urandom > "$B/cache-b"
limit_case "memory: the page cache trimmed under a small --memory" 0 'page cache: read .*' --memory=16M -- pagecache "$B/cache-a" "$B/cache-b"
# 3.9 MB in the page cache, unmapped: given back before the OOM killer, so the
# child gets 29 MiB or more of 32 (27 when the cache was kept).
head -c 3900000 /dev/urandom > "$B/cache-c"
limit_case "memory: the page cache is reclaimed before the OOM killer" 0 'page cache: read .*
grower: KILL after \(29\|3[0-9]\) MiB' --memory=32M -- reclaim "$B/cache-c"
limit_case "files: EMFILE at RLIMIT_NOFILE, ENFILE at --files" 0 'file-max 3000
pipes: EMFILE with 1023 fds open (RLIMIT_NOFILE 1024)
eventfds: ENFILE
after close: eventfd ok' --files=3000 -- files
limit_case "tasks: zombies count until reaped" 0 'zombies: EAGAIN after 31
after reaping: forked' --tasks=32 -- zombies
# Files of the image, each open one a host fd in the sentry, run into the
# sentry's RLIMIT_NOFILE (300 here): ENFILE, as at a full file table.
mkdir -p "$B/many"
for i in $(seq 0 399); do : > "$B/many/$i"; done
nofile=300 limit_case "files: the sentry's host fds run out with ENFILE" 0 'host files: ENFILE
after close: open ok' -- hostfiles "$B/many"

# --tasks alone holds a fork bomb (no RLIMIT_NPROC of its own) to 32 tasks.
out=$(timeout 120 "$CVISOR" do --tasks=32 -- "$B/forkbomb" no-rlimit 2>&1); rc=$?
sleep 0.3
left=$(pgrep -f -- "$B/forkbomb" | wc -l)
if grep -q "^tasks 32 errno EAGAIN" <<< "$out" && [ $rc = 137 ] && [ "$left" = 0 ] && ! grep -q '^cvisor:' <<< "$out"; then
	result "fork bomb held to --tasks=32" 0 ""
else
	result "fork bomb held to --tasks=32" 1 "exit $rc, $left left: $out"
fi

# --cgroup: the gofer, the sentry and the stubs all run in the given cgroup v2
# directory (whose cpu.max and the rest the caller sets), born there; cvisor's
# own waiting process stays where it was started.
out=$("$CVISOR" do --cgroup=/tmp -- /bin/true 2>&1); rc=$?
if [ $rc = 1 ] && grep -q "not a directory of a cgroup v2 hierarchy" <<< "$out"; then result "--cgroup refuses what is not cgroup v2" 0 ""
else result "--cgroup refuses what is not cgroup v2" 1 "exit $rc: $out"; fi
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$cg2" ] || ! mkdir "$cg2/cvisor-test-$$" 2>/dev/null; then
	echo "SKIP security/--cgroup puts every process in the cgroup: no writable cgroup v2 here"
else
	cg=$cg2/cvisor-test-$$
	"$CVISOR" do --cgroup="$cg" -- /bin/sleep 2 & cv=$!
	sleep 1
	procs=$(cat "$cg/cgroup.procs")
	# Every descendant of cvisor: the gofer and the sentry, the sentry's stubs.
	kids=$(pgrep -P $cv); all=$kids
	for p in $kids; do all+=" $(pgrep -P "$p" | tr '\n' ' ')"; done
	ok=1
	for p in $all; do grep -qx "$p" <<< "$procs" || ok=0; done
	wait $cv; rc=$?
	[ $rc = 0 ] && [ "$(wc -w <<< "$all")" -ge 3 ] || ok=0
	result "--cgroup puts the gofer, the sentry and the stubs in the cgroup" $((1 - ok)) "exit $rc, descendants $all, in it: $(tr '\n' ' ' <<< "$procs")"
	rmdir "$cg" 2>/dev/null
	# CPU: only where the v2 hierarchy has the cpu controller to give.
	if grep -qw cpu "$cg2/cgroup.controllers" 2>/dev/null; then
		echo "SKIP security/--cgroup cpu.max: not measured yet"
	else
		echo "SKIP security/--cgroup cpu.max: the cgroup v2 hierarchy at $cg2 has no cpu controller here"
	fi
fi

# A pids limit on the host cgroup (a container's) counts every host task of
# the sandbox, the ones a platform keeps for later too (systrap's parked
# threads and pooled stubs): at the limit they must be given back, so the
# guest makes as many threads after some of its threads and processes ended
# (hostpids 1) as before (hostpids 0).  Not a syscall test: natively the
# cgroup counts only the guest's tasks, and the figure is cvisor's own.
pidscg=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ { print $2; exit }' /proc/mounts)
[ -z "$pidscg" ] && [ -n "$cg2" ] && grep -qw pids "$cg2/cgroup.subtree_control" 2>/dev/null && pidscg=$cg2
if ! gcc -O2 -Wall -Wextra -Werror -pthread -o "$B/hostpids" "$root/tests/security/hostpids.c"; then
	result "hostpids build" 1 ""
elif [ -z "$pidscg" ] || ! mkdir "$pidscg/cvisor-pids-$$" 2>/dev/null; then
	echo "SKIP security/host pids limit: no writable pids cgroup here (needs root and the pids controller)"
else
	cg=$pidscg/cvisor-pids-$$
	echo 100 >"$cg/pids.max"
	counts=
	for park in 0 1; do
		counts+="$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec timeout 60 "$@"' sh "$cg" \
			"$CVISOR" do -- "$B/hostpids" $park 2>&1 </dev/null | tail -1) "
	done
	rmdir "$cg" 2>/dev/null
	set -- $counts
	# One fewer is allowed: a stub of a process that just ended may still await its reaping.
	if [ $# = 4 ] && [ "$1" = threads ] && [ "$2" -gt 10 ] && [ "$4" -ge $(($2 - 1)) ]; then
		result "host pids limit: as many threads after parked ones" 0 ""
	else
		result "host pids limit: as many threads after parked ones" 1 "without, then with tasks ended before: $counts"
	fi
fi

# Ctrl-C at the caller's terminal (SIGINT to cvisor) reaches the sandbox's foreground process.
"$CVISOR" do -- /bin/sleep 30 </dev/null & cv=$!
sleep 1
kill -INT $cv
wait $cv; rc=$?
if [ $rc = 130 ]; then result "SIGINT to cvisor reaches the sandbox" 0 ""
else result "SIGINT to cvisor reaches the sandbox" 1 "exit $rc, not 130"; fi

# Stopping and continuing cvisor from the host (kill -STOP/-CONT, as a shell's
# job control or a debugger does) resumes the sentry's interrupted sleeps
# through restart_syscall, which must be on the list; the program finishes.
# (cvisor's own host calls: nothing to compare natively.)
"$CVISOR" do -- /bin/busybox sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i + 1)); done; sleep 3; echo finished $i' \
	>"$B/stopcont.out" 2>&1 </dev/null & cv=$!
sleep 0.5
for i in 1 2 3 4 5 6; do kill -STOP $cv; sleep 0.1; kill -CONT $cv; sleep 0.2; done 2>/dev/null
wait $cv; rc=$?
if [ $rc = 0 ] && [ "$(cat "$B/stopcont.out")" = "finished 3000" ]; then result "kill -STOP/-CONT of cvisor" 0 ""
else result "kill -STOP/-CONT of cvisor" 1 "exit $rc: $(head -3 "$B/stopcont.out")"; fi

# When cvisor do returns, every process of the sandbox (gofer, sentry, stubs)
# has exited and been reaped by cvisor: run as a subreaper, reaper sees no
# orphan of it, alive or zombie.  (cvisor once left its gofer to the host's pid 1.)
# (cvisor's own processes: nothing to compare natively.)
gcc -O2 -Wall -Wextra -Werror -o "$B/reaper" "$root/tests/security/reaper.c" || result "reaper build" 1 ""
left_after() { # name CVISOR-ARGS...
	local name=$1 out
	shift
	out=$(timeout 60 "$B/reaper" "$CVISOR" do "$@" 2>&1 </dev/null)
	if grep -qx "left 0" <<< "$out"; then result "nothing left: $name" 0 ""
	else result "nothing left: $name" 1 "$(tail -3 <<< "$out")"; fi
}
left_after "true" -- /bin/true
left_after "background children" -- /bin/busybox sh -c 'sleep 100 & (sleep 100 &); exit 0'
left_after "threads" -- /usr/bin/python3 -c 'import threading, time, os
for i in range(4): threading.Thread(target=time.sleep, args=(100,), daemon=True).start()
os.fork() or time.sleep(100)'
left_after "command not found" -- /nonexistent
left_after "sentry crash" --test-sentry-crash -- /bin/sleep 100

# The host refusing a stub's mmap (past its vm.max_map_count: fragmented
# memory-file frames cost a host mapping per page) costs the stub its host
# mappings, which come back on faults: the process runs to the end, as on Linux.
# (Not a syscall test: natively it proves nothing, the stub's host limit is cvisor's.)
gcc -O2 -Wall -Wextra -Werror -o "$B/mapflood" "$root/tests/security/mapflood.c" || result "mapflood build" 1 ""
# The stubs are ptrace's (the kvm platform's vCPUs are threads of the sentry, with no host mapping per page).
stubs_only() { echo "SKIP security/$1: ptrace's stubs; the kvm platform has none"; }
if [ "${TEST_PLATFORM:-ptrace}" = kvm ]; then
	stubs_only "the host refusing a mapping"
	out=skipped rc=0
else
	out=$(timeout 120 "$CVISOR" do -- "$B/mapflood" 2>&1 </dev/null); rc=$?
fi
if [ "$out" = skipped ]; then
	:
elif [ $rc = 0 ] && [ "$out" = "$(printf 'child finished\nparent alive')" ]; then
	result "the host refusing a mapping" 0 ""
else
	result "the host refusing a mapping" 1 "exit $rc: $(tail -3 <<< "$out")"
fi

# Any other platform failure (here a stub killed on the host) is an error for
# the process it hit (SIGKILL), never for the sandbox.
# The shell says when sleep runs (exec'd, so its stub is the sentry's newest
# child), with builtins only, so that no other process comes after it.
if [ "${TEST_PLATFORM:-ptrace}" = kvm ]; then
	stubs_only "a stub killed on the host"
else
"$CVISOR" do -- /bin/busybox sh -c 'sleep 5 & p=$!
	until read -r c < /proc/$p/comm && [ "$c" = sleep ]; do :; done
	echo ready; wait $p; echo "child status $?"; echo survived' >"$B/stubkill.out" 2>/dev/null </dev/null & cv=$!
for i in $(seq 100); do grep -q ready "$B/stubkill.out" && break; sleep 0.1; done
# cvisor's newest child is the sentry (the gofer came first); the stubs are the sentry's.
kill -9 "$(pgrep -P "$(pgrep -P $cv -n)" -n)"
wait $cv; rc=$?
if [ $rc = 0 ] && [ "$(cat "$B/stubkill.out")" = "$(printf 'ready\nchild status 137\nsurvived')" ]; then
	result "a stub killed on the host" 0 ""
else
	result "a stub killed on the host" 1 "exit $rc: $(head -3 "$B/stubkill.out")"
fi
fi

# A process whose first thread ended before the others is killed whole: no
# host thread of it is left spinning (the ptrace platform kills a stub through
# its first thread, which it parks rather than ends for that reason; each
# stub thread also dies with its tracer).
gcc -O2 -Wall -Werror -pthread -o "$B/leaderexit" "$root/tests/security/leaderexit.c"
rm -f "$B/leaderexit.done"
"$CVISOR" do -- "$B/leaderexit" "$B/leaderexit.done" >"$B/leaderexit.out" 2>&1 </dev/null & cv=$!
for i in $(seq 100); do grep -q status "$B/leaderexit.out" && break; sleep 0.1; done
sentry=$(pgrep -P $cv -n)
sleep 0.3
# Host processes of the sandbox still running application code (state R), other than the sentry's own threads.
running=$(for p in $(pgrep -P "$sentry"); do cat /proc/$p/task/*/stat 2>/dev/null; done | awk '$3 == "R"' | wc -l)
touch "$B/leaderexit.done"
wait $cv; rc=$?
if [ $rc = 0 ] && [ "$(cat "$B/leaderexit.out")" = "status 9" ] && [ "$running" = 0 ]; then
	result "a process killed after its first thread ended leaves nothing running" 0 ""
else
	result "a process killed after its first thread ended leaves nothing running" 1 "exit $rc, $running threads running: $(head -3 "$B/leaderexit.out")"
fi

# A host call off the vetted list kills the sentry, with a message
# (a sanitizer build does not enforce the list, and says so).
if "$CVISOR" do --print-host-syscalls | tail -1 | grep -q 'sanitizer build'; then
	echo "SKIP security/forbidden host call kills the sentry: a sanitizer build does not enforce the vetted list"
else
out=$(timeout 30 "$CVISOR" do --test-forbidden-host-call -- /bin/true 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "not on its vetted list" <<< "$out"; then result "forbidden host call kills the sentry" 0 ""
else result "forbidden host call kills the sentry" 1 "exit $rc: $out"; fi
# A call on the list with arguments that are not (a ptrace request the
# platform never makes, PTRACE_PEEKDATA), and kill(2), which is on no list
# (kill(0) would reach cvisor's process group; stubs are killed by tgkill):
# here a kill of a pid past pid_max, with SIGKILL, which the old rule let by;
# sendmmsg on stdout (it is allowed on a veth's packet socket alone) and
# read(2), which left the list (the sentry reads with one-buffer readv).
for call in ptrace kill sendmmsg read; do
	out=$(timeout 30 "$CVISOR" do --test-forbidden-host-call=$call -- /bin/true 2>&1); rc=$?
	if [ $rc -ne 0 ] && grep -q "not on its vetted list" <<< "$out"; then result "$call off its argument limits (or list) kills the sentry" 0 ""
	else result "$call off its argument limits (or list) kills the sentry" 1 "exit $rc: $(head -3 <<< "$out")"; fi
done
fi

# A sentry crash reports a stack and leaves no process behind.
# The command line is this run's own (another run of the suite may be crashing its sentry too);
# the gofer, the sentry and the stubs all carry cvisor's.
mark="--test-sentry-crash -- /bin/sleep 99.$$"
out=$(timeout 30 "$CVISOR" do $mark 2>&1); rc=$?
sleep 0.2
left=$(pgrep -f -- "$mark" | wc -l)
if [ $rc -ne 0 ] && grep -q "sentry stack:" <<< "$out" && grep -q "system call in flight" <<< "$out" && [ "$left" = 0 ]; then
	result "sentry crash: stack, no leftovers" 0 ""
else
	result "sentry crash: stack, no leftovers" 1 "exit $rc, $left left: $(head -3 <<< "$out")"
fi

# Stubs are forked from a template stub of the sandbox's own: it ends with the
# sandbox, whether the program exits (at once: no wait for a straggler, no
# warning) or cvisor is killed (the sentry's pid namespace takes it along).
mark="/bin/sh -c /bin/true&/bin/true&wait;exit.$$"
start=$(date +%s%N)
out=$(timeout 30 "$CVISOR" do -- /bin/sh -c "/bin/true & /bin/true & wait; exit 0" "$mark" 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 0.2
left=$(pgrep -f -- "$mark" | wc -l)
if [ $rc = 0 ] && [ -z "$out" ] && [ "$left" = 0 ] && [ $ms -lt 2000 ]; then
	result "stub template: gone when the sandbox exits" 0 ""
else
	result "stub template: gone when the sandbox exits" 1 "exit $rc in $ms ms, $left left: $(head -3 <<< "$out")"
fi
# descendants PID: every process below PID (stubs show no command line to pgrep).
descendants() {
	local p
	for p in $(pgrep -P "$1"); do
		echo "$p"
		descendants "$p"
	done
}
"$CVISOR" do -- /bin/sh -c "/bin/sleep 30 & /bin/sleep 30 & wait" </dev/null >/dev/null 2>&1 &
cv=$!
# gofer, sentry, template, and a stub each for sh and the two sleeps
# (on kvm: gofer and sentry only)
want_procs=6
[ "${TEST_PLATFORM:-ptrace}" = kvm ] && want_procs=2
for _ in $(seq 50); do [ "$(descendants $cv | wc -l)" -ge $want_procs ] && break; sleep 0.1; done
pids=$(descendants $cv)
before=$(wc -w <<< "$pids")
kill -KILL $cv
wait $cv 2>/dev/null
alive() { local p n=0; for p in $pids; do [ "$(cat /proc/$p/comm 2>/dev/null)" = cvisor ] && n=$((n + 1)); done; echo $n; }
for _ in $(seq 30); do [ "$(alive)" = 0 ] && break; sleep 0.1; done
left=$(alive)
if [ "$before" -ge $want_procs ] && [ "$left" = 0 ]; then
	result "SIGKILL of cvisor: no stub or template left" 0 ""
else
	result "SIGKILL of cvisor: no stub or template left" 1 "$before processes before the kill, $left left after 3 s"
fi

echo "security: $pass passed, $fail failed"
[ $fail = 0 ]
