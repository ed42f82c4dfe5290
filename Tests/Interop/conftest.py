"""Shared fixtures: the built `mailgate` binary and a temporary configuration on free ports."""
import os
import socket
import subprocess
import time
import urllib.request
import ssl
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> bool:
    """Whether something accepts connections on 127.0.0.1:port within `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def wait_for_count(read, text: str, count: int = 1, timeout: float = 30):
    """What `read()` returns once it holds `text` `count` times; None after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        current = read()
        if current.count(text) >= count:
            return current
        time.sleep(0.2)
    return None


@pytest.fixture(scope="session")
def mailgate_bin() -> str:
    path = os.environ.get("MAILGATE_BIN", str(REPO / ".build/debug/mailgate"))
    if not os.access(path, os.X_OK):
        pytest.skip(f"mailgate binary not built at {path}")
    return path


class Gateway:
    """A temporary installation: config file, data folder, certificates, and the CLI."""

    def __init__(self, binary: str, root: Path):
        self.binary = binary
        self.root = root
        self.http_port = free_port()
        self.https_port = free_port()
        self.config = root / "config" / "mailgate.yaml"
        self.config.parent.mkdir(parents=True)
        self.config.write_text(
            "hostname: mail.example.test\n"
            f"public_url: https://mail.example.test:{self.https_port}\n"
            "data_dir: ../data\n"
            "tls:\n"
            "  certificate: ../certs/dev/server.crt\n"
            "  private_key: ../certs/dev/server.key\n"
            "  dev_certificates: true\n"
            "dns:\n  resolver: 127.0.0.1:5399\n  timeout_seconds: 1\n"
            # Configured but not in this build: serve must say it did not start it.
            "submission:\n  listen: 127.0.0.1:2\n"
            "http:\n"
            f"  listen: 127.0.0.1:{self.http_port}\n"
            f"  tls_listen: 127.0.0.1:{self.https_port}\n"
        )
        self.process = None

    def run(self, *args, check=None, input=None):
        """Runs `mailgate ARGS --config ...`; `check` is the expected exit status."""
        result = subprocess.run(
            [self.binary, *args, "--config", str(self.config)],
            capture_output=True, text=True, input=input, timeout=120,
        )
        if check is not None:
            assert result.returncode == check, (
                f"mailgate {' '.join(args)}: exit {result.returncode}, expected {check}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def ok(self, *args):
        return self.run(*args, check=0).stdout

    def start(self):
        self.log = open(self.root / "serve.log", "w")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--config", str(self.config)],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            assert self.process.poll() is None, self.serve_log()
            time.sleep(0.2)
        raise AssertionError("serve did not become healthy:\n" + self.serve_log())

    def serve_log(self) -> str:
        return (self.root / "serve.log").read_text()

    def stop(self, sig=15, timeout=30) -> int:
        if self.process is None:
            return 0
        self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self.process = None
        return code

    def https_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.root / "certs/dev/ca.crt"))


@pytest.fixture
def gateway(mailgate_bin, tmp_path):
    g = Gateway(mailgate_bin, tmp_path)
    yield g
    if g.process is not None:
        g.process.kill()
        g.process.wait()
