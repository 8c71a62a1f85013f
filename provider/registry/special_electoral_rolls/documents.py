"""The documents (δικαιολογητικά) an application needs, by kind and category (circular §2.4, §3.3,
§3.4, Annex of section 2, Α). Codes are what finalizeRollApplication's ``document`` elements carry."""
from __future__ import annotations

from dataclasses import dataclass

from provider.registry.special_electoral_rolls.model import Permit

RESIDENCE_PERMIT = "RESIDENCE_PERMIT"
PASSPORT = "PASSPORT"
CRIMINAL_RECORD = "CRIMINAL_RECORD"
FIVE_YEAR_CERTIFICATE = "FIVE_YEAR_CERTIFICATE"
RESIDENCE_CERTIFICATE = "RESIDENCE_CERTIFICATE"
SIGNED_APPLICATION = "SIGNED_APPLICATION"

DESCRIPTIONS: dict[str, str] = {
    RESIDENCE_PERMIT: "Επικυρωμένο αντίγραφο τίτλου νόμιμης διαμονής σε ισχύ (η βεβαίωση κατάθεσης "
                      "δικαιολογητικών για χορήγηση ή ανανέωση δεν τον αντικαθιστά)",
    PASSPORT: "Επικυρωμένο αντίγραφο ισχυρού διαβατηρίου",
    CRIMINAL_RECORD: "Πιστοποιητικό ποινικού μητρώου δικαστικής χρήσης εύλογα πρόσφατης έκδοσης· αν δεν "
                     "προσκομιστεί, ο Δήμος το αναζητά υποχρεωτικά αυτεπαγγέλτως",
    FIVE_YEAR_CERTIFICATE: "Βεβαίωση της αρχής που εξέδωσε τον τίτλο διαμονής για συνεχή πενταετή νόμιμη "
                           "διαμονή στη χώρα από τη χορήγησή του (ομογενείς από λοιπές χώρες)",
    RESIDENCE_CERTIFICATE: "Βεβαίωση μόνιμης κατοικίας του Δημάρχου (διαμονή τουλάχιστον κατά την τελευταία "
                           "διετία, άρθρα 15 παρ. 7 και 279 ΚΔΚ), για τίτλους διαμονής της ΕΛ.ΑΣ.",
    SIGNED_APPLICATION: "Ενυπόγραφη αίτηση του ενδιαφερομένου",
}
CODES = tuple(DESCRIPTIONS)


@dataclass(frozen=True)
class Document:
    code: str
    description: str


def document(code: str) -> Document:
    return Document(code, DESCRIPTIONS[code])


def required(kind: str, permit: Permit, *, new_municipality: bool = False) -> tuple[Document, ...]:
    """What a ``kind`` application of the holder of ``permit`` must carry when it is finalized."""
    codes: list[str] = []
    if kind == "REGISTRATION":
        codes.append(RESIDENCE_PERMIT)
        if permit.passport_required:
            codes.append(PASSPORT)
        codes.append(CRIMINAL_RECORD)
        if permit.type.category is not None and permit.type.category.five_year_certificate:
            codes.append(FIVE_YEAR_CERTIFICATE)
        if permit.police:
            codes.append(RESIDENCE_CERTIFICATE)
    elif kind == "DELETION_REQUEST":
        codes.append(SIGNED_APPLICATION)
    elif kind == "CORRECTION":
        codes += [SIGNED_APPLICATION, RESIDENCE_PERMIT]
        if new_municipality and permit.police:
            codes.append(RESIDENCE_CERTIFICATE)
    # DELETION_CITIZENSHIP: made ex officio by the municipality of the family share, no document.
    return tuple(document(code) for code in codes)
