#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/bench/run.sh [--cvisor PATH] [--baseline PATH] [--runs K] [--pin CPU] [--only net]
#
# cvisor against native and Debian's runsc (ptrace platform), in one run and
# one table, as ratios: timing on a shared VM is too noisy for pass/fail, so
# nothing here fails on a slow number.  What is measured:
#
#   getppid          ns per raw getppid(): the bare system call path
#   clock_gettime    ns per clock_gettime(CLOCK_MONOTONIC) through libc: the
#                    vDSO where there is one, else a system call
#   fork, pipe, futex, thread
#                    fork+exit+wait, fork+exec+wait of /bin/true (a dynamic
#                    program: its loader's work is in the round), a pipe
#                    ping-pong between two processes
#                    (also with 1000 idle threads asleep on other pipes: only
#                    the waiters of the pipe that changed should wake),
#                    a futex ping-pong between two threads, thread create+join
#   open+read+close  ns per round on /etc/hostname: path walk and file setup
#   mmap+touch+munmap
#                    ns per round of 64 KiB of anonymous memory, each page
#                    written once: page faults and mapping changes
#   write via gofer  256 MiB written to the host's disk through the gofer
#                    (cvisor --overlay=none, runsc --overlay2=none)
#   tcp              1-byte TCP ping-pong between two processes over
#                    127.0.0.1 (ns per round trip), a 512 MiB bulk
#                    transfer (MB/s), connection setup (ns per connect,
#                    accept and close) and iperf3 for 2 s (MB/s): the
#                    sandboxes' own loopback stacks (runsc --network=none)
#   tcp over a veth  the same four with the server in a network namespace
#                    the bench makes (198.18.1.2/24, RFC 2544's range),
#                    inside a sandbox that takes its veth (cvisor --net-ns),
#                    and the client native at the other end; all of it
#                    inside `unshare -n -m`, so the host's network is not
#                    touched.  Needs root.  runsc's column is n/a: the
#                    runsc of Debian (2022) refuses any namespace on
#                    kernels whose every namespace has
#                    /proc/sys/net/core/rmem_default (its test for "root").
#   do /bin/true     wall ms and peak memory of the whole sandbox
#   python3 -c pass  wall ms of the whole sandbox: a dynamic program's start
#   SYSEMU floor     ns per PTRACE_SYSEMU round trip, tracer and tracee on the
#                    same CPU and on two CPUs: what a ptrace sandbox cannot beat
#   RET_TRAP floor   ns per seccomp RET_TRAP + SIGSYS round trip (rettrap.c),
#                    answered in the handler and handed to another thread over
#                    a futex: what cvisor's systrap platform cannot beat
#
# Every cvisor row runs on the ptrace platform (column cvisor) and, where
# `cvisor platforms` says it can run here, on systrap too (columns systrap,
# the default platform, and systrap/ptrace), in the same interleaved runs.
#
# Where `cvisor platforms` says kvm can run, every figure is also measured with
# cvisor do --platform=kvm, in a kvm column beside cvisor's (ptrace), with the
# ratio kvm/ptrace.
#
# --baseline PATH adds a column for another cvisor binary (an older build, to
# see what a change did), run on its default platform, and the ratio of this
# build's default platform to it (systrap/baseline; cvisor/baseline, the
# ptrace column, where systrap cannot run), measured in the same
# interleaved runs.
#
# Each figure is the median of K runs (one process per run), the runs of the
# three columns interleaved so that a noisy minute hurts them alike.  With
# --pin CPU every measured command (the whole sandbox) is confined to that
# CPU; without it the scheduler places them.  The floor pins itself.
#
# The C programs are built into build/bench/.  If the cvisor binary is
# missing or cannot run the programs its column says n/a, as does runsc's
# when runsc is not installed; details of every failure go to
# build/bench/bench.log.

set -u
export LC_ALL=C	# "." as the decimal point for printf, awk and sort

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$root/build/bench
LOG=$B/bench.log
CVISOR=$root/build/cvisor
BASELINE=
RUNS=7
PIN_CPU=
ONLY=

