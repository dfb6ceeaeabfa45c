#!/bin/sh
# Prints what a GoogleTest program prints: one test that passes, one that
# skips, one that fails everywhere, one that fails only where this shell is
# pid 1 (in a sandbox), and one that never ends there (the program "dies"
# in it).  Exits 1, as GoogleTest does when a test failed.
echo "[==========] Running 5 tests from 1 test suite."
echo "[ RUN      ] Fake.Passes"
echo "[       OK ] Fake.Passes (0 ms)"
echo "[ RUN      ] Fake.Skips"
echo "[  SKIPPED ] Fake.Skips (0 ms)"
echo "[ RUN      ] Fake.FailsEverywhere"
echo "[  FAILED  ] Fake.FailsEverywhere (0 ms)"
echo "[ RUN      ] Fake.Regresses"
if [ $$ = 1 ]; then echo "[  FAILED  ] Fake.Regresses (1 ms)"; else echo "[       OK ] Fake.Regresses (1 ms)"; fi
echo "[ RUN      ] Fake.DiesInSandbox"
[ $$ = 1 ] && exit 134
echo "[       OK ] Fake.DiesInSandbox (0 ms)"
echo "[==========] 5 tests from 1 test suite ran. (1 ms total)"
echo "[  FAILED  ] 1 test, listed below:"
echo "[  FAILED  ] Fake.FailsEverywhere"
exit 1
