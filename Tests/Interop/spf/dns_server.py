#!/usr/bin/env python3
"""A tiny authoritative DNS server for the `mailgate spf check` interop test (issue 4).

Usage: dns_server.py MODE PORTFILE
  MODE: answer | silent | garbage
Binds UDP and TCP on 127.0.0.1 (a free port), writes the port to PORTFILE, serves until killed.
Only the standard library: the test needs no DNS package.
"""
import os
import socket
import struct
import sys
import threading

ZONE = {
    ("example.com", 16): [b"v=spf1 include:_spf.example.net -all exp=why.example.com"],
    ("_spf.example.net", 16): [b"v=spf1 ip4:192.0.2.0/24 a:mail.example.org ~all"],
    ("why.example.com", 16): [b"%{i} is not allowed to send for %{d}"],
    ("mail.example.org", 1): [bytes([198, 51, 100, 7])],
}


def parse_question(data):
    pos, labels = 12, []
    while True:
        length = data[pos]
        if length == 0:
            pos += 1
            break
        labels.append(data[pos + 1:pos + 1 + length].decode("ascii", "replace"))
        pos += 1 + length
    qtype, qclass = struct.unpack("!HH", data[pos:pos + 4])
    return ".".join(labels).lower(), qtype, data[12:pos + 4]


def answer(data):
    (qid,) = struct.unpack("!H", data[:2])
    name, qtype, question = parse_question(data)
    records = ZONE.get((name, qtype), [])
    exists = any(key[0] == name for key in ZONE)
    rcode = 0 if exists else 3
    out = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(records), 0, 0) + question
    for rdata in records:
        if qtype == 16:
            rdata = bytes([len(rdata)]) + rdata
        out += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
    return out


def serve_udp(sock, mode):
    while True:
        data, peer = sock.recvfrom(4096)
        if mode == "silent":
            continue
        if mode == "garbage":
            sock.sendto(data[:2] + b"\xff\xffnot a dns message", peer)
            continue
        sock.sendto(answer(data), peer)


def serve_tcp(sock, mode):
    while True:
        conn, _ = sock.accept()
        with conn:
            head = conn.recv(2)
            if len(head) < 2 or mode != "answer":
                continue
            (length,) = struct.unpack("!H", head)
            data = conn.recv(length)
            reply = answer(data)
            conn.sendall(struct.pack("!H", len(reply)) + reply)


def bind_pair():
    """A UDP and a TCP socket on the same free port of 127.0.0.1.

    The UDP port is chosen by the kernel, and the same number can already be taken for TCP (an
    outgoing connection of another test holds it as its ephemeral port): then try another."""
    for _ in range(100):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", port))
        except OSError:
            tcp.close()
            udp.close()
            continue
        return udp, tcp, port
    raise SystemExit("no port free for both UDP and TCP")


def main():
    mode, portfile = sys.argv[1], sys.argv[2]
    udp, tcp, port = bind_pair()
    tcp.listen(16)
    threading.Thread(target=serve_tcp, args=(tcp, mode), daemon=True).start()
    # Written whole and renamed, so the test never reads a half-written port.
    with open(portfile + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(portfile + ".tmp", portfile)
    serve_udp(udp, mode)


if __name__ == "__main__":
    main()
