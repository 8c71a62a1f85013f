"""The operator CLI, ``mitroo-provider``: serve, database, demo data, signing keys, accreditation admin.

Passwords are never command-line arguments: they are prompted for (hidden, twice) or read
from standard input with ``--password-stdin``.
"""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from provider.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _engine() -> Any:
    from db.engine import make_engine

    return make_engine(_settings().database_url)


def _admin(action: Callable[[Session], Any]) -> Any:
    """Run ``action`` in one committed transaction; AdminError becomes a clean CLI error."""
    from provider.access.admin import AdminError

    engine = _engine()
    try:
        with Session(engine) as session, session.begin():
            return action(session)
    except AdminError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"the database refused the change ({type(exc).__name__}); nothing was saved") from None
    finally:
        engine.dispose()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group()
def main() -> None:
    """Mitroo Politon interoperability provider (KED model)."""


# -- serving ------------------------------------------------------------------------------


@main.command()
@click.option("--host", default=None, help="Address to listen on (default MITROO_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default MITROO_PORT or 8000; 0 picks a free one).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (each with its own database pool of MITROO_DB_POOL_SIZE).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Threads per worker process.")
@click.option("--worker-class", type=click.Choice(["gthread", "sync"]), default="gthread", show_default=True,
              help="gthread: threads and keep-alive; sync: one call per process at a time, no keep-alive "
                   "(for comparison: scripts/bench --worker-class sync).")
@click.option("--keep-alive", type=click.IntRange(0, 3600), default=5, show_default=True,
              help="Seconds an idle client connection is kept open.")
@click.option("--graceful-timeout", type=click.IntRange(1, 3600), default=30, show_default=True,
              help="On SIGTERM, seconds the calls in flight get to finish.")
@click.option("--access-log", is_flag=True, help="Also log every HTTP request (JSON); the audit store is the call log.")
def serve(host: str | None, port: int | None, workers: int, threads: int, worker_class: str, keep_alive: int,
          graceful_timeout: int, access_log: bool) -> None:
    """Serve the SOAP services (gunicorn: WORKERS processes of THREADS threads; with MITROO_FRONT=nginx behind
    nginx, which buffers slow clients and serves HTTPS)."""
    from provider import logs

    settings = _settings()
    logs.configure(settings.log_level)
    _check_startable(settings)
    from provider.server.serving import AddressInUse, ServeOptions, run

    def ready(listening: str, behind: str = "") -> None:
        from provider.soap import contract

        front = f"nginx front, gunicorn behind it on {behind}, " if behind else ""
        click.echo(f"mitroo-provider listening on {listening} ({front}public URL {settings.public_url}, "
                   f"{workers} {worker_class} worker(s) x {threads} thread(s))")
        for name in contract.SERVICES:
            url = contract.service_url(settings.public_url, name)
            click.echo(f"  {name:<24} {url}   WSDL: {url}?wsdl")
        sys.stdout.flush()

    if settings.front == "nginx":
        from provider.server import front

        backend_args = ["--workers", str(workers), "--threads", str(threads), "--worker-class", worker_class,
                        "--keep-alive", str(keep_alive), "--graceful-timeout", str(graceful_timeout)]
        try:
            code = front.run(settings, host or settings.host, settings.port if port is None else port,
                             backend_args + (["--access-log"] if access_log else []), graceful_timeout, ready)
        except front.FrontError as exc:
            raise click.ClickException(f"cannot start the front: {exc}") from None
        sys.exit(code)
    options = ServeOptions(host=host or settings.host, port=settings.port if port is None else port,
                           workers=workers, threads=threads, worker_class=worker_class, keep_alive=keep_alive,
                           graceful_timeout=graceful_timeout, access_log=access_log)
    try:
        run(settings, options, ready)
    except AddressInUse as exc:
        raise click.ClickException(f"cannot serve: something else listens on {exc}") from None


def _check_startable(settings: Settings) -> None:
    """What the master process checks once, before any worker starts: a migrated database and a usable key."""
    from db import partitions
    from db.engine import make_engine
    from db.migrate import not_at_head
    from provider.xml.keys import KeyConfigError, load_signing_key, signing_source

    engine = make_engine(settings.database_url)
    problem = not_at_head(engine)
    engine.dispose()
    if problem:
        raise click.ClickException(f"cannot start: {problem}")
    with engine.begin() as connection:  # the audit store's coming months (PostgreSQL partitions)
        for month in partitions.ensure_ahead(connection).blocked:
            click.echo(f"WARNING: audit events of {month:%Y-%m} sit in the default partition", err=True)
    engine.dispose()
    try:
        key = load_signing_key(signing_source(settings))
    except KeyConfigError as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    if warning := key.expiry_warning():
        click.echo(f"WARNING: {warning}", err=True)


