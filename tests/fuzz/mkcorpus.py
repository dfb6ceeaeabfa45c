#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus, tests/fuzz/corpus/<target>/: small,
valid inputs each target's fuzzing starts from.  Run again after changing a
message layout; crash inputs found later are added by hand (crash-*) and
are not made here.  The ELF seeds are the first page of Debian binaries
when they are there (the loader fuzz target pads the file with zeros)."""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
corpus = os.path.join(here, "corpus")


def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- elf: the file execve runs ----
def elf(etype, phdrs, entry=0x401000, phoff=64):
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, entry, phoff, 0, 0, 64, 56, len(phdrs), 64, 0, 0)
    body = b"".join(struct.pack("<IIQQQQQQ", *p) for p in phdrs)
    return eh + body


PT_LOAD, PT_INTERP, PT_PHDR = 1, 3, 6
interp = b"/lib64/ld-linux-x86-64.so.2\0"
put("elf", "static-exec", elf(2, [(PT_LOAD, 5, 0, 0x400000, 0x400000, 0x1000, 0x1000, 0x1000),
                                  (PT_LOAD, 6, 0x1000, 0x401000, 0x401000, 0x100, 0x3000, 0x1000)]))
dyn = elf(3, [(PT_PHDR, 4, 64, 64, 64, 3 * 56, 3 * 56, 8),
              (PT_INTERP, 4, 0x200, 0x200, 0x200, len(interp), len(interp), 1),
              (PT_LOAD, 5, 0, 0, 0, 0x1000, 0x1000, 0x1000)], entry=0x100)
put("elf", "pie-interp", dyn + bytes(0x200 - len(dyn)) + interp)
put("elf", "script", b"#!/fuzz -x\necho hello\n")
put("elf", "script-noarg", b"#! /fuzz\n")
for name, path in (("debian-true", "/bin/true"), ("debian-busybox", "/bin/busybox")):
    try:
        with open(path, "rb") as f:
            put("elf", name, f.read(4096))
    except OSError:
        pass

# ---- gofer_server: fd choices, recvmsg flags, then the request ----
GOFER = dict(ROOT=1, WALK=2, CREATE=3, UNLINK=4, RENAME=5, LINK=6, SETATTR=7, FSYNC=8, STATFS=9,
             SETXATTR=10, REMOVEXATTR=11)


def req(op, flags=0, mode=0, uid=0, gid=0, valid=0, size=0, name=b"", name2=b"", value=b""):
    r = struct.pack("<IIIIIIQqqqq", GOFER[op], flags, mode, uid, gid, valid, size, 0, 0, 0, 0)
    r += name.ljust(256, b"\0") + name2.ljust(4096, b"\0")
    assert len(r) == 4416
    return r + value


def server(name, fd, fd2, r, msgflags=0):
    put("gofer_server", name, bytes([fd, fd2, msgflags]) + r)


# fd choices (target.c): 0 none, 1 scratch dir, 2 dir d, 3 file f, 4 symlink l, 5 fifo p, 6 O_PATH dir
server("root", 0, 0, req("ROOT"))
server("walk-file", 1, 0, req("WALK", name=b"f"))
server("walk-rdwr", 1, 0, req("WALK", flags=1, name=b"f"))
server("walk-symlink", 1, 0, req("WALK", name=b"l"))
server("walk-dotdot", 2, 0, req("WALK", name=b".."))
server("create-file", 1, 0, req("CREATE", mode=0o100644, uid=1000, gid=1000, name=b"new"))
server("create-dir", 2, 0, req("CREATE", mode=0o40755, name=b"sub"))
server("create-symlink", 1, 0, req("CREATE", mode=0o120777, name=b"s", name2=b"../../etc"))
server("create-fifo", 1, 0, req("CREATE", mode=0o10644, name=b"q"))
server("create-dev", 1, 0, req("CREATE", mode=0o20644, name=b"null"))
server("unlink", 1, 0, req("UNLINK", name=b"f"))
server("rmdir", 1, 0, req("UNLINK", flags=0x200, name=b"d"))
server("rename", 1, 2, req("RENAME", name=b"f", name2=b"g"))
server("rename-exchange", 1, 1, req("RENAME", flags=2, name=b"f", name2=b"d"))
server("link", 1, 2, req("LINK", name=b"f", name2=b"h"))
server("setattr", 3, 0, req("SETATTR", mode=0o4755, uid=1, gid=2, valid=63, size=100))
server("setattr-symlink", 4, 0, req("SETATTR", mode=0o777, valid=1))
server("fsync", 3, 0, req("FSYNC", flags=1))
server("statfs", 6, 0, req("STATFS"))
server("setxattr", 3, 0, req("SETXATTR", size=5, name=b"user.test", value=b"hello"))
server("removexattr", 2, 0, req("REMOVEXATTR", name=b"user.test"))
server("truncated", 1, 0, req("WALK", name=b"f")[:100], msgflags=1)

# ---- strace: nr, six arguments, result, then guest memory at 0x10000 ----
G = 0x10000


def call(name, nr, args, ret, mem=b""):
    args = list(args) + [0] * (6 - len(args))
    put("strace", name, struct.pack("<q6Qq", nr, *[a & (2**64 - 1) for a in args], ret) + mem)


call("openat", 257, [-100, G, 0o2000000, 0], 3, b"/etc/passwd\0")
call("openat-enoent", 257, [-100, G, 0o100 | 0o1, 0o644], -2, b"/nonexistent\0")
call("read", 0, [3, G, 4096], 12, b"hello world\n")
call("write-long", 1, [1, G, 200], 200, bytes(range(200)))
call("execve", 59, [G, G + 16, 0], 0, b"/bin/sh\0".ljust(16, b"\0") + struct.pack("<QQQ", G, G + 8, 0) + b"-c\0")
call("fstat", 5, [3, G], 0, bytes(144))
call("mmap", 9, [0, 4096, 3, 0x22, -1, 0], 0x7f0000000000)
call("futex", 202, [G, 0x80, 1, G + 8], -110, bytes(8) + struct.pack("<qq", 1, 500))
call("rt_sigaction", 13, [2, G, 0, 8], 0, struct.pack("<QQQQ", 0x401000, 0x04000000, 0x401100, 1 << 1))
call("connect", 42, [3, G, 16], -111, struct.pack("<HH4s8x", 2, 0x5000, bytes([127, 0, 0, 1])))
call("fcntl-getfl", 72, [3, 3], 0o100002)
call("clock_nanosleep", 230, [1, 1, G, 0], -4, struct.pack("<qq", 1, 0))
call("poll", 7, [G, 2, 100], 1, struct.pack("<ihhihh", 0, 1, 0, 1, 4, 4))
call("unknown", 1000, [1, 2, 3, 4, 5, 6], -38)
call("exit_group", 231, [3], 0)
call("ioctl", 16, [1, 0x5401, G], 0, bytes(60))
call("restart", 35, [G, G + 16], -516, struct.pack("<qq", 1, 0) + bytes(16))

# ---- path: the walk and flags, the dirfd and credentials, RESOLVE_*, then the path ----
def walk(name, path, fn=0, flags=0, dirfd=0, user=False, how=0):
    put("path", name, bytes([fn | flags << 2, dirfd | (4 if user else 0), how]) + path)


walk("abs", b"/a/b/file")
walk("dots", b"/a/./b/../b/./file", flags=1)
walk("above-root", b"/../../a/up/a/l/file", flags=1)
walk("symlinks", b"/a/l/../abs", flags=1)
walk("loop", b"/loop1/x", flags=1)
walk("relative-dirfd", b"../l/file", dirfd=1)
walk("empty-path", b"", dirfd=3, flags=4)
walk("mount-out", b"/mnt/out/b", flags=1)
walk("secret-as-user", b"/secret/x", user=True)
walk("parent", b"/a/b/newname/", fn=1)
walk("parent-follow", b"/dangling", fn=2)
walk("beneath", b"../../a", fn=3, dirfd=1, how=0x08)
walk("in-root", b"/a/up/a", fn=3, dirfd=2, how=0x10 | 0x01)
walk("long-name", b"/a/" + b"n" * 255 + b"/x", fn=1)

# ---- netlink: protocol/options/credentials, receive size, then the request ----
def nlmsg(mtype, flags, body, seq=1):
    return struct.pack("<IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def nla(atype, data):
    n = 4 + len(data)
    return struct.pack("<HH", n, atype) + data + bytes((4 - n % 4) % 4)


def nl(name, req, diag=False, strict=False, extack=False, user=False, rsize=0):
    b0 = (1 if diag else 0) | (2 if strict else 0) | (4 if extack else 0) | (16 if user else 0)
    put("netlink", name, bytes([b0, rsize]) + req)


REQ, ACK, DUMP, CREATE, EXCL = 1, 4, 0x300, 0x400, 0x200
ifinfo = struct.pack("<BxHiII", 0, 0, 0, 0, 0)
nl("getlink-dump", nlmsg(18, REQ | DUMP, ifinfo + nla(29, struct.pack("<I", 1))))
nl("getlink-dump-strict", nlmsg(18, REQ | DUMP, ifinfo), strict=True, rsize=2)
nl("getlink-lo", nlmsg(18, REQ, ifinfo + nla(3, b"lo\0")))
nl("setlink-down-mtu", nlmsg(19, REQ | ACK, struct.pack("<BxHiII", 0, 0, 1, 0, 1) + nla(4, struct.pack("<I", 1500))))
nl("setlink-rename", nlmsg(16, REQ | ACK, struct.pack("<BxHiII", 0, 0, 1, 0, 0) + nla(3, b"foo\0")))
nl("getaddr-dump", nlmsg(22, REQ | DUMP, struct.pack("<BBBBI", 0, 0, 0, 0, 0)))
nl("getaddr-dump-rtgen", nlmsg(22, REQ | DUMP, b"\x02"), rsize=1)
nl("newaddr-v4", nlmsg(20, REQ | ACK | CREATE | EXCL, struct.pack("<BBBBI", 2, 8, 0, 0, 1)
                      + nla(2, bytes([10, 0, 0, 1])) + nla(1, bytes([10, 0, 0, 1])) + nla(3, b"lo:1\0")), extack=True)
nl("newaddr-v6", nlmsg(20, REQ | ACK | CREATE, struct.pack("<BBBBI", 10, 64, 0, 0, 1)
                      + nla(1, bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [1])) + nla(8, struct.pack("<I", 2))))
nl("deladdr-lo", nlmsg(21, REQ | ACK, struct.pack("<BBBBI", 2, 8, 0, 0, 1) + nla(2, bytes([127, 0, 0, 1]))))
nl("newaddr-user", nlmsg(20, REQ | ACK, struct.pack("<BBBBI", 2, 8, 0, 0, 1) + nla(2, bytes([10, 0, 0, 1]))), user=True)
rtmsg = lambda fam, dlen, table=0, typ=0: struct.pack("<BBBBBBBBI", fam, dlen, 0, 0, table, 0, 0, typ, 0)
nl("getroute-dump", nlmsg(26, REQ | DUMP, rtmsg(0, 0)))
nl("getroute-dump-strict", nlmsg(26, REQ | DUMP, rtmsg(2, 0, 255) + nla(15, struct.pack("<I", 255))), strict=True)
nl("getroute-get", nlmsg(26, REQ, rtmsg(2, 32) + nla(1, bytes([127, 0, 0, 1]))))
nl("getroute-get6", nlmsg(26, REQ, rtmsg(10, 128) + nla(1, bytes([0] * 15 + [1]))))
nl("newroute", nlmsg(24, REQ | ACK | CREATE | EXCL, rtmsg(2, 16, 254, 1) + nla(1, bytes([10, 1, 0, 0]))
                    + nla(4, struct.pack("<I", 1)) + nla(6, struct.pack("<I", 5))))
nl("newroute-gw", nlmsg(24, REQ | ACK | CREATE, rtmsg(2, 0, 254, 1) + nla(5, bytes([127, 0, 0, 2]))))
nl("delroute", nlmsg(25, REQ | ACK, rtmsg(2, 8, 255, 2) + nla(1, bytes([127, 0, 0, 0]))))
veth_peer = lambda name, extra=b"": nla(18, nla(1, b"veth\0") + nla(2, nla(1, ifinfo + nla(3, name) + extra)))
nl("newlink-veth", nlmsg(16, REQ | ACK | CREATE | EXCL, ifinfo + nla(3, b"v0\0") + veth_peer(b"v1\0")), extack=True)
nl("newlink-veth-netns", nlmsg(16, REQ | ACK | CREATE | EXCL, ifinfo + nla(3, b"v%d\0")
                                + veth_peer(b"p%d\0", nla(19, struct.pack("<I", 1)))))
nl("setlink-netns-pid", nlmsg(16, REQ | ACK, struct.pack("<BxHiII", 0, 0, 1, 0, 0) + nla(19, struct.pack("<I", 1))),
   extack=True)
nl("setlink-netns-fd", nlmsg(16, REQ | ACK, struct.pack("<BxHiII", 0, 0, 1, 0, 0) + nla(28, struct.pack("<I", 0))))
nl("dellink", nlmsg(17, REQ | ACK, ifinfo + nla(3, b"lo\0")))
nl("getrule", nlmsg(34, REQ | DUMP, rtmsg(0, 0)))
nl("getneigh", nlmsg(30, REQ | DUMP, bytes(12)))
ndmsg = lambda fam, index, state: struct.pack("<BxxxiHBB", fam, index, state, 0, 1)
nl("newneigh", nlmsg(28, REQ | ACK | CREATE | EXCL, ndmsg(2, 1, 0x80) + nla(1, bytes([198, 18, 0, 9]))
                    + nla(2, bytes([2, 0, 0, 0, 0, 9]))), extack=True)
nl("delneigh", nlmsg(29, REQ | ACK, ndmsg(10, 1, 0) + nla(1, bytes([0xfd] + [0] * 14 + [1]))))
nl("getneigh-get", nlmsg(30, REQ, ndmsg(2, 1, 0) + nla(1, bytes([198, 18, 0, 9]))), strict=True)
nl("two-dumps", nlmsg(18, REQ | DUMP, ifinfo) + nlmsg(22, REQ | DUMP, b"\x00\x00\x00\x00", seq=2))
nl("lying-len", struct.pack("<IHHII", 400, 18, REQ | DUMP, 1, 0) + ifinfo)
inet_req = lambda fam, proto: struct.pack("<BBBxI", fam, proto, 0, 0xffffffff) + bytes(48)
nl("diag-tcp", nlmsg(20, REQ | DUMP, inet_req(2, 6)), diag=True)
nl("diag-udp6", nlmsg(20, REQ | DUMP, inet_req(10, 17)), diag=True)
nl("diag-unix", nlmsg(20, REQ | DUMP, struct.pack("<BBHIIIII", 1, 0, 0, 0xffffffff, 0, 0x1f, 0, 0)), diag=True)
nl("diag-unix-get", nlmsg(20, REQ, struct.pack("<BBHIIIII", 1, 0, 0, 0xffffffff, 1, 0x1f, 0, 0)), diag=True)

# ---- gofer_client: see tests/fuzz/gofer_client/target.c for the layout ----
sys.path.insert(0, os.path.join(here, "gofer_client"))
try:
    import seeds as client_seeds
except ImportError:
    client_seeds = None
if client_seeds:
    for name, data in client_seeds.seeds():
        put("gofer_client", name, data)


# ---- netrx: byte 0 the mode (bit 0 IPv6, bit 1 checksums real), then the packet ----
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(proto, payload, src=b"\x7f\0\0\1", dst=b"\x7f\0\0\1", opts=b"", frag=0x4000, ttl=64):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), 1, frag, ttl, proto, 0, src, dst) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


LO6 = b"\0" * 15 + b"\1"


def ip6(nexthdr, payload, src=LO6, dst=LO6):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nexthdr, 64, src, dst) + payload


def udp(sport, dport, data, src, dst, v6):
    n = 8 + len(data)
    pseudo = src + dst + (struct.pack("!IxxxB", n, 17) if v6 else struct.pack("!xBH", 17, n))
    c = csum(pseudo + struct.pack("!HHHH", sport, dport, n, 0) + data) or 0xffff
    return struct.pack("!HHHH", sport, dport, n, c) + data


def icmp(t, code, rest, body, pseudo=b""):
    m = struct.pack("!BBH", t, code, 0) + rest + body
    return m[:2] + struct.pack("!H", csum(pseudo + m)) + m[4:]


lo4 = b"\x7f\0\0\1"
put("netrx", "udp4", b"\x02" + ip4(17, udp(1234, 7007, b"hello", lo4, lo4, False)))
put("netrx", "udp4-noport", b"\x02" + ip4(17, udp(1234, 99, b"x", lo4, lo4, False)))
put("netrx", "udp4-options", b"\x02" + ip4(17, udp(1, 7007, b"o", lo4, lo4, False), opts=b"\x01\x01\x07\x04\0\0\0\0\0\0\0\0"[:8]))
put("netrx", "udp6", b"\x03" + ip6(17, udp(1234, 7008, b"hello6", LO6, LO6, True)))
put("netrx", "udp6-connected", b"\x03" + ip6(17, udp(7008, 7009, b"c", LO6, LO6, True)))
u = udp(5, 7008, b"ext", LO6, LO6, True)
hop = bytes([60, 0]) + b"\x01\x04\0\0\0\0"                 # hop-by-hop: PadN, then destination options
dst = bytes([44, 0]) + b"\x05\x02\0\0\x01\x00"            # destination options: router alert, PadN
frag = bytes([43, 0]) + struct.pack("!HI", 0, 7)          # an atomic fragment, then a routing header
rt = bytes([17, 0, 0, 0]) + b"\0" * 4                     # routing: segments left 0
put("netrx", "udp6-exthdrs", b"\x03" + ip6(0, hop + dst + frag + rt + u))
put("netrx", "icmp4-echo", b"\x02" + ip4(1, icmp(8, 0, struct.pack("!HH", 1, 1), b"ping")))
echo6 = struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"ping6"
put("netrx", "icmp6-echo", b"\x01" + ip6(58, echo6))
inner = ip4(17, udp(7007, 4000, b"x", lo4, lo4, False))
put("netrx", "icmp4-port-unreach", b"\x02" + ip4(1, icmp(3, 3, b"\0\0\0\0", inner)))
inner6 = ip6(17, udp(7009, 7008, b"x", LO6, LO6, True))
put("netrx", "icmp6-port-unreach", b"\x01" + ip6(58, struct.pack("!BBHI", 1, 4, 0, 0) + inner6))
put("netrx", "ip4-fragment", b"\x00" + ip4(17, udp(1, 7007, b"f" * 16, lo4, lo4, False), frag=0x2000))
# bit 3: an Ethernet frame on the veth (eth0 02:00:00:00:00:02, 198.18.0.2/24, fd00::2/64)
veth_mac, peer_mac = bytes([2, 0, 0, 0, 0, 2]), bytes([2, 0x11, 0, 0, 0, 1])
def eth(dst, src, ethertype, payload):
    return dst + src + struct.pack("!H", ethertype) + payload
put("netrx", "eth-arp-request", b"\x08" + eth(b"\xff" * 6, peer_mac, 0x806, bytes.fromhex("0001080006040001") +
    peer_mac + bytes([198, 18, 0, 1]) + b"\0" * 6 + bytes([198, 18, 0, 2])))
ns6 = bytes.fromhex("fd000000000000000000000000000001"), bytes.fromhex("ff0200000000000000000001ff000002")
put("netrx", "eth-ndp-solicit", b"\x08" + eth(bytes([0x33, 0x33, 0xff, 0, 0, 2]), peer_mac, 0x86dd,
    bytes([0x60, 0, 0, 0, 0, 32, 58, 255]) + ns6[0] + ns6[1] + bytes([135, 0, 0, 0, 0, 0, 0, 0]) +
    bytes.fromhex("fd000000000000000000000000000002") + bytes([1, 1]) + peer_mac))
# bits 3 and 6: a datagram for another host through eth0, which forwards (out by the default route, or TTL 1)
fwd = lambda ttl: ip4(17, udp(1, 9, b"fw", bytes([198, 18, 0, 1]), bytes([198, 51, 100, 7]), False),
                      src=bytes([198, 18, 0, 1]), dst=bytes([198, 51, 100, 7]), ttl=ttl)
put("netrx", "eth-forward", b"\x4a" + eth(veth_mac, peer_mac, 0x800, fwd(64)))
put("netrx", "eth-forward-ttl1", b"\x4a" + eth(veth_mac, peer_mac, 0x800, fwd(1)))
put("netrx", "ip4-unknown-proto", b"\x00" + ip4(200, b"zzzz"))
