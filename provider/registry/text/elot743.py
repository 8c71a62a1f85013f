"""Greek to Latin transliteration per ELOT 743:2001, type 2 (transcription).

This is the scheme Greek passports and identity cards use for the Latin
form of a name (e.g. ``ΕΥΑΓΓΕΛΟΣ`` -> ``EVANGELOS``). The output is always
upper case and accents are dropped, so ``Άννα``, ``ΑΝΝΑ`` and ``άννα`` all
give ``ANNA``.

Rules implemented (letters are matched case- and accent-insensitively):

* single letters: Α A, Β V, Γ G, Δ D, Ε E, Ζ Z, Η I, Θ TH, Ι I, Κ K, Λ L,
  Μ M, Ν N, Ξ X, Ο O, Π P, Ρ R, Σ/ς S, Τ T, Υ Y, Φ F, Χ CH, Ψ PS, Ω O;
* ΑΥ, ΕΥ, ΗΥ give AV, EV, IV before a vowel or a voiced consonant
  (Β Γ Δ Ζ Λ Μ Ν Ρ) and AF, EF, IF before a voiceless consonant
  (Θ Κ Ξ Π Σ Τ Φ Χ Ψ) or at the end of a word;
* ΟΥ gives OU;
* ΓΓ gives NG, ΓΞ gives NX, ΓΧ gives NCH (ΓΚ stays GK);
* ΜΠ gives B at the start or the end of a word and MP inside it;
* ΝΤ gives NT, ΤΖ gives TZ, ΤΣ gives TS (these follow from the single
  letters).

A diaeresis on the second vowel (``ϋ``) or an accent on the first one
(``άυ``, ``όυ``) means the two vowels are pronounced apart, so no digraph is
formed: ``ΤΑΫΓΕΤΟΣ`` -> ``TAYGETOS``. Characters that are not Greek letters
(Latin letters, digits, spaces, hyphens, apostrophes ...) are kept as they
are, Latin letters upper-cased, and they end a word for the rules above.

The module has no dependencies beyond the standard library.
"""
from __future__ import annotations

import unicodedata

__all__ = ["transliterate"]

_SINGLE = {
    "Α": "A", "Β": "V", "Γ": "G", "Δ": "D", "Ε": "E", "Ζ": "Z", "Η": "I",
    "Θ": "TH", "Ι": "I", "Κ": "K", "Λ": "L", "Μ": "M", "Ν": "N", "Ξ": "X",
    "Ο": "O", "Π": "P", "Ρ": "R", "Σ": "S", "Τ": "T", "Υ": "Y", "Φ": "F",
    "Χ": "CH", "Ψ": "PS", "Ω": "O",
}
_VOWELS = frozenset("ΑΕΗΙΟΥΩ")
_VOICED = frozenset("ΒΓΔΖΛΜΝΡ")
_U_DIGRAPH_FIRST = {"Α": "A", "Ε": "E", "Η": "I"}
_GAMMA_PAIRS = {"Γ": "NG", "Ξ": "NX", "Χ": "NCH"}

_ACCENTS = frozenset("\u0301\u0300\u0342")  # tonos/oxia, varia, perispomeni
_DIAERESIS = "\u0308"  # combining diaeresis (dialytika)


def _letters(text: str) -> list[tuple[str, bool, bool]]:
    """Split text into (upper-case base char, has accent, has diaeresis).

    Accents and diaereses on Greek letters are recorded as flags and dropped;
    any combining mark on a non-Greek character stays attached to it.
    """
    out: list[tuple[str, bool, bool]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            base, accent, diaeresis = out[-1]
            if base[0] in _SINGLE:
                out[-1] = (
                    base,
                    accent or ch in _ACCENTS,
                    diaeresis or ch == _DIAERESIS,
                )
            else:
                out[-1] = (base + ch, accent, diaeresis)
            continue
        base = "Σ" if ch == "ς" else ch.upper()
        out.append((base, False, False))
    return out


def transliterate(text: str) -> str:
    """Return the ELOT 743 type-2 (passport) Latin form of ``text``, upper case."""
    chars = _letters(text)
    n = len(chars)

    def greek(i: int) -> str | None:
        """The Greek base letter at position i, or None (non-Greek or out of range)."""
        if 0 <= i < n and chars[i][0] in _SINGLE:
            return chars[i][0]
        return None

    out: list[str] = []
    i = 0
    while i < n:
        c, accent, _ = chars[i]
        if c[0] not in _SINGLE:
            out.append(c)
            i += 1
            continue
        nxt = greek(i + 1)
        nxt_diaeresis = chars[i + 1][2] if nxt else False

        # αυ / ευ / ηυ
        if c in _U_DIGRAPH_FIRST and nxt == "Υ" and not nxt_diaeresis and not accent:
            after = greek(i + 2)
            voiced = after is not None and (after in _VOWELS or after in _VOICED)
            out.append(_U_DIGRAPH_FIRST[c] + ("V" if voiced else "F"))
            i += 2
            continue
        # ου
        if c == "Ο" and nxt == "Υ" and not nxt_diaeresis and not accent:
            out.append("OU")
            i += 2
            continue
        # γγ, γξ, γχ
        if c == "Γ" and nxt in _GAMMA_PAIRS:
            out.append(_GAMMA_PAIRS[nxt])
            i += 2
            continue
        # μπ: B at the start or end of a word, MP inside it
        if c == "Μ" and nxt == "Π":
            at_edge = greek(i - 1) is None or greek(i + 2) is None
            out.append("B" if at_edge else "MP")
            i += 2
            continue

        out.append(_SINGLE[c])
        i += 1
    return unicodedata.normalize("NFC", "".join(out))
