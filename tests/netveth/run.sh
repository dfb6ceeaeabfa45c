#!/usr/bin/env bash
# --network=sandbox and --net-ns: the sandbox's eth0 is cvisor's own stack
# on a veth, reached from the other end of the pair.  Everything runs in a
# network namespace this script makes for itself (unshare -n), which stands
# for the caller's: the host's interfaces, addresses and routes are never
# touched, and whatever is made here dies with that namespace, on failure
# too.  Addresses come from 198.18.0.0/15 (RFC 2544) and fd00::/8 only.
# Prints PASS/FAIL/SKIP lines for tests/run.sh.  Usage: tests/netveth/run.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}
PY=/usr/bin/python3

if [ -z "${NETVETH_INNER:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP netveth: needs root (network namespaces, veth pairs, packet sockets)"
		exit 0
	fi
	for cmd in ip unshare nsenter ping "$PY"; do
		if ! command -v "$cmd" >/dev/null; then
			echo "SKIP netveth: $cmd is not installed"
			exit 0
		fi
	done
	exec env NETVETH_INNER=1 unshare -n bash "$0" "$CVISOR"
fi

# ---- from here on, inside the test's own network namespace ----
pids=()
www=
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -z "$www" ] || rm -rf "$www"
}
trap cleanup EXIT
ok() { echo "PASS netveth/$1"; }
bad() { echo "FAIL netveth/$1${2:+: $2}"; }
check() { # name command...
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else bad "$name"; fi
}
ip link set lo up

# Starts `cvisor do ARGS` in the background, sets $sandbox, and waits until
# `ready` (a function of the test's) says its network is there.
start() {
	"$CVISOR" do "$@" &
	sandbox=$!
	pids+=("$sandbox")
	for _ in $(seq 50); do
		if ready >/dev/null 2>&1 || ! kill -0 "$sandbox" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	sleep 0.3 # the sentry's stack up behind it
}
ready() { nsenter --net=/proc/$sandbox/ns/net ip -o link show eth0 up | grep -q UP; }

# ---- --network=sandbox ----
start --network=sandbox --veth=nvhost0 --address=198.18.0.2/24 --address=fd00:198:18::2/64 -- \
	$PY -c 'import time; time.sleep(20)'
ip addr add 198.18.0.1/24 dev nvhost0
ip addr add fd00:198:18::1/64 dev nvhost0 nodad
check "sandbox: the host end stays in the caller's namespace, up" ip link show nvhost0 up
check "sandbox: the host end answers to ping" ping -c 3 -i 0.2 -W 2 198.18.0.2
# The kernel in the sandbox's namespace holds no address: the answers came from cvisor's stack.
kaddrs=$(nsenter --net=/proc/$sandbox/ns/net ip -o addr show dev eth0 2>&1)
if [ -z "$kaddrs" ]; then
	ok "sandbox: the host kernel has no address on eth0 (not even link-local)"
else
	bad "sandbox: the host kernel has no address on eth0" "$kaddrs"
fi
if ping -c 2 -i 0.2 -W 1 198.18.0.3 >/dev/null 2>&1; then
	bad "sandbox: an address it was not given is not answered"
else
	ok "sandbox: an address it was not given is not answered"
