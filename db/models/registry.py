"""The registry itself: persons, family shares (μερίδες) and civil acts (ληξιαρχικές πράξεις)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    amka: Mapped[str | None] = mapped_column(String(11), unique=True)
    afm: Mapped[str | None] = mapped_column(String(9), unique=True)
    surname: Mapped[str] = mapped_column(String(80))
    firstname: Mapped[str] = mapped_column(String(80))
    secondname: Mapped[str | None] = mapped_column(String(80))
    fathername: Mapped[str | None] = mapped_column(String(80))
    fathersurname: Mapped[str | None] = mapped_column(String(80))
    mothername: Mapped[str | None] = mapped_column(String(80))
    mothersurname: Mapped[str | None] = mapped_column(String(80))
    mothergenos: Mapped[str | None] = mapped_column(String(80))  # mother's maiden name
    surname_latin: Mapped[str] = mapped_column(String(80))
    firstname_latin: Mapped[str] = mapped_column(String(80))
    fathername_latin: Mapped[str | None] = mapped_column(String(80))
    mothername_latin: Mapped[str | None] = mapped_column(String(80))
    gender: Mapped[str] = mapped_column(String(1))  # M or F
    birthdate: Mapped[dt.date] = mapped_column(Date)
    birth_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    birth_country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), default="GR")
    nationality: Mapped[str] = mapped_column(ForeignKey("countries.code"), default="GR")
    deathdate: Mapped[dt.date | None] = mapped_column(Date)
    grnatgaindate: Mapped[dt.date | None] = mapped_column(Date)  # Greek nationality acquired (naturalised)
    eklspecialno: Mapped[str | None] = mapped_column(String(12))  # special electoral number (voters)

    __table_args__ = (
        Index("ix_persons_name_birthdate", "surname", "firstname", "birthdate"),
    )


class FamilyShare(Base):
    """A family share (μερίδα) of a municipality's registry (δημοτολόγιο)."""

    __tablename__ = "family_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    share_number: Mapped[int] = mapped_column(Integer)
    created_on: Mapped[dt.date] = mapped_column(Date)

    members: Mapped[list[FamilyShareMember]] = relationship(back_populates="share")

    __table_args__ = (UniqueConstraint("municipality_id", "share_number"),)


class FamilyShareMember(Base):
    __tablename__ = "family_share_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("family_shares.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    membertype: Mapped[str] = mapped_column(ForeignKey("member_types.code"))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    deleted_on: Mapped[dt.date | None] = mapped_column(Date)
    deletion_reason: Mapped[str | None] = mapped_column(String(120))
    # The day the person became a citizen (δημότης) of the share's municipality (gainmunrecdate):
    # kept across shares of one municipality, the day of the move after a μεταδημότευση.
    gainmunrecdate: Mapped[dt.date | None] = mapped_column(Date)

    share: Mapped[FamilyShare] = relationship(back_populates="members")


class CivilAct(Base):
    """A civil-registry act: birth, death, marriage or civil partnership."""

    __tablename__ = "civil_acts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_type: Mapped[str] = mapped_column(ForeignKey("act_types.code"))
    registry_office_id: Mapped[int] = mapped_column(ForeignKey("registry_offices.id"))
    act_number: Mapped[int] = mapped_column(Integer)
    volume: Mapped[int | None] = mapped_column(Integer)  # τόμος, where the office numbers by volume
    year: Mapped[int] = mapped_column(Integer)
    registration_date: Mapped[dt.date] = mapped_column(Date)
    event_date: Mapped[dt.date] = mapped_column(Date)
    event_time: Mapped[dt.time | None] = mapped_column(Time)
    event_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    event_country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), default="GR")
    status: Mapped[str] = mapped_column(String(12), default="active")  # active|corrected|annulled

    parties: Mapped[list[ActParty]] = relationship(back_populates="act", order_by="ActParty.id")
    notes: Mapped[list[MarginalNote]] = relationship(back_populates="act", order_by="MarginalNote.seq")

    __table_args__ = (
        Index(
            "uq_civil_acts_reference",
            "registry_office_id",
            "act_type",
            "year",
            func.coalesce("volume", 0),
            "act_number",
            unique=True,
        ),
        Index("ix_civil_acts_office_year", "registry_office_id", "year", "registration_date"),  # searchActs
    )


class ActParty(Base):
    """A person named on an act, with their role (child, father, mother, declarant, ...)."""

    __tablename__ = "act_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("civil_acts.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    name_text: Mapped[str | None] = mapped_column(String(200))  # a party not in the registry

    act: Mapped[CivilAct] = relationship(back_populates="parties")


class MarginalNote(Base):
    """A marginal note (σημείωση) on an act: correction, recognition, divorce, ..."""

    __tablename__ = "marginal_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("civil_acts.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    note_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)

    act: Mapped[CivilAct] = relationship(back_populates="notes")
