"""A real MTA sending to Mailgate: a private Postfix instance (Debian's package) relays to
smtp.listen, as the internet's MTAs do.

Postfix's SMTP client uses what Mailgate's EHLO offers: STARTTLS (required here, with Mailgate's
certificate verified against the development CA and the name mail.example.test), PIPELINING,
SIZE, 8BITMIME and SMTPUTF8. It sends DATA, dot-stuffed: Postfix takes BDAT as a server only.

Needs root (Postfix's master runs as root) and the postfix package, which scripts/test installs
without starting the system's instance; skipped otherwise. Everything of the instance lives in a
temporary folder and is stopped after the test.
"""
import os
import shutil
import smtplib
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import free_port, wait_for_count, wait_for_port
from test_smtp import SMTPGateway  # the gateway with its SPF zone and users

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.access(POSTFIX, os.X_OK),
    reason="needs root and Debian's postfix package (scripts/test installs it)",
)

MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
proxywrite unix - - n -     1 proxymap
smtp      unix  - - n -     - smtp
relay     unix  - - n -     - smtp
showq     unix  n - n -     - showq
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


class PostfixRelay:
    """A Postfix that accepts mail on a loopback port and relays all of it to Mailgate."""

    def __init__(self, mailgate_port: int, ca_file: str):
        # Not under pytest's tmp_path: its folders are 0700, and Postfix's daemons run as the
        # postfix user, which must reach the queue.
        self.root = Path(tempfile.mkdtemp(prefix="mailgate-postfix-"))
        self.root.chmod(0o755)
        self.conf, queue, data = self.root / "conf", self.root / "queue", self.root / "data"
        for folder in (self.conf, queue, data):
            folder.mkdir()
        queue.chmod(0o755)
        shutil.chown(data, "postfix", "postfix")
        self.port = free_port()
        self.maillog = self.root / "maillog"
        (self.conf / "tls_policy").write_text(f"[127.0.0.1]:{mailgate_port} secure match=mail.example.test\n")
        (self.conf / "main.cf").write_text(
            "compatibility_level = 3.6\n"
            f"config_directory = {self.conf}\n"
            f"queue_directory = {queue}\n"
            f"data_directory = {data}\n"
            f"maillog_file = {self.maillog}\n"
            f"maillog_file_prefixes = {self.root}\n"
            "myhostname = relay.pass.test\n"
            "mydomain = pass.test\n"
            "myorigin = $myhostname\n"
            "mydestination =\n"
            "inet_interfaces = 127.0.0.1\n"
            "inet_protocols = ipv4\n"
            "mynetworks = 127.0.0.0/8\n"
            "alias_maps =\n"
            "alias_database =\n"
            "local_recipient_maps =\n"
            "biff = no\n"
            "smtpd_relay_restrictions = permit_mynetworks, reject\n"
            # Everything goes to Mailgate; nothing else is looked up or reached.
            f"relayhost = [127.0.0.1]:{mailgate_port}\n"
            "smtp_dns_support_level = disabled\n"
            f"smtp_tls_policy_maps = texthash:{self.conf}/tls_policy\n"
            f"smtp_tls_CAfile = {ca_file}\n"
            "smtp_tls_loglevel = 1\n"
            "smtputf8_enable = yes\n"
            # A refusal is final at once: no retries to wait for.
            "bounce_queue_lifetime = 0\n"
            "maximal_queue_lifetime = 0\n"
        )
        (self.conf / "master.cf").write_text(MASTER_CF.format(listen=f"127.0.0.1:{self.port}"))
        self._postfix("check")
        self._postfix("start")
        if not wait_for_port(self.port):
            raise AssertionError("Postfix did not listen:\n" + self.log())

    def _postfix(self, command: str):
        result = subprocess.run(
            [POSTFIX, "-c", str(self.conf), command], capture_output=True, text=True, timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, f"postfix {command}: {result.stdout}{result.stderr}\n{self.log()}"

    def send(self, sender: str, recipients: list[str], message: bytes, options=()):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
            client.ehlo("client.pass.test")
            client.sendmail(sender, recipients, message, mail_options=list(options))

    def log(self) -> str:
        return self.maillog.read_text(errors="replace") if self.maillog.exists() else ""

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 60) -> str:
        log = wait_for_count(self.log, text, count, timeout)
        if log is None:
            raise AssertionError(f"{text!r} not logged {count} times by Postfix:\n{self.log()}")
        return log

    def stop(self):
        subprocess.run([POSTFIX, "-c", str(self.conf), "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def relay(gateway):
    mailgate = SMTPGateway(gateway)
    postfix = PostfixRelay(mailgate.port, mailgate.ca)
    yield mailgate, postfix
    postfix.stop()
    mailgate.close()


def body_of(stored: bytes) -> bytes:
    return stored.split(b"\r\n\r\n", 1)[1]


def test_postfix_relays_over_verified_tls(relay):
    mailgate, postfix = relay
    # 8-bit UTF-8 text and lines that begin with a dot: Postfix must send them unchanged.
    small_body = "Grüße aus Köln.\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n".encode()
    small = (
        b"From: S\xc3\xa9verine <sender@pass.test>\r\nTo: ann@example.test\r\n"
        b"Subject: =?utf-8?q?relayed?=\r\nDate: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
        b"Message-ID: <small@pass.test>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + small_body
    )
    big_body = b"".join(b"line %06d of a message that Postfix sends in many packets\r\n" % i for i in range(2500))
    big = (
        b"From: sender@pass.test\r\nTo: ann@example.test\r\nSubject: big\r\n"
        b"Date: Sat, 28 Nov 2026 12:00:01 +0000\r\nMessage-ID: <big@pass.test>\r\n\r\n" + big_body
    )
    postfix.send("sender@pass.test", ["ann@example.test"], small, options=["BODY=8BITMIME", "SMTPUTF8"])
    postfix.send("sender@pass.test", ["ann@example.test"], big)
    log = postfix.wait_for_log("status=sent", count=2)

    assert f"Verified TLS connection established to 127.0.0.1[127.0.0.1]:{mailgate.port}" in log, log
    assert f"relay=127.0.0.1[127.0.0.1]:{mailgate.port}" in log, log
    inbox = mailgate.inbox("ann@example.test")
    assert len(inbox) == 2, inbox
    assert body_of(inbox[0]) == small_body
    assert body_of(inbox[1]) == big_body
    # Mailgate's trace headers (SPF pass for the relay's address) come first, then Postfix's own.
    for stored in inbox:
        headers = stored.split(b"\r\n\r\n", 1)[0]
        assert headers.startswith(b"Authentication-Results: mail.example.test;"), headers[:200]
        assert b"spf=pass smtp.mailfrom=sender@pass.test" in headers, headers[:300]
        assert b"Received-SPF: pass" in headers, headers[:600]
        ours = headers.index(b"by mail.example.test")
        theirs = headers.index(b"by relay.pass.test (Postfix)")
        assert b"from relay.pass.test (" in headers[:ours] and ours < theirs, headers[:1500]
    served = mailgate.gateway.serve_log()
    assert served.count("command=DATA") == 2, served


def test_postfix_bounces_what_mailgate_refuses_at_rcpt(relay):
    mailgate, postfix = relay
    message = (
        b"From: sender@pass.test\r\nTo: nobody@example.test\r\nSubject: unknown\r\n"
        b"Date: Sat, 28 Nov 2026 12:00:02 +0000\r\nMessage-ID: <unknown@pass.test>\r\n\r\nHello.\r\n"
    )
    postfix.send("sender@pass.test", ["nobody@example.test"], message)
    log = postfix.wait_for_log("status=bounced")
    assert "said: 550 5.1.1" in log and "(in reply to RCPT TO command)" in log, log
    assert mailgate.inbox("ann@example.test") == []