# Iterations per run.  Sandboxed calls cost 10-1000x native ones, so they get
# fewer; every run still lasts well over the clock's resolution.
N_GETPPID_NATIVE=1000000
N_GETPPID_SANDBOX=10000
N_CLOCK_NATIVE=10000000
N_CLOCK_SANDBOX=300000
N_OPEN_NATIVE=100000
N_OPEN_SANDBOX=2000
N_FLOOR_SAME=20000
N_FLOOR_CROSS=5000
# A sandbox under development may hang: no run may take longer than this,
# and after one time-out that benchmark is not run again in that sandbox.
TIMEOUT=${BENCH_TIMEOUT:-30}

# --ignore-cgroups: otherwise runsc moves its gofer and sandbox into a cgroup
# of its own, out of the one that measures peak memory.
RUNSC_FLAGS=(--rootless --network=none --platform=ptrace --ignore-cgroups)

usage() {
	echo "usage: $0 [--cvisor PATH] [--baseline PATH] [--runs K] [--pin CPU] [--only net]" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--cvisor) [ $# -ge 2 ] || usage; CVISOR=$2; shift 2 ;;
	--baseline) [ $# -ge 2 ] || usage; BASELINE=$2; shift 2 ;;
	--runs)   [ $# -ge 2 ] || usage; RUNS=$2; shift 2 ;;
	--pin)    [ $# -ge 2 ] || usage; PIN_CPU=$2; shift 2 ;;
	--only)   [ $# -ge 2 ] && [ "$2" = net ] || usage; ONLY=net; shift 2 ;;
	*) usage ;;
	esac
