#!/usr/bin/env bash
# make deps-check: the layers of docs/architecture.md call one way only.
#
#   deps-check.sh [-v] OBJDIR [OBJ...]   check OBJDIR's objects (the OBJs, paths
#                                       below OBJDIR; default: every *.o there)
#   deps-check.sh --self-test       prove that a cycle is caught
#
# Each object is put in a layer by its path (the top folder, and sentry/'s
# sub-folders: sentry/kernel, sentry/mm, sentry/loader, sentry/host; sentry.c
# is the start-up, crash.c the log; netstack/ is one layer).  An object that leaves a symbol undefined
# which another object defines depends on it (nm: what the linker would
# resolve), and its layer on that one's.  A cycle among layers fails the check,
# printed with the symbols that make each step; cycles inside one layer are
# fine.  So does a call into netstack from any layer but start-up (the
# socket and /proc/net registries are the way in).  -v also prints the layer graph (each edge with its number of symbols).
set -u
export LC_ALL=C

layer_of='
function layer(o,   p) {
	if (o ~ /^sentry\/sentry\.o$/) return "sentry/start"
	if (o ~ /^sentry\/(crash|log)\.o$/) return "sentry/log"
	if (o ~ /^sentry\/[^\/]+\//) { split(o, p, "/"); return "sentry/" p[2] }
	split(o, p, "/"); return p[1]
}'

# check OBJDIR VERBOSE: prints the cycles (and with VERBOSE the graph); 1 on a cycle.
check()
{
	local dir=$1 verbose=$2 o
	shift 2
	[ -d "$dir" ] || { echo "deps-check: no $dir (build first)" >&2; return 2; }
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" > "$tmp/objs"
	else
		(cd "$dir" && find . -name '*.o' | sort | sed 's|^\./||') > "$tmp/objs"
	fi
	[ -s "$tmp/objs" ] || { echo "deps-check: no objects under $dir" >&2; return 2; }
	while read -r o; do
		[ -f "$dir/$o" ] || { echo "deps-check: no $dir/$o (build first)" >&2; return 2; }
		nm "$dir/$o" | awk -v o="$o" '
			NF == 3 && $2 ~ /^[TDBRCVWGS]$/ { print "D", o, $3 }
			NF == 2 && $1 == "U" { print "U", o, $2 }'
	done < "$tmp/objs" > "$tmp/syms"
	awk -v verbose="$verbose" "$layer_of"'
	$1 == "D" { def[$3] = $2; next }
	{ use[++n] = $2; usym[n] = $3 }
	END {
		for (i = 1; i <= n; i++) {
			if (!(usym[i] in def)) continue
			a = layer(use[i]); b = layer(def[usym[i]])
			if (a == b) continue
			L[a] = 1; L[b] = 1
			e = a SUBSEP b
			if (!(e in cnt)) { E[a] = E[a] " " b }
			cnt[e]++
			if (!(e in why)) why[e] = use[i] " -> " def[usym[i]] ": " usym[i]
		}
		nl = 0
		for (x in L) names[++nl] = x
		# reach[x,y]: y can be reached from x (Floyd-Warshall; a dozen layers).
		for (e in cnt) reach[e] = 1
		for (k = 1; k <= nl; k++) for (i = 1; i <= nl; i++) {
			if (!((names[i], names[k]) in reach)) continue
			for (j = 1; j <= nl; j++)
				if ((names[k], names[j]) in reach) reach[names[i], names[j]] = 1
		}
		if (verbose) {
			print "layer graph (caller -> callee: symbols, one example):"
			for (e in cnt) { split(e, p, SUBSEP); line[e] = sprintf("  %-14s -> %-14s %4d  %s", p[1], p[2], cnt[e], why[e]) }
			m = 0; for (e in line) s[++m] = line[e]
			for (i = 2; i <= m; i++) { v = s[i]; for (j = i - 1; j >= 1 && s[j] > v; j--) s[j + 1] = s[j]; s[j + 1] = v }
			for (i = 1; i <= m; i++) print s[i]
		}
		bad = 0
		for (i = 1; i <= nl; i++) {
			u = names[i]
			if (!((u, u) in reach) || (u in done)) continue
			# The shortest way back to u (breadth first), printed step by step.
			delete prev; delete seen; q[1] = u; h = 1; t = 1; found = 0
			while (h <= t && !found) {
				x = q[h++]; k = split(E[x], nx, " ")
				for (j = 1; j <= k; j++) {
					y = nx[j]
					if (y == u) { prev[u] = x; found = 1; break }
					if (y in seen || !((y, u) in reach)) continue
					seen[y] = 1; prev[y] = x; q[++t] = y
				}
			}
			c = 0; y = u
			do { path[++c] = y; y = prev[y] } while (y != u)
			printf "deps-check: a cycle between layers:"
			for (j = c; j >= 1; j--) printf " %s ->", path[j]
			print " " path[c]
			for (j = c; j >= 1; j--) {
				nxt = j > 1 ? path[j - 1] : path[c]
				printf "  %s -> %s (symbols: %d), e.g. %s\n", path[j], nxt, cnt[path[j], nxt], why[path[j], nxt]
				done[path[j]] = 1
			}
			bad = 1
		}
		# netstack sits above vfs and sentry/kernel, reached only through
		# their registries (SOCK_FAMILY, PROC_NET_FILE) and from start-up.
		for (e in cnt) {
			split(e, p, SUBSEP)
			if (p[2] == "netstack" && p[1] != "sentry/start" && p[1] != "netstack") {
				printf "deps-check: %s calls netstack directly (symbols: %d), e.g. %s; only start-up may, the rest go through a registry\n", p[1], cnt[e], why[e]
				bad = 1
			}
		}
		exit bad
	}' "$tmp/syms"
}

# Two objects that call each other across vfs/ and sentry/kernel/ must fail
# the check, with the cycle named; the same two calling one way must pass.
self_test()
{
	local d=$tmp/self out
	mkdir -p "$d/vfs" "$d/sentry/kernel"
	echo 'void task_x(void); void vfs_y(void) { task_x(); }' > "$d/vfs/a.c"
	echo 'void vfs_y(void); void task_x(void) { vfs_y(); }' > "$d/sentry/kernel/b.c"
	gcc -c -o "$d/vfs/a.o" "$d/vfs/a.c" && gcc -c -o "$d/sentry/kernel/b.o" "$d/sentry/kernel/b.c" || return 2
	out=$(check "$d" 0)
	if [ $? != 1 ] || [[ "$out" != *"sentry/kernel -> vfs -> sentry/kernel"* && "$out" != *"vfs -> sentry/kernel -> vfs"* ]]; then
		echo "deps-check self-test: a vfs <-> sentry/kernel cycle was not caught: $out"
		return 1
	fi
	echo 'void task_x(void) { }' > "$d/sentry/kernel/b.c"
	gcc -c -o "$d/sentry/kernel/b.o" "$d/sentry/kernel/b.c" || return 2
	if ! out=$(check "$d" 0); then
		echo "deps-check self-test: a one-way call was taken for a cycle: $out"
		return 1
	fi
	mkdir -p "$d/netstack"
	echo 'void vfs_y(void); void net_z(void) { vfs_y(); }' > "$d/netstack/c.c"
	echo 'void net_z(void); void vfs_y(void) { }; void vfs_w(void) { net_z(); }' > "$d/vfs/a.c"
	gcc -c -o "$d/netstack/c.o" "$d/netstack/c.c" && gcc -c -o "$d/vfs/a.o" "$d/vfs/a.c" || return 2
	out=$(check "$d" 0)
	if [ $? != 1 ] || [[ "$out" != *"vfs calls netstack directly"* ]]; then
		echo "deps-check self-test: vfs calling into netstack was not caught: $out"
		return 1
	fi
	echo "deps-check self-test: a cycle fails, a one-way call passes, a call up into netstack fails"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case ${1:-} in
--self-test) self_test;;
-v) shift; check "${1:-build/obj}" 1 "${@:2}";;
*) check "${1:-build/obj}" 0 "${@:2}";;
esac
