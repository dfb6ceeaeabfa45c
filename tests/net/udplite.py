# UDP-Lite (RFC 3828) as a program sees it on Linux: the coverage options
# and their rounding, the length field and checksum on the wire (read back
# through a raw socket and checked here), partial coverage refused by a
# receiver that asks for more, UDP and UDP-Lite ports apart, and the
# UdpLite/UdpLite6 counters.  Run by cases.txt with Debian's python3.
import errno
import socket
import struct

from snmp import counters

IPPROTO_UDPLITE, SOL_UDPLITE = 136, 136
SEND_CSCOV, RECV_CSCOV = 10, 11


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def check_wire(fam, raw, host, payload_len):
    """The UDP-Lite header of the next packet on raw: length field, and whether its checksum is right."""
    pkt = raw.recv(70000)
    if fam == socket.AF_INET:
        ihl = (pkt[0] & 15) * 4
        src, dst, hdr = pkt[12:16], pkt[16:20], pkt[ihl:]
        pseudo = src + dst + struct.pack("!BBH", 0, IPPROTO_UDPLITE, len(hdr))
    else:
        hdr = pkt  # IPv6 raw sockets get the payload only
        src = dst = socket.inet_pton(fam, host)
        pseudo = src + dst + struct.pack("!IxxxB", len(hdr), IPPROTO_UDPLITE)
    cov = struct.unpack("!H", hdr[4:6])[0]
    covered = hdr[:cov if cov else len(hdr)]
    ok = (csum(pseudo + covered) == 0xffff)
    return "len field %d, %d bytes, checksum %s" % (cov, len(hdr) - 8, "good" if ok else "BAD")


def attempt(what, fn):
    try:
        r = fn()
        print(what, "->", r)
    except OSError as e:
        print(what, "->", errno.errorcode[e.errno])


before = counters()
for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    name = fam.name
    s = socket.socket(fam, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
    print(name, "protocol", s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL),
          "send cscov", s.getsockopt(SOL_UDPLITE, SEND_CSCOV), "recv cscov", s.getsockopt(SOL_UDPLITE, RECV_CSCOV))
    for v in (3, -5, 100000, 0, 20):
        s.setsockopt(SOL_UDPLITE, SEND_CSCOV, v)
        print(name, "SEND_CSCOV", v, "reads", s.getsockopt(SOL_UDPLITE, SEND_CSCOV),
              "at SOL_UDP", s.getsockopt(socket.SOL_UDP, SEND_CSCOV))
    u = socket.socket(fam, socket.SOCK_DGRAM)
    attempt(name + " UDPLITE_SEND_CSCOV on UDP", lambda: u.setsockopt(SOL_UDPLITE, SEND_CSCOV, 20))
    attempt(name + " UDPLITE_RECV_CSCOV read on UDP", lambda: u.getsockopt(SOL_UDPLITE, RECV_CSCOV))
    attempt(name + " short option", lambda: s.setsockopt(SOL_UDPLITE, SEND_CSCOV, b"\1\0"))

    r = socket.socket(fam, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
    r.bind((host, 0))
    port = r.getsockname()[1]
    u.bind((host, port))
    print(name, "a UDP socket binds the UDP-Lite socket's port too")
    r.settimeout(0.5)
    raw = socket.socket(fam, socket.SOCK_RAW, IPPROTO_UDPLITE)
    raw.settimeout(2)

    for send_cov, recv_cov in ((None, None), (20, None), (20, 16), (20, 30), (0, 30), (None, 0), (20, 0)):
        s = socket.socket(fam, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
        if send_cov is not None:
            s.setsockopt(SOL_UDPLITE, SEND_CSCOV, send_cov)
        if recv_cov is not None:
            r.setsockopt(SOL_UDPLITE, RECV_CSCOV, recv_cov)
        s.sendto(b"p" * 100, (host, port))
        wire = check_wire(fam, raw, host, 100)
        try:
            got = "received %d" % len(r.recv(1000))
        except socket.timeout:
            got = "dropped"
        print(name, "send cscov", send_cov, "recv cscov", recv_cov, ":", wire, ";", got)
    s.sendto(b"short", (host, port))
    check_wire(fam, raw, host, 5)
    print(name, "coverage past a short datagram: received", len(r.recv(1000)))
after = counters()
for g in ("UdpLite", "UdpLite6"):
    for n in ("InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "InCsumErrors"):
        key = g + n
        print(key, after[key] - before[key])
print("Udp untouched:", after["UdpInDatagrams"] - before["UdpInDatagrams"], after["UdpOutDatagrams"] - before["UdpOutDatagrams"])
