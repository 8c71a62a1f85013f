"""provider/access/admin.py against a real migrated database (SQLite and PostgreSQL): validation of
agencies, grants and WS users, and the effect of a password change or a lock on the
Authenticator, which must be immediate even for a credential it has cached."""
from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import make_sessionmaker
from db.models import Agency, WsUser
from provider.access import admin
from provider.access.accreditation import Authenticator
from provider.access.admin import AdminError
from provider.access.credentials import CredentialKey, verify_password
from provider.catalogue import CATALOGUE
from provider.errors import ErrorCode, MitrooError
from provider.xml.wssecurity import UsernameToken, password_digest
from tests.conftest import PASSWORD, USERS, PreparedDatabase

OLD_PASSWORD = "first-password-of-the-user"
NEW_PASSWORD = "second-password-of-the-user"


@contextmanager
def transaction(test_db: PreparedDatabase) -> Iterator[Session]:
    """One committed transaction (rolled back when the block raises), like the CLI's."""
    with Session(test_db.engine) as session, session.begin():
        yield session


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


def new_agency(test_db: PreparedDatabase, systems: tuple[str, ...] = ("SYS",), **kwargs: object) -> str:
    code = unique("A")
    with transaction(test_db) as session:
        admin.add_agency(session, code=code, name=f"Φορέας {code}", legal_basis="ΦΕΚ Β΄ 1/2026", systems=systems, **kwargs)  # type: ignore[arg-type]
    return code


def new_user(test_db: PreparedDatabase, password: str = OLD_PASSWORD, **kwargs: object) -> str:
    username = f"u-{uuid.uuid4().hex}"
    with transaction(test_db) as session:
        admin.add_user(session, CredentialKey(test_db.key_file), username=username, agency_code="AADE",
                       system_code="EISPRAXIS", password=password, **kwargs)  # type: ignore[arg-type]
    return username


def stored_user(test_db: PreparedDatabase, username: str) -> WsUser:
    with Session(test_db.engine) as session:
        user = session.scalar(select(WsUser).where(WsUser.username == username))
        assert user is not None
        return user


def agency_exists(test_db: PreparedDatabase, code: str) -> bool:
    with Session(test_db.engine) as session:
        return session.scalar(select(Agency.id).where(Agency.code == code)) is not None


# -- agencies -------------------------------------------------------------------------------


def test_add_agency_is_listed_with_its_systems(test_db: PreparedDatabase) -> None:
    code = new_agency(test_db, systems=("ALPHA", "BETA"), status="production", valid_from=dt.date(2025, 1, 1),
                      valid_to=dt.date(2030, 12, 31), daily_quota=0)
    with Session(test_db.engine) as session:
        rows = {row.code: row for row in admin.list_agencies(session)}
    row = rows[code]
    assert (row.status, row.valid_from, row.valid_to, row.daily_quota) == (
        "production", dt.date(2025, 1, 1), dt.date(2030, 12, 31), 0,
    )
    assert sorted(row.systems) == ["ALPHA", "BETA"]
    assert {"AADE", "EFKA", "EDYTE"} <= set(rows)
    assert list(rows) == sorted(rows)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "active"}, "status must be one of pilot, production, suspended"),
        ({"daily_quota": -1}, "daily quota must not be negative"),
        ({"valid_from": dt.date(2026, 5, 1), "valid_to": dt.date(2026, 4, 30)}, "valid-to is before valid-from"),
    ],
)
def test_add_agency_validation(test_db: PreparedDatabase, kwargs: dict[str, object], message: str) -> None:
    code = unique("BAD")
    with pytest.raises(AdminError, match=message), transaction(test_db) as session:
        admin.add_agency(session, code=code, name="x", legal_basis="y", **kwargs)  # type: ignore[arg-type]
    assert not agency_exists(test_db, code)


def test_add_agency_accepts_a_single_day_validity(test_db: PreparedDatabase) -> None:
    day = dt.date(2026, 1, 1)
    code = new_agency(test_db, valid_from=day, valid_to=day)
    assert agency_exists(test_db, code)


def test_add_agency_refuses_an_existing_code(test_db: PreparedDatabase) -> None:
    with pytest.raises(AdminError, match="agency 'AADE' already exists"), transaction(test_db) as session:
        admin.add_agency(session, code="AADE", name="x", legal_basis="y")