@main.command()
@click.option("--persons", type=int, default=2000, show_default=True, help="Synthetic persons to seed on first run.")
@click.option("--seed", type=int, default=2026, show_default=True)
def demo(persons: int, seed: int) -> None:
    """Migrate, load reference data and agencies, seed persons and create the demo users."""
    from db.migrate import upgrade
    from provider.access.credentials import CredentialKey
    from provider.synthetic.demo import ensure_demo

    settings = _settings()
    upgrade(settings.database_url)
    engine = _engine()
    try:
        users = ensure_demo(engine, CredentialKey(settings.credential_key_file), persons, seed)
    finally:
        engine.dispose()
    if settings.signing_pkcs12_file is None and not settings.signing_key_file.exists():
        _generate_keys(settings, settings.signature_algorithm, 365)
    click.echo("Demo WS users (environment test):")
    for user in users:
        digest = (", PasswordDigest allowed" if user.digest else "") + (f", roles {','.join(user.roles)}" if user.roles else "")
        click.echo(f"  {user.username:<22} password {user.password:<22} agency {user.agency}/{user.system}{digest}")


# -- signing keys -------------------------------------------------------------------------


@main.group()
def keys() -> None:
    """The response-signing key and certificate (MITROO_SIGNING_* settings)."""


def _generate_keys(settings: Settings, algorithm: str, days: int) -> None:
    from provider.xml.keys import SignatureAlgorithm, fingerprint, generate_development_key

    certificate = generate_development_key(
        settings.signing_key_file, settings.signing_cert_file, SignatureAlgorithm.from_setting(algorithm), days
    )
    click.echo(f"Development signing key  {settings.signing_key_file} (mode 0600)")
    click.echo(f"Self-signed certificate  {settings.signing_cert_file}")
    click.echo(f"  valid until {certificate.not_valid_after_utc:%Y-%m-%d}, SHA-256 {fingerprint(certificate)}")


@keys.command("dev-generate")
@click.option("--algorithm", type=click.Choice(["rsa-sha256", "ecdsa-sha256"]), default=None,
              help="Key type (default MITROO_SIGNATURE_ALGORITHM, else rsa-sha256: RSA 2048).")
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing key.")
def keys_dev_generate(algorithm: str | None, days: int, force: bool) -> None:
    """Make a self-signed development key and certificate where MITROO_SIGNING_KEY_FILE/_CERT_FILE point."""
    settings = _settings()
    if settings.signing_key_file.exists() and not force:
        raise click.ClickException(f"{settings.signing_key_file} exists; use --force to replace it")
    _generate_keys(settings, algorithm or settings.signature_algorithm, days)
    if algorithm and algorithm != settings.signature_algorithm:
        click.echo(f"Set MITROO_SIGNATURE_ALGORITHM={algorithm} to sign with it.")


@keys.command("show")
def keys_show() -> None:
    """Load the signing key as the provider would, and print its certificate(s)."""
    from provider.xml.keys import KeyConfigError, fingerprint, load_signing_key, signing_source

    try:
        key = load_signing_key(signing_source(_settings()))
    except KeyConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for label, certificate in (("current", key.certificate), ("next", key.next_certificate)):
        if certificate is not None:
            click.echo(f"{label}: {certificate.subject.rfc4514_string()}")
            click.echo(f"  valid {certificate.not_valid_before_utc:%Y-%m-%d} to {certificate.not_valid_after_utc:%Y-%m-%d}")
            click.echo(f"  SHA-256 {fingerprint(certificate)}")
    click.echo(f"algorithm {key.algorithm.setting}, {key.days_left()} days left")
    if warning := key.expiry_warning():
        click.echo(f"WARNING: {warning}", err=True)


# -- database -----------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default head)."""
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database at {revision}")


@db.command("current")
def db_current() -> None:
    """Show the database's migration and the code's head."""
    from db.migrate import current_revision, head_revision

    engine = _engine()
    click.echo(f"current: {current_revision(engine) or 'none'}  head: {head_revision()}")
    engine.dispose()


