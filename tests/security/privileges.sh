#!/usr/bin/env bash
# tests/security/privileges.sh: what the sandbox's host processes hold, read
# from outside (/proc/PID/status, /proc/PID/ns, /proc/PID/fd) while a sandbox
# runs.  docs/security.md lists the layers these lines check.
#   the sentry and its stubs: the unprivileged host uid and gid, no groups, no
#   capability in any set, no_new_privs and a seccomp filter, user, pid, mount,
#   IPC, UTS and network namespaces that are not the host's, the sentry pid 1
#   of its pid namespace, the stubs holding nothing but the memory file;
#   the gofer: exactly its listed capabilities, pid 1 of its own pid
#   namespace, its own mount namespace and not the host's network namespace,
#   fds that lead nowhere above the image;
#   none of them holding a host fd the caller had open.
# Prints PASS/FAIL/SKIP lines.  Usage: tests/security/privileges.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}

# runsc-shim/shim.h: SANDBOX_HOST_ID and GOFER_CAPS (CAP_CHOWN, CAP_DAC_OVERRIDE,
# CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID).
HOST_ID=65534
GOFER_CAPS=000000000000001f
NO_CAPS=0000000000000000

if [ "$(id -u)" != 0 ]; then
	echo "SKIP security/privileges: reading another user's /proc/PID/fd and ns links needs root (and so does cvisor)"
	exit 0
fi
sanitizer=
"$CVISOR" do --print-host-syscalls | tail -1 | grep -q 'sanitizer build' && sanitizer=1

result() { # name ok(0/1) detail
	if [ "$2" = 0 ]; then echo "PASS security/$1"
	else echo "FAIL security/$1: $3"; fi
}
field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status" 2>/dev/null; }
ns() { readlink "/proc/$1/ns/$2" 2>/dev/null; }

# A file the caller holds open as fd 9: no process of the sandbox may hold it.
held=$(mktemp /var/tmp/cvisor-held.XXXXXX)
trap 'rm -f "$held"' EXIT

"$CVISOR" do -- /bin/sleep 30 </dev/null >/dev/null 9<"$held" & cv=$!

# The tree: cvisor, its children the gofer and the sentry, and the sentry's
# children the stubs (in the sentry's mount namespace, the gofer in
# another).  A cvisor that is its own sentry (no child of it has children)
# is taken as such after a while, so that each line below can fail.
# The kvm platform has no stubs: the application runs on vCPUs, threads of the sentry.
need_stubs=1
[ "${TEST_PLATFORM:-ptrace}" = kvm ] && need_stubs=
sentry= gofer= stubs=
for i in $(seq 100); do
	sentry=
	for p in $(pgrep -P $cv); do
		if [ -n "$need_stubs" ]; then
			[ -n "$(pgrep -P $p)" ] && sentry=$p
		else
			# No stubs to tell it by: the sentry is the one holding the VM (the
			# gofer is pid 1 of a pid namespace of its own too, and the two were
			# once taken for each other when the sentry had not unshared yet).
			ls -l /proc/$p/fd 2>/dev/null | grep -q 'anon_inode:kvm-vm' && sentry=$p
		fi
	done
	[ -z "$sentry" ] && [ $i -gt 30 ] && sentry=$cv
	gofer= stubs=
	if [ -n "$sentry" ]; then
		for p in $(pgrep -P $cv; pgrep -P $sentry); do
			[ $p != $sentry ] || continue
			if [ "$(ns $p mnt)" = "$(ns $sentry mnt)" ]; then stubs="$stubs $p"; else gofer=$p; fi
		done
	fi
	[ -n "$sentry" ] && [ -n "$gofer" ] && { [ -n "$stubs" ] || [ -z "$need_stubs" ]; } && break
	sleep 0.1
done
if [ -z "$sentry" ] || [ -z "$gofer" ] || { [ -z "$stubs" ] && [ -n "$need_stubs" ]; }; then
	result "privileges/the sandbox's processes" 1 "not found under cvisor $cv (sentry '$sentry', gofer '$gofer', stubs '$stubs')"
	kill $cv 2>/dev/null; wait $cv 2>/dev/null
	exit 0
fi

# An unprivileged process: the host uid, no groups, no capability, no way to gain one.
unprivileged() { # name pid
	local why= f v
	for f in Uid Gid; do
		v=$(field $2 $f | tr -s ' \t' ' ')
		[ "$v" = "$HOST_ID $HOST_ID $HOST_ID $HOST_ID" ] || why="$why $f '$v';"
	done
	v=$(field $2 Groups); [ -z "${v// /}" ] || why="$why Groups '$v';"
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		v=$(field $2 $f); [ "$v" = $NO_CAPS ] || why="$why $f $v;"
	done
	[ "$(field $2 NoNewPrivs)" = 1 ] || why="$why no_new_privs not set;"
	[ "$(field $2 Seccomp)" = 2 ] || why="$why no seccomp filter;"
	result "privileges/$1 runs as uid $HOST_ID with no capability" $([ -z "$why" ]; echo $?) "pid $2:$why"
}

# Namespaces other than the host's (this shell's), one line per kind.
own_ns() { # name pid kinds...
	local name=$1 pid=$2 k why=
	shift 2
	for k; do
		[ -n "$(ns $pid $k)" ] && [ "$(ns $pid $k)" != "$(ns $$ $k)" ] || why="$why $k;"
	done
	result "privileges/$name is not in the host's $*" $([ -z "$why" ]; echo $?) "pid $pid shares the host's:$why"
}

