# UDP on loopback, IPv4 and IPv6.
import socket

for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    a = socket.socket(fam, socket.SOCK_DGRAM)
    a.bind((host, 0))
    b = socket.socket(fam, socket.SOCK_DGRAM)
    b.sendto(b"dgram", a.getsockname())
    print(fam.name, a.recvfrom(100)[0])
