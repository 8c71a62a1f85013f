"""The subject access report: every access to one citizen's data, to hand to the citizen.

Modelled on Estonia's Data Tracker: for each call that returned data about the person, when
(Greek local time), which agency (and its name) and unit, which service and operation, under
which protocol number, and the purpose when the call declared one. Rendered as plain text or
as a self-contained HTML page with Greek headings and a print stylesheet (print it to PDF from
any browser).
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.query import AuditFilter, search
from db.models import Agency, Person
from provider.catalogue import GREEK_NAMES

ATHENS = ZoneInfo("Europe/Athens")


class SubjectNotFound(LookupError):
    """No person in the registry has this AMKA."""


@dataclass(frozen=True)
class Access:
    when: dt.datetime  # Greek local time
    agency_code: str
    agency_name: str
    unit: str
    service: str
    operation: str
    protocol: str
    purpose: str | None
    call_sequence_id: str


@dataclass(frozen=True)
class SubjectReport:
    amka: str
    name: str
    generated_at: dt.datetime
    since: dt.datetime | None
    until: dt.datetime | None
    accesses: tuple[Access, ...]


def subject_report(session: Session, amka: str, *, since: dt.datetime | None = None,
                   until: dt.datetime | None = None, now: dt.datetime | None = None) -> SubjectReport:
    person = session.scalars(select(Person).where(Person.amka == amka)).first()
    if person is None:
        raise SubjectNotFound(f"δεν υπάρχει πρόσωπο με ΑΜΚΑ {amka} (no person with this AMKA)")
    names = {code: name for code, name in session.execute(select(Agency.code, Agency.name))}
    accesses = tuple(
        Access(
            when=event.server_time.astimezone(ATHENS),
            agency_code=event.agency_code or "",
            agency_name=names.get(event.agency_code or "", event.agency_code or ""),
            unit=event.audit_unit or "",
            service=event.service,
            operation=event.operation or "",
            protocol=event.audit_protocol or "",
            purpose=event.purpose,
            call_sequence_id=event.call_sequence_id,
        )
        for event in search(session, AuditFilter(subjects=frozenset({person.id}), outcome="OK", since=since,
                                                 until=until))
    )
    return SubjectReport(
        amka=amka, name=f"{person.firstname} {person.surname}",
        generated_at=(now or dt.datetime.now(dt.UTC)).astimezone(ATHENS),
        since=since, until=until, accesses=accesses,
    )


TITLE = "Αναφορά πρόσβασης στα προσωπικά σας δεδομένα"
HEADINGS = ("Ημερομηνία και ώρα", "Φορέας", "Μονάδα", "Υπηρεσία / λειτουργία", "Αριθμός πρωτοκόλλου",
            "Σκοπός", "Αναγνωριστικό κλήσης")


def _row(access: Access) -> tuple[str, ...]:
    service = GREEK_NAMES.get(access.service, access.service)
    return (f"{access.when:%d/%m/%Y %H:%M:%S}", f"{access.agency_name} ({access.agency_code})", access.unit,
            f"{service}: {access.operation}", access.protocol, access.purpose or "—", access.call_sequence_id)


def _period(report: SubjectReport) -> str:
    start = f"{report.since.astimezone(ATHENS):%d/%m/%Y}" if report.since else "την αρχή της καταγραφής"
    end = f"{report.until.astimezone(ATHENS):%d/%m/%Y}" if report.until else f"{report.generated_at:%d/%m/%Y}"
    return f"Περίοδος: από {start} έως {end}"


def as_text(report: SubjectReport) -> str:
    from tabulate import tabulate

    lines = [TITLE, f"Πολίτης: {report.name}, ΑΜΚΑ {report.amka}", _period(report),
             f"Συντάχθηκε: {report.generated_at:%d/%m/%Y %H:%M}", ""]
    if not report.accesses:
        lines.append("Κανένας φορέας δεν είχε πρόσβαση στα δεδομένα σας σε αυτή την περίοδο.")
    else:
        lines.append(f"Προσβάσεις: {len(report.accesses)}")
        lines.append(tabulate([_row(a) for a in report.accesses], headers=list(HEADINGS)))
    return "\n".join(lines) + "\n"


_STYLE = """
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.4em; } table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #e8eef5; } td.id { font-family: monospace; font-size: 0.8em; }
@media print { body { margin: 0; } th { background: #ddd !important; -webkit-print-color-adjust: exact; }
  tr { page-break-inside: avoid; } @page { size: A4 landscape; margin: 12mm; } }
"""


def html_body(report: SubjectReport) -> str:
    """The report's heading, citizen, period and table as an HTML fragment (every value escaped),
    for a page of its own (``as_html``) or inside the auditor console."""
    escape = html.escape
    if report.accesses:
        head = "".join(f"<th scope=\"col\">{escape(h)}</th>" for h in HEADINGS)
        last = len(HEADINGS) - 1
        rows = "".join(
            "<tr>" + "".join((f'<td class="id">{escape(cell)}</td>' if i == last else f"<td>{escape(cell)}</td>")
                             for i, cell in enumerate(_row(access))) + "</tr>"
            for access in report.accesses
        )
        body = (f"<p>Προσβάσεις: {len(report.accesses)}</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    else:
        body = "<p>Κανένας φορέας δεν είχε πρόσβαση στα δεδομένα σας σε αυτή την περίοδο.</p>"
    return (
        f'<h1>{escape(TITLE)}</h1>'
        f"<p>Πολίτης: <strong>{escape(report.name)}</strong>, ΑΜΚΑ {escape(report.amka)}<br>"
        f"{escape(_period(report))}<br>Συντάχθηκε: {report.generated_at:%d/%m/%Y %H:%M}</p>{body}"
        "<p><small>Κάθε γραμμή είναι μια κλήση διαπιστευμένου φορέα που επέστρεψε στοιχεία σας από το Μητρώο "
        "Πολιτών. Για απορίες απευθυνθείτε στον Υπεύθυνο Προστασίας Δεδομένων, αναφέροντας το αναγνωριστικό "
        "κλήσης.</small></p>"
    )


def as_html(report: SubjectReport) -> str:
    """A self-contained printable page with Greek headings (print it to PDF from a browser)."""
    return (
        f'<!DOCTYPE html><html lang="el"><head><meta charset="utf-8"><title>{html.escape(TITLE)}</title>'
        f"<style>{_STYLE}</style></head><body>{html_body(report)}</body></html>\n"
    )
