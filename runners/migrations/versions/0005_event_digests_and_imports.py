"""The tamper-evident log (each event's chained digest, computed for the events already stored)
and the record of imported bundles.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from eventsourcing.persistence import StoredEvent

from tasktrail.runners.event_chain import GENESIS, digest_rows
from tasktrail.runners.store_tables import DIGESTS, EVENTS, IMPORTS

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    IMPORTS.create(bind)
    DIGESTS.create(bind)
    previous, after = GENESIS, 0
    while True:
        page = bind.execute(
            sa.select(EVENTS).where(EVENTS.c.id > after).order_by(EVENTS.c.id).limit(_BATCH)
        ).all()
        if not page:
            return
        events = [
            StoredEvent(r.originator_id, r.originator_version, r.topic, bytes(r.state))
            for r in page
        ]
        rows = digest_rows(previous, [r.id for r in page], events)
        bind.execute(DIGESTS.insert(), rows)
        previous, after = rows[-1]["digest"], page[-1].id


def downgrade() -> None:
    DIGESTS.drop(op.get_bind())
    IMPORTS.drop(op.get_bind())
