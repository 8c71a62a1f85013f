"""The written guidance the circular prescribes for every negative outcome: which service the
person should go to, with which form (210, 411, 310), and what happens next. The texts are meant to
be printed on the municipality's answer or rejection decision as they are.
"""
from __future__ import annotations

from dataclasses import dataclass

from provider.registry.special_electoral_rolls import documents, eligibility
from provider.registry.special_electoral_rolls.model import MINISTRY, POLICE, REGION, Applicant
from provider.registry.special_electoral_rolls.residence import Place

NOT_FOUND_IN_SYSTEM = "NOT_FOUND_IN_SYSTEM"
OTHER_MUNICIPALITY = "OTHER_MUNICIPALITY"
MUNICIPALITY_UNDETERMINED = "MUNICIPALITY_UNDETERMINED"
RESIDENCE_CERTIFICATE_REQUIRED = "RESIDENCE_CERTIFICATE_REQUIRED"
DOCUMENTS_MISSING = "DOCUMENTS_MISSING"
OTHER = "OTHER"

_ISSUERS = {
    REGION: "η υπηρεσία αλλοδαπών του Δήμου από την οποία παραλάβατε τον τίτλο διαμονής (τίτλοι της Περιφέρειας)",
    MINISTRY: "η Γενική Διεύθυνση Μεταναστευτικής Πολιτικής και Κοινωνικής Ένταξης του Υπουργείου Εσωτερικών "
              "(τίτλοι του Υπουργείου)",
    POLICE: "η αστυνομική αρχή που εξέδωσε τον τίτλο διαμονής (τίτλοι της ΕΛ.ΑΣ.)",
}


@dataclass(frozen=True)
class Guidance:
    code: str
    office: str | None  # the service to go to; None when there is none
    form: str | None  # 210 | 411 | 310
    text: str


def not_found() -> Guidance:
    """The person does not appear in the system (Annex of section 2, Β 2 δ): nothing is revealed about
    the permit number, so every kind of issuing authority is named."""
    return Guidance(
        NOT_FOUND_IN_SYSTEM, "Η αρχή που εξέδωσε τον τίτλο διαμονής", None,
        "Δεν κατέστη δυνατή η διασταύρωση των στοιχείων σας μέσω του πληροφοριακού συστήματος. Απευθυνθείτε, "
        "ανάλογα με τον τίτλο σας, στην υπηρεσία αλλοδαπών του Δήμου από την οποία τον παραλάβατε (τίτλοι της "
        "Περιφέρειας), στη Γενική Διεύθυνση Μεταναστευτικής Πολιτικής και Κοινωνικής Ένταξης του Υπουργείου "
        "Εσωτερικών (τίτλοι του Υπουργείου) ή στην αστυνομική αρχή που τον εξέδωσε (τίτλοι της ΕΛ.ΑΣ.), ώστε να "
        "αναζητηθεί ο λόγος της μη εμφάνισής σας και να καταχωριστούν τα ελλιπή στοιχεία. Έπειτα επανέλθετε στον "
        "Δήμο για νέα αίτηση.")


def for_reason(reason: eligibility.Reason, applicant: Applicant) -> Guidance:
    """The guidance for one reason of ineligibility."""
    code, permit = reason.code, applicant.permit
    rejected = f"Η αίτηση εγγραφής απορρίπτεται: {reason.description}."
    if code in (eligibility.PERMIT_EXPIRED, eligibility.PERMIT_NOT_YET_VALID):
        return Guidance(code, f"{permit.authority_name} ({_ISSUERS[permit.authority_kind]})", None,
                        f"{rejected} Απευθυνθείτε στην αρχή που εξέδωσε τον τίτλο ({permit.authority_name}) για "
                        "την ανανέωσή του. Η βεβαίωση κατάθεσης δικαιολογητικών για χορήγηση ή ανανέωση δεν "
                        "αντικαθιστά τον τίτλο διαμονής και δεν αρκεί για την εγγραφή.")
    if code == eligibility.GREEK_CITIZEN:
        assert applicant.acquisition is not None
        municipality = applicant.acquisition.municipality.name
        return Guidance(code, f"Δήμος {municipality} (δημοτολόγιο)", None,
                        f"{rejected} Ως Έλληνας πολίτης ψηφίζετε με τους βασικούς εκλογικούς καταλόγους. Τη "
                        f"διαγραφή από τον ειδικό εκλογικό κατάλογο τη διενεργεί αυτεπαγγέλτως ο Δήμος {municipality}, "
                        "όπου είναι εγγεγραμμένη η οικογενειακή σας μερίδα, χωρίς αίτησή σας.")
    follow_up = {
        eligibility.UNDER_AGE: "Μπορείτε να εγγραφείτε για τις εκλογές του έτους κατά το οποίο συμπληρώνετε το "
                               "18ο έτος της ηλικίας σας.",
        eligibility.PERMIT_TYPE_NOT_LISTED: "Δικαίωμα εγγραφής δίνουν μόνο οι τίτλοι του Παραρτήματος: άδειες "
                                            "αόριστης ή δεκαετούς διάρκειας, επί μακρόν διαμένοντος, μέλους "
                                            "οικογένειας Έλληνα ή πολίτη της Ε.Ε., γονέα ανήλικου Έλληνα, και οι "
                                            "τίτλοι ομογενών, προσφύγων, επικουρικής προστασίας και ανιθαγενών.",
        eligibility.FIVE_YEAR_RESIDENCE_NOT_MET: "Υποβάλετε νέα αίτηση μόλις συμπληρωθεί η πενταετία.",
        eligibility.CONVICTION: "Η απόρριψη γίνεται εγγράφως με αναφορά στον λόγο της (καταδίκη που για τους "
                                "Έλληνες πολίτες επιφέρει στέρηση των πολιτικών δικαιωμάτων, άρθρα 59-64 ΠΚ).",
    }
    return Guidance(code, None, None, f"{rejected} {follow_up[code]}")


