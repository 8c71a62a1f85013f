"""Typed methods and results of the civilRegistryActs service (Λήψη Ληξιαρχικών Πράξεων).

An act is named one way per call: by reference (``registry_office_code``, ``act_number``,
``year`` and, where the office numbers by volume, ``volume``) or by person (``amka``, or
``surname`` + ``firstname`` + ``fathername`` + ``birthdate``, ``mothername`` optional).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from consumer_client.core import ClientCore
from consumer_client.models import Reply, build

SERVICE = "civilRegistryActs"


@dataclass(frozen=True)
class ActHeader:
    act_type: str
    registry_office_code: str
    registry_office_name: str
    act_number: int
    year: int
    registration_date: dt.date
    status: str  # active | corrected | annulled
    volume: int | None = None


@dataclass(frozen=True)
class ActEvent:
    event_date: dt.date
    country_code: str
    country_name: str
    event_time: dt.time | None = None
    municipality_code: str | None = None
    municipality_name: str | None = None


@dataclass(frozen=True)
class ActParty:
    role: str  # child | father | mother | declarant | deceased | spouse | partner
    full_name: str
    full_name_latin: str
    amka: str | None = None
    surname: str | None = None
    firstname: str | None = None
    secondname: str | None = None
    fathername: str | None = None
    mothername: str | None = None
    mothergenos: str | None = None
    surname_latin: str | None = None
    firstname_latin: str | None = None
    fathername_latin: str | None = None
    mothername_latin: str | None = None
    gender: str | None = None
    birthdate: dt.date | None = None


@dataclass(frozen=True)
class MarginalNote:
    seq: int
    note_date: dt.date
    kind: str  # correction | recognition | divorce | name_change | dissolution | annulment
    text: str


@dataclass(frozen=True)
class Act:
    header: ActHeader
    event: ActEvent
    party: tuple[ActParty, ...]
    marginal_note: tuple[MarginalNote, ...] = ()


@dataclass(frozen=True)
class PartyName:
    role: str
    full_name: str
    full_name_latin: str


@dataclass(frozen=True)
class ActSummary:
    header: ActHeader
    main_party: tuple[PartyName, ...] = ()


@dataclass(frozen=True)
class ActSearchResult:
    act: tuple[ActSummary, ...]
    truncated: bool


def person_criteria(amka: str | None, surname: str | None, firstname: str | None, fathername: str | None,
            mothername: str | None, birthdate: dt.date | None) -> dict[str, Any] | None:
    person = {"amka": amka, "surname": surname, "firstname": firstname, "fathername": fathername,
              "mothername": mothername, "birthdate": birthdate}
    person = {key: value for key, value in person.items() if value is not None}
    return person or None


class CivilRegistryActs(ClientCore):
    def _act(self, operation: str, protocol: str, registry_office_code: str | None, act_number: int | None,
             volume: int | None, year: int | None, person: dict[str, Any] | None) -> Reply[Act]:
        reference = None
        if any(value is not None for value in (registry_office_code, act_number, volume, year)):
            reference = {"registryOfficeCode": registry_office_code, "actNumber": act_number,
                         "volume": volume, "year": year}
        return self.call(SERVICE, operation, protocol, lambda out: build(Act, out),
                         actReference=reference, person=person)

    def get_birth_act(
        self, *, protocol: str, registry_office_code: str | None = None, act_number: int | None = None,
        volume: int | None = None, year: int | None = None, amka: str | None = None, surname: str | None = None,
        firstname: str | None = None, fathername: str | None = None, mothername: str | None = None,
        birthdate: dt.date | None = None,
    ) -> Reply[Act]:
        """A birth act (ληξιαρχική πράξη γέννησης), by reference or by person."""
        return self._act("getBirthAct", protocol, registry_office_code, act_number, volume, year,
                         person_criteria(amka, surname, firstname, fathername, mothername, birthdate))

    def get_death_act(
        self, *, protocol: str, registry_office_code: str | None = None, act_number: int | None = None,
        volume: int | None = None, year: int | None = None, amka: str | None = None, surname: str | None = None,
        firstname: str | None = None, fathername: str | None = None, mothername: str | None = None,
        birthdate: dt.date | None = None,
    ) -> Reply[Act]:
        """A death act (ληξιαρχική πράξη θανάτου), by reference or by the deceased."""
        return self._act("getDeathAct", protocol, registry_office_code, act_number, volume, year,
                         person_criteria(amka, surname, firstname, fathername, mothername, birthdate))

    def get_marriage_act(
        self, *, protocol: str, registry_office_code: str | None = None, act_number: int | None = None,
        volume: int | None = None, year: int | None = None, amka: str | None = None, surname: str | None = None,
        firstname: str | None = None, fathername: str | None = None, mothername: str | None = None,
        birthdate: dt.date | None = None,
    ) -> Reply[Act]:
        """A marriage act (ληξιαρχική πράξη γάμου), by reference or by either spouse; a divorce is a note."""
        return self._act("getMarriageAct", protocol, registry_office_code, act_number, volume, year,
                         person_criteria(amka, surname, firstname, fathername, mothername, birthdate))

    def get_civil_partnership_act(
        self, *, protocol: str, registry_office_code: str | None = None, act_number: int | None = None,
        volume: int | None = None, year: int | None = None, amka: str | None = None, surname: str | None = None,
        firstname: str | None = None, fathername: str | None = None, mothername: str | None = None,
        birthdate: dt.date | None = None,
    ) -> Reply[Act]:
        """A civil-partnership act (σύμφωνο συμβίωσης), by reference or by either partner."""
        return self._act("getCivilPartnershipAct", protocol, registry_office_code, act_number, volume, year,
                         person_criteria(amka, surname, firstname, fathername, mothername, birthdate))

    def search_acts(
        self, *, protocol: str, amka: str | None = None, surname: str | None = None, firstname: str | None = None,
        fathername: str | None = None, mothername: str | None = None, birthdate: dt.date | None = None,
        act_type: str | None = None, registry_office_code: str | None = None, year_from: int | None = None,
        year_to: int | None = None, max_results: int | None = None,
    ) -> Reply[ActSearchResult]:
        """Act references naming a person, or of an office in a year range; capped by max_results."""
        return self.call(SERVICE, "searchActs", protocol, lambda out: build(ActSearchResult, out),
                         person=person_criteria(amka, surname, firstname, fathername, mothername, birthdate),
                         actType=act_type, registryOfficeCode=registry_office_code, yearFrom=year_from,
                         yearTo=year_to, maxResults=max_results)
