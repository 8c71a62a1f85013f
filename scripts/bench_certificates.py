"""Benchmark of getMaritalStatusCertificate (run by scripts/bench-certificates; not part of the test suite).

The certificates need histories the first 1,000,000-person bench database (``mitroo_bench_1m`` of
scripts/bench-acts) was seeded without (moves, remarriages, gainmunrecdate), so this one seeds its
own, ``mitroo_bench_1m_certs`` (same seed 7, the current generator), on first run and reuses it
afterwards; an existing database is first migrated (``upgrade head``). It then times each way of
naming the family share, sequentially, over a random sample: at the domain layer
(provider.registry.civil_status_certificates.queries on one session, the certificate stored) and over HTTP through
``mitroo-provider serve`` in its own process (the whole pipeline, audit row committed), and prints
p50/p90/p99 per way and the plans PostgreSQL chooses by itself for one lookup of each way.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench_acts import AGENCY, chosen_scans, percentiles, prepared, serve, stop, time_http
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.models import FamilyShare, FamilyShareMember, Grant, Municipality, Person
from provider.access import admin
from provider.errors import MitrooError
from provider.registry.civil_registry_acts.criteria import PersonCriteria
from provider.registry.civil_registry_acts.queries import find_persons
from provider.registry.civil_status_certificates import queries as certificates
from provider.registry.civil_status_certificates.criteria import CertificateRequest, ShareReference
from provider.registry.civil_status_certificates.register import Issuance

SERVICE = "civilStatusCertificates"
OPERATION = "getMaritalStatusCertificate"
PURPOSE = "benchmark"


def grant(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        if session.scalar(select(Grant.id).where(Grant.service == SERVICE, Grant.agency.has(code=AGENCY))) is None:
            admin.add_grant(session, AGENCY, SERVICE, (), "benchmark", "benchmark only")


def pick_samples(engine: Engine, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Random shares with a current member whose name set names no one else, and a past day they were in it."""
    chosen: list[dict[str, Any]] = []
    with Session(engine) as session:
        top = session.scalar(select(func.max(FamilyShare.id))) or 0
        while len(chosen) < count:
            rows = session.execute(
                select(FamilyShare, Municipality.code, Person, FamilyShareMember.registered_on)
                .join(Municipality, FamilyShare.municipality_id == Municipality.id)
                .join(FamilyShareMember, FamilyShareMember.share_id == FamilyShare.id)
                .join(Person, Person.id == FamilyShareMember.person_id)
                .where(FamilyShare.id.in_(rng.sample(range(1, top + 1), min(count, top))),
                       FamilyShareMember.deleted_on.is_(None))
                .order_by(FamilyShare.id, FamilyShareMember.id)
            ).all()
            seen: set[int] = set()
            for share, code, person, registered_on in rows:
                if share.id in seen or len(chosen) >= count:
                    continue
                seen.add(share.id)
                name = PersonCriteria(surname=person.surname, firstname=person.firstname,
                                      fathername=person.fathername, birthdate=person.birthdate)
                if len(find_persons(session, name)) != 1:
                    continue
                since = registered_on.toordinal()  # a day the person was a member
                past = dt.date.fromordinal(rng.randint(since, max(since, dt.date(2025, 12, 31).toordinal())))
                chosen.append({"share": ShareReference(code, share.share_number), "amka": person.amka,
                               "name": name, "past": past})
    return chosen


def person_xml(criteria: PersonCriteria) -> str:
    if criteria.amka:
        return f"<a:person><c:amka>{criteria.amka}</c:amka></a:person>"
    return (f"<a:person><c:surname>{criteria.surname}</c:surname><c:firstname>{criteria.firstname}</c:firstname>"
            f"<c:fathername>{criteria.fathername}</c:fathername><c:birthdate>{criteria.birthdate}</c:birthdate>"
            "</a:person>")


