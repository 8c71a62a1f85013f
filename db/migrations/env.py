"""Alembic environment: the URL comes from the Config (see db.migrate) or MITROO_DATABASE_URL."""
from __future__ import annotations

import os

from alembic import context

from db.engine import make_engine
from db.models import Base

config = context.config


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    url = os.environ.get("MITROO_DATABASE_URL", "")  # only when alembic is run by hand
    if not url:
        raise SystemExit("no database URL: run `mitroo-provider migrate`, or set MITROO_DATABASE_URL")
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
