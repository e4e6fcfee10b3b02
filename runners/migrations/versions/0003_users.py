"""The HTTP API's users and tokens (tasktrail's own ``tt_*`` tables).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

from tasktrail.runners.users import TOKENS, USERS

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in (USERS, TOKENS):
        table.create(op.get_bind())


def downgrade() -> None:
    for table in (TOKENS, USERS):
        table.drop(op.get_bind())
