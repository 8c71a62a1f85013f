"""``mitroo-audit``: the auditors' command line over the audit store.

    mitroo-audit search --agency EFKA --since 2026-11-01 --outcome ERROR
    mitroo-audit search --subject-amka 01017012345 --format csv > accesses.csv
    mitroo-audit web          # the auditor console in a browser, on 127.0.0.1:8001

The database is the provider's (``MITROO_DATABASE_URL`` or the SQLite file in ``MITROO_DATA_DIR``).
Output is a readable table (paginated with ``--page``/``--page-size``), or CSV, JSON or NDJSON,
which stream every match unless ``--limit`` is given.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tabulate import tabulate

from audit import export
from audit.criteria import criteria, parse_time
from audit.query import AuditFilter, QueryError, as_record, search
from db.engine import make_engine
from provider.settings import Settings, SettingsError

if TYPE_CHECKING:
    from audit.sealrecords import SealLog

TABLE_COLUMNS = ("server_time", "agency_code", "username", "operation", "audit_unit", "audit_protocol",
                 "audit_user_id", "observed_ip", "outcome", "call_sequence_id")


@click.group()
def main() -> None:
    """Query the provider's audit store (who called what, when, under which protocol)."""


def filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """The criteria shared by every command that reads events."""
    options = [
        click.option("--agency"), click.option("--system"), click.option("--username"),
        click.option("--unit", help="Declared auditUnit."),
        click.option("--user-id", help="Declared auditUserId."),
        click.option("--observed-ip", help="Observed client IP: an address or a CIDR network."),
        click.option("--declared-ip", help="Declared auditUserIp: an address or a CIDR network."),
        click.option("--service"), click.option("--operation"),
        click.option("--outcome", help="OK, ERROR (any error) or an error code such as MP_NOT_FOUND."),
        click.option("--since", help="From this date or date-time (Europe/Athens unless a zone is given)."),
        click.option("--until", help="Before this date or date-time."),
        click.option("--call-sequence-id"),
        click.option("--transaction-id", help="Declared auditTransactionId."),
        click.option("--protocol", help="Declared auditProtocol."),
        click.option("--subject-amka", help="Calls that touched this citizen (by AMKA)."),
        click.option("--subject-act", help="Calls that touched a person of this act: OFFICE/NUMBER[/VOLUME]/YEAR."),
        click.option("--subject-share", help="Calls that touched a member of this family share: MUNICIPALITY/SHARE."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _session_run(work: Callable[[Session], None]) -> None:
    """Open the provider's database and run ``work``; a bad setting or criterion, or a database
    error, becomes one line on stderr."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            work(session)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"the audit store cannot be used ({type(exc).__name__})") from None
    finally:
        engine.dispose()


def _reading(work: Callable[[Session, AuditFilter], None], options: dict[str, Any]) -> None:
    """Run ``work`` on the events the command's criteria select."""
    _session_run(lambda session: work(session, criteria(session, options)))


@main.command("search")
@filters
@click.option("--format", "output", type=click.Choice(["table", "csv", "json", "ndjson"]), default="table",
              show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="Table page.")
@click.option("--page-size", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many rows (exports).")
def search_command(**options: Any) -> None:
    """Audit events matching every given criterion, oldest first."""
    def work(session: Session, criteria: AuditFilter) -> None:
        if options["output"] == "table":
            offset = (options["page"] - 1) * options["page_size"]
            _table(search(session, criteria, offset=offset, limit=options["page_size"]), options)
        else:
            _export(search(session, criteria, limit=options["limit"]), options["output"])

    _reading(work, options)


def _table(events: Iterator[Any], options: dict[str, Any]) -> None:
    rows = [[as_record(event)[column] for column in TABLE_COLUMNS] for event in events]
    if not rows:
        click.echo("no matching audit events" + (f" on page {options['page']}" if options["page"] > 1 else ""))
        return
    click.echo(tabulate(rows, headers=list(TABLE_COLUMNS), tablefmt="simple"))
    click.echo(f"page {options['page']}, {len(rows)} events (--page {options['page'] + 1} for more)"
               if len(rows) == options["page_size"] else f"page {options['page']}, {len(rows)} events", err=True)


def _export(events: Iterator[Any], output: str) -> None:
    for chunk in export.chunks(events, output):
        sys.stdout.write(chunk)


def _clock(value: str, name: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time such as 07:00", param_hint=name) from None


@main.command("stats")
@filters
@click.option("--work-start", default="07:00", show_default=True, help="Working hours start (Greek local time).")
@click.option("--work-end", default="19:00", show_default=True, help="Working hours end.")
@click.option("--burst", type=click.IntRange(1), default=60, show_default=True,
              help="Flag a username above this many calls within one minute.")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="How many top callers.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def stats_command(**options: Any) -> None:
    """Calls per agency, operation and day with error rates; top callers; calls outside working
    hours (weekdays, Greek local time); bursts."""
    from audit.stats import WorkingHours, compute

    hours = WorkingHours(_clock(options["work_start"], "--work-start"), _clock(options["work_end"], "--work-end"))

    def work(session: Session, criteria: AuditFilter) -> None:
        result = compute(session, criteria, hours=hours, burst_threshold=options["burst"], top=options["top"])
        if options["as_json"]:
            click.echo(json.dumps(_plain(result), ensure_ascii=False, indent=2))
            return
        click.echo(f"{result.total} calls, {result.errors} errors"
                   + (f" ({result.errors / result.total:.1%})" if result.total else ""))
        click.echo("\nCalls per agency, operation and day")
        click.echo(tabulate([(d.agency, d.operation, d.day, d.calls, d.errors, f"{d.error_rate:.1%}")
                             for d in result.daily],
                            headers=["agency", "operation", "day", "calls", "errors", "error rate"]))
        click.echo("\nTop callers")
        click.echo(tabulate([(c.agency, c.username, c.calls, c.errors) for c in result.top_callers],
                            headers=["agency", "username", "calls", "errors"]))
        click.echo(f"\nOutside working hours ({hours.start:%H:%M}-{hours.end:%H:%M}, Mon-Fri): {result.outside_hours}")
        if result.outside_hours_by_caller:
            click.echo(tabulate([(c.agency, c.username, c.calls) for c in result.outside_hours_by_caller],
                                headers=["agency", "username", "calls"]))
        click.echo(f"\nBursts above {options['burst']} calls a minute: {len(result.bursts)}")
        if result.bursts:
            click.echo(tabulate([(b.username, f"{b.minute:%Y-%m-%d %H:%M}", b.calls) for b in result.bursts],
                                headers=["username", "minute", "calls"]))

    _reading(work, options)


def _plain(value: Any) -> Any:
    import dataclasses

    if dataclasses.is_dataclass(value):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _seal_log(settings: Settings) -> SealLog:
    """The seal log as configured, with the seal key loaded (sealing signs with it)."""
    from audit.sealrecords import SealLog, certificates_in
    from provider.xml.keys import KeyConfigError, load_signing_key, seal_source

    try:
        key = load_signing_key(seal_source(settings))
        roots = tuple(certificates_in(settings.audit_tsa_ca_file)) if settings.audit_tsa_ca_file else ()
    except (KeyConfigError, OSError, ValueError) as exc:
        raise click.ClickException(f"cannot sign seal records: {exc}") from None
    return SealLog(settings.audit_seal_log, key, settings.audit_tsa_url or None, roots)


def _certificates(paths: tuple[Path, ...], what: str) -> list[Any]:
    from audit.sealrecords import certificates_in

    found = []
    for path in paths:
        try:
            found += certificates_in(path)
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"cannot read {what} {path}: {exc}") from None
    return found


def _seal_certificates(settings: Settings, given: tuple[Path, ...]) -> list[Any]:
    """The certificates seal records may be signed by: those given, else the configured seal
    certificate (and the signing certificate's successor during a rotation)."""
    if given:
        return _certificates(given, "the certificate")
    from provider.xml.keys import seal_source

    source = seal_source(settings)
    if source.pkcs12_file is not None:
        from provider.xml.keys import KeyConfigError, load_signing_key

        try:
            return [load_signing_key(source).certificate]
        except KeyConfigError as exc:
            raise click.ClickException(f"cannot read the seal certificate: {exc}") from None
    return _certificates(tuple(p for p in (source.cert_file, source.next_cert_file) if p),
                         "the seal certificate (give it with --cert)")


@main.command("seal")
@click.option("--lag", type=click.IntRange(0), default=60, show_default=True,
              help="The sealing lag: seal only events older than this many seconds (longer than a call "
                   "takes to commit).")
@click.option("--batch", type=click.IntRange(1), default=50_000, show_default=True, help="Events per seal.")
@click.option("--every", type=click.IntRange(1), default=None,
              help="Keep running, sealing every this many seconds (else seal what is due and exit).")
def seal_command(lag: int, batch: int, every: int | None) -> None:
    """Extend the audit hash chain over the events not yet sealed, in batches, and append each
    seal's signed record to the seal log (MITROO_AUDIT_SEAL_LOG), timestamped by the TSA when one
    is configured. Refuses (exit code 1) to chain in a back-dated event. On PostgreSQL it also
    creates the audit store's partitions for the coming months."""
    import time

    from audit.seal import SealRefused, seal
    from audit.sealrecords import SealLogError
    from db import partitions

    log = _seal_log(_settings())

    def work(session: Session) -> None:
        while True:
            partitions.ensure_ahead(session.connection())  # the coming months' partitions (PostgreSQL)
            session.commit()
            try:
                result = seal(session, lag=lag, batch=batch, log=log)
            except SealRefused as exc:
                click.echo(f"REFUSED: {exc}; nothing was sealed", err=True)
                sys.exit(1)
            except SealLogError as exc:
                raise click.ClickException(f"{exc}; the seal is in the database, the next run records it") from None
            for warning in result.warnings:
                click.echo(f"WARNING: {warning}", err=True)
            if result.seal_id is not None:
                click.echo(f"seal {result.seal_id}: events {result.first_event_id}-{result.last_event_id} "
                           f"({result.events}), recorded in {log.path}; digest {result.digest}")
            if result.events < batch:
                if every is None:
                    if result.seal_id is None:
                        click.echo(f"nothing to seal; digest {result.digest}")
                    return
                time.sleep(every)

    try:
        _session_run(work)
    except KeyboardInterrupt:
        pass


_CERT_OPTION = click.option(
    "--cert", "certs", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A certificate the seal records may be signed by (repeat for older keys); default the seal certificate.")
_TSA_CA_OPTION = click.option(
    "--tsa-ca", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The TSA's CA certificates (PEM) to check the records' timestamps; default MITROO_AUDIT_TSA_CA_FILE.")


@main.command("verify")
@click.option("--seal-log", type=click.Path(dir_okay=False, path_type=Path),
              help="The seal log to compare with (a copy kept elsewhere); default MITROO_AUDIT_SEAL_LOG.")
@_CERT_OPTION
@_TSA_CA_OPTION
@click.option("--expect-digest", help="A digest printed by an earlier seal and kept elsewhere.")
def verify_command(seal_log: Path | None, certs: tuple[Path, ...], tsa_ca: Path | None,
                   expect_digest: str | None) -> None:
    """Recompute the hash chain from the events, check every seal, and compare the seals with the
    signed records of the seal log; name the first event that was altered, deleted, inserted,
    reordered or back-dated, a truncated tail, and a forged or missing seal record. Exit code 1
    when anything does not match."""
    from audit import sealrecords
    from audit.seal import unsealed, verify

    settings = _settings()
    path = seal_log or settings.audit_seal_log
    tsa = tsa_ca or settings.audit_tsa_ca_file
    try:
        records = sealrecords.read(path, _seal_certificates(settings, certs),
                                   _certificates((tsa,), "the TSA certificates") if tsa else None)
    except OSError as exc:
        raise click.ClickException(f"cannot read the seal log {path}: {exc.strerror or exc}") from None

    def work(session: Session) -> None:
        result = verify(session, expect_digest=expect_digest, records=records, records_from=str(path))
        if result.problem is not None:
            click.echo(f"TAMPERED: {result.problem.detail}", err=True)
            click.echo(json.dumps({"ok": False, "kind": result.problem.kind, "eventId": result.problem.event_id,
                                   "detail": result.problem.detail}, ensure_ascii=False))
            sys.exit(1)
        archived = f"; {result.archived} archived by the retention" if result.archived else ""
        stamped = f", {result.timestamped} timestamped" if tsa else ""
        click.echo(f"OK: {result.events} sealed events in {result.seals} seals verify{archived}; "
                   f"{result.records} signed seal records in {path} match{stamped}; "
                   f"digest {result.digest}; {unsealed(session)} events not sealed yet")

    _session_run(work)


@main.command("verify-seal-log")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_CERT_OPTION
@_TSA_CA_OPTION
def verify_seal_log_command(path: Path, certs: tuple[Path, ...], tsa_ca: Path | None) -> None:
    """Check a copy of the seal log on its own, without the database: every record signed by the
    certificate, timestamped (with --tsa-ca), and following the one before it. Prints the chain's
    last digest; exit code 1 when a record does not verify."""
    from audit import sealrecords
    from audit.seal import GENESIS

    settings = _settings()
    tsa = tsa_ca or settings.audit_tsa_ca_file
    lines = sealrecords.read(path, _seal_certificates(settings, certs),
                             _certificates((tsa,), "the TSA certificates") if tsa else None)
    previous, events = GENESIS, 0
    for line in lines:
        problem = line.problem
        if line.record is not None and problem is None and line.record.previous_digest != previous:
            problem = f"line {line.number} (seal {line.record.seal}) does not follow the record before it"
        if problem is not None:
            click.echo(f"TAMPERED: {problem}", err=True)
            sys.exit(1)
        assert line.record is not None
        previous, events = line.record.digest, events + line.record.events
        stamp = f", timestamped {line.timestamped_at:%Y-%m-%d %H:%M:%S} UTC" if line.timestamped_at else ""
        click.echo(f"seal {line.record.seal}: events {line.record.first_event_id}-{line.record.last_event_id}, "
                   f"sealed {line.record.sealed_at}{stamp}, digest {line.record.digest}")
    click.echo(f"OK: {len(lines)} seal records, {events} events; digest {previous}")


@main.command("retention")
@click.option("--older-than", required=True,
              help="The retention period: days (400d), months (13m) or a date (2025-01-01). Whole months "
                   "that end before it are exported and dropped.")
@click.option("--archive-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where the archives (audit-YYYY-MM.ndjson.gz) and their manifests are written.")
@click.option("--export-only", is_flag=True, help="Export and verify, but drop nothing.")
def retention_command(older_than: str, archive_dir: Path, export_only: bool) -> None:
    """Export each month past the retention period to compressed NDJSON with a manifest, read the
    archive back and verify it against the hash chain, then drop the month's partitions
    (PostgreSQL). A month that cannot be exported and verified is not dropped; exit code 1."""
    from audit import retention

    def work(session: Session) -> None:
        try:
            before = retention.cutoff(older_than, dt.datetime.now(dt.UTC))
            done = 0
            for result in retention.run(session, before, archive_dir, drop_partitions=not export_only):
                done += 1
                action = "dropped" if result.dropped else "kept (--export-only)"
                click.echo(f"{result.month:%Y-%m}: {result.events} events, {result.subjects} subjects -> "
                           f"{result.archive} (manifest sha256 {result.manifest_sha256}); verified; {action}")
            if not done:
                click.echo(f"no month ends before {before:%Y-%m-%d}: nothing to do")
        except retention.RetentionError as exc:
            session.rollback()
            click.echo(f"REFUSED: {exc}; nothing of that month was dropped", err=True)
            sys.exit(1)

    _session_run(work)


@main.command("partitions")
@click.option("--ahead", type=click.IntRange(0, 36), default=3, show_default=True,
              help="Create the monthly partitions through this many months after the current one.")
def partitions_command(ahead: int) -> None:
    """Create the coming months' partitions of the audit store (PostgreSQL) and list them all."""
    from sqlalchemy import text

    from db import partitions

    def work(session: Session) -> None:
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            click.echo("the SQLite audit store is not partitioned")
            return
        ensured = partitions.ensure_ahead(connection, ahead)
        session.commit()
        for name in ensured.created:
            click.echo(f"created {name}")
        for month in ensured.blocked:
            click.echo(f"WARNING: {month:%Y-%m} already has events in the default partition; "
                       "its monthly partition was not created", err=True)
        connection = session.connection()
        for partition in partitions.listed(connection):
            rows = connection.execute(text(f"SELECT count(*) FROM {partition.name}")).scalar_one()
            click.echo(f"{partition.name:<28} {rows:>12} events")

    _session_run(work)


@main.command("subject-report")
@click.option("--amka", required=True, help="The citizen's AMKA.")
@click.option("--since", help="From this date (Europe/Athens unless a zone is given).")
@click.option("--until", help="Before this date.")
@click.option("--format", "output", type=click.Choice(["text", "html"]), default="text", show_default=True,
              help="html is a printable page with Greek headings (print it to PDF from a browser).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
def subject_report_command(amka: str, since: str | None, until: str | None, output: str, out: str | None) -> None:
    """Every access to one citizen's data (Data Tracker style): when, agency, unit, operation,
    protocol number and purpose; to hand to the citizen."""
    from audit.report import SubjectNotFound, as_html, as_text, subject_report

    def work(session: Session) -> None:
        try:
            report = subject_report(session, amka.strip(), since=parse_time(since, "--since"),
                                    until=parse_time(until, "--until"))
        except SubjectNotFound as exc:
            raise click.ClickException(str(exc)) from None
        rendered = as_html(report) if output == "html" else as_text(report)
        if out:
            with open(out, "w", encoding="utf-8") as handle:
                handle.write(rendered)
            click.echo(f"{len(report.accesses)} accesses written to {out}")
        else:
            click.echo(rendered, nl=False)

    _session_run(work)


@main.command("web")
@click.option("--host", help="Listen on this address (default MITROO_CONSOLE_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="Listen on this port (default MITROO_CONSOLE_PORT, 8001).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
def web_command(host: str | None, port: int | None, threads: int) -> None:
    """Serve the auditor console (search, one call, dashboard, a citizen's report) on
    127.0.0.1:8001: a process of its own, for auditors only, never exposed to agencies."""
    import waitress

    from audit.console.app import create_app
    from db.migrate import not_at_head

    settings = _settings()
    engine = make_engine(settings.database_url)
    problem = not_at_head(engine)
    engine.dispose()
    if problem:
        raise click.ClickException(f"the audit store cannot be used: {problem}")
    try:
        app = create_app(settings)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot start the console: {exc}") from None
    server = waitress.create_server(app, host=host or settings.console_host,
                                    port=settings.console_port if port is None else port, threads=threads)
    click.echo(f"mitroo-audit web: the auditor console on http://{server.effective_host}:{server.effective_port}/ "
               f"(auditors only; public URL {settings.console_public_url})")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
