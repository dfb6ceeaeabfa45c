#!/usr/bin/env bash
# tests/oci/ctr.sh: cvisor under containerd's runc v2 shim, as `ctr run
# --runc-binary cvisor` drives it, against the same scenarios on runc.
# This run starts a containerd of its own (its own config, --root, --state
# and socket under a temporary directory, the CRI plugin off), imports an
# image it builds from the host's busybox-static (an OCI image layout, no
# registry), and at the end removes every task and container, stops that
# containerd and the shims it started, and removes what it made.
# Prints PASS/FAIL/SKIP lines (tests/oci/run.sh runs it).
# Usage: tests/oci/ctr.sh CVISOR
set -u
CVISOR=$(readlink -f "$1")
PY=/usr/bin/python3
pass() { echo "PASS oci/ctr: $1"; }
failed() { echo "FAIL oci/ctr: $1: $2"; }
check() { # name expected actual
	if [ "$2" = "$3" ]; then pass "$1"; else failed "$1" "expected <$2> got <$3>"; fi
}

for p in containerd ctr containerd-shim-runc-v2 runc script; do
	if ! command -v $p >/dev/null; then
		echo "SKIP oci/ctr: $p is not installed (apt-get install containerd runc bsdutils)"
		exit 0
	fi
done
if [ ! -x /bin/busybox ]; then
	echo "SKIP oci/ctr: busybox-static is not installed (make deps-test installs it)"
	exit 0
fi

T=$(mktemp -d /var/tmp/cvisor-ctr.XXXXXX)
NS=cvisor-test-$$
ADDR=$T/containerd.sock
CTR=(ctr --address "$ADDR" --namespace "$NS")
CPID=
cleanup() {
	local id pid rt d
	if [ -n "$CPID" ]; then
		for id in $("${CTR[@]}" task ls -q 2>/dev/null); do timeout 20 "${CTR[@]}" task rm -f "$id" >/dev/null 2>&1; done
		for id in $("${CTR[@]}" container ls -q 2>/dev/null); do timeout 20 "${CTR[@]}" container rm "$id" >/dev/null 2>&1; done
		kill "$CPID" 2>/dev/null
		wait "$CPID" 2>/dev/null
	fi
	# The shims this containerd started (each names its socket in -address), and what they ran.
	for pid in $(grep -lsF -- "$ADDR" /proc/[0-9]*/cmdline | cut -d/ -f3); do kill -9 "$pid" 2>/dev/null; done
	# (runsc's sandbox processes outlive a failed task: its delete ends them)
	for rt in runc crun runsc "$CVISOR"; do
		command -v "$rt" >/dev/null || continue
		for id in $("$rt" --root "/run/containerd/runc/$NS" list --quiet 2>/dev/null); do
			"$rt" --root "/run/containerd/runc/$NS" delete --force "$id" >/dev/null 2>&1
		done
	done
	rm -rf "/run/containerd/runc/$NS" "/run/containerd/fifo/$NS"
	# containerd puts a task in the cgroup /NAMESPACE/ID; the runtime removes ID's, not the namespace's.
	for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	grep -F " $T/" /proc/mounts | cut -d' ' -f2 | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$T"
}
trap cleanup EXIT

cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.opt"]
[grpc]
  address = "$ADDR"
[ttrpc]
  address = "$ADDR.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 &
CPID=$!
for _ in $(seq 100); do "${CTR[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
if ! "${CTR[@]}" version >/dev/null 2>&1; then
	failed "containerd starts" "$(tail -5 "$T/containerd.log")"
	exit 1
fi

# The image: one layer (busybox and its applet links), as an OCI image layout in a tar.
mkdir -p "$T/img/bin" "$T/img/etc" "$T/img/tmp" "$T/vol"
cp /bin/busybox "$T/img/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$T/img/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/img/etc/passwd"
echo 'root:x:0:' >"$T/img/etc/group"
echo vol-file >"$T/vol/f"
I=localhost/cvisor-test:1
"$PY" - "$T/img" "$T/img.tar" "$I" <<'PY'
import hashlib, io, json, sys, tarfile
rootfs, out, name = sys.argv[1:]
def add(tf, path, data):
    ti = tarfile.TarInfo(path)
    ti.size, ti.mode = len(data), 0o644
    tf.addfile(ti, io.BytesIO(data))
