"""Persistence only: SQLAlchemy 2 typed models, engine setup, Alembic migrations, audit partitions and
the reference-data loader. Nothing here imports provider or audit (docs/design.md §3 Layout), but for
migrations/env.py reading the settings when Alembic is run by hand."""
