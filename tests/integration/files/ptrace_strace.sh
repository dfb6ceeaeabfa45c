# strace -f inside the sandbox: the ptrace(2) the sentry implements (seize,
# syscall stops, fork following, the exec and exit events).  strace's output
# holds addresses and pids: each process's calls are compared on their own
# (-ff, ordered by pid), with addresses and counts taken out.  Natively it
# runs in a pid namespace of its own; in the sandbox unshare(1) fails and it
# runs as it is.
if ! command -v strace >/dev/null; then
	echo "strace is not installed (make deps-test installs it)" >&2
	exit 77
fi
if [ -z "$CVT_PT_INNER" ] && unshare -p -f --mount-proc true 2>/dev/null; then
	CVT_PT_INNER=1 exec unshare -p -f --mount-proc timeout 60 sh "$0"
fi
rm -f /tmp/cvt-st.*
strace -f -ff -qq -o /tmp/cvt-st -e trace=execve,write,exit_group,wait4,clone,clone3,vfork,kill -e signal=none \
	sh -c 'echo hi; /bin/true; exit 3'
echo "sh: $?"
for f in $(ls /tmp/cvt-st.* | sort -t. -k2 -n); do
	echo "-- a process"
	sed -E 's/0x[0-9a-f]+/ADDR/g; s|/\* [0-9]+ vars \*/|VARS|; s/= [0-9]+$/= N/' "$f"
done
# The whole trace of a shell: every call shown, none left unfinished or unknown to strace.
strace -f -o /tmp/cvt-st.all sh -c 'echo hi >/dev/null; ls / >/dev/null'
echo "sh: $?"
[ "$(grep -c 'unfinished \.\.\.>$' /tmp/cvt-st.all)" = "$(grep -c '<\.\.\. [a-z0-9_]* resumed>' /tmp/cvt-st.all)" ] &&
	echo "each unfinished call resumed"
echo "execve calls: $(grep -c ' execve(' /tmp/cvt-st.all)"
echo "exit_group calls ending with ?: $(grep -c 'exit_group(0) *= ?' /tmp/cvt-st.all)"
rm -f /tmp/cvt-st.*
