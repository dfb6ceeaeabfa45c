import socket, os, asyncio, array, selectors
a, b = socket.socketpair()
a.sendall(b"hello"); print("pair", b.recv(10))
r, w = os.pipe()
socket.send_fds(a, [b"fds"], [r]); msg, fds, flags, addr = socket.recv_fds(b, 10, 4)
os.write(w, b"via passed fd"); print("passed", msg, os.read(fds[0], 100))
print("peercred", a.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12) != b"")
srv = socket.socket(socket.AF_UNIX); srv.bind("/tmp/cvt-s.sock"); srv.listen(4)
c = socket.socket(socket.AF_UNIX); c.connect("/tmp/cvt-s.sock"); s, _ = srv.accept()
c.sendall(b"x" * 100000); got = b""
while len(got) < 100000: got += s.recv(65536)
print("stream", len(got)); c.close(); print("eof", s.recv(10))
d1 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d1.bind("\0abs")
d2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d2.sendto(b"dg", "\0abs"); print("dgram", d1.recvfrom(10)[0])
async def main():
    async def handle(rd, wr):
        data = await rd.readline(); wr.write(data.upper()); await wr.drain(); wr.close()
    server = await asyncio.start_unix_server(handle, "/tmp/cvt-a.sock")
    rd, wr = await asyncio.open_unix_connection("/tmp/cvt-a.sock")
    wr.write(b"asyncio\n"); await wr.drain(); print("async", await rd.readline())
    wr.close(); server.close(); await server.wait_closed()
asyncio.run(main())
