"""The event store's and the simulated storage's tables, as the schema's revisions make them.

The event and snapshot tables have exactly the shape eventsourcing-sqlalchemy's record classes
expect (it is told not to create them); Alembic makes them like every other table.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy_utils.types.uuid import UUIDType

METADATA = sa.MetaData()

_NUMBER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

EVENTS = sa.Table(
    "tasktrail_events",
    METADATA,
    sa.Column("id", _NUMBER, primary_key=True, autoincrement=True),
    sa.Column("originator_id", UUIDType(), nullable=False),
    sa.Column("originator_version", _NUMBER, nullable=False),
    sa.Column("topic", sa.Text(), nullable=False),
    sa.Column("state", sa.LargeBinary(), nullable=False),
    sa.Index("tasktrail_events_aggregate_idx", "originator_id", "originator_version", unique=True),
)

DIGESTS = sa.Table(
    "tasktrail_event_digests",
    METADATA,
    sa.Column("position", _NUMBER, primary_key=True, autoincrement=False),
    sa.Column("digest", sa.String(64), nullable=False),
)
"""Each stored event's chained digest, by log position (``runners.event_chain``)."""

IMPORTS = sa.Table(
    "tasktrail_imports",
    METADATA,
    sa.Column("job_id", sa.Uuid, primary_key=True),
    sa.Column("digest", sa.String(80), nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resume", sa.Boolean, nullable=False),
)
"""Bundles imported into this database; one not resumed makes it an archive (no engine runs)."""

SNAPSHOTS = sa.Table(
    "tasktrail_snapshots",
    METADATA,
    sa.Column("originator_id", UUIDType(), primary_key=True),
    sa.Column("originator_version", _NUMBER, primary_key=True),
    sa.Column("topic", sa.Text(), nullable=False),
    sa.Column("state", sa.LargeBinary(), nullable=False),
)

SPM_TASKS = sa.Table(
    "spm_tasks",
    METADATA,
    sa.Column("task_id", sa.String(64), primary_key=True),
    sa.Column("storage_pool_id", sa.Uuid, nullable=False, index=True),
    sa.Column("entity_id", sa.Uuid, nullable=False),
    sa.Column("task_type", sa.String(32), nullable=False),
    sa.Column("finishes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("result", sa.String(16), nullable=False),
    sa.Column("message", sa.String(200), nullable=False),
    sa.Column("hidden_polls", sa.Integer, nullable=False),
    sa.Column("clear_failures", sa.Integer, nullable=False),
    sa.Column("stopped", sa.Boolean, nullable=False),
    sa.Column("cleared", sa.Boolean, nullable=False, server_default=sa.false()),
)

SPM_FAULTS = sa.Table(
    "spm_faults",
    METADATA,
    sa.Column("entity_id", sa.Uuid, primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
)