fi
mac_in=$(nsenter --net=/proc/$sandbox/ns/net ip -o link show eth0 2>/dev/null | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
mac_arp=$(ip neigh show 198.18.0.2 dev nvhost0 | awk '{print $3}')
if [ -n "$mac_in" ] && [ "$mac_in" = "$mac_arp" ]; then
	ok "sandbox: ARP answers with eth0's MAC"
else
	bad "sandbox: ARP answers with eth0's MAC" "eth0 $mac_in, ARP said '$mac_arp'"
fi
if ping -6 -c 2 -i 0.2 -W 2 fd00:198:18::2 >/dev/null 2>&1; then
	ok "sandbox: IPv6 ping (neighbour discovery)"
else
	bad "sandbox: IPv6 ping (neighbour discovery)"
fi
kill "$sandbox"
wait "$sandbox"
# The kernel takes a dead namespace's devices away a little later.
for _ in $(seq 30); do ip link show nvhost0 >/dev/null 2>&1 || break; sleep 0.1; done
if ip link show nvhost0 >/dev/null 2>&1; then
	bad "sandbox: the veth goes with the sandbox"
else
	ok "sandbox: the veth goes with the sandbox"
fi

# ---- UDP echo: a server in the sandbox, a client on the host end ----
udp_server='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7007))
print("ready", flush=True)
for _ in range(3):
    data, peer = s.recvfrom(2048)
    s.sendto(data.upper(), peer)
'
udp_client='
import socket
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(2)
for i in range(3):
    msg = b"hello %d" % i + b"x" * (400 * i)
    for attempt in range(3):
        c.sendto(msg, ("198.18.0.2", 7007))
        try:
            data, _ = c.recvfrom(2048)
            break
        except socket.timeout:
            data = None
    assert data == msg.upper(), data
print("echoed")
'
out=$(mktemp)
start --network=sandbox --veth=nvhost1 --address=198.18.0.2/24 -- $PY -c "$udp_server" >"$out" 2>&1
ip addr add 198.18.0.1/24 dev nvhost1 2>/dev/null
for _ in $(seq 30); do grep -q ready "$out" && break; sleep 0.1; done
if grep -q "ready" "$out"; then
	r=$(timeout 10 $PY -c "$udp_client" 2>&1)
	[ "$r" = echoed ] && ok "udp: echo between the host end and a server in the sandbox" ||
		bad "udp: echo between the host end and a server in the sandbox" "$r"
elif grep -q "Errno 9[347]" "$out"; then
	echo "SKIP netveth/udp: the sandbox's stack has no UDP yet ($(tail -1 "$out"))"
else
	bad "udp: the server in the sandbox starts" "$(tail -3 "$out")"
fi
kill "$sandbox" 2>/dev/null
wait "$sandbox" 2>/dev/null
rm -f "$out"

# ---- UDP past the MTU: fragmented and reassembled both ways, IPv4 and IPv6 ----
big_server='
import socket, threading
def serve(fam, addr):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 7008))
    for _ in range(4):
        data, peer = s.recvfrom(70000)
        s.sendto(data[::-1], peer)
