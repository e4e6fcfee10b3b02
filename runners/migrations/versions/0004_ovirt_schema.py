"""The read model becomes oVirt's schema: oVirt's ten tables exactly, tasktrail's own as ``tt_*``.

The read model is rebuilt from the events, so this drops the tables of revision 0001 and
creates the new ones as ``projections/tables.py`` defines them, then sets the read model's
position back to 0: the next catch-up (at start, or ``projections rebuild``) rebuilds it. On
PostgreSQL it also makes oVirt's ``audit_log_seq`` and its default on ``audit_log_id``, for
oVirt's own ``InsertAuditLog`` (tasktrail writes the event's position there).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

from tasktrail.projections.tables import LIVE

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OLD = (
    "async_tasks",
    "audit_log",
    "business_entity_snapshot",
    "command_entities",
    "engine_locks",
    "event_entity",
    "event_index",
    "images",
    "job",
    "step",
    "storage_pool",
    "vm_static",
)
"""Revision 0001's read-model tables (their tracking table stays)."""


def upgrade() -> None:
    bind = op.get_bind()
    for name in _OLD:
        op.drop_table(name)
    LIVE.metadata.create_all(bind, tables=LIVE.views)
    if bind.dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE audit_log_seq START WITH 1 INCREMENT BY 1 CACHE 1")
        op.execute(
            "ALTER TABLE audit_log ALTER COLUMN audit_log_id "
            "SET DEFAULT nextval('audit_log_seq'::regclass)"
        )
    op.execute(sa.text("UPDATE projection_tracking SET position = 0"))


def downgrade() -> None:
    """Back to revision 0001's tables, empty, with the read model to be rebuilt."""
    bind = op.get_bind()
    LIVE.metadata.drop_all(bind, tables=LIVE.views)
    if bind.dialect.name == "postgresql":
        op.execute("DROP SEQUENCE audit_log_seq")
    op.drop_table("projection_tracking")
    _revision_0001().upgrade()


def _revision_0001() -> ModuleType:
    path = Path(__file__).with_name("0001_read_model_tables.py")
    spec = importlib.util.spec_from_file_location("revision_0001", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
