"""What a civilStatusCertificates request asks for, and the input rules it must meet (plain Python).

A family-status certificate names its family share (μερίδα) in exactly one way: municipality code
+ share number, or a person (AMKA, or surname + firstname + fathername + birthdate, as in the acts
service). Birth and registration certificates name a person. ``purpose`` (σκοπός χορήγησης) is
mandatory; ``asOnDate`` defaults to the registry's today and may not lie in the future. Every rule
broken answers MP_INVALID_INPUT naming the element.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from provider.registry.civil_registry_acts.criteria import (
    FIRST_YEAR,
    PersonCriteria,
    blank_to_none,
    check_person,
    invalid,
)

MAX_PURPOSE = 300
# Certificate numbers: a kind prefix, the year of issue and 80 random bits in Crockford's base32.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KIND_PREFIX = {"MARITAL_STATUS": "MS", "BIRTH": "BC", "REGISTRATION": "RC"}
NUMBER_PATTERN = re.compile(rf"^({'|'.join(KIND_PREFIX.values())})-\d{{4}}(-[{CROCKFORD}]{{4}}){{4}}$")


@dataclass(frozen=True)
class ShareReference:
    municipality_code: str
    share_number: int


@dataclass(frozen=True)
class CertificateRequest:
    """Who the certificate is about, why, and as on which day (None: today)."""

    purpose: str
    share: ShareReference | None = None
    person: PersonCriteria | None = None
    as_on_date: dt.date | None = None


def check_request(request: CertificateRequest, today: dt.date, *, by_share: bool) -> CertificateRequest:
    """The request normalised: exactly one way of naming the subject, a purpose, a date not in the future.

    ``by_share`` says whether the operation may name a family share (family-status certificates only).
    """
    purpose = blank_to_none(request.purpose)
    if purpose is None:
        raise invalid("purpose", "ο σκοπός χορήγησης είναι υποχρεωτικός (empty purpose)")
    if len(purpose) > MAX_PURPOSE:
        raise invalid("purpose", f"έως {MAX_PURPOSE} χαρακτήρες, δόθηκαν {len(purpose)} (too long)")
    as_on = request.as_on_date or today
    if as_on > today:
        raise invalid("asOnDate", f"η ημερομηνία {as_on.isoformat()} είναι μελλοντική (date in the future)")
    if as_on.year < FIRST_YEAR:
        raise invalid("asOnDate", f"πριν από το {FIRST_YEAR}, την αρχή του μητρώου (before the registry begins)")
    share = request.share if by_share else None
    if (share is None) == (request.person is None):
        raise invalid("shareReference/person" if by_share else "person",
                      "ονομάστε τη μερίδα με έναν τρόπο: shareReference (municipalityCode + shareNumber) ή person "
                      "(exactly one of shareReference and person)" if by_share else
                      "δώστε το πρόσωπο: amka ή surname, firstname, fathername και birthdate (person is required)")
    if share is not None:
        code = blank_to_none(share.municipality_code)
        if code is None:
            raise invalid("municipalityCode", "κενός κωδικός δήμου (empty; see getMunicipalities)")
        if share.share_number < 1:
            raise invalid("shareNumber", "ο αριθμός μερίδας είναι θετικός ακέραιος (must be at least 1)")
        return CertificateRequest(purpose, ShareReference(code, share.share_number), None, as_on)
    assert request.person is not None
    return CertificateRequest(purpose, None, check_person(request.person, today), as_on)


def check_number(number: str | None) -> str:
    """A certificate number in its printed form (case and surrounding blanks ignored)."""
    value = (blank_to_none(number) or "").upper()
    if not value:
        raise invalid("certificateNumber", "κενός αριθμός πιστοποιητικού (empty)")
    if not NUMBER_PATTERN.match(value):
        raise invalid("certificateNumber", f"{number!r}: μορφή ΜΜ-ΕΕΕΕ-XXXX-XXXX-XXXX-XXXX, π.χ. MS-2026-7K3Q-9ZPX-"
                      "4M2D-HT6W (not a certificate number)")
    return value