@main.command()
@click.option("--persons", type=int, required=True, help="Number of synthetic persons.")
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed (same seed, same data).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def seed(persons: int, seed: int, quiet: bool) -> None:
    """Seed a synthetic, internally consistent registry (loads reference data first)."""
    from db.reference_data import load_all
    from provider.synthetic.registry import seed_registry
    from provider.synthetic.rolls import PERSONS_PER_HOLDER, seed_rolls

    engine = _engine()
    try:
        load_all(engine)
        try:
            report = seed_registry(engine, persons=persons, seed=seed, progress=not quiet)
            rolls = seed_rolls(engine, holders=persons // PERSONS_PER_HOLDER, seed=seed)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(
        f"seeded {report.persons} persons ({report.deceased} deceased), {report.family_shares} family shares, "
        f"{report.acts} acts ({report.marriages} marriages, {report.partnerships} partnerships) "
        f"in {report.seconds:.1f} s"
    )
    click.echo(
        f"seeded {rolls.holders} residence-permit holders ({rolls.permits} permits), {rolls.applications} "
        f"special-roll applications and {rolls.roll_entries} roll entries in {rolls.seconds:.1f} s"
    )


@main.group()
def contract() -> None:
    """The published WSDL and XSD."""


@contract.command("export")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
def contract_export(out: Path) -> None:
    """Write wsdl/<service>.wsdl and xsd/<namespace>.xsd under OUT."""
    from provider.soap import contract as exported

    (out / "wsdl").mkdir(parents=True, exist_ok=True)
    (out / "xsd").mkdir(parents=True, exist_ok=True)
    for service in exported.SERVICES:
        (out / "wsdl" / f"{service}.wsdl").write_bytes(exported.wsdl(service))
        click.echo(f"wrote wsdl/{service}.wsdl")
    for name, data in exported.schemas().items():
        (out / "xsd" / name).write_bytes(data)
        click.echo(f"wrote xsd/{name}")


# -- accreditation ------------------------------------------------------------------------


@main.group()
def agency() -> None:
    """Accredited agencies (διαπιστευμένοι φορείς)."""


@agency.command("list")
def agency_list() -> None:
    from provider.access import admin

    for row in _admin(admin.list_agencies):
        validity = f"{row.valid_from or '-'}..{row.valid_to or '-'}"
        place = f"Δήμος {row.municipality}" if row.municipality else "-"
        systems = ",".join(row.systems)
        click.echo(f"{row.code:<16} {row.status:<11} {validity:<23} quota {row.daily_quota:<7} {systems:<20} "
                   f"{place:<11} {row.name}")


@agency.command("add")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--legal-basis", required=True, help="ΦΕΚ / ministerial decision / ΑΔΑ.")
@click.option("--status", type=click.Choice(["pilot", "production", "suspended"]), default="pilot", show_default=True)
@click.option("--valid-from", default=None, help="YYYY-MM-DD")
@click.option("--valid-to", default=None, help="YYYY-MM-DD")
@click.option("--daily-quota", type=int, default=10000, show_default=True)
@click.option("--system", "systems", multiple=True, help="Information system code (repeatable).")
@click.option("--municipality", default=None, help="For a Δήμος: the ELSTAT code of the municipality it acts for.")
def agency_add(code: str, name: str, legal_basis: str, status: str, valid_from: str | None, valid_to: str | None,
               daily_quota: int, systems: tuple[str, ...], municipality: str | None) -> None:
    from provider.access import admin

    _admin(lambda s: admin.add_agency(
        s, code=code, name=name, legal_basis=legal_basis, status=status, valid_from=_date(valid_from),
        valid_to=_date(valid_to), daily_quota=daily_quota, systems=systems, municipality_code=municipality,
    ))
    click.echo(f"agency {code} added ({status})")


@agency.command("add-system")
@click.argument("code")
@click.argument("system")
@click.option("--name", default=None)
def agency_add_system(code: str, system: str, name: str | None) -> None:
    from provider.access import admin

    _admin(lambda s: admin.add_system(s, code, system, name or system))
    click.echo(f"system {system} added to {code}")


@agency.command("suspend")
@click.argument("code")
def agency_suspend(code: str) -> None:
    from provider.access import admin

    _admin(lambda s: admin.set_agency_status(s, code, "suspended"))
    click.echo(f"agency {code} suspended: its calls now get MP_ACCREDITATION_INACTIVE")


@agency.command("activate")
@click.argument("code")
@click.option("--pilot", is_flag=True, help="Activate in pilot rather than production status.")
def agency_activate(code: str, pilot: bool) -> None:
    from provider.access import admin

    status = "pilot" if pilot else "production"
    _admin(lambda s: admin.set_agency_status(s, code, status))
    click.echo(f"agency {code} is {status}")


