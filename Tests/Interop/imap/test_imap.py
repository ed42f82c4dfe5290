"""IMAP (issue 6) with independent clients over loopback: Python's imaplib, curl and mbsync."""
import imaplib
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

USER = "ann@example.test"
PASSWORD = "Correct-Horse9"
MESSAGE = (
    b"From: Bob <bob@example.test>\r\nTo: Ann <ann@example.test>\r\nSubject: Interop hello\r\n"
    b"Date: Tue, 3 Mar 2026 10:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\nHello over IMAP.\r\n"
)


@pytest.fixture
def imap_gateway(gateway):
    gateway.imap_port = free_port()
    gateway.imaps_port = free_port()
    gateway.config.write_text(
        gateway.config.read_text()
        + f"imap:\n  listen: 127.0.0.1:{gateway.imap_port}\n  tls_listen: 127.0.0.1:{gateway.imaps_port}\n"
    )
    gateway.ok("domain", "add", "example.test")
    gateway.ok("license", "add", "P1", "--count", "5")
    gateway.ok("user", "add", USER, "--password", PASSWORD, "--license", "P1")
    gateway.start()
    return gateway


def tls_context(gateway):
    return ssl.create_default_context(cafile=str(gateway.root / "certs/dev/ca.crt"))


def test_imaplib_append_fetch_store_search_expunge(imap_gateway):
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        assert "IMAP4REV1" in imap.capabilities
        imap.login(USER, PASSWORD)
        typ, data = imap.append("INBOX", r"(\Flagged)", imaplib.Time2Internaldate(time.time()), MESSAGE)
        assert typ == "OK" and b"APPENDUID" in data[0]
        typ, data = imap.select("INBOX")
        assert typ == "OK" and data == [b"1"]
        typ, data = imap.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[])")
        assert typ == "OK"
        assert data[0][1] == MESSAGE
        assert b"\\Flagged" in data[0][0] and f"RFC822.SIZE {len(MESSAGE)}".encode() in data[0][0]
        typ, data = imap.fetch("1", "(ENVELOPE BODYSTRUCTURE)")
        assert typ == "OK" and b'"Interop hello"' in data[0] and b'("text" "plain"' in data[0].lower()
        typ, data = imap.search(None, "SUBJECT", '"interop"')
        assert data == [b"1"]
        typ, data = imap.uid("SEARCH", "UNSEEN")
        assert data == [b"1"]
        imap.store("1", "+FLAGS", r"(\Deleted)")
        typ, data = imap.expunge()
        assert data == [b"1"]
        typ, data = imap.select("INBOX", readonly=True)
        assert data == [b"0"]
        imap.logout()


def test_imaplib_folders_and_copy(imap_gateway):
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        imap.login(USER, PASSWORD)
        typ, folders = imap.list()
        assert typ == "OK"
        names = b"\n".join(folders)
        assert b'"/" "INBOX"' in names and b"\\Sent" in names and b"\\Trash" in names
        assert imap.create("Projects/2026")[0] == "OK"
        assert imap.subscribe("Projects/2026")[0] == "OK"
        typ, data = imap.lsub()
        assert b"Projects/2026" in b"\n".join(data)
        imap.append("INBOX", None, None, MESSAGE)
        imap.select("INBOX")
        typ, data = imap.copy("1", "Projects/2026")
        assert typ == "OK"
        typ, data = imap.status("Projects/2026", "(MESSAGES UIDNEXT)")
        assert b"MESSAGES 1" in data[0]
        assert imap.rename("Projects/2026", "Archive")[0] == "OK"
        assert imap.delete("Archive")[0] == "OK"
        typ, data = imap.getquotaroot("INBOX")
        assert typ == "OK"


def test_imaplib_wrong_password_and_temporary_password(imap_gateway):
    out = imap_gateway.ok("user", "add", "tim@example.test", "--license", "P1")
    temporary = re.search(r"temporary password: (\S+)", out).group(1)
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            imap.login(USER, "wrong")
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        with pytest.raises(imaplib.IMAP4.error, match="EXPIRED.*change it on the account page"):
            imap.login("tim@example.test", temporary)


def test_imaplib_starttls_and_implicit_tls(imap_gateway):
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        assert "STARTTLS" in imap.capabilities
        imap.starttls(ssl_context=tls_context(imap_gateway))
        imap.login(USER, PASSWORD)
        assert imap.select("INBOX")[0] == "OK"
        imap.logout()
    with imaplib.IMAP4_SSL("localhost", imap_gateway.imaps_port, ssl_context=tls_context(imap_gateway)) as imap:
        imap.authenticate("PLAIN", lambda _: f"\0{USER}\0{PASSWORD}".encode())
        assert imap.select("INBOX")[0] == "OK"
        imap.logout()