# cvisor itself, while it waits (not an OCI runtime, which has root's work after the end):
# CAP_KILL for the sentry's signals, nothing else, and none to gain back.
why=
for f in CapPrm CapEff CapBnd; do
	v=$(field $cv $f); [ "$v" = 0000000000000020 ] || why="$why $f $v;"
done
for f in CapInh CapAmb; do
	v=$(field $cv $f); [ "$v" = $NO_CAPS ] || why="$why $f $v;"
done
[ "$(field $cv NoNewPrivs)" = 1 ] || why="$why no_new_privs not set;"
result "privileges/cvisor do holds only CAP_KILL while it waits" $([ -z "$why" ]; echo $?) "pid $cv:$why"

unprivileged sentry $sentry
own_ns sentry $sentry user pid mnt ipc uts net
v=$(field $sentry NSpid | tr -s ' \t' ' ')
result "privileges/the sentry is pid 1 of its pid namespace" $([ "${v#* }" = 1 ]; echo $?) "NSpid '$v'"

why=
for s in $stubs; do
	for k in user pid mnt net; do
		[ "$(ns $s $k)" = "$(ns $sentry $k)" ] || why="$why stub $s not in the sentry's $k namespace;"
	done
	# The memory file and its end of the file socket (files of the root
	# come on it for a batch, and are closed at its end).
	fds=$(for f in /proc/$s/fd/*; do readlink "$f"; done 2>/dev/null)
	[ "$(wc -l <<< "$fds")" = 2 ] && [ "$(grep -c '^/memfd:' <<< "$fds")" = 1 ] &&
		[ "$(grep -c '^socket:' <<< "$fds")" = 1 ] ||
		why="$why stub $s holds $(tr '\n' ' ' <<< "$fds");"
done
if [ -n "$need_stubs" ]; then
	result "privileges/the stubs are in the sentry's namespaces, holding the memory file and the file socket only" \
		$([ -z "$why" ]; echo $?) "$why"
else
	echo "SKIP security/privileges/the stubs: none on the kvm platform (vCPUs are sentry threads)"
	[ -z "$stubs" ] || result "privileges/no stub on kvm" 1 "processes under the sentry: $stubs"
fi
for s in $stubs; do unprivileged "stub" $s; break; done

if [ -n "$sanitizer" ]; then
	echo "SKIP security/privileges: the sentry's root is empty: a sanitizer build keeps /proc there"
else
	why=
	for p in $sentry $stubs; do
		[ -z "$(ls -A /proc/$p/root 2>&1)" ] || why="$why pid $p sees files in its root;"
	done
	result "privileges/the sentry's and the stubs' root is empty" $([ -z "$why" ]; echo $?) "$why"
fi

why=
for f in CapPrm CapEff CapBnd; do
	v=$(field $gofer $f); [ "$v" = $GOFER_CAPS ] || why="$why $f $v;"
done
for f in CapInh CapAmb; do
	v=$(field $gofer $f); [ "$v" = $NO_CAPS ] || why="$why $f $v;"
done
[ "$(field $gofer NoNewPrivs)" = 1 ] && [ "$(field $gofer Seccomp)" = 2 ] || why="$why no no_new_privs or no seccomp filter;"
result "privileges/the gofer holds only CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID" \
	$([ -z "$why" ]; echo $?) "pid $gofer:$why"
own_ns gofer $gofer pid mnt ipc uts net
v=$(field $gofer NSpid | tr -s ' \t' ' ')
result "privileges/the gofer is pid 1 of its pid namespace" $([ "${v#* }" = 1 ]; echo $?) "NSpid '$v'"

why=
for p in $gofer $sentry $stubs; do
	for f in /proc/$p/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$held" ] && why="$why pid $p holds it as fd ${f##*/};"
	done
done
result "privileges/no sandbox process holds a host fd the caller had open" $([ -z "$why" ]; echo $?) "$why"

kill -TERM $cv
wait $cv

# The gofer's fds, which the sentry holds, lead nowhere above the image: the
# gofer pivots into it and detaches the rest, so ".." at the image's root
# stays there (a sentry could otherwise walk up with readlinkat or
# newfstatat, which take a path the filter cannot read).  Seen here through
# /proc/SENTRY/fd/N/.. from the host.
img=$(mktemp -d /var/tmp/cvisor-image.XXXXXX)
trap 'rm -f "$held"; rm -rf "$img"' EXIT
mkdir -p "$img/root/bin" "$img/root/proc" "$img/root/dev" "$img/root/sys" "$img/root/tmp"
cp /bin/busybox "$img/root/bin/" && ln -s busybox "$img/root/bin/sleep"
"$CVISOR" do --root "$img/root" -- /bin/sleep 30 </dev/null >/dev/null & cv=$!
rootid=$(stat -c %d:%i "$img/root") fd= up=
for _ in $(seq 100); do
	for p in $cv $(pgrep -P $cv); do
		for f in /proc/$p/fd/*; do
			[ "$(stat -L -c %d:%i "$f" 2>/dev/null)" = "$rootid" ] && { fd=$f; break; }
		done
	done
	[ -n "$fd" ] && break
	sleep 0.1
done
[ -n "$fd" ] && up=$(stat -L -c %d:%i "$fd/.." 2>&1)
result "privileges/the image's root fd leads no higher (..)" $([ -n "$fd" ] && [ "$up" = "$rootid" ]; echo $?) \
	"${fd:-no fd of the image root found}: .. is $up, not the image's root $rootid (its parent is $(stat -c %d:%i "$img"))"
kill -TERM $cv
wait $cv
