# A new connection for the address pair of one the server closed first,
# which it still holds in TIME_WAIT: Linux takes the new SYN (its sequence
# number is past the old connection's) and the connection opens at once,
# rather than after the client's SYN retry a second later.  Both IPv4 and
# IPv6, the client reusing its port with SO_REUSEADDR.  Run by cases.txt.
import socket
import time

for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    l = socket.socket(fam)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((host, 0))
    l.listen(8)
    port = None
    slow = 0
    for i in range(5):
        c = socket.socket(fam)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((host, port or 0))
        port = c.getsockname()[1]
        t0 = time.monotonic()
        c.connect(l.getsockname())
        if time.monotonic() - t0 > 0.5:
            slow += 1
        a, _ = l.accept()
        a.sendall(b"bye")
        a.close()  # the server closes first: its end waits in TIME_WAIT
        assert c.recv(10) == b"bye"
        assert c.recv(10) == b""
        c.close()
    print(fam.name, "5 connections from one port, slow connects:", slow)
