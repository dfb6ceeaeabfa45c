# ip monitor (one process) hears what ip (others) change; then the tables.
# Run by cases.txt natively in a throwaway network namespace and in the
# sandbox; only lo, 198.18.0.0/15 and fd00::/8.  The sleeps let ip monitor
# start and print before it is stopped (every change is told before the
# ip making it exits; but Linux tells of an IPv6 address, even a nodad one,
# from a work queue a moment later: hence the pause after each).
# Usage: ipmon.sh changes|down
#   changes: addresses and routes of both families (an address's own
#     routes with it), the MTU, the link going down (its IPv6 addresses
#     and routes go, IPv4's local routes stay) and up (lo's ::1 comes back)
#   down: addresses added and removed while the link is down (only their
#     local routes come and go), and lo's 127.0.0.1/8 coming back with it
changes()
{
	ip addr add 198.18.0.1/24 dev lo
	ip addr add 198.18.1.1/32 dev lo
	ip -6 addr add fd00::1/64 dev lo nodad
	sleep 0.3
	ip route add 198.19.0.0/16 dev lo
	ip -6 route add fd01::/64 dev lo
	ip route del 198.19.0.0/16 dev lo
	ip -6 route del fd01::/64 dev lo
	ip -6 addr del fd00::1/64 dev lo
	ip addr del 198.18.1.1/32 dev lo
	ip -6 addr add fd00::2/64 dev lo nodad
	sleep 0.3
	ip link set lo mtu 1500
	ip link set lo mtu 1500
	ip link set lo down
	echo "== down"
	ip route show table all
	ip addr
	ip link set lo up
	ip link set lo up
	ip addr del 198.18.0.1/24 dev lo
}

down()
{
	ip link set lo down
	ip addr add 198.18.0.1/24 dev lo
	ip -6 addr add fd00::1/64 dev lo nodad
	sleep 0.3
	echo "== down, added"
	ip route show table all
	ip addr
	ip addr del 127.0.0.1/8 dev lo
	ip -6 addr del fd00::1/64 dev lo
	echo "== down, deleted"
	ip route show table all
	ip addr
	ip link set lo up
}

f=$(mktemp)
ip monitor > "$f" 2>&1 &
mon=$!
sleep 1
"$1"
sleep 1
kill $mon
wait $mon 2>/dev/null
echo "== heard"
cat "$f"
rm -f "$f"
echo "== after"
ip route show table all
ip addr
