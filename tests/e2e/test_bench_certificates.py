"""scripts/bench-certificates keeps working (a tiny registry, a few certificates; no timing is asserted)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_bench_acts import seeds_then_reuses_and_times

pytestmark = pytest.mark.slow  # the benchmark in processes

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_certificates.py"
WAYS = ("by municipality + share number", "by AMKA", "by surname + firstname + fathername + birthdate",
        "by AMKA, asOnDate in the past")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_bench_certificates_seeds_then_reuses_and_times_every_way(tmp_path: Path, kind: str) -> None:
    seeds_then_reuses_and_times(SCRIPT, WAYS, "plan by AMKA, asOnDate in the past:", tmp_path, kind)
