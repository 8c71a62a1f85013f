"""The demo dataset behind ``scripts/serve``: reference data, the seed-001 agencies, a
synthetic registry with its special electoral rolls, and a few demo WS users (test environment
only, documented in the README and docs/operations.md)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.models import PermitHolder, Person, WsUser
from db.reference_data import load_all
from provider.access import admin
from provider.access.credentials import CredentialKey


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    agency: str
    system: str
    digest: bool = False
    roles: tuple[str, ...] = ()


DEMO_PERSONS = 2000  # the defaults of `mitroo-provider demo` (and so of scripts/serve); a test keeps them equal
DEMO_SEED = 2026

DEMO_USERS = (
    DemoUser("demo-aade-eispraxis", "demo-aade-pass-2026", "AADE", "EISPRAXIS"),
    DemoUser("demo-efka-orion", "demo-efka-pass-2026", "EFKA", "ORION", digest=True),
    DemoUser("demo-edyte", "demo-edyte-pass-2026", "EDYTE", "EDYTE-MAIN"),
    DemoUser("demo-dimos-athinaion", "demo-athens-pass-2026", "DIMOS-4501", "EEK"),  # special electoral rolls
    DemoUser("demo-ypes-ekloges", "demo-ekloges-pass-2026", "YPES-ELECTIONS", "EKLOGES"),
    DemoUser("demo-ypes-portal", "demo-portal-pass-2026", "YPES-PORTAL", "YPES-WEB"),  # the Ministry's site
    DemoUser("demo-auditor", "demo-auditor-pass-2026", "YPES-DPO", "AUDIT", roles=("auditor",)),  # audit service
)


def ensure_demo(engine: Engine, key: CredentialKey, persons: int, seed: int) -> list[DemoUser]:
    """Load what is missing (idempotent) and return the demo users."""
    load_all(engine)
    with Session(engine) as session, session.begin():
        for user in DEMO_USERS:
            if session.scalar(select(WsUser.id).where(WsUser.username == user.username)) is None:
                admin.add_user(
                    session,
                    key,
                    username=user.username,
                    agency_code=user.agency,
                    system_code=user.system,
                    password=user.password,
                    environment="test",
                    allow_digest=user.digest,
                    roles=user.roles,
                )
        has_persons = session.scalar(select(func.count()).select_from(Person))
        has_holders = session.scalar(select(func.count()).select_from(PermitHolder))
    if not has_persons and persons:
        from provider.synthetic.registry import seed_registry

        seed_registry(engine, persons=persons, seed=seed)
    if not has_holders and persons:
        from provider.synthetic.rolls import PERSONS_PER_HOLDER, seed_rolls

        seed_rolls(engine, holders=persons // PERSONS_PER_HOLDER, seed=seed)
    return list(DEMO_USERS)