def blob(tf, data):
    digest = hashlib.sha256(data).hexdigest()
    add(tf, "blobs/sha256/" + digest, data)
    return {"digest": "sha256:" + digest, "size": len(data)}
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w") as lt:
    lt.add(rootfs, arcname=".")
with tarfile.open(out, "w") as tf:
    add(tf, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
    lb = blob(tf, layer.getvalue())
    config = {"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
              "rootfs": {"type": "layers", "diff_ids": [lb["digest"]]}}
    cb = blob(tf, json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(cb, mediaType="application/vnd.oci.image.config.v1+json"),
                "layers": [dict(lb, mediaType="application/vnd.oci.image.layer.v1.tar")]}
    mb = blob(tf, json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "manifests": [dict(mb, mediaType="application/vnd.oci.image.manifest.v1+json",
             annotations={"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name})]}
    add(tf, "index.json", json.dumps(index).encode())
PY
if ! "${CTR[@]}" image import "$T/img.tar" >"$T/import.log" 2>&1; then
	failed "ctr image import" "$(cat "$T/import.log")"
	exit 1
fi

# CTR_BENCH=K (tests/bench/oci.sh): instead of the cases, the median wall time of K
# runs of `ctr run --rm IMAGE ID true` for each runtime, as "ctr NAME MS" lines.
if [ -n "${CTR_BENCH:-}" ]; then
	for rt in runc crun runsc "$CVISOR"; do
		command -v "$rt" >/dev/null || { echo "ctr ${rt##*/} n/a"; continue; }
		for k in $(seq "$CTR_BENCH"); do
			s=$(date +%s%N)
			timeout 60 "${CTR[@]}" run --rm --runc-binary "$(command -v "$rt")" "$I" "b-${rt##*/}-$k" true >/dev/null 2>>"$T/bench.err" ||
				{ echo fail; break; }
			echo $((($(date +%s%N) - s) / 1000000))
		done | sort -n | awk -v n="${rt##*/}" '/fail/ { f = 1 } !/fail/ { v[c++] = $1 } END { print "ctr", n, (f || !c) ? "n/a" : v[int(c / 2)] }'
	done
	exit 0
fi

# ctr_cases RUNTIME: the scenarios, their output and statuses (stdout only:
# stdout and stderr are two pipes, whose lines interleave as they come).
n=0
ctr_cases() {
	local R=(--runc-binary "$1") id pid
	n=$((n + 1))
	id=c$n
	timeout 60 "${CTR[@]}" run --rm "${R[@]}" --env FOO=bar --cwd /tmp "$I" "$id" sh -c 'echo $FOO; pwd; exit 3' 2>/dev/null
	echo "env, cwd: status $?"
	timeout 60 "${CTR[@]}" run --rm "${R[@]}" --read-only --mount "type=bind,src=$T/vol,dst=/data,options=rbind:ro" "$I" "$id" \
		sh -c 'cat /data/f; touch /x 2>/dev/null || echo root-ro; touch /data/y 2>/dev/null || echo data-ro' 2>/dev/null
	echo "read-only, mount: status $?"
	timeout 60 "${CTR[@]}" run --rm "${R[@]}" --memory-limit $((64 << 20)) "$I" "$id" \
		awk 'BEGIN { s = "0123456789abcdef"; while (1) s = s s }' >/dev/null 2>&1
	echo "memory limit: status $?"
	# -t wants a terminal: script(1) gives ctr one.
	timeout 60 script -qec "${CTR[*]} run --rm -t ${R[*]} $I $id sh -c 'tty; echo in-tty; exit 4'" /dev/null </dev/null 2>/dev/null |
		tr -d '\r\0' | sed 's/\^@//g' # (the echo of what script sends at its input's end, as it comes)
	echo "-t: status ${PIPESTATUS[0]}"
	timeout 60 "${CTR[@]}" run -d "${R[@]}" "$I" "$id" sh -c 'trap "exit 143" TERM; sleep 30 & wait' >/dev/null 2>&1
	echo "-d: status $?"
	echo in-stdin | timeout 30 "${CTR[@]}" task exec --exec-id e1 "$id" sh -c 'cat; exit 5' 2>/dev/null
	echo "task exec: status $?"
	# (ctr then fails to resize the pty of the process that ended, and says so, with runc too)
	timeout 30 script -qec "${CTR[*]} task exec -t --exec-id e2 $id sh -c 'tty; exit 6'" /dev/null </dev/null 2>/dev/null |
		tr -d '\r\0' | sed 's/\^@//g' | grep -v 'resize pty'
	echo "task exec -t: status ${PIPESTATUS[0]}"
	# runc lists host pids, the task's among them; cvisor the sandbox's own, as runsc does: its first process is 1.
	pid=$("${CTR[@]}" task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $2 }')
	[ "$1" = "$CVISOR" ] && pid=1
	timeout 30 "${CTR[@]}" task ps "$id" 2>/dev/null | awk 'NR > 1 { print $1 }' | grep -qx "$pid"
	echo "task ps lists the container's first process: status $?"
	timeout 30 "${CTR[@]}" task pause "$id" 2>/dev/null
	echo "task pause: status $? $("${CTR[@]}" task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')"
	timeout 30 "${CTR[@]}" task resume "$id" 2>/dev/null
	echo "task resume: status $? $("${CTR[@]}" task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')"
	timeout 30 "${CTR[@]}" task kill -s SIGTERM "$id" 2>/dev/null
	echo "task kill: status $?"
	for _ in $(seq 100); do
		[ "$("${CTR[@]}" task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')" = STOPPED ] && break
		sleep 0.1
	done
	echo "after kill: $("${CTR[@]}" task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')"
	timeout 30 "${CTR[@]}" task rm -f "$id" >/dev/null 2>&1
	echo "task rm -f: status $?"
	# rm -f of a task that is running: kill --all, then delete.
	timeout 60 "${CTR[@]}" container rm "$id" >/dev/null 2>&1
	timeout 60 "${CTR[@]}" run -d "${R[@]}" "$I" "$id" sleep 30 >/dev/null 2>&1
	timeout 30 "${CTR[@]}" task rm -f "$id" >/dev/null 2>&1
	echo "task rm -f of a running task: status $?"
	timeout 30 "${CTR[@]}" container rm "$id" >/dev/null 2>&1
	echo "container rm: status $?"
}
native=$(ctr_cases "$(command -v runc)")
sandbox=$(ctr_cases "$CVISOR")
check "run -t/--env/--cwd/--read-only/--mount/--memory-limit/-d, task exec [-t]/ps/pause/resume/kill/rm -f: as with runc" \
	"$native" "$sandbox"
# The sandbox's own answers, not only runc's: a test that fails if both were wrong.
check "the same in cvisor, line by line" "bar
/tmp
env, cwd: status 3
vol-file
root-ro
data-ro
read-only, mount: status 0
memory limit: status 137
/dev/pts/0
in-tty
-t: status 4
-d: status 0
in-stdin
task exec: status 5
/dev/pts/0
task exec -t: status 6
task ps lists the container's first process: status 0
task pause: status 0 PAUSED
task resume: status 0 RUNNING
task kill: status 0
after kill: STOPPED
task rm -f: status 0
task rm -f of a running task: status 0
container rm: status 0" "$sandbox"
leaks=$("$CVISOR" --root "/run/containerd/runc/$NS" list -q 2>/dev/null)
check "no container is left in the shim's root" "" "$leaks"
