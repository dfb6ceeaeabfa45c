# SO_LINGER with a timeout: close(2) waits until what was sent is
# acknowledged, or the time is up.  A peer that reads nothing keeps its
# window shut, so close waits the whole second; a peer that reads
# everything lets it return at once; linger 0 resets.  Run by cases.txt.
import socket
import struct
import threading
import time

for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    name = fam.name
    l = socket.socket(fam)
    l.bind((host, 0))
    l.listen(4)

    # A peer that does not read: the data and the FIN stay unacknowledged.
    c = socket.create_connection(l.getsockname()[:2])
    a, _ = l.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 1))
    c.setblocking(False)
    sent = 0
    try:
        while True:
            sent += c.send(b"x" * 65536)
    except BlockingIOError:
        pass
    c.setblocking(True)
    t0 = time.monotonic()
    c.close()
    dt = time.monotonic() - t0
    print(name, "peer not reading, linger 1 s: close waited", "about 1 s" if 0.8 < dt < 2.5 else "%.2f s" % dt)
    got = 0
    a.settimeout(5)
    while True:
        d = a.recv(1 << 20)
        if not d:
            break
        got += len(d)
    print(name, "  the peer still gets it all, then EOF:", got == sent)
    a.close()

    # A peer that reads: close returns as soon as all is acknowledged.
    c = socket.create_connection(l.getsockname()[:2])
    a, _ = l.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 5))
    reader = threading.Thread(target=lambda: [None for _ in iter(lambda: a.recv(1 << 20), b"")])
    reader.start()
    c.sendall(b"y" * 1000000)
    t0 = time.monotonic()
    c.close()
    dt = time.monotonic() - t0
    reader.join()
    print(name, "peer reading, linger 5 s: close returned", "at once" if dt < 1 else "after %.2f s" % dt)
    a.close()

    # Linger 0: a reset, whatever was sent.
    c = socket.create_connection(l.getsockname()[:2])
    a, _ = l.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.send(b"z" * 100)
    c.close()
    time.sleep(0.1)
    try:
        print(name, "linger 0: the peer reads", len(a.recv(1000)), "then", a.recv(1000))
    except OSError as e:
        print(name, "linger 0: the peer gets", type(e).__name__)
    a.close()
    l.close()
