#!/bin/sh
# SPDX-License-Identifier: MIT
# iperf3's server and client over 127.0.0.1 in one sandbox (or natively),
# the client sending for $1 seconds: prints the receiver's MB/s.
secs=${1:-2}
iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
srv=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	out=$(iperf3 -c 127.0.0.1 -p 5201 -t "$secs" -f M 2>/dev/null |
		awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "MBytes/sec") print $(i - 1) }')
	[ -n "$out" ] && break
	sleep 0.2 # the server is not listening yet
done
wait "$srv"
[ -n "$out" ] && echo "$out"
