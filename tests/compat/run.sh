#!/usr/bin/env bash
# tests/compat: `cvisor compat` on a small suite whose every test has a
# known class (passed, regressed, fixed, failed, skipped, timeout, sandbox
# error), checked against its JSON output; then --compare=stdout, a DIR of
# tests, programs of many tests (gtest, unittest), the JUnit file, the exit
# statuses and the usage errors.
# Prints PASS/FAIL lines for tests/run.sh to count; exits non-zero on a failure.
# Usage: tests/compat/run.sh [CVISOR]
set -u
here=$(cd "$(dirname "$0")" && pwd)
CVISOR=${1:-$here/../../build/cvisor}
# Everything the tests run lives on the host's disk, never under /tmp (a sandbox's /tmp is its own).
B=$(mktemp -d /var/tmp/cvisor-compat-test.XXXXXX)
trap 'rm -rf "$B"' EXIT
fail=0

result() { # name ok(0/1) detail...
	local name=$1 ok=$2
	shift 2
	if [ "$ok" = 0 ]; then
		echo "PASS compat/$name"
	else
		echo "FAIL compat/$name"
		[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /'
		fail=1
	fi
}

if ! gcc -O2 -Wall -Wextra -Werror -o "$B/unimpl" "$here/unimpl.c" 2>"$B/build.err"; then
	result build 1 "$(head -5 "$B/build.err")"
	exit 1
fi

# check_json FILE NAME=CLASS...: each named test has that class on the (single) platform, and
# there are no other tests.  Prints what differs.
check_json()
{
	python3 - "$@" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
got = {t["name"]: t["results"][0]["class"] for t in data["tests"]}
bad = []
for want in sys.argv[2:]:
    name, cls = want.split("=", 1)
    if got.get(name) != cls:
        bad.append("%s: wanted %s, got %s" % (name, cls, got.get(name)))
if len(got) != len(sys.argv) - 2:
    bad.append("%d tests in the JSON, %d expected" % (len(got), len(sys.argv) - 2))
print("\n".join(bad))
PY
}

# The suite, one test or two per class.  pid 1 is what only the sandbox
# shows: there the test's shell is the sandbox's first process.
cat >"$B/list" <<LIST
# NAME COMMAND
pass-true true
pass-echo echo hello
regress-pid1 test \$\$ != 1
regress-unimpl $B/unimpl
fixed test \$\$ = 1
failed-both false
skip-tconf exit 32
hang sleep 30
hang-sandbox test \$\$ != 1 || sleep 30
crash true
LIST
"$CVISOR" compat --format=ltp --timeout 3 -j 4 --test-sentry-crash=crash --json "$B/out.json" \
	--junit "$B/out.xml" -f "$B/list" >"$B/out.txt" 2>"$B/err.txt"
rc=$?
result "exit status 1 when a test regressed" "$([ $rc = 1 ]; echo $?)" "exit status $rc" "$(tail -5 "$B/err.txt")"
bad=$(check_json "$B/out.json" pass-true=passed pass-echo=passed regress-pid1=regressed regress-unimpl=regressed \
	fixed=fixed failed-both=failed skip-tconf=skipped hang=timeout hang-sandbox=timeout crash=sandbox-error 2>&1)
result "every class, from the JSON" "$([ -z "$bad" ]; echo $?)" "$bad"

# The sandbox error is listed first and in full, with the crash report.
first=$(grep -m1 '^== ' "$B/out.txt")
result "sandbox errors listed first, in full" \
	"$([[ "$first" == "== sandbox errors"* ]] && grep -q '^   | sentry stack:' "$B/out.txt"; echo $?)" \
	"first section: $first" "$(head -20 "$B/out.txt")"

# Each regression has the command that reproduces it, and the unimplemented call is in the to-do table.
bad=$(python3 - "$B/out.json" "$B/unimpl" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
res = {t["name"]: t["results"][0] for t in data["tests"]}
bad = []
r = res.get("regress-unimpl", {})
if "keyctl" not in r.get("unimplemented", {}):
    bad.append("regress-unimpl does not list keyctl: %s" % r.get("unimplemented"))
if " do " not in r.get("reproduce", "") or not r.get("reproduce", "").endswith(sys.argv[2]):
    bad.append("no reproducing command: %r" % r.get("reproduce"))
rows = {u["call"]: u for u in data["unimplemented"]}
if rows.get("keyctl", {}).get("regressed") != 1:
    bad.append("to-do table: %s" % data["unimplemented"])
print("\n".join(bad))
PY
)
result "reproducing command and unimplemented calls" "$([ -z "$bad" ]; echo $?)" "$bad"
result "the to-do table in the summary" "$(grep -qE '^ +keyctl +1 +1$' "$B/out.txt"; echo $?)" \
	"$(grep -A3 unimplemented "$B/out.txt")"

# JUnit: well-formed, with failures (regressed, timed out in the sandbox), errors (sandbox) counted.
bad=$(python3 - "$B/out.xml" <<'PY'
import sys, xml.etree.ElementTree as E
s = E.parse(sys.argv[1]).getroot()[0]
got = (s.get("tests"), s.get("failures"), s.get("errors"), len(s.findall("testcase/error")))
if got != ("10", "4", "1", 1):
    print("tests, failures, errors, <error> elements: %s" % (got,))
PY
)
result "JUnit XML" "$([ -z "$bad" ]; echo $?)" "$bad"

# Progress without a terminal: one plain line per result, no escape sequences.
result "plain lines when stdout is not a terminal" \
	"$([ "$(grep -c '^passed  *pass-' "$B/out.txt")" = 2 ] && ! grep -q $'\033' "$B/out.txt"; echo $?)" \
	"$(head -12 "$B/out.txt" | cat -v)"

# Exit status 0 when nothing regressed; a DIR of tests; --compare=stdout.
mkdir -p "$B/dir"
printf '#!/bin/sh\necho same\n' >"$B/dir/same"
printf '#!/bin/sh\necho $$\n' >"$B/dir/pid"
printf 'not a test\n' >"$B/dir/README"
chmod +x "$B/dir/same" "$B/dir/pid"
"$CVISOR" compat --json "$B/dir.json" "$B/dir" >"$B/dir.txt" 2>&1
rc=$?
bad=$(check_json "$B/dir.json" same=passed pid=passed)
result "a DIR of tests, exit status 0" "$([ $rc = 0 ] && [ -z "$bad" ]; echo $?)" "exit status $rc" "$bad" \
	"$(tail -5 "$B/dir.txt")"
"$CVISOR" compat --compare=stdout --json "$B/dir.json" "$B/dir" >"$B/dir.txt" 2>&1
rc=$?
bad=$(check_json "$B/dir.json" same=passed pid=regressed)
grep -q '^   stdout line 1: native "[0-9]*", sandbox "1"$' "$B/dir.txt" || bad="$bad no line of the first difference"
result "--compare=stdout" "$([ $rc = 1 ] && [ -z "$bad" ]; echo $?)" "exit status $rc" "$bad" \
	"$(tail -5 "$B/dir.txt")"

# One command; a program that exists on neither side fails on both, it is no sandbox error.
"$CVISOR" compat --json "$B/one.json" -- "$B/no-such-program" >"$B/one.txt" 2>&1
rc=$?
bad=$(check_json "$B/one.json" no-such-program=failed)
result "-- CMD that does not exist: failed on both sides" "$([ $rc = 0 ] && [ -z "$bad" ]; echo $?)" \
	"exit status $rc" "$bad" "$(tail -5 "$B/one.txt")"

# Programs of many tests, compared test by test: GoogleTest's lines (found by --format=auto) and
# unittest -v's (CPython's regrtest prints the same).
# check_cases FILE NAME=CLASS...: the cases of the (single) test and their classes, and no others.
check_cases()
{
	python3 - "$@" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
got = {c["name"]: c["class"] for c in data["tests"][0]["results"][0].get("cases", [])}
want = dict(a.split("=", 1) for a in sys.argv[2:])
if got != want:
    print("wanted %s\ngot    %s" % (want, got))
PY
}
cp "$here/fake_gtest.sh" "$B/"
"$CVISOR" compat --json "$B/gtest.json" -- sh "$B/fake_gtest.sh" >"$B/gtest.txt" 2>&1
rc=$?
bad=$(check_cases "$B/gtest.json" Fake.Passes=passed Fake.Skips=skipped Fake.FailsEverywhere=failed \
	Fake.Regresses=regressed Fake.DiesInSandbox=regressed)
result "gtest: each test inside, found by --format=auto" "$([ $rc = 1 ] && [ -z "$bad" ]; echo $?)" \
	"exit status $rc" "$bad" "$(tail -8 "$B/gtest.txt")"
cp "$here/unittest_cases.py" "$B/"
"$CVISOR" compat --format=regrtest --json "$B/unittest.json" --junit "$B/unittest.xml" \
	-- python3 "$B/unittest_cases.py" >"$B/unittest.txt" 2>&1
rc=$?
c="__main__.Cases"
bad=$(check_cases "$B/unittest.json" "test_passes ($c.test_passes)=passed" "test_skips ($c.test_skips)=skipped" \
	"test_fails_everywhere ($c.test_fails_everywhere)=failed" "test_regresses ($c.test_regresses)=regressed" \
	"test_prints_then_passes ($c.test_prints_then_passes)=passed")
junit=$(python3 -c 'import sys, xml.etree.ElementTree as E; s = E.parse(sys.argv[1]).getroot()[0]; print(s.get("tests"), s.get("failures"), len(s.findall("testcase/failure")))' "$B/unittest.xml" 2>&1)
result "regrtest: each test inside, in JSON and JUnit" "$([ $rc = 1 ] && [ -z "$bad" ] && [ "$junit" = "5 1 1" ]; echo $?)" \
	"exit status $rc" "$bad" "JUnit tests, failures, <failure>: $junit" "$(tail -8 "$B/unittest.txt")"

# A program whose tests pass or skip passed: a skip inside says nothing of the whole.
printf '%s\n' 'import unittest' 'class C(unittest.TestCase):' '    def test_a(self): pass' \
	'    def test_b(self): self.skipTest("not here")' 'unittest.main(verbosity=2)' >"$B/skips.py"
"$CVISOR" compat --json "$B/skips.json" -- python3 "$B/skips.py" >"$B/skips.txt" 2>&1
rc=$?
bad=$(check_json "$B/skips.json" python3=passed)
result "a program whose tests pass or skip passed" "$([ $rc = 0 ] && [ -z "$bad" ]; echo $?)" "exit status $rc" \
	"$bad" "$(tail -5 "$B/skips.txt")"

# --root: both sides see the same root (the sandbox's image, a chroot natively), each with an
# empty /tmp of its own that the root's /tmp never sees.
if [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static; then
	R=$B/root
	mkdir -p "$R/bin" "$R/tmp" "$R/var/tmp" "$R/proc" "$R/dev" "$R/sys"
	cp /bin/busybox "$R/bin/" && ln -s busybox "$R/bin/sh"
	printf '%s\n' 'ls /bin/busybox ls /bin' \
		'fresh-tmp /bin/busybox test -z "$(/bin/busybox ls -A /tmp)" && /bin/busybox touch /tmp/x' >"$B/rootlist"
	"$CVISOR" compat --root "$R" --compare=stdout --json "$B/root.json" -f "$B/rootlist" >"$B/root.txt" 2>&1
	rc=$?
	bad=$(check_json "$B/root.json" ls=passed fresh-tmp=passed)
	result "--root, with a fresh /tmp on both sides" "$([ $rc = 0 ] && [ -z "$bad" ] && [ -z "$(ls -A "$R/tmp")" ]; echo $?)" \
		"exit status $rc" "$bad" "$R/tmp: $(ls -A "$R/tmp")" "$(tail -5 "$B/root.txt")"
else
	echo "SKIP compat/--root: needs a static /bin/busybox (busybox-static)"
fi

# Bad usage: exit 1 and a cvisor: message saying what to do.
for args in "" "--format=bogus -- true" "--platform=nonesuch -- true" "-f $B/list $B/dir" "-j 0 -- true" \
	"--compare=both -- true" "-f $B/no-such-list"; do
	# shellcheck disable=SC2086 # the arguments are words
	out=$("$CVISOR" compat $args 2>&1 >/dev/null)
	rc=$?
	result "usage error: compat ${args//$B/B}" "$([ $rc = 1 ] && grep -q '^cvisor: ' <<<"$out"; echo $?)" \
		"exit status $rc" "$out"
done
exit $fail
