"""scripts/soak keeps working: a short soak with two workers over every service, its books balanced
(every answered call exactly one audit row with the outcome the client saw). No timing is asserted,
nor memory growth: eight seconds after a three-second warm-up measure a worker still warming up, not
a leak (the 10-minute soak of docs/security.md, Soak, does)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a soak

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


def test_a_short_soak_passes_and_balances_its_books(tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    run = subprocess.run([sys.executable, str(SCRIPT), "--duration", "8", "--rate", "6", "--persons", "200",
                          "--workers", "2", "--threads", "4", "--clients", "3", "--warmup", "3", "--sample-every", "3",
                          "--max-growth", "1000",
                          "--json", str(report_file)],
                         capture_output=True, text=True, timeout=600)
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert run.returncode == 0 and report["passed"], run.stdout[-3000:] + run.stderr[-2000:]
    assert report["calls made"] == 48 and not report["unexpected outcomes"]
    books = report["audit"]
    assert books["calls answered"] == books["audit rows"] == report["calls made"]
    assert books["audit rows for successful calls"] == books["successful calls"] == report["succeeded"]
    assert books["rows by outcome equal calls by outcome"] is True
    assert len(report["rss MB at start"]) == len(report["rss MB at end"]) == 2
    assert report["workers alive, none restarted"] is True
