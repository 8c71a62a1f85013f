"""What a civilRegistryActs request asks for, and the input rules it must meet (plain Python).

An act is named in exactly one way: by reference (registry office, act number, year and, where
the office keeps volumes, the volume) or by person (AMKA, or surname + firstname + fathername +
birthdate, mothername optional). A search needs a selective criterion: a person, or a registry
office with a year range. Every rule broken answers MP_INVALID_INPUT naming the element, never
the value sent (the message is kept in the audit log).
Names are compared in the registry's form (capitals without accents), so «Παπαδόπουλος» finds
ΠΑΠΑΔΟΠΟΥΛΟΣ.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.gr import amka as stdnum_amka

from provider.errors import ErrorCode, MitrooError
from provider.registry.text.names import registry_form

FIRST_YEAR = 1900  # the oldest acts the registry holds
REGISTRY_ZONE = ZoneInfo("Europe/Athens")  # "today" and "the future" are the registry's, not UTC's
ACT_TYPES = ("BIRTH", "DEATH", "MARRIAGE", "PARTNERSHIP")
DEFAULT_MAX_RESULTS = 50
MAX_RESULTS_LIMIT = 500
NAME_FIELDS = ("surname", "firstname", "fathername", "birthdate")  # mothername is optional

_AMKA_PROBLEMS: dict[type[ValidationError], str] = {
    InvalidFormat: "μόνο ψηφία (digits only)",
    InvalidLength: "11 ψηφία (must be 11 digits)",
    InvalidChecksum: "λάθος ψηφίο ελέγχου (invalid check digit)",
    InvalidComponent: "τα 6 πρώτα ψηφία δεν είναι ημερομηνία γέννησης ΗΗΜΜΕΕ (no birth date DDMMYY)",
}


@dataclass(frozen=True)
class ActReference:
    registry_office_code: str
    act_number: int
    year: int
    volume: int | None = None


@dataclass(frozen=True)
class PersonCriteria:
    amka: str | None = None
    surname: str | None = None
    firstname: str | None = None
    fathername: str | None = None
    mothername: str | None = None
    birthdate: dt.date | None = None


@dataclass(frozen=True)
class SearchCriteria:
    person: PersonCriteria | None = None
    act_type: str | None = None
    registry_office_code: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    max_results: int | None = None


def registry_today(moment: dt.datetime) -> dt.date:
    return moment.astimezone(REGISTRY_ZONE).date()


def invalid(field: str, reason: str) -> MitrooError:
    return MitrooError(ErrorCode.MP_INVALID_INPUT, f"{field}: {reason}")


def blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def check_year(field: str, year: int, today: dt.date) -> None:
    if not FIRST_YEAR <= year <= today.year:
        raise invalid(field, f"έτος εκτός των ορίων του μητρώου {FIRST_YEAR}–{today.year} (year out of range)")


def check_reference(reference: ActReference, today: dt.date) -> ActReference:
    """The reference with its office code normalised; the volume is checked against the office later."""
    code = blank_to_none(reference.registry_office_code)
    if code is None:
        raise invalid("registryOfficeCode", "κενός κωδικός ληξιαρχείου (empty)")
    if reference.act_number < 1:
        raise invalid("actNumber", "ο αριθμός πράξης είναι θετικός ακέραιος (must be at least 1)")
    if reference.volume is not None and reference.volume < 1:
        raise invalid("volume", "ο τόμος είναι θετικός ακέραιος (must be at least 1)")
    check_year("year", reference.year, today)
    return replace(reference, registry_office_code=code.upper())


def check_person(person: PersonCriteria, today: dt.date) -> PersonCriteria:
    """The person named by AMKA or by the name set, in the registry's form."""
    amka = blank_to_none(person.amka)
    names = {
        field: blank_to_none(getattr(person, field)) for field in ("surname", "firstname", "fathername", "mothername")
    }
    given = [field for field in NAME_FIELDS if (names.get(field) if field != "birthdate" else person.birthdate)]
    if amka is not None:
        if given or names["mothername"]:
            raise invalid("person", "δώστε ΑΜΚΑ ή ονοματεπώνυμο με πατρώνυμο και ημερομηνία γέννησης, όχι και τα δύο "
                          "(amka or the name set, not both)")
        return PersonCriteria(amka=_checked_amka(amka))
    missing = [field for field in NAME_FIELDS if field not in given]
    if len(missing) == len(NAME_FIELDS) and not names["mothername"]:
        raise invalid("person", "δώστε ΑΜΚΑ ή surname, firstname, fathername και birthdate "
                      "(amka, or surname + firstname + fathername + birthdate)")
    if missing:
        raise invalid(missing[0], "απαιτείται μαζί με " + ", ".join(f for f in NAME_FIELDS if f != missing[0])
                      + f" (missing: {', '.join(missing)})")
    assert person.birthdate is not None
    if person.birthdate > today:
        raise invalid("birthdate", f"η ημερομηνία {person.birthdate.isoformat()} είναι μελλοντική (date in the future)")
    formed = {field: registry_form(value) if value else None for field, value in names.items()}
    return PersonCriteria(birthdate=person.birthdate, **formed)


