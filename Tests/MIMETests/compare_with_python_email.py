#!/usr/bin/env python3
"""Generate a MIME corpus with Python's email package and record what Python's parser makes of it.

Usage: compare_with_python_email.py OUTPUT_DIR [--count N] [--seed S]

For every message NNNN.eml it writes NNNN.json with Python's view (policy.default parser):
  subject   decoded Subject (RFC 2047) or null
  from, to  [[display_name, addr_spec], ...] for the mailboxes (groups flattened)
  tree      {"type", "params" (RFC 2231-decoded, names lower-cased), "filename", "disposition",
             "size" (raw body octets, leaves only), "decoded_size" (transfer-decoded, leaves only),
             "children" (multipart parts, or the encapsulated message of message/rfc822)}
The Swift test MIMETests/PythonCorpusTests reads the folder from MIME_CORPUS_DIR and compares field by field.
"""
import argparse
import json
import os
import random
from email import policy
from email.headerregistry import Address, Group
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value

NAMES = ["Ann Example", "Jörg Müller", "José Niño", "李雷", "O'Brien, Pat", "Zoë \"Z\" Ward", "plain"]
SUBJECTS = [
    "Hello", "Grüße aus Köln", "Re: [list] Ünïcödé déjà vu — with a dash",
    "A very long subject line " + "that keeps going " * 8, "日本語の件名", "Price: 5€ only", "",
    "tabs\tand  double  spaces",
]
TEXTS = ["Hello,\nthis is a test.\n", "Zeile mit Umlauten: äöü ß\n" * 3, "x" * 1000 + "\n", "", "last line without newline"]
FILENAMES = ["report.pdf", "résumé.pdf", "данные.csv", "a file with spaces.txt", "long-" + "é" * 60 + ".bin"]


def address(rng):
    name = rng.choice(NAMES)
    user = rng.choice(["ann", "j.mueller", "jose+tag", "li"])
    return Address(display_name="" if name == "plain" else name, addr_spec=f"{user}@example.test")


def leaf(rng):
    part = MIMEPart(policy=policy.SMTP)
    kind = rng.randrange(4)
    if kind == 0:
        part.set_content(rng.choice(TEXTS), cte=rng.choice(["quoted-printable", "base64", "8bit", None]))
    elif kind == 1:
        part.set_content("<p>" + rng.choice(TEXTS) + "</p>", subtype="html")
    elif kind == 2:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 3000)))
        part.set_content(data, "application", "octet-stream", filename=rng.choice(FILENAMES))
    else:
        part.set_content(rng.choice(TEXTS), filename=rng.choice(FILENAMES), disposition="attachment")
    return part


def message(rng, depth=0):
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = rng.choice(SUBJECTS)
    msg["From"] = address(rng)
    if rng.random() < 0.2:
        msg["To"] = Group("undisclosed-recipients")
    elif rng.random() < 0.2:
        msg["To"] = Group("Team", [address(rng), address(rng)])
    else:
        msg["To"] = [address(rng) for _ in range(rng.randrange(1, 4))]
    msg["Date"] = "Mon, 7 Feb 1994 21:52:25 -0800"
    msg["Message-ID"] = f"<{rng.randrange(10**9)}@example.test>"
    shape = rng.randrange(5) if depth < 3 else 0
    if shape == 0:
        msg.set_content(rng.choice(TEXTS), cte=rng.choice(["quoted-printable", "base64", "8bit", None]))
    elif shape == 1:
        msg.set_content(rng.choice(TEXTS))
        msg.add_alternative("<p>html</p>", subtype="html")
    elif shape in (2, 3):
        msg.set_content(rng.choice(TEXTS))
        for _ in range(rng.randrange(1, 4)):
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 2000)))
            msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=rng.choice(FILENAMES))
        if shape == 3:
            msg.add_attachment(message(rng, depth + 1))  # message/rfc822
    elif shape == 4:
        msg.make_mixed()
        for _ in range(rng.randrange(1, 4)):
            msg.attach(leaf(rng))
        inner = MIMEPart(policy=policy.SMTP)
        inner.make_related()
        inner.attach(leaf(rng))
        inner.attach(leaf(rng))
        msg.attach(inner)
    return msg


def digest(rng):
    """multipart/digest whose parts have no Content-Type: they default to message/rfc822 (RFC 2046 5.1.5)."""
    crlf = b"\r\n"
    out = b"Subject: digest" + crlf + b"From: list@example.test" + crlf + b"MIME-Version: 1.0" + crlf
    out += b'Content-Type: multipart/digest; boundary="digest-boundary"' + crlf + crlf + b"preamble" + crlf
    for _ in range(rng.randrange(1, 4)):
        out += b"--digest-boundary" + crlf + crlf + message(rng, 2).as_bytes(policy=policy.SMTP) + crlf
    return out + b"--digest-boundary--" + crlf + b"epilogue" + crlf


