"""scripts/bench-certificates keeps working (a tiny registry, a few certificates; no timing is asserted)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import discard_database, new_database_url

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_certificates.py"
WAYS = ("by municipality + share number", "by AMKA", "by surname + firstname + fathername + birthdate",
        "by AMKA, asOnDate in the past")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_bench_certificates_seeds_then_reuses_and_times_every_way(tmp_path: Path, kind: str) -> None:
    url = new_database_url(kind, tmp_path)
    try:
        for expected in ("seeded 300 persons", "reusing the registry of 300 persons"):
            run = subprocess.run([sys.executable, str(SCRIPT), "--database-url", url, "--persons", "300",
                                  "--samples", "5"], capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, run.stderr[-2000:]
            assert expected in run.stdout
            rows = {line[:50].strip(): line.split() for line in run.stdout.splitlines() if line[:50].strip() in WAYS}
            assert set(rows) == set(WAYS) and all(fields[-1] == "0" for fields in rows.values()), run.stdout
            assert ("plan by AMKA, asOnDate in the past:" in run.stdout) == (kind == "postgresql")
    finally:
        discard_database(url)
