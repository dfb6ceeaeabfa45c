# TCP on loopback: 100 kB one way, a short answer back, then EOF.
import socket, threading

srv = socket.create_server(("127.0.0.1", 0))
port = srv.getsockname()[1]


def serve():
    c, _ = srv.accept()
    data = b""
    while len(data) < 100000:
        data += c.recv(65536)
    c.sendall(data[-10:])
    c.close()


t = threading.Thread(target=serve)
t.start()
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"ab" * 50000)
print(c.recv(100))
print(c.recv(100))
c.close()
t.join()
