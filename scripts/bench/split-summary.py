#!/usr/bin/env python3
"""Header-fetch and POP3 rates with the sessions split over two load-tool processes (scripts/bench/compare).

    split-summary.py DIR_A DIR_B
"""
import json
import pathlib
import sys


def rate(folder: pathlib.Path, user: str) -> tuple[float, float]:
    """Summed messages/s of the two processes, and their summed server CPU seconds."""
    total, cpu = 0.0, 0.0
    for part in "ab":
        result = json.loads((folder / f"50-split-headers-{user}-{part}.json").read_text())["result"]
        total += result["messages_per_s"]
        cpu = max(cpu, result.get("server_cpu_s") or 0.0)
    return total, cpu


def pop3_rate(folder: pathlib.Path) -> float:
    """Summed messages/s of the two POP3 processes (each one level of 4 sessions)."""
    return sum(
        json.loads((folder / f"51-split-pop3-{part}.json").read_text())["levels"][0]["messages_per_s"]
        for part in "ab"
    )


def main() -> None:
    a, b = (pathlib.Path(arg) for arg in sys.argv[1:3])
    print()
    print(f"| header fetch, 2 load processes x 4 sessions | {a.name} msg/s | {b.name} msg/s | ratio |")
    print("|---|---:|---:|---:|")
    for user, label in (("41", "1000 msgs"), ("42", "10000 msgs")):
        try:
            ra, _ = rate(a, user)
            rb, _ = rate(b, user)
        except (OSError, KeyError, ValueError) as error:
            print(f"| {label} | missing ({error}) | | |")
            continue
        print(f"| {label} | {ra:,.0f} | {rb:,.0f} | {rb / ra:.2f} |")
    print()
    print(f"| POP3 RETR all, 2 load processes x 4 users | {a.name} msg/s | {b.name} msg/s | ratio |")
    print("|---|---:|---:|---:|")
    try:
        pa, pb = pop3_rate(a), pop3_rate(b)
        print(f"| 8 maildrops of 1000 | {pa:,.0f} | {pb:,.0f} | {pb / pa:.2f} |")
    except (OSError, KeyError, ValueError, IndexError) as error:
        print(f"| 8 maildrops of 1000 | missing ({error}) | | |")


if __name__ == "__main__":
    main()
