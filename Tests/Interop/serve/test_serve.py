"""`mailgate serve` up and down: dev certificates, health and metrics, admin changes, shutdown."""
import json
import os
import stat
import urllib.request


def get(url, context=None):
    with urllib.request.urlopen(url, timeout=5, context=context) as response:
        return response.status, response.headers, response.read().decode()


def test_serve_starts_health_metrics_and_stops_gracefully(gateway):
    gateway.start()
    # Development certificates were made on first start, the key private.
    certs = gateway.root / "certs" / "dev"
    assert (certs / "server.crt").exists() and (certs / "ca.crt").exists()
    assert stat.S_IMODE(os.stat(certs / "server.key").st_mode) == 0o600
    log = gateway.serve_log()
    assert "ca.crt" in log                       # the log says how to trust the CA
    assert "submission.listen" in log and "not started" in log   # configured but not in this build

    status, headers, body = get(f"http://127.0.0.1:{gateway.http_port}/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    # The same over HTTPS, trusting the generated development CA.
    status, _, body = get(f"https://localhost:{gateway.https_port}/healthz", gateway.https_context())
    assert status == 200
    status, headers, body = get(f"http://127.0.0.1:{gateway.http_port}/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")

    # The command line works against the store while serve runs.
    gateway.ok("domain", "add", "example.test")
    gateway.ok("license", "add", "P1", "--count", "1")
    gateway.ok("user", "add", "ann@example.test", "--password", "Correct-Horse9", "--license", "P1")

    assert gateway.stop(sig=15) == 0
    assert "stopped" in gateway.serve_log()
    # Restart on the same data: nothing lost, certificates reused.
    before = (certs / "server.crt").read_bytes()
    gateway.start()
    assert (certs / "server.crt").read_bytes() == before
    assert json.loads(gateway.ok("user", "show", "ann@example.test", "--json"))["mailbox"] is True
    assert gateway.stop(sig=2) == 0


def test_serve_refuses_missing_certificate_without_dev_generation(gateway):
    text = gateway.config.read_text().replace("  dev_certificates: true\n", "")
    gateway.config.write_text(text)
    result = gateway.run("serve", check=2)
    assert "tls.certificate" in result.stderr and "does not exist" in result.stderr


def test_no_password_in_logs(gateway):
    gateway.start()
    gateway.ok("domain", "add", "example.test")
    gateway.ok("user", "add", "ann@example.test", "--password", "Very-Secret-77")
    gateway.stop()
    assert "Very-Secret-77" not in gateway.serve_log()
