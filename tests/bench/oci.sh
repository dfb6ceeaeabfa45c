#!/bin/bash
# tests/bench/oci.sh [--cvisor PATH] [--density N] [--runs K]
#
# cvisor as an OCI runtime against runc, crun and runsc, in one run:
#
#   density      N sandboxes (default 100) each running `sleep 60`, started 10
#                at a time with `run --detach`: the p50 and p99 start time (from the
#                run until the container's first line is out) and the host
#                memory the N hold in all, from their cgroups (one parent per
#                runtime: memory.usage_in_bytes on cgroup v1, memory.current on
#                v2), with that per sandbox.  Starting stops early, and says so,
#                when the host has less than 2 GiB available.
#   run          a bundle's /bin/true with `RUNTIME run` (wall ms, median of K)
#   podman       podman run --rm IMAGE /bin/true with --runtime (median of K)
#   ctr          ctr run --rm with --runc-binary (tests/oci/ctr.sh's containerd)
#
# Timing on a shared VM is noisy: nothing here fails on a slow number.
# Everything it starts (containers, cgroups, podman's storage, containerd) is
# its own and removed at the end, even on failure.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CVISOR=$root/build/cvisor
N=100
RUNS=7
while [ $# -gt 0 ]; do
	case $1 in
	--cvisor) CVISOR=$2; shift 2;;
	--density) N=$2; shift 2;;
	--runs) RUNS=$2; shift 2;;
	*) echo "usage: tests/bench/oci.sh [--cvisor PATH] [--density N] [--runs K]" >&2; exit 2;;
	esac
done
CVISOR=$(readlink -f "$CVISOR")
PY=/usr/bin/python3
if [ ! -x /bin/busybox ]; then
	echo "oci bench: busybox-static is not installed (make deps-test installs it)"
	exit 0
fi
T=$(mktemp -d /var/tmp/cvisor-ocibench.XXXXXX)
CG=cvisor-bench-$$
RTS=()
for r in runc crun runsc; do command -v $r >/dev/null && RTS+=("$(command -v $r)"); done
RTS+=("$CVISOR")
cleanup() {
	local rt id d
	for rt in "${RTS[@]}"; do
		for id in $(in_ns "$rt" "$rt" $(flags "$rt") --root "$T/root-${rt##*/}" list --quiet 2>/dev/null); do
			in_ns "$rt" "$rt" $(flags "$rt") --root "$T/root-${rt##*/}" delete --force "$id" >/dev/null 2>&1
		done
	done
	for d in /sys/fs/cgroup/*/"$CG"-* /sys/fs/cgroup/"$CG"-*; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	[ -d "$T/storage" ] && podman --root "$T/storage" --runroot "$T/run" rm -af >/dev/null 2>&1
	[ -d "$T/storage" ] && podman --root "$T/storage" --runroot "$T/run" rmi -af >/dev/null 2>&1
	grep -F " $T/" /proc/mounts | cut -d' ' -f2 | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp"
cp /bin/busybox "$T/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$T/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
"$CVISOR" spec --bundle "$T" || exit 1
mv "$T/config.json" "$T/spec.json"

# The global flags a runtime needs here: runsc takes a network namespace without a
# path only with --network=none.
flags() {
	case ${1##*/} in
	runsc) echo --network=none;;
	esac
}

