"""The call pipeline for one service, as WSGI middleware in front of spyne.

Order of work for every POST (docs/design.md §4 Messages, §6 Error codes, §7 Audit):
read the body (size cap) → hardened parse → SOAP 1.1 envelope and SOAPAction → XSD validation →
UsernameToken authentication → auditRecord → accreditation status → grant → replay (a retry of the
same content is answered) → a slot under the agency's concurrency cap → quota →
the operation itself (its input read from the same parsed tree, its answer written as a tree:
provider.soap.codec) → audit event committed (the slot freed in its transaction) → response signed
(WS-Security) → sent.

Protocol failures become SOAP Faults written here; business outcomes become errorRecords in the
operation's answer (``services.common.answer`` reads ``Call.rejection``). The audit event is committed before a
byte of the response leaves; when that fails, the caller gets MP_SERVICE_UNAVAILABLE only.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree
from sqlalchemy.exc import SQLAlchemyError

from audit import events
from db.engine import CallSessions
from provider import metrics
from provider.access import accreditation, transport
from provider.access.client_address import observed_ip
from provider.access.concurrency import ConcurrencyCap
from provider.errors import ErrorCode, MitrooError
from provider.logs import CALL_SEQUENCE_ID
from provider.settings import Settings
from provider.soap import dbfaults
from provider.soap.call import Call
from provider.soap.codec import ServiceCodec
from provider.soap.services.common import answer
from provider.xml import auditrecord, wssecurity
from provider.xml import envelope as soap
from provider.xml import parse as xmlparse
from provider.xml.keys import KeyConfigError
from provider.xml.signing import ResponseSigner

log = logging.getLogger("mitroo.gateway")

StartResponse = Callable[..., Any]

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
_ENVELOPE_KEY = "mitroo.envelope"  # the parsed request, kept in the WSGI environ for a re-dispatch
# An answer: the envelope the codec wrote, or the bytes of a fault.
Answer = etree._Element | bytes


# A refused oversized body is read (and dropped) up to this size, so the client gets its fault.
DRAIN_BYTES = 32 * 1024 * 1024


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Gateway:
    """WSGI app for ``/ws/<service>``: the whole pipeline around one spyne application."""

    def __init__(
        self,
        service: str,
        *,
        settings: Settings,
        sessions: CallSessions,
        authenticator: accreditation.Authenticator,
        codec: ServiceCodec | None,
        wsdl: bytes | None,
        schema: etree.XMLSchema | None,
        signer: ResponseSigner | None,
        cap: ConcurrencyCap,
    ) -> None:
        self.service = service
        self.settings = settings
        self.sessions = sessions
        self.authenticator = authenticator
        self.codec = codec
        self.wsdl = wsdl
        self.schema = schema
        self.signer = signer
        self.cap = cap

    # -- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET" and self.wsdl is not None and environ.get("QUERY_STRING", "").lower() in ("wsdl", "wsdl="):
            start_response("200 OK", [("Content-Type", XML_CONTENT_TYPE), ("Content-Length", str(len(self.wsdl)))])
            return [self.wsdl]
        started = time.monotonic()
        call = Call(
            call_sequence_id=str(uuid.uuid4()),
            call_sequence_date=_now(),
            service=self.service,
            observed_ip=observed_ip(environ, self.settings.trusted_proxies),
            sessions=self.sessions,
            client_cert_sha256=transport.client_cert_sha256(environ, self.settings.trusted_proxies),
        )
        context = CALL_SEQUENCE_ID.set(call.call_sequence_id)  # on every log line of this call
        try:
            with self.sessions.hold():  # one pooled connection for the whole call
                try:
                    status, body = self._handle(environ, call)
                    return self._finish(environ, start_response, call, status, body, started)
                finally:
                    if call.slot is not None:
                        self._release(call)
        finally:
            error = call.error
            metrics.observe_call(self.service, call.operation, error.code.name if error else "OK",
                                 time.monotonic() - started)
            CALL_SEQUENCE_ID.reset(context)

    def _release(self, call: Call) -> None:
        assert call.slot is not None
        try:
            self.cap.release(call.slot)
        except SQLAlchemyError as exc:  # the slot's lease runs out by itself
            log.warning("call %s could not release its concurrency slot (%s)", call.call_sequence_id, type(exc).__name__)

    def _handle(self, environ: dict[str, Any], call: Call) -> tuple[str, Answer]:
        try:
            if self.signer is not None:
                self.signer.ready()
        except KeyConfigError as exc:
            log.error("the signing key cannot be used (%s): call %s answered MP_INTERNAL_ERROR, unsigned, "
                      "until the key is readable again", exc, call.call_sequence_id)
            return self._fault(call, _internal(call))
        try:
            if environ.get("REQUEST_METHOD") != "POST":
                raise MitrooError(
                    ErrorCode.MP_MALFORMED_REQUEST,
                    "μόνο POST με φάκελο SOAP 1.1 (only POST is accepted; GET ?wsdl for the WSDL)",
                )
            data = self._read_body(environ)
            call.request_digest = hashlib.sha256(data).hexdigest()
            transport.require_https(environ, self.settings)
            self._check_content_type(environ)
            envelope = environ[_ENVELOPE_KEY] = soap.parse_envelope(xmlparse.parse(data))  # kept for a re-dispatch
            call.operation = envelope.operation_name[:60]
            self._check_soap_action(environ, envelope.operation_name)
            call.content_digest = hashlib.sha256(
                etree.tostring(envelope.operation, method="c14n", exclusive=True)
            ).hexdigest()
            call.declared = auditrecord.declared_values(envelope.operation)
            self._validate(envelope)
            self._admit(call, envelope)
            return self._dispatch(call, envelope)
        except MitrooError as error:
            if error.code.is_fault or _ENVELOPE_KEY not in environ:
                return self._fault(call, error)
            call.rejection = error
            return self._dispatch(call, environ[_ENVELOPE_KEY])
        except SQLAlchemyError as exc:
            return self._database_fault(call, exc)
        except Exception:
            log.exception("internal error in call %s", call.call_sequence_id)
            return self._fault(call, _internal(call))

    def _read_body(self, environ: dict[str, Any]) -> bytes:
        return read_body(environ, self.settings.max_body_bytes)

    @staticmethod
    def _check_content_type(environ: dict[str, Any]) -> None:
        media_type, _, parameters = (environ.get("CONTENT_TYPE") or "").partition(";")
        media_type = media_type.strip().lower()
        if media_type == "application/soap+xml":
            raise MitrooError(
                ErrorCode.MP_MALFORMED_REQUEST,
                "Content-Type application/soap+xml (SOAP 1.2): το σημείο είναι SOAP 1.1 και απαιτεί text/xml; charset=utf-8",
            )
        if media_type != "text/xml":
            raise MitrooError(
                ErrorCode.MP_MALFORMED_REQUEST,
                f"Content-Type {media_type[:60] or 'κανένα'}: το SOAP 1.1 απαιτεί text/xml; charset=utf-8",
            )
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            charset = value.strip().strip('"').lower()
            if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
                raise MitrooError(
                    ErrorCode.MP_MALFORMED_REQUEST,
                    f"charset={charset[:30]}: τα αιτήματα γίνονται δεκτά μόνο σε UTF-8 (text/xml; charset=utf-8)",
                )

    @staticmethod
    def _check_soap_action(environ: dict[str, Any], operation: str) -> None:
        """SOAP 1.1 §6.1.1: the SOAPAction header is mandatory. Empty ("") leaves the intent to the
        URL and the Body; otherwise it must name the Body's operation, so an intermediary that routes
        or filters by SOAPAction sees the operation that is really called. It names it as the WSDL
        declares it ("op") or, as stacks build it from a namespace, "ns/op" (.NET) or "ns#op"
        (SOAP::Lite): the operation is what follows the last "/" or "#"."""
        if "HTTP_SOAPACTION" not in environ:
            raise MitrooError(
                ErrorCode.MP_MALFORMED_REQUEST,
                f'λείπει η κεφαλίδα HTTP SOAPAction (missing SOAPAction header; send SOAPAction: "{operation}")',
            )
        action = environ["HTTP_SOAPACTION"].strip()
        if len(action) >= 2 and action[0] == action[-1] == '"':
            action = action[1:-1]
        named = action.replace("#", "/").rpartition("/")[2]
        if action and named != operation:
            raise MitrooError(
                ErrorCode.MP_MALFORMED_REQUEST,
                f"η κεφαλίδα SOAPAction {action[:80]!r} ονομάζει τη λειτουργία {named[:60]!r}, ενώ το Body καλεί "
                f"την {operation} (SOAPAction names another operation: send SOAPAction: \"{operation}\" or \"\")",
            )

    def _validate(self, envelope: soap.Envelope) -> None:
        assert self.schema is not None
        validate(self.schema, envelope)

    def _admit(self, call: Call, envelope: soap.Envelope) -> None:
        """Authentication, then the business checks that answer with an errorRecord: one transaction,
        whose first statement reads the caller, their grant and the transaction id's earlier use, and whose
        last takes a concurrency slot and counts the quota (one statement on PostgreSQL)."""
        now = _now()
        token = wssecurity.username_token(envelope.header)
        declared = call.declared
        with self.sessions() as session:  # committed by the cap's admit
            admission = self.authenticator.admit(
                session, token, now, call.observed_ip, self.service, call.operation or "",
                (declared.get("auditUnit") or "").strip(), (declared.get("auditTransactionId") or "").strip(),
            )
            call.caller = caller = admission.caller
            transport.check_bound_certificate(caller.bound_cert_sha256, call.client_cert_sha256)
            call.record = record = auditrecord.validate(declared, now, self.settings.audit_clock_skew_seconds)
            accreditation.check_active(caller, now.date())
            accreditation.check_grant(caller, self.service, call.operation or "", admission.granted)
            call.retry_of = accreditation.replay_of(admission.used, record.transaction_id, call.content_digest)
            call.slot = self.cap.admit(session, caller, call.call_sequence_id, now)

    def _dispatch(self, call: Call, envelope: soap.Envelope) -> tuple[str, Answer]:
        """The operation's answer: its errorRecord when the call was rejected, else the handler's."""
        assert self.codec is not None
        operation = envelope.operation_name
        record = None if call.rejection is not None else self.codec.read(operation, envelope.operation)
        values = answer(call, self.codec.handlers[operation], record)
        if values is None:
            failure = call.failure
            if isinstance(failure, MitrooError) and failure.code.is_fault:
                return self._fault(call, failure)
            if isinstance(failure, SQLAlchemyError):
                return self._database_fault(call, failure)
            log.error("internal error in call %s", call.call_sequence_id, exc_info=failure)
            return self._fault(call, _internal(call))
        return "200 OK", self.codec.write(operation, values)

    def _database_fault(self, call: Call, exc: BaseException) -> tuple[str, Answer]:
        """MP_SERVICE_UNAVAILABLE saying what failed (timeout, busy, full, unreachable); the log gets
        the driver's first line, never the statement or its parameters."""
        why = dbfaults.reason(exc, self.settings.db_statement_timeout_ms)
        log.error("database unavailable in call %s: %s (%s)", call.call_sequence_id, why, dbfaults.driver_message(exc))
        return self._fault(
            call, MitrooError(ErrorCode.MP_SERVICE_UNAVAILABLE, f"η βάση δεδομένων δεν είναι διαθέσιμη ({why})")
        )

    def _fault(self, call: Call, error: MitrooError) -> tuple[str, Answer]:
        call.rejection = error
        return "500 Internal Server Error", soap.fault_document(error, call.call_sequence_id, call.call_sequence_date)

    # -- audit, then respond ---------------------------------------------------------------

    def _finish(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        call: Call,
        status: str,
        body: Answer,
        started: float,
    ) -> Iterable[bytes]:
        claim = None
        if call.record is not None and call.caller is not None and call.rejection is None and call.retry_of is None:
            claim = events.TransactionClaim(
                call.caller.agency_id, call.record.unit, call.record.transaction_id, call.content_digest
            )
        try:
            self._audit(call, started, claim)
        except events.ReplayDetected:
            assert call.record is not None
            call.rejection = accreditation.duplicate_transaction(call.record.transaction_id, "σε εξέλιξη")
            call.answered_error = None
            call.subjects.clear()
            status, body = self._dispatch(call, environ[_ENVELOPE_KEY])
            try:
                self._audit(call, started, None)
            except events.AuditUnavailable as exc:
                status, body = self._unavailable(call, exc)
        except events.AuditUnavailable as exc:
            status, body = self._unavailable(call, exc)
        status, data = self._signed(call, status, body)
        headers = [("Content-Type", XML_CONTENT_TYPE), ("Content-Length", str(len(data)))]
        start_response(status, headers)
        return [data]

    def _signed(self, call: Call, status: str, body: Answer) -> tuple[str, bytes]:
        """Every envelope that leaves is signed (docs/design.md §8 Signing). Should signing itself fail, the caller
        gets an unsigned MP_INTERNAL_ERROR fault and no data. (No signer: the benchmark-only
        MITROO_BENCH_UNSIGNED.)"""
        if self.signer is None:
            return status, body if isinstance(body, bytes) else etree.tostring(body, xml_declaration=True, encoding="UTF-8")
        try:
            with metrics.SIGNING_SECONDS.time():
                return status, self.signer.sign(body) if isinstance(body, bytes) else self.signer.sign_tree(body)
        except Exception:
            log.exception("signing failed in call %s; answered MP_INTERNAL_ERROR unsigned", call.call_sequence_id)
            return "500 Internal Server Error", soap.fault_document(
                _internal(call), call.call_sequence_id, call.call_sequence_date
            )

    def _unavailable(self, call: Call, exc: events.AuditUnavailable) -> tuple[str, Answer]:
        why = dbfaults.reason(exc, self.settings.db_statement_timeout_ms)
        log.error("audit store unavailable in call %s: %s (%s); answered MP_SERVICE_UNAVAILABLE, no data",
                  call.call_sequence_id, why, dbfaults.driver_message(exc))
        error = MitrooError(
            ErrorCode.MP_SERVICE_UNAVAILABLE,
            f"το αρχείο καταγραφής (audit) δεν είναι διαθέσιμο· δεν επιστρέφονται δεδομένα ({why})",
        )
        return "503 Service Unavailable", soap.fault_document(error, call.call_sequence_id, call.call_sequence_date)

    def _audit(self, call: Call, started: float, claim: events.TransactionClaim | None) -> None:
        """Commit the call's audit event, freeing its concurrency slot in the same transaction (if that
        fails, the slot stays with the call and is released on its own afterwards)."""
        error = call.error
        caller = call.caller
        with metrics.AUDIT_SECONDS.time():
            events.record(
                self.sessions,
                events.Event(
                    call_sequence_id=call.call_sequence_id,
                    server_time=call.call_sequence_date,
                    service=call.service,
                    operation=call.operation,
                    observed_ip=call.observed_ip,
                    outcome=error.code.name if error else "OK",
                    outcome_detail=call.audit_detail,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    request_digest=call.request_digest or hashlib.sha256(b"").hexdigest(),
                    agency_code=caller.agency_code if caller else None,
                    system_code=caller.system_code if caller else None,
                    username=caller.username if caller else None,
                    declared=call.declared,
                    subjects=frozenset(call.subjects) if error is None else frozenset(),
                    purpose=call.purpose,
                ),
                claim,
                call.slot,
            )
        call.slot = None


