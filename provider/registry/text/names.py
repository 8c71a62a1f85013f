"""How the registry writes Greek names: the form lookups compare and the synthetic data uses."""
from __future__ import annotations

import unicodedata


def registry_form(name: str) -> str:
    """A name as the registry writes it: capitals, no accents or other diacritics."""
    decomposed = unicodedata.normalize("NFD", name.strip().upper())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def female_surname(male: str) -> str:
    """The female form of a (registry-form) male surname: ΠΑΠΑΔΟΠΟΥΛΟΣ → ΠΑΠΑΔΟΠΟΥΛΟΥ."""
    if male.endswith(("ΙΔΗΣ", "ΑΔΗΣ")):
        return male[:-2] + "ΟΥ"
    if male.endswith("ΟΥΣ"):
        return male
    if male.endswith("ΟΣ"):
        return male[:-2] + "ΟΥ"
    if male.endswith(("ΗΣ", "ΑΣ", "ΕΣ")):
        return male[:-1]
    return male  # genitive forms (ΠΑΠΑΓΕΩΡΓΙΟΥ) are the same for both
