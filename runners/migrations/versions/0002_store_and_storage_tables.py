"""The event store's tables and the simulated storage's, made here instead of at start-up.

Revision ID: 0002
Revises: 0001

Databases made by version 0.1 already have the event store's tables (the library created
them) and the simulated storage's (its constructor did); those are kept. The engine
checkpoint of version 0.1 is gone: engines read what is in flight from the read model.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tasktrail.runners.store_tables import EVENTS, SNAPSHOTS, SPM_FAULTS, SPM_TASKS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    for table in (EVENTS, SNAPSHOTS, SPM_TASKS, SPM_FAULTS):
        if table.name not in existing:
            table.create(bind)
    if "engine_checkpoint" in existing:
        op.drop_table("engine_checkpoint")


def downgrade() -> None:
    for table in (SPM_FAULTS, SPM_TASKS, SNAPSHOTS, EVENTS):
        table.drop(op.get_bind(), checkfirst=True)