def test_idle_is_woken_by_an_append_from_another_session(imap_gateway):
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as idler:
        idler.login(USER, PASSWORD)
        idler.select("INBOX")
        tag = idler._new_tag().decode()
        idler.send(f"{tag} IDLE\r\n".encode())
        assert idler.readline().startswith(b"+")

        def append_later():
            with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as other:
                other.login(USER, PASSWORD)
                other.append("INBOX", None, None, MESSAGE)

        threading.Thread(target=append_later).start()
        idler.sock.settimeout(10)
        assert idler.readline() == b"* 1 EXISTS\r\n"
        assert idler.readline() == b"* 1 RECENT\r\n"
        idler.send(b"DONE\r\n")
        assert idler.readline() == f"{tag} OK IDLE terminated\r\n".encode()


def test_idle_is_woken_by_a_cli_delivery(imap_gateway):
    """`mailgate user deliver` in another process: the change reaches serve's IDLE sessions."""
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as idler:
        idler.login(USER, PASSWORD)
        idler.select("INBOX")
        tag = idler._new_tag().decode()
        idler.send(f"{tag} IDLE\r\n".encode())
        assert idler.readline().startswith(b"+")
        message = imap_gateway.root / "message.eml"
        message.write_bytes(MESSAGE)
        result = imap_gateway.run("user", "deliver", USER, str(message))
        if result.returncode != 0:
            pytest.skip("no delivery command in this build: " + result.stderr)
        idler.sock.settimeout(10)
        assert idler.readline() == b"* 1 EXISTS\r\n"
        assert idler.readline() == b"* 1 RECENT\r\n"
        idler.send(b"DONE\r\n")
        assert idler.readline().endswith(b"OK IDLE terminated\r\n")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl_imap_and_imaps(imap_gateway):
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        imap.login(USER, PASSWORD)
        imap.append("INBOX", None, None, MESSAGE)
    result = subprocess.run(
        ["curl", "-sS", "--user", f"{USER}:{PASSWORD}",
         f"imap://127.0.0.1:{imap_gateway.imap_port}/INBOX;UID=1"],
        capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == MESSAGE
    result = subprocess.run(
        ["curl", "-sS", "--cacert", str(imap_gateway.root / "certs/dev/ca.crt"), "--user", f"{USER}:{PASSWORD}",
         f"imaps://localhost:{imap_gateway.imaps_port}/", "-X", "LIST \"\" *"],
        capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert b"INBOX" in result.stdout and b"Sent Items" in result.stdout
    result = subprocess.run(
        ["curl", "-sS", "--ssl-reqd", "--cacert", str(imap_gateway.root / "certs/dev/ca.crt"),
         "--user", f"{USER}:{PASSWORD}", f"imap://localhost:{imap_gateway.imap_port}/INBOX?SUBJECT%20interop"],
        capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert b"SEARCH 1" in result.stdout


@pytest.mark.skipif(shutil.which("mbsync") is None, reason="mbsync (isync) not installed")
def test_mbsync_both_ways(imap_gateway, tmp_path):
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        imap.login(USER, PASSWORD)
        imap.append("INBOX", None, None, MESSAGE)
    maildir = tmp_path / "mail"
    maildir.mkdir()
    rc = tmp_path / "mbsyncrc"
    rc.write_text(
        f"IMAPAccount gw\nHost 127.0.0.1\nPort {imap_gateway.imap_port}\nUser {USER}\nPass {PASSWORD}\n"
        "SSLType None\nAuthMechs LOGIN\n\n"
        "IMAPStore gw-remote\nAccount gw\n\n"
        f"MaildirStore gw-local\nPath {maildir}/\nInbox {maildir}/INBOX\nSubFolders Verbatim\n\n"
        "Channel gw\nFar :gw-remote:\nNear :gw-local:\nPatterns *\nCreate Both\nSync All\nExpunge Both\n"
        f"SyncState *\n")
    def sync():
        result = subprocess.run(["mbsync", "-c", str(rc), "-a"], capture_output=True, timeout=60, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    sync()
    new = list((maildir / "INBOX" / "new").iterdir()) + list((maildir / "INBOX" / "cur").iterdir())
    assert len(new) == 1
    body = new[0].read_bytes()
    assert b"Subject: Interop hello" in body and b"Hello over IMAP." in body
    # A message made locally goes up.
    local = MESSAGE.replace(b"Interop hello", b"From the maildir").replace(b"<1@", b"<2@")
    (maildir / "INBOX" / "new" / "1700000000.local.host").write_bytes(local)
    sync()
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        typ, data = imap.search(None, "SUBJECT", '"From the maildir"')
        assert data[0] != b""


def test_idle_is_woken_by_an_smtp_delivery_over_smtp(imap_gateway):
    """Two sessions: one IDLEs, SMTP (smtplib) delivers, the idler hears EXISTS (issue 6 tests)."""
    import smtplib
    dnslib = pytest.importorskip("dnslib")
    from dnslib.server import BaseResolver, DNSServer

    class Zone(BaseResolver):
        # SPF needs an answer: the shared fixture's resolver answers nothing (a 451 temperror).
        def resolve(self, request, handler):
            reply = request.reply()
            if str(request.q.qname) == "pass.test." and request.q.qtype == dnslib.QTYPE.TXT:
                reply.add_answer(*dnslib.RR.fromZone('pass.test. 300 IN TXT "v=spf1 ip4:127.0.0.0/8 -all"'))
            else:
                reply.header.rcode = dnslib.RCODE.NXDOMAIN
            return reply

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        dns_port = s.getsockname()[1]
    dns = DNSServer(Zone(), address="127.0.0.1", port=dns_port)
    dns.start_thread()
    imap_gateway.stop()
    smtp_port = free_port()
    text = imap_gateway.config.read_text().replace("127.0.0.1:5399", f"127.0.0.1:{dns_port}")
    imap_gateway.config.write_text(text.replace("imap:\n", f"smtp:\n  listen: 127.0.0.1:{smtp_port}\nimap:\n", 1))
    imap_gateway.start()
    try:
        with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as idler, \
                imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as watcher:
            idler.login(USER, PASSWORD)
            idler.select("INBOX")
            watcher.login(USER, PASSWORD)
            watcher.select("INBOX", readonly=True)
            tag = idler._new_tag().decode()
            idler.send(f"{tag} IDLE\r\n".encode())
            assert idler.readline().startswith(b"+")
            try:
                with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
                    smtp.sendmail("bob@pass.test", [USER], MESSAGE)
                idler.sock.settimeout(15)
                lines = [idler.readline(), idler.readline()]
            finally:
                idler.send(b"DONE\r\n")
                done = idler.readline()
            assert lines == [b"* 1 EXISTS\r\n", b"* 1 RECENT\r\n"]
            assert done == f"{tag} OK IDLE terminated\r\n".encode()
            # The other session hears it at its next command.
            watcher.noop()
            assert watcher.untagged_responses.get("EXISTS", [])[-1:] == [b"1"]
            typ, data = idler.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert b"Subject: Interop hello" in data[0][1]
    finally:
        dns.stop()


def test_metrics_count_imap_sessions_commands_and_failures(imap_gateway):
    import urllib.request

    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        imap.uid("SEARCH", "ALL")
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        with pytest.raises(imaplib.IMAP4.error):
            imap.login(USER, "wrong-password")
    with urllib.request.urlopen(f"http://127.0.0.1:{imap_gateway.http_port}/metrics", timeout=10) as response:
        metrics = response.read().decode()

    def value(pattern):
        match = re.search(pattern + r"\s+([0-9.e+]+)", metrics)
        assert match, f"{pattern} not in /metrics"
        return float(match.group(1))

    assert value(r"mailgate_imap_sessions_total") >= 1
    assert value(r"mailgate_imap_signin_failures_total") >= 1
    assert value(r'mailgate_imap_commands_total\{command="select"\}') >= 1
    assert value(r'mailgate_imap_commands_total\{command="uid_search"\}') >= 1


def test_imaplib_sort(imap_gateway):
    subjects = [b"Re: beta", b"Alpha", b"[list] Fwd: alpha"]
    with imaplib.IMAP4("127.0.0.1", imap_gateway.imap_port) as imap:
        imap.login(USER, PASSWORD)
        typ, data = imap.capability()
        assert typ == "OK" and b" SORT" in data[0]
        for subject in subjects:
            message = MESSAGE.replace(b"Subject: Interop hello", b"Subject: " + subject)
            assert imap.append("INBOX", None, None, message)[0] == "OK"
        imap.select("INBOX")
        typ, data = imap.sort("(SUBJECT)", "UTF-8", "ALL")
        assert typ == "OK" and data == [b"2 3 1"]
        typ, data = imap.uid("SORT", "(REVERSE SUBJECT)", "UTF-8", "ALL")
        assert typ == "OK" and data == [b"1 2 3"]
