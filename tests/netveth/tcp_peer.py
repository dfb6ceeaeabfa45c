# TCP against a scripted peer, as packetdrill scripts do: scapy on the host
# end of the veth plays the client of a connection to an echo server in the
# sandbox (198.18.0.2:7010), from 198.18.5.5, an address behind the
# sandbox's gateway (198.18.0.1) that this namespace's kernel does not own:
# it drops the sandbox's answers (no forwarding) instead of resetting them,
# and scapy sees them on the wire.  Each check prints PASS or FAIL.
# Usage: tcp_peer.py IFACE SANDBOX_MAC
import select
import sys
import time

from scapy.all import IP, TCP, Ether, Raw, conf, get_if_hwaddr  # noqa: E402

iface, mac = sys.argv[1], sys.argv[2]
conf.verb = 0
ME, SB, PORT = "198.18.5.5", "198.18.0.2", 7010
sock = conf.L2socket(iface=iface)
my_mac = get_if_hwaddr(iface)
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("PASS" if ok else "FAIL"), "netveth/tcp-peer:", name + ("" if ok else ": " + detail), flush=True)
    if not ok:
        failures += 1


def send(sport, flags, seq, ack=0, data=b"", win=65535, options=()):
    pkt = Ether(src=my_mac, dst=mac) / IP(src=ME, dst=SB) / TCP(sport=sport, dport=PORT, flags=flags, seq=seq,
                                                                  ack=ack, window=win, options=list(options))
    if data:
        pkt = pkt / Raw(data)
    sock.send(pkt)


def expect(sport, timeout, pred=lambda t: True):
    """The next segment from the sandbox to sport that pred accepts, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not select.select([sock], [], [], max(0, end - time.monotonic()))[0]:
            return None
        p = sock.recv()
        if p is None or IP not in p or TCP not in p:
            continue
        if p[IP].src != SB or p[IP].dst != ME or p[TCP].dport != sport:
            continue
        if pred(p[TCP]):
            return p[TCP]
    return None


def opts(t):
    return {k: v for k, v in t.options}


def handshake(sport, options):
    send(sport, "S", 1000, options=options)
    sa = expect(sport, 2, lambda t: t.flags == "SA")
    if sa is None:
        return None, None
    send(sport, "A", 1001, sa.seq + 1)
    return sa, sa.seq + 1


# 1. Handshake options: MSS from the MTU, window scaling, SACK permitted, our timestamp echoed.
sport = 40001
sa, rcv = handshake(sport, [("MSS", 1000), ("WScale", 7), ("SAckOK", b""), ("Timestamp", (12345, 0))])
check("SYN-ACK to a SYN", sa is not None)
if sa is None:
    sys.exit(1)
o = opts(sa)
check("SYN-ACK options: MSS 1460 (MTU 1500)", o.get("MSS") == 1460, str(o))
check("SYN-ACK options: window scaling", "WScale" in o, str(o))
check("SYN-ACK options: SACK permitted", "SAckOK" in o, str(o))
check("SYN-ACK options: our timestamp echoed", "Timestamp" in o and o["Timestamp"][1] == 12345, str(o))
ts = [12346]


def tsopt():
    ts[0] += 1
    return [("Timestamp", (ts[0], 0))]


# 2. Data in order is acknowledged (and echoed back).
seq = 1001
send(sport, "PA", seq, rcv, b"a" * 100, options=tsopt())
a = expect(sport, 2, lambda t: t.ack == seq + 100)
check("100 bytes in order are acknowledged", a is not None)
seq += 100
echo = expect(sport, 2, lambda t: len(t.payload) > 0)
check("... and echoed", echo is not None and bytes(echo.payload) == b"a" * 100)
if echo is not None:
    rcv = echo.seq + len(echo.payload)
    send(sport, "A", seq, rcv, options=tsopt())

# 3. A hole: the segment after it is acknowledged at the hole with a SACK block for it; filling it moves the ACK on.
send(sport, "PA", seq + 100, rcv, b"c" * 100, options=tsopt())
d = expect(sport, 2, lambda t: t.ack == seq)
sack = d is not None and [v for k, v in d.options if k == "SAck"]
check("out of order: a duplicate ACK at the hole", d is not None)
check("out of order: ... with a SACK block for what came", bool(sack) and sack[0][:2] == (seq + 100, seq + 200),
      str(d.options if d is not None else None))
send(sport, "PA", seq, rcv, b"b" * 100, options=tsopt())
a = expect(sport, 2, lambda t: t.ack == seq + 200)
check("the hole filled: everything acknowledged", a is not None)
seq += 200

# 4. Retransmission: the echo of those 200 bytes is not acknowledged, so it comes again, from the same sequence number.
first = expect(sport, 2, lambda t: len(t.payload) > 0)
again = first and expect(sport, 4, lambda t: len(t.payload) > 0 and t.seq == first.seq)
check("unacknowledged data is sent again (RTO)", again is not None)
if first is not None:
    # Acknowledge all that the peer has echoed by now.
    rcv = first.seq + 200
    send(sport, "A", seq, rcv, options=tsopt())

# 5. A zero window: data for us waits, probed, until the window opens.
send(sport, "PA", seq, rcv, b"z" * 50, win=0, options=tsopt())
seq += 50
probe = expect(sport, 4, lambda t: t.seq in (rcv, rcv - 1) and len(t.payload) <= 1 and t.ack == seq)
check("zero window: the sender probes", probe is not None)
send(sport, "A", seq, rcv, win=65535, options=tsopt())
data = expect(sport, 4, lambda t: len(t.payload) > 1)
check("zero window: data flows once it opens", data is not None and bytes(data.payload).startswith(b"z"))
if data is not None:
    rcv = data.seq + len(data.payload)
    send(sport, "A", seq, rcv, options=tsopt())

# 6. PAWS (RFC 7323): data with a timestamp older than the last one is an old duplicate: only ACKed.
send(sport, "PA", seq, rcv, b"old", options=[("Timestamp", (100, 0))])
a = expect(sport, 2, lambda t: len(t.payload) == 0 and "A" in t.flags)
check("PAWS: an old timestamp's data is not taken (a duplicate ACK)", a is not None and a.ack == seq,
      "ack %s, want %d" % (a.ack if a is not None else None, seq))
check("PAWS: ... nor echoed", expect(sport, 0.5, lambda t: len(t.payload) > 0) is None)

# 7. RST: out of window, a challenge ACK (RFC 5961) and the connection lives; at rcv_nxt, it is gone.
send(sport, "R", seq + 100000, options=())
c = expect(sport, 2, lambda t: "A" in t.flags and "R" not in t.flags and t.ack == seq)
check("RST out of the window: a challenge ACK", c is not None)
send(sport, "R", seq)
send(sport, "PA", seq, rcv, b"after", options=tsopt())
r = expect(sport, 2, lambda t: "R" in t.flags)
check("RST in window: the connection is gone (data after it is reset)", r is not None)

# 8. A segment for no connection: RST (RFC 9293 3.10.7.1).
send(40002, "A", 5000, 7000)
r = expect(40002, 2, lambda t: "R" in t.flags)
check("an ACK for no connection is answered with RST, seq = its ack", r is not None and r.seq == 7000)
sys.exit(1 if failures else 0)
