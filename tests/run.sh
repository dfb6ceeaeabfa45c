#!/usr/bin/env bash
# The test suite: every program in tests/syscalls/ and tests/net/ and every case in
# tests/integration/cases.txt runs natively and in the sandbox, and the
# native run is the reference (`cvisor compat --compare=stdout`; under
# --sandbox-cmd, tests/lib.sh's compat_compare).  Then the unit
# tests, tests/security, tests/gofer, tests/tty and tests/compat.  Last line: "N passed, M failed"
# (the skips are counted on the line before); exit status 0 when nothing
# failed.
usage()
{
	cat <<EOF
usage: tests/run.sh [--cvisor PATH] [--asan PATH] [--platform=NAME] [--sandbox-cmd 'CMD ...'] [--timeout SECONDS] [--later] [--all-platforms] [FILTER]
  --cvisor PATH       the cvisor to test (default build/cvisor); sandboxed runs are PATH do -- CMD
  --asan PATH         then run tests/syscalls and tests/integration again under PATH, a
                      sanitizer build (make asan: build/asan/cvisor), as asan/NAME
  --platform=NAME     run the whole suite on that platform only (cvisor do --platform=NAME); without
                      it, once on every platform \`cvisor platforms\` lists as available here, and a
                      SKIP line, with the reason, for each that is not
  --sandbox-cmd CMD   run the sandboxed side as CMD PROGRAM ARGS... instead, split on blanks:
                      'runsc --rootless --network=none do' checks the suite against gVisor,
                      'env' is an identity sandbox (everything must pass)
  --timeout SECONDS   per run (default 60); a hang is a failure
  --later             also run tests/integration/cases-later.txt (features not there yet)
  --all-platforms     without --platform: the whole suite on every platform (by default the
                      platforms other than $DEFAULT_PLATFORM run only ${OTHER_PLATFORM_PARTS//|/ and }, and say so)
  FILTER              run only the tests whose name contains FILTER (e.g. syscalls/mem); several,
                      |-separated (syscalls/|security/)
EOF
}

set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
CVISOR=$root/build/cvisor
SANDBOX_CMD=
FILTER=
LATER=
ASAN_CVISOR=
PLATFORM=
ALL_PLATFORMS=
# Without --platform, the default platform runs everything, each other one these parts.
DEFAULT_PLATFORM=systrap
OTHER_PLATFORM_PARTS='syscalls/|security'
ARGS=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--cvisor) CVISOR=$(realpath -m "$2"); shift 2;;
	--asan) ASAN_CVISOR=$(realpath -m "$2"); shift 2;;
	--platform=*) PLATFORM=${1#--platform=}; shift;;
	--platform) PLATFORM=$2; shift 2;;
	--sandbox-cmd) SANDBOX_CMD=$2; shift 2;;
	--timeout) RUN_TIMEOUT=$2; shift 2;;
	--later) LATER=1; shift;;
	--all-platforms) ALL_PLATFORMS=1; shift;;
	-h|--help) usage; exit 0;;
	-*) usage >&2; exit 2;;
	*) FILTER=$1; shift;;
	esac
done
if [ -n "$SANDBOX_CMD" ]; then
	read -ra SANDBOX <<< "$SANDBOX_CMD"
	under_cvisor=
else
	SANDBOX=("$CVISOR" do ${PLATFORM:+--platform="$PLATFORM"} --private-tmp --)
	under_cvisor=1
fi

# Inherited descriptors would shift the numbers the programs see natively
# but not in a sandbox: keep only 0, 1 and 2 (and bash's own 255).
for fd in $(ls /proc/$$/fd); do
	[ "$fd" -gt 2 ] && [ "$fd" != 255 ] && eval "exec $fd>&-" 2>/dev/null
done
ulimit -c 0
umask 022
export LC_ALL=C

# Everything a case reads lives on the host's disk, which a sandbox sees
# (read-only); never under /tmp, which is the sandbox's own.  One directory
# per run, so that runs side by side do not trip over each other.
T=$(mktemp -d /var/tmp/cvisor-tests.XXXXXX)
trap 'rm -rf "$T"' EXIT
WORK=$T/work
mkdir -p "$WORK" "$T/data"
export T
. "$here/lib.sh"

# On kvm, without a FILTER, only a subset runs unless CVISOR_KVM_FULL=1: on a
# nested host (kvm_pvm) every system call costs ~100 us there, and the whole
# suite would take make test past its budget.  tests/kvm has the platform's
# own checks (its guest machine, escapes from ring 3 to the stub).
KVM_SUBSET="kvm|syscalls/basic|syscalls/fpu_exec|syscalls/fpu_fork|syscalls/forkcow|syscalls/cpuid_xsave|syscalls/ptrace_step|syscalls/mem|syscalls/memfaults|syscalls/faultaccess|syscalls/signals|syscalls/altstack|syscalls/threads|syscalls/sharedvm|syscalls/execself|syscalls/hostile|syscalls/vdso|integration/busybox-static|integration/bash-pipeline|integration/python-json|integration/gdb-backtrace"
KVM_SUBSET_WHY="the whole suite on --platform=kvm takes several times ptrace's on a nested (kvm_pvm) host, past make test's budget; CVISOR_KVM_FULL=1 or tests/run.sh --platform=kvm runs all of it, and the sanitizer pass is $DEFAULT_PLATFORM's only"

# Without --platform: the whole suite once per platform that can run here
# (each a run of this script), the totals summed; the others are skipped
# with the reason `cvisor platforms` gives.
if [ -n "$under_cvisor" ] && [ -z "$PLATFORM" ]; then
	if ! "$CVISOR" platforms >"$T/platforms" 2>"$T/platforms.err"; then
		fail "platforms" "$CVISOR platforms failed:" "$(cat "$T/platforms.err")"
	fi
	while read -r name state <&3; do
		if [ "$state" != available ]; then
			skip "platform $name" "${state#unavailable: }"
			continue
		fi
		sub=()
		args=("${ARGS[@]}")
		if [ "$name" != "$DEFAULT_PLATFORM" ] && [ -z "$ALL_PLATFORMS" ] && [ -z "$FILTER" ] &&
			! { [ "$name" = kvm ] && [ -n "${CVISOR_KVM_FULL:-}" ]; }; then
			# (and not again on the sanitizer build: --asan is the default platform's)
			args=()
			for ((i = 0; i < ${#ARGS[@]}; i++)); do
				[ "${ARGS[i]}" = --asan ] && { i=$((i + 1)); continue; }
				args+=("${ARGS[i]}")
			done
			# The whole suite once more per platform would take make test past
			# its 15 minutes: the others run the parts that exercise a platform
			# most.  Not silently: what runs, what does not, and how to run all.
			if [ "$name" = kvm ]; then
				skip "platform kvm: the rest of the suite" "$KVM_SUBSET_WHY"
				echo "NOTE platform kvm: only these run: $KVM_SUBSET"
				sub=("$KVM_SUBSET")
			else
				skip "platform $name: all but ${OTHER_PLATFORM_PARTS//|/ and }" \
					"tests/net, integration, unit, gofer, tty, stdio, stress, fuzz, compat, netveth, oci and the sanitizer build run on $DEFAULT_PLATFORM only, to keep make test within 15 minutes; \`bash tests/run.sh --platform=$name\` runs them, --all-platforms runs every platform whole"
				sub=("$OTHER_PLATFORM_PARTS")
			fi
		fi
		bash "$0" ${args[@]+"${args[@]}"} --platform="$name" ${sub[@]+"${sub[@]}"} </dev/null | tee "$T/platform.out"
		sums=$(tail -2 "$T/platform.out" | sed -n 's/^\([0-9]*\) skipped.*/S \1/p; s/^\([0-9]*\) passed, \([0-9]*\) failed$/P \1 \2/p')
		case $sums in
		*"P "*) read -r p f <<< "${sums##*P }"
			PASSED=$((PASSED + p)); FAILED=$((FAILED + f));;
		*) fail "platform $name" "the suite ended without its count";;
		esac
		case $sums in S*) s=${sums#S }; SKIPPED=$((SKIPPED + ${s%%$'\n'*}));; esac
	done 3<"$T/platforms"
	echo
	[ "$SKIPPED" = 0 ] || echo "$SKIPPED skipped (reasons above)"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
	exit
fi
if [ -n "$PLATFORM" ] && [ -n "$under_cvisor" ]; then
	state=$("$CVISOR" platforms 2>&1 | sed -n "s/^$PLATFORM //p")
	if [ -z "$state" ]; then
		echo "tests/run.sh: no platform '$PLATFORM' in $CVISOR; it has: $("$CVISOR" platforms 2>&1 | cut -d' ' -f1 | tr '\n' ' ')" >&2
		exit 2
	fi
	if [ "$state" != available ]; then
		skip "platform $PLATFORM" "${state#unavailable: }"
		echo
		echo "$SKIPPED skipped (reasons above)"
		echo "0 passed, 0 failed"
		exit 0
	fi
	echo "== platform $PLATFORM"
fi

# The sub-suites below run "$CVISOR do ...": on a chosen platform, through a
# wrapper that adds --platform to every do.
if [ -n "$PLATFORM" ]; then
	printf '#!/bin/sh\n[ "$1" = do ] && { shift; exec "%s" do --platform="%s" "$@"; }\nexec "%s" "$@"\n' \
		"$CVISOR" "$PLATFORM" "$CVISOR" >"$T/cvisor"
	chmod +x "$T/cvisor"
	SUB_CVISOR=$T/cvisor
else
	SUB_CVISOR=$CVISOR
fi

# Another sandbox than cvisor may share the host's /tmp (env does, `runsc
# do` does): it gets the native side's fresh /tmp as well.
[ -n "$under_cvisor" ] || SANDBOX_PREFIX=("${NATIVE_PREFIX[@]}")

# A FILTER of the form A|B|C keeps the tests whose names contain any of them.
want()
{
	local f filters
	[ -n "$FILTER" ] || return 0
	IFS='|' read -ra filters <<< "$FILTER"
	for f in "${filters[@]}"; do
		[[ "$1" == *"$f"* ]] && return 0
	done
	return 1
}

# Programs are built into build/tests/syscalls/, unless the tree is under
# /tmp, where no sandbox (nor the native run's fresh /tmp) could see them.
BIN=$root/build/tests/syscalls
case $root/ in /tmp/*) BIN=$T/bin;; esac
mkdir -p "$BIN"

# First, that the comparison itself can fail (a few seconds).
# The sub-suites skip what belongs to another platform (ptrace's stubs on kvm).
export TEST_PLATFORM=${PLATFORM:-$DEFAULT_PLATFORM}

want runner && compat_self_test

# The programs of tests/syscalls, built once (into $BIN) by build_syscall_tests.
SYSCALL_PROGS=()
build_syscall_tests()
{
	local src prog extra
	for src in "$here"/syscalls/*.c; do
		prog=$(basename "$src" .c)
		want "syscalls/$prog" || want "asan/syscalls/$prog" || continue
		# Built under a temporary name and renamed, so that a run side by side
		# never executes a half-written binary.
		# A program that needs more names it on a line of its own: /* build: FLAGS */
		extra=$(sed -n 's|^/\* build: \(.*\) \*/$|\1|p' "$src")
		# shellcheck disable=SC2086 # FLAGS are words
		if ! gcc -O2 -pthread -Wall -Wextra -Werror $extra -o "$BIN/.$prog.$$" "$src" 2>"$T/build.err"; then
			rm -f "$BIN/.$prog.$$"
			fail "syscalls/$prog" "does not build:" "$(head -10 "$T/build.err")"
			continue
		fi
		mv -f "$BIN/.$prog.$$" "$BIN/$prog"
		SYSCALL_PROGS+=("$prog")
	done
}