@agency.command("set-validity")
@click.argument("code")
@click.option("--valid-from", default=None)
@click.option("--valid-to", default=None)
def agency_set_validity(code: str, valid_from: str | None, valid_to: str | None) -> None:
    from provider.access import admin

    _admin(lambda s: admin.set_agency_validity(s, code, _date(valid_from), _date(valid_to)))
    click.echo(f"agency {code} valid {valid_from or '-'}..{valid_to or '-'}")


@agency.command("set-municipality")
@click.argument("code")
@click.argument("municipality", required=False)
def agency_set_municipality(code: str, municipality: str | None) -> None:
    """Make agency CODE a Δήμος acting only for MUNICIPALITY (ELSTAT code); without it, no longer one."""
    from provider.access import admin

    _admin(lambda s: admin.set_agency_municipality(s, code, municipality))
    click.echo(f"agency {code} acts for municipality {municipality}" if municipality
               else f"agency {code} is not a municipality")


@agency.command("set-quota")
@click.argument("code")
@click.argument("daily_quota", type=int)
def agency_set_quota(code: str, daily_quota: int) -> None:
    from provider.access import admin

    _admin(lambda s: admin.set_agency_quota(s, code, daily_quota))
    click.echo(f"agency {code} daily quota {daily_quota}")


@main.group()
def grant() -> None:
    """Grants: which agency may call which operation, with purpose and legal act."""


@grant.command("list")
@click.option("--agency", "agency_code", default=None)
def grant_list(agency_code: str | None) -> None:
    from provider.access import admin

    for row in _admin(lambda s: admin.list_grants(s, agency_code)):
        click.echo(f"{row.agency:<16} {row.service:<24} {row.operation:<28} {row.legal_act}")


@grant.command("add")
@click.argument("agency_code")
@click.argument("service")
@click.argument("operations", nargs=-1)
@click.option("--purpose", required=True)
@click.option("--legal-act", required=True, help="ΦΕΚ / ΥΑ / ΑΔΑ allowing it.")
def grant_add(agency_code: str, service: str, operations: tuple[str, ...], purpose: str, legal_act: str) -> None:
    """Grant OPERATIONS of SERVICE (all of them when none are named)."""
    from provider.access import admin

    added = _admin(lambda s: admin.add_grant(s, agency_code, service, operations, purpose, legal_act))
    click.echo(f"granted to {agency_code}: {', '.join(added) or 'nothing new'}")


@grant.command("revoke")
@click.argument("agency_code")
@click.argument("service")
@click.argument("operations", nargs=-1)
def grant_revoke(agency_code: str, service: str, operations: tuple[str, ...]) -> None:
    """Revoke OPERATIONS of SERVICE (all of them when none are named)."""
    from provider.access import admin

    revoked = _admin(lambda s: admin.revoke_grant(s, agency_code, service, operations))
    click.echo(f"revoked from {agency_code}: {', '.join(revoked)}")


@main.group()
def election() -> None:
    """Elections of the special electoral rolls: date, registration deadline, its extension."""


@election.command("list")
def election_list() -> None:
    from provider.registry.special_electoral_rolls import elections

    for row in _admin(elections.list_elections):
        extended = f"extended to {row.extended_deadline}" if row.extended_deadline else "not extended"
        click.echo(f"{row.code:<12} {row.election_date}  deadline {row.registration_deadline} ({extended})  {row.name}")


@election.command("add")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--date", "election_date", required=True, help="Election day, YYYY-MM-DD.")
@click.option("--deadline", required=True, help="Registration deadline, YYYY-MM-DD.")
def election_add(code: str, name: str, election_date: str, deadline: str) -> None:
    from provider.registry.special_electoral_rolls import elections

    day, until = _date(election_date), _date(deadline)
    assert day is not None and until is not None
    _admin(lambda s: elections.add_election(s, code, name, day, until))
    click.echo(f"election {code} on {day}, registration until {until}")


@election.command("extend")
@click.argument("code")
@click.option("--until", default=None, help="The extended deadline (at most two months later), YYYY-MM-DD.")
@click.option("--withdraw", is_flag=True, help="Withdraw the extension.")
def election_extend(code: str, until: str | None, withdraw: bool) -> None:
    """Extend the registration deadline of CODE (ministerial decision, at most two months)."""
    from provider.registry.special_electoral_rolls import elections

    if withdraw == (until is not None):
        raise click.UsageError("give exactly one of --until and --withdraw")
    _admin(lambda s: elections.extend_deadline(s, code, _date(until)))
    click.echo(f"election {code}: deadline extended to {until}" if until else f"election {code}: extension withdrawn")


