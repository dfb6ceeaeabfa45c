#!/usr/bin/env bash
# tests/oci: cvisor as an OCI runtime.  A bundle is made here from the host's
# busybox-static (a rootfs of busybox and its applet links); the same bundle
# runs under crun (the native reference, when installed) and under cvisor,
# and their stdout and exit statuses must match; the lifecycle verbs
# (create, start, state, kill, delete, pause, resume, list, ps), the pid
# file's process, --log's JSON lines, the console socket and the memory
# limit are checked against what runc's clients expect.  Every container
# lives under a --root of this run's own and is deleted at the end; cgroups
# are made below cvisor's own, named for this run.
# Prints PASS/FAIL/SKIP lines for tests/run.sh to count.
# Usage: tests/oci/run.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=$(readlink -f "${1:-$root/build/cvisor}") # podman takes only an absolute runtime path
PY=/usr/bin/python3
T=$(mktemp -d /var/tmp/cvisor-oci.XXXXXX)
STATE=$T/state
RUNID=$$
C=("$CVISOR" --root "$STATE")
fail=0
NSHOLD= LISTENER= VETH= LOADPID=
# The native reference: runc (the runtime cvisor stands in for), else crun.
REF=
for r in runc crun; do command -v $r >/dev/null && { REF=$(command -v $r); break; }; done
cleanup() {
	local id
	[ -n "$VETH" ] && ip link del "${VETH:0:15}" 2>/dev/null
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
	[ -n "$NSHOLD" ] && kill "$NSHOLD" 2>/dev/null
	[ -n "$LOADPID" ] && kill "$LOADPID" 2>/dev/null
	for id in $("${C[@]}" list -q 2>/dev/null); do "${C[@]}" delete --force "$id" >/dev/null 2>&1; done
	[ -n "$REF" ] && for id in $("$REF" --root "$T/ref" list -q 2>/dev/null); do
		"$REF" --root "$T/ref" delete --force "$id" >/dev/null 2>&1
	done
	rm -rf "$T"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT

pass() { echo "PASS oci/$1"; }
failed() { echo "FAIL oci/$1: $2"; fail=1; }
check() { # name expected actual
	if [ "$2" = "$3" ]; then pass "$1"; else failed "$1" "expected <$2> got <$3>"; fi
}

if [ ! -x /bin/busybox ] || ! /bin/busybox --list >/dev/null 2>&1; then
	echo "SKIP oci: busybox-static is not installed (make deps-test installs it)"
	exit 0
fi

# mkbundle DIR ARGS_JSON [PY_EDIT]: a bundle from `cvisor spec`, terminal off,
# the given args, then PY_EDIT run on the spec `c` (python).
mkbundle() {
	local dir=$1 args=$2 edit=${3:-}
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/etc" "$dir/rootfs/tmp"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$dir/rootfs/bin/$a"; done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/rootfs/etc/passwd"
	echo 'root:x:0:' >"$dir/rootfs/etc/group"
	"$CVISOR" spec --bundle "$dir" || return 1
	"$PY" - "$dir/config.json" "$args" "$edit" <<'PY'
import json, sys
path, args, edit = sys.argv[1], sys.argv[2], sys.argv[3]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = json.loads(args)
c["linux"].pop("resources", None)
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
exec(edit)
json.dump(c, open(path, "w"), indent=1)
PY
}

# What a container sees of its process and mounts, run by crun and by cvisor.
B=$T/b1
mkdir -p "$T/data-rw" "$T/data-ro"
echo host-file >"$T/data-ro/f"
echo secret >"$T/hostfile"
script='id; hostname; pwd; echo "E=$E"; ulimit -n; ulimit -Hn;
grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status;
echo x >/rootfile 2>/dev/null && echo root-writable || echo root-readonly;
cat /data-ro/f; echo y >/data-ro/g 2>/dev/null && echo ro-writable || echo ro-readonly;
echo z >/data-rw/new && cat /data-rw/new;
cat /etc/bound; echo w >/etc/bound 2>/dev/null && echo file-writable || echo file-readonly;
echo t >/scratch/t && cat /scratch/t; cat /etc/masked; echo "[masked]";
echo p >/etc/ro/q 2>/dev/null && echo rop-writable || echo rop-readonly;
exit 7'
edit='
c["hostname"] = "oci-test"
c["process"]["env"].append("E=value one")
c["process"]["cwd"] = "/work/dir"
c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [20, 30]}
c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}]
c["mounts"] += [
  {"destination": "/data-ro", "type": "bind", "source": "'"$T"'/data-ro", "options": ["rbind", "ro"]},
  {"destination": "/data-rw", "type": "bind", "source": "'"$T"'/data-rw", "options": ["rbind", "rw"]},
  {"destination": "/etc/bound", "type": "bind", "source": "'"$T"'/hostfile", "options": ["bind", "ro"]},
  {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=1777"]}]
c["linux"]["maskedPaths"] = ["/etc/masked"]
c["linux"]["readonlyPaths"] = ["/etc/ro"]
'
mkbundle "$B" '["sh", "-c", '"$($PY -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$script")"']' "$edit"
echo not-for-you >"$B/rootfs/etc/masked"
mkdir -p "$B/rootfs/etc/ro" "$B/rootfs/work/dir"
chmod 777 "$T/data-rw"
sandbox=$(timeout 30 "${C[@]}" run --bundle "$B" "p1-$RUNID" 2>"$T/p1.err"; echo "exit $?")
rm -f "$T/data-rw/new"
if [ -n "$REF" ]; then
	native=$(timeout 30 "$REF" --root "$T/ref" run --bundle "$B" "p1-$RUNID" 2>"$T/ref.err"; echo "exit $?")
	rm -f "$T/data-rw/new"
	check "run: process, mounts and limits as ${REF##*/} gives them" "$native" "$sandbox"
else
	echo "SKIP oci/run compared with runc: neither runc nor crun is installed (apt-get install runc)"
fi
check "run: the container's exit status" "exit 7" "$(echo "$sandbox" | tail -1)"

# Exit statuses: a plain one, and a program that is not there (runc's words, for podman's 127).
B2=$T/b2
mkbundle "$B2" '["sh", "-c", "exit 3"]'
"${C[@]}" run --bundle "$B2" "e1-$RUNID" 2>/dev/null
check "run: exit 3" 3 $?
mkbundle "$T/b3" '["no-such-program"]'
"${C[@]}" --log "$T/log.json" --log-format json run --bundle "$T/b3" "e2-$RUNID" 2>/dev/null
check "run: a missing program fails with 1" 1 $?
line=$(tail -1 "$T/log.json" 2>/dev/null)
if "$PY" -c 'import json,sys; o=json.loads(sys.argv[1]); assert o["level"]=="error" and "executable file not found" in o["msg"] and o["time"]' "$line" 2>/dev/null; then
	pass "--log --log-format json: an error is a JSON line podman reads"
else
	failed "--log json" "<$line>"
fi
"${C[@]}" --log-format=json --log="$T/log2.json" delete "no-such-$RUNID" 2>/dev/null
check "delete of a missing container fails" 1 $?
grep -q '"msg":"container \\"no-such-'"$RUNID"'\\" does not exist"' "$T/log2.json" && pass "--log-format=json spelling" ||
	failed "--log-format=json" "$(cat "$T/log2.json" 2>/dev/null)"
"${C[@]}" delete --force "no-such-$RUNID"
check "delete --force of a missing container is 0" 0 $?
check "no state is left by run" "" "$("${C[@]}" list -q)"

# create + start under a subreaper: the pid file's process is the caller's
# descendant and exits with the container's status.  pid 1 of a pid namespace
# gets a signal from outside only if it handles it (pid_namespaces(7)): the
# shell traps SIGTERM and exits 143.
mkbundle "$T/b4" '["sh", "-c", "trap \"exit 143\" TERM; echo started; sleep 30 & wait"]'
lifecycle=$("$PY" - "$CVISOR" "$STATE" "$T/b4" "l1-$RUNID" "$T/l1.pid" <<'PY' 2>&1
import ctypes, json, os, select, subprocess, sys, time
cvisor, state, bundle, cid, pidfile = sys.argv[1:]
ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
c = [cvisor, "--root", state]
def st():
    return json.loads(subprocess.run(c + ["state", cid], capture_output=True, text=True).stdout)["status"]
out = open(bundle + "/out", "w")
# An fd the caller leaves open (containerd's shim leaves its fd 3) is not kept by the container.
rd, wr = os.pipe()
r = subprocess.run(c + ["create", "--bundle", bundle, "--pid-file", pidfile, cid], stdout=out, stderr=subprocess.DEVNULL,
                   pass_fds=(wr,))
os.close(wr)
print("create", r.returncode)
print("the caller's other fds are let go:", select.select([rd], [], [], 5)[0] == [rd] and os.read(rd, 1) == b"")
raw = open(pidfile).read()
print("pid file", "decimal, no newline" if raw.isdigit() else repr(raw))
pid = int(raw)
print("state", st())
print("start", subprocess.run(c + ["start", cid]).returncode)
# The trap is set before "started" is written: only then may SIGTERM come (else pid 1 ignores it).
end = time.time() + 20
while "started" not in open(bundle + "/out").read() and time.time() < end:
    time.sleep(0.05)
print("state", st())
print("pause", subprocess.run(c + ["pause", cid]).returncode, st())
# A frozen sandbox cannot answer, but its processes cannot change either: ps lists them still.
print("ps --format json while paused", json.loads(subprocess.run(c + ["ps", "--format", "json", cid],
                                                                 capture_output=True, text=True).stdout or "null"))
print("resume", subprocess.run(c + ["resume", cid]).returncode, st())
# ps lists the sandbox's own processes (pids in its pid namespace), as runsc's does.
ps = json.loads(subprocess.run(c + ["ps", "--format", "json", cid], capture_output=True, text=True).stdout)
print("ps --format json", ps)
table = subprocess.run(c + ["ps", cid], capture_output=True, text=True).stdout.splitlines()
print("ps", " ".join(table[0].split()), [(l.split()[1], l.split()[2], l.split()[4], l.split()[-1]) for l in table[1:]])
print("kill", subprocess.run(c + ["kill", cid, "15"]).returncode)
_, status = os.waitpid(pid, 0)
print("status", os.waitstatus_to_exitcode(status))
print("state", st())
print("kill --all of a stopped container", subprocess.run(c + ["kill", "--all", cid, "9"]).returncode)
print("kill of a stopped container", subprocess.run(c + ["kill", cid, "9"], stderr=subprocess.DEVNULL).returncode)
print("delete", subprocess.run(c + ["delete", cid]).returncode)
print("delete again", subprocess.run(c + ["delete", cid], stderr=subprocess.DEVNULL).returncode)
print("output", open(bundle + "/out").read().strip())
PY
)
check "create, start, state, pause, resume, ps, kill, delete" "create 0
the caller's other fds are let go: True
pid file decimal, no newline
state created
start 0
state running
pause 0 paused
ps --format json while paused [1, 2]
resume 0 running
ps --format json [1, 2]
ps UID PID PPID C TTY STIME TIME CMD [('1', '0', '?', 'sh'), ('2', '1', '?', 'sleep')]
kill 0
status 143
state stopped
kill --all of a stopped container 0
kill of a stopped container 1
delete 0
delete again 1
output started" "$lifecycle"

# A container that is not stopped is deleted only with --force; kill by name.
mkbundle "$T/b5" '["sleep", "30"]'
"${C[@]}" create --bundle "$T/b5" "d1-$RUNID" >/dev/null 2>"$T/d1.err" && "${C[@]}" start "d1-$RUNID" ||
	failed "create and start" "$(cat "$T/d1.err")"
"${C[@]}" delete "d1-$RUNID" 2>/dev/null
check "delete of a running container fails" 1 $?
"${C[@]}" kill "d1-$RUNID" SIGKILL
check "kill by name" 0 $?
"${C[@]}" delete --force "d1-$RUNID"
check "delete --force" 0 $?
"${C[@]}" create --bundle "$T/b5" "d1-$RUNID" >/dev/null 2>&1
check "create again after delete" 0 $?
"${C[@]}" create --bundle "$T/b5" "d1-$RUNID" 2>/dev/null
check "create of an ID that exists fails" 1 $?
"${C[@]}" delete "d1-$RUNID"
check "delete of a created container" 0 $?

# exec: a new process in the running sandbox, with its own stdio and status; the
# pid file's process of a detached exec exits with the process's status.
mkbundle "$T/b10" '["sleep", "30"]'
"${C[@]}" run --detach --bundle "$T/b10" "x1-$RUNID" >/dev/null 2>"$T/x1.err"
out=$(echo from-stdin | "${C[@]}" exec "x1-$RUNID" sh -c 'cat; echo ppid=$PPID; id -u; exit 5' 2>&1; echo "exit $?")
case $out in *"that is stopped"*) out="$out (the container's stderr: $(cat "$T/x1.err"))";; esac
check "exec: stdin, stdout, no parent in the sandbox, exit status" "from-stdin
ppid=0
0
exit 5" "$out"
"${C[@]}" exec "x1-$RUNID" no-such-program 2>"$T/exec.err"
check "exec of a missing program fails with 1" 1 $?
grep -q 'executable file not found' "$T/exec.err" && pass "exec: runc's words for a missing program" ||
	failed "exec: missing program message" "$(cat "$T/exec.err")"
