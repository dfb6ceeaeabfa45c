"""What a UDP socket with IP_RECVERR hears back about one datagram: the
ICMP error from its error queue (errno, type, code, info, and who sent
it), or that none came.  Used by veth.sh's route part to see a router
namespace's errors.  Usage: icmperr.py DST TTL SIZE [DF]"""
import errno
import select
import socket
import struct
import sys

IP_MTU_DISCOVER, IP_RECVERR = 10, 11  # <linux/in.h>; Python has no names for them

dst, ttl, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
s.setsockopt(socket.SOL_IP, socket.IP_TTL, ttl)
# DF or not, said outright: IP_PMTUDISC_DO (2) or IP_PMTUDISC_DONT (0).
s.setsockopt(socket.SOL_IP, IP_MTU_DISCOVER, 2 if len(sys.argv) > 4 else 0)
s.sendto(b"x" * size, (dst, 33434))
p = select.poll()
p.register(s, select.POLLERR)
if not p.poll(2000):
    print(f"{dst} ttl {ttl} size {size}: no error")
    sys.exit(0)
_, anc, _, _ = s.recvmsg(2048, 1024, socket.MSG_ERRQUEUE)
for level, typ, data in anc:
    if level == socket.SOL_IP and typ == IP_RECVERR:
        err, origin, etype, ecode, _, info, _ = struct.unpack("=IBBBBII", data[:16])
        src = socket.inet_ntoa(data[20:24])
        print(f"{dst} ttl {ttl} size {size}: {errno.errorcode[err]} origin {origin} type {etype} code {ecode} "
              f"info {info} from {src}")
