"""Durability under SIGKILL (issue 3, "Done when"): once the store says a message is saved,
it survives the process being killed in the middle of many concurrent saves.

`mailgate-bench durability-writer` delivers numbered messages with 16 concurrent writers
and prints each id after the store acknowledged it. The test SIGKILLs it right after
reading a fresh acknowledgement, then `mailgate-bench durability-check` reopens the store
and requires every acknowledged id exactly once, byte for byte. Three rounds on one store,
so recovery of an already-recovered store is covered too.

Run with MAILGATE_BENCH=/path/to/mailgate-bench (a release build keeps the rate honest).
"""

import os
import select
import signal
import subprocess
import tempfile
import time

import pytest

ROUNDS = 3
WRITERS = 16
ACK_SECONDS = 3.0
# A writer that made no durable save within this time after start is broken (store creation included).
START_TIMEOUT = 120.0
# "Some hundreds" per round: far below what group commit reaches, far above a trickle.
MIN_ACKS_PER_ROUND = 300


@pytest.fixture
def bench():
    path = os.environ.get("MAILGATE_BENCH")
    if not path:
        pytest.skip("MAILGATE_BENCH is not set (path to the mailgate-bench binary)")
    assert os.access(path, os.X_OK), f"MAILGATE_BENCH={path} is not executable"
    return path


def split_lines(buffer):
    """Complete lines as ids, and the unfinished rest."""
    *lines, rest = buffer.split(b"\n")
    return [line.decode() for line in lines if line], rest


def run_writer_and_kill(bench, store_dir):
    """Starts the writer, reads acknowledgements for ACK_SECONDS, SIGKILLs it right after a
    fresh one, and returns every id it acknowledged."""
    with tempfile.TemporaryFile() as stderr:
        writer = subprocess.Popen(
            [bench, "durability-writer", "--dir", store_dir, "--writers", str(WRITERS)],
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        fd = writer.stdout.fileno()
        acked, buffer = [], b""
        started, kill_at = time.monotonic(), None
        try:
            while True:
                ready, _, _ = select.select([fd], [], [], 1.0)
                if not ready:
                    assert writer.poll() is None, f"writer exited early:\n{read_all(stderr)}"
                    assert acked or time.monotonic() - started < START_TIMEOUT, "writer acknowledged nothing"
                    continue
                chunk = os.read(fd, 65536)
                assert chunk, f"writer closed its output:\n{read_all(stderr)}"
                lines, buffer = split_lines(buffer + chunk)
                acked += lines
                if lines and kill_at is None:
                    kill_at = time.monotonic() + ACK_SECONDS
                if lines and kill_at is not None and time.monotonic() >= kill_at:
                    # Right after a fresh acknowledgement: other writers are mid-commit.
                    writer.send_signal(signal.SIGKILL)
                    break
        finally:
            if writer.poll() is None:
                writer.kill()
            writer.wait()
        assert writer.returncode == -signal.SIGKILL, f"writer ended otherwise:\n{read_all(stderr)}"
        # Lines still in the pipe were printed after their save returned: acknowledged too.
        # A line cut short cannot happen (one write(2) below PIPE_BUF each) and would not count.
        lines, _ = split_lines(buffer + writer.stdout.read())
        writer.stdout.close()
        return acked + lines


def read_all(file):
    file.seek(0)
    return file.read().decode(errors="replace")


def test_acknowledged_messages_survive_sigkill(bench, tmp_path):
    store_dir = str(tmp_path / "store")
    acked_file = tmp_path / "acked.txt"
    all_acked = []
    for round_number in range(1, ROUNDS + 1):
        acked = run_writer_and_kill(bench, store_dir)
        assert len(acked) >= MIN_ACKS_PER_ROUND, f"round {round_number}: only {len(acked)} acknowledgements"
        all_acked += acked
        assert len(set(all_acked)) == len(all_acked), "the writer acknowledged an id twice"
        acked_file.write_text("".join(f"{ack}\n" for ack in all_acked))

        check = subprocess.run(
            [bench, "durability-check", "--dir", store_dir, "--acked", str(acked_file)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        print(f"round {round_number}: {len(acked)} acknowledged before SIGKILL\n{check.stdout}{check.stderr}")
        assert check.returncode == 0, f"round {round_number}:\n{check.stdout}{check.stderr}"
        assert "OK:" in check.stdout
