# veth pairs between network namespaces made inside (ip link add ... type
# veth, ip link set ... netns PID|PATH), run natively in a namespace of
# its own (tests/net/run.sh) and in the sandbox; MACs are random and
# masked.  Addresses from 198.18.0.0/15 only.  Usage: sh veth.sh PART
HERE=$(cd "$(dirname "$0")" && pwd)
mask() { sed 's/[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}/MAC/g'; }
# A process in a network namespace of its own, once it is there: $p.
newns() {
	unshare -n sleep 60 &
	p=$!
	for _ in $(seq 100); do
		[ "$(readlink /proc/$p/ns/net)" != "$(readlink /proc/self/ns/net)" ] && return
		sleep 0.05
	done
}
# Waits (Linux tears a namespace down in the background) until ip link no longer shows $1.
gone() {
	for _ in $(seq 100); do
		ip link show "$1" >/dev/null 2>&1 || return 0
		sleep 0.05
	done
}
inp() { nsenter -t "$p" -n "$@"; }
case $1 in
make)
	ip link add v0 type veth peer name v1 && ip link add type veth && ip link add a%d type veth peer name b%d
	ip link | mask
	ip -d link show v0 | mask
	ip link add v1 type veth peer name v9 2>&1; ip link add ab type veth peer name ab 2>&1
	ip link add xxxxxxxxxxxxxxxxxx type veth 2>&1; ip link add z type dummy 2>&1
	ip link del v1 && ip link | mask
	ip link del lo 2>&1; ip link del nosuch 2>&1; echo $?;;
move)
	newns
	ip link add v0 type veth peer name v1 && ip addr add 198.18.0.1/24 dev v1 && ip link set v1 up
	ip link set v1 netns "$p"; echo $?
	ip link | mask; inp ip link | mask; inp ip addr | mask
	ip link set v0 netns /proc/$p/ns/net && ip -br link | mask && inp ip -br link | mask
	inp ip link set v0 netns $$ && ip link add c0 netns "$p" type veth peer name c1 && ip -br link | mask
	inp ip -br link | mask
	ip link set lo netns "$p" 2>&1; ip link set c1 netns 999999 2>&1; ip link set c1 netns /proc/self/status 2>&1
	ip link set c1 netns /proc/$p/ns/uts 2>&1
	inp ip link add c1 type veth peer name c2 && ip link set c1 netns "$p" 2>&1; echo $?
	kill "$p"; wait; gone c1; ip -br link | mask;;
ping)
	newns
	ip link add v0 type veth peer name v1 && ip link set v1 netns "$p"
	# (flags only: Linux settles the operational state a moment later, from a work queue)
	ip link set v0 up && ip -br link show v0 | awk '{print $1, $4}'
	ip addr add 198.18.0.1/24 dev v0
	inp sh -c 'ip addr add 198.18.0.2/24 dev v1 && ip link set v1 up && ip link set lo up'
	ip -br link show v0 | awk '{print $1, $4}'; ip -4 addr; ip route; inp ip -4 addr; inp ip route
	ping -c 2 -i 0.2 -W 2 198.18.0.2 >/dev/null && echo ping ok
	inp ping -c 1 -W 2 198.18.0.1 >/dev/null && echo ping back ok
	ping -c 1 -W 1 198.18.0.3 >/dev/null || echo no answer from .3
	inp /usr/bin/python3 -c '
import socket
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(("198.18.0.2", 5001)); l.listen(1)
c, a = l.accept(); print("server: from", a[0])
d = b""
while True:
    b = c.recv(65536)
    if not b: break
    d += b
c.sendall(b"got %d" % len(d)); c.close()' &
	srv=$!
	/usr/bin/python3 -c '
import socket, time
for _ in range(100):
    try:
        s = socket.create_connection(("198.18.0.2", 5001)); break
    except OSError: time.sleep(0.05)
s.sendall(bytes(range(256)) * 1200); s.shutdown(socket.SHUT_WR); print("client:", s.recv(100).decode())'
	wait "$srv"
	inp ip link set v1 down && ping -c 1 -W 1 198.18.0.2 >/dev/null || echo down: no answer
	ip -br link show v0 | awk '{print $1, $4}'
	ip link del v0 && inp ip -br link | mask
	kill "$p";;
neigh)
	# The neighbour table of a veth, and its news (ip monitor neigh), with nothing left to timing.
	# Linux dumps neighbours in its hash's order: listings are sorted.
	newns
	ip link add v0 type veth peer name v1 netns "$p"
	ip addr add 198.18.0.1/24 dev v0 && ip link set v0 up
	inp sh -c 'ip addr add 198.18.0.2/24 dev v1 && ip link set v1 up'
	mon=$(mktemp)
	ip monitor neigh >"$mon" 2>&1 &
	m=$!
	sleep 0.5
	ping -c 1 -W 1 198.18.0.7 >/dev/null || echo no answer from .7
	sleep 3
	ip neigh | mask
	ping -c 1 -W 2 198.18.0.2 >/dev/null && echo ping ok
	ip neigh | mask | sort; ip -4 neigh show dev v0 | mask | sort; ip -6 neigh; inp ip neigh | cut -d' ' -f1-3
	ip neigh get 198.18.0.2 dev v0 | mask; ip neigh get 198.18.0.3 dev v0 2>&1
	ip neigh del 198.18.0.2 dev v0 && ip neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev v0
	ip neigh replace 198.18.0.10 lladdr 02:00:00:00:00:10 dev v0 nud reachable
	ip neigh add 198.18.0.9 lladdr 02:00:00:00:00:08 dev v0 2>&1; ip neigh del 198.18.0.99 dev v0 2>&1
	ip neigh add 198.18.0.11 lladdr 02:00:00:00:00:11 dev nosuch 2>&1; ip neigh del 198.18.0.7 dev v0
	ip neigh | mask | sort
	sleep 0.3
	kill "$m"
	mask <"$mon"
	rm -f "$mon"
	ip neigh flush dev v0; ip neigh | mask
	kill "$p";;
