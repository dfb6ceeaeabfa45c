# The interface ioctls a program asks on a socket of each family (glibc's
# if_nametoindex, iproute2's qlen, net-tools): what each answers, errnos
# included.  Run by cases.txt with Debian's python3.
import array
import fcntl
import socket
import struct

REQS = (("ADDR", 0x8915), ("NETMASK", 0x891b), ("BRDADDR", 0x8919), ("DSTADDR", 0x8917), ("FLAGS", 0x8913),
        ("INDEX", 0x8933), ("TXQLEN", 0x8942), ("MTU", 0x8921), ("HWADDR", 0x8927), ("METRIC", 0x891d),
        ("MAP", 0x8970), ("unknown 0x89c0", 0x89c0))


def ioctl(s, what, req, arg):
    try:
        return fcntl.ioctl(s, req, arg)
    except OSError as e:
        print(s.family, what, "errno", e.errno)
        return None


for fam, typ in ((socket.AF_UNIX, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_STREAM),
                 (socket.AF_INET6, socket.SOCK_STREAM), (socket.AF_NETLINK, socket.SOCK_RAW)):
    s = socket.socket(fam, typ)
    for name, req in REQS:
        r = ioctl(s, name, req, struct.pack("16s24s", b"lo", b""))
        if r:
            print(fam, name, r[16:40].hex())
    ioctl(s, "nosuch", 0x8933, struct.pack("16s24s", b"nosuch", b""))
    r = ioctl(s, "NAME", 0x8910, struct.pack("16si20s", b"", 1, b""))
    if r:
        print(fam, "NAME", r[:16].rstrip(b"\0"))
    ioctl(s, "NAME 99", 0x8910, struct.pack("16si20s", b"", 99, b""))
    buf = array.array("B", bytes(200))
    r = ioctl(s, "CONF", 0x8912, struct.pack("iiQ", 200, 0, buf.buffer_info()[0]))
    print(fam, "CONF", struct.unpack("iiQ", r)[0], bytes(buf[:40]).hex())
    r = ioctl(s, "CONF short", 0x8912, struct.pack("iiQ", 39, 0, buf.buffer_info()[0]))
    print(fam, "CONF short", struct.unpack("iiQ", r)[0])
    r = ioctl(s, "CONF size", 0x8912, struct.pack("iiQ", 0, 0, 0))
    print(fam, "CONF size", struct.unpack("iiQ", r)[0])
print("if_nametoindex", socket.if_nametoindex("lo"), "if_indextoname", socket.if_indextoname(1))
print("if_nameindex", socket.if_nameindex())