def test_agency_changes_and_their_validation(test_db: PreparedDatabase) -> None:
    code = new_agency(test_db)
    with transaction(test_db) as session:
        admin.set_agency_status(session, code, "suspended")
        admin.set_agency_quota(session, code, 7)
        admin.set_agency_validity(session, code, dt.date(2026, 1, 1), None)
        admin.add_system(session, code, "SECOND", "Δεύτερο σύστημα")
    with Session(test_db.engine) as session:
        row = next(r for r in admin.list_agencies(session) if r.code == code)
    assert (row.status, row.daily_quota, row.valid_from, row.valid_to) == ("suspended", 7, dt.date(2026, 1, 1), None)
    assert sorted(row.systems) == ["SECOND", "SYS"]

    failures = [
        (lambda s: admin.set_agency_status(s, code, "paused"), "status must be one of"),
        (lambda s: admin.set_agency_quota(s, code, -1), "must not be negative"),
        (lambda s: admin.add_system(s, code, "SYS", "again"), f"agency {code} already has a system 'SYS'"),
        (lambda s: admin.set_agency_status(s, "NO-SUCH", "pilot"), "no agency with code 'NO-SUCH'"),
        (lambda s: admin.add_system(s, "NO-SUCH", "X", "X"), "no agency with code 'NO-SUCH'"),
    ]
    for action, message in failures:
        with pytest.raises(AdminError, match=message), transaction(test_db) as session:
            action(session)


# -- grants ---------------------------------------------------------------------------------


def test_add_grant_of_named_operations_and_of_a_whole_service(test_db: PreparedDatabase) -> None:
    code = new_agency(test_db)
    with transaction(test_db) as session:
        added = admin.add_grant(session, code, "civilRegistryActs", ("getBirthAct", "getDeathAct"), "σκοπός", "ΥΑ 1/2026")
    assert added == ["getBirthAct", "getDeathAct"]
    with transaction(test_db) as session:
        added = admin.add_grant(session, code, "civilRegistryActs", (), "σκοπός", "ΥΑ 2/2026")
    assert added == [op for op in CATALOGUE["civilRegistryActs"] if op not in ("getBirthAct", "getDeathAct")]
    with transaction(test_db) as session:
        assert admin.add_grant(session, code, "civilRegistryActs", ("getBirthAct",), "σκοπός", "ΥΑ 3/2026") == []
    with Session(test_db.engine) as session:
        grants = admin.list_grants(session, code)
    assert {(g.agency, g.service, g.operation) for g in grants} == {
        (code, "civilRegistryActs", op) for op in CATALOGUE["civilRegistryActs"]
    }
    acts = {g.operation: g.legal_act for g in grants}
    assert acts["getBirthAct"] == "ΥΑ 1/2026" and acts["searchActs"] == "ΥΑ 2/2026"
    assert {g.purpose for g in grants} == {"σκοπός"}


@pytest.mark.parametrize("legal_act", ["", "   "])
def test_add_grant_needs_a_legal_act(test_db: PreparedDatabase, legal_act: str) -> None:
    code = new_agency(test_db)
    with pytest.raises(AdminError, match="needs the legal act"), transaction(test_db) as session:
        admin.add_grant(session, code, "registryParameters", (), "σκοπός", legal_act)
    with Session(test_db.engine) as session:
        assert admin.list_grants(session, code) == []


@pytest.mark.parametrize(
    ("service", "operations", "message"),
    [
        ("noSuchService", (), "unknown service 'noSuchService'; known: civilRegistryActs, civilStatusCertificates"),
        ("noSuchService", ("getBirthAct",), "unknown service 'noSuchService'"),
        ("civilRegistryActs", ("getBirthAct", "getPassport"),
         "unknown operation 'getPassport' of civilRegistryActs; known: getBirthAct"),
        ("registryParameters", ("getBirthAct",), "unknown operation 'getBirthAct' of registryParameters"),
    ],
)
def test_add_grant_rejects_unknown_service_or_operation(
    test_db: PreparedDatabase, service: str, operations: tuple[str, ...], message: str
) -> None:
    code = new_agency(test_db)
    with pytest.raises(AdminError, match=message), transaction(test_db) as session:
        admin.add_grant(session, code, service, operations, "σκοπός", "ΥΑ 1/2026")
    with Session(test_db.engine) as session:
        assert admin.list_grants(session, code) == []  # nothing half-granted


