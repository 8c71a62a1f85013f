"""What each specialElectoralRolls request asks for, and the input rules it must meet.

Every broken rule answers MP_INVALID_INPUT naming the element and the specific reason, never
repeating a personal value as sent (the message is kept in the audit log). Names are
kept in the registry's form (capitals without accents); dates may not be in the future nor before
law 3838/2010 came into force.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from provider.registry.civil_registry_acts.criteria import blank_to_none
from provider.registry.civil_registry_acts.criteria import invalid as invalid  # re-exported: the package raises criteria.invalid
from provider.registry.special_electoral_rolls import documents
from provider.registry.special_electoral_rolls.dates import LAW_IN_FORCE
from provider.registry.special_electoral_rolls.numbers import normalize_application_number
from provider.registry.text.names import registry_form

REGISTRATION, DELETION_REQUEST, DELETION_CITIZENSHIP, CORRECTION = (
    "REGISTRATION", "DELETION_REQUEST", "DELETION_CITIZENSHIP", "CORRECTION")
KINDS = (REGISTRATION, DELETION_REQUEST, DELETION_CITIZENSHIP, CORRECTION)
FIRST_BIRTH_YEAR = 1900
_PERMIT = re.compile(r"^[A-Z0-9/-]{4,20}$")
_LATIN_PAIR = re.compile(r"^[A-Z]{2}$")
_MUNICIPALITY = re.compile(r"^\d{4}$")
_PHONE = re.compile(r"^\+?\d{10,15}$")
_POSTAL = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class ApplicantCriteria:
    permit_number: str
    surname_prefix: str
    firstname_prefix: str
    birth_year: int


@dataclass(frozen=True)
class Address:
    street: str
    number: str | None
    postal_code: str | None


@dataclass(frozen=True)
class Details:
    """The personal details a request may give, as given (checked by ``particulars``)."""

    mothername: str | None = None
    fathersurname: str | None = None
    phone: str | None = None
    street: str | None = None
    street_number: str | None = None
    postal_code: str | None = None
    electoral_district: str | None = None


@dataclass(frozen=True)
class Particulars:
    """The details an application or its finalization may carry (all optional here)."""

    mothername: str | None = None
    fathersurname: str | None = None
    phone: str | None = None
    address: Address | None = None
    electoral_district: str | None = None

    def given(self) -> list[str]:
        names = {"mothername": self.mothername, "fathersurname": self.fathersurname, "phone": self.phone,
                 "address": self.address, "electoralDistrict": self.electoral_district}
        return [name for name, value in names.items() if value is not None]


def text(field: str, value: str | None, limit: int, *, required: bool = False) -> str | None:
    value = blank_to_none(value)
    if value is None:
        if required:
            raise invalid(field, "υποχρεωτικό πεδίο (required)")
        return None
    value = " ".join(value.split())
    if len(value) > limit:
        raise invalid(field, f"έως {limit} χαρακτήρες (at most {limit} characters)")
    return value


def name(field: str, value: str | None, *, required: bool = False) -> str | None:
    checked = text(field, value, 80, required=required)
    if checked is not None and not all(c.isalpha() or c in " -'" for c in checked):
        raise invalid(field, "μόνο γράμματα, κενά, παύλες (letters only)")
    return registry_form(checked) if checked else None


def day(field: str, value: dt.date | None, today: dt.date) -> dt.date:
    """``value`` (today when absent) between the law's entry into force and today."""
    if value is None:
        return today
    if value > today:
        raise invalid(field, f"η ημερομηνία {value:%d-%m-%Y} είναι μελλοντική (date in the future)")
    if value < LAW_IN_FORCE:
        raise invalid(field, f"η ημερομηνία {value:%d-%m-%Y} είναι πριν από την έναρξη ισχύος του ν. 3838/2010 "
                      f"({LAW_IN_FORCE:%d-%m-%Y})")
    return value


def municipality_code(field: str, value: str | None, *, required: bool = False) -> str | None:
    code = blank_to_none(value)
    if code is None:
        if required:
            raise invalid(field, "υποχρεωτικό πεδίο (required)")
        return None
    if not _MUNICIPALITY.match(code):
        raise invalid(field, f"{code!r}: ο κωδικός Δήμου έχει 4 ψηφία, π.χ. 4501 (see getMunicipalities)")
    return code


def election_code(value: str | None) -> str:
    code = text("electionCode", value, 20, required=True)
    assert code is not None
    return code.upper()


