#!/usr/bin/env bash
# tests/gofer: the root file system through the gofer.  Writes with
# --overlay=none land on the host, and host fds stay bounded however many
# files are looked at.  Each case runs natively (the reference) and under
# cvisor and the outputs and exit statuses are compared; for the writes,
# what each run left on the host is compared too.
# Prints PASS/FAIL lines for tests/run.sh to count; exits non-zero on a failure.
# Usage: tests/gofer/run.sh [CVISOR]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CVISOR=${1:-$root/build/cvisor}
# On the host's disk (the sandbox's /tmp is its own), one directory per run.
B=$(mktemp -d /var/tmp/cvisor-gofer.XXXXXX)
trap 'rm -rf "$B"' EXIT
export LC_ALL=C
fail=0
pass=0

result() { # name ok(0/1) detail...
	local name=$1 ok=$2
	shift 2
	if [ "$ok" = 0 ]; then echo "PASS gofer/$name"; pass=$((pass + 1))
	else echo "FAIL gofer/$name: $*"; fail=$((fail + 1)); fi
}

# The "user." extended attributes of a file, as name=value,...
xattrs() {
	/usr/bin/python3 -c 'import os, sys
try: print(",".join("%s=%s" % (n, os.getxattr(sys.argv[1], n).decode()) for n in sorted(os.listxattr(sys.argv[1]))))
except OSError as e: print(e.strerror)' "$1"
}

# What a directory holds on the host: names, types, modes, links, owners, contents, xattrs.
tree() {
	(cd "$1" && find . -mindepth 1 | sort | while IFS= read -r f; do
		if [ -L "$f" ]; then echo "$f link -> $(readlink "$f")"
		elif [ -f "$f" ]; then echo "$f file $(stat -c '%a %h %s %u:%g' "$f") $(md5sum < "$f" | cut -c1-32) $(xattrs "$f")"
		else echo "$f $(stat -c '%F %a %h %u:%g' "$f") $(xattrs "$f")"; fi
	done)
}

