"""POP3 (issue 7) against independent clients: Python's poplib, curl, and fetchmail if installed.

Messages are put in the Inbox with `mailgate user deliver` (there is no SMTP in the suite yet).
"""
import poplib
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from conftest import free_port

USER = "ann@example.test"
PASSWORD = "Interop-Pass-77"

MESSAGES = [
    "From: a@sender.test\nTo: ann@example.test\nSubject: first\n\nHello Ann.\n",
    # A body line starting with a dot, and one that is just a dot: dot-stuffing must be exact.
    "From: b@sender.test\r\nTo: ann@example.test\r\nSubject: second\r\n\r\nline one\r\n.dotted\r\n.\r\nend\r\n",
    "From: c@sender.test\r\nTo: ann@example.test\r\nSubject: third\r\n\r\n" + "x" * 70 + "\r\n" * 1 + "last",
]


def crlf(text: str) -> bytes:
    """What the store keeps and RETR sends: CRLF line ends and a final CRLF."""
    normalized = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if not normalized.endswith("\r\n"):
        normalized += "\r\n"
    return normalized.encode()


@pytest.fixture
def pop3(gateway):
    """A running gateway with POP3 on two free ports and ann's Inbox holding MESSAGES."""
    plain, implicit = free_port(), free_port()
    with open(gateway.config, "a") as config:
        config.write(f"pop3:\n  listen: 127.0.0.1:{plain}\n  tls_listen: 127.0.0.1:{implicit}\n")
    gateway.ok("domain", "add", "example.test")
    gateway.ok("license", "add", "P1", "--count", "5")
    gateway.ok("user", "add", USER, "--password", PASSWORD, "--license", "P1")
    for index, text in enumerate(MESSAGES):
        path = gateway.root / f"message{index}.eml"
        path.write_bytes(text.encode())
        gateway.ok("user", "deliver", USER, str(path))
    gateway.start()
    gateway.pop3_port = plain
    gateway.pop3s_port = implicit
    return gateway


def tls_context(gateway) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(gateway.root / "certs/dev/ca.crt"))
    context.check_hostname = False  # the dev certificate names mail.example.test, we dial 127.0.0.1
    return context


def check_maildrop(client: poplib.POP3):
    count, size = client.stat()
    assert count == len(MESSAGES)
    expected = [crlf(text) for text in MESSAGES]
    assert size == sum(len(message) for message in expected)
    listing = client.list()[1]
    assert listing == [f"{n + 1} {len(message)}".encode() for n, message in enumerate(expected)]
    for number, message in enumerate(expected, start=1):
        response, lines, octets = client.retr(number)
        assert response == f"+OK {len(message)} octets".encode()
        # poplib un-stuffs dots and strips line ends; the octets include its CRLFs.
        assert b"\r\n".join(lines) + b"\r\n" == message
    uidls = [line.split()[1] for line in client.uidl()[1]]
    assert len(set(uidls)) == len(MESSAGES)
    top = client.top(2, 1)[1]
    assert top[-2:] == [b"", b"line one"]


def test_poplib_plain_on_loopback(pop3):
    client = poplib.POP3("127.0.0.1", pop3.pop3_port, timeout=10)
    try:
        assert client.getwelcome().startswith(b"+OK")
        capabilities = client.capa()
        for name in ("TOP", "UIDL", "USER", "SASL", "RESP-CODES", "PIPELINING", "STLS"):
            assert name in capabilities
        client.user(USER)
        client.pass_(PASSWORD)
        check_maildrop(client)
    finally:
        client.quit()


def test_poplib_stls(pop3):
    client = poplib.POP3("127.0.0.1", pop3.pop3_port, timeout=10)
    try:
        client.stls(context=tls_context(pop3))
        assert "STLS" not in client.capa()
        client.user(USER)
        client.pass_(PASSWORD)
        check_maildrop(client)
    finally:
        client.quit()


def test_poplib_implicit_tls_wrong_password_then_delete(pop3):
    client = poplib.POP3_SSL("127.0.0.1", pop3.pop3s_port, context=tls_context(pop3), timeout=10)
    client.user(USER)
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
        client.pass_("wrong password")
    client.user(USER)
    client.pass_(PASSWORD)
    check_maildrop(client)
    # A second session on the same maildrop is refused while this one holds it.
    other = poplib.POP3("127.0.0.1", pop3.pop3_port, timeout=10)
    other.user(USER)
    with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
        other.pass_(PASSWORD)
    other.quit()
    client.dele(1)
    client.quit()
    again = poplib.POP3_SSL("127.0.0.1", pop3.pop3s_port, context=tls_context(pop3), timeout=10)
    again.user(USER)
    again.pass_(PASSWORD)
    assert again.stat()[0] == len(MESSAGES) - 1
    again.quit()


