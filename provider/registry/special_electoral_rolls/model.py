"""What the central database holds about an applicant, as frozen records (read by ``records``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from provider.registry.special_electoral_rolls.dates import add_months
from provider.registry.special_electoral_rolls.residence import HistoryRow, Place

REGION, MINISTRY, POLICE = "REGION", "MINISTRY", "POLICE"
AUTHORITY_KINDS = (REGION, MINISTRY, POLICE)
APPLICATION_BASIS, ISSUE_BASIS = "APPLICATION", "ISSUE"
# A renewal applied for within a month of the expiry keeps the residence continuous
# (ν. 3386/2005 άρθρο 11: late applications within one month, with a fine).
RENEWAL_GRACE_MONTHS = 1


@dataclass(frozen=True)
class Category:
    code: str  # A..H
    letter: str  # Α..Η
    description: str
    five_year_basis: str | None  # APPLICATION | ISSUE | None (not required)
    passport_exempt: bool
    five_year_certificate: bool


@dataclass(frozen=True)
class PermitType:
    code: str
    name: str
    category: Category | None  # None: not a title of the annex
    police: bool
    edto: bool
    no_passport: bool


@dataclass(frozen=True)
class Permit:
    id: int
    number: str
    type: PermitType
    authority_kind: str  # REGION | MINISTRY | POLICE
    authority_name: str
    application_date: dt.date
    valid_from: dt.date
    valid_to: dt.date | None

    @property
    def police(self) -> bool:
        return self.authority_kind == POLICE

    @property
    def passport_required(self) -> bool:
        """Circular §2.4 β: refugees, subsidiary protection, stateless persons and homogeneis from other
        countries need no passport, except holders of an Ε.Δ.Τ.Ο.; nor those who cannot have one."""
        category = self.type.category
        exempt = category is not None and category.passport_exempt and not self.type.edto
        return not (exempt or self.type.no_passport)


@dataclass(frozen=True)
class Holder:
    person_id: int
    surname: str
    firstname: str
    surname_latin: str
    firstname_latin: str
    fathername: str | None
    mothername: str | None
    gender: str
    birthdate: dt.date
    birthdate_exact: bool
    birthplace: str | None
    nationality: str
    nationality_name: str
    homogeneis: bool
    spouse_name: str | None
    maiden_name: str | None


@dataclass(frozen=True)
class ConvictionRecord:
    court: str
    decision: str
    penalty: str
    irrevocable_on: dt.date
    rights_restored_on: dt.date | None

    def in_force(self, on: dt.date) -> bool:
        return self.irrevocable_on <= on and (self.rights_restored_on is None or self.rights_restored_on > on)


@dataclass(frozen=True)
class Acquisition:
    acquired_on: dt.date
    municipality: Place  # of the family share that registered the new citizen
    decision: str


@dataclass(frozen=True)
class ElectionInfo:
    id: int
    code: str
    name: str
    election_date: dt.date
    registration_deadline: dt.date
    extended_deadline: dt.date | None

    @property
    def deadline(self) -> dt.date:
        """The registration deadline in force, extended or not."""
        return self.extended_deadline or self.registration_deadline

    @property
    def born_by(self) -> dt.date:
        """Electors are those born by 31 December of the election year minus 18 (1 January counts as
        the birthday of everyone born within a year, Π.Δ. 96/2007 άρθρο 4 παρ. 2)."""
        return dt.date(self.election_date.year - 18, 12, 31)


@dataclass(frozen=True)
class Applicant:
    """A holder found by the search criteria, with everything the system held on ``on``."""

    holder: Holder
    permit: Permit  # the one presented
    permits: tuple[Permit, ...]  # every permit of the holder applied for by ``on``
    history: tuple[HistoryRow, ...]
    convictions: tuple[ConvictionRecord, ...]
    acquisition: Acquisition | None
    on: dt.date

    @property
    def category(self) -> Category | None:
        return self.permit.type.category

    def continuous_since(self, basis: str) -> dt.date:
        """The start of the continuous chain of permits ending with the one presented: its first
        application (``APPLICATION``) or first grant (``ISSUE``)."""
        chain = [self.permit]
        earlier = sorted((p for p in self.permits if p.valid_from < self.permit.valid_from),
                         key=lambda p: p.valid_from, reverse=True)
        for previous in earlier:
            if previous.valid_to is not None and chain[-1].application_date > add_months(
                    previous.valid_to, RENEWAL_GRACE_MONTHS):
                break
            chain.append(previous)
        first = chain[-1]
        return first.application_date if basis == APPLICATION_BASIS else first.valid_from