# Hand-written nasty messages where both parsers should agree (written with \n; stored with CRLF unless noted).
# Deliberate differences, left out: a multipart without a boundary (Python keeps multipart/*, Mailgate makes it
# text/plain per RFC 2045 5.2 so BODYSTRUCTURE stays valid) and a multipart whose boundary never occurs
# (Mailgate adds one empty part, as IMAP's grammar needs), and comments in Content-Type (RFC 2045 5.1 allows them;
# Python takes "(c) text/html" as the type).
NASTY = {
    "bare-lf": (b"Subject: bare\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
                b"one\n--b\n\ntwo\n--b--\n", False),
    "no-close-delimiter": (b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\n\nsecond\nrest\n", True),
    "no-header": (b"just a body\nwith two lines\n", True),
    "header-only": (b"Subject: only a header\nFrom: a@example.test\n", True),
    "split-charsets": (b"Subject: =?iso-8859-1?q?J=F6?=\n =?utf-8?q?rg_=E2=82=AC?= and =?windows-1252?q?=80?=\n\nx\n", True),
    "rfc2231": (b"Content-Type: application/octet-stream; name*0*=utf-8''%C3%A9t; name*1*=%C3%A9; name*2=.bin\n"
                b"Content-Disposition: attachment; filename*=iso-8859-1'fr'%E9t%E9.txt\n\nx\n", True),
    "groups": (b"From: \"Doe, Jane\" <jane@example.test> (comment)\nTo: Team: a@x.test, B <b@y.test>;, c@z.test\n"
               b"Subject: groups\n\nbody\n", True),
    "digest": (b"Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody\n--d\n"
               b"Content-Type: text/plain\n\nplain\n--d--\n", True),
    "padding-preamble-epilogue": (b"Content-Type: multipart/mixed; boundary=\"x y\"\n\npreamble\n--x y  \n"
                                  b"Content-Type: message/rfc822\n\nSubject: inner\n\ninner\n--x y\t\n\nsecond\n"
                                  b"--x y--\nepilogue\n", True),
    "odd-content-type": (b"Content-Type:  TEXT/Html ; CharSet=\"UTF-8\"\n\n<p>x</p>\n", True),
    "long-header": (b"Subject: " + b"word " * 3000 + b"\nFrom: a@example.test\n\nx\n", True),
    "nested-missing-inner-close": (b"Content-Type: multipart/mixed; boundary=o\n\n--o\n"
                                   b"Content-Type: multipart/alternative; boundary=i\n\n--i\n\nA\n--i\n\nB\n"
                                   b"--o\n\nlast\n--o--\n", True),
}


def params_of(part):
    result = {}
    for name, value in (part.get_params(header="content-type", failobj=[]) or [])[1:]:
        result[name.lower()] = collapse_rfc2231_value(value)
    return result


def tree(part):
    node = {
        "type": part.get_content_type(),
        "params": params_of(part),
        "filename": part.get_filename(),
        "disposition": part.get_content_disposition(),
    }
    if part.is_multipart():
        node["children"] = [tree(child) for child in part.get_payload()]
    else:
        raw = part._payload  # the raw str (surrogate-escaped bytes); get_payload() would charset-decode 8-bit text
        node["size"] = len(raw.encode("ascii", "surrogateescape"))
        decoded = part.get_payload(decode=True)
        node["decoded_size"] = len(decoded) if decoded is not None else None
    return node


def mailboxes(header):
    if header is None:
        return []
    result = []
    for group in header.groups:
        for addr in group.addresses:
            result.append([addr.display_name, addr.addr_spec])
    return result


def describe(data):
    msg = BytesParser(policy=policy.default).parsebytes(data)
    subject = msg["subject"]
    return {
        "subject": None if subject is None else str(subject),
        "from": mailboxes(msg["from"]),
        "to": mailboxes(msg["to"]),
        "tree": tree(msg),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    rng = random.Random(args.seed)
    for index in range(args.count):
        data = digest(rng) if index % 10 == 9 else message(rng).as_bytes(policy=policy.SMTP)
        base = os.path.join(args.output, f"{index:04d}")
        with open(base + ".eml", "wb") as f:
            f.write(data)
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(describe(data), f, ensure_ascii=False, indent=1)
    for name, (data, crlf) in NASTY.items():
        if crlf:
            data = data.replace(b"\n", b"\r\n")
        base = os.path.join(args.output, f"nasty-{name}")
        with open(base + ".eml", "wb") as f:
            f.write(data)
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(describe(data), f, ensure_ascii=False, indent=1)
    print(f"wrote {args.count} generated and {len(NASTY)} hand-written messages to {args.output}")


if __name__ == "__main__":
    main()
