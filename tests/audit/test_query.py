"""``mitroo-audit search`` and the query engine behind it, on a known set of events recorded with
the provider's own ``audit.events.record`` (SQLite and PostgreSQL): every filter, every output
format parsed back, pagination, subjects by AMKA, act and family share."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from audit import events
from audit.query import AuditFilter, QueryError, ip_criterion, search, subjects_of
from db.engine import make_sessionmaker
from tests.acts_data import Registry
from tests.conftest import PreparedDatabase

AUDIT = str(Path(sys.executable).with_name("mitroo-audit"))
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # 10:00 in Athens


@dataclass(frozen=True)
class KnownEvents:
    agency: str
    ids: dict[str, str]  # name → callSequenceId
    amka: str
    person_id: int
    act: str  # OFFICE/NUMBER[/VOLUME]/YEAR of an act naming the person
    share: str  # MUNICIPALITY/SHARE of the person's family share
    url: str


def _event(name: str, agency: str, minutes: int, **changes: object) -> events.Event:
    declared = {"auditTransactionId": f"tx-{name}-{agency}", "auditTransactionDate": T0.isoformat(),
                "auditUnit": "Τμήμα Α", "auditProtocol": "ΑΠ 1/2026", "auditUserId": "clerk-1",
                "auditUserIp": "10.1.2.3"}
    declared.update(changes.pop("declared", {}))  # type: ignore[arg-type]
    values: dict[str, object] = dict(
        call_sequence_id=str(uuid.uuid4()), server_time=T0 + dt.timedelta(minutes=minutes),
        service="civilRegistryActs", operation="getBirthAct", observed_ip="192.0.2.10", outcome="OK",
        duration_ms=12, request_digest="0" * 64, agency_code=agency, system_code="SYS", username="u-one",
        declared=declared,
    )
    values.update(changes)
    return events.Event(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def known(database: PreparedDatabase, registry: Registry) -> KnownEvents:
    agency = f"AQ{uuid.uuid4().hex[:8].upper()}"
    act_id = registry.find("BIRTH")
    person = registry.main_person(act_id)
    with Session(database.engine) as session:
        share = session.execute(text(
            "SELECT m.code, s.share_number FROM family_share_members f JOIN family_shares s ON s.id = f.share_id "
            "JOIN municipalities m ON m.id = s.municipality_id WHERE f.person_id = :p ORDER BY f.id LIMIT 1"),
            {"p": person.id}).one()
    reference = registry.reference(act_id)
    act = "/".join(str(part) for part in (reference["registryOfficeCode"], reference["actNumber"],
                                          reference.get("volume"), reference["year"]) if part is not None)
    plan = {
        "first": _event("first", agency, 0, subjects=frozenset({person.id})),
        "other-user": _event("other-user", agency, 5, username="u-two", system_code="SYS2",
                             declared={"auditUnit": "Τμήμα Β", "auditUserId": "clerk-2", "auditUserIp": "10.9.0.1"}),
        "error": _event("error", agency, 10, outcome="MP_NOT_FOUND", outcome_detail="δεν βρέθηκε",
                        operation="getDeathAct", observed_ip="198.51.100.7"),
        "refused": _event("refused", agency, 60 * 24, outcome="MP_NOT_AUTHORIZED", service="registryParameters",
                          operation="getCountries", declared={"auditProtocol": "ΑΠ 2/2026"}),
        "ipv6": _event("ipv6", agency, 60 * 48, observed_ip="2001:db8::5", declared={"auditUserIp": "not-an-ip"}),
    }
    sessions = make_sessionmaker(database.engine)
    for event in plan.values():
        events.record(sessions, event)
    return KnownEvents(agency, {name: e.call_sequence_id for name, e in plan.items()}, person.amka, person.id,
                       act, f"{share[0]}/{share[1]}", database.url)


def names(known: KnownEvents, found: list[str]) -> list[str]:
    by_id = {call_id: name for name, call_id in known.ids.items()}
    return [by_id[call_id] for call_id in found if call_id in by_id]


FILTERS = {
    "agency only": ({}, ["first", "other-user", "error", "refused", "ipv6"]),
    "system": ({"system": "SYS2"}, ["other-user"]),
    "username": ({"username": "u-two"}, ["other-user"]),
    "declared unit": ({"unit": "Τμήμα Β"}, ["other-user"]),
    "declared user": ({"user_id": "clerk-2"}, ["other-user"]),
    "observed ip exact": ({"observed_ip": "198.51.100.7"}, ["error"]),
    "observed ip cidr": ({"observed_ip": "192.0.2.0/24"}, ["first", "other-user", "refused"]),
    "observed ipv6 cidr": ({"observed_ip": "2001:db8::/32"}, ["ipv6"]),
    "declared ip cidr": ({"declared_ip": "10.9.0.0/16"}, ["other-user"]),
    "service": ({"service": "registryParameters"}, ["refused"]),
    "operation": ({"operation": "getDeathAct"}, ["error"]),
    "outcome OK": ({"outcome": "OK"}, ["first", "other-user", "ipv6"]),
    "any error": ({"outcome": "ERROR"}, ["error", "refused"]),
    "one code": ({"outcome": "MP_NOT_AUTHORIZED"}, ["refused"]),
    "time range": ({"since": T0 + dt.timedelta(minutes=5), "until": T0 + dt.timedelta(days=1, minutes=1)},
                   ["other-user", "error", "refused"]),
    "protocol": ({"protocol": "ΑΠ 2/2026"}, ["refused"]),
}


@pytest.mark.parametrize("case", FILTERS)
def test_every_filter(database: PreparedDatabase, known: KnownEvents, case: str) -> None:
    criteria, expected = FILTERS[case]
    for key in ("observed_ip", "declared_ip"):
        if key in criteria:
            criteria = {**criteria, key: ip_criterion(criteria[key], key)}  # type: ignore[arg-type]
    with Session(database.engine) as session:
        found = [e.call_sequence_id for e in search(session, AuditFilter(agency=known.agency, **criteria))]
    assert names(known, found) == expected


def test_by_call_sequence_id_and_transaction_id(database: PreparedDatabase, known: KnownEvents) -> None:
    with Session(database.engine) as session:
        assert [e.call_sequence_id for e in search(session, AuditFilter(call_sequence_id=known.ids["error"]))] == [
            known.ids["error"]]
        found = search(session, AuditFilter(transaction_id=f"tx-refused-{known.agency}"))
        assert [e.call_sequence_id for e in found] == [known.ids["refused"]]


def test_subjects_by_amka_act_and_share(database: PreparedDatabase, known: KnownEvents) -> None:
    office, *rest = known.act.split("/")
    numbers = [int(part) for part in rest]
    act = (office, numbers[0], numbers[-1], numbers[1] if len(numbers) == 3 else None)
    municipality, share = known.share.split("/")
    with Session(database.engine) as session:
        for subjects in (subjects_of(session, amka=known.amka), subjects_of(session, act=act),
                         subjects_of(session, share=(municipality, int(share)))):
            assert known.person_id in subjects
            found = [e.call_sequence_id for e in search(session, AuditFilter(agency=known.agency, subjects=subjects))]
            assert names(known, found) == ["first"]
        assert subjects_of(session, amka="00000000000") == frozenset()


def test_a_bad_network_is_named() -> None:
    with pytest.raises(QueryError, match="--observed-ip"):
        ip_criterion("10.0.0.300", "--observed-ip")


def test_pagination(database: PreparedDatabase, known: KnownEvents) -> None:
    with Session(database.engine) as session:
        pages = [[e.call_sequence_id for e in search(session, AuditFilter(agency=known.agency), offset=o, limit=2)]
                 for o in (0, 2, 4)]
    assert [names(known, page) for page in pages] == [["first", "other-user"], ["error", "refused"], ["ipv6"]]


# -- the CLI ----------------------------------------------------------------------------------


def audit_cli(known: KnownEvents, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=known.url)
    return subprocess.run([AUDIT, "search", "--agency", known.agency, *args], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


@pytest.mark.parametrize("output", ["csv", "json", "ndjson"])
@pytest.mark.slow
def test_each_export_format_parses_back(known: KnownEvents, output: str) -> None:
    result = audit_cli(known, "--format", output, "--outcome", "ERROR")
    assert result.returncode == 0, result.stderr
    if output == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    elif output == "json":
        rows = json.loads(result.stdout)
    else:
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert names(known, [row["call_sequence_id"] for row in rows]) == ["error", "refused"]
    first = rows[0]
    assert first["outcome"] == "MP_NOT_FOUND" and first["audit_unit"] == "Τμήμα Α"
    assert dt.datetime.fromisoformat(first["server_time"]) == T0 + dt.timedelta(minutes=10)


@pytest.mark.slow
def test_table_pages_and_subjects(known: KnownEvents) -> None:
    page = audit_cli(known, "--page-size", "2", "--page", "2")
    assert page.returncode == 0, page.stderr
    assert known.ids["error"] in page.stdout and known.ids["first"] not in page.stdout
    assert "--page 3" in page.stderr
    for option, value in (("--subject-amka", known.amka), ("--subject-act", known.act),
                          ("--subject-share", known.share)):
        found = audit_cli(known, option, value, "--format", "ndjson")
        assert found.returncode == 0, found.stderr
        assert [json.loads(line)["call_sequence_id"] for line in found.stdout.splitlines()] == [known.ids["first"]]


@pytest.mark.parametrize("args, message", [
    (["--observed-ip", "10.0.0.999"], "--observed-ip"),
    (["--since", "yesterday"], "--since"),
    (["--subject-act", "L1/x/2020"], "--subject-act"),
    (["--subject-amka", "00000000000"], "no person"),
])
@pytest.mark.slow
def test_bad_criteria_are_named(known: KnownEvents, args: list[str], message: str) -> None:
    result = audit_cli(known, *args)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_local_dates_are_athens_time(known: KnownEvents) -> None:
    # 10:05 in Athens is 08:05 UTC: "other-user" (08:05) onwards
    result = audit_cli(known, "--since", "2026-03-02T10:05", "--until", "2026-03-02T10:06", "--format", "ndjson")
    assert [json.loads(line)["call_sequence_id"] for line in result.stdout.splitlines()] == [known.ids["other-user"]]



# -- stats ------------------------------------------------------------------------------------


def test_stats_on_the_known_events(database: PreparedDatabase, known: KnownEvents) -> None:
    from audit.stats import WorkingHours, compute

    with Session(database.engine) as session:
        result = compute(session, AuditFilter(agency=known.agency), hours=WorkingHours(), burst_threshold=2)
    assert (result.total, result.errors) == (5, 2)
    first_day = T0.date()
    assert [(d.operation, d.day, d.calls, d.errors) for d in result.daily] == [
        ("getBirthAct", first_day, 2, 0), ("getBirthAct", first_day + dt.timedelta(days=2), 1, 0),
        ("getCountries", first_day + dt.timedelta(days=1), 1, 1), ("getDeathAct", first_day, 1, 1),
    ]
    assert [(c.username, c.calls, c.errors) for c in result.top_callers] == [("u-one", 4, 2), ("u-two", 1, 0)]
    assert result.outside_hours == 0  # Monday to Wednesday, 10:00-10:10 Athens
    assert result.bursts == ()


@pytest.mark.slow
def test_stats_flags_outside_hours_and_bursts(known: KnownEvents) -> None:
    result = subprocess.run(
        [AUDIT, "stats", "--agency", known.agency, "--work-start", "10:03", "--burst", "1", "--json"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}, "PYTHONUTF8": "1",
             "MITROO_DATABASE_URL": known.url},
        capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # the three calls at 10:00 (Monday to Wednesday) are before 10:03
    assert report["total"] == 5 and report["outside_hours"] == 3
    assert [(c["username"], c["calls"]) for c in report["outside_hours_by_caller"]] == [("u-one", 3)]
    assert report["bursts"] == []  # no one above 1 call in one minute
    table = subprocess.run([AUDIT, "stats", "--agency", known.agency], env={
        **{k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}, "PYTHONUTF8": "1",
        "MITROO_DATABASE_URL": known.url}, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert table.returncode == 0 and "5 calls, 2 errors (40.0%)" in table.stdout and "getDeathAct" in table.stdout


def test_a_burst_is_flagged(database: PreparedDatabase) -> None:
    from audit.stats import compute

    agency = f"AB{uuid.uuid4().hex[:8].upper()}"
    sessions = make_sessionmaker(database.engine)
    for second in (1, 15, 30, 59, 61):  # four in the minute 10:00, one in 10:01 (Athens)
        events.record(sessions, _event(f"b{second}", agency, 0, server_time=T0 + dt.timedelta(seconds=second)))
    with Session(database.engine) as session:
        result = compute(session, AuditFilter(agency=agency), burst_threshold=3)
    assert [(b.username, b.minute.strftime("%H:%M"), b.calls) for b in result.bursts] == [("u-one", "10:00", 4)]


# -- the subject access report ----------------------------------------------------------------


@pytest.mark.parametrize("output", ["text", "html"])
@pytest.mark.slow
def test_subject_report(known: KnownEvents, output: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=known.url)
    target = tmp_path / f"report.{output}"
    result = subprocess.run([AUDIT, "subject-report", "--amka", known.amka, "--since", "2026-03-01",
                             "--until", "2026-03-03", "--format", output, "--out", str(target)],
                            env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    report = target.read_text(encoding="utf-8")
    assert "Αναφορά πρόσβασης στα προσωπικά σας δεδομένα" in report and known.amka in report
    assert known.ids["first"] in report and known.ids["other-user"] not in report
    assert "02/03/2026 10:00:00" in report  # Athens time
    assert "Λήψη Ληξιαρχικών Πράξεων: getBirthAct" in report and "ΑΠ 1/2026" in report and "Τμήμα Α" in report
    if output == "html":
        assert report.startswith("<!DOCTYPE html>") and 'lang="el"' in report and "@media print" in report


@pytest.mark.slow
def test_subject_report_of_an_unknown_amka(known: KnownEvents) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=known.url)
    result = subprocess.run([AUDIT, "subject-report", "--amka", "00000000000"], env=env, capture_output=True,
                            text=True, encoding="utf-8", timeout=60)
    assert result.returncode != 0 and "ΑΜΚΑ" in result.stderr and "Traceback" not in result.stderr


def test_stats_honour_an_ip_network(database: PreparedDatabase, known: KnownEvents) -> None:
    from audit.stats import compute

    with Session(database.engine) as session:
        result = compute(session, AuditFilter(agency=known.agency, observed_ip=ip_criterion("192.0.2.0/24", "ip")))
    assert result.total == 3  # first, other-user, refused
