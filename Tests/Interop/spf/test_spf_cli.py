"""`mailgate spf check` end to end against DNS servers on loopback (run.sh holds the cases)."""
import subprocess
from pathlib import Path


def test_spf_check_end_to_end(mailgate_bin):
    script = Path(__file__).with_name("run.sh")
    result = subprocess.run(["sh", str(script), mailgate_bin], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
