"""Alembic, driven from code: ``upgrade(url)`` and the revision checks used by the CLI."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def not_at_head(engine: Engine) -> str | None:
    """Why the code cannot run on this database (unreachable, or not migrated to the head), in one
    line naming no URL or driver message; None when it can."""
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        return f"the database is unreachable ({type(exc).__name__})"
    if revision != head_revision():
        return f"the database is at migration {revision or 'none'}, not {head_revision()}: run `mitroo-provider db upgrade`"
    return None