cat >"$T/process.json" <<'EOF2'
{"args": ["sh", "-c", "sleep 0.2; exit 4"], "cwd": "/tmp", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}
EOF2
detached=$("$PY" - "$CVISOR" "$STATE" "x1-$RUNID" "$T/process.json" "$T/x1.pid" <<'PY' 2>&1
import ctypes, os, subprocess, sys
cvisor, state, cid, process, pidfile = sys.argv[1:]
ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
r = subprocess.run([cvisor, "--root", state, "exec", "--process", process, "--detach", "--pid-file", pidfile, cid])
pid = int(open(pidfile).read())
_, status = os.waitpid(pid, 0)
print("exec", r.returncode, "status", os.waitstatus_to_exitcode(status))
PY
)
check "exec --process --detach --pid-file: the pid file's process exits with the process's status" "exec 0 status 4" "$detached"
"${C[@]}" exec "x1-$RUNID" sh -c 'kill -9 $$'
check "exec: a process killed by SIGKILL is 137" 137 $?
"${C[@]}" delete --force "x1-$RUNID"

# exec at once after run -d, in two sandboxes side by side, under load: the first
# process's program lookup and the exec's walked the gofer's socket together (the
# replies crossed: "sleep" was a directory, the container stopped, exec gave 137).
if command -v stress-ng >/dev/null; then
	stress-ng --cpu 4 --vm 2 --vm-bytes 128M --timeout 20 >/dev/null 2>&1 &
	LOADPID=$!
