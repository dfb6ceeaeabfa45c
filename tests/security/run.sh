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
# The sandbox's write to its root must not be on the host.
if [ -e "$sbroot/cvisor-escape-probe" ]; then result "root write stays inside" 1 "file appeared on the host"
else result "root write stays inside" 0 ""; fi

# With the host's / as the image, the sandbox's /proc and /sys sit on the
# image's; unmounting them must show the gofer's view: empty directories,
# never the host kernel's procfs or sysfs.
out=$(timeout 60 "$CVISOR" do -- /bin/busybox sh -c 'umount /proc && umount /sys && echo unmounted && ls -A /proc /sys' 2>&1); rc=$?
if [ $rc = 0 ] && [ "$(grep -vc -e '^unmounted$' -e '^/proc:$' -e '^/sys:$' -e '^$' <<< "$out")" = 0 ] && grep -q unmounted <<< "$out"; then
	result "host /proc and /sys under the sandbox's" 0 ""
else
	result "host /proc and /sys under the sandbox's" 1 "exit $rc: $(head -5 <<< "$out")"
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

# Ctrl-C at the caller's terminal (SIGINT to cvisor) reaches the sandbox's foreground process.
"$CVISOR" do -- /bin/sleep 30 </dev/null & cv=$!
sleep 1
kill -INT $cv
wait $cv; rc=$?
if [ $rc = 130 ]; then result "SIGINT to cvisor reaches the sandbox" 0 ""
else result "SIGINT to cvisor reaches the sandbox" 1 "exit $rc, not 130"; fi

# A host call off the vetted list kills the sentry, with a message
# (a sanitizer build does not enforce the list, and says so).
if "$CVISOR" do --print-host-syscalls | tail -1 | grep -q 'sanitizer build'; then
	echo "SKIP security/forbidden host call kills the sentry: a sanitizer build does not enforce the vetted list"
else
out=$(timeout 30 "$CVISOR" do --test-forbidden-host-call -- /bin/true 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "not on its vetted list" <<< "$out"; then result "forbidden host call kills the sentry" 0 ""
else result "forbidden host call kills the sentry" 1 "exit $rc: $out"; fi
# Calls on the list with arguments that are not: a ptrace request the platform
# never makes (PTRACE_PEEKDATA), a kill whose pid the kernel would read as
# another (the register's high half set).
for call in ptrace kill; do
	out=$(timeout 30 "$CVISOR" do --test-forbidden-host-call=$call -- /bin/true 2>&1); rc=$?
	if [ $rc -ne 0 ] && grep -q "not on its vetted list" <<< "$out"; then result "$call off its argument limits kills the sentry" 0 ""
	else result "$call off its argument limits kills the sentry" 1 "exit $rc: $(head -3 <<< "$out")"; fi
done
fi

# A sentry crash reports a stack and leaves no process behind.
out=$(timeout 30 "$CVISOR" do --test-sentry-crash -- /bin/sleep 100 2>&1); rc=$?
sleep 0.2
left=$(pgrep -f -- "--test-sentry-crash" | wc -l)
if [ $rc -ne 0 ] && grep -q "sentry stack:" <<< "$out" && grep -q "system call in flight" <<< "$out" && [ "$left" = 0 ]; then
	result "sentry crash: stack, no leftovers" 0 ""
else
	result "sentry crash: stack, no leftovers" 1 "exit $rc, $left left: $(head -3 <<< "$out")"
fi

echo "security: $pass passed, $fail failed"
[ $fail = 0 ]