# in_ns RUNTIME CMD...: runs CMD (a command, or this script's median) where RUNTIME
# can run.  crun refuses a hybrid cgroup layout (v1 controllers beside a v2 hierarchy
# that has one), even when told to leave cgroups alone.  So what launches it (the
# launcher, not each timed run, which pays nothing for it) gets a mount namespace of
# its own where the v2 hierarchy is an empty private tmpfs: crun sees a v1 host and
# makes its containers' cgroups there, as cvisor and runc do, and what it writes in
# that tmpfs goes with the namespace.  Every other runtime runs as it is.
in_ns() {
	local rt=${1##*/}
	shift
	if [ "$rt" = crun ] && mountpoint -q /sys/fs/cgroup/unified; then
		T=$T unshare -m --propagation private bash -c "umount /sys/fs/cgroup/unified &&
			mount -t tmpfs -o size=1m,mode=0755 cvisor-bench /sys/fs/cgroup/unified &&
			$(declare -f median) && \"\$@\"" bash "$@"
	else
		"$@"
	fi
}

# bundle DIR CGROUP ARGS_JSON: a config.json in DIR over the shared rootfs.
bundle() {
	mkdir -p "$1"
	"$PY" - "$T/spec.json" "$1/config.json" "$T/rootfs" "$2" "$3" <<'PY'
import json, sys
src, dst, rootfs, cg, args = sys.argv[1:]
c = json.load(open(src))
c["root"] = {"path": rootfs, "readonly": True}
c["process"]["terminal"] = False
c["process"]["args"] = json.loads(args)
c["linux"].pop("resources", None)
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"] + [{"type": "network"}]
if cg:
    c["linux"]["cgroupsPath"] = cg
json.dump(c, open(dst, "w"))
PY
}

# density RUNTIME: "p50 p99 total_MiB per_MiB started"
density() {
	local rt=$1 name=${1##*/} i
	for i in $(seq "$N"); do bundle "$T/d-$name/$i" "/$CG-$name/s$i" '["sh", "-c", "echo up; exec sleep 60"]'; done
	in_ns "$rt" "$PY" - "$rt" "$T/root-$name" "$T/d-$name" "$N" "$CG-$name" $(flags "$rt") <<'PY'
import os, subprocess, sys, time
rt, root, dirs, n, cg = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
flags = sys.argv[6:]
# This launcher joins a cgroup below the runtime's parent (memory, and pids where it is
# its own hierarchy): a runtime that made no cgroup would leave its containers in it.
for base in ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
    d = "%s/%s/launch" % (base, cg)
    if os.path.exists(base + "/cgroup.procs") or base != "/sys/fs/cgroup":
        try:
            os.makedirs(d, exist_ok=True)
            open(d + "/cgroup.procs", "w").write(str(os.getpid()))
        except OSError:
            pass
def avail():
    for l in open("/proc/meminfo"):
        if l.startswith("MemAvailable:"):
            return int(l.split()[1]) << 10
def usage():
    for p in ("/sys/fs/cgroup/memory/%s/memory.usage_in_bytes" % cg, "/sys/fs/cgroup/%s/memory.current" % cg):
        if os.path.exists(p):
            return int(open(p).read())
    return None
# What the launcher itself holds there (this Python) is not the sandboxes': taken off the total.
base = usage() or 0
starts, started, stopped_early = [], 0, ""
for b in range(0, n, 10):
    if avail() < (2 << 30):
        stopped_early = " (stopped: under 2 GiB available)"
        break
    batch = []
    for i in range(b + 1, min(b + 10, n) + 1):
        out = open("%s/%d/out" % (dirs, i), "w")
        t0 = time.monotonic()
        p = subprocess.Popen([rt] + flags + ["--root", root, "run", "--detach", "--bundle", "%s/%d" % (dirs, i), "s%d" % i],
                             stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL)
        batch.append((i, t0, p))
    pending = {i: (t0, p) for i, t0, p in batch}
    end = time.monotonic() + 30
    while pending and time.monotonic() < end:
        for i in list(pending):
            t0, p = pending[i]
            with open("%s/%d/out" % (dirs, i)) as f:
                if "up" in f.read():
                    starts.append(time.monotonic() - t0)
                    del pending[i]
                    started += 1
                elif p.poll():
                    del pending[i]  # the runtime failed: it will not come up
        time.sleep(0.0005)
    for _, _, p in batch:
        p.wait()
    if not started:
        break  # not one came up: this runtime does not run here
time.sleep(2)
u = usage()
if u is not None:
    u = max(u - base, 0)
starts.sort()
if not starts:
    print("n/a n/a n/a n/a 0")
else:
    p50 = starts[len(starts) // 2] * 1000
    p99 = starts[min(len(starts) - 1, int(len(starts) * 0.99))] * 1000
    mib = "n/a" if u is None else "%.0f" % (u / 2**20)
    per = "n/a" if u is None else "%.1f" % (u / 2**20 / max(started, 1))
    print("%.1f %.1f %s %s %d%s" % (p50, p99, mib, per, started, stopped_early))
PY
	for i in $(seq "$N"); do in_ns "$rt" "$rt" $(flags "$rt") --root "$T/root-$name" delete --force "s$i" >/dev/null 2>&1; done
}

# median K commands...: the median wall ms of K runs of the command, or n/a if one fails.
median() {
	local k=$1 i s
	shift
	for i in $(seq "$k"); do
		s=$(date +%s%N)
		"$@" >/dev/null 2>>"$T/fail.log" </dev/null || { echo fail; break; }
		echo $((($(date +%s%N) - s) / 1000000))
	done | sort -n | awk '/fail/ { f = 1 } !/fail/ { v[c++] = $1 } END { print (f || !c) ? "n/a" : v[int(c / 2)] }'
}

echo "OCI runtimes: start and density (load: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-8s %12s %12s %12s %14s %10s %10s %10s\n' runtime "start p50 ms" "start p99 ms" "held MiB" "MiB/sandbox" "run ms" "podman ms" "ctr ms"
bundle "$T/true" "" '["true"]'
if command -v podman >/dev/null && command -v conmon >/dev/null; then
	printf '[engine]\nruntime_supports_json = ["cvisor", "runc", "crun"]\n' >"$T/containers.conf"
	PM=(env CONTAINERS_CONF="$T/containers.conf" podman --root "$T/storage" --runroot "$T/run" --cgroup-manager=cgroupfs
		--events-backend=file)
	tar -C "$T/rootfs" -cf "$T/img.tar" . && "${PM[@]}" import -q "$T/img.tar" localhost/cvisor-bench:1 >/dev/null 2>&1
fi
CTR_OUT=$(CTR_BENCH=$RUNS bash "$root/tests/oci/ctr.sh" "$CVISOR" 2>/dev/null)
for rt in "${RTS[@]}"; do
	name=${rt##*/}
	if [ "$name" = runc ]; then
		d="- - - - -"
	else
		d=$(density "$rt")
	fi
	read -r p50 p99 mib per started rest <<<"$d"
	run=$(in_ns "$rt" median "$RUNS" "$rt" $(flags "$rt") --root "$T/root-$name" run --bundle "$T/true" "t-$$")
	pm=n/a
	[ -n "${PM:-}" ] && pm=$(in_ns "$rt" median "$RUNS" "${PM[@]}" --runtime "$rt" run --rm --network=none --ulimit nofile=1024:1024 \
		--ulimit nproc=1024:1024 localhost/cvisor-bench:1 /bin/true)
	ct=$(awk -v n="$name" '$2 == n { print $3 }' <<<"$CTR_OUT")
	printf '%-8s %12s %12s %12s %14s %10s %10s %10s%s\n' "$name" "$p50" "$p99" "$mib" "$per" "$run" "$pm" "${ct:-n/a}" \
		"$([ "$name" != runc ] && [ "$started" != "$N" ] && echo "  ($started of $N started $rest)")"
done
echo "(density: $N sandboxes of sleep 60, 10 started at a time; held: their cgroups' memory, page cache included, less the launcher's own;"
echo " run/podman/ctr: /bin/true, median of $RUNS; runc is the reference for the last three only)"