fi
exec_race() { # TAG: 12 times run -d and exec at once; the bad rounds
	local i out
	for i in $(seq 12); do
		"${C[@]}" run --detach --bundle "$T/b10" "xr$1-$RUNID" >/dev/null 2>&1
		out=$(echo in | "${C[@]}" exec "xr$1-$RUNID" sh -c 'cat; exit 5' 2>&1)
		[ "$? $out" = "5 in" ] || echo "round $i: $out"
		"${C[@]}" delete --force "xr$1-$RUNID"
	done
}
exec_race a >"$T/race-a" &
race=$!
exec_race b >"$T/race-b"
wait "$race"
[ -n "$LOADPID" ] && kill "$LOADPID" 2>/dev/null && wait "$LOADPID" 2>/dev/null
check "exec at once after run -d, two sandboxes at a time under load, 24 rounds" "" "$(cat "$T/race-a" "$T/race-b")"

# The console socket: the pty master comes over it, the replica is the process's terminal.
mkbundle "$T/b6" '["sh", "-c", "tty; echo in-tty"]' 'c["process"]["terminal"] = True'
console=$("$PY" - "$CVISOR" "$STATE" "$T/b6" "c1-$RUNID" "$T/console.sock" <<'PY' 2>&1
import os, socket, subprocess, sys, time
cvisor, state, bundle, cid, path = sys.argv[1:]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
c = [cvisor, "--root", state]
p = subprocess.Popen(c + ["create", "--bundle", bundle, "--console-socket", path, cid])
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 1024, 1)
print("create", p.wait(), "fds", len(fds))
subprocess.run(c + ["start", cid])
out = b""
end = time.time() + 10
while time.time() < end and b"in-tty" not in out:
    try:
        chunk = os.read(fds[0], 4096)
    except OSError:
        break
    out += chunk
