"""SMTP ingress (issue 5) with independent clients over loopback: Python's smtplib (plain and
STARTTLS), swaks and curl, against the built `mailgate serve`.

SPF needs DNS: a small dnslib zone server on loopback publishes the senders' SPF records and the
config's `dns.resolver` points at it (the shared fixture's 127.0.0.1:5399 answers nothing, which
would give SPF temperror and 451 for every MAIL FROM).

A delivered message is checked by reading the SQLite store directly (read-only, tables
message/content/folder/address/mailbox): what was stored, byte for byte, with no other protocol
in between. The IMAP suite fetches SMTP deliveries too (IDLE woken by one), and the Swift
transcript tests check the same through the MailStore API.
"""
import shutil
import signal
import smtplib
import socket
import sqlite3
import ssl
import subprocess
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import free_port, wait_for_port

dnslib = pytest.importorskip("dnslib")
from dnslib.server import BaseResolver, DNSServer  # noqa: E402

ZONE = (
    'pass.test. 300 IN TXT "v=spf1 ip4:127.0.0.0/8 -all"\n'
    'fail.test. 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"\n'
    'perm.test. 300 IN TXT "v=spf1 ip4:127.0.0.1 bogus:x -all"\n'
)


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


class SMTPGateway:
    """The shared gateway with smtp.listen, a zone server and two licensed users."""

    def __init__(self, gateway, spf_permerror="tag"):
        self.gateway = gateway
        self.port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            dns_port = s.getsockname()[1]
        self.dns = DNSServer(ZoneResolver(ZONE), address="127.0.0.1", port=dns_port)
        self.dns.start_thread()
        text = gateway.config.read_text().replace("127.0.0.1:5399", f"127.0.0.1:{dns_port}")
        text += (
            "smtp:\n"
            f"  listen: 127.0.0.1:{self.port}\n"
            "  max_message_bytes: 200000\n"
            "  max_recipients: 5\n"
            "  spf_fail: reject\n"
            f"  spf_permerror: {spf_permerror}\n"
        )
        gateway.config.write_text(text)
        gateway.ok("domain", "add", "example.test")
        gateway.ok("license", "add", "P1", "--count", "5")
        for user in ("ann@example.test", "bob@example.test"):
            gateway.ok("user", "add", user, "--password", "Secret-Pass1", "--license", "P1")
        gateway.ok("user", "alias", "ann@example.test", "--add", "info@example.test")
        gateway.start()
        self.wait_for_port()

    def wait_for_port(self):
        if not wait_for_port(self.port):
            raise AssertionError("smtp.listen did not open:\n" + self.gateway.serve_log())

    @property
    def ca(self):
        return str(self.gateway.root / "certs/dev/ca.crt")

    def inbox(self, address):
        """The messages in the user's Inbox, read from the SQLite file (read-only)."""
        path = self.gateway.root / "data" / "mailgate.sqlite"
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            rows = db.execute(
                "SELECT c.bytes FROM message m JOIN content c ON c.id = m.content_id "
                "JOIN folder f ON f.id = m.folder_id JOIN mailbox b ON b.id = f.mailbox_id "
                "JOIN address a ON a.user_id = b.user_id AND a.is_primary = 1 AND a.is_live = 1 "
                "WHERE f.role = 'inbox' AND a.address = ? ORDER BY m.uid",
                (address,),
            ).fetchall()
        finally:
            db.close()
        return [bytes(r[0]) for r in rows]

    def close(self):
        self.dns.stop()


@pytest.fixture
def smtp(gateway):
    g = SMTPGateway(gateway)
    yield g
    g.close()


MESSAGE = b"From: alice@pass.test\r\nTo: ann@example.test\r\nSubject: interop\r\n\r\nHello.\r\n.dot line\r\n"


