"""The simulated SPM keeps the id of every task it accepted, also once the task is cleared.

A storage task's id is given once: a late submission of a cleared task (an engine that acted
on a stale view) must find it, not start the deletion again. Databases made by revision 0002
before this column existed get it here; new ones have it from the table's definition.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("spm_tasks")}
    if "cleared" not in columns:
        op.add_column(
            "spm_tasks",
            sa.Column("cleared", sa.Boolean, nullable=False, server_default=sa.false()),
        )


def downgrade() -> None:
    op.execute("delete from spm_tasks where cleared")
    with op.batch_alter_table("spm_tasks") as batch:
        batch.drop_column("cleared")