text = out.decode(errors="replace")
print("tty is a pty:", "/dev/pts/" in text, "ran:", "in-tty" in text)
subprocess.run(c + ["delete", "--force", cid])
PY
)
check "console socket: the pty master is sent, the process's stdio is its replica" "create 0 fds 1
tty is a pty: True ran: True" "$console"

# exec -t: a resize of the console's pty (conmon's and ctr's answer to a window
# change) reaches the exec'd process: its sandbox pty takes the size, and its
# foreground group gets SIGWINCH (the shell's trap prints the new size).
mkbundle "$T/bw" '["sleep", "30"]'
"${C[@]}" run --detach --bundle "$T/bw" "w1-$RUNID" >/dev/null 2>&1
resize=$("$PY" - "$CVISOR" "$STATE" "w1-$RUNID" "$T/w1.sock" <<'PY' 2>&1
import fcntl, os, socket, struct, subprocess, sys, termios, time
cvisor, state, cid, path = sys.argv[1:]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
c = [cvisor, "--root", state]
script = 'trap "echo winch; stty size" WINCH; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done'
# (its stdio elsewhere: the process lives on after this script, until the delete)
p = subprocess.Popen(c + ["exec", "--tty", "--console-socket", path, cid, "sh", "-c", script],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
conn, _ = srv.accept()
master = socket.recv_fds(conn, 1024, 1)[1][0]
out = b""
def until(s):
    global out
    end = time.time() + 10
    while time.time() < end and s not in out:
        try:
            out += os.read(master, 4096)
        except OSError:
            break
    return s in out
print("ready", until(b"ready"))
for rows, cols in ((33, 111), (44, 122)):
    out = b""
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    print("resized to", rows, cols, until(b"%d %d" % (rows, cols)), "SIGWINCH", b"winch" in out)
# ps: the exec'd shell has no parent in the sandbox, and its terminal is a pty of the sandbox's.
# (Its loop's children are named sh too between their fork and exec: only the one without a parent.)
rows = [l.split() for l in subprocess.run(c + ["ps", cid], capture_output=True, text=True).stdout.splitlines()[1:]]
print("ps", [(r[2], r[4][:4], r[-1]) for r in rows if r[-1] == "sh" and r[2] == "0"])
PY
)
check "exec -t: a resize of the console reaches the process's pty, with SIGWINCH" "ready True
resized to 33 111 True SIGWINCH True
resized to 44 122 True SIGWINCH True
ps [('0', 'pts/', 'sh')]" "$resize"
"${C[@]}" delete --force "w1-$RUNID"

# linux.resources.memory.limit: an allocation past it is killed (137), as by the kernel's OOM killer.
# awk doubles a string until the memory is full: no one allocation is past the limit, their sum is.
mkbundle "$T/b7" '["awk", "BEGIN { s = \"0123456789abcdef\"; while (1) s = s s }"]' \
	'c["linux"]["resources"] = {"memory": {"limit": 64 << 20}}; c["linux"]["cgroupsPath"] = "cvisor-test-'"$RUNID"'"'
"${C[@]}" run --bundle "$T/b7" "m1-$RUNID" >/dev/null 2>&1
check "memory limit 64M: a program that fills it is killed with 137" 137 $?
mkbundle "$T/b8" '["dd", "if=/dev/zero", "of=/dev/null", "bs=10M", "count=1"]' \
	'c["linux"]["resources"] = {"memory": {"limit": 64 << 20}}'
"${C[@]}" run --bundle "$T/b8" "m2-$RUNID" >/dev/null 2>&1
check "memory limit 64M: a 10M allocation runs" 0 $?

# A cgroup v2 host: this host may be one, or have the v2 hierarchy beside v1 controllers
# (a hybrid layout), where a private mount namespace with that hierarchy alone on
# /sys/fs/cgroup shows cvisor a v2 host.  There the sandbox's processes are born in
# the container's cgroup (clone3's CLONE_INTO_CGROUP, no move: a move waits for an RCU
# grace period of the host's); the runtime's own process, which only waits, is not.
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$cg2" ]; then
	echo "SKIP oci/cgroup v2: the processes are born in the cgroup: no cgroup v2 hierarchy here"
else
	mkbundle "$T/bv2" '["sh", "-c", "echo up; sleep 2"]' 'c["linux"]["cgroupsPath"] = "/cvisor-v2-'"$RUNID"'/c"'
	out=$(unshare -m --propagation private bash -c '
		if [ "$1" != /sys/fs/cgroup ]; then umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 9; fi
		"$2" --root "$3" run --bundle "$4" "v2-$5" >"$4/out" 2>&1 & rt=$!
		for i in $(seq 100); do grep -q up "$4/out" 2>/dev/null && break; sleep 0.05; done
		procs=$(cat "/sys/fs/cgroup/cvisor-v2-$5/c/cgroup.procs" 2>/dev/null)
		# The runtime, its monitor child, and everything below the monitor.
		monitor=$(pgrep -P $rt | head -1); below= next=$monitor
		while [ -n "$next" ]; do next=$(for p in $next; do pgrep -P "$p"; done); below+=" $next"; done
		ok=0; n=0
		for p in $below; do n=$((n + 1)); grep -qx "$p" <<< "$procs" || ok=1; done
		grep -qxE "$rt|${monitor:-none}" <<< "$procs" && ok=2
		wait $rt; rc=$?
		rmdir "/sys/fs/cgroup/cvisor-v2-$5" 2>/dev/null
		echo "$ok $rc $((n >= 3))"
	' bash "$cg2" "$CVISOR" "$STATE" "$T/bv2" "$RUNID" 2>&1)
	check "cgroup v2: the processes are born in the container's cgroup, the runtime's stays out" "0 0 1" "$out"
fi

# podman with cvisor as its runtime, against podman with runc, on an image imported
# from the busybox rootfs (no registry is needed).  podman's storage and state are
# this run's own (--root, --runroot), with no network and cgroupfs cgroups.
if command -v podman >/dev/null && command -v conmon >/dev/null && [ -n "$REF" ]; then
	# conmon writes a file named oom into its working directory when the
	# memory case's container is killed (with either runtime): this run's own.
	cd "$T" || exit 1
	mkdir -p "$T/img/bin" "$T/img/etc" "$T/img/tmp" "$T/vol"
	cp /bin/busybox "$T/img/bin/busybox"
	for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$T/img/bin/$a"; done
	echo vol-file >"$T/vol/f"
	printf '[engine]\nruntime_supports_json = ["cvisor", "runc", "crun"]\n' >"$T/containers.conf"
	PM=(env CONTAINERS_CONF="$T/containers.conf" podman --root "$T/storage" --runroot "$T/run"
		--cgroup-manager=cgroupfs --events-backend=file)
	# podman's default limits (nofile and nproc of 1048576) may be above this host's: runc could not set them.
	UL=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
	tar -C "$T/img" -cf "$T/img.tar" . && "${PM[@]}" import -q "$T/img.tar" localhost/cvisor-test:1 >/dev/null 2>&1
	# podman_cases RUNTIME: the same runs, their output and statuses.
	podman_cases() {
		local P=("${PM[@]}" --runtime "$1") I=localhost/cvisor-test:1
		"${P[@]}" run --rm "${UL[@]}" --network=none -e FOO=bar -w /tmp -u 1000:1000 $I sh -c 'echo $FOO; pwd; id' 2>/dev/null
		echo "status $?"
		"${P[@]}" run --rm "${UL[@]}" --network=none --read-only -v "$T/vol:/data:ro" $I \
			sh -c 'cat /data/f; touch /x 2>/dev/null || echo ro; touch /data/y 2>/dev/null || echo ro; exit 3' 2>/dev/null
		echo "status $?"
		"${P[@]}" run --rm "${UL[@]}" --network=none $I no-such-program >/dev/null 2>&1
		echo "missing program: status $?"
		"${P[@]}" run --rm "${UL[@]}" --network=none --memory 64m $I awk 'BEGIN { s = "0123456789abcdef"; while (1) s = s s }' >/dev/null 2>&1
		echo "memory: status $?"
		"${P[@]}" run -d "${UL[@]}" --name "pm-$RUNID" --network=none $I sleep 30 >/dev/null 2>&1
		"${P[@]}" exec "pm-$RUNID" sh -c 'echo in exec; exit 6' 2>/dev/null
		echo "exec: status $?"
		"${P[@]}" pause "pm-$RUNID" >/dev/null 2>&1 && "${P[@]}" unpause "pm-$RUNID" >/dev/null 2>&1
		echo "pause and unpause: status $?"
		"${P[@]}" stop -t 1 "pm-$RUNID" >/dev/null 2>&1
		"${P[@]}" rm "pm-$RUNID" >/dev/null 2>&1
		echo "stop and rm: status $?"
	}
	native=$(podman_cases "$REF")
	sandbox=$(podman_cases "$CVISOR")
	check "podman run, exec, pause, stop, rm: as with ${REF##*/}" "$native" "$sandbox"
	"${PM[@]}" rm -af >/dev/null 2>&1
	"${PM[@]}" rmi -af >/dev/null 2>&1
else
	echo "SKIP oci/podman: podman, conmon or runc is not installed (apt-get install podman runc)"
fi

# The container's pid 1 is its pid namespace's init: a signal it has no handler
# for, sent from inside, is not delivered (SIGKILL neither); one it handles is.
mkbundle "$T/binit" '["sh", "-c", "kill -ALRM 1; kill -KILL 1; trap \"echo got-usr1\" USR1; kill -USR1 1; echo survived"]'
sandbox=$(timeout 30 "${C[@]}" run --bundle "$T/binit" "in-$RUNID" 2>&1 | grep -v loopback; echo "status ${PIPESTATUS[0]}")
if [ -n "$REF" ]; then
	native=$(timeout 30 "$REF" --root "$T/ref" run --bundle "$T/binit" "in-$RUNID" 2>&1; echo "status $?")
	check "pid 1 ignores signals it has no handler for, as with ${REF##*/}" "$native" "$sandbox"
fi
check "pid 1 ignores signals it has no handler for" "got-usr1
survived
status 0" "$sandbox"

# The global --platform (runsc's flag) picks how the container's code runs: its
# stubs are traced by the sentry on ptrace, and never on systrap.  An unknown
# one fails before anything is made.
mkbundle "$T/bp" '["sleep", "30"]'
traced=
for p in ptrace systrap; do
	"${C[@]}" --platform=$p run --detach --bundle "$T/bp" "pl-$p-$RUNID" >/dev/null 2>&1
	timeout 10 "${C[@]}" exec "pl-$p-$RUNID" true >/dev/null 2>&1 # the sandbox runs: its stubs are there
	mon=$("${C[@]}" state "pl-$p-$RUNID" 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
	n=0
	for pid in $(ps -e -o pid= -o ppid= | awk -v m="$mon" '{ kids[$2] = kids[$2] " " $1 } END {
			q = m; while (q != "") { split(q, a, " "); q = ""; for (i in a) { print a[i]; q = q kids[a[i]] } } }'); do
		[ "$(awk '/^TracerPid:/ { print $2 }' /proc/"$pid"/status 2>/dev/null)" -gt 0 ] 2>/dev/null && n=$((n + 1))
	done
	traced+="$p:$([ $n -gt 0 ] && echo traced || echo untraced) "
	"${C[@]}" delete --force "pl-$p-$RUNID" >/dev/null 2>&1
done
"${C[@]}" --platform=nope run --bundle "$T/bp" "pl-x-$RUNID" >/dev/null 2>&1
check "--platform: ptrace's stubs traced, systrap's not; an unknown one fails with 1" \
	"ptrace:traced systrap:untraced 1" "$traced$?"

# linux.resources.pids.limit: a fork past it fails with EAGAIN, as the pids cgroup makes it.
mkbundle "$T/b11" '["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 1 & done; echo after; wait"]' \
	'c["linux"]["resources"] = {"pids": {"limit": 5}}; c["linux"]["cgroupsPath"] = "cvisor-pids-'"$RUNID"'"'
sandbox=$(timeout 30 "${C[@]}" run --bundle "$T/b11" "n1-$RUNID" 2>&1 | grep -v loopback; echo "status ${PIPESTATUS[0]}")
if [ -n "$REF" ]; then
	native=$(timeout 30 "$REF" --root "$T/ref" run --bundle "$T/b11" "n1-$RUNID" 2>&1; echo "status $?")
	check "pids limit 5: fork fails past it, as with ${REF##*/}" "$native" "$sandbox"
else
	check "pids limit 5: fork fails past it" "sh: can't fork: Resource temporarily unavailable
status 2" "$sandbox"
fi

# Many sandboxes on one host: of 20, one's sentry dies (killed from the host, as a
# sentry crash would end it), one fills its memory past its limit, one forks past
# its pids limit; the other 17 still answer an exec, and the three end as they should.
mkbundle "$T/b12" '["sleep", "60"]'
mkbundle "$T/b13" '["sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 2"]' \
	'c["linux"]["resources"] = {"pids": {"limit": 16}}'
for i in $(seq 17); do "${C[@]}" run --detach --bundle "$T/b12" "t$i-$RUNID" >/dev/null 2>&1; done
"${C[@]}" run --detach --bundle "$T/b12" "tc-$RUNID" >/dev/null 2>&1
"${C[@]}" run --detach --bundle "$T/b7" "tm-$RUNID" >/dev/null 2>&1
"${C[@]}" run --detach --bundle "$T/b13" "tf-$RUNID" >/dev/null 2>&1
# The sentry is the monitor's child that runs as nobody (the gofers run as root).
mon=$("${C[@]}" state "tc-$RUNID" 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
for p in $(cat /proc/"$mon"/task/*/children 2>/dev/null); do
	[ "$(stat -c %u /proc/"$p" 2>/dev/null)" = 65534 ] && kill -9 "$p"
done
ends=
for c in tc tm tf; do
	for _ in $(seq 300); do
		[ "$("${C[@]}" state "$c-$RUNID" 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
		sleep 0.1
	done
	ends+="$c:$("${C[@]}" state "$c-$RUNID" 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])') "
done
alive=
for i in $(seq 17); do alive+=$(timeout 10 "${C[@]}" exec "t$i-$RUNID" echo "$i" 2>/dev/null); done
check "20 sandboxes: a dead sentry, a memory bomb, a fork bomb end; 17 others answer" \
	"tc:stopped tm:stopped tf:stopped 1234567891011121314151617" "$ends$alive"
for i in $(seq 17) c m f; do "${C[@]}" delete --force "t$i-$RUNID"; done

# linux.seccomp: the profile in the sentry's system call table, against runc's
# libseccomp filter: ERRNO with errnoRet (mkdir), an argument condition (chmod
# to 0777 only), KILL_PROCESS (sync) and TRAP (sethostname: SIGSYS, unhandled).
mkbundle "$T/b16" '["sh", "-c", "mkdir /w/d; echo mkdir $?; touch /w/f; chmod 644 /w/f; echo chmod644 $?; chmod 777 /w/f; echo chmod777 $?; sync; echo sync $?; hostname x; echo hostname $?"]' '
c["mounts"].append({"destination": "/w", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]})
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [
  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
  {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]},
  {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 2, "value": 511, "op": "SCMP_CMP_EQ"}]},
  {"names": ["sync"], "action": "SCMP_ACT_KILL_PROCESS"},
  {"names": ["sethostname"], "action": "SCMP_ACT_TRAP"}]}
'
# (stdout only: the order of the shell's stdout and stderr lines differs between runs)
sandbox=$(timeout 30 "${C[@]}" run --bundle "$T/b16" "sc-$RUNID" 2>/dev/null; echo "status $?")
if [ -n "$REF" ]; then
	native=$(timeout 30 "$REF" --root "$T/ref" run --bundle "$T/b16" "sc-$RUNID" 2>/dev/null; echo "status $?")
	check "seccomp profile: errno, argument conditions, kill, trap, as with ${REF##*/}" "$native" "$sandbox"
fi
check "seccomp profile: the same in cvisor, line by line" "mkdir 1
chmod644 0
chmod777 1
sync 159
hostname 159
status 0" "$sandbox"
# SCMP_ACT_KILL_THREAD (and SCMP_ACT_KILL, its old name) ends the thread that made
# the call, and the process goes on (pthread_join returns); made by the last thread,
# it ends the process by SIGSYS.  SCMP_ACT_KILL_PROCESS ends the process at once.
# tests/oci/killthread.c: a thread calls sync(2); main joins it, then (given an
# argument) calls it too.
if cc -O2 -static -pthread -o "$T/killthread" "$root/tests/oci/killthread.c" 2>"$T/cc.err"; then
	killthread() { # ACTION [ARG]: the run's output and status, under cvisor and the reference
		local b=$T/bk-$1$# out
		mkbundle "$b" "[\"/killthread\"${2:+, \"$2\"}]" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["sync"], "action": "'"$1"'"}]}'
		cp "$T/killthread" "$b/rootfs/killthread"
		out="$*: $(timeout 30 "${C[@]}" run --bundle "$b" "kt-$RUNID" 2>/dev/null | tr '\n' ' '; echo "status ${PIPESTATUS[0]}")"
		echo "$out"
		[ -n "$REF" ] && echo "$*: $(timeout 30 "$REF" --root "$T/ref" run --bundle "$b" "kt-$RUNID" 2>/dev/null | tr '\n' ' '; echo "status ${PIPESTATUS[0]}")" >>"$T/kt.ref"
	}
	rm -f "$T/kt.ref"
	sandbox=$(killthread SCMP_ACT_KILL_THREAD; killthread SCMP_ACT_KILL_THREAD last; killthread SCMP_ACT_KILL
		killthread SCMP_ACT_KILL_PROCESS)
	[ -n "$REF" ] && check "seccomp KILL_THREAD, KILL, KILL_PROCESS: as with ${REF##*/}" "$(cat "$T/kt.ref")" "$sandbox"
	check "seccomp KILL_THREAD ends the thread, KILL_PROCESS the process: the same in cvisor" "SCMP_ACT_KILL_THREAD: joined the killed thread the process lived on status 0
SCMP_ACT_KILL_THREAD last: joined the killed thread status 159
SCMP_ACT_KILL: joined the killed thread the process lived on status 0
SCMP_ACT_KILL_PROCESS: status 159" "$sandbox"
else
	echo "SKIP oci/seccomp KILL_THREAD: cannot build a static threaded program ($(head -1 "$T/cc.err"); apt-get install gcc libc6-dev)"
fi
# A default of ERRNO with everything a shell needs allowed, as podman's default profile is built.
mkbundle "$T/b17" '["sh", "-c", "echo hi; mkdir /w/d || echo denied"]' '
c["mounts"].append({"destination": "/w", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]})
names = [l.split()[1] for l in open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h") if l.startswith("#define __NR_")]
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
  {"names": [n[5:] for n in names if n not in ("__NR_mkdir", "__NR_mkdirat")], "action": "SCMP_ACT_ALLOW"}]}
