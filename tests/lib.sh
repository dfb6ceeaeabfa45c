# Shared by the test runners (sourced, not run).
#
# compat_compare is the comparison behind the suite when the sandbox is not
# cvisor (tests/run.sh --sandbox-cmd; cvisor itself goes through `cvisor
# compat`, which does the same): the native run is the reference, never a
# file written from a sandbox's output.
#
# The caller sets:
#   SANDBOX   array: the command that runs a program sandboxed, e.g.
#             (build/cvisor do --) or (runsc --rootless --network=none do)
#   SANDBOX_PREFIX  array, optional: put before SANDBOX (see below)
#   WORK      a scratch directory on the host's disk (not under /tmp)
#   RUN_TIMEOUT  seconds per run (default 60)

: "${RUN_TIMEOUT:=60}"
PASSED=0
FAILED=0
SKIPPED=0

pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
skip() { echo "SKIP $1: $2"; SKIPPED=$((SKIPPED + 1)); }

# fail NAME [DETAIL LINE...]: details are indented under the FAIL line.
fail()
{
	echo "FAIL $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /'
	FAILED=$((FAILED + 1))
}

# need_root NAME / need_kvm NAME: true when the test can run, else a SKIP
# line with the reason.  Use as `need_root foo || continue`.
need_root() { [ "$(id -u)" = 0 ] || { skip "$1" "needs root"; return 1; }; }
need_kvm()
{
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { skip "$1" "needs /dev/kvm (absent or not accessible)"; return 1; }
}

# Native runs get a fresh, empty /tmp, as the sandbox gives its program:
# a private tmpfs in a private mount namespace when the host lets us make
# one, else the files the tests use (/tmp/cvt-*) are cleared before each run.
NATIVE_PREFIX=()
if unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=1777 cvt-tmp /tmp' 2>/dev/null; then
	NATIVE_PREFIX=(unshare -m --propagation private sh -c
		'mount -t tmpfs -o mode=1777 cvt-tmp /tmp && exec "$@"' cvt-fresh-tmp)
fi

# SANDBOX_PREFIX is empty for cvisor, whose /tmp is its own.  A sandbox
# that may share the host's /tmp (env, `runsc do`) is given NATIVE_PREFIX
# too by the caller, so that both sides start from the same empty tmpfs.
SANDBOX_PREFIX=()

# run_one OUT ERR CMD...: runs CMD in $WORK with stdin from /dev/null, stdout
# to OUT, stderr to ERR, under the timeout; prints the exit status (128+N for
# a death by signal N, 124 for a timeout).  The subshell's own report of a
# signal death ("Segmentation fault") goes to ERR too, not to the terminal.
run_one()
{
	local out=$1 err=$2
	shift 2
	(cd "$WORK" && exec timeout -k 5 "$RUN_TIMEOUT" "$@" >"$out" 2>"$err" </dev/null) 2>>"$err"
	echo $?
}

# compat_compare NAME CMD [ARGS...]
#
# Runs CMD natively, then as "${SANDBOX[@]}" CMD ARGS..., both from $WORK
# with stdin /dev/null, an empty /tmp and the same environment, each under
# `timeout $RUN_TIMEOUT` (a hang is a failure).  Compares stdout byte for
# byte and the exit status; stderr is kept and shown on failure but never
# compared.  Prints "PASS NAME", or "FAIL NAME" with both exit statuses, up
# to 20 lines of `diff -u native sandbox` and the tails of both stderrs.
# Returns 0 when the runs agree, 1 otherwise.
compat_compare()
{
	local name=$1 rcn rcs why=()
	local n=$WORK/native.out s=$WORK/sandbox.out ne=$WORK/native.err se=$WORK/sandbox.err
	shift

	[ ${#NATIVE_PREFIX[@]} -gt 0 ] || rm -rf /tmp/cvt-*
	rcn=$(run_one "$n" "$ne" "${NATIVE_PREFIX[@]}" "$@")
	rm -rf /tmp/cvt-*
	rcs=$(run_one "$s" "$se" "${SANDBOX_PREFIX[@]}" "${SANDBOX[@]}" "$@")
	rm -rf /tmp/cvt-*

	if [ "$rcn" = 124 ]; then
		why+=("the native run timed out after ${RUN_TIMEOUT}s: the test itself is broken")
	elif [ "$rcs" = 124 ]; then
		why+=("the sandboxed run timed out after ${RUN_TIMEOUT}s")
	elif [ "$rcn" = "$rcs" ] && cmp -s "$n" "$s"; then
		pass "$name"
		return 0
	fi
	why+=("exit status: native $rcn, sandbox $rcs")
	# cat -v: a NUL or escape byte in an output must not reach the terminal raw.
	cmp -s "$n" "$s" || why+=("$(diff -au --label native --label sandbox "$n" "$s" | head -20 | cat -v)")
	[ -s "$ne" ] && why+=("native stderr:" "$(tail -5 "$ne" | cat -v | sed 's/^/  /')")
	[ -s "$se" ] && why+=("sandbox stderr:" "$(tail -8 "$se" | cat -v | sed 's/^/  /')")
	fail "$name" "${why[@]}"
	return 1
}

# compat_self_test: the comparison must be able to fail.  Fake sandboxes
# that change the output, change the exit status or hang must each give
# FAIL, and an identity one PASS.  Prints one PASS or FAIL line.
compat_self_test()
{
	local bad=() out want i

	for i in 0 1 2 3; do
		# In a subshell: the fake runs must not count.
		out=$(
			SANDBOX_PREFIX=()
			RUN_TIMEOUT=2
			case $i in
			0) want=PASS; SANDBOX=(env);;
			1) want=FAIL; SANDBOX=(sh -c '"$@" | tr a b' cvt-fake);;
			2) want=FAIL; SANDBOX=(sh -c '"$@"; exit 5' cvt-fake);;
			3) want=FAIL; SANDBOX=(sh -c 'sleep 30' cvt-fake);;
			esac
			r=$(compat_compare self-test printf 'a\n' | head -1)
			[ "$r" = "$want self-test" ] || echo "fake sandbox $i (${SANDBOX[*]}): wanted $want, got $r"
		)
		[ -z "$out" ] || bad+=("$out")
	done
	if [ ${#bad[@]} = 0 ]; then
		pass runner/self-test
	else
		fail runner/self-test "${bad[@]}"
	fi
}