def _checked_amka(amka: str) -> str:
    try:
        return str(stdnum_amka.validate(amka))
    except ValidationError as error:
        reason = next((text for kind, text in _AMKA_PROBLEMS.items() if isinstance(error, kind)), "μη έγκυρος")
        raise invalid("amka", reason) from None


def check_lookup(reference: ActReference | None, person: PersonCriteria | None,
                 today: dt.date) -> ActReference | PersonCriteria:
    """Exactly one way of naming the act, checked."""
    if (reference is None) == (person is None):
        raise invalid("actReference/person", "ονομάστε την πράξη με έναν τρόπο: actReference ή person "
                      "(exactly one of actReference and person)")
    if reference is not None:
        return check_reference(reference, today)
    assert person is not None
    return check_person(person, today)


def check_search(criteria: SearchCriteria, today: dt.date) -> SearchCriteria:
    """The criteria normalised, with maxResults defaulted; refuses a search that would scan the registry."""
    person = check_person(criteria.person, today) if criteria.person is not None else None
    act_type = blank_to_none(criteria.act_type)
    if act_type is not None:
        act_type = act_type.upper()
        if act_type not in ACT_TYPES:
            raise invalid("actType", f"{criteria.act_type!r}: ένα από {', '.join(ACT_TYPES)} (see getActTypes)")
    office = blank_to_none(criteria.registry_office_code)
    if (criteria.year_from is None) != (criteria.year_to is None):
        missing = "yearTo" if criteria.year_to is None else "yearFrom"
        raise invalid(missing, "τα yearFrom και yearTo δίνονται μαζί (give both ends of the year range)")
    if criteria.year_from is not None and criteria.year_to is not None:
        check_year("yearFrom", criteria.year_from, today)
        check_year("yearTo", criteria.year_to, today)
        if criteria.year_from > criteria.year_to:
            raise invalid("yearFrom", f"{criteria.year_from} μετά το yearTo {criteria.year_to} (empty range)")
    max_results = DEFAULT_MAX_RESULTS if criteria.max_results is None else criteria.max_results
    if not 1 <= max_results <= MAX_RESULTS_LIMIT:
        raise invalid("maxResults", f"{max_results}: από 1 έως {MAX_RESULTS_LIMIT} (between 1 and {MAX_RESULTS_LIMIT})")
    if person is None and (office is None or criteria.year_from is None):
        raise invalid("person/registryOfficeCode", "η αναζήτηση χρειάζεται πρόσωπο (person) ή ληξιαρχείο "
                      "με εύρος ετών (registryOfficeCode + yearFrom/yearTo)· δεν γίνεται σάρωση όλου του μητρώου")
    return SearchCriteria(person, act_type, office.upper() if office else None, criteria.year_from,
                          criteria.year_to, max_results)