'
check "seccomp profile: default ERRNO 38, all but mkdir allowed" "hi
mkdir: can't create directory '/w/d': Function not implemented
denied
status 0" "$(timeout 30 "${C[@]}" run --bundle "$T/b17" "sd-$RUNID" 2>&1; echo "status $?")"

# hooks: on the host, in the spec's order, each with the state JSON on stdin and its
# own env; runc runs startContainer in the container (where the hook's file is not),
# so it is compared apart.  A create hook that fails undoes the create; a timeout kills the hook.
HOOKS=$T/hooks.out
mkbundle "$T/b18" '["sh", "-c", "echo in-container"]' '
def hook(kind):
    return {"path": "/bin/sh", "env": ["E=env-" + kind], "timeout": 5, "args": ["sh", "-c",
        "tr -d \"\\n \" | grep -o \"\\\"status\\\":\\\"[a-z]*\\\"\" | sed \"s/^/" + kind + " /\" >>'"$HOOKS"'; echo $E >>'"$HOOKS"'"]}
c["hooks"] = {k: [hook(k)] for k in ["prestart", "createRuntime", "createContainer", "poststart", "poststop"]}
'
# (poststart's status is "created" or "running", as the process's start races it, with runc too)
sandbox=$(timeout 30 "${C[@]}" run --bundle "$T/b18" "hk-$RUNID" 2>&1; echo "status $?"; sed 's/^poststart .*/poststart/' "$HOOKS")
rm -f "$HOOKS"
if [ -n "$REF" ]; then
	native=$(timeout 30 "$REF" --root "$T/ref" run --bundle "$T/b18" "hk-$RUNID" 2>&1; echo "status $?"; sed 's/^poststart .*/poststart/' "$HOOKS")
	rm -f "$HOOKS"
	check "hooks: prestart, createRuntime, createContainer, poststart, poststop with the state and env, as ${REF##*/} runs them" \
		"$native" "$sandbox"