def test_smtplib_plain_delivery_with_trace_headers(smtp):
    with smtplib.SMTP("127.0.0.1", smtp.port, timeout=30) as client:
        code, text = client.ehlo("client.test")
        assert code == 250
        for keyword in ("pipelining", "size", "8bitmime", "smtputf8", "enhancedstatuscodes", "starttls"):
            assert client.has_extn(keyword), keyword
        assert client.esmtp_features["size"] == "200000"
        refused = client.sendmail("alice@pass.test", ["ann@example.test"], MESSAGE)
        assert refused == {}
    [stored] = smtp.inbox("ann@example.test")
    assert stored.startswith(b"Authentication-Results: mail.example.test;\r\n\tspf=pass smtp.mailfrom=alice@pass.test\r\n")
    assert b"\r\nReceived-SPF: pass " in stored
    assert b"\r\nReceived: from client.test ([127.0.0.1])\r\n\tby mail.example.test (Mailgate) with ESMTP id " in stored
    assert b"\tfor <ann@example.test>; " in stored
    # smtplib dot-stuffs ".dot line"; the stored message has it back.
    assert stored.endswith(b"Subject: interop\r\n\r\nHello.\r\n.dot line\r\n")
    with urllib.request.urlopen(f"http://127.0.0.1:{smtp.gateway.http_port}/metrics", timeout=10) as response:
        metrics = response.read().decode()
    assert "mailgate_smtp_messages_accepted_total 1" in metrics
    assert 'mailgate_smtp_spf_results_total{result="pass"} 1' in metrics
    assert "mailgate_smtp_connections_total" in metrics


def test_smtplib_refusals(smtp):
    with smtplib.SMTP("127.0.0.1", smtp.port, timeout=30) as client:
        client.ehlo("client.test")
        code, text = client.mail("x@fail.test")
        assert code == 550 and text.startswith(b"5.7.23 SPF MAIL FROM check failed (Fail)")
        assert client.mail("alice@pass.test")[0] == 250
        assert client.rcpt("nobody@example.test") == (550, b"5.1.1 No such user here")
        assert client.rcpt("someone@elsewhere.test") == (550, b"5.7.1 Relaying denied")
        assert client.rcpt("info@example.test")[0] == 250
        assert client.rset()[0] == 250
        code, text = client.mail("alice@pass.test", ["SIZE=999999"])
        assert (code, text) == (552, b"5.3.4 Message size exceeds fixed maximum message size")
    assert smtp.inbox("ann@example.test") == []


def test_smtplib_starttls(smtp):
    context = ssl.create_default_context(cafile=smtp.ca)
    with smtplib.SMTP("127.0.0.1", smtp.port, timeout=30) as client:
        client.ehlo("client.test")
        client._host = "mail.example.test"  # the name smtplib checks the certificate against (SNI too)
        client.starttls(context=context)
        client.ehlo("client.test")
        assert not client.has_extn("starttls")
        assert client.sendmail("alice@pass.test", ["ann@example.test", "bob@example.test"], MESSAGE) == {}
    [ann] = smtp.inbox("ann@example.test")
    [bob] = smtp.inbox("bob@example.test")
    assert ann == bob
    assert b" with ESMTPS id " in ann
    assert b"\tfor <" not in ann  # several recipients: no "for" clause


