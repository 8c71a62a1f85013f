"""Application numbers with a check character, special electoral numbers."""
from __future__ import annotations

import pytest
from stdnum import luhn

from provider.registry.special_electoral_rolls.numbers import (
    application_number,
    normalize_application_number,
    special_electoral_number,
)

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_the_number_reads_back_in_any_spelling() -> None:
    number = application_number("4501", 2010, 123)
    assert number.startswith("4501-2010-0000123-")
    for spelling in (number, number.lower(), number.replace("-", ""), number.replace("-", " ")):
        assert normalize_application_number(spelling) == number


def test_every_single_typo_is_caught() -> None:
    number = application_number("0803", 2010, 4567).replace("-", "")
    for position, char in enumerate(number):
        for other in ALPHABET if position == len(number) - 1 else "0123456789":
            if other != char:
                with pytest.raises(ValueError, match="χαρακτήρας ελέγχου"):
                    normalize_application_number(number[:position] + other + number[position + 1:])


@pytest.mark.parametrize("text", ["", "4501-2010-123-K", "45012010000012", "4501-2010-0000123-KK", "ΑΒΓΔ-2010-0000123-K"])
def test_malformed_numbers(text: str) -> None:
    with pytest.raises(ValueError, match="μορφή"):
        normalize_application_number(text)


def test_special_electoral_number() -> None:
    number = special_electoral_number(2010, 17)
    assert len(number) == 13 and number.startswith("201000000017") and luhn.is_valid(number)