fi
check "hooks: the same in cvisor, line by line" 'in-container
status 0
prestart "status":"creating"
env-prestart
createRuntime "status":"creating"
env-createRuntime
createContainer "status":"creating"
env-createContainer
poststart
env-poststart
poststop "status":"stopped"
env-poststop' "$sandbox"
mkbundle "$T/b19" '["true"]' '
c["hooks"] = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "cat >'"$HOOKS"'"]}],
              "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}
'
"${C[@]}" create --bundle "$T/b19" "hf-$RUNID" >/dev/null 2>"$T/hook.err"
check "hooks: a createRuntime hook that fails fails create, and no container is left" \
	"1 createRuntime exit status 3 gone" "$? $(grep -o 'createRuntime hook /bin/sh: exit status 3' "$T/hook.err" | cut -d' ' -f1,4-6) $("${C[@]}" state "hf-$RUNID" >/dev/null 2>&1 || echo gone)"
mkbundle "$T/b20" '["true"]' 'c["hooks"] = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}'
start=$SECONDS
"${C[@]}" run --bundle "$T/b20" "ht-$RUNID" >/dev/null 2>"$T/hook.err"
check "hooks: a hook past its timeout is killed, and run fails" "1 timed out fast" \
	"$? $(grep -o 'timed out' "$T/hook.err") $([ $((SECONDS - start)) -lt 10 ] && echo fast)"

