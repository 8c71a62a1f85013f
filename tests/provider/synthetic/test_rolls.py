"""The synthetic central database of the rolls: deterministic, and what the service itself would have
made: every registration re-checked through provider.registry.special_electoral_rolls reading the database, numbers valid,
one current entry per elector, citizenship with its family share, histories for Region titles only."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from stdnum import luhn

from db.models import (
    CitizenshipAcquisition,
    FamilyShare,
    FamilyShareMember,
    PermitHolder,
    PermitType,
    Person,
    ResidenceHistory,
    ResidencePermit,
    RollApplication,
    RollEntry,
)
from provider.registry.special_electoral_rolls import check, eligibility, records
from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.numbers import normalize_application_number
from provider.synthetic.registry import seed_registry
from provider.synthetic.rolls import seed_rolls
from tests.conftest import prepare_database

HOLDERS, SEED = 400, 11


def _seeded(directory: Path) -> Engine:
    prepared = prepare_database("sqlite", directory)
    seed_registry(prepared.engine, persons=300, seed=SEED, progress=False)
    seed_rolls(prepared.engine, holders=HOLDERS, seed=SEED)
    return prepared.engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = _seeded(tmp_path_factory.mktemp("rolls-a"))
    yield engine
    engine.dispose()


def _rows(engine: Engine, model: type) -> list[Any]:
    with engine.connect() as connection:
        return connection.execute(select(model.__table__).order_by(*model.__table__.primary_key.columns)).all()


def test_the_same_seed_gives_the_same_rows(engine: Engine, tmp_path: Path) -> None:
    other = _seeded(tmp_path)
    try:
        for model in (Person, PermitHolder, ResidencePermit, ResidenceHistory, RollApplication, RollEntry):
            assert _rows(engine, model) == _rows(other, model), model.__tablename__
    finally:
        other.dispose()


def test_a_mix_of_everything(engine: Engine) -> None:
    with Session(engine) as session:
        kinds = Counter(session.execute(select(RollApplication.kind, RollApplication.status)).all())
        sources = Counter(session.scalars(select(ResidenceHistory.source)))
        categories = Counter(session.execute(select(PermitType.category_code).join(
            ResidencePermit, ResidencePermit.permit_type_code == PermitType.code)).scalars())
    assert kinds[("REGISTRATION", "FINALIZED")] > 40
    for wanted in (("REGISTRATION", "CARRIED_OVER"), ("REGISTRATION", "CREATED"), ("DELETION_REQUEST", "FINALIZED"),
                   ("CORRECTION", "FINALIZED")):
        assert kinds[wanted] > 0, wanted
    assert set(sources) == {"PERMIT_APPLICATION", "DECLARED_MOVE", "FORM_210", "FORM_411"}
    assert set(categories) >= {"A", "B", "C", "D", "E", "F", "G", "H", None}


def test_every_registration_is_what_the_service_would_have_made(engine: Engine) -> None:
    with Session(engine) as session:
        finalized = session.scalars(select(RollApplication).where(
            RollApplication.kind == "REGISTRATION", RollApplication.status == "FINALIZED")).all()
        for application in finalized:
            assert application.completed_on is not None
            applicant = records.applicant(session, application.holder_id, application.permit_id,
                                          application.completed_on)
            election = records.election_by_id(session, application.election_id)
            here = records.place(session, application.municipality_id)
            assert eligibility.reasons(applicant, election) == (), application.number
            outcome = check.evaluate(applicant, election, here)
            assert outcome.residence is not None
            assert outcome.residence.requires_certificate or outcome.residence.entitled_here, application.number
            assert application.completed_on <= Revision.from_key(application.revision).deadline
            assert normalize_application_number(application.number or "") == application.number
            entry = session.scalar(select(RollEntry).where(RollEntry.added_by == application.id))
            assert entry is not None and entry.municipality_id == application.municipality_id
            assert luhn.is_valid(entry.special_electoral_number) and len(entry.special_electoral_number) == 13


def test_roll_entries_and_their_changes(engine: Engine) -> None:
    with Session(engine) as session:
        current = session.scalars(select(RollEntry).where(RollEntry.removed_revision.is_(None))).all()
        assert len({e.holder_id for e in current}) == len(current)
        assert len({e.special_electoral_number for e in current}) == len(current)
        for entry in session.scalars(select(RollEntry).where(RollEntry.removed_revision.is_not(None))):
            assert entry.removed_revision >= entry.added_revision
            remover = session.get_one(RollApplication, entry.removed_by)
            assert remover.status == "FINALIZED" and remover.kind != "REGISTRATION"
        for carried in session.scalars(select(RollApplication).where(RollApplication.status == "CARRIED_OVER")):
            successor = session.scalar(select(RollApplication).where(RollApplication.previous_id == carried.id))
            assert successor is not None and successor.revision > carried.revision


def test_holders_permits_and_citizenship(engine: Engine) -> None:
    with Session(engine) as session:
        for permit, police in session.execute(select(ResidencePermit, PermitType.police).join(PermitType)):
            assert (permit.authority_kind == "POLICE") is police
            assert permit.valid_to is None or permit.valid_to > permit.valid_from
        police_holders = set(session.scalars(select(ResidencePermit.holder_id).where(
            ResidencePermit.authority_kind == "POLICE")))
        assert not police_holders & set(session.scalars(select(ResidenceHistory.holder_id)))
        for acquisition in session.scalars(select(CitizenshipAcquisition)):
            member = session.scalar(select(FamilyShareMember).where(
                FamilyShareMember.person_id == acquisition.holder_id))
            assert member is not None and member.membertype == "HEAD"
            assert session.get_one(FamilyShare, member.share_id).created_on == acquisition.acquired_on
            assert session.get_one(Person, acquisition.holder_id).nationality == "GR"
        assert session.scalar(select(Person.amka).join(PermitHolder, PermitHolder.person_id == Person.id)
                              .where(Person.amka.is_not(None)).limit(1)) is None
        assert max(session.scalars(select(RollApplication.application_date))) < dt.date(2025, 12, 31)
