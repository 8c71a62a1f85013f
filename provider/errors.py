"""The error-code table (docs/design.md §6 Error codes) and the one exception hierarchy that carries it.

Codes are extended, never renumbered. Each has a kind (a SOAP Fault with a Client or
Server faultcode, or an errorRecord inside an HTTP 200 response), the Greek description
sent to callers, and the English text used in the documentation.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    FAULT_CLIENT = "Client"
    FAULT_SERVER = "Server"
    FAULT_MUST_UNDERSTAND = "MustUnderstand"  # SOAP 1.1 §4.4.1: a mustUnderstand header not understood
    RECORD = "errorRecord"


@dataclass(frozen=True)
class _Entry:
    kind: Kind
    greek: str
    english: str


class ErrorCode(enum.Enum):
    MP_MALFORMED_REQUEST = _Entry(
        Kind.FAULT_CLIENT,
        "Μη αποδεκτό αίτημα: το μήνυμα δεν είναι έγκυρο XML ή φάκελος SOAP 1.1",
        "not well-formed XML, DTD/entities present, not a SOAP 1.1 envelope, body too large",
    )
    MP_SCHEMA_INVALID = _Entry(
        Kind.FAULT_CLIENT,
        "Το μήνυμα δεν συμφωνεί με το δημοσιευμένο XSD",
        "the body does not validate against the published XSD (path of the first error given)",
    )
    MP_AUTHENTICATION_FAILED = _Entry(
        Kind.FAULT_CLIENT,
        "Αποτυχία ταυτοποίησης χρήστη διαδικτυακής υπηρεσίας",
        "missing/wrong UsernameToken, unknown or locked user",
    )
    MP_INVALID_AUDIT_RECORD = _Entry(
        Kind.RECORD,
        "Μη έγκυρα στοιχεία auditRecord",
        "auditRecord field empty, too long, date unparseable or far from now",
    )
    MP_DUPLICATE_TRANSACTION = _Entry(
        Kind.RECORD,
        "Το αναγνωριστικό συναλλαγής έχει ήδη χρησιμοποιηθεί",
        "auditTransactionId already used by this unit (replay)",
    )
    MP_NOT_AUTHORIZED = _Entry(
        Kind.RECORD,
        "Ο φορέας δεν έχει εξουσιοδότηση για αυτή τη λειτουργία",
        "the caller's agency has no grant for this operation",
    )
    MP_ACCREDITATION_INACTIVE = _Entry(
        Kind.RECORD,
        "Η διαπίστευση του φορέα δεν είναι ενεργή",
        "the agency's accreditation is suspended, not yet valid or expired",
    )
    MP_QUOTA_EXCEEDED = _Entry(
        Kind.RECORD,
        "Εξαντλήθηκε το ημερήσιο όριο κλήσεων του φορέα",
        "the agency's daily call quota is spent",
    )
    MP_INVALID_INPUT = _Entry(
        Kind.RECORD,
        "Μη έγκυρα στοιχεία αναζήτησης",
        "a field fails a domain rule (AMKA/AFM check digit, date in the future, ...)",
    )
    MP_NOT_FOUND = _Entry(
        Kind.RECORD,
        "Δεν βρέθηκαν στοιχεία",
        "no record matches",
    )
    MP_AMBIGUOUS = _Entry(
        Kind.RECORD,
        "Τα κριτήρια αντιστοιχούν σε περισσότερα από ένα πρόσωπα· δώστε περισσότερα κριτήρια",
        "the criteria match more than one person; ask for more criteria",
    )
    MP_SERVICE_UNAVAILABLE = _Entry(
        Kind.FAULT_SERVER,
        "Η υπηρεσία δεν είναι διαθέσιμη· δοκιμάστε αργότερα",
        "the database or the audit store cannot be written: no data is returned",
    )
    MP_INTERNAL_ERROR = _Entry(
        Kind.FAULT_SERVER,
        "Εσωτερικό σφάλμα παρόχου",
        "anything else; the detail carries only the callSequenceId, never a traceback",
    )
    MP_NOT_ELIGIBLE = _Entry(
        Kind.RECORD,
        "Ο αιτών δεν πληροί τις προϋποθέσεις εγγραφής στον ειδικό εκλογικό κατάλογο",
        "the applicant does not meet a condition of registration (age, title, five years, conviction, citizenship)",
    )
    MP_STATE_CONFLICT = _Entry(
        Kind.RECORD,
        "Η ενέργεια δεν επιτρέπεται στην τρέχουσα κατάσταση της αίτησης ή της εγγραφής",
        "the application or roll entry does not allow this (already finalized, rejected or carried over; "
        "already on a roll; not on a roll; an application pending)",
    )
    MP_CRIMINAL_RECORD_PENDING = _Entry(
        Kind.RECORD,
        "Εκκρεμεί το πιστοποιητικό ποινικού μητρώου· η αίτηση οριστικοποιείται μόλις περιέλθει στον Δήμο",
        "the criminal record extract has not reached the municipality; finalization waits for it",
    )
    MP_DOCUMENTS_MISSING = _Entry(
        Kind.RECORD,
        "Λείπουν δικαιολογητικά που απαιτούνται για την κατηγορία του αιτούντος",
        "a document the applicant's category requires is missing (passport, residence certificate, ...)",
    )
    MP_DEADLINE_PASSED = _Entry(
        Kind.RECORD,
        "Έληξε η προθεσμία εγγραφής για τις εκλογές",
        "the registration deadline of the election (extended or not) has passed",
    )
    MP_CONCURRENCY_LIMIT = _Entry(
        Kind.RECORD,
        "Ο φορέας έχει ήδη τον μέγιστο αριθμό ταυτόχρονων κλήσεων σε εξέλιξη· επαναλάβετε σε λίγο",
        "the agency already has its maximum of calls in progress at once; retry shortly "
        "(the call was not run and not counted against the quota)",
    )
    MP_HEADER_NOT_UNDERSTOOD = _Entry(
        Kind.FAULT_MUST_UNDERSTAND,
        "Το μήνυμα έχει κεφαλίδα SOAP με mustUnderstand=\"1\" που ο πάροχος δεν υποστηρίζει",
        "a SOAP header other than wsse:Security carries mustUnderstand=\"1\" (faultcode soap:MustUnderstand)",
    )
    MP_OBJECTION_OUT_OF_TIME = _Entry(
        Kind.RECORD,
        "Η ένσταση υποβάλλεται μόνο κατά την ανάρτηση του καταλόγου (1η έως 10η του μήνα μετά το δίμηνο)",
        "an objection is lodged only while the roll of its revision is posted (1st-10th of the month after it)",
    )
    MP_OBJECTIONS_PENDING = _Entry(
        Kind.RECORD,
        "Εκκρεμούν ενστάσεις για τον κατάλογο· η τελική οριστικοποίηση γίνεται όταν αποφασιστούν όλες",
        "objections to the roll of this revision are still undecided; the final finalization waits for them",
    )

    @property
    def kind(self) -> Kind:
        return self.value.kind

    @property
    def greek(self) -> str:
        return self.value.greek

    @property
    def english(self) -> str:
        return self.value.english

    @property
    def is_fault(self) -> bool:
        return self.value.kind is not Kind.RECORD


class MitrooError(Exception):
    """A failure that becomes an errorRecord or a SOAP Fault with ``code``.

    ``detail`` is a specific, actionable sentence (Greek or English) appended to the
    code's Greek description; it must never carry secrets, file contents or tracebacks.
    """

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        super().__init__(f"{code.name}: {detail}" if detail else code.name)
        self.code = code
        self.detail = detail

    @property
    def description(self) -> str:
        """The text sent to the caller in errorDescr / faultstring."""
        return f"{self.code.greek}: {self.detail}" if self.detail else self.code.greek


def markdown_table() -> str:
    """The error-code table as Markdown, for docs/integration.md (a test keeps them equal)."""
    rows = ["| code | kind | Ελληνικά | English |", "|---|---|---|---|"]
    for code in ErrorCode:
        kind = "errorRecord" if code.kind is Kind.RECORD else f"fault {code.kind.value}"
        rows.append(f"| {code.name} | {kind} | {code.greek} | {code.english} |")
    return "\n".join(rows)
