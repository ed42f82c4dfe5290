#!/usr/bin/env python3
"""Figures beyond summarize.py's for scripts/bench/compare: header-fetch and POP3 rates and the
first full-body round with the sessions split over two load-tool processes, server CPU per message, and, when the ceiling step
ran (DIR_B/../ceiling), the same load steps against a server that does nothing.

    split-summary.py DIR_A DIR_B
"""
import json
import pathlib
import sys


def rate(folder: pathlib.Path, user: str) -> float:
    """Summed messages/s of the two header-fetch processes."""
    return sum(
        json.loads((folder / f"50-split-headers-{user}-{part}.json").read_text())["result"]["messages_per_s"]
        for part in "ab"
    )


def pop3_rate(folder: pathlib.Path) -> float:
    """Summed messages/s of the two POP3 processes (each one level of 4 sessions)."""
    return sum(
        json.loads((folder / f"51-split-pop3-{part}.json").read_text())["levels"][0]["messages_per_s"]
        for part in "ab"
    )


def split_bodies(folder: pathlib.Path) -> tuple[float, float]:
    """The first (cold) and later full-body rounds of the two processes: mean of their p50s, ms."""
    results = [
        json.loads((folder / f"52-split-bodies-{part}.json").read_text())["result"] for part in "ab"
    ]
    first = sum(r["warmup_op_ms"]["p50"] for r in results) / 2
    later = sum(r["op_ms"]["p50"] for r in results) / 2
    return first, later


def cpu_per_message(folder: pathlib.Path, name: str, level: int | None = None) -> float:
    """Server CPU microseconds per message of one suite step (None when not measured)."""
    data = json.loads((folder / f"{name}.json").read_text())
    result = data["levels"][level] if level is not None else data["result"]
    cpu = result.get("server_cpu_s")
    return cpu * 1e6 / result["messages"] if cpu else float("nan")


def main() -> None:
    a, b = (pathlib.Path(arg) for arg in sys.argv[1:3])
    print()
    print(f"| header fetch, 2 load processes x 4 sessions | {a.name} msg/s | {b.name} msg/s | ratio |")
    print("|---|---:|---:|---:|")
    for user, label in (("41", "1000 msgs"), ("42", "10000 msgs")):
        try:
            ra, rb = rate(a, user), rate(b, user)
        except (OSError, KeyError, ValueError) as error:
            print(f"| {label} | missing ({error}) | | |")
            continue
        print(f"| {label} | {ra:,.0f} | {rb:,.0f} | {rb / ra:.2f} |")
    print()
    print(f"| full-body fetch of a fresh 1000-msg mailbox, 2 load processes x 4 sessions, p50 ms"
          f" | {a.name} | {b.name} | ratio (lower is better) |")
    print("|---|---:|---:|---:|")
    try:
        (fa, la), (fb, lb) = split_bodies(a), split_bodies(b)
        print(f"| first (cold) round | {fa:,.1f} | {fb:,.1f} | {fb / fa:.2f} |")
        print(f"| later rounds | {la:,.1f} | {lb:,.1f} | {lb / la:.2f} |")
    except (OSError, KeyError, ValueError) as error:
        print(f"| first (cold) round | missing ({error}) | | |")
    print()
    print(f"| POP3 RETR all, 2 load processes x 4 users | {a.name} msg/s | {b.name} msg/s | ratio |")
    print("|---|---:|---:|---:|")
    try:
        pa, pb = pop3_rate(a), pop3_rate(b)
        print(f"| 8 maildrops of 1000 | {pa:,.0f} | {pb:,.0f} | {pb / pa:.2f} |")
    except (OSError, KeyError, ValueError, IndexError) as error:
        print(f"| 8 maildrops of 1000 | missing ({error}) | | |")
    print()
    print(f"| server CPU per message, µs (lower is better) | {a.name} | {b.name} | ratio |")
    print("|---|---:|---:|---:|")
    steps = [
        ("IMAP headers, 1000 msgs", "11-headers-small", None),
        ("IMAP headers, 10000 msgs", "11-headers-big", None),
        ("IMAP bodies, 1000 msgs", "12-bodies-small", None),
        ("IMAP bodies, 10000 msgs", "12-bodies-big", None),
        ("POP3 RETR, 1 session", "30-pop3", 0),
        ("POP3 RETR, 8 sessions", "30-pop3", 1),
    ]
    for label, name, level in steps:
        try:
            ca, cb = cpu_per_message(a, name, level), cpu_per_message(b, name, level)
            print(f"| {label} | {ca:.1f} | {cb:.1f} | {cb / ca:.2f} |")
        except (OSError, KeyError, ValueError, IndexError, ZeroDivisionError) as error:
            print(f"| {label} | missing ({error}) | | |")
    ceiling(a, b)


def level_rate(path: pathlib.Path, level: int = 0) -> float:
    return json.loads(path.read_text())["levels"][level]["messages_per_s"]


def ceiling(a: pathlib.Path, b: pathlib.Path) -> None:
    """The anchor, Mailgate and the null servers on the same load steps, as ratios to the anchor."""
    null = b.parent / "ceiling"
    if not null.is_dir():
        return
    print()
    print("| load step, msg/s (ratio to the anchor) | " + a.name + " | " + b.name
          + " | null server with one fdatasync per message | null server |")
    print("|---|---:|---:|---:|---:|")
    rows = []
    for c in (1, 8, 32):
        rows.append((f"SMTP, {c} connection(s)", a / f"41-smtp-c{c}.json", b / f"41-smtp-c{c}.json",
                     null / f"41-smtp-null-fdatasync-c{c}.json", null / f"41-smtp-null-c{c}.json", 0))
    for level, sessions in ((0, 1), (1, 8)):
        for step, label in (("30-pop3", ""), ("31-pop3-pipelined", ", 8 RETR in flight")):
            rows.append((f"POP3, {sessions} session(s){label}", a / f"{step}.json", b / f"{step}.json",
                         None, null / f"{step}.json", level))
    for label, pa, pb, psync, pnull, level in rows:
        try:
            anchor = level_rate(pa, level)
            cells = []
            for path in (pb, psync, pnull):
                if path is None:
                    cells.append("-")
                else:
                    value = level_rate(path, level)
                    cells.append(f"{value:,.0f} ({value / anchor:.2f})")
            print(f"| {label} | {anchor:,.0f} | " + " | ".join(cells) + " |")
        except (OSError, KeyError, ValueError, IndexError, ZeroDivisionError) as error:
            print(f"| {label} | missing ({error}) | | | |")


if __name__ == "__main__":
    main()