def test_dropped_connection_deletes_nothing(pop3):
    client = poplib.POP3("127.0.0.1", pop3.pop3_port, timeout=10)
    client.user(USER)
    client.pass_(PASSWORD)
    client.dele(1)
    client.dele(2)
    # No QUIT: shut the socket down (poplib's file object would otherwise keep it open).
    client.sock.shutdown(socket.SHUT_RDWR)
    client.sock.close()
    for _ in range(40):
        try:
            again = poplib.POP3("127.0.0.1", pop3.pop3_port, timeout=10)
            again.user(USER)
            again.pass_(PASSWORD)
            break
        except poplib.error_proto:  # [IN-USE] until the server notices the drop
            time.sleep(0.1)
    assert again.stat()[0] == len(MESSAGES)
    again.quit()


def test_sasl_plain_via_poplib(pop3):
    import base64

    client = poplib.POP3("127.0.0.1", pop3.pop3_port, timeout=10)
    token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    assert client._shortcmd(f"AUTH PLAIN {token}").startswith(b"+OK")
    assert client.stat()[0] == len(MESSAGES)
    client.quit()


def curl(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "--silent", "--show-error", *args], capture_output=True, timeout=60)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl_pop3_and_pop3s(pop3):
    expected = crlf(MESSAGES[1])
    listing = curl(f"pop3://127.0.0.1:{pop3.pop3_port}/", "--user", f"{USER}:{PASSWORD}")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[1] == f"2 {len(expected)}".encode()
    plain = curl(f"pop3://127.0.0.1:{pop3.pop3_port}/2", "--user", f"{USER}:{PASSWORD}")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout == expected
    # STLS required by the client, then implicit TLS; both check the dev CA.
    stls = curl(
        f"pop3://127.0.0.1:{pop3.pop3_port}/2", "--ssl-reqd", "--cacert", str(pop3.root / "certs/dev/ca.crt"),
        "--user", f"{USER}:{PASSWORD}", "--resolve", f"mail.example.test:{pop3.pop3_port}:127.0.0.1",
    )
    assert stls.returncode == 0, stls.stderr
    assert stls.stdout == expected
    implicit = curl(
        f"pop3s://mail.example.test:{pop3.pop3s_port}/2", "--cacert", str(pop3.root / "certs/dev/ca.crt"),
        "--resolve", f"mail.example.test:{pop3.pop3s_port}:127.0.0.1", "--user", f"{USER}:{PASSWORD}",
    )
    assert implicit.returncode == 0, implicit.stderr
    assert implicit.stdout == expected
    sasl = curl(
        f"pop3://127.0.0.1:{pop3.pop3_port}/1", "--login-options", "AUTH=PLAIN", "--user", f"{USER}:{PASSWORD}",
    )
    assert sasl.returncode == 0, sasl.stderr
    assert sasl.stdout == crlf(MESSAGES[0])


@pytest.mark.skipif(shutil.which("fetchmail") is None, reason="fetchmail not installed")
def test_fetchmail_keeps_then_fetches_all(pop3, tmp_path):
    """fetchmail over STLS into an mbox via an MDA; --keep first (nothing deleted), then a real fetch."""
    out = tmp_path / "out.mbox"
    rc = tmp_path / "fetchmailrc"
    rc.write_text(
        f'poll 127.0.0.1 protocol pop3 port {pop3.pop3_port} uidl\n'
        f'  user "{USER}" password "{PASSWORD}"\n'
        f'  sslproto tls1.2+ sslcertck sslcertfile {pop3.root / "certs/dev/ca.crt"} sslcommonname mail.example.test\n'
        f'  mda "cat >> {out}"\n'
    )
    rc.chmod(0o600)
    base = ["fetchmail", "--fetchmailrc", str(rc), "--nodetach", "--nosyslog", "--idfile", str(tmp_path / "ids"),
            "--pidfile", str(tmp_path / "pid")]
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    kept = subprocess.run([*base, "--keep", "--all"], capture_output=True, text=True, env=env, timeout=60)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert out.read_bytes().count(b"Subject: ") == len(MESSAGES)
    fetched = subprocess.run([*base, "--all"], capture_output=True, text=True, env=env, timeout=60)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert out.read_bytes().count(b"Subject: ") == 2 * len(MESSAGES)
    # The maildrop is empty now: fetchmail deleted with DELE and QUIT.
    client = poplib.POP3("127.0.0.1", pop3.pop3_port, timeout=10)
    client.user(USER)
    client.pass_(PASSWORD)
    assert client.stat() == (0, 0)
    client.quit()


def test_tls_listen_without_tls_refuses_to_start(gateway):
    """pop3.tls_listen needs a certificate: serve exits 1 and names the key instead of starting."""
    gateway.config.write_text(
        "hostname: mail.example.test\n"
        "public_url: https://mail.example.test\n"
        "data_dir: ../data\n"
        f"http:\n  listen: 127.0.0.1:{gateway.http_port}\n"
        f"pop3:\n  tls_listen: 127.0.0.1:{free_port()}\n"
    )
    result = gateway.run("serve")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pop3.tls_listen" in result.stderr