# linux.devices: the sandbox's own null, zero, full, random, urandom and tty serve
# those; another device is left out, with a message.
mkbundle "$T/b21" '["sh", "-c", "echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d \" \"; ls /dev/sdz 2>/dev/null || echo no-sdz"]' '
c["linux"]["devices"] = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438},
  {"path": "/dev/zero", "type": "c", "major": 1, "minor": 5}, {"path": "/dev/sdz", "type": "b", "major": 8, "minor": 240}]
'
check "devices: null and zero are the sandbox's, another is left out with a message" "00000000
no-sdz
cvisor: linux.devices: /dev/sdz (b 8:240) is left out: the sandbox has only its own devices (null, zero, full, random, urandom, tty)" \
	"$(timeout 30 "${C[@]}" run --bundle "$T/b21" "dv-$RUNID" 2>"$T/dev.err"; cat "$T/dev.err")"

# linux.namespaces network with a path: the sandbox takes that namespace's
# interface and addresses (as runc's container does), from a namespace and veth
# made here (held by a sleeping process: nothing to unmount); without a path,
# loopback only.
if command -v ip >/dev/null && command -v unshare >/dev/null && [ "$(id -u)" = 0 ]; then
	unshare -n sleep 120 &
	NSHOLD=$!
	VETH=cvt-$RUNID NET=$((RUNID % 250)) PORT=$((20000 + RUNID % 10000))
	sleep 0.2
	if ip link add "${VETH:0:15}" type veth peer name eth0 netns "$NSHOLD" 2>"$T/veth.err" &&
		ip addr add 198.18.$NET.1/24 dev "${VETH:0:15}" && ip link set "${VETH:0:15}" up &&
		nsenter -t "$NSHOLD" -n sh -c "ip addr add 198.18.$NET.2/24 dev eth0 && ip link set eth0 up && ip link set lo up"; then
		# The host's side answers each connection with one line, twice (runc's run, then cvisor's).
		"$PY" -c '
