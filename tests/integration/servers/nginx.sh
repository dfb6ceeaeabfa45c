#!/bin/bash
# nginx (nginx-light) with two workers and sendfile, on 127.0.0.1, and curl:
# a page, two requests on one kept-alive connection, a 10 MB file compared
# by hash, and 16 downloads of it at once.  Prints what a native run prints
# (tests/net runs it natively in a network namespace of its own and in the
# sandbox).
set -u
d=$(mktemp -d /var/tmp/cvisor-nginx.XXXXXX)
chmod 755 "$d"
trap 'kill $(cat "$d/nginx.pid" 2>/dev/null) 2>/dev/null; sleep 0.2; rm -rf "$d"' EXIT
mkdir -p "$d/www" "$d/tmp"
echo "hello from nginx" >"$d/www/index.html"
head -c 10000000 /dev/urandom >"$d/www/big"
chmod -R a+rX "$d/www"
port=$((20000 + RANDOM % 20000))
cat >"$d/nginx.conf" <<CONF
worker_processes 2;
daemon on;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
	access_log off;
	sendfile on;
	keepalive_timeout 30;
	client_body_temp_path $d/tmp;
	proxy_temp_path $d/tmp;
	fastcgi_temp_path $d/tmp;
	uwsgi_temp_path $d/tmp;
	scgi_temp_path $d/tmp;
	server {
		listen 127.0.0.1:$port;
		root $d/www;
	}
}
CONF
nginx -c "$d/nginx.conf" -p "$d" -e "$d/error.log" || { echo "nginx did not start"; cat "$d/error.log"; exit 1; }
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
master=$(cat "$d/nginx.pid")
echo "workers: $(pgrep -c -P "$master")"
curl -sS "http://127.0.0.1:$port/index.html"
echo "keep-alive: $(curl -sS -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' \
	"http://127.0.0.1:$port/index.html" "http://127.0.0.1:$port/index.html" | tr '\n' ' ')"
want=$(sha256sum <"$d/www/big")
got=$(curl -sS "http://127.0.0.1:$port/big" | sha256sum)
[ "$want" = "$got" ] && echo "10 MB: same hash" || echo "10 MB: different hash"
for i in $(seq 16); do (curl -sS "http://127.0.0.1:$port/big" | sha256sum >"$d/got$i") & done
wait
same=0
for i in $(seq 16); do [ "$(cat "$d/got$i")" = "$want" ] && same=$((same + 1)); done
echo "16 at once: $same the same"
echo "missing: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")"