ts = [threading.Thread(target=serve, args=a) for a in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::"))]
for t in ts: t.start()
print("ready", flush=True)
for t in ts: t.join()
'
big_client='
import socket
for fam, addr in ((socket.AF_INET, "198.18.0.2"), (socket.AF_INET6, "fd00:198:18::2")):
    c = socket.socket(fam, socket.SOCK_DGRAM)
    c.settimeout(2)
    for size in (1473, 3000, 9000, 60000):
        msg = bytes((i * 13 + size) & 0xff for i in range(size))
        for attempt in range(3):
            c.sendto(msg, (addr, 7008))
            try:
                data = c.recv(70000)
                break
            except socket.timeout:
                data = None
        assert data == msg[::-1], (fam, size, None if data is None else len(data))
print("echoed")
'
out=$(mktemp)
start --network=sandbox --veth=nvhost4 --address=198.18.0.2/24 --address=fd00:198:18::2/64 -- \
	$PY -c "$big_server" >"$out" 2>&1
ip addr add 198.18.0.1/24 dev nvhost4 2>/dev/null
ip addr add fd00:198:18::1/64 dev nvhost4 nodad 2>/dev/null
for _ in $(seq 30); do grep -q ready "$out" && break; sleep 0.1; done
# The IPv6 prefix route comes once the host end's link is up.
for _ in $(seq 30); do ip -6 route show dev nvhost4 | grep -q fd00 && break; sleep 0.1; done
if grep -q "ready" "$out"; then
	r=$(timeout 20 $PY -c "$big_client" 2>&1)
	[ "$r" = echoed ] && ok "udp: datagrams past the MTU (1473 to 60000 bytes) echo both ways, IPv4 and IPv6" ||
		bad "udp: datagrams past the MTU (1473 to 60000 bytes) echo both ways, IPv4 and IPv6" "$(echo "$r" | tail -1); sandbox: $(tail -5 "$out")"
	# This script's namespace's own counters: its kernel put the sandbox's fragments together.
	frags=$(awk '/^Ip:/ { if (++n == 1) for (i = 2; i <= NF; i++) col[$i] = i; else print $col["ReasmOKs"] }' /proc/net/snmp)
	[ "${frags:-0}" -gt 0 ] && ok "udp: the sandbox's replies came as fragments (host ReasmOKs $frags)" ||
		bad "udp: the sandbox's replies came as fragments" "host Ip ReasmOKs ${frags:-none}"
else
	bad "udp: the big-datagram server in the sandbox starts" "$(tail -3 "$out")"
fi
kill "$sandbox" 2>/dev/null
wait "$sandbox" 2>/dev/null
rm -f "$out"

# ---- TCP: python3's http.server in the sandbox, curl on the host end ----
www=$(mktemp -d /var/tmp/cvisor-netveth.XXXXXX) # not /tmp: the sandbox has its own
head -c 300000 /dev/urandom >"$www/blob"
out=$(mktemp)
start --network=sandbox --veth=nvhost3 --address=198.18.0.2/24 --address=fd00:198:18::2/64 -- \
	$PY -u -m http.server --directory "$www" --bind :: 8080 >"$out" 2>&1
ip addr add 198.18.0.1/24 dev nvhost3 2>/dev/null
ip addr add fd00:198:18::1/64 dev nvhost3 nodad 2>/dev/null
for _ in $(seq 50); do grep -q "Serving" "$out" && break; kill -0 "$sandbox" 2>/dev/null || break; sleep 0.1; done
if grep -q "Serving" "$out"; then
	if command -v curl >/dev/null; then
		if timeout 20 curl -sS -o "$www/got4" http://198.18.0.2:8080/blob && cmp -s "$www/blob" "$www/got4"; then
			ok "tcp: curl fetches 300 KB from http.server in the sandbox (IPv4)"
		else
			bad "tcp: curl fetches 300 KB from http.server in the sandbox (IPv4)"
		fi
		if timeout 20 curl -sS -o "$www/got6" "http://[fd00:198:18::2]:8080/blob" && cmp -s "$www/blob" "$www/got6"; then
			ok "tcp: curl fetches 300 KB from http.server in the sandbox (IPv6)"
		else
			bad "tcp: curl fetches 300 KB from http.server in the sandbox (IPv6)"
		fi
	else
		echo "SKIP netveth/tcp: curl is not installed"
	fi
elif grep -q "Errno 9[347]" "$out"; then
	echo "SKIP netveth/tcp: the sandbox's stack has no TCP yet ($(grep Errno "$out" | tail -1))"
else
	bad "tcp: http.server in the sandbox starts" "$(tail -3 "$out")"
fi
kill "$sandbox" 2>/dev/null
wait "$sandbox" 2>/dev/null
rm -rf "$www" "$out"
www=

# ---- TCP against a scripted peer (scapy on the host end plays the client) ----
if ! $PY -c 'import scapy.all' 2>/dev/null; then
	echo "SKIP netveth/tcp-peer: python3-scapy is not installed (make deps-test)"
else
	peer_server='
import socket, threading
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 7010))
l.listen(8)
print("ready", flush=True)
def serve(c):
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
    except OSError:
        pass
