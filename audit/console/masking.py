"""What the console shows of personal data before an audited reveal: the last three digits of a
personal number, the initials of a name, and long values cut short."""
from __future__ import annotations

import re

# A run of 9 to 11 digits standing alone (an AMKA has 11, an AFM 9), not part of an identifier
# such as a callSequenceId (hex digits and hyphens) or of a longer number.
PERSONAL_NUMBER = re.compile(r"(?<![\w-])\d{9,11}(?![\w-])")
CLIP = 200  # characters of a stored value shown on a call's page before "show in full"
CELL = 60  # characters of a stored value shown in a table cell (search results, dashboard)


def mask_amka(amka: str | None) -> str:
    """``********123``: enough to tell two people apart, not enough to name one."""
    if not amka:
        return "—"
    return "*" * (len(amka) - 3) + amka[-3:]


def mask_name(name: str) -> str:
    """``Γ*** Π***``: the initials only."""
    return " ".join(part[0] + "***" for part in name.split() if part) or "—"


def mask_numbers(text: str) -> str:
    """``text`` with every personal number in it masked (``subject_amka=********123``)."""
    return PERSONAL_NUMBER.sub(lambda match: mask_amka(match.group()), text)


def clipped(value: object, limit: int = CLIP) -> tuple[str, int]:
    """The first ``limit`` characters of ``value`` and how many more there are."""
    text = "" if value is None else str(value)
    return text[:limit], max(0, len(text) - limit)


def short(value: object, limit: int = CELL) -> str:
    """``value`` for a table cell: cut at ``limit`` characters, with an ellipsis when cut."""
    text, more = clipped(value, limit)
    return text + "…" if more else text
