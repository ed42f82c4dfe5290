#!/usr/bin/env python3
"""A DNS server on loopback that answers every query NXDOMAIN, at once.

The benchmark's SMTP load comes from loadgen@bench-sender.test: with this resolver the SPF
check is a real lookup (result "none") that costs a loopback round trip, not a timeout. Like
a real server it puts an SOA in the authority section, so the answer may be cached for the
SOA's minimum TTL (RFC 2308 5), as a recursive resolver would.

    nxdomain-dns.py PORT
"""
import socket
import sys


def answer(query: bytes) -> bytes | None:
    if len(query) < 12:
        return None
    # Walk the question name (RFC 1035 4.1.2) to find the end of the question.
    pos = 12
    while pos < len(query) and query[pos] != 0:
        pos += 1 + query[pos]
    end = pos + 5  # the zero label, QTYPE, QCLASS
    if end > len(query):
        return None
    flags = 0x8000 | (query[2] & 0x79) << 8 | 0x80 | 3  # QR, opcode+RD kept, RA, NXDOMAIN
    header = query[0:2] + flags.to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x01\x00\x00"
    # Authority: ". SOA . . 1 3600 600 86400 300" with a TTL of 300 s.
    rdata = b"\x00\x00" + b"".join(n.to_bytes(4, "big") for n in (1, 3600, 600, 86400, 300))
    soa = b"\x00" + (6).to_bytes(2, "big") + (1).to_bytes(2, "big") + (300).to_bytes(4, "big")
    soa += len(rdata).to_bytes(2, "big") + rdata
    return header + query[12:end] + soa


def main() -> None:
    port = int(sys.argv[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    while True:
        data, peer = sock.recvfrom(4096)
        reply = answer(data)
        if reply:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
