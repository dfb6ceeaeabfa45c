#!/usr/bin/env bash
# tests/fuzz: the libFuzzer targets (tests/fuzz/<target>/target.c, each on
# the sources of its " * links:" line, under ASan and UBSan) from the seed
# corpus in tests/fuzz/corpus/<target>/, then the system call fuzzer
# (tests/fuzz/sysfuzz) inside cvisor.  Prints PASS/FAIL/SKIP lines for
# tests/run.sh; exits non-zero on a failure.
#
# Usage: tests/fuzz/run.sh [CVISOR] [FILTER]
#   FUZZ_SECONDS          per libFuzzer target (default 3: tests/run.sh; make fuzz gives 60)
#   FUZZ_SYSCALL_SECONDS  the system call fuzzer's run (default 10)
#   FUZZ_SEED             libFuzzer's and sysfuzz's seed (default 1, so runs repeat)
# A crash leaves its input in build/fuzz/crashes/<target>-crash-*; reproduce
# it with build/fuzz/<target> FILE, and add it to the corpus once fixed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}
FILTER=${2:-}
SECONDS_EACH=${FUZZ_SECONDS:-3}
SYS_SECONDS=${FUZZ_SYSCALL_SECONDS:-10}
SEED=${FUZZ_SEED:-1}
B=$root/build/fuzz
CRASHES=$B/crashes
mkdir -p "$B" "$CRASHES"
T=$(mktemp -d /var/tmp/cvisor-fuzz.XXXXXX)
trap 'rm -rf "$T"' EXIT
failed=0

want() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }
pass() { echo "PASS $1"; }
# One line each (tests/run.sh reads PASS/FAIL lines): the details joined with " | ".
fail() { echo "FAIL $1: $(printf '%s' "$2" | sed 's/^[[:space:]]*//' | paste -sd'|' | sed 's/|/ | /g')"; failed=1; }

# build TARGET: build/fuzz/TARGET from its folder and the sources of its links line, when stale.
build()
{
	local name=$1 dir=$root/tests/fuzz/$1 srcs=() flags=() w
	for w in $(sed -n 's|^ \* links: ||p' "$dir/target.c"); do
		case $w in *.c) srcs+=("$root/$w");; *) flags+=("$w");; esac
	done
	if [ -x "$B/$name" ] && [ -z "$(find "$dir" "${srcs[@]}" "$root/include" "$root/sentry" "$root/vfs" \
		"$root/runsc-shim" "$root/syscalls" "$root/platform" -newer "$B/$name" -name '*.[ch]' 2>/dev/null | head -1)" ]; then
		return 0
	fi
	clang -g -O1 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -fno-strict-aliasing \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-I"$root" -o "$B/.$name.$$" "$dir"/*.c "${srcs[@]}" "${flags[@]}" 2>"$T/build.err" &&
		mv -f "$B/.$name.$$" "$B/$name"
}

if ! command -v clang >/dev/null || ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	clang -x c -fsanitize=fuzzer -o "$T/probe" - 2>/dev/null; then
	echo "SKIP fuzz/libfuzzer: clang with -fsanitize=fuzzer is not installed (apt-get install clang)"
else
	for dir in "$root"/tests/fuzz/*/; do
		name=$(basename "$dir")
		[ -f "$dir/target.c" ] || continue
		want "fuzz/$name" || continue
		if ! build "$name"; then
			fail "fuzz/$name" "does not build: $(head -10 "$T/build.err")"
			continue
		fi
		# New inputs go to a scratch folder: the corpus in the tree only changes by hand.
		mkdir -p "$T/$name.new"
		# Files a target makes and removes for each input: in memory when /dev/shm allows.
		scratch=$(mktemp -d /dev/shm/cvisor-fuzz.XXXXXX 2>/dev/null) || scratch=$(mktemp -d "$T/$name.scratch.XXXXXX")
		FUZZ_SCRATCH=$scratch ASAN_OPTIONS=detect_leaks=1 \
			timeout -k 10 $((SECONDS_EACH + 120)) "$B/$name" -seed="$SEED" -max_total_time="$SECONDS_EACH" \
			-rss_limit_mb=2048 -timeout=20 -print_final_stats=1 -artifact_prefix="$CRASHES/$name-" \
			"$T/$name.new" "$root/tests/fuzz/corpus/$name" >"$T/$name.log" 2>&1
		rc=$?
		rm -rf "$scratch"
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$name.log")
		if [ $rc = 0 ]; then
			pass "fuzz/$name ($runs inputs in ${SECONDS_EACH}s)"
		else
			fail "fuzz/$name" "exit $rc after ${runs:-?} inputs:
$(grep -m1 'Test unit written' "$T/$name.log"; grep -E 'ERROR|SUMMARY|fuzz [a-z_]*:|#[0-9]+ 0x[0-9a-f]+ in ' "$T/$name.log" | head -12)"
		fi
	done
fi

# The system call fuzzer: only ever inside cvisor (natively it could harm the host).
if want "fuzz/sysfuzz"; then
	bash "$root/tests/fuzz/sysfuzz/run.sh" "$CVISOR" "$SYS_SECONDS" "$SEED" || failed=1
fi
exit $failed
