# PostgreSQL from Debian in one sandbox: initdb, pg_ctl start, a psql session
# over its unix socket, pgbench -i and a short run, stop.  It needs System V
# shared memory (its interlock segment), POSIX shared memory and semaphores.
# Natively it runs in an IPC namespace of its own (the host's is never
# touched); in the sandbox, whose IPC namespace is its own, unshare(1) is
# not there and it runs as it is.  Prints only what is the same everywhere.
B=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)
if [ -z "$B" ]; then
	echo "postgresql is not installed (make deps-test installs it)" >&2
	exit 77
fi
if [ -z "$CVT_PG_INNER" ] && unshare -i true 2>/dev/null; then
	CVT_PG_INNER=1 exec unshare -i sh "$0"
fi
D=/tmp/cvt-pg
rm -rf $D && mkdir -p $D && chown postgres $D || exit 1
as_pg() { su postgres -s /bin/sh -c "$1"; }
as_pg "$B/initdb -D $D/data -A trust >$D/initdb.log 2>&1" && echo "initdb: ok" || { tail -20 $D/initdb.log >&2; exit 1; }
as_pg "$B/pg_ctl -D $D/data -o '-k $D -c listen_addresses=' -l $D/log start -w >/dev/null" && echo "started" ||
	{ tail -20 $D/log >&2; exit 1; }
as_pg "psql -h $D -At -c 'select 6 * 7' -c 'create table t (x int)' -c 'insert into t select generate_series(1, 1000)' -c 'select sum(x) from t' postgres"
as_pg "$B/pgbench -h $D -q -i -s 1 postgres >$D/bench.log 2>&1" && echo "pgbench -i: ok" || tail -5 $D/bench.log >&2
as_pg "$B/pgbench -h $D -T 2 -c 2 postgres" 2>&1 | awk '/actually processed/ { print ($NF > 0 ? "pgbench: transactions done" : "pgbench: none") }'
as_pg "$B/pg_ctl -D $D/data stop -m fast >/dev/null" && echo "stopped"
rm -rf $D
