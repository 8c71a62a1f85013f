"""One call's page: every audit field, its data subjects and the personal numbers in its free-text
fields masked until an auditor gives a reason (the reveal is itself audited, the reason in its
``purpose``), long values cut short until the auditor asks for them in full (audited too), and
the event's seal status. A call is named by its callSequenceId, never by the table's numeric id."""
from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from audit.console.masking import clipped, mask_amka, mask_name, mask_numbers
from audit.console.pages.search import local_time
from audit.console.shared import ConsoleError, audit, console, t
from audit.query import Subject, as_record, find_call, subjects_of_event
from audit.seal import EventSeal, event_status
from db.models import AuditEvent

blueprint = Blueprint("call", __name__)
CALL_ID = re.compile(r"^[0-9A-Za-z-]{1,36}$")
MIN_REASON = 5
FREE_TEXT = frozenset({"outcome_detail", "purpose", "audit_unit", "audit_protocol", "audit_user_id", "username"})


def _load(call_id: str) -> tuple[AuditEvent, tuple[Subject, ...], EventSeal]:
    if not CALL_ID.match(call_id):
        audit("callDetail", outcome="MP_INVALID_INPUT", detail=call_id[:100])
        raise ConsoleError(400, t("bad_request"), t("bad_parameter", name="callSequenceId", value=repr(call_id[:100])))
    with console().sessions() as session:
        event = find_call(session, call_id)
        if event is None:
            audit("callDetail", outcome="MP_NOT_FOUND", detail=call_id)
            raise ConsoleError(404, t("not_found"), t("no_such_call", id=call_id))
        return event, subjects_of_event(session, event), event_status(session, event)


def _fields(event: AuditEvent, *, revealed: bool, full: bool) -> list[tuple[str, str | None, int]]:
    """Each field's name, the text shown (``None`` for no value) and how many characters are cut off."""
    shown: list[tuple[str, str | None, int]] = []
    for name, value in as_record(event).items():
        if value is None:
            shown.append((name, None, 0))
            continue
        text = str(value)
        if name in FREE_TEXT and not revealed:
            text = mask_numbers(text)
        shown.append((name, text, 0) if full else (name, *clipped(text)))
    return shown


def _render(event: AuditEvent, subjects: tuple[Subject, ...], seal: EventSeal, *, revealed: bool = False,
            full: bool = False, reveal_id: str | None = None, reason: str = "", protocol: str = "",
            error: str | None = None, status: int = 200) -> ResponseReturnValue:
    fields = _fields(event, revealed=revealed, full=full or revealed)
    return render_template(
        "call.html", event=event, fields=fields, cut=any(more for _, _, more in fields), subjects=subjects,
        seal=seal, revealed=revealed, reveal_id=reveal_id, reason=reason, protocol=protocol, error=error,
        mask_amka=mask_amka, mask_name=mask_name, min_reason=MIN_REASON, local_time=local_time,
    ), status


@blueprint.route("/calls/<call_id>")
def page(call_id: str) -> ResponseReturnValue:
    event, subjects, seal = _load(call_id)
    audit("callDetail", detail=call_id)
    return _render(event, subjects, seal)


@blueprint.route("/calls/<call_id>/full", methods=["POST"])
def full(call_id: str) -> ResponseReturnValue:
    """Every field in full, however long (personal numbers still masked)."""
    event, subjects, seal = _load(call_id)
    audit("callDetail", detail=f"{call_id} in full")
    return _render(event, subjects, seal, full=True)


@blueprint.route("/calls/<call_id>/reveal", methods=["POST"])
def reveal(call_id: str) -> ResponseReturnValue:
    event, subjects, seal = _load(call_id)
    reason = " ".join(request.form.get("reason", "").split())[:500]
    protocol = " ".join(request.form.get("protocol", "").split())[:100]
    if len(reason) < MIN_REASON:
        audit("revealSubjects", outcome="MP_INVALID_INPUT", detail=f"{call_id}: no reason given")
        return _render(event, subjects, seal, reason=reason, protocol=protocol,
                       error=t("reason_required", n=MIN_REASON), status=400)
    reveal_id = audit("revealSubjects", detail=call_id, purpose=reason, protocol=protocol or None,
                      subjects=frozenset(subject.person_id for subject in subjects))
    return _render(event, subjects, seal, revealed=True, reveal_id=reveal_id, reason=reason, protocol=protocol)