def _request(way: str, sample: dict[str, Any]) -> CertificateRequest:
    if way == "share":
        return CertificateRequest(PURPOSE, share=sample["share"])
    if way == "name":
        return CertificateRequest(PURPOSE, person=sample["name"])
    request = CertificateRequest(PURPOSE, person=PersonCriteria(amka=sample["amka"]))
    return dataclasses.replace(request, as_on_date=sample["past"]) if way == "past" else request


def _xml(request: CertificateRequest) -> str:
    if request.share is not None:
        subject = (f"<a:shareReference><a:municipalityCode>{request.share.municipality_code}</a:municipalityCode>"
                   f"<a:shareNumber>{request.share.share_number}</a:shareNumber></a:shareReference>")
    else:
        assert request.person is not None
        subject = person_xml(request.person)
    day = f"<a:asOnDate>{request.as_on_date}</a:asOnDate>" if request.as_on_date else ""
    return f"{subject}<a:purpose>{request.purpose}</a:purpose>{day}"


WAYS = {"share": "by municipality + share number", "amka": "by AMKA",
        "name": "by surname + firstname + fathername + birthdate", "past": "by AMKA, asOnDate in the past"}


def time_domain(engine: Engine, samples: list[dict[str, Any]], way: str) -> list[float]:
    today, spent = dt.date.today(), []
    for sample in samples:
        issuance = Issuance(str(uuid.uuid4()), dt.datetime.now(dt.UTC), AGENCY)
        started = time.perf_counter()
        with Session(engine) as session:
            certificates.marital_status_certificate(session, _request(way, sample), today, issuance)
        spent.append(time.perf_counter() - started)
    return spent


def plans(engine: Engine, sample: dict[str, Any]) -> dict[str, list[str]]:
    """The scans PostgreSQL's planner picks by itself for the statements of one certificate of each way."""
    def run(way: str) -> Any:
        issuance = Issuance(str(uuid.uuid4()), dt.datetime.now(dt.UTC), AGENCY)
        return lambda session: certificates.marital_status_certificate(session, _request(way, sample),
                                                                       dt.date.today(), issuance)

    return {title: chosen_scans(engine, run(way)) for way, title in WAYS.items()}


def main() -> None:
    args, engine = prepared(__doc__, "certificates", suffix="_certs")  # migrates (upgrade head) first
    grant(engine)
    samples = pick_samples(engine, args.samples, random.Random(args.seed))
    warmup = samples[: max(1, len(samples) // 20)]
    url, server = serve(args.database_url, Path(tempfile.mkdtemp()))
    url = url.replace("civilRegistryActs", SERVICE)
    print(f"\n{len(samples)} family-status certificates per way, one at a time; times in ms "
          "(HTTP: the whole pipeline, certificate stored and audit included)")
    print(f"{'way':<50}{'domain p50':>11}{'p90':>8}{'p99':>8}{'HTTP p50':>11}{'p90':>8}{'p99':>8}{'errors':>8}")
    try:
        for way, title in WAYS.items():
            def soap(sample: dict[str, Any], way: str = way) -> tuple[str, str]:
                return OPERATION, _xml(_request(way, sample))

            time_domain(engine, warmup, way)
            time_http(url, warmup, soap, namespace=SERVICE)
            domain = percentiles(time_domain(engine, samples, way))
            spent, errors = time_http(url, samples, soap, namespace=SERVICE)
            http = percentiles(spent)
            print(f"{title:<50}{domain[0]:>11.1f}{domain[1]:>8.1f}{domain[2]:>8.1f}"
                  f"{http[0]:>11.1f}{http[1]:>8.1f}{http[2]:>8.1f}{errors:>8}")
        if engine.dialect.name == "postgresql":
            for title, scans in plans(engine, samples[0]).items():
                print(f"\nplan {title}:\n  " + "\n  ".join(scans))
    except MitrooError as error:
        raise SystemExit(f"benchmark lookup failed: {error}") from None
    finally:
        stop(server)
        engine.dispose()

if __name__ == "__main__":
    main()