def test_grants_of_an_unknown_agency(test_db: PreparedDatabase) -> None:
    with pytest.raises(AdminError, match="no agency with code 'NO-SUCH'"), transaction(test_db) as session:
        admin.add_grant(session, "NO-SUCH", "registryParameters", (), "σκοπός", "ΥΑ 1/2026")
    with pytest.raises(AdminError, match="no agency with code 'NO-SUCH'"), Session(test_db.engine) as session:
        admin.list_grants(session, "NO-SUCH")


def test_revoke_grant(test_db: PreparedDatabase) -> None:
    code = new_agency(test_db)
    with transaction(test_db) as session:
        admin.add_grant(session, code, "registryParameters", (), "σκοπός", "ΥΑ 1/2026")
        admin.add_grant(session, code, "civilStatusCertificates", ("getBirthCertificate",), "σκοπός", "ΥΑ 1/2026")
    with transaction(test_db) as session:
        assert admin.revoke_grant(session, code, "registryParameters", ("getCountries",)) == ["getCountries"]
    with transaction(test_db) as session:
        assert sorted(admin.revoke_grant(session, code, "registryParameters", ())) == sorted(
            op for op in CATALOGUE["registryParameters"] if op != "getCountries"
        )
    with Session(test_db.engine) as session:
        assert [(g.service, g.operation) for g in admin.list_grants(session, code)] == [
            ("civilStatusCertificates", "getBirthCertificate")
        ]
    for service, operations in (
        ("registryParameters", ()),                      # already revoked
        ("registryParameters", ("getCountries",)),
        ("civilStatusCertificates", ("getMaritalStatusCertificate",)),  # never granted
        ("noSuchService", ()),
    ):
        with pytest.raises(AdminError, match=f"agency {code} has no such grant on {service}"), transaction(test_db) as session:
            admin.revoke_grant(session, code, service, operations)
    with pytest.raises(AdminError, match="no agency with code"), transaction(test_db) as session:
        admin.revoke_grant(session, "NO-SUCH", "registryParameters", ())


# -- WS users -------------------------------------------------------------------------------


def test_add_user_is_listed(test_db: PreparedDatabase) -> None:
    username = new_user(test_db, allow_digest=True, roles=("auditor", "x"))
    plain = new_user(test_db, environment="production")
    with Session(test_db.engine) as session:
        rows = {row.username: row for row in admin.list_users(session, "AADE")}
    row = rows[username]
    assert (row.agency, row.system, row.environment, row.locked, row.digest, row.roles) == (
        "AADE", "EISPRAXIS", "test", False, True, "auditor,x",
    )
    assert (rows[plain].environment, rows[plain].digest) == ("production", False)
    assert {row.agency for row in rows.values()} == {"AADE"}
    user = stored_user(test_db, username)
    assert user.password_hash != OLD_PASSWORD and verify_password(user.password_hash, OLD_PASSWORD)
    assert user.digest_secret is not None and OLD_PASSWORD.encode() not in user.digest_secret
    assert CredentialKey(test_db.key_file).decrypt(user.digest_secret) == OLD_PASSWORD
    assert stored_user(test_db, plain).digest_secret is None


def test_add_user_rejects_an_unknown_agency(test_db: PreparedDatabase) -> None:
    with pytest.raises(AdminError, match="no agency with code 'NO-SUCH'"), transaction(test_db) as session:
        admin.add_user(session, CredentialKey(test_db.key_file), username=f"u-{uuid.uuid4().hex}",
                       agency_code="NO-SUCH", system_code="SYS", password=PASSWORD)


