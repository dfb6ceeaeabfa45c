# gdb inside the sandbox: run a program that crashes with SIGSEGV and print
# the backtrace, then a breakpoint, a backtrace there, stepi, next and continue.
# Addresses are taken out of gdb's output.  Natively it runs in a pid
# namespace of its own; in the sandbox unshare(1) fails and it runs as it is.
if ! command -v gdb >/dev/null || ! command -v gcc >/dev/null; then
	echo "gdb or gcc is not installed (make deps-test installs them)" >&2
	exit 77
fi
if [ -z "$CVT_PT_INNER" ] && unshare -p -f --mount-proc true 2>/dev/null; then
	CVT_PT_INNER=1 exec unshare -p -f --mount-proc timeout 120 sh "$0" "$@"
fi
d=$(dirname "$0")
gcc -g -O0 -o /tmp/cvt-crash "$d/ptrace_crash.c" || exit 1
gdb -nx -batch -ex run -ex bt /tmp/cvt-crash 2>&1 | sed -E 's/0x[0-9a-f]+/ADDR/g'
echo "-- a breakpoint"
gdb -nx -batch -ex 'break outer' -ex run -ex bt -ex stepi -ex next -ex 'print n' -ex continue /tmp/cvt-crash 2>&1 |
	sed -E 's/0x[0-9a-f]+/ADDR/g'
rm -f /tmp/cvt-crash
