# IP_RECVERR / IPV6_RECVERR on UDP: the ICMP error about a datagram sent to
# a closed port comes back on the error queue (recvmsg MSG_ERRQUEUE) with
# the datagram's payload, where it went, and a sock_extended_err naming the
# ICMP type and code and who sent it; POLLERR while it waits; the pending
# error (SO_ERROR) follows the queue.  Without the option an unconnected
# socket hears nothing.  Run by cases.txt.
import errno
import select
import socket
import struct

IP_RECVERR, IPV6_RECVERR = 11, 25
MSG_ERRQUEUE = 0x2000


def closed_port(fam, host):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


for fam, host, level, opt in ((socket.AF_INET, "127.0.0.1", socket.IPPROTO_IP, IP_RECVERR),
                              (socket.AF_INET6, "::1", socket.IPPROTO_IPV6, IPV6_RECVERR)):
    name = fam.name
    port = closed_port(fam, host)
    quiet = socket.socket(fam, socket.SOCK_DGRAM)
    quiet.sendto(b"nobody", (host, port))
    p = select.poll()
    p.register(quiet, select.POLLIN | select.POLLERR)
    print(name, "without the option, unconnected: poll", p.poll(200))
    try:
        quiet.recvmsg(100, 100, MSG_ERRQUEUE)
    except OSError as e:
        print(name, "  error queue:", errno.errorcode[e.errno])

    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(level, opt, 1)
    print(name, "option reads", s.getsockopt(level, opt))
    s.sendto(b"first datagram", (host, port))
    p = select.poll()
    p.register(s, select.POLLIN)
    print(name, "poll", p.poll(500))
    print(name, "SO_ERROR", errno.errorcode.get(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0))
    s.sendto(b"second", (host, port))
    print(name, "poll", p.poll(500))
    for i in range(3):
        try:
            data, anc, flags, addr = s.recvmsg(100, 512, MSG_ERRQUEUE)
        except OSError as e:
            print(name, "  then:", errno.errorcode[e.errno])
            continue
        print(name, "  data", data, "flags", hex(flags), "to port", addr[1] == port)
        for lvl, typ, blob in anc:
            ee_errno, origin, typ_, code, pad, info, edata = struct.unpack("=IBBBBII", blob[:16])
            off = blob[16:]
            offender = socket.inet_ntop(fam, off[4:8] if fam == socket.AF_INET else off[8:24])
            print(name, "  cmsg", lvl, typ, "errno", errno.errorcode[ee_errno], "origin", origin, "type", typ_,
                  "code", code, "info", info, "data", edata, "offender", offender, "len", len(blob))
        print(name, "  SO_ERROR now", errno.errorcode.get(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0))
    print(name, "poll after", p.poll(0))
    s.sendto(b"third", (host, port))
    p.poll(500)
    try:
        s.recv(100)
    except OSError as e:
        print(name, "a plain recv takes the pending error:", errno.errorcode[e.errno])
    print(name, "and the queue still holds it:", s.recvmsg(100, 512, MSG_ERRQUEUE)[0])
