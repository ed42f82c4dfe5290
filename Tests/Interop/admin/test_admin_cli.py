"""The admin command line end to end, as an operator or a script would use it."""
import json
import re

HEADER = ("User Name,First Name,Last Name,Display Name,Job Title,Department,Office Number,Office Phone,"
          "Mobile Phone,Fax,Address,City,State or Province,ZIP or Postal Code,Country or Region")


def row(user, display="", first="", last="", job=""):
    return f"{user},{first},{last},{display},{job},,,,,,,,,,"


def test_domains_licenses_and_users(gateway):
    out = gateway.ok("domain", "add", "example.test")
    assert "MX" in out and "autodiscover.example.test" in out and "v=spf1" in out
    assert "already added" in gateway.run("domain", "add", "example.test", check=1).stderr

    gateway.ok("license", "add", "P1", "--count", "2")
    licenses = json.loads(gateway.ok("license", "list", "--json"))
    assert licenses == [{"sku": "P1", "total": 2, "assigned": 0, "available": 2}]

    out = gateway.ok("user", "add", "ann@example.test", "--display-name", "Ann Example", "--license", "P1")
    temporary = re.search(r"temporary password: (\S+)", out).group(1)
    assert len(temporary) >= 12
    ann = json.loads(gateway.ok("user", "show", "ann@example.test", "--json"))
    assert ann["email"] == "ann@example.test"
    assert ann["display_name"] == "Ann Example"
    assert ann["licenses"] == ["P1"]
    assert ann["mailbox"] is True
    assert ann["must_change_password"] is True
    assert ann["deleted"] is False and ann["blocked"] is False and ann["aliases"] == []

    gateway.ok("user", "add", "bob@example.test", "--password", "Correct-Horse9", "--license", "P1")
    refused = gateway.run("user", "add", "cat@example.test", "--license", "P1", check=1)
    assert "no licenses left for P1 (2 of 2 assigned)" in refused.stderr

    # Lowering below the assigned count names how many must go first.
    refused = gateway.run("license", "set", "P1", "--count", "1", check=1)
    assert "unassign 1" in refused.stderr

    # Domain removal is refused while addresses use it.
    assert "still used" in gateway.run("domain", "remove", "example.test", check=1).stderr

    domains = json.loads(gateway.ok("domain", "list", "--json"))
    assert domains[0]["domain"] == "example.test" and domains[0]["verified"] is False

    records = json.loads(gateway.ok("domain", "records", "example.test", "--json"))
    assert {r["type"] for r in records} >= {"MX", "CNAME", "TXT", "SRV"}


def test_password_rules_are_named(gateway):
    gateway.ok("domain", "add", "example.test")
    cases = {
        "short1A": "at least 8",
        "alllowercase1": "upper-case",
        "ALLUPPERCASE1": "lower-case",
        "NoDigitsHere": "digit or a symbol",
        "Has Space1x": "spaces",
        "Annabel-Secret1": "user name",
    }
    for password, rule in cases.items():
        result = gateway.run("user", "add", "annabel@example.test", "--password", password, check=1)
        assert rule in result.stderr, (password, result.stderr)
    # A long passphrase is fine (the guide's 16-character maximum is dated).
    gateway.ok("user", "add", "annabel@example.test", "--password", "Correct horse battery staple 9".replace(" ", "-"))


