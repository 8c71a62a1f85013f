"""The rolls' operator commands, run as the real console script: elections, municipalities as
agencies, and `seed` adding the synthetic rolls."""
from __future__ import annotations

import pytest

from tests.provider.test_cli import Cli, cli, new_code  # noqa: F401 (cli is a fixture)

pytestmark = pytest.mark.slow  # the CLI in processes


def test_election_commands(cli: Cli) -> None:  # noqa: F811
    assert "registration until 2028-06-30" in cli.ok("election", "add", "AUTO-2028", "--name", "Δημοτικές εκλογές",
                                                     "--date", "2028-10-08", "--deadline", "2028-06-30")
    assert "at most two months, to 2028-08-31" in cli.fails("election", "extend", "AUTO-2028", "--until", "2028-09-15")
    assert "exactly one of" in cli.fails("election", "extend", "AUTO-2028", exit_code=2)
    assert "extended to 2028-08-31" in cli.ok("election", "extend", "AUTO-2028", "--until", "2028-08-31")
    assert "(extended to 2028-08-31)" in cli.ok("election", "list")
    assert "no election 'AUTO-1999'" in cli.fails("election", "extend", "AUTO-1999", "--withdraw")


def test_agency_municipality_commands(cli: Cli) -> None:  # noqa: F811
    code = new_code()
    cli.ok("agency", "add", code, "--name", "Δήμος Χανίων", "--legal-basis", "ν. 3838/2010", "--system", "EEK",
           "--municipality", "7401")
    assert "Δήμος 7401" in cli.agencies()[code]
    assert "no municipality with code '0000'" in cli.fails("agency", "set-municipality", code, "0000")
    assert "is not a municipality" in cli.ok("agency", "set-municipality", code)
    assert "Δήμος" not in cli.agencies()[code].split("Δήμος Χανίων")[0]


def test_seed_adds_the_rolls(cli: Cli) -> None:  # noqa: F811
    out = cli.ok("seed", "--persons", "100", "--seed", "5", "--quiet")
    assert "seeded 20 residence-permit holders" in out
    assert "not empty" in cli.fails("seed", "--persons", "100", "--quiet")


def test_the_demo_defaults_are_the_ones_the_tests_seed() -> None:
    from provider.cli import main
    from provider.synthetic.demo import DEMO_PERSONS, DEMO_SEED

    defaults = {param.name: param.default for param in main.commands["demo"].params}
    assert (defaults["persons"], defaults["seed"]) == (DEMO_PERSONS, DEMO_SEED)