def test_swaks_pipelining_and_starttls(smtp):
    if shutil.which("swaks") is None:
        pytest.skip("swaks not installed (apt-get install -y swaks)")
    for extra in ([], ["--tls", "--tls-ca-path", smtp.ca, "--tls-verify"]):
        result = subprocess.run(
            ["swaks", "--server", f"127.0.0.1:{smtp.port}", "--helo", "client.test", "--from", "alice@pass.test",
             "--to", "bob@example.test", "--pipeline", "--header", "Subject: swaks", "--body", "via swaks",
             "--tls-sni", "mail.example.test", *extra],
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "250 2.0.0 Message accepted for delivery" in result.stdout
    messages = smtp.inbox("bob@example.test")
    assert len(messages) == 2
    assert b" with ESMTP id " in messages[0] and b" with ESMTPS id " in messages[1]


def test_bare_lf_refused_over_a_raw_socket(smtp):
    """RFC 5321 2.3.8 (swaks and smtplib repair line ends, so a raw socket sends the bare LF):
    the message is refused whole, and "\n.\r\n" does not end the data (no smuggled second message)."""
    with socket.create_connection(("127.0.0.1", smtp.port), timeout=30) as raw:
        reader = raw.makefile("rb")
        assert reader.readline().startswith(b"220 ")
        raw.sendall(b"EHLO client.test\r\n")
        while not reader.readline().startswith(b"250 "):
            pass
        raw.sendall(b"MAIL FROM:<alice@pass.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")
        assert reader.readline().startswith(b"250 2.1.0")
        assert reader.readline().startswith(b"250 2.1.5")
        assert reader.readline().startswith(b"354 ")
        raw.sendall(b"Subject: bare\r\n\r\nline one\n.\r\nMAIL FROM:<x@pass.test>\r\nRCPT TO:<ann@example.test>\r\n"
                    b"DATA\r\nSubject: smuggled\r\n\r\n.\r\n")
        assert reader.readline() == b"550 5.6.11 Bare LF or CR in message refused (RFC 5321 2.3.8); use CRLF line ends\r\n"
        raw.sendall(b"QUIT\r\n")
        assert reader.readline().startswith(b"221 ")
    assert smtp.inbox("bob@example.test") == []
    assert smtp.inbox("ann@example.test") == []


def test_bdat_chunks_with_smtplib(smtp):
    """RFC 3030 CHUNKING: smtplib has no BDAT, so its connection sends the chunks raw (pipelined);
    a dot line inside a chunk is text, and the message is stored whole."""
    first = b"Subject: chunked\r\n\r\n"
    second = b"line one\r\n.\r\nQUIT\r\n"
    with smtplib.SMTP("127.0.0.1", smtp.port, timeout=30) as client:
        client.ehlo("client.test")
        assert client.has_extn("chunking")
        assert client.mail("alice@pass.test")[0] == 250
        assert client.rcpt("ann@example.test")[0] == 250
        client.send(b"BDAT %d\r\n" % len(first) + first + b"BDAT %d LAST\r\n" % len(second) + second)
        assert client.getreply() == (250, b"2.0.0 %d octets received" % len(first))
        assert client.getreply() == (250, b"2.0.0 Message accepted for delivery")
    [stored] = smtp.inbox("ann@example.test")
    assert stored.endswith(first + second)


def test_curl_plain_and_starttls(smtp, tmp_path):
    message = tmp_path / "mail.txt"
    message.write_bytes(b"Subject: curl\r\n\r\nvia curl\r\n")
    base = ["curl", "-sS", "--mail-from", "alice@pass.test", "--mail-rcpt", "info@example.test", "-T", str(message)]
    subprocess.run([*base, f"smtp://127.0.0.1:{smtp.port}/client.test"], check=True, timeout=60)
    subprocess.run(
        [*base, "--ssl-reqd", "--cacert", smtp.ca, "--resolve", f"mail.example.test:{smtp.port}:127.0.0.1",
         f"smtp://mail.example.test:{smtp.port}/client.test"],
        check=True, timeout=60,
    )
    messages = smtp.inbox("ann@example.test")
    assert len(messages) == 2
    assert b" with ESMTPS id " in messages[1]
    assert b"\tfor <info@example.test>; " in messages[1]
    # curl refuses an unknown recipient with the server's reply.
    result = subprocess.run(
        [*base[:4], "--mail-rcpt", "nobody@example.test", "-T", str(message), f"smtp://127.0.0.1:{smtp.port}"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0 and "550" in result.stderr


def test_permerror_rejected_when_configured(gateway):
    g = SMTPGateway(gateway, spf_permerror="reject")
    try:
        with smtplib.SMTP("127.0.0.1", g.port, timeout=30) as client:
            client.ehlo("client.test")
            assert client.mail("x@perm.test") == (550, b"5.7.24 SPF MAIL FROM check failed (Perm Error)")
    finally:
        g.close()


def test_sigterm_sends_421(smtp):
    client = smtplib.SMTP("127.0.0.1", smtp.port, timeout=30)
    client.ehlo("client.test")
    smtp.gateway.process.send_signal(signal.SIGTERM)
    code, text = client.getreply()
    assert (code, text) == (421, b"4.3.2 mail.example.test Service shutting down")
    smtp.gateway.process.wait(timeout=30)
    smtp.gateway.process = None


def send_numbered(port, number):
    """Sends message `number`; returns the number once the server said 250 (acknowledged)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.sendmail("alice@pass.test", ["bob@example.test"],
                        f"Subject: n{number}\r\nMessage-ID: <n{number}@pass.test>\r\n\r\nbody {number}\r\n".encode())
    return number


def test_durability_sigkill_after_last_250(smtp):
    """Many concurrent SMTP deliveries, SIGKILL right after the last 250, restart: every acknowledged
    message is in the Inbox exactly once."""
    acknowledged = []
    lock = threading.Lock()

    def worker(start):
        for number in range(start, start + 15):
            send_numbered(smtp.port, number)
            with lock:
                acknowledged.append(number)

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(worker, range(0, 12 * 15, 15)))
    smtp.gateway.process.send_signal(signal.SIGKILL)  # right after the last 250, no shutdown
    smtp.gateway.process.wait(timeout=30)
    smtp.gateway.process = None
    smtp.gateway.start()
    subjects = [m.split(b"Subject: ")[1].split(b"\r\n")[0].decode() for m in smtp.inbox("bob@example.test")]
    assert sorted(subjects) == sorted(f"n{n}" for n in acknowledged)
    assert len(subjects) == len(set(subjects)) == 180


def test_durability_sigkill_mid_stream(smtp):
    """SIGKILL while 12 sessions are still sending, right after the 100th 250: every acknowledged
    message is there exactly once; unacknowledged ones may or may not be, but never twice."""
    acknowledged, attempted = set(), set()
    lock = threading.Lock()
    enough = threading.Event()

    def worker(start):
        number = start
        while not enough.is_set():
            with lock:
                attempted.add(number)
            try:
                send_numbered(smtp.port, number)
            except (OSError, smtplib.SMTPException):
                return
            with lock:
                acknowledged.add(number)
                if len(acknowledged) >= 100:
                    enough.set()
            number += 1

    threads = [threading.Thread(target=worker, args=(i * 100_000,)) for i in range(12)]
    for t in threads:
        t.start()
    assert enough.wait(timeout=300), "fewer than 100 messages acknowledged"
    smtp.gateway.process.send_signal(signal.SIGKILL)
    with lock:
        acked = set(acknowledged)  # what the server acknowledged before it died
    smtp.gateway.process.wait(timeout=30)
    smtp.gateway.process = None
    for t in threads:
        t.join(timeout=120)
    smtp.gateway.start()
    subjects = [m.split(b"Subject: ")[1].split(b"\r\n")[0].decode() for m in smtp.inbox("bob@example.test")]
    stored = [int(s[1:]) for s in subjects]
    assert len(stored) == len(set(stored)), "a message was stored twice"
    assert acked <= set(stored), f"acknowledged but lost: {sorted(acked - set(stored))[:10]}"
    assert set(stored) <= attempted


def test_starttls_injection_discarded(smtp):
    """RFC 3207 4.2 end to end: commands sent in clear text behind STARTTLS are thrown away, and the
    session restarts (no EHLO, no transaction) once TLS is up."""
    context = ssl.create_default_context(cafile=smtp.ca)
    with socket.create_connection(("127.0.0.1", smtp.port), timeout=30) as raw:
        reader = raw.makefile("rb")
        assert reader.readline().startswith(b"220 ")
        raw.sendall(b"EHLO client.test\r\n")
        while not reader.readline().startswith(b"250 "):
            pass
        raw.sendall(b"STARTTLS\r\nMAIL FROM:<evil@pass.test>\r\nRCPT TO:<ann@example.test>\r\n")
        assert reader.readline() == b"220 2.0.0 Ready to start TLS\r\n"
        with context.wrap_socket(raw, server_hostname="mail.example.test") as tls:
            tls_reader = tls.makefile("rb")
            tls.sendall(b"RCPT TO:<ann@example.test>\r\n")
            assert tls_reader.readline() == b"503 5.5.1 Send EHLO or HELO first\r\n"
            tls.sendall(b"QUIT\r\n")
            assert tls_reader.readline().startswith(b"221 ")