import socket, sys
s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(2); s.settimeout(40)
for _ in range(2):
    c, a = s.accept(); c.sendall(b"hello from the host to %s\n" % a[0].encode()); c.close()
' "198.18.$NET.1" "$PORT" 2>/dev/null &
		LISTENER=$!
		mkbundle "$T/b14" '["sh", "-c", "ip -4 -o addr | sed \"s/ *valid.*//\"; nc 198.18.'"$NET.1 $PORT"' </dev/null"]' \
			'c["linux"]["namespaces"].append({"type": "network", "path": "/proc/'"$NSHOLD"'/ns/net"})'
		sleep 0.3
		# runc first: the sandbox takes the interface's addresses away from the host's kernel.
		if [ -n "$REF" ]; then
			native=$(timeout 30 "$REF" --root "$T/ref" run --bundle "$T/b14" "nn-$RUNID" 2>&1; echo "status $?")
		else
			native="(no runc)"
		fi
		sandbox=$(timeout 30 "${C[@]}" run --bundle "$T/b14" "nn-$RUNID" 2>&1; echo "status $?")
		check "netns path: the namespace's interface and address, and a connection to its peer, as with ${REF##*/}" \
			"$native" "$sandbox"
		check "netns path: the same in cvisor, line by line" "1: lo    inet 127.0.0.1/8 scope host lo\\
2: eth0    inet 198.18.$NET.2/24 scope global eth0\\
hello from the host to 198.18.$NET.2
status 0" "$sandbox"
		kill "$LISTENER" 2>/dev/null
	else
		failed "netns: make a veth into a namespace" "$(cat "$T/veth.err")"
	fi
	ip link del "${VETH:0:15}" 2>/dev/null
	kill "$NSHOLD" 2>/dev/null
	wait "$NSHOLD" 2>/dev/null
	mkbundle "$T/b15" '["sh", "-c", "ip -o link | cut -d: -f2"]' 'c["linux"]["namespaces"].append({"type": "network"})'
	check "netns without a path: loopback only, and nothing said on stderr" " lo" "$(timeout 30 "${C[@]}" run --bundle "$T/b15" "nl-$RUNID" 2>&1)"
else
	echo "SKIP oci/netns: needs root, ip (iproute2) and unshare"
fi

# containerd and ctr (tests/oci/ctr.sh starts a containerd of its own).
bash "$root/tests/oci/ctr.sh" "$CVISOR"

# spec, features, --version.
mkdir -p "$T/b9"
"$CVISOR" spec --bundle "$T/b9" && "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); assert c["process"]["args"] == ["sh"] and c["root"]["path"] == "rootfs"' "$T/b9/config.json"
check "spec writes a default config.json" 0 $?
"$CVISOR" spec --bundle "$T/b9" 2>/dev/null
check "spec does not overwrite one" 1 $?
"$CVISOR" features | "$PY" -c 'import json,sys; f=json.load(sys.stdin); assert f["ociVersionMax"]'
check "features is JSON" 0 $?
"$CVISOR" --version | grep -q '^cvisor version'
check "--version" 0 $?
"$CVISOR" --root "$STATE" --debug --systemd-cgroup list -q >/dev/null
check "global flags before the verb are accepted" 0 $?
exit $fail
