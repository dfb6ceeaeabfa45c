#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/bench/netbench.sh ENV KIND N CVISOR_OR_RUNSC_ARGS...
#
# One run of a TCP benchmark across a veth: the server end in a network
# namespace made here (198.18.1.2/24), run natively there (ENV native) or
# in a sandbox that takes that namespace's interface for its own stack
# (ENV cvisor: `cvisor do --net-ns`; systrap and kvm: the same on that
# platform); the client end, always native,
# measures from the other end of the veth (198.18.1.1/24).  Prints the
# client's figure (tcpbench's, or iperf3's receiver MB/s for KIND iperf).
#
# Run it only inside `unshare -n -m` (run.sh does): the veth, the
# namespace and the addresses (RFC 2544's benchmarking range) are then the
# script's own and go with it; nothing touches the host's network.
set -u
env=$1 kind=$2 n=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
B=$here/../../build/bench
T=$(mktemp -d /var/tmp/cvisor-netbench.XXXXXX)
holder=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ip link set lo up
unshare -n sleep 300 &
holder=$!
for _ in $(seq 50); do [ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.02; done
ns=/proc/$holder/ns/net
ip link add nbh0 type veth peer name nbp0 || exit 1
ip link set nbp0 netns "$holder"
ip addr add 198.18.1.1/24 dev nbh0
ip link set nbh0 up
nsenter --net="$ns" ip addr add 198.18.1.2/24 dev nbp0
nsenter --net="$ns" ip link set nbp0 up
nsenter --net="$ns" ip link set lo up

case $kind in
iperf) server=(iperf3 -s -1 -p 5201);;
*) server=("$B/tcpbench" "$n" "$kind" --serve 5201);;
esac
case $env in
native) nsenter --net="$ns" "${server[@]}" >/dev/null 2>&1 & ;;
cvisor) "$1" do --platform=ptrace --net-ns="$ns" -- "${server[@]}" >/dev/null 2>&1 & ;;
systrap|kvm) "$1" do --platform="$env" --net-ns="$ns" -- "${server[@]}" >/dev/null 2>&1 & ;;
*) echo "netbench: unknown environment $env" >&2; exit 2;;
esac
srv=$!
# The server's port answers once it listens (cvisor first takes the namespace's address).
for _ in $(seq 100); do
	if [ "$kind" = iperf ]; then
		out=$(iperf3 -c 198.18.1.2 -p 5201 -t "$n" -f M 2>/dev/null |
			awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "MBytes/sec") print $(i - 1) }')
	else
		out=$("$B/tcpbench" "$n" "$kind" --to 198.18.1.2 5201 2>/dev/null)
	fi
	[ -n "$out" ] && break
	kill -0 "$srv" 2>/dev/null || break
	sleep 0.1
done
wait "$srv"
[ -n "$out" ] && echo "$out"
