"""Data layer: SQLAlchemy 2 typed models, engine setup, Alembic migrations, reference data
and the synthetic registry generator. Nothing here imports spyne or the provider."""