# Under cvisor, the programs and cases run through `cvisor compat`, the
# runner the project ships (the native run the reference, stdout and exit
# status compared); another sandbox (--sandbox-cmd) through lib.sh's
# compat_compare, one at a time.  COMPAT is the compat command of the
# cvisor under test.
COMPAT=()
[ -n "$under_cvisor" ] && COMPAT=("$CVISOR" compat ${PLATFORM:+--platform="$PLATFORM"} --compare=stdout
	--format=plain --timeout "$RUN_TIMEOUT" -j 1)

# sh_quote WORD: WORD in single quotes, for a line of a compat LIST.
sh_quote() { local q="'\''"; printf "'%s'" "${1//\'/$q}"; }

# compat_list LIST: runs the "NAME COMMAND" lines of LIST with "${COMPAT[@]}"
# and prints a PASS line, or a FAIL line with why, for each, in order.
compat_list()
{
	local l parts json=$T/compat.json
	[ -s "$1" ] || return 0
	rm -f "$json"
	# Its exit status says whether something failed, which the lines below say too.
	"${COMPAT[@]}" --json "$json" -f "$1" >"$T/compat.out" 2>"$T/compat.err" </dev/null
	if [ ! -s "$json" ]; then
		fail "compat" "${COMPAT[*]} wrote no results:" "$(tail -5 "$T/compat.err" "$T/compat.out")"
		return
	fi
	while IFS= read -r l; do
		IFS=$'\x1f' read -ra parts <<< "$l"
		case ${parts[0]} in
		"PASS "*) pass "${parts[0]#PASS }";;
		*) fail "${parts[0]#FAIL }" "${parts[@]:1}";;
		esac
	done < <(/usr/bin/python3 - "$json" <<'PY'
import json, sys
for t in json.load(open(sys.argv[1]))["tests"]:
    r = t["results"][0]
    if r["class"] == "passed":
        print("PASS " + t["name"])
        continue
    why = [r["class"] + ": " + r["why"], "reproduce: " + r["reproduce"]]
    if r.get("stdout_diff"):
        why.append(r["stdout_diff"])
    for key, title in (("cvisor_errors", "cvisor:"), ("stderr_tail", "sandbox stderr:")):
        if r.get(key):
            why.append(title)
            why += ["  " + l for l in r[key].splitlines()[:40]]
    print("\x1f".join(["FAIL " + t["name"]] + [w.replace("\x1f", "?") for w in why]))
PY
)
}

