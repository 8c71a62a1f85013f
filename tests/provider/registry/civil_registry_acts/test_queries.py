"""provider.registry.civil_registry_acts.queries at the domain layer: every way of naming an act runs on indexes, shown by the
database's own EXPLAIN of the statements the lookup really executes (PostgreSQL's EXPLAIN,
SQLite's EXPLAIN QUERY PLAN); and the records say which persons they show.

A registry this small may rightly be read sequentially by PostgreSQL's planner, so its plans are
taken with ``enable_seqscan`` off: the planner then falls back to a sequential scan only when no
index can serve the query, so a ``Seq Scan`` on a registry table means a missing index.
(``scripts/bench-acts`` prints the plans the planner chooses by itself on 1,000,000 persons.)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from provider.registry.civil_registry_acts import queries as acts
from provider.registry.civil_registry_acts.criteria import ActReference, PersonCriteria, SearchCriteria
from tests.acts_data import Registry

REGISTRY_TABLES = ("persons", "civil_acts", "act_parties", "marginal_notes")
TODAY = dt.date.today()


@contextmanager
def captured_selects(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    plans = []
    with engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for statement, parameters in statements:
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            plans.append("\n".join(str(row[0] if postgres else row[-1]) for row in rows))
    return plans


def full_scans(plan: str, tables: tuple[str, ...] = REGISTRY_TABLES) -> list[str]:
    lines = [line.strip().lstrip("-> ") for line in plan.splitlines()]
    return [line for line in lines for table in tables
            if line.startswith((f"Seq Scan on {table}", f"SCAN {table}"))]


def _ways(registry: Registry) -> dict[str, tuple[Callable[[Session], Any], dict[str, list[str]]]]:
    """Each way of naming an act: the domain call, and the indexes its plans must show per dialect."""
    birth = registry.find("BIRTH", by_volume=True, abroad=False)
    reference = ActReference(**_snake(registry.reference(birth)))
    person = registry.main_person(registry.find("MARRIAGE", note="divorce"))
    by_amka = PersonCriteria(amka=person.amka)
    by_name = PersonCriteria(surname=person.surname, firstname=person.firstname, fathername=person.fathername,
                             birthdate=person.birthdate)
    office = reference.registry_office_code
    loading = {"postgresql": ["ix_act_parties_act_id", "ix_marginal_notes_act_id"],
               "sqlite": ["ix_act_parties_act_id", "ix_marginal_notes_act_id"]}
    parties = {"postgresql": ["ix_act_parties_person_id"], "sqlite": ["ix_act_parties_person_id"]}
    return {
        # On few rows PostgreSQL may prefer the (office, year) index and filter the rest; on many it takes
        # the reference index, coalesce(volume, 0) included. Either is an index lookup.
        "reference": (lambda s: acts.get_act(s, "BIRTH", reference, None, TODAY),
                      {"postgresql": ["uq_civil_acts_reference|ix_civil_acts_office_year"],
                       "sqlite": ["uq_civil_acts_reference"]}),
        "amka": (lambda s: acts.get_act(s, "MARRIAGE", None, by_amka, TODAY),
                 {"postgresql": ["uq_persons_amka"], "sqlite": ["(amka=?)"]}),
        "name+birthdate": (lambda s: acts.get_act(s, "MARRIAGE", None, by_name, TODAY),
                           {"postgresql": ["ix_persons_name_birthdate"], "sqlite": ["ix_persons_name_birthdate"]}),
        "search-by-person": (lambda s: acts.search_acts(s, SearchCriteria(person=by_amka), TODAY), parties),
        "search-by-office-and-years": (
            lambda s: acts.search_acts(s, SearchCriteria(registry_office_code=office, year_from=reference.year - 5,
                                                         year_to=reference.year + 5), TODAY),
            {"postgresql": ["ix_civil_acts_office_year"], "sqlite": ["ix_civil_acts_office_year"]}),
        "loading": (lambda s: acts.load_act(s, birth), loading),
        "loading-with-notes": (lambda s: acts.load_act(s, registry.find("BIRTH", note="correction")), loading),
    }


def _snake(reference: dict[str, Any]) -> dict[str, Any]:
    names = {"registryOfficeCode": "registry_office_code", "actNumber": "act_number"}
    return {names.get(k, k): v for k, v in reference.items()}


WAYS = ["reference", "amka", "name+birthdate", "search-by-person", "search-by-office-and-years", "loading",
        "loading-with-notes"]


@pytest.mark.parametrize("way", WAYS)
def test_every_way_of_naming_an_act_is_indexed(registry: Registry, way: str) -> None:
    lookup, indexes = _ways(registry)[way]
    assert_indexed(registry.engine, lookup, indexes[registry.engine.dialect.name])


def assert_indexed(engine: Engine, lookup: Callable[[Session], Any], indexes: list[str],
                   tables: tuple[str, ...] = REGISTRY_TABLES) -> None:
    """``lookup`` reads none of ``tables`` whole, and its plans name each index (``a|b``: either)."""
    with captured_selects(engine) as statements, Session(engine) as session:
        lookup(session)
    plans = explain(engine, statements)
    everything = "\n\n".join(plans)
    assert statements and not [scan for plan in plans for scan in full_scans(plan, tables)], everything
    for index in indexes:
        assert any(name in everything for name in index.split("|")), f"{index} not used\n{everything}"


def test_an_act_by_reference_is_one_statement_and_its_notes_one_more(registry: Registry) -> None:
    """The office, the act, its header, event and parties in one statement; the notes only for an act that has some."""
    without_notes = registry.scalars("SELECT min(a.id) FROM civil_acts a WHERE a.act_type = 'BIRTH' AND NOT EXISTS "
                                     "(SELECT 1 FROM marginal_notes n WHERE n.act_id = a.id)")[0]
    for act_id, statements_sent in ((without_notes, 1), (registry.find("BIRTH", note="correction"), 2)):
        reference = ActReference(**_snake(registry.reference(act_id)))
        with captured_selects(registry.engine) as statements, Session(registry.engine) as session:
            act = acts.get_act(session, "BIRTH", reference, None, TODAY)
        assert len(statements) == statements_sent, statements
        assert len(act.notes) == len(registry.expected(act_id)["marginalNote"]) and act.subjects == registry.person_ids(act_id)


def test_records_name_their_data_subjects(registry: Registry) -> None:
    act_id = registry.find("BIRTH", note="correction")
    with Session(registry.engine) as session:
        act = acts.load_act(session, act_id)
    assert act.subjects == registry.person_ids(act_id)
    assert all(party.person_id is None for party in act.parties if party.amka is None)