while True:
    c, _ = l.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'
	out=$(mktemp)
	# The peer speaks from 198.18.5.5, behind the gateway: this namespace's kernel owns no such address.
	start --network=sandbox --veth=nvhost5 --address=198.18.0.2/24 --gateway=198.18.0.1 -- \
		$PY -c "$peer_server" >"$out" 2>&1
	ip addr add 198.18.0.1/24 dev nvhost5 2>/dev/null
	for _ in $(seq 30); do grep -q ready "$out" && break; sleep 0.1; done
	mac=$(nsenter --net=/proc/$sandbox/ns/net ip -o link show eth0 2>/dev/null | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
	if grep -q ready "$out" && [ -n "$mac" ]; then
		timeout 30 $PY "$root/tests/netveth/tcp_peer.py" nvhost5 "$mac" 2>&1 | grep -E '^(PASS|FAIL)' ||
			bad "tcp-peer: the scripted peer ran" "no result"
	else
		bad "tcp-peer: the echo server in the sandbox starts" "$(tail -3 "$out")"
	fi
	kill "$sandbox" 2>/dev/null
	wait "$sandbox" 2>/dev/null
	rm -f "$out"
fi

# ---- bursts: many frames between two host calls, natively and in the sandbox ----
# The sentry reads up to 32 frames a call and sends what a batch of them
# (or a pass of TCP) calls for together: a burst must come through with
# every frame whole, none lost, none run into another.  The same client
# on this side, against a server natively in a namespace made here, then
# against the sandbox taking that namespace's interface (--net-ns); the
# two reports must match.  UDP: 300 datagrams of 300 distinct sizes, in
# bursts of 50 (each then acknowledged, so no receive buffer overflows
# natively either); ICMP: 64 echo requests of distinct sizes at once (the
# replies are made in the receive batch); TCP: 4 MiB from the server in
# writes of changing sizes, hashed on arrival.
burst=$(mktemp -d /var/tmp/cvisor-netveth-burst.XXXXXX)
# The TCP stream: 4 MiB in writes of changing sizes, each byte known by its offset.
cat >"$burst/stream.py" <<'PY'
def writes():
    sent, k = 0, 0
    while sent < 4 << 20:
        n = min(1 + (k * 7919) % 65536, (4 << 20) - sent)
        yield (bytes((sent + i) & 0xff for i in range(n)) if n < 64 else
               (bytes(range(256)) * (n // 256 + 2))[sent % 256:sent % 256 + n])
        sent += n
        k += 1
PY
cat >"$burst/burst.py" <<'PY'
import socket, stream
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
u.bind(("0.0.0.0", 7010))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 7011))
t.listen(1)
print("ready", flush=True)
got = []
while True:
    d, peer = u.recvfrom(4096)
    if d == b"end":
        break
    got.append(d)
    if len(got) % 50 == 0:
        u.sendto(b"%d" % len(got), peer)
sizes = [len(d) for d in got]
intact = all(d == bytes((len(d) * 7 + i) & 0xff for i in range(len(d))) for d in got)
u.sendto(b"udp: %d datagrams, %d sizes, %s, %s" % (len(got), len(set(sizes)),
         b"in order" if sizes == sorted(sizes) else b"out of order", b"intact" if intact else b"CORRUPT"), peer)
c, _ = t.accept()
for w in stream.writes():
    c.sendall(w)
c.close()
PY
cat >"$burst/burstc.py" <<'PY'
import hashlib, os, socket, stream, struct, sys, time
addr = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
for b in range(6):
    for i in range(b * 50, b * 50 + 50):
        n = 1 + 4 * i
        u.sendto(bytes((n * 7 + j) & 0xff for j in range(n)), (addr, 7010))
    try:
        u.recv(100)
    except socket.timeout:
        print("udp: no acknowledgement after burst", b)
        break
u.sendto(b"end", (addr, 7010))
try:
    print(u.recv(200).decode())
except socket.timeout:
    print("udp: no report")
# ICMP echo: 64 requests of distinct sizes at once, then the replies.
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
ident = os.getpid() & 0xffff
want = {}
for seq in range(64):
    data = bytes((seq + j) & 0xff for j in range(seq * 21))
    h = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    r.sendto(struct.pack("!BBHHH", 8, 0, csum(h + data), ident, seq) + data, (addr, 0))
    want[seq] = data
replies, bad, end = 0, 0, time.time() + 5
r.settimeout(0.5)
while want and time.time() < end:
    try:
        pkt, frm = r.recvfrom(4096)
    except socket.timeout:
        continue
    ihl = (pkt[0] & 0xf) * 4
    typ, _, _, rid, seq = struct.unpack("!BBHHH", pkt[ihl:ihl + 8])
    if frm[0] != addr or typ != 0 or rid != ident:
        continue
    if want.pop(seq, None) == pkt[ihl + 8:]:
        replies += 1
    else:
        bad += 1
print("icmp: %d echo replies intact, %d wrong, %d missing" % (replies, bad, len(want)))
# TCP: what the server wrote, checked against what it means to write.
c = socket.create_connection((addr, 7011), timeout=10)
h, n = hashlib.sha256(), 0
while True:
    d = c.recv(1 << 16)
    if not d:
        break
    h.update(d)
    n += len(d)
e = hashlib.sha256()
for w in stream.writes():
    e.update(w)
print("tcp: %d bytes, %s" % (n, "intact" if h.digest() == e.digest() else "CORRUPT"))
PY
unshare -n sleep 120 &
bholder=$!
pids+=("$bholder")
for _ in $(seq 50); do [ "$(readlink /proc/$bholder/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.02; done
bns=/proc/$bholder/ns/net
ip link add nvburst0 type veth peer name nvburst1
ip link set nvburst1 netns "$bholder"
ip addr add 198.18.6.1/24 dev nvburst0
ip link set nvburst0 up
nsenter --net="$bns" ip link set lo up
nsenter --net="$bns" ip addr add 198.18.6.2/24 dev nvburst1
nsenter --net="$bns" ip link set nvburst1 up
# pair_run NAME OUT SERVER_CMD...: the server NAME.py, then the client NAMEc.py against it.
pair_run() {
	local name=$1 out=$2 srv
	shift 2
	"$@" $PY "$burst/$name.py" >"$burst/srv.out" 2>&1 &
	srv=$!
	pids+=("$srv")
	for _ in $(seq 100); do grep -q ready "$burst/srv.out" && break; kill -0 "$srv" 2>/dev/null || break; sleep 0.1; done
	sleep 0.3 # the sandbox's stack takes the address behind the server's start
	if grep -q ready "$burst/srv.out"; then
		timeout 60 $PY "$burst/${name}c.py" 198.18.6.2 >"$out" 2>&1
	else
		echo "the server did not start: $(tail -3 "$burst/srv.out")" >"$out"
	fi
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
}
# The last reply of a server that exits at once: send returns when the data
# is queued, and the kernel delivers it after the process is gone.  The
# client's small receive buffer, read late, keeps most of 2 MiB queued in
# the server's stack when it exits; in the sandbox that stack is the
# sentry's, which must deliver it before it ends too.
cat >"$burst/last.py" <<'PY'
import socket
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 7012))
t.listen(1)
print("ready", flush=True)
c, _ = t.accept()
c.sendall(bytes(range(256)) * 8192)
c.close()
PY
cat >"$burst/lastc.py" <<'PY'
import socket, sys, time
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
c.settimeout(10)
c.connect((sys.argv[1], 7012))
time.sleep(1)
d = b""
try:
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        d += b
    print("%d bytes, %s, then the end" % (len(d), "intact" if d == bytes(range(256)) * 8192 else "CORRUPT"))
except socket.timeout:
    print("%d bytes, then nothing for 10 s" % len(d))
PY
# Natively first: the sandbox takes the namespace's address from its kernel.
pair_run burst "$burst/native" nsenter --net="$bns"
pair_run last "$burst/last-native" nsenter --net="$bns"
pair_run burst "$burst/sandbox" "$CVISOR" do --net-ns="$bns" --
# Given back by hand: a sandbox's end leaves the namespace's interface without addresses (README).
nsenter --net="$bns" ip addr add 198.18.6.2/24 dev nvburst1
pair_run last "$burst/last-sandbox" "$CVISOR" do --net-ns="$bns" --
if grep -q "udp: 300 datagrams, 300 sizes, in order, intact" "$burst/native" && cmp -s "$burst/native" "$burst/sandbox"; then
	ok "burst: UDP, ICMP echo and TCP bursts across the veth, frames whole and none lost, as natively ($(tr '\n' ';' <"$burst/sandbox"))"
else
	bad "burst: UDP, ICMP echo and TCP bursts across the veth, as natively" "native: $(tr '\n' ';' <"$burst/native") | sandbox: $(tr '\n' ';' <"$burst/sandbox")"
fi
if grep -q "2097152 bytes, intact, then the end" "$burst/last-native" && cmp -s "$burst/last-native" "$burst/last-sandbox"; then
	ok "linger: a server's last 2 MiB reach a slow reader after it exits ($(cat "$burst/last-sandbox"))"
else
	bad "linger: a server's last 2 MiB reach a slow reader after it exits" "native: $(cat "$burst/last-native") | sandbox: $(cat "$burst/last-sandbox")"
fi
kill "$bholder" 2>/dev/null
wait "$bholder" 2>/dev/null
ip link del nvburst0 2>/dev/null
rm -rf "$burst"

# ---- --net-ns: a namespace made by someone else (as CNI would), with its own addresses ----
unshare -n sleep 30 &
holder=$!
pids+=("$holder")
sleep 0.2
ns=/proc/$holder/ns/net
ip link add nvhost2 type veth peer name nvpeer2
ip link set nvpeer2 netns "$holder"
ip addr add 198.19.0.1/24 dev nvhost2
ip link set nvhost2 up
nsenter --net="$ns" ip addr add 198.19.0.2/24 dev nvpeer2
nsenter --net="$ns" ip link set nvpeer2 up
nsenter --net="$ns" ip route add 198.19.5.0/24 via 198.19.0.1
ready() { [ -z "$(nsenter --net="$ns" ip -o -4 addr show dev nvpeer2)" ]; }
start --net-ns="$ns" -- $PY -c 'import time; time.sleep(20)'
kaddrs=$(nsenter --net="$ns" ip -o -4 addr show dev nvpeer2 2>&1)
if [ -z "$kaddrs" ]; then
	ok "net-ns: the namespace's kernel gave its address up"
else
	bad "net-ns: the namespace's kernel gave its address up" "$kaddrs"
fi
check "net-ns: the address taken answers to ping" ping -c 3 -i 0.2 -W 2 198.19.0.2
# A route of the namespace came along: a ping from this side to an address
# behind it comes back through 198.19.0.1 (ours) from the sandbox.
ip addr add 198.19.5.1/32 dev nvhost2
check "net-ns: the namespace's routes are the stack's (a reply via its gateway)" \
	ping -c 2 -i 0.2 -W 2 -I 198.19.5.1 198.19.0.2
kill "$sandbox" 2>/dev/null
wait "$sandbox" 2>/dev/null

# ---- the flags ----
if "$CVISOR" do --network=host -- true 2>/dev/null; then
	bad "flags: --network=host is refused (no passthrough)"
else
	ok "flags: --network=host is refused (no passthrough)"
fi
if "$CVISOR" do --address=198.18.0.2/24 -- true 2>/dev/null; then
	bad "flags: --address without an interface is refused"
else
	ok "flags: --address without an interface is refused"
fi
if "$CVISOR" do --network=sandbox --address=198.18.0.2/33 -- true 2>/dev/null; then
	bad "flags: a bad prefix is refused"
else
	ok "flags: a bad prefix is refused"
fi

# ---- a loopback source leaves by lo only ----
# Linux refuses to route a packet from 127.0.0.1 out of another device
# (EINVAL, without route_localnet): the same four calls natively, from a
# veth of this namespace's own, and in a sandbox on its eth0.
cat >"$www/losrc.py" <<'PY'
import errno, socket
def t(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 7000))
print("udp sendto", t(lambda: u.sendto(b"x", ("198.18.5.27", 9))))
print("udp connect", t(lambda: u.connect(("198.18.5.27", 9))))
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.settimeout(3)
c.bind(("127.0.0.1", 7001))
print("tcp connect", t(lambda: c.connect(("198.18.5.27", 9))))
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r.bind(("127.0.0.1", 0))
print("raw icmp", t(lambda: r.sendto(b"\x08\x00\xf7\xff\x00\x00\x00\x00", ("198.18.5.27", 0))))
PY
ip link add nvsrc0 type veth peer name nvsrc1 && ip link set nvsrc0 up && ip link set nvsrc1 up &&
	ip addr add 198.18.5.2/24 dev nvsrc0
native=$($PY "$www/losrc.py" 2>&1)
ip link del nvsrc0 2>/dev/null
sandboxed=$(timeout -k 5 30 "$CVISOR" do --network=sandbox --veth=nvhost5 --address=198.18.5.2/24 -- $PY "$www/losrc.py" 2>&1)
if [ "$native" = "$sandboxed" ] && [ -n "$native" ]; then
	ok "sandbox: a loopback source leaves by lo only (as Linux: $(echo $native | tr '\n' ' '))"
else
	bad "sandbox: a loopback source leaves by lo only" "native: $(echo $native) | sandbox: $(echo $sandboxed)"
fi