# run_syscall_tests PREFIX: the built programs the filter selects, each
# natively and under SANDBOX, named PREFIXsyscalls/PROG.
run_syscall_tests()
{
	local prog header="== tests/syscalls (native vs ${SANDBOX[*]})"
	: >"$T/list"
	for prog in "${SYSCALL_PROGS[@]}"; do
		want "$1syscalls/$prog" || continue
		[ -z "$header" ] || { echo "$header"; header=; }
		if [ ${#COMPAT[@]} -gt 0 ]; then
			# exec: the program itself is the sandbox's first process, as without compat.
			printf '%s exec %s\n' "$1syscalls/$prog" "$(sh_quote "$BIN/$prog")" >>"$T/list"
		else
			compat_compare "$1syscalls/$prog" "$BIN/$prog"
		fi
	done
	[ ${#COMPAT[@]} = 0 ] || compat_list "$T/list"
}

build_syscall_tests
run_syscall_tests ""

# tests/net: programs on the sandbox's own network stack, each natively and
# sandboxed, outputs compared.  The native run is in a fresh network
# namespace with only lo up (unshare -n), so it sees what a sandbox sees and
# never reaches the host's network.
NET_PROGS=()
build_net_tests()
{
	local src prog
	for src in "$here"/net/*.c; do
		[ -e "$src" ] || continue
		prog=$(basename "$src" .c)
		want "net/$prog" || want "asan/net/$prog" || continue
		if ! gcc -O2 -pthread -Wall -Wextra -Werror -o "$BIN/.net_$prog.$$" "$src" 2>"$T/build.err"; then
			rm -f "$BIN/.net_$prog.$$"
			fail "net/$prog" "does not build:" "$(head -10 "$T/build.err")"
			continue
		fi
		mv -f "$BIN/.net_$prog.$$" "$BIN/net_$prog"
		NET_PROGS+=("$prog")
	done
}

# net_compare NAME CMD...: compat_compare with the native side in its own network namespace.
net_compare()
{
	local NATIVE_PREFIX=(unshare -n sh -c 'ip link set lo up && exec "$@"' cvt-net-lo "${NATIVE_PREFIX[@]}")
	compat_compare "$@"
}

# run_net_tests PREFIX: the built programs of tests/net, named PREFIXnet/PROG.
run_net_tests()
{
	local prog header="== tests/net (native in unshare -n vs ${SANDBOX[*]})"
	for prog in "${NET_PROGS[@]}"; do
		want "$1net/$prog" || continue
		[ -z "$header" ] || { echo "$header"; header=; }
		if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
			skip "$1net/$prog" "the native reference needs root and ip(8) for a network namespace with lo"
			continue
		fi
		net_compare "$1net/$prog" "$BIN/net_$prog"
	done
}

build_net_tests
run_net_tests ""

# The integration cases the filter selects, as "name|command" lines.
selected_cases()
{
	local f line name
	for f in "$here/integration/cases.txt" ${LATER:+"$here/integration/cases-later.txt"}; do
		while IFS= read -r line; do
			case "$line" in ''|'#'*) continue;; esac
			name=${line%%|*}
			name=integration/${name%"${name##*[! ]}"}
			{ want "$name" || want "asan/$name"; } && printf '%s|%s\n' "$name" "${line#*|}"
		done < "$f"
	done
}

# run_integration_cases PREFIX: the selected cases the filter keeps, each
# natively and under SANDBOX, named PREFIXintegration/NAME.
run_integration_cases()
{
	local c header="== tests/integration (native vs ${SANDBOX[*]})"
	[ -n "$cases" ] || return 0
	: >"$T/list"
	while IFS= read -r c; do
		want "$1${c%%|*}" || continue
		[ -z "$header" ] || { echo "$header"; header=; }
		if [ ${#COMPAT[@]} -gt 0 ]; then
			printf '%s exec bash -c %s\n' "$1${c%%|*}" "$(sh_quote "${c#*|}")" >>"$T/list"
		else
			compat_compare "$1${c%%|*}" bash -c "${c#*|}"
		fi
	done <<< "$cases"
	[ ${#COMPAT[@]} = 0 ] || compat_list "$T/list"
}

cases=$(selected_cases)
if [ -n "$cases" ]; then
	# 64 MiB that differ from block to block, the same on every machine.
	/usr/bin/python3 - "$T/data/big.bin" <<'EOF'
import hashlib, sys
with open(sys.argv[1], "wb") as f:
    for i in range(64 * 1024):
        f.write(hashlib.shake_128(i.to_bytes(8, "little")).digest(1024))
EOF
	cp -r "$here/integration/files/." "$T/data/"
	# A file of the image with extended attributes of its own (where the host's file system keeps them).
	echo xattr-file > "$T/data/xattr.txt"
	/usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.cvisor", b"from the image"); os.setxattr(sys.argv[1], "user.second", b"2")' "$T/data/xattr.txt" 2>/dev/null || true
	# And one only root may read: the sentry's host uid (nobody) may not, the gofer reads it for it.
	cp -a "$T/data/xattr.txt" "$T/data/xattr-private.txt" && chmod 600 "$T/data/xattr-private.txt"
	run_integration_cases ""
fi

# Unit tests in C, tests/unit/*_test.c: each links the sentry sources on
# its " * links:" line (and the libraries on its " * libs:" line), nothing
# else, and prints a PASS or FAIL line per check.
for src in "$here"/unit/*_test.c; do
	[ -e "$src" ] || continue
	prog=$(basename "$src" .c)
	want "unit/$prog" || continue
	[ -z "${unit_header:-}" ] && { echo "== tests/unit"; unit_header=1; }
	links=$(sed -n 's|^ \* links: ||p' "$src" | sed "s|[^ ]*|$root/&|g")
	libs=$(sed -n 's|^ \* libs: ||p' "$src")
	# shellcheck disable=SC2086 # links and libs are lists
	if ! gcc -O2 -pthread -Wall -Wextra -Wno-unused-parameter -Werror -I"$root" -o "$BIN/$prog" "$src" $links -lseccomp $libs 2>"$T/build.err"; then
		fail "unit/$prog" "does not build:" "$(head -10 "$T/build.err")"
		continue
	fi
	got=
	while IFS= read -r l; do
		case "$l" in
		PASS*) pass "unit/${l#PASS }"; got=1;;
		FAIL*) fail "unit/${l#FAIL }"; got=1;;
		SKIP*) l=${l#SKIP }; skip "unit/${l%%:*}" "${l#*: }"; got=1;;
		esac
	done < <(timeout -k 5 "${RUN_TIMEOUT:-60}" "$BIN/$prog" 2>&1 </dev/null)
	[ -n "$got" ] || fail "unit/$prog" "printed no PASS or FAIL line"
done

# Unit tests: tests/unit/*.sh and the executables the build puts in
# build/unit/ (or build/unit-tests/).  Exit 0 passes, 77 skips.
for t in "$here"/unit/*.sh "$root"/build/unit/* "$root"/build/unit-tests/*; do
	[ -f "$t" ] || continue
	case $t in *.sh) run=(bash "$t");; *) [ -x "$t" ] || continue; run=("$t");; esac
	name=unit/$(basename "$t")
	want "$name" || continue
	timeout -k 5 "${RUN_TIMEOUT:-60}" "${run[@]}" >"$T/unit.out" 2>&1 </dev/null
	case $? in
	0) pass "$name";;
	77) skip "$name" "$(tail -1 "$T/unit.out")";;
	*) fail "$name" "$(tail -20 "$T/unit.out")";;
	esac
done

# tests/security, tests/gofer, tests/tty, tests/stdio, tests/net, tests/stress, tests/fuzz,
# tests/compat, tests/netveth and tests/oci belong to cvisor itself (escape attempts,
# --overlay=none and --gofer-fds, `cvisor do -t`, the donated stdio, the network as ip and ss
# see it, stress-ng, a few seconds of each fuzzer, `cvisor compat`, the veth of
# --network=sandbox, the OCI verbs): they only mean something under cvisor.  Each run.sh
# prints PASS/FAIL/SKIP lines.
# cvisor_suite DIR WHY_NOT_ELSEWHERE
cvisor_suite() {
	local dir=$1 why=$2 l
	want "$dir" || return 0
	if [ -z "$under_cvisor" ]; then
		skip "$dir" "$why"
		return 0
	fi
	echo "== tests/$dir"
	while IFS= read -r l; do
		case "$l" in
		PASS*) pass "${l#PASS }";;
		FAIL*) fail "${l#FAIL }";;
		SKIP*) l=${l#SKIP }; skip "${l%%:*}" "${l#*: }";;
		"    "*) echo "$l";; # a failure's details, as the suite indents them
		esac
	done < <(bash "$here/$dir/run.sh" "$SUB_CVISOR" 2>&1)
}
cvisor_suite security "escape attempts only make sense under cvisor"
cvisor_suite gofer "writes through the gofer are cvisor's --overlay=none"
cvisor_suite tty "the terminal cases drive cvisor do -t"
cvisor_suite stdio "host stdio is how cvisor donates the caller's fds"
cvisor_suite net "tests/net/cases.txt runs ip and ss in cvisor and in an unshare -n namespace (tests/net/run.sh)"
cvisor_suite stress "a hang under stress-ng is cvisor's to find"
cvisor_suite fuzz "the fuzz targets are cvisor's own code, and the system call fuzzer runs only inside cvisor"
cvisor_suite compat "cvisor compat is cvisor's own runner"
cvisor_suite netveth "--network=sandbox and --net-ns are cvisor's own network"
cvisor_suite oci "the OCI verbs are cvisor's own command line (runc is its reference inside)"
cvisor_suite kvm "the kvm platform's guest machine is cvisor's own"

# The sanitizer build on the same programs and cases: a heap error, a leak
# (LeakSanitizer makes the sandbox exit non-zero) or undefined behaviour in
# the sentry fails the case.  Not the cvisor-only suites: a sanitizer build
# keeps /proc in the sentry's root and does not enforce the vetted list.
if [ -n "$ASAN_CVISOR" ]; then
	if [ -x "$ASAN_CVISOR" ]; then
		SANDBOX=("$ASAN_CVISOR" do ${PLATFORM:+--platform="$PLATFORM"} --private-tmp --)
		[ ${#COMPAT[@]} = 0 ] || COMPAT[0]=$ASAN_CVISOR
		run_syscall_tests asan/
		run_net_tests asan/
		run_integration_cases asan/
	else
		fail asan "$ASAN_CVISOR is not there: build it with make asan"
	fi
fi

echo
[ "$SKIPPED" = 0 ] || echo "$SKIPPED skipped (reasons above)"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
