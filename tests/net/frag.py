# UDP datagrams larger than the link's MTU, over lo made 1500 bytes (as a
# veth's): fragmented on the way out, reassembled on the way in, for IPv4
# and IPv6, and refused with EMSGSIZE when the socket asks for no
# fragments (IP_MTU_DISCOVER / IPV6_MTU_DISCOVER = DO).  Prints what was
# received and the counters of /proc/net/snmp and snmp6 that moved, which
# must be Linux's: the same fragment sizes make the same counts.
# Run by cases.txt with Debian's python3, in a namespace of its own.
import errno
import socket
import subprocess

from snmp import counters

IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2
IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO = 23, 2


WATCH = ("IpReasmReqds", "IpReasmOKs", "IpReasmFails", "IpFragOKs", "IpFragFails", "IpFragCreates",
         "Ip6ReasmReqds", "Ip6ReasmOKs", "Ip6ReasmFails", "Ip6FragOKs", "Ip6FragFails", "Ip6FragCreates",
         "IpOutDiscards", "Ip6OutDiscards", "UdpInDatagrams", "Udp6InDatagrams")

subprocess.run(["ip", "link", "set", "lo", "mtu", "1500"], check=True)
before = counters()
for fam, host, level, opt, do in ((socket.AF_INET, "127.0.0.1", socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO),
                                  (socket.AF_INET6, "::1", socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO)):
    r = socket.socket(fam, socket.SOCK_DGRAM)
    r.bind((host, 0))
    r.settimeout(5)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for size in (1400, 1472, 1473, 4000, 20000, 65507 if fam == socket.AF_INET else 65527):
        data = bytes((i * 7 + size) & 0xff for i in range(size))
        s.sendto(data, r.getsockname())
        got = r.recv(70000)
        print(fam.name, size, "sent, received", len(got), "equal" if got == data else "DIFFERENT")
    s.setsockopt(level, opt, do)
    try:
        s.sendto(b"x" * 4000, r.getsockname())
        print(fam.name, "DO: sent 4000")
    except OSError as e:
        print(fam.name, "DO: 4000 bytes:", errno.errorcode[e.errno])
    s.sendto(b"y" * 1000, r.getsockname())
    print(fam.name, "DO: 1000 bytes received", len(r.recv(70000)))
after = counters()
for n in WATCH:
    print(n, after[n] - before[n])