monitor)
	# What ip monitor hears as a pair is made, brought up, moved and deleted (IPv4 only: netstack's links
	# have no IPv6 link-local addresses; the operational state left out: Linux settles it from a work queue).
	newns
	mon=$(mktemp)
	ip -4 monitor link address route >"$mon" 2>&1 &
	m=$!
	sleep 0.5
	ip link add v0 type veth peer name v1
	ip addr add 198.18.0.1/24 dev v1 && ip link set v1 up && ip link set v0 up
	ip link set v1 netns "$p"
	ip link del v0
	sleep 0.3
	kill "$m"
	mask <"$mon" | sed 's/ state [A-Z]*//'
	rm -f "$mon"
	kill "$p";;
carrier)
	# Routes out by a veth whose peer is down are "linkdown" until it comes up (IPv6 link-local ones left out).
	ip link add v0 type veth peer name v1
	ip addr add 198.18.0.1/24 dev v1 && ip link set v1 up && ip -6 addr add fd00::1/64 dev v1 nodad
	ip route add 198.18.5.0/24 via 198.18.0.9
	ip route show table all | grep -v 'fe80\|ff00'
	ip link set v0 up && ip route show table all | grep -v 'fe80\|ff00'
	ip link del v1 && ip route show table all | grep -v 'fe80\|ff00';;
route)
	# A router namespace between two others: IPv4 forwarded once ipv4/ip_forward says so, TTL and all.
	newns
	r=$p
	newns
	b=$p
	ip link add v0 type veth peer name v1 netns "$r" && ip link add w1 netns "$b" type veth peer name w0 netns "$r"
	ip addr add 198.18.1.1/24 dev v0 && ip link set v0 up && ip route add default via 198.18.1.2
	nsenter -t "$r" -n sh -c 'ip addr add 198.18.1.2/24 dev v1 && ip addr add 198.18.2.2/24 dev w0 &&
		ip link set v1 up && ip link set w0 up'
	nsenter -t "$b" -n sh -c 'ip addr add 198.18.2.1/24 dev w1 && ip link set w1 up && ip route add default via 198.18.2.2'
	ping -c 1 -W 1 198.18.2.1 >/dev/null || echo not forwarded yet
	nsenter -t "$r" -n sh -c 'cat /proc/sys/net/ipv4/conf/w0/forwarding; echo 1 > /proc/sys/net/ipv4/ip_forward;
		cat /proc/sys/net/ipv4/conf/v1/forwarding /proc/sys/net/ipv4/conf/default/forwarding;
		grep "^Ip: [0-9]" /proc/net/snmp | cut -d" " -f2'
	ping -c 2 -i 0.2 -W 2 198.18.2.1 | grep -o 'ttl=[0-9]*' | sort -u
	# The router's errors, as a UDP socket's error queue hears them (HERE: this folder).
	nsenter -t "$r" -n ip link set w0 mtu 1400
	/usr/bin/python3 "$HERE/icmperr.py" 198.18.2.1 1 10
	/usr/bin/python3 "$HERE/icmperr.py" 198.18.3.1 64 10
	/usr/bin/python3 "$HERE/icmperr.py" 198.18.2.1 64 1450 DF
	/usr/bin/python3 "$HERE/icmperr.py" 198.18.2.1 64 1450
	/usr/bin/python3 "$HERE/icmperr.py" 198.18.2.1 64 10
	nsenter -t "$b" -n /usr/bin/python3 -c '
import socket
l = socket.socket(); l.bind(("198.18.2.1", 5002)); l.listen(1)
c, a = l.accept(); print("server: from", a[0]); c.sendall(c.recv(100).upper()); c.close()' &
	srv=$!
	/usr/bin/python3 -c '
import socket, time
for _ in range(100):
    try:
        s = socket.create_connection(("198.18.2.1", 5002)); break
    except OSError: time.sleep(0.05)
s.sendall(b"through the router"); print("client:", s.recv(100).decode())'
	wait "$srv"
	nsenter -t "$r" -n sh -c 'echo 0 > /proc/sys/net/ipv4/conf/v1/forwarding; cat /proc/sys/net/ipv4/ip_forward'
	ping -c 1 -W 1 198.18.2.1 >/dev/null || echo v1 forwards no more
	kill "$r" "$b";;
esac