def test_edit_rename_block_alias(gateway):
    gateway.ok("domain", "add", "example.test")
    gateway.ok("domain", "add", "new.test")
    gateway.ok("license", "add", "P1", "--count", "5")
    gateway.ok("user", "add", "ann@example.test", "--license", "P1")
    gateway.ok("user", "set", "ann@example.test", "--job-title", "Engineer", "--department", "R&D",
               "--mobile-phone", "+1 555 0100", "--country-or-region", "Iceland")
    ann = json.loads(gateway.ok("user", "show", "ann@example.test", "--json"))
    assert ann["job_title"] == "Engineer" and ann["department"] == "R&D"
    assert ann["country_or_region"] == "Iceland"

    gateway.ok("user", "rename", "ann@example.test", "ann@new.test")
    ann = json.loads(gateway.ok("user", "show", "ann@new.test", "--json"))
    assert ann["aliases"] == ["ann@example.test"] and ann["licenses"] == ["P1"] and ann["mailbox"]
    # The old address finds the same user.
    assert json.loads(gateway.ok("user", "show", "ann@example.test", "--json"))["email"] == "ann@new.test"

    gateway.ok("user", "block", "ann@new.test")
    assert json.loads(gateway.ok("user", "show", "ann@new.test", "--json"))["blocked"] is True
    gateway.ok("user", "allow", "ann@new.test")
    assert json.loads(gateway.ok("user", "show", "ann@new.test", "--json"))["blocked"] is False

    gateway.ok("user", "alias", "ann@new.test", "--add", "sales@new.test")
    gateway.ok("user", "add", "bob@new.test")
    assert "already used" in gateway.run("user", "alias", "bob@new.test", "--add", "sales@new.test", check=1).stderr
    gateway.ok("user", "alias", "ann@new.test", "--remove", "sales@new.test")

    out = gateway.ok("user", "license", "ann@new.test", "--remove", "P1")
    assert "last license" in out
    assert json.loads(gateway.ok("user", "show", "ann@new.test", "--json"))["mailbox"] is False
    unlicensed = json.loads(gateway.ok("user", "list", "--unlicensed", "--json"))
    assert {u["email"] for u in unlicensed} == {"ann@new.test", "bob@new.test"}

    out = gateway.ok("user", "password", "bob@new.test", "--reset")
    assert "temporary password" in out
    assert json.loads(gateway.ok("user", "show", "bob@new.test", "--json"))["must_change_password"] is True


def test_delete_and_restore(gateway):
    gateway.ok("domain", "add", "example.test")
    gateway.ok("license", "add", "P1", "--count", "1")
    gateway.ok("user", "add", "ann@example.test", "--license", "P1")
    gateway.ok("user", "alias", "ann@example.test", "--add", "info@example.test")
    gateway.ok("user", "delete", "ann@example.test")
    assert json.loads(gateway.ok("license", "list", "--json"))[0]["assigned"] == 0
    deleted = json.loads(gateway.ok("user", "list", "--deleted", "--json"))
    assert [u["email"] for u in deleted] == ["ann@example.test"] and deleted[0]["deleted"] is True

    # Someone new takes the address and the alias, and the last license.
    gateway.ok("user", "add", "ann@example.test", "--license", "P1")
    gateway.ok("user", "alias", "ann@example.test", "--add", "info@example.test")
    refused = gateway.run("user", "restore", "ann@example.test", check=1)
    assert "--as" in refused.stderr
    refused = gateway.run("user", "restore", "ann@example.test", "--as", "ann.old@example.test", check=1)
    assert "no licenses left" in refused.stderr
    gateway.ok("license", "add", "P1", "--count", "1")
    out = gateway.ok("user", "restore", "ann@example.test", "--as", "ann.old@example.test")
    assert "restored ann.old@example.test" in out
    assert "dropped alias info@example.test" in out
    restored = json.loads(gateway.ok("user", "show", "ann.old@example.test", "--json"))
    assert restored["mailbox"] is True and restored["licenses"] == ["P1"]


