"""A real MTA sending in BDAT chunks: Exim (Debian's exim4-daemon-light) delivers to smtp.listen.

Exim's SMTP transport uses CHUNKING whenever the server offers it (`hosts_try_chunking`, default
all hosts): the message goes in BDAT commands (RFC 3030), not after DATA. It also uses STARTTLS
(required here, Mailgate's certificate verified against the development CA), PIPELINING and SIZE.

Debian's exim4 packages and postfix exclude each other, and the Postfix relay test needs Postfix:
scripts/test unpacks the Exim binary from Debian's package into .build/exim instead of
installing it (MAILGATE_EXIM names it). Exim runs as a one-shot client here, delivering in the
foreground with a configuration of its own, and needs root and the Debian-exim user its build
names; skipped without them.
"""
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import wait_for_count
from test_smtp import SMTPGateway

REPO = Path(__file__).resolve().parents[3]
EXIM = os.environ.get("MAILGATE_EXIM", str(REPO / ".build/exim/usr/sbin/exim4"))


def _exim_user_exists() -> bool:
    try:
        pwd.getpwnam("Debian-exim")
        return True
    except KeyError:
        return False


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.access(EXIM, os.X_OK) or not _exim_user_exists(),
    reason="needs root, the Debian-exim user and Exim unpacked from Debian's package (scripts/test does both)",
)


class Exim:
    """Exim with a configuration that routes every address to Mailgate."""

    def __init__(self, mailgate_port: int, ca_file: str):
        # Not under pytest's tmp_path: its folders are 0700, and Exim writes its spool and logs
        # as the Debian-exim user.
        self.root = root = Path(tempfile.mkdtemp(prefix="mailgate-exim-"))
        root.chmod(0o755)
        spool, self.logs = root / "spool", root / "log"
        for folder in (spool, self.logs):
            folder.mkdir(parents=True)
            os.chown(folder, pwd.getpwnam("Debian-exim").pw_uid, -1)
        # Exim reads the CA as the Debian-exim user too.
        ca_copy = root / "ca.crt"
        shutil.copyfile(ca_file, ca_copy)
        ca_copy.chmod(0o644)
        self.config = root / "exim.conf"
        self.config.write_text(
            "primary_hostname = exim.pass.test\n"
            # Exim runs itself again to deliver: the unpacked binary, not the one it was built for.
            f"exim_path = {EXIM}\n"
            f"spool_directory = {spool}\n"
            f"log_file_path = {self.logs}/%slog\n"
            "keep_environment =\n"
            "log_selector = +outgoing_port\n"
            "tls_advertise_hosts =\n"
            "begin routers\n"
            "to_mailgate:\n"
            "  driver = manualroute\n"
            "  domains = *\n"
            f"  route_list = * 127.0.0.1::{mailgate_port}\n"
            # Mailgate is on this host: send to it anyway (Exim would freeze the message).
            "  self = send\n"
            "  transport = mailgate_smtp\n"
            "begin transports\n"
            "mailgate_smtp:\n"
            "  driver = smtp\n"
            "  hosts_require_tls = *\n"
            f"  tls_verify_certificates = {ca_copy}\n"
            "  tls_verify_hosts = *\n"
            "  tls_verify_cert_hostnames = *\n"
            "  hosts_try_chunking = *\n"
            "begin retry\n"
            "* * F,1m,1m\n"
        )

    def deliver(self, sender: str, recipient: str, message: bytes) -> subprocess.CompletedProcess:
        """Queues the message and delivers it in the foreground (-odf); -oi: a lone dot is text."""
        return subprocess.run(
            [EXIM, "-C", str(self.config), "-odf", "-oi", "-f", sender, recipient],
            input=message, capture_output=True, timeout=60,
        )

    def log(self) -> str:
        path = self.logs / "mainlog"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 30) -> str:
        """The delivery process that -odf starts may still be writing when the command ends."""
        log = wait_for_count(self.log, text, count, timeout)
        if log is not None:
            return log
        paniclog = self.logs / "paniclog"
        panic = paniclog.read_text(errors="replace") if paniclog.exists() else ""
        raise AssertionError(f"{text!r} not logged {count} times by Exim:\n{self.log()}\npanic log:\n{panic}")


@pytest.fixture
def relay(gateway):
    mailgate = SMTPGateway(gateway)
    exim = Exim(mailgate.port, mailgate.ca)
    yield mailgate, exim
    shutil.rmtree(exim.root, ignore_errors=True)
    mailgate.close()


def test_exim_delivers_in_bdat_chunks_over_verified_tls(relay):
    mailgate, exim = relay
    # Lines that begin with a dot, and one that is a lone dot: BDAT sends them as they are.
    small_body = b"Hello from Exim.\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"
    small = (
        b"From: sender@pass.test\r\nTo: ann@example.test\r\nSubject: chunked\r\n"
        b"Message-ID: <small-exim@pass.test>\r\n\r\n" + small_body
    )
    # 150 kB, under the fixture's smtp.max_message_bytes (200,000).
    big_body = b"".join(b"line %06d of a message that goes in BDAT chunks\r\n" % i for i in range(3000))
    big = b"From: sender@pass.test\r\nTo: ann@example.test\r\nSubject: big\r\n\r\n" + big_body
    for message in (small, big):
        # Exim reads the message as a local submission: bare LF line ends, as a file has them.
        result = exim.deliver("sender@pass.test", "ann@example.test", message.replace(b"\r\n", b"\n"))
        assert result.returncode == 0, (result.stdout, result.stderr, exim.log())

    log = exim.wait_for_log(" => ann@example.test", count=2)
    deliveries = [line for line in log.splitlines() if " => ann@example.test" in line]
    assert len(deliveries) == 2, log
    for line in deliveries:
        # CV=yes: the certificate verified; K: the message went in BDAT chunks (Exim's log flag).
        assert f"H=127.0.0.1 [127.0.0.1]:{mailgate.port}" in line and "CV=yes" in line, line
        assert " K " in line, line
    inbox = mailgate.inbox("ann@example.test")
    assert len(inbox) == 2, inbox
    assert inbox[0].split(b"\r\n\r\n", 1)[1] == small_body
    assert inbox[1].split(b"\r\n\r\n", 1)[1] == big_body
    assert b"by exim.pass.test" in inbox[0], inbox[0][:1500]
    served = mailgate.gateway.serve_log()
    assert served.count("command=BDAT") == 2, served


def test_exim_is_refused_an_unknown_recipient(relay):
    mailgate, exim = relay
    exim.deliver("sender@pass.test", "nobody@example.test", b"Subject: unknown\n\nHello.\n")
    log = exim.wait_for_log("** nobody@example.test")
    assert "550 5.1.1" in log, log
    assert mailgate.inbox("ann@example.test") == []


def test_exim_is_told_a_message_is_too_big_and_its_bounce_is_not_relayed(relay):
    mailgate, exim = relay
    body = b"".join(b"line %06d of a message over smtp.max_message_bytes\n" % i for i in range(4000))
    exim.deliver("sender@pass.test", "ann@example.test", b"Subject: too big\n\n" + body)
    log = exim.wait_for_log("** ann@example.test")
    assert "552 5.3.4 Message size exceeds fixed maximum message size" in log, log
    # Exim's bounce goes back to sender@pass.test through the same route: Mailgate is no relay.
    log = exim.wait_for_log("** sender@pass.test")
    assert "550 5.7.1 Relaying denied" in log, log
    assert mailgate.inbox("ann@example.test") == []