done
case $RUNS in ''|*[!0-9]*|0) usage ;; esac
case $PIN_CPU in *[!0-9]*) usage ;; esac
# Commands run from /, so a relative --cvisor must be made absolute first.
case $CVISOR in /*) ;; *) CVISOR=$PWD/$CVISOR ;; esac
case $BASELINE in /*|'') ;; *) BASELINE=$PWD/$BASELINE ;; esac

PIN=()
[ -n "$PIN_CPU" ] && PIN=(taskset -c "$PIN_CPU")

# --- build ----------------------------------------------------------------

mkdir -p "$B" || exit 1
: >"$LOG"
CC=${CC:-gcc}
CFLAGS=(-O2 -g -Wall -Wextra -std=gnu11 -pthread)
for p in getppid clockgettime openread mmaptouch sysemu rettrap spawnstat forkwait forkexec pipepong futexpong threadjoin fsbench tcpbench; do
	if [ "$B/$p" -nt "$here/$p.c" ] && [ "$B/$p" -nt "$here/bench.h" ]; then
		continue
	fi
	# Static, so the sandboxes' loaders and libraries are not part of the
	# figure; dynamic if this system has no static libc.
	# shellcheck disable=SC2086	# CC may be "ccache gcc"
	$CC "${CFLAGS[@]}" -static -o "$B/$p" "$here/$p.c" 2>>"$LOG" ||
	$CC "${CFLAGS[@]}" -o "$B/$p" "$here/$p.c" || {
		echo "bench: cannot build $p (see $LOG)" >&2
		exit 1
	}
done

# --- helpers --------------------------------------------------------------

# Extra flags for one benchmark: the root written through the gofer.
CVISOR_EXTRA=()
RUNSC_EXTRA=()

# The command prefix that runs something in environment $1, in CMD.
cmd_in() {
	case $1 in
	native) CMD=() ;;
	cvisor) CMD=("$CVISOR" "do" --platform=ptrace "${CVISOR_EXTRA[@]}" --) ;;
	baseline) CMD=("$BASELINE" "do" "${CVISOR_EXTRA[@]}" --) ;;
	kvm)    CMD=("$CVISOR" "do" --platform=kvm "${CVISOR_EXTRA[@]}" --) ;;
	systrap) CMD=("$CVISOR" "do" --platform=systrap "${CVISOR_EXTRA[@]}" --) ;;
	runsc)  CMD=(runsc "${RUNSC_FLAGS[@]}" "${RUNSC_EXTRA[@]}" "do") ;;
	esac
}

is_number() {
	[[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]
}

# Runs "$@" in environment $1 once; prints its stdout.  stdin is /dev/null
# and stdout a fresh pipe: runsc sets O_NONBLOCK on the stdio it is given,
# which would break a terminal or pipe shared with this script.
run_once() {
	local env=$1
	shift
	cmd_in "$env"
	echo "+ [$env] ${CMD[*]} $*" >>"$LOG"
	(cd / && "${PIN[@]}" timeout -k 5 "$TIMEOUT" "${CMD[@]}" "$@" \
		</dev/null 2>>"$LOG")
}

median() {
	if [ $# -eq 0 ]; then
		echo n/a
		return
	fi
	printf '%s\n' "$@" | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR % 2) print v[(NR + 1) / 2]
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# ratio A B: A/B as "12.3x", or n/a when either is missing.
ratio() {
	if ! is_number "$1" || ! is_number "$2"; then
		echo n/a
		return
	fi
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (b == 0) { print "n/a"; exit }
		r = a / b
		if (r >= 100) printf "%.0fx\n", r
		else if (r >= 10) printf "%.1fx\n", r
		else if (r >= 0.1) printf "%.2fx\n", r
		else printf "%.3fx\n", r
	}'
}

# fmt PRECISION VALUE: a number with that many decimals, or n/a.
fmt() {
	if is_number "$2"; then
		printf "%.*f" "$1" "$2"
	else
		printf "n/a"
	fi
}

FAILED=0
declare -A GAVE_UP

# failed KEY RC WHAT: notes a failed run; after a time-out, KEY is given up.
failed() {
	FAILED=$((FAILED + 1))
	if [ "$2" -eq 124 ] || [ "$2" -eq 137 ]; then
		GAVE_UP[$1]=1
		echo "! $3: timed out after ${TIMEOUT}s, not run again" >>"$LOG"
	else
		echo "! $3: exit status $2" >>"$LOG"
	fi
}

# --- which sandboxes can run ----------------------------------------------

ENVS=(native)
declare -A WHY_NOT

probe() {
	local env=$1 out
	out=$(run_once "$env" "$B/getppid" 100)
	if is_number "$out"; then
		ENVS+=("$env")
	else
		WHY_NOT[$env]="cannot run the bench programs (see $LOG)"
	fi
}

if [ ! -x "$CVISOR" ]; then
	WHY_NOT[cvisor]="$CVISOR not built"
else
	probe cvisor
fi
SYSTRAP=
if [ -x "$CVISOR" ]; then
	st=$("$CVISOR" platforms 2>&1 | sed -n 's/^systrap //p')
	if [ "$st" = available ]; then
		probe systrap
		[ -z "${WHY_NOT[systrap]:-}" ] && SYSTRAP=1
	else
		WHY_NOT[systrap]="systrap ${st:-is not in this build}"
	fi
fi
# The default platform's column, which the baseline (an older build, on its default) is set against.
DEFAULT_COL=cvisor
[ -z "$SYSTRAP" ] || DEFAULT_COL=systrap
if [ -n "$BASELINE" ]; then
	if [ ! -x "$BASELINE" ]; then
		WHY_NOT[baseline]="$BASELINE not built"
	else
		probe baseline
	fi
fi
KVM_STATE=n/a
if [ -x "$CVISOR" ]; then
	KVM_STATE=$("$CVISOR" platforms 2>&1 | sed -n 's/^kvm //p')
	if [ "$KVM_STATE" = available ]; then
		probe kvm
	else
		WHY_NOT[kvm]=${KVM_STATE#unavailable: }
	fi
fi
if ! command -v runsc >/dev/null; then
	WHY_NOT[runsc]="runsc not installed (apt-get install runsc)"
else
	probe runsc
fi

# --- where peak memory can be measured ------------------------------------

# Prints a directory under which a memory cgroup can be made for one run:
# cgroup v2 where memory is enabled for children (our own cgroup, or its
# parent if ours holds processes), else the v1 memory hierarchy.
find_memcg_parent() {
	local mnt='' fsroot='' path='' dir=''

	read -r mnt fsroot < <(findmnt -rn -t cgroup2 -o TARGET,FSROOT | head -1)
	path=$(sed -n 's/^0:://p' /proc/self/cgroup)
	if [ -n "$mnt" ] && [ -n "$path" ]; then
		[ "$fsroot" != / ] && path=${path#"$fsroot"}
		for dir in "$mnt$path" "$(dirname "$mnt$path")"; do
			if grep -qw memory "$dir/cgroup.subtree_control" 2>/dev/null &&
			   [ -w "$dir" ]; then
				echo "${dir%/}"
				return
			fi
		done
	fi
	read -r mnt fsroot < <(findmnt -rn -t cgroup -o TARGET,FSROOT,OPTIONS |
		awk '$3 ~ /(^|,)memory(,|$)/ { print $1, $2; exit }')
	path=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3; exit }' /proc/self/cgroup)
	if [ -n "$mnt" ] && [ -n "$path" ]; then
		[ "$fsroot" != / ] && path=${path#"$fsroot"}
		dir=$mnt$path
		[ -w "$dir" ] && echo "${dir%/}"
	fi
}

CG_PARENT=$(find_memcg_parent)
CG_METHOD=
if [ -n "$CG_PARENT" ]; then
	# One trial run says whether we may really create and enter one.
	out=$("$B/spawnstat" --cgroup-parent "$CG_PARENT" -- /bin/true 2>>"$LOG")
	case $out in
	*" v2") CG_METHOD="cgroup v2 memory.peak" ;;
	*" v1") CG_METHOD="cgroup v1 memory.max_usage_in_bytes" ;;
	*) CG_PARENT= ;;
	esac
fi

# --- measure --------------------------------------------------------------

declare -A V	# V[bench,env] = the values of the successful runs

# bench NAME ITER_NATIVE ITER_SANDBOX PROG [ARGS...]: one-number programs.
bench() {
	local name=$1 n_native=$2 n_sandbox=$3 prog=$4 i env n out rc
	shift 4
	for ((i = 0; i < RUNS; i++)); do
		for env in "${ENVS[@]}"; do
			[ -n "${GAVE_UP[$name,$env]:-}" ] && continue
			n=$n_sandbox
			[ "$env" = native ] && n=$n_native
			out=$(run_once "$env" "$B/$prog" "$n" "$@")
			rc=$?
			if [ $rc -eq 0 ] && is_number "$out"; then
				V[$name,$env]+="$out "
			else
				failed "$name,$env" $rc "$name in $env"
			fi
		done
	done
}

# do /bin/true under spawnstat: wall time, largest maxrss, cgroup peak.
bench_true() {
	local i env out rc wall='' rss='' peak='' method='' cg=()
	[ -n "$CG_PARENT" ] && cg=(--cgroup-parent "$CG_PARENT")
	for ((i = 0; i < RUNS; i++)); do
		for env in "${ENVS[@]}"; do
			[ -n "${GAVE_UP[true,$env]:-}" ] && continue
			cmd_in "$env"
			echo "+ [$env] spawnstat ${CMD[*]} /bin/true" >>"$LOG"
			out=$(cd / && "${PIN[@]}" timeout -k 5 "$TIMEOUT" \
				"$B/spawnstat" "${cg[@]}" -- "${CMD[@]}" /bin/true \
				</dev/null 2>>"$LOG")
			rc=$?
			read -r wall rss peak method <<<"$out"
			if [ $rc -ne 0 ] || ! is_number "$wall" || ! is_number "$rss"; then
				failed "true,$env" $rc "do /bin/true in $env"
				continue
			fi
			V[true_ms,$env]+="$(awk -v x="$wall" 'BEGIN { print x / 1e6 }') "
			V[true_rss,$env]+="$(awk -v x="$rss" 'BEGIN { print x / 1024 }') "
			if [ "$method" != - ] && is_number "$peak"; then
				V[true_peak,$env]+="$(awk -v x="$peak" 'BEGIN { print x / 1048576 }') "
			fi
		done
	done
}

# CMD under spawnstat: wall ms into V[KEY,env].  bench_wall KEY CMD [ARGS...]
bench_wall() {
	local key=$1 i env out rc wall
	shift
	for ((i = 0; i < RUNS; i++)); do
		for env in "${ENVS[@]}"; do
			[ -n "${GAVE_UP[$key,$env]:-}" ] && continue
			cmd_in "$env"
			echo "+ [$env] spawnstat ${CMD[*]} $*" >>"$LOG"
			out=$(cd / && "${PIN[@]}" timeout -k 5 "$TIMEOUT" \
				"$B/spawnstat" -- "${CMD[@]}" "$@" </dev/null 2>>"$LOG")
			rc=$?
			read -r wall _ <<<"$out"
			if [ $rc -ne 0 ] || ! is_number "$wall"; then
				failed "$key,$env" $rc "$* in $env"
				continue
			fi
			V[$key,$env]+="$(awk -v x="$wall" 'BEGIN { print x / 1e6 }') "
		done
	done
}

# The floor runs natively and places itself; --pin would defeat "cross".
bench_floor() {
	local i where n out rc
	for ((i = 0; i < RUNS; i++)); do
		for where in same cross; do
			[ -n "${GAVE_UP[floor,$where]:-}" ] && continue
			n=$N_FLOOR_SAME
			[ $where = cross ] && n=$N_FLOOR_CROSS
			echo "+ sysemu $n $where" >>"$LOG"
			out=$(timeout -k 5 "$TIMEOUT" "$B/sysemu" "$n" "$where" \
				</dev/null 2>>"$LOG")
			rc=$?
			if [ $rc -eq 0 ] && is_number "$out"; then
				V[floor,$where]+="$out "
			else
				failed "floor,$where" $rc "sysemu $where"
			fi
		done
		for where in self handoff; do
			[ -n "${GAVE_UP[rtfloor,$where]:-}" ] && continue
			echo "+ rettrap $N_FLOOR_SAME $where" >>"$LOG"
			out=$(timeout -k 5 "$TIMEOUT" "$B/rettrap" "$N_FLOOR_SAME" "$where" \
				</dev/null 2>>"$LOG")
			rc=$?
			if [ $rc -eq 0 ] && is_number "$out"; then
				V[rtfloor,$where]+="$out "
			else
				failed "rtfloor,$where" $rc "rettrap $where"
			fi
		done
	done
}

# TCP across a veth (tests/bench/netbench.sh, in a network and mount
# namespace of its own): V[KEY,env] from the native client's figures.
# bench_veth KEY KIND N_NATIVE N_SANDBOX
VETH_WHY_NOT=
if [ "$(id -u)" != 0 ] || ! unshare -n -m true 2>/dev/null; then
	VETH_WHY_NOT="needs root (network namespaces and a veth pair)"
elif ! command -v ip >/dev/null || ! command -v nsenter >/dev/null; then
	VETH_WHY_NOT="needs ip (iproute2) and nsenter"
fi
bench_veth() {
	local key=$1 kind=$2 n_native=$3 n_sandbox=$4 i env n out rc
	[ -n "$VETH_WHY_NOT" ] && return
	for ((i = 0; i < RUNS; i++)); do
		for env in "${ENVS[@]}"; do
			[ "$env" = runsc ] && continue
			[ -n "${GAVE_UP[$key,$env]:-}" ] && continue
			n=$n_sandbox
			[ "$env" = native ] && n=$n_native
			local bin=$CVISOR
			[ "$env" = baseline ] && bin=$BASELINE
			echo "+ [$env] netbench $kind $n" >>"$LOG"
			out=$(cd / && timeout -k 5 "$TIMEOUT" unshare -n -m --propagation private \
				bash "$here/netbench.sh" "${env/baseline/cvisor}" "$kind" "$n" "$bin" </dev/null 2>>"$LOG")
			rc=$?
			if [ $rc -eq 0 ] && is_number "$out"; then
				V[$key,$env]+="$out "
			else
				failed "$key,$env" $rc "$key in $env"
			fi
		done
	done
}

# bench_sh KEY SCRIPT ARGS...: a shell script of tests/bench in each environment (one number).
bench_sh() {
	local key=$1 i env out rc
	shift
	for ((i = 0; i < RUNS; i++)); do
		for env in "${ENVS[@]}"; do
			[ -n "${GAVE_UP[$key,$env]:-}" ] && continue
			out=$(run_once "$env" /bin/sh "$here/$@")
			rc=$?
			if [ $rc -eq 0 ] && is_number "$out"; then
				V[$key,$env]+="$out "
			else
				failed "$key,$env" $rc "$key in $env"
			fi
		done
	done
}

# File-system inputs on the host's disk, which every sandbox sees read-only:
# a path 16 directories deep, a directory of 10,000 entries, a 1 GiB file, and
# a tar of /usr/share/doc (uncompressed: the figure is file-system work, not gzip).
FS=$B/fsdata
if [ ! -e "$FS/done" ] || [ ! -e "$FS/doc.tar" ]; then
	rm -rf "$FS" && mkdir -p "$FS/dir10k"
	deep=$FS/deep
	for i in $(seq 16); do deep=$deep/d$i; done
	mkdir -p "$deep" && : >"$deep/file"
	(cd "$FS/dir10k" && seq -f "entry-%05g" 10000 | xargs touch)
	head -c $((1024 << 20)) /dev/urandom >"$FS/big"
	tar cf "$FS/doc.tar" -C /usr/share doc
	: >"$FS/done"
fi
DEEP=$(find "$FS/deep" -name file)

started=$(date +%s)
if [ "$ONLY" != net ]; then
bench getppid "$N_GETPPID_NATIVE" "$N_GETPPID_SANDBOX" getppid
bench clock "$N_CLOCK_NATIVE" "$N_CLOCK_SANDBOX" clockgettime
bench open "$N_OPEN_NATIVE" "$N_OPEN_SANDBOX" openread /etc/hostname
bench mmap 20000 500 mmaptouch
# Processes and threads: each sandboxed round costs several ms (fork) or tens of µs.
bench fork 2000 30 forkwait
bench forkexec 200 30 forkexec
bench pipe 50000 2000 pipepong
bench pipeidle 50000 2000 pipepong 1000
bench futex 50000 2000 futexpong
bench thread 5000 100 threadjoin
# Files: stat of a deep path, listing a large directory, 1 GiB written to and
# read back from the sandbox's /tmp (tmpfs in a sandbox, the disk and its page
# cache natively), read through the gofer, 256 MiB through a pipe, and an
# untar of /usr/share/doc into /tmp.
bench stat 100000 1000 fsbench stat "$DEEP"
bench readdir 200 20 fsbench readdir "$FS/dir10k"
bench tmpwrite 1024 1024 fsbench write /tmp
bench tmpread 1024 1024 fsbench readback /tmp
bench gread 1024 1024 fsbench read "$FS/big"
# Written through the gofer to the host's disk: no overlay in either sandbox
# (the file goes to $FS, natively too); fsbench fsyncs before it stops the clock.
CVISOR_EXTRA=(--overlay=none)
RUNSC_EXTRA=(--overlay2=none)
bench gwrite 1024 1024 fsbench write "$FS"
CVISOR_EXTRA=()
RUNSC_EXTRA=()
bench pipebw 256 256 fsbench pipe
bench untar 1 1 fsbench untar "$FS/doc.tar" /tmp
fi
bench tcppp 20000 2000 tcpbench pingpong
bench tcpbw 512 512 tcpbench bulk
bench tcpconn 2000 300 tcpbench connect
if command -v iperf3 >/dev/null; then
	bench_sh iperf iperf_lo.sh 2
else
	IPERF_WHY_NOT="iperf3 not installed (apt-get install iperf3)"
fi
bench_veth vpp pingpong 20000 2000
bench_veth vbw bulk 512 512
bench_veth vconn connect 2000 300
command -v iperf3 >/dev/null && bench_veth viperf iperf 2 2
if [ "$ONLY" != net ]; then
bench_true
bench_wall py_ms /usr/bin/python3 -c pass
bench_floor
fi
elapsed=$(($(date +%s) - started))

# M[bench,env]: the medians, n/a where a column could not run.
declare -A M
for key in getppid clock open mmap py_ms fork forkexec pipe pipeidle futex thread stat readdir tmpwrite tmpread gread gwrite pipebw untar tcppp tcpbw tcpconn iperf vpp vbw vconn viperf true_ms true_rss true_peak; do
	for env in native cvisor runsc baseline kvm systrap; do
		# shellcheck disable=SC2086	# the values are split on purpose
		M[$key,$env]=$(median ${V[$key,$env]:-})
	done
done
for where in same cross; do
	# shellcheck disable=SC2086
	M[floor,$where]=$(median ${V[floor,$where]:-})
done
for where in self handoff; do
	# shellcheck disable=SC2086
	M[rtfloor,$where]=$(median ${V[rtfloor,$where]:-})
done

# --- report ---------------------------------------------------------------

if [ -n "$PIN_CPU" ]; then
	pinning="CPUs pinned: every command (the whole sandbox) on CPU $PIN_CPU"
else
	pinning="CPUs not pinned: the scheduler places every process (--pin CPU to confine them)"
fi
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "cvisor bench: $(uname -sr), $(nproc) CPUs, ${cpu_model:-unknown CPU}"
echo "Each figure is the median of $RUNS runs. $pinning."
echo "  cvisor: $CVISOR do --platform=ptrace --${WHY_NOT[cvisor]:+   [n/a: ${WHY_NOT[cvisor]}]}"
echo "  runsc:  runsc ${RUNSC_FLAGS[*]} do${WHY_NOT[runsc]:+   [n/a: ${WHY_NOT[runsc]}]}"
[ -z "$BASELINE" ] || echo "  baseline: $BASELINE do --${WHY_NOT[baseline]:+   [n/a: ${WHY_NOT[baseline]}]}"
echo "  kvm:    $CVISOR do --platform=kvm --${WHY_NOT[kvm]:+   [n/a: ${WHY_NOT[kvm]}]}"
echo "  systrap: $CVISOR do --platform=systrap --  (the default platform)${WHY_NOT[systrap]:+   [n/a: ${WHY_NOT[systrap]}]}"
if command -v runsc >/dev/null; then
	echo "          ($(runsc --version 2>/dev/null | head -1))"
fi
echo

row() {	# row LABEL KEY DECIMALS
	local label=$1 key=$2 d=$3
	printf "%-34s %10s %10s %10s %14s %13s %13s" "$label" \
		"$(fmt "$d" "${M[$key,native]}")" \
		"$(fmt "$d" "${M[$key,cvisor]}")" \
		"$(fmt "$d" "${M[$key,runsc]}")" \
		"$(ratio "${M[$key,cvisor]}" "${M[$key,native]}")" \
		"$(ratio "${M[$key,runsc]}" "${M[$key,native]}")" \
		"$(ratio "${M[$key,cvisor]}" "${M[$key,runsc]}")"
	[ -z "$BASELINE" ] || printf " %10s %15s" "$(fmt "$d" "${M[$key,baseline]}")" \
		"$(ratio "${M[$key,$DEFAULT_COL]}" "${M[$key,baseline]}")"
	[ "$KVM_STATE" != available ] || printf " %10s %11s" "$(fmt "$d" "${M[$key,kvm]}")" \
		"$(ratio "${M[$key,kvm]}" "${M[$key,cvisor]}")"
	[ -z "$SYSTRAP" ] || printf " %10s %14s" "$(fmt "$d" "${M[$key,systrap]}")" \
		"$(ratio "${M[$key,systrap]}" "${M[$key,cvisor]}")"
	echo
}

printf "%-34s %10s %10s %10s %14s %13s %13s" "" native cvisor runsc \
	cvisor/native runsc/native cvisor/runsc
[ -z "$BASELINE" ] || printf " %10s %15s" baseline "$DEFAULT_COL/baseline"
[ "$KVM_STATE" != available ] || printf " %10s %11s" kvm kvm/ptrace
[ -z "$SYSTRAP" ] || printf " %10s %14s" systrap systrap/ptrace
echo
if [ "$ONLY" != net ]; then
row "getppid (ns/call)" getppid 0
row "clock_gettime (ns/call)" clock 0
row "open+read+close (ns/iter)" open 0
row "mmap+touch+munmap 64K (ns/round)" mmap 0
row "fork+exit+wait (ns/round)" fork 0
row "fork+exec+wait /bin/true (ns/round)" forkexec 0
row "pipe ping-pong, 2 procs (ns/rt)" pipe 0
row "  ... with 1000 idle threads (ns/rt)" pipeidle 0
row "futex ping-pong, 2 threads (ns/rt)" futex 0
row "thread create+join (ns/round)" thread 0
row "stat, 16-deep path (ns)" stat 0
row "readdir 10k entries (ns/listing)" readdir 0
row "write 1G to /tmp (MB/s) [3]" tmpwrite 0
row "read 1G back from /tmp (MB/s) [3]" tmpread 0
row "read 1G via gofer (MB/s) [3]" gread 0
row "write 1G via gofer (MB/s) [3][4]" gwrite 0
row "pipe 256M, 2 procs (MB/s) [3]" pipebw 0
row "untar /usr/share/doc to /tmp (ms)" untar 1
fi
row "TCP 1-byte ping-pong, lo (ns/rt)" tcppp 0
row "TCP bulk 512M, lo (MB/s) [3]" tcpbw 0
row "TCP connect+accept+close, lo (ns)" tcpconn 0
row "iperf3 2 s, lo (MB/s) [3]" iperf 0
row "TCP ping-pong 1B, veth (ns/rt) [5]" vpp 0
row "TCP bulk 512M, veth (MB/s) [3][5]" vbw 0
row "TCP connect+close, veth (ns) [5]" vconn 0
row "iperf3 2 s, veth (MB/s) [3][5]" viperf 0
if [ "$ONLY" != net ]; then
row "do /bin/true, wall (ms)" true_ms 2
if [ -n "$CG_PARENT" ]; then
	row "do /bin/true, peak memory (MiB) [1]" true_peak 1
fi
row "do /bin/true, max RSS (MiB) [2]" true_rss 1
row "python3 -c pass, wall (ms)" py_ms 1
fi

if [ "$ONLY" != net ]; then
echo
echo "PTRACE_SYSEMU floor: one round trip = waitpid + GETREGS + SETREGS + SYSEMU,"
echo "native, median of $RUNS runs (the program pins itself):"
printf "  %-44s %10s ns\n" "tracer and tracee on the same CPU" "$(fmt 0 "${M[floor,same]}")"
printf "  %-44s %10s ns   (%s the same-CPU cost)\n" "tracer and tracee on different CPUs" \
	"$(fmt 0 "${M[floor,cross]}")" "$(ratio "${M[floor,cross]}" "${M[floor,same]}")"
printf "  %-44s %10s / %s\n" "cvisor getppid / floor, same CPU / cross-CPU" \
	"$(ratio "${M[getppid,cvisor]}" "${M[floor,same]}")" \
	"$(ratio "${M[getppid,cvisor]}" "${M[floor,cross]}")"
printf "  %-44s %10s / %s\n" "runsc getppid / floor, same CPU / cross-CPU" \
	"$(ratio "${M[getppid,runsc]}" "${M[floor,same]}")" \
	"$(ratio "${M[getppid,runsc]}" "${M[floor,cross]}")"
echo
echo "RET_TRAP floor (systrap's): getppid trapped by seccomp, SIGSYS handled, native,"
echo "median of $RUNS runs, not pinned:"
printf "  %-44s %10s ns\n" "answered in the handler" "$(fmt 0 "${M[rtfloor,self]}")"
printf "  %-44s %10s ns\n" "handed to another thread over a futex" "$(fmt 0 "${M[rtfloor,handoff]}")"
printf "  %-44s %10s / %s\n" "systrap getppid / floor, in-handler / handoff" \
	"$(ratio "${M[getppid,systrap]}" "${M[rtfloor,self]}")" \
	"$(ratio "${M[getppid,systrap]}" "${M[rtfloor,handoff]}")"
fi

echo
if [ -n "$CG_PARENT" ]; then
	echo "[1] $CG_METHOD of a fresh memory cgroup holding the whole process"
	echo "    tree (sandbox, helpers, stubs, shared memory such as the memory file)."
	echo "    The kernel charges in batches of up to 64 pages, so small figures are coarse."
else
	echo "[1] no writable memory cgroup here: whole-tree peak memory not measured."
fi
echo "[2] wait4() ru_maxrss: the largest single process of the tree (counting the"
echo "    shared pages it maps, e.g. the binary), not the sum over the tree."
echo "[3] throughput: higher is better, so a ratio under 1 means slower; natively /tmp is the disk."
if [ "$KVM_STATE" = available ]; then
	if [ -e /sys/module/kvm_pvm ]; then
		echo "[k] kvm here is kvm_pvm (nested, no hardware virtualization): every guest ring-0 instruction"
		echo "    is emulated and every exit is a full switch, so kvm/ptrace > 1 is this host's, not the design's;"
		echo "    docs/kvm.md estimates bare-metal VT-x/AMD-V from the stub's instruction counts."
	fi
fi
echo "[4] the sandboxes without their root overlay (cvisor --overlay=none, runsc --overlay2=none),"
echo "    so the file is written to the host's disk through the gofer, and fsync'ed."
echo "[5] across a veth between two namespaces the bench makes (198.18.1.0/24): the server in the"
echo "    sandbox (cvisor do --net-ns), the client native at the other end.${VETH_WHY_NOT:+ Not run: $VETH_WHY_NOT.}"
echo "    runsc: n/a, Debian's runsc (2022) refuses every network namespace on this kernel"
echo "    (it takes /proc/sys/net/core/rmem_default to mean the root namespace; kernel 6.x has it in each)."
[ -z "${IPERF_WHY_NOT:-}" ] || echo "    iperf3 rows: $IPERF_WHY_NOT."
echo
if [ "$FAILED" -gt 0 ]; then
	echo "Took ${elapsed}s; $FAILED run(s) failed, medians are of the runs that worked; see $LOG"
else
	echo "Took ${elapsed}s; no run failed; log: $LOG"
fi
exit 0