def validate(schema: etree.XMLSchema, envelope: soap.Envelope) -> None:
    """The operation element against the service's schema, or MP_SCHEMA_INVALID naming where and why."""
    if not schema.validate(envelope.operation):
        # lxml-stubs 0.5 declares _ErrorLog without members; lxml's has last_error.
        error = schema.error_log.last_error  # type: ignore[attr-defined]
        raise MitrooError(
            ErrorCode.MP_SCHEMA_INVALID,
            f"{error.path or envelope.operation_name}: {error.message}" if error else envelope.operation_name,
        )


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body from ``environ`` (Content-Length, or to the end of a stream without one),
    or MP_MALFORMED_REQUEST: a body over ``limit`` bytes, a bad or lying Content-Length."""
    length_header = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if length_header:
        try:
            length = int(length_header)
        except ValueError:
            length = -1
        if length < 0:
            raise MitrooError(ErrorCode.MP_MALFORMED_REQUEST, "μη έγκυρο Content-Length (not a byte count)")
        if length > limit:
            _discard(stream, min(length, DRAIN_BYTES))
            raise soap.body_too_large(limit)
        data: bytes = stream.read(length)
        if len(data) < length:
            raise MitrooError(
                ErrorCode.MP_MALFORMED_REQUEST,
                f"το σώμα έχει {len(data)} bytes αντί για {length} του Content-Length (body shorter than Content-Length)",
            )
    else:
        data = stream.read(limit + 1)
        if len(data) > limit:
            _discard(stream, DRAIN_BYTES - len(data))
            raise soap.body_too_large(limit)
    return data


def _discard(stream: Any, at_most: int) -> None:
    """Read and drop up to ``at_most`` bytes of a refused body, so that the client, still sending,
    reads its fault instead of a connection reset (gunicorn closes a connection with unread input,
    and the kernel then resets it). A body declared beyond DRAIN_BYTES is not read at all."""
    while at_most > 0:
        chunk = stream.read(min(at_most, 65536))
        if not chunk:
            return
        at_most -= len(chunk)


def _internal(call: Call) -> MitrooError:
    return MitrooError(ErrorCode.MP_INTERNAL_ERROR, f"callSequenceId {call.call_sequence_id}")
