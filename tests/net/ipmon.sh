# ip monitor (one process) hears what ip (others) change: addresses and
# routes of both families, an address's own routes, the MTU, the link
# going down (its IPv6 addresses and routes go, IPv4's local routes stay)
# and up again (lo's ::1 comes back).  Run by cases.txt natively in a
# throwaway network namespace and in the sandbox; only lo, 198.18.0.0/15
# and fd00::/8.  The sleeps let ip monitor start and print before it is
# stopped: every change is told before the ip making it exits.
f=$(mktemp)
ip monitor > "$f" 2>&1 &
mon=$!
sleep 1
ip addr add 198.18.0.1/24 dev lo
ip addr add 198.18.1.1/32 dev lo
ip -6 addr add fd00::1/64 dev lo nodad
ip route add 198.19.0.0/16 dev lo
ip -6 route add fd01::/64 dev lo
ip route del 198.19.0.0/16 dev lo
ip -6 route del fd01::/64 dev lo
ip -6 addr del fd00::1/64 dev lo
ip addr del 198.18.1.1/32 dev lo
ip -6 addr add fd00::2/64 dev lo nodad
ip link set lo mtu 1500
ip link set lo mtu 1500
ip link set lo down
echo "== down"
ip route show table all
ip addr
ip link set lo up
ip link set lo up
ip addr del 198.18.0.1/24 dev lo
sleep 1
kill $mon
wait $mon 2>/dev/null
echo "== heard"
cat "$f"
rm -f "$f"
echo "== up"
ip route show table all
ip addr