def test_add_user_rejects_an_unknown_system_listing_the_known_ones(test_db: PreparedDatabase) -> None:
    with_systems = new_agency(test_db, systems=("ALPHA", "BETA"))
    without = new_agency(test_db, systems=())
    key = CredentialKey(test_db.key_file)
    for code, known in ((with_systems, "ALPHA, BETA"), (without, "none"), ("AADE", "EISPRAXIS")):
        username = f"u-{uuid.uuid4().hex}"
        with pytest.raises(AdminError) as caught, transaction(test_db) as session:
            admin.add_user(session, key, username=username, agency_code=code, system_code="GAMMA", password=PASSWORD)
        assert str(caught.value) == f"agency {code} has no system 'GAMMA' (systems: {known})"
        with Session(test_db.engine) as session:
            assert session.scalar(select(WsUser.id).where(WsUser.username == username)) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short-pw"}, "at least 12 characters"),
        ({"password": " padded-password "}, "must not start or end with whitespace"),
        ({"username": "has space"}, "username must be 1-100 characters without spaces"),
        ({"username": ""}, "username must be 1-100 characters without spaces"),
        ({"username": "u" * 101}, "username must be 1-100 characters without spaces"),
        ({"environment": "staging"}, "environment must be one of test, production"),
    ],
)
def test_add_user_validation(test_db: PreparedDatabase, overrides: dict[str, str], message: str) -> None:
    values = {"username": f"u-{uuid.uuid4().hex}", "agency_code": "AADE", "system_code": "EISPRAXIS", "password": PASSWORD}
    values.update(overrides)
    with pytest.raises(AdminError, match=message), transaction(test_db) as session:
        admin.add_user(session, CredentialKey(test_db.key_file), **values)  # type: ignore[arg-type]


def test_add_user_rejects_a_duplicate_username(test_db: PreparedDatabase) -> None:
    username = new_user(test_db)
    for agency_code, system_code in (("AADE", "EISPRAXIS"), ("EFKA", "ORION")):
        with pytest.raises(AdminError, match=f"WS user '{username}' already exists"), transaction(test_db) as session:
            admin.add_user(session, CredentialKey(test_db.key_file), username=username, agency_code=agency_code,
                           system_code=system_code, password=NEW_PASSWORD)
    assert verify_password(stored_user(test_db, username).password_hash, OLD_PASSWORD)


def test_set_password_keeps_or_changes_digest_capability(test_db: PreparedDatabase) -> None:
    key = CredentialKey(test_db.key_file)
    with_digest = new_user(test_db, allow_digest=True)
    without = new_user(test_db)
    before = stored_user(test_db, with_digest)
    with transaction(test_db) as session:
        admin.set_password(session, key, with_digest, NEW_PASSWORD)
        admin.set_password(session, key, without, NEW_PASSWORD)
    after = stored_user(test_db, with_digest)
    assert after.digest_secret is not None and key.decrypt(after.digest_secret) == NEW_PASSWORD
    assert verify_password(after.password_hash, NEW_PASSWORD) and not verify_password(after.password_hash, OLD_PASSWORD)
    assert after.password_changed_at >= before.password_changed_at
    assert stored_user(test_db, without).digest_secret is None  # not given digest by a password change

    with transaction(test_db) as session:
        admin.set_password(session, key, with_digest, OLD_PASSWORD, allow_digest=False)
        admin.set_password(session, key, without, OLD_PASSWORD, allow_digest=True)
    assert stored_user(test_db, with_digest).digest_secret is None
    granted = stored_user(test_db, without).digest_secret
    assert granted is not None and key.decrypt(granted) == OLD_PASSWORD


def test_set_password_and_lock_validation(test_db: PreparedDatabase) -> None:
    username = new_user(test_db)
    key = CredentialKey(test_db.key_file)
    for action, message in (
        (lambda s: admin.set_password(s, key, username, "too-short"), "at least 12 characters"),
        (lambda s: admin.set_password(s, key, "no-such-user", NEW_PASSWORD), "no WS user 'no-such-user'"),
        (lambda s: admin.set_locked(s, "no-such-user", True), "no WS user 'no-such-user'"),
    ):
        with pytest.raises(AdminError, match=message), transaction(test_db) as session:
            action(session)
    assert verify_password(stored_user(test_db, username).password_hash, OLD_PASSWORD)


# -- the effect on authentication ------------------------------------------------------------


def authenticator(test_db: PreparedDatabase, **options: Any) -> Authenticator:
    return Authenticator(
        make_sessionmaker(test_db.engine),
        environment="test",
        credential_key=CredentialKey(test_db.key_file),
        cache_seconds=60,
        digest_max_age_seconds=300,
        **options,
    )


def text_token(username: str, password: str) -> UsernameToken:
    return UsernameToken(username, password, digest=False)


def digest_token(username: str, password: str, now: dt.datetime) -> UsernameToken:
    nonce, created = os.urandom(16), now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return UsernameToken(username, password_digest(nonce, created, password), digest=True, nonce=nonce, created=created)


