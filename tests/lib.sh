# Shared by the test runners.  compare_run NAME CMD...: runs CMD natively and
# under the sandbox command, compares stdout and exit status, prints PASS or
# FAIL (with a short diff) and counts.  The native run is the reference.
# This is the core of what becomes `cvisor compat`.

: "${SANDBOX_CMD:=}"
: "${RUN_TIMEOUT:=120}"
PASSED=0
FAILED=0
SKIPPED=0
WORK=${WORK:-$(mktemp -d)}

pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | head -40 | sed 's/^/    /'; FAILED=$((FAILED + 1)); }
skip() { echo "SKIP $1: $2"; SKIPPED=$((SKIPPED + 1)); }

# compare_run NAME CMD ARGS...
compare_run() {
	local name=$1 n s rcn rcs
	shift
	n=$WORK/native.out
	s=$WORK/sandbox.out
	# Tests keep their files under /tmp/cvt-*: clear what a native run left.
	rm -rf /tmp/cvt-*
	(cd "$WORK" && timeout "$RUN_TIMEOUT" "$@" >"$n" 2>"$WORK/native.err" </dev/null)
	rcn=$?
	(cd "$WORK" && timeout "$RUN_TIMEOUT" $SANDBOX_CMD "$@" >"$s" 2>"$WORK/sandbox.err" </dev/null)
	rcs=$?
	rm -rf /tmp/cvt-*
	if [ $rcs = 124 ]; then
		fail "$name" "timed out after ${RUN_TIMEOUT}s" "$(tail -5 "$WORK/sandbox.err")"
	elif [ $rcn != $rcs ] || ! cmp -s "$n" "$s"; then
		fail "$name" "exit status: native $rcn, sandbox $rcs" "$(diff -u "$n" "$s" | head -30)" \
			"sandbox stderr: $(tail -5 "$WORK/sandbox.err")"
	else
		pass "$name"
	fi
}
