"""Whether an applicant may be registered in a special roll (circular section 1, §2.1, Annex of
section 1): every reason that stands in the way on a given day, each with a specific description.

The age is judged against the election (born by 31 December of its year minus 18); everything
else against the day the application is made, with the data the system held that day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from provider.registry.special_electoral_rolls.dates import add_years
from provider.registry.special_electoral_rolls.model import Applicant, ElectionInfo

UNDER_AGE = "UNDER_AGE"
PERMIT_TYPE_NOT_LISTED = "PERMIT_TYPE_NOT_LISTED"
PERMIT_EXPIRED = "PERMIT_EXPIRED"
PERMIT_NOT_YET_VALID = "PERMIT_NOT_YET_VALID"
FIVE_YEAR_RESIDENCE_NOT_MET = "FIVE_YEAR_RESIDENCE_NOT_MET"
CONVICTION = "CONVICTION"
GREEK_CITIZEN = "GREEK_CITIZEN"
REASONS = (UNDER_AGE, PERMIT_TYPE_NOT_LISTED, PERMIT_EXPIRED, PERMIT_NOT_YET_VALID, FIVE_YEAR_RESIDENCE_NOT_MET,
           CONVICTION, GREEK_CITIZEN)
FIVE_YEARS = 5
_BASIS = {"APPLICATION": "την υποβολή της πρώτης αίτησης για τίτλο διαμονής",
          "ISSUE": "τη χορήγηση του πρώτου τίτλου διαμονής"}


@dataclass(frozen=True)
class Reason:
    code: str
    description: str


def _d(day: dt.date) -> str:
    return f"{day:%d-%m-%Y}"


def five_year_completion(applicant: Applicant) -> dt.date | None:
    """The day five years of continuous legal residence are completed, where the category requires them."""
    category = applicant.category
    if category is None or category.five_year_basis is None:
        return None
    return add_years(applicant.continuous_since(category.five_year_basis), FIVE_YEARS)


def reasons(applicant: Applicant, election: ElectionInfo) -> tuple[Reason, ...]:
    """Every reason the applicant may not be registered for ``election`` (none: eligible)."""
    on, holder, permit = applicant.on, applicant.holder, applicant.permit
    found: list[Reason] = []
    if holder.birthdate > election.born_by:
        found.append(Reason(UNDER_AGE, f"γεννήθηκε το {holder.birthdate.year}: για τις εκλογές της "
                            f"{_d(election.election_date)} ψηφίζουν όσοι γεννήθηκαν έως {_d(election.born_by)}"))
    if permit.type.category is None:
        found.append(Reason(PERMIT_TYPE_NOT_LISTED, f"ο τίτλος «{permit.type.name}» δεν είναι από τους τίτλους "
                            "διαμονής του Παραρτήματος της εγκυκλίου που δίνουν δικαίωμα εγγραφής"))
    if permit.valid_to is not None and permit.valid_to < on:
        found.append(Reason(PERMIT_EXPIRED, f"ο τίτλος διαμονής {permit.number} έληξε στις {_d(permit.valid_to)}"))
    if permit.valid_from > on:
        found.append(Reason(PERMIT_NOT_YET_VALID, f"ο τίτλος διαμονής {permit.number} ισχύει από "
                            f"{_d(permit.valid_from)}"))
    completion = five_year_completion(applicant)
    if completion is not None and completion > on:
        category = applicant.category
        assert category is not None and category.five_year_basis is not None
        since = applicant.continuous_since(category.five_year_basis)
        found.append(Reason(FIVE_YEAR_RESIDENCE_NOT_MET, f"η κατηγορία {category.letter} απαιτεί πενταετή συνεχή "
                            f"νόμιμη διαμονή από {_BASIS[category.five_year_basis]} ({_d(since)}): "
                            f"συμπληρώνεται στις {_d(completion)}"))
    for conviction in applicant.convictions:
        if conviction.in_force(on):
            until = (f", έως {_d(conviction.rights_restored_on)}" if conviction.rights_restored_on else "")
            found.append(Reason(CONVICTION, f"αμετάκλητη καταδίκη σε {conviction.penalty} ({conviction.court}, "
                                f"απόφαση {conviction.decision}, αμετάκλητη από {_d(conviction.irrevocable_on)}"
                                f"{until}) που συνεπάγεται στέρηση των πολιτικών δικαιωμάτων"))
    acquisition = applicant.acquisition
    if acquisition is not None and acquisition.acquired_on <= on:
        found.append(Reason(GREEK_CITIZEN, f"απέκτησε την ελληνική ιθαγένεια στις {_d(acquisition.acquired_on)} "
                            f"({acquisition.decision}) και είναι δημότης του Δήμου {acquisition.municipality.name}"))
    return tuple(found)