@main.group()
def user() -> None:
    """WS users (one per agency system and environment)."""


@user.command("list")
@click.option("--agency", "agency_code", default=None)
def user_list(agency_code: str | None) -> None:
    from provider.access import admin

    for row in _admin(lambda s: admin.list_users(s, agency_code)):
        flags = ",".join(f for f, on in (("locked", row.locked), ("digest", row.digest),
                                          ("cert", row.client_cert_sha256 is not None)) if on) or "-"
        click.echo(f"{row.username:<24} {row.agency:<16} {row.system:<16} {row.environment:<11} {flags:<14} {row.roles}")


@user.command("add")
@click.argument("username")
@click.option("--agency", "agency_code", required=True)
@click.option("--system", "system_code", required=True)
@click.option("--environment", type=click.Choice(["test", "production"]), default="test", show_default=True)
@click.option("--allow-digest", is_flag=True, help="Also accept PasswordDigest (keeps an encrypted copy).")
@click.option("--role", "roles", multiple=True, help="Extra role, e.g. auditor (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(username: str, agency_code: str, system_code: str, environment: str, allow_digest: bool,
             roles: tuple[str, ...], password_stdin: bool) -> None:
    from provider.access import admin
    from provider.access.credentials import CredentialKey

    password = _read_password(password_stdin)
    key = CredentialKey(_settings().credential_key_file)
    _admin(lambda s: admin.add_user(
        s, key, username=username, agency_code=agency_code, system_code=system_code, password=password,
        environment=environment, allow_digest=allow_digest, roles=roles,
    ))
    click.echo(f"user {username} added to {agency_code}/{system_code} ({environment})")


@user.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_set_password(username: str, password_stdin: bool) -> None:
    from provider.access import admin
    from provider.access.credentials import CredentialKey

    password = _read_password(password_stdin)
    key = CredentialKey(_settings().credential_key_file)
    _admin(lambda s: admin.set_password(s, key, username, password))
    click.echo(f"password of {username} changed; the old one stops working now")


@user.command("lock")
@click.argument("username")
def user_lock(username: str) -> None:
    from provider.access import admin

    _admin(lambda s: admin.set_locked(s, username, True))
    click.echo(f"user {username} locked")


@user.command("end-sessions")
@click.argument("username")
def user_end_sessions(username: str) -> None:
    """End every auditor-console session of USERNAME now (a lock or a new password does it too)."""
    from provider.access import admin

    ended = _admin(lambda s: admin.end_console_sessions(s, username))
    click.echo(f"{ended} console session(s) of {username} ended")


@user.command("unlock")
@click.argument("username")
def user_unlock(username: str) -> None:
    from provider.access import admin

    _admin(lambda s: admin.set_locked(s, username, False))
    click.echo(f"user {username} unlocked")


@user.command("bind-cert")
@click.argument("username")
@click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The client certificate (PEM) the user must present over mutual TLS.")
@click.option("--sha256", default=None, help="Or its SHA-256 fingerprint (64 hex digits, colons allowed).")
def user_bind_cert(username: str, cert_file: Path | None, sha256: str | None) -> None:
    """Bind a WS user to one client certificate: calls without it, or with another, are refused."""
    from cryptography import x509

    from provider.access import admin
    from provider.xml.keys import sha256_hex

    if (cert_file is None) == (sha256 is None):
        raise click.UsageError("give exactly one of --cert FILE or --sha256 HEX")
    if cert_file is not None:
        try:
            sha256 = sha256_hex(x509.load_pem_x509_certificate(cert_file.read_bytes()))
        except ValueError:
            raise click.BadParameter(f"{cert_file} is not a PEM certificate", param_hint="--cert") from None
    _admin(lambda s: admin.bind_client_cert(s, username, sha256))
    click.echo(f"user {username} bound to the client certificate with SHA-256 {sha256}; "
               "calls need MITROO_TLS_CLIENT_CA_FILE on the front and that certificate")


@user.command("unbind-cert")
@click.argument("username")
def user_unbind_cert(username: str) -> None:
    """Remove a WS user's client-certificate binding (the password alone suffices again)."""
    from provider.access import admin

    _admin(lambda s: admin.bind_client_cert(s, username, None))
    click.echo(f"user {username} is no longer bound to a client certificate")


if __name__ == "__main__":  # pragma: no cover
    main()
