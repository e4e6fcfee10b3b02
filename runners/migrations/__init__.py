"""Alembic migrations of the read model's tables; see ``projections.schema``."""