def test_bulk_import(gateway, tmp_path):
    gateway.ok("domain", "add", "example.test")
    gateway.ok("license", "add", "P1", "--count", "10")
    gateway.ok("user", "add", "taken@example.test")
    csv = tmp_path / "users.csv"
    csv.write_text("\n".join([
        HEADER,
        row("ann@example.test", display="Ann A", first="Ann", last="A", job="Engineer"),
        row("bob@example.test", display="Bob B"),
        row("not-an-address", display="Nobody"),
        row("cat@example.test"),                       # no display name
        row("taken@example.test", display="Dup"),
        row("dan@other.test", display="Dan"),
        row('"eve@example.test"', display='"Eve, the ""second"""'),
    ]) + "\n", encoding="utf-8")

    check = gateway.run("user", "import", str(csv), "--check", check=1)
    assert "line 2: ann@example.test: ok" in check.stdout
    assert "line 4: error" in check.stdout and "not a full email address" in check.stdout
    assert "Display Name is required" in check.stdout
    assert "3 of 7 users can be imported" in check.stdout
    assert json.loads(gateway.ok("user", "list", "--json")) and \
        "ann@example.test" not in gateway.ok("user", "list")

    result = gateway.run("user", "import", str(csv), "--license", "P1", check=1)
    lines = result.stdout.splitlines()
    assert len([l for l in lines if l.startswith("line ")]) == 7
    assert re.search(r"line 2: ann@example.test: created, temporary password: \S{12}", result.stdout)
    assert "line 6: taken@example.test: error: taken@example.test is already used" in result.stdout
    assert "line 7: dan@other.test: error" in result.stdout
    eve = json.loads(gateway.ok("user", "show", "eve@example.test", "--json"))
    assert eve["display_name"] == 'Eve, the "second"' and eve["licenses"] == ["P1"]
    ann = json.loads(gateway.ok("user", "show", "ann@example.test", "--json"))
    assert ann["job_title"] == "Engineer" and ann["must_change_password"] is True


def test_bulk_import_limits_and_utf16(gateway, tmp_path):
    gateway.ok("domain", "add", "example.test")
    big = tmp_path / "big.csv"
    big.write_text("\n".join([HEADER] + [row(f"u{i}@example.test", display=f"U {i}") for i in range(251)]) + "\n")
    assert "1 to 250 users" in gateway.run("user", "import", str(big), "--check", check=1).stderr
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text("\n".join([HEADER, row("zoë@example.test", display="Zoë")]) + "\n", encoding="utf-16")
    out = gateway.run("user", "import", str(utf16), "--check")
    # zoë is not a dot-atom address: refused per row, the file itself is read.
    assert "line 2" in out.stdout


def test_settings_commands(gateway):
    policy = json.loads(gateway.ok("policy", "password", "--json"))
    assert policy == {"expire_days": 90, "notify_days": 14}
    assert "14 to 730" in gateway.run("policy", "password", "--expire-days", "7", check=1).stderr
    assert json.loads(gateway.ok("policy", "password", "--expire-days", "180", "--json"))["expire_days"] == 180

    mobile = json.loads(gateway.ok("mobile", "show", "--json"))
    assert mobile["email"] is True and mobile["require_password"] is False
    refused = gateway.run("mobile", "set", "--min-length", "6", check=1)
    assert "require-password" in refused.stderr
    mobile = json.loads(gateway.ok("mobile", "set", "--require-password", "yes", "--min-length", "6",
                                   "--max-failed-attempts", "8", "--json"))
    assert mobile["min_length"] == 6 and mobile["max_failed_attempts"] == 8
    gateway.ok("mobile", "set", "--email", "off")
    assert json.loads(gateway.ok("mobile", "show", "--json"))["email"] is False

    assert "off" in gateway.ok("calendar", "publishing", "off")
    assert "on" in gateway.ok("calendar", "publishing", "on")


def test_usage_and_config_errors(gateway):
    assert gateway.run("user", "add", check=2).returncode == 2
    assert gateway.run("license", "add", "P1", check=2).returncode == 2
    gateway.config.write_text(gateway.config.read_text() + "smtp:\n  lissten: 127.0.0.1:25\n")
    result = gateway.run("domain", "list", check=2)
    assert "smtp.lissten: unknown configuration key" in result.stderr
    gateway.config.write_text(gateway.config.read_text().replace("lissten: 127.0.0.1:25", "listen: 127.0.0.1:99999"))
    result = gateway.run("domain", "list", check=2)
    assert 'smtp.listen: "127.0.0.1:99999" is not a valid HOST:PORT' in result.stderr
