#!/bin/bash
# iperf3's server and client on 127.0.0.1 for 2 seconds (1 s each way):
# that the bytes flow and both ends agree, not how fast.
set -u
port=$((20000 + RANDOM % 20000))
d=$(mktemp -d /var/tmp/cvisor-iperf.XXXXXX)
trap 'kill $srv 2>/dev/null; wait 2>/dev/null; rm -rf "$d"' EXIT
iperf3 -s -p "$port" >/dev/null 2>&1 &
srv=$!
for dir in "" -R; do
	for _ in $(seq 50); do
		# iperf3 -J exits 0 even when it could not connect (the server not listening yet): its JSON says so.
		iperf3 -c 127.0.0.1 -p "$port" -t 1 $dir -J >"$d/out.json" 2>/dev/null &&
			! grep -q '"error"' "$d/out.json" && break
		sleep 0.1
	done
	/usr/bin/python3 - "$d/out.json" "${dir:-forward}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
e = r["end"]
sent, got = e["sum_sent"]["bytes"], e["sum_received"]["bytes"]
# Only what cannot depend on the machine's load: how much is in flight when the clock stops can.
print(sys.argv[2], "protocol", r["start"]["test_start"]["protocol"], "streams", r["start"]["test_start"]["num_streams"],
      "sent over 1 MB:", sent > 1 << 20, "received over 1 MB:", got > 1 << 20, "error:", r.get("error"))
PY
done
