"""The read model tables: job, step, command_entities, async_tasks, … and the event index.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "async_tasks",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("action_type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("task_state", sa.String(length=24), nullable=False),
        sa.Column("step_id", sa.Uuid(), nullable=True),
        sa.Column("command_id", sa.Uuid(), nullable=False),
        sa.Column("root_command_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_update", sa.DateTime(timezone=True), nullable=False),
        sa.Column("storage_pool_id", sa.Uuid(), nullable=False),
        sa.Column("task_type", sa.String(length=32), nullable=False),
        sa.Column("vdsm_task_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("task_id"),
    )
    op.create_index(op.f("ix_async_tasks_command_id"), "async_tasks", ["command_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("audit_log_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("log_type", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("user_name", sa.String(length=128), nullable=False),
        sa.Column("correlation_id", sa.String(length=128), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("command_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("audit_log_id"),
    )
    op.create_index(op.f("ix_audit_log_entity_id"), "audit_log", ["entity_id"], unique=False)
    op.create_index(op.f("ix_audit_log_log_time"), "audit_log", ["log_time"], unique=False)
    op.create_table(
        "business_entity_snapshot",
        sa.Column("command_id", sa.Uuid(), nullable=False),
        sa.Column("insertion_order", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_snapshot", sa.Text(), nullable=False),
        sa.Column("snapshot_type", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("command_id", "insertion_order"),
    )
    op.create_table(
        "command_entities",
        sa.Column("command_id", sa.Uuid(), nullable=False),
        sa.Column("command_type", sa.String(length=64), nullable=False),
        sa.Column("root_command_id", sa.Uuid(), nullable=False),
        sa.Column("parent_command_id", sa.Uuid(), nullable=True),
        sa.Column("command_parameters", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("callback_enabled", sa.Boolean(), nullable=False),
        sa.Column("executed", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("correlation_id", sa.String(length=128), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("step_id", sa.Uuid(), nullable=True),
        sa.Column("return_value", sa.Text(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("command_id"),
    )
    op.create_index(
        op.f("ix_command_entities_job_id"), "command_entities", ["job_id"], unique=False
    )
    op.create_index(
        op.f("ix_command_entities_parent_command_id"),
        "command_entities",
        ["parent_command_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_command_entities_root_command_id"),
        "command_entities",
        ["root_command_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_command_entities_status"), "command_entities", ["status"], unique=False
    )
    op.create_table(
        "engine_locks",
        sa.Column("lock_id", sa.Uuid(), nullable=False),
        sa.Column("command_id", sa.Uuid(), nullable=False),
        sa.Column("lock_group", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("lock_id", "command_id"),
    )
    op.create_index(op.f("ix_engine_locks_entity_id"), "engine_locks", ["entity_id"], unique=False)
    op.create_table(
        "event_entity",
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "position"),
    )
    op.create_table(
        "event_index",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("aggregate_type", sa.String(length=32), nullable=False),
        sa.Column("aggregate_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("correlation_id", sa.String(length=128), nullable=False),
        sa.Column("causation_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_index(
        op.f("ix_event_index_aggregate_id"), "event_index", ["aggregate_id"], unique=False
    )
    op.create_index(
        op.f("ix_event_index_causation_id"), "event_index", ["causation_id"], unique=False
    )
    op.create_index(
        op.f("ix_event_index_correlation_id"), "event_index", ["correlation_id"], unique=False
    )
    op.create_index(
        "ix_event_index_state_time", "event_index", ["to_state", "timestamp"], unique=False
    )
    op.create_index(op.f("ix_event_index_timestamp"), "event_index", ["timestamp"], unique=False)
    op.create_index(
        "ix_event_index_type_time", "event_index", ["event_type", "timestamp"], unique=False
    )
    op.create_index(op.f("ix_event_index_user_id"), "event_index", ["user_id"], unique=False)
    op.create_table(
        "images",
        sa.Column("image_guid", sa.Uuid(), nullable=False),
        sa.Column("disk_alias", sa.String(length=128), nullable=False),
        sa.Column("vm_guid", sa.Uuid(), nullable=True),
        sa.Column("storage_pool_id", sa.Uuid(), nullable=False),
        sa.Column("size_gb", sa.Integer(), nullable=False),
        sa.Column("imagestatus", sa.String(length=16), nullable=False),
        sa.Column("last_update", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("image_guid"),
    )
    op.create_index(op.f("ix_images_vm_guid"), "images", ["vm_guid"], unique=False)
    op.create_table(
        "job",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("action_type", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("correlation_id", sa.String(length=128), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_update_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_external", sa.Boolean(), nullable=False),
        sa.Column("is_auto_cleared", sa.Boolean(), nullable=False),
        sa.Column("failed_step_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index("ix_job_status", "job", ["status", "start_time"], unique=False)
    op.create_table(
        "projection_tracking",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "step",
        sa.Column("step_id", sa.Uuid(), nullable=False),
        sa.Column("parent_step_id", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("step_type", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("correlation_id", sa.String(length=128), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("external_system_type", sa.String(length=16), nullable=True),
        sa.Column("is_external", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("step_id"),
    )
    op.create_index(op.f("ix_step_job_id"), "step", ["job_id"], unique=False)
    op.create_table(
        "storage_pool",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "vm_static",
        sa.Column("vm_guid", sa.Uuid(), nullable=False),
        sa.Column("vm_name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("storage_pool_id", sa.Uuid(), nullable=False),
        sa.Column("vm_pool_id", sa.Uuid(), nullable=True),
        sa.Column("snapshot_in_progress", sa.Boolean(), nullable=False),
        sa.Column("backup_in_progress", sa.Boolean(), nullable=False),
        sa.Column("creation_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_update", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("vm_guid"),
    )


def downgrade() -> None:
    op.drop_table("vm_static")
    op.drop_table("storage_pool")
    op.drop_index(op.f("ix_step_job_id"), table_name="step")
    op.drop_table("step")
    op.drop_table("projection_tracking")
    op.drop_index("ix_job_status", table_name="job")
    op.drop_table("job")
    op.drop_index(op.f("ix_images_vm_guid"), table_name="images")
    op.drop_table("images")
    op.drop_index(op.f("ix_event_index_user_id"), table_name="event_index")
    op.drop_index("ix_event_index_type_time", table_name="event_index")
    op.drop_index(op.f("ix_event_index_timestamp"), table_name="event_index")
    op.drop_index("ix_event_index_state_time", table_name="event_index")
    op.drop_index(op.f("ix_event_index_correlation_id"), table_name="event_index")
    op.drop_index(op.f("ix_event_index_causation_id"), table_name="event_index")
    op.drop_index(op.f("ix_event_index_aggregate_id"), table_name="event_index")
    op.drop_table("event_index")
    op.drop_table("event_entity")
    op.drop_index(op.f("ix_engine_locks_entity_id"), table_name="engine_locks")
    op.drop_table("engine_locks")
    op.drop_index(op.f("ix_command_entities_status"), table_name="command_entities")
    op.drop_index(op.f("ix_command_entities_root_command_id"), table_name="command_entities")
    op.drop_index(op.f("ix_command_entities_parent_command_id"), table_name="command_entities")
    op.drop_index(op.f("ix_command_entities_job_id"), table_name="command_entities")
    op.drop_table("command_entities")
    op.drop_table("business_entity_snapshot")
    op.drop_index(op.f("ix_audit_log_log_time"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_entity_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_async_tasks_command_id"), table_name="async_tasks")
    op.drop_table("async_tasks")
