"""Printable numbers: an application's unique number and an elector's special electoral number.

Application number ``MMMM-YYYY-NNNNNNN-C``: the municipality's code, the year it was created, the
application's serial and an ISO/IEC 7064 MOD 37,36 check character (0-9 or A-Z), so a mistyped
number is refused before any lookup. Dashes and spaces are optional on input.

Special electoral number: 13 digits, like the electoral number of the general rolls: the year of
the first registration, an 8-digit serial and a Luhn check digit. It stays with the elector when
they move to another municipality.
"""
from __future__ import annotations

import re

from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_37_36

_APPLICATION = re.compile(r"^(\d{4})(\d{4})(\d{7})([0-9A-Z])$")


def application_number(municipality_code: str, year: int, serial: int) -> str:
    body = f"{municipality_code}{year:04d}{serial:07d}"
    check = mod_37_36.calc_check_digit(body)
    return f"{municipality_code}-{year:04d}-{serial:07d}-{check}"


def normalize_application_number(text: str) -> str:
    """The number in its printed form; raises ValueError with the reason when it is not one."""
    compact = re.sub(r"[\s-]", "", text).upper()
    match = _APPLICATION.match(compact)
    if not match:
        raise ValueError("μορφή ΔΔΔΔ-ΕΕΕΕ-ΝΝΝΝΝΝΝ-Χ, π.χ. 4501-2010-0000123-F (format MMMM-YYYY-NNNNNNN-C)")
    try:
        mod_37_36.validate(compact)
    except ValidationError:
        raise ValueError("λάθος χαρακτήρας ελέγχου: ελέγξτε τον αριθμό (check character does not match)") from None
    code, year, serial, check = match.groups()
    return f"{code}-{year}-{serial}-{check}"


def special_electoral_number(year: int, serial: int) -> str:
    body = f"{year:04d}{serial:08d}"
    return body + luhn.calc_check_digit(body)