def other_municipality(entitled: Place, applied: Place, form: str) -> Guidance:
    """Entitled in another municipality (§2.1, Annex of section 2, Β 2 γ and Γ 1-2)."""
    if form == "210":
        how = ("λάβετε από τον Δήμαρχο βεβαίωση μόνιμης κατοικίας και δηλώστε εκπρόθεσμα τη μετεγκατάσταση με το "
               "έντυπο 210· ο Δήμος τη διαβιβάζει στην Περιφέρεια, η οποία, μετά την καταβολή του προστίμου (άρθρο "
               "87 ν. 3386/2005), καταχωρίζει τη μεταβολή με ημερομηνία δύο έτη πριν από τη χορήγηση της "
               "βεβαίωσης")
    else:
        how = ("υποβάλετε με το έντυπο 411 συμπληρωματική δήλωση αλλαγής διεύθυνσης κατοικίας· ο Δήμος τη "
               "διαβιβάζει στην Περιφέρεια, η οποία καταχωρίζει ή διορθώνει τη μεταβολή με την ημερομηνία της "
               "πραγματικής μετεγκατάστασης")
    return Guidance(
        OTHER_MUNICIPALITY, f"Δήμος {entitled.name} (ειδικοί εκλογικοί κατάλογοι)", form,
        f"Εμφανίζεστε στο πληροφοριακό σύστημα ως δικαιούχος με δικαίωμα εγγραφής στον Δήμο {entitled.name}, όχι "
        f"στον Δήμο {applied.name}: απευθυνθείτε στον Δήμο {entitled.name}. Αν διαμένετε μόνιμα στον Δήμο "
        f"{applied.name} χωρίς αυτό να φαίνεται στο σύστημα, απευθυνθείτε στην υπηρεσία αλλοδαπών του Δήμου "
        f"{applied.name}: {how}. Έπειτα υποβάλετε νέα αίτηση στον Δήμο {applied.name}. Αν δεν ακολουθήσετε τη "
        f"διαδικασία, ασκείτε το εκλογικό σας δικαίωμα στον Δήμο {entitled.name}.")


def undetermined() -> Guidance:
    """Entitled, but no municipality with two years' residence (Annex of section 2, Γ 3)."""
    return Guidance(
        MUNICIPALITY_UNDETERMINED, "Υπηρεσία αλλοδαπών του Δήμου όπου διαμείνατε επί διετία", "310",
        "Είστε δικαιούχος, αλλά από το πληροφοριακό σύστημα δεν προκύπτει Δήμος στον οποίο έχετε συμπληρώσει "
        "διετή διαμονή. Με το έντυπο 310 και τα τυχόν αποδεικτικά διαμονής, ζητήστε μέσω της υπηρεσίας "
        "αλλοδαπών του Δήμου όπου διατείνεστε ότι διαμείνατε επί διετία (και αν είναι Δήμος άλλου νομού, για "
        "εκείνον τον Δήμο) την πιστοποίηση της διετούς διαμονής από την Περιφέρεια, η οποία την καταχωρίζει στο "
        "σύστημα. Έπειτα υποβάλετε την αίτηση εγγραφής στον Δήμο αυτόν.")


def residence_certificate(applied: Place | None) -> Guidance:
    """Holders of police-issued titles prove their residence with the Mayor's certificate (§2.3)."""
    where = f"Δήμος {applied.name}" if applied else "Ο Δήμος όπου διαμένετε"
    return Guidance(
        RESIDENCE_CERTIFICATE_REQUIRED, f"{where} (δημοτολόγιο, βεβαίωση μόνιμης κατοικίας)", None,
        "Για τους τίτλους διαμονής της ΕΛ.ΑΣ. το πληροφοριακό σύστημα δεν δείχνει Δήμο μόνιμης κατοικίας: η "
        "αίτηση υποβάλλεται στον Δήμο όπου διαμένετε τουλάχιστον κατά την τελευταία διετία, μαζί με εύλογα "
        "πρόσφατη βεβαίωση μόνιμης κατοικίας του Δημάρχου (άρθρα 15 παρ. 7 και 279 ΚΔΚ).")


def documents_missing(applicant: Applicant, note: str | None) -> Guidance:
    needed = "· ".join(d.description for d in documents.required("REGISTRATION", applicant.permit))
    said = f" ({note})" if note else ""
    return Guidance(DOCUMENTS_MISSING, None, None,
                    f"Η αίτηση απορρίπτεται επειδή δεν προσκομίστηκαν όλα τα δικαιολογητικά{said}. Μπορείτε να "
                    f"υποβάλετε νέα αίτηση με: {needed}.")


def other(note: str) -> Guidance:
    return Guidance(OTHER, None, None, f"Η αίτηση απορρίπτεται: {note}")
