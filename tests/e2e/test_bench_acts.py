"""scripts/bench-acts keeps working (a tiny registry, a few lookups; no timing is asserted)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import discard_database, new_database_url

pytestmark = pytest.mark.slow  # the benchmark in processes

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_acts.py"
WAYS = ("by reference", "by AMKA", "by name + birthdate", "searchActs by AMKA", "searchActs by office + year")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_bench_acts_seeds_then_reuses_and_times_every_way(tmp_path: Path, kind: str) -> None:
    seeds_then_reuses_and_times(SCRIPT, WAYS, "plan by reference:", tmp_path, kind)


def seeds_then_reuses_and_times(script: Path, ways: tuple[str, ...], plan: str, tmp_path: Path, kind: str) -> None:
    """``script`` seeds a tiny registry, then reuses it, and times every one of ``ways`` without an error."""
    url = new_database_url(kind, tmp_path)
    width = max(map(len, ways)) + 1
    try:
        for expected in ("seeded 300 persons", "reusing the registry of 300 persons"):
            run = subprocess.run([sys.executable, str(script), "--database-url", url, "--persons", "300",
                                  "--samples", "5"], capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, run.stderr[-2000:]
            assert expected in run.stdout
            rows = {line[:width].strip(): line.split() for line in run.stdout.splitlines()
                    if line[:width].strip() in ways}
            assert set(rows) == set(ways) and all(fields[-1] == "0" for fields in rows.values()), run.stdout
            assert (plan in run.stdout) == (kind == "postgresql")
    finally:
        discard_database(url)