# compare NAME NATIVE_DIR SANDBOX_DIR: the two runs' output files and trees.
compare() {
	local name=$1 n=$2 s=$3 why=()
	[ "$(cat "$B/native.rc")" = "$(cat "$B/sandbox.rc")" ] ||
		why+=("exit status: native $(cat "$B/native.rc"), sandbox $(cat "$B/sandbox.rc")")
	cmp -s "$B/native.out" "$B/sandbox.out" ||
		why+=("$(diff -au --label native --label sandbox "$B/native.out" "$B/sandbox.out" | head -20 | cat -v)")
	if [ -n "$n" ]; then
		tree "$n" > "$B/native.tree"
		tree "$s" > "$B/sandbox.tree"
		cmp -s "$B/native.tree" "$B/sandbox.tree" ||
			why+=("on the host:" "$(diff -au --label native --label sandbox "$B/native.tree" "$B/sandbox.tree" | head -20)")
	fi
	[ ${#why[@]} = 0 ] || why+=("sandbox stderr:" "$(tail -5 "$B/sandbox.err")")
	result "$name" ${#why[@]} "${why[@]}"
}

# run native|sandbox CMD...: output (stdout and stderr, which both runs
# print alike) into $B/<side>.out, exit status into $B/<side>.rc.
run() {
	local side=$1
	shift
	timeout -k 5 120 "$@" > "$B/$side.out" 2> "$B/$side.err" < /dev/null
	echo $? > "$B/$side.rc"
}

# A root for the sandbox (tests/security/run.sh builds one the same way):
# busybox and the static ops program, and an empty scratch directory.
gcc -static -O2 -Wall -Wextra -Werror -o "$B/ops" "$root/tests/gofer/ops.c" || { result build 1 "ops.c does not build"; exit 1; }
sbroot=$B/root
mkdir -p "$sbroot"/{bin,tmp,dev,proc,sys}
cp /bin/busybox "$B/ops" "$sbroot/bin/"
ln -s busybox "$sbroot/bin/sh"

# 1. Call by call (tests/gofer/ops.c), with few host fds kept so that files
#    are closed and walked again between the calls.
mkdir "$B/n1" "$sbroot/w1"
(cd "$B/n1" && run native "$B/ops")
run sandbox "$CVISOR" do --overlay=none --gofer-fds=16 --root "$sbroot" --cwd /w1 -- /bin/ops
compare "writes: call by call" "$B/n1" "$sbroot/w1"

# 2. What shell tools do to a tree: cp, mv, ln, chmod, truncate, sed -i, rm -r, tar.
script='
mkdir -p a/b/c && echo one > a/b/c/f && cp a/b/c/f a/g && mv a/b a/bb && ln a/g a/h && ln -s bb/c/f a/sym
cat a/sym; chmod 751 a/bb; chmod 600 a/g; touch a/empty; truncate -s 100 a/empty; truncate -s 2 a/h; cat a/g
seq 1 2000 > big; sed -i s/1/x/ big; head -3 big; wc -c big
mkdir gone; touch gone/1 gone/2; mkdir gone/3; rm -r gone; ls
mv a/bb/c a/c2; rmdir a/bb; ls -R a
for i in $(seq 1 60); do echo $i > n$i; done; rm n1*; ls | wc -l
for i in $(seq 2 9); do cat n$i; done | tr "\n" " "; echo
tar -cf t.tar a && mkdir x && tar -xf t.tar -C x && rm t.tar && ls -lR x | grep -v total | cut -c1-10,40-
mv x y; cat y/a/c2/f; rmdir y 2>&1 | cut -d: -f1-2
mkdir -p d1/d2/d3; echo deep > d1/d2/d3/f; mv d1 e1; mv e1/d2 e2; cat e2/d3/f
'
mkdir "$B/n2" "$sbroot/w2"
(cd "$B/n2" && run native /bin/busybox sh -c "$script")
run sandbox "$CVISOR" do --overlay=none --gofer-fds=16 --root "$sbroot" --cwd /w2 -- /bin/busybox sh -c "$script"
compare "writes: shell tools" "$B/n2" "$sbroot/w2"

# 2b. Root's write keeps a file's set-id bits, as Linux keeps them for a
#     writer with CAP_FSETID (the sentry, which writes, is not root on the host).
script='echo a > s && chmod 6755 s && echo b >> s && stat -c %a s && echo c > g && chmod 2775 g && echo d >> g && stat -c %a g'
mkdir "$B/n2b" "$sbroot/w2b"
(cd "$B/n2b" && run native /bin/busybox sh -c "$script")
run sandbox "$CVISOR" do --overlay=none --root "$sbroot" --cwd /w2b -- /bin/busybox sh -c "$script"
compare "writes: root keeps set-id bits" "$B/n2b" "$sbroot/w2b"

# 3. With the default overlay, nothing reaches the host.
mkdir "$sbroot/w3"
out=$("$CVISOR" do --root "$sbroot" --cwd /w3 -- /bin/busybox sh -c 'echo x > f && mkdir d && cat f' 2>&1)
if [ "$out" = x ] && [ -z "$(ls -A "$sbroot/w3")" ]; then result "overlay=memory: nothing written below" 0
else result "overlay=memory: nothing written below" 1 "output '$out', on the host: $(ls -A "$sbroot/w3")"; fi

# 4. A writable shared mapping of a host file: what it writes is seen by
#    read() at once, by a second mapping, and lands in the host file (msync,
#    and the rest at the sandbox's end), as natively.  Under the overlay the
#    host file is never written.
cat > "$B/mapw.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void)
{
	char buf[16] = {0};
	int fd = open("m", O_RDWR);
	char *p, *q;

	ftruncate(fd, 6000);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", strerrorname_np(errno));
		return 1;
	}
	memcpy(p + 100, "shared", 6);
	pread(fd, buf, 6, 100);
	printf("read() sees: %s\n", buf);
	memcpy(p + 5000, "second page", 11);
	printf("msync: %d\n", msync(p, 8192, MS_SYNC));
	q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	printf("second mapping sees: %.6s\n", q + 100);
	printf("mprotect it writable: %d\n", mprotect(q, 4096, PROT_READ | PROT_WRITE));
	pwrite(fd, "WRITE", 5, 200);
	printf("mapping sees write(): %.5s\n", p + 200);
	memcpy(p + 300, "after msync", 11); /* written back at the end */
	munmap(q, 4096);
	close(fd);
	return 0;
}
EOF
gcc -static -O2 -Wall -Werror -o "$sbroot/bin/mapw" "$B/mapw.c" || result "mapw build" 1 "does not build"
mkdir "$B/n4" "$sbroot/w4"
echo data > "$B/n4/m"
echo data > "$sbroot/w4/m"
(cd "$B/n4" && run native "$sbroot/bin/mapw")
run sandbox "$CVISOR" do --overlay=none --root "$sbroot" --cwd /w4 -- /bin/mapw
compare "MAP_SHARED writes reach the host file" "$B/n4" "$sbroot/w4"
echo data > "$sbroot/w4/m"
out=$("$CVISOR" do --root "$sbroot" --cwd /w4 -- /bin/mapw 2>&1)
if grep -q '^read() sees: shared' <<< "$out" && [ "$(cat "$sbroot/w4/m")" = data ]; then
	result "overlay: MAP_SHARED writes stay inside" 0
else
	result "overlay: MAP_SHARED writes stay inside" 1 "got '$out', host file: $(head -c 20 "$sbroot/w4/m" | cat -v)"
fi

# 5. More files looked at than host fds may be held (RLIMIT_NOFILE 256:
#    a bound of 64), one held open throughout, then more reads: all as
#    natively.  Before the bound, the sentry ran out of fds and every later
#    open failed with EIO.
mkdir "$B/many"
for i in $(seq 1 600); do echo "file $i" > "$B/many/f$i"; done
script5="exec 3< $B/many/f7; for f in $B/many/*; do cat \"\$f\"; done | md5sum
stat -c %s $B/many/* | sort | uniq -c; cat <&3; cat /etc/hostname; ls $B/many | wc -l"
run native bash -c "ulimit -n 256; exec sh -c '$script5'"
run sandbox bash -c "ulimit -n 256; exec \"\$0\" do -- sh -c '$script5'" "$CVISOR"
compare "host fds bounded: 600 files under RLIMIT_NOFILE 256" "" ""

# 6. The same written through the gofer: files closed for the bound are
#    found again after their directory was renamed, and a file replaced by
#    a rename while held open still reads as it was.
mkdir "$sbroot/w6" "$B/n6"
script6='mkdir many; for i in $(seq 1 300); do echo "file $i" > many/f$i; done
exec 3< many/f9; echo new > nine; mv nine many/f9
for f in many/*; do cat $f; done | md5sum; mv many many2; mkdir many; mv many2 many/m
for i in 1 150 300; do cat many/m/f$i; done; cat <&3; ls many/m | wc -l'
(cd "$B/n6" && run native /bin/busybox sh -c "$script6")
run sandbox "$CVISOR" do --overlay=none --gofer-fds=16 --root "$sbroot" --cwd /w6 -- /bin/busybox sh -c "$script6"
compare "host fds bounded: writes, renames" "$B/n6" "$sbroot/w6"

# 7. Under the default overlay, a hard link to a file of the image is the
#    same file: the link copies it up, so a write through one name shows
#    through the other, as natively (and the host's file is not written).
mkdir "$sbroot/w7" "$B/n7"
echo data > "$sbroot/w7/img"
echo data > "$B/n7/img"
script7='ln img h && echo more >> h; cat img; stat -c %h img h; rm h; stat -c %h img; cat img'
(cd "$B/n7" && run native /bin/busybox sh -c "$script7")
run sandbox "$CVISOR" do --root "$sbroot" --cwd /w7 -- /bin/busybox sh -c "$script7"
compare "overlay: a hard link to an image file shares its writes" "" ""
[ "$(cat "$sbroot/w7/img")" = data ] && [ ! -e "$sbroot/w7/h" ] && result "overlay: the linked image file stays unchanged below" 0 ||
	result "overlay: the linked image file stays unchanged below" 1 "$(ls -A "$sbroot/w7"): $(cat "$sbroot/w7/img")"

# 8. inotify's events of every name call (tests/syscalls/inotify_names.c)
#    on the overlay root and through the gofer, against a native run in a
#    directory of the host's disk.
if gcc -static -O2 -Wall -Wextra -Werror -o "$sbroot/bin/inotify_names" "$root/tests/syscalls/inotify_names.c"; then
	mkdir "$B/n8" "$sbroot/w8"
	run native "$sbroot/bin/inotify_names" "$B/n8"
	run sandbox "$CVISOR" do --root "$sbroot" -- /bin/inotify_names /w8
	compare "inotify of name calls: overlay" "" ""
	run sandbox "$CVISOR" do --overlay=none --root "$sbroot" -- /bin/inotify_names /w8
	compare "inotify of name calls: gofer" "$B/n8" "$sbroot/w8"
else
	result "inotify_names build" 1 "does not build"
fi

# 9. SEEK_DATA and SEEK_HOLE of gofer files are the host file's own: a
#    sparse file of the image (read under the overlay), and files made
#    sparse through the gofer (tests/syscalls/seekdata.c).
if gcc -static -O2 -Wall -Wextra -Werror -o "$sbroot/bin/seekdata" "$root/tests/syscalls/seekdata.c"; then
	mkdir "$sbroot/w9" "$B/n9" "$sbroot/w9b"
	truncate -s 1M "$sbroot/w9/sparse"
	printf 'x%.0s' $(seq 10) | dd of="$sbroot/w9/sparse" bs=1K seek=64 conv=notrunc status=none
	head -c 8192 /dev/zero | tr '\0' x | dd of="$sbroot/w9/sparse" bs=1K seek=512 conv=notrunc status=none
	(cd "$sbroot/w9" && run native "$sbroot/bin/seekdata" sparse)
	run sandbox "$CVISOR" do --root "$sbroot" --cwd /w9 -- /bin/seekdata sparse
	compare "SEEK_DATA/SEEK_HOLE of an image file" "" ""
	run sandbox "$CVISOR" do --overlay=none --root "$sbroot" --cwd /w9 -- /bin/seekdata sparse
	compare "SEEK_DATA/SEEK_HOLE of an image file, --overlay=none" "" ""
	(cd "$B/n9" && run native "$sbroot/bin/seekdata")
	run sandbox "$CVISOR" do --overlay=none --root "$sbroot" --cwd /w9b -- /bin/seekdata
	compare "SEEK_DATA/SEEK_HOLE of files written through the gofer" "$B/n9" "$sbroot/w9b"
else
	result "seekdata build" 1 "does not build"
fi

# 10. /tmp is the root's own, as `runsc do` shows it: a program built there
#     runs, and writes stay in the overlay (or reach the root with
#     --overlay=none); --private-tmp gives an empty one instead.
cp /bin/busybox "$sbroot/tmp/built-here"
echo kept > "$sbroot/tmp/note"
run native sh -c "cd $sbroot/tmp && ./built-here echo ran; cat note"
run sandbox "$CVISOR" do --root "$sbroot" -- /bin/sh -c 'cd /tmp && ./built-here echo ran; cat note; echo x > new'
compare "/tmp: the root's own, written in the overlay" "" ""
[ ! -e "$sbroot/tmp/new" ] && result "/tmp: overlay writes stay off the host" 0 ||
	result "/tmp: overlay writes stay off the host" 1 "$sbroot/tmp/new exists"
run native sh -c 'echo x > '"$sbroot/tmp/ok"'; echo done'
run sandbox "$CVISOR" do --overlay=none --root "$sbroot" -- /bin/sh -c 'echo x > /tmp/new; echo done'
compare "/tmp: written through with --overlay=none" "" ""
[ "$(cat "$sbroot/tmp/new" 2>/dev/null)" = x ] && result "/tmp: --overlay=none writes reach the root" 0 ||
	result "/tmp: --overlay=none writes reach the root" 1 "no $sbroot/tmp/new"
mkdir "$B/empty"
run native sh -c "ls -A $B/empty; test -e $B/empty/note; echo \$?"
run sandbox "$CVISOR" do --private-tmp --root "$sbroot" -- /bin/sh -c 'ls -A /tmp; test -e /tmp/note; echo $?'
compare "/tmp: --private-tmp is empty" "" ""

echo "gofer: $pass passed, $fail failed"
[ $fail = 0 ]
