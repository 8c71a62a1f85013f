"""Registry name forms: capitals without accents; the female form of a surname."""
from __future__ import annotations

import pytest

from provider.registry.text.names import female_surname, registry_form


@pytest.mark.parametrize(("male", "female"), [
    ("ΠΑΠΑΔΟΠΟΥΛΟΣ", "ΠΑΠΑΔΟΠΟΥΛΟΥ"), ("ΑΒΡΑΜΙΔΗΣ", "ΑΒΡΑΜΙΔΟΥ"), ("ΑΘΑΝΑΣΙΑΔΗΣ", "ΑΘΑΝΑΣΙΑΔΟΥ"),
    ("ΑΓΓΕΛΑΚΗΣ", "ΑΓΓΕΛΑΚΗ"), ("ΚΑΛΦΑΣ", "ΚΑΛΦΑ"), ("ΚΙΟΣΕΣ", "ΚΙΟΣΕ"), ("ΠΑΠΑΓΕΩΡΓΙΟΥ", "ΠΑΠΑΓΕΩΡΓΙΟΥ"),
    ("ΧΑΡΑΛΑΜΠΟΥΣ", "ΧΑΡΑΛΑΜΠΟΥΣ"),
])
def test_female_surname(male: str, female: str) -> None:
    assert female_surname(male) == female


@pytest.mark.parametrize(("written", "form"), [
    ("Παπαδόπουλος", "ΠΑΠΑΔΟΠΟΥΛΟΣ"), (" ευαγγελία ", "ΕΥΑΓΓΕΛΙΑ"), ("Ευάγγελος-Ραφαήλ", "ΕΥΑΓΓΕΛΟΣ-ΡΑΦΑΗΛ"),
    ("ΜΑΪΝΑ", "ΜΑΙΝΑ"), ("Ζωή", "ΖΩΗ"),
])
def test_registry_form(written: str, form: str) -> None:
    assert registry_form(written) == form
