"""The steps of an application's history and their texts (shared by the service and the synthetic data)."""
from __future__ import annotations

import datetime as dt

from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.residence import Place

CREATED = "CREATED"
CRIMINAL_RECORD_REQUESTED = "CRIMINAL_RECORD_REQUESTED"
FINALIZED = "FINALIZED"
REJECTED = "REJECTED"
CARRIED_OVER = "CARRIED_OVER"
NOTICE = "NOTICE"
OBJECTION_UPHELD = "OBJECTION_UPHELD"
FROM_PORTAL = " (δημιουργήθηκε από τον ενδιαφερόμενο στον ιστότοπο του Υπουργείου· κατατίθεται αυτοπροσώπως στον Δήμο)"


def created(kind: str, place: Place, election_code: str, revision: Revision) -> str:
    return f"αίτηση {kind} στον Δήμο {place.name} για τις εκλογές {election_code}, αναθεώρηση {revision}"


def criminal_record_requested() -> str:
    return ("δεν προσκομίστηκε πιστοποιητικό ποινικού μητρώου: ζητήθηκε αυτεπαγγέλτως· η αίτηση οριστικοποιείται "
            "μόλις περιέλθει στον Δήμο")


def carried_over(completed_on: dt.date, was: Revision, now: Revision, successor: str) -> str:
    return (f"ο φάκελος ολοκληρώθηκε στις {completed_on:%d-%m-%Y}, μετά τη λήξη της αναθεώρησης {was}: "
            f"οριστικοποιείται στην αναθεώρηση {now} με τη νέα αίτηση {successor}")


def successor(now: Revision, previous: str) -> str:
    return f"νέα αίτηση για την αναθεώρηση {now}, στη θέση της αίτησης {previous}"


def finalized(revision: Revision, done: str) -> str:
    return f"οριστικοποιήθηκε στην αναθεώρηση {revision}: {done}"


def registered(number: str) -> str:
    return f"εγγραφή με ειδικό εκλογικό αριθμό {number}"


def deleted(number: str) -> str:
    return f"διαγραφή του ειδικού εκλογικού αριθμού {number}"


def corrected(number: str) -> str:
    return f"διόρθωση στοιχείων (ειδικός εκλογικός αριθμός {number})"


def moved(previous: Place, number: str) -> str:
    return f"μεταδημότευση από τον Δήμο {previous.name} (ειδικός εκλογικός αριθμός {number})"


def rejected(reason: str, text: str) -> str:
    return f"{reason}: {text}"


def notice(reason: str, authority: str, reference: str) -> str:
    return f"γνωστοποίηση {reason} από {authority} ({reference}): έπαψαν οι προϋποθέσεις εγγραφής"


def objection_upheld(number: str, reference: str) -> str:
    return f"έγινε δεκτή η ένσταση {number} ({reference})"
