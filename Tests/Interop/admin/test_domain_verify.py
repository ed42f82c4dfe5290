"""`domain verify` against a real DNS server on loopback (dnslib), through dns.resolver."""
import json
import socket

import pytest

dnslib = pytest.importorskip("dnslib")
from dnslib.server import DNSServer, BaseResolver  # noqa: E402


class ZoneResolver(BaseResolver):
    def __init__(self, zone_text):
        self.records = dnslib.RR.fromZone(zone_text)

    def resolve(self, request, handler):
        reply = request.reply()
        qname, qtype = request.q.qname, request.q.qtype
        for rr in self.records:
            if rr.rname == qname and (rr.rtype == qtype or qtype == dnslib.QTYPE.ANY):
                reply.add_answer(rr)
        if not reply.rr and not any(rr.rname == qname for rr in self.records):
            reply.header.rcode = dnslib.RCODE.NXDOMAIN
        return reply


def serve_zone(zone_text):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = DNSServer(ZoneResolver(zone_text), address="127.0.0.1", port=port)
    server.start_thread()
    return server, port


def test_domain_verify_reports_each_record(gateway):
    gateway.ok("domain", "add", "example.test")
    records = json.loads(gateway.ok("domain", "records", "example.test", "--json"))
    token = next(r["value"] for r in records if r["purpose"] == "ownership")
    spf = next(r["value"] for r in records if r["purpose"] == "spf")

    # Only the ownership TXT and a wrong MX are published: not verified.
    server, port = serve_zone(f'example.test. 3600 IN TXT "{token}"\n'
                              'example.test. 3600 IN MX 10 other.example.net.\n')
    try:
        text = gateway.config.read_text().replace("127.0.0.1:5399", f"127.0.0.1:{port}")
        gateway.config.write_text(text)
        result = gateway.run("domain", "verify", "example.test", "--json", check=1)
        report = json.loads(result.stdout)
        status = {(r["type"], r["name"]): r["status"] for r in report["records"]}
        assert report["verified"] is False
        assert status[("MX", "example.test")] == "wrong"
        assert status[("CNAME", "autodiscover.example.test")] == "missing"
        assert [r for r in report["records"] if r["type"] == "TXT" and r["expected"] == token][0]["status"] == "ok"
        assert json.loads(gateway.ok("domain", "list", "--json"))[0]["verified"] is False
    finally:
        server.stop()

    # Everything published: verified, and domain list says so.
    server, port2 = serve_zone(
        f'example.test. 3600 IN TXT "{token}"\n'
        f'example.test. 3600 IN TXT "{spf}"\n'
        'example.test. 3600 IN MX 10 mail.example.test.\n'
        'autodiscover.example.test. 3600 IN CNAME mail.example.test.\n')
    try:
        gateway.config.write_text(gateway.config.read_text().replace(f"127.0.0.1:{port}", f"127.0.0.1:{port2}"))
        out = gateway.ok("domain", "verify", "example.test")
        assert "example.test is verified" in out
        listed = json.loads(gateway.ok("domain", "list", "--json"))[0]
        assert listed["verified"] is True and listed["status"] == "verified"
    finally:
        server.stop()