def refused(auth: Authenticator, token: UsernameToken) -> MitrooError:
    with pytest.raises(MitrooError) as caught:
        auth.authenticate(token, dt.datetime.now(dt.UTC), IP)
    assert caught.value.code is ErrorCode.MP_AUTHENTICATION_FAILED
    return caught.value


IP = "127.0.0.1"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_authenticate_a_new_user(test_db: PreparedDatabase) -> None:
    username = new_user(test_db, roles=("auditor",))
    auth = authenticator(test_db)
    caller = auth.authenticate(text_token(username, OLD_PASSWORD), now(), IP)
    assert (caller.username, caller.agency_code, caller.system_code, caller.roles) == (
        username, "AADE", "EISPRAXIS", ("auditor",),
    )
    refused(auth, text_token(username, NEW_PASSWORD))
    refused(auth, text_token(f"u-{uuid.uuid4().hex}", OLD_PASSWORD))
    refused(auth, text_token(USERS.locked, PASSWORD))  # the fixture's locked user


def test_a_password_change_takes_effect_at_once_despite_the_cache(test_db: PreparedDatabase) -> None:
    username = new_user(test_db, allow_digest=True)
    auth = authenticator(test_db)
    auth.authenticate(text_token(username, OLD_PASSWORD), now(), IP)
    old_hash = stored_user(test_db, username).password_hash
    assert auth.cache.hit(auth.cache.key(username, old_hash, OLD_PASSWORD))  # the old password is cached
    auth.authenticate(text_token(username, OLD_PASSWORD), now(), IP)

    with transaction(test_db) as session:
        admin.set_password(session, CredentialKey(test_db.key_file), username, NEW_PASSWORD)

    refused(auth, text_token(username, OLD_PASSWORD))
    refused(auth, digest_token(username, OLD_PASSWORD, now()))
    assert auth.authenticate(text_token(username, NEW_PASSWORD), now(), IP).username == username
    assert auth.authenticate(digest_token(username, NEW_PASSWORD, now()), now(), IP).username == username


def test_a_lock_takes_effect_at_once_despite_the_cache(test_db: PreparedDatabase) -> None:
    username = new_user(test_db, allow_digest=True)
    auth = authenticator(test_db)
    auth.authenticate(text_token(username, OLD_PASSWORD), now(), IP)

    with transaction(test_db) as session:
        admin.set_locked(session, username, True)
    with Session(test_db.engine) as session:
        assert next(r for r in admin.list_users(session, "AADE") if r.username == username).locked

    error = refused(auth, text_token(username, OLD_PASSWORD))
    assert "locked" in error.detail
    refused(auth, digest_token(username, OLD_PASSWORD, now()))

    with transaction(test_db) as session:
        admin.set_locked(session, username, False)
    assert auth.authenticate(text_token(username, OLD_PASSWORD), now(), IP).username == username


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"code": ""}, "agency code"),
        ({"code": "X" * 33}, "agency code"),
        ({"code": "lower"}, "agency code"),
        ({"systems": ("S", "S")}, "more than once"),
    ],
)
def test_add_agency_rejects_bad_codes(test_db, kwargs, reason) -> None:  # type: ignore[no-untyped-def]
    values = {"code": "TOKCODE", "name": "Φορέας", "legal_basis": "test", **kwargs}
    with Session(test_db.engine) as session:
        with pytest.raises(admin.AdminError, match=reason):
            admin.add_agency(session, **values)


def test_grant_with_a_repeated_operation_is_granted_once(test_db) -> None:  # type: ignore[no-untyped-def]
    with Session(test_db.engine) as session, session.begin():
        admin.add_agency(session, code=f"TDUP{uuid.uuid4().hex[:6].upper()}", name="n", legal_basis="b")
        session.flush()
        code = session.scalars(select(Agency.code).order_by(Agency.id.desc())).first()
        added = admin.add_grant(session, code, "civilRegistryActs", ("getBirthAct", "getBirthAct"), "p", "a")
    assert added == ["getBirthAct"]


def test_list_users_of_an_unknown_agency_fails(test_db) -> None:  # type: ignore[no-untyped-def]
    with Session(test_db.engine) as session:
        with pytest.raises(admin.AdminError, match="no agency"):
            admin.list_users(session, "NOPE")
