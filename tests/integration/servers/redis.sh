#!/bin/bash
# redis-server on 127.0.0.1 with redis-cli and a short redis-benchmark
# (2000 requests each of SET and GET from 50 clients): what they answer, not
# how fast.  Run natively (in a network namespace of its own) and sandboxed.
set -u
port=$((20000 + RANDOM % 20000))
d=$(mktemp -d /var/tmp/cvisor-redis.XXXXXX)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$d" \
	--logfile "$d/log" --daemonize no &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null; rm -rf "$d"' EXIT
for _ in $(seq 50); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
redis-cli -p "$port" ping
redis-cli -p "$port" set greeting hello
redis-cli -p "$port" get greeting
redis-cli -p "$port" rpush list a b c
redis-cli -p "$port" lrange list 0 -1
redis-cli -p "$port" incrby counter 41
redis-cli -p "$port" incr counter
redis-benchmark -p "$port" -n 2000 -q -t set,get 2>&1 | tr '\r' '\n' | grep -o '^[A-Z]*: [0-9.]* requests per second' |
	sed 's/: .*/: some requests per second/'
echo "dbsize after the benchmark: $(redis-cli -p "$port" dbsize)"
redis-cli -p "$port" shutdown nosave 2>&1
wait $srv
echo "server exit: $?"