def applicant(permit_number: str | None, surname_prefix: str | None, firstname_prefix: str | None,
              birth_year: int | None, today: dt.date) -> ApplicantCriteria:
    """The circular's search criteria: title number, two Latin capitals of surname and first name, birth year."""
    number = re.sub(r"\s", "", permit_number or "").upper()
    if not number:
        raise invalid("permitNumber", "υποχρεωτικό πεδίο: ο αριθμός του τίτλου διαμονής (required)")
    if not _PERMIT.match(number):
        raise invalid("permitNumber", "4-20 λατινικά κεφαλαία, ψηφία, '/' ή '-' "
                      "(4-20 Latin capitals, digits, '/' or '-')")
    prefixes = []
    for field, value in (("surnamePrefix", surname_prefix), ("firstnamePrefix", firstname_prefix)):
        letters = (value or "").strip().upper()
        if not _LATIN_PAIR.match(letters):
            greek = any("\u0370" <= c <= "\u03ff" for c in letters)
            hint = " με λατινικούς, όχι ελληνικούς χαρακτήρες (Latin, not Greek)" if greek else ""
            raise invalid(field, f"τα δύο πρώτα κεφαλαία λατινικά γράμματα{hint}, π.χ. PA "
                          "(the first two capital Latin letters)")
        prefixes.append(letters)
    if birth_year is None or not FIRST_BIRTH_YEAR <= birth_year <= today.year:
        raise invalid("birthYear", f"{birth_year}: έτος γέννησης από {FIRST_BIRTH_YEAR} έως {today.year}")
    return ApplicantCriteria(number, prefixes[0], prefixes[1], birth_year)


def address(street: str | None, number: str | None, postal_code: str | None) -> Address | None:
    street_checked = text("address/street", street, 120)
    number_checked = text("address/number", number, 10)
    postal = blank_to_none(postal_code)
    if street_checked is None:
        if number_checked or postal:
            raise invalid("address/street", "η οδός είναι υποχρεωτική όταν δίνεται διεύθυνση (street required)")
        return None
    if postal is not None and not _POSTAL.match(postal):
        raise invalid("address/postalCode", "ταχυδρομικός κώδικας 5 ψηφίων (5 digits)")
    return Address(registry_form(street_checked), number_checked, postal)


def particulars(given: Details) -> Particulars:
    """The details checked: names in the registry's form, a phone of digits, a whole address."""
    phone = blank_to_none(given.phone)
    if phone is not None:
        phone = re.sub(r"[\s-]", "", phone)
        if not _PHONE.match(phone):
            raise invalid("phone", "10-15 ψηφία, προαιρετικά με + (10-15 digits)")
    district = text("electoralDistrict", given.electoral_district, 80)
    return Particulars(name("mothername", given.mothername), name("fathersurname", given.fathersurname), phone,
                       address(given.street, given.street_number, given.postal_code),
                       registry_form(district) if district else None)


def kind(value: str | None) -> str:
    checked = (value or "").strip().upper()
    if checked not in KINDS:
        raise invalid("kind", f"{value!r}: ένα από {', '.join(KINDS)}")
    return checked


def application_number(value: str | None) -> str:
    try:
        return normalize_application_number(value or "")
    except ValueError as error:
        raise invalid("applicationNumber", f"{value!r}: {error}") from None


def document_codes(values: list[str] | None) -> frozenset[str]:
    codes = set()
    for value in values or ():
        code = (value or "").strip().upper()
        if code not in documents.CODES:
            raise invalid("document", f"{value!r}: ένα από {', '.join(documents.CODES)}")
        codes.add(code)
    return frozenset(codes)


def protocol_number(value: str | None) -> str:
    checked = text("protocolNumber", value, 40, required=True)
    assert checked is not None
    return checked


def passport_number(value: str | None) -> str | None:
    checked = blank_to_none(value)
    if checked is None:
        return None
    checked = checked.replace(" ", "").upper()
    if not re.match(r"^[A-Z0-9]{5,20}$", checked):
        raise invalid("passportNumber", "5-20 λατινικά κεφαλαία ή ψηφία")
    return checked


def refuse_fields(kind_name: str, fields: list[str]) -> None:
    """Deletions carry no further fields (§3.3: «χωρίς να χρειάζεται η συμπλήρωση επιπλέον πεδίων»)."""
    if fields:
        raise invalid(fields[0], f"η αίτηση {kind_name} δεν έχει άλλα πεδία πέρα από τα στοιχεία αναζήτησης και "
                      f"τον Δήμο (not used by {kind_name}: {', '.join(fields)})")
