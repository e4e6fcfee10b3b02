"""The read model's tables, named and shaped as oVirt's where oVirt has them.

``define_tables`` is called once for the live tables and again with a prefix for the shadow
tables that ``verify`` rebuilds and compares against them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

_ID = sa.Uuid
_TIME = sa.DateTime(timezone=True)


@dataclass(frozen=True)
class Tables:
    metadata: sa.MetaData
    job: sa.Table
    step: sa.Table
    command_entities: sa.Table
    async_tasks: sa.Table
    business_entity_snapshot: sa.Table
    vm_static: sa.Table
    images: sa.Table
    storage_pool: sa.Table
    engine_locks: sa.Table
    audit_log: sa.Table
    event_index: sa.Table
    event_entity: sa.Table

    @property
    def views(self) -> list[sa.Table]:
        """Every projected table, in the order they are compared and rebuilt."""
        return [t for t in self.metadata.sorted_tables if t.name != self.metadata.info["tracking"]]


def define_tables(prefix: str = "") -> Tables:
    md = sa.MetaData(info={"tracking": f"{prefix}projection_tracking", "prefix": prefix})

    def table(name: str, *columns: sa.schema.SchemaItem) -> sa.Table:
        return sa.Table(f"{prefix}{name}", md, *columns)

    sa.Table(
        f"{prefix}projection_tracking",
        md,
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    return Tables(
        metadata=md,
        job=table(
            "job",
            sa.Column("job_id", _ID, primary_key=True),
            sa.Column("action_type", sa.String(64), nullable=False),
            sa.Column("description", sa.Text, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("owner_id", sa.String(128), nullable=False),
            sa.Column("correlation_id", sa.String(128), nullable=False),
            sa.Column("start_time", _TIME, nullable=False),
            sa.Column("end_time", _TIME),
            sa.Column("last_update_time", _TIME, nullable=False),
            sa.Column("is_external", sa.Boolean, nullable=False),
            sa.Column("is_auto_cleared", sa.Boolean, nullable=False),
            sa.Column("failed_step_id", _ID),
            sa.Column("reason", sa.Text),
            sa.Index(f"{prefix}ix_job_status", "status", "start_time"),
        ),
        step=table(
            "step",
            sa.Column("step_id", _ID, primary_key=True),
            sa.Column("parent_step_id", _ID),
            sa.Column("job_id", _ID, nullable=False, index=True),
            sa.Column("step_type", sa.String(32), nullable=False),
            sa.Column("description", sa.Text, nullable=False),
            sa.Column("step_number", sa.Integer, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("start_time", _TIME, nullable=False),
            sa.Column("end_time", _TIME),
            sa.Column("correlation_id", sa.String(128), nullable=False),
            sa.Column("external_id", sa.String(64)),
            sa.Column("external_system_type", sa.String(16)),
            sa.Column("is_external", sa.Boolean, nullable=False),
            sa.Column("reason", sa.Text),
        ),
        command_entities=table(
            "command_entities",
            sa.Column("command_id", _ID, primary_key=True),
            sa.Column("command_type", sa.String(64), nullable=False),
            sa.Column("root_command_id", _ID, nullable=False, index=True),
            sa.Column("parent_command_id", _ID, index=True),
            sa.Column("command_parameters", sa.Text, nullable=False),
            sa.Column("created_at", _TIME, nullable=False),
            sa.Column("status", sa.String(24), nullable=False, index=True),
            sa.Column("callback_enabled", sa.Boolean, nullable=False),
            sa.Column("executed", sa.Boolean, nullable=False),
            sa.Column("user_id", sa.String(128), nullable=False),
            sa.Column("correlation_id", sa.String(128), nullable=False),
            sa.Column("job_id", _ID, index=True),
            sa.Column("step_id", _ID),
            sa.Column("return_value", sa.Text),
            sa.Column("ended_at", _TIME),
        ),
        async_tasks=table(
            "async_tasks",
            sa.Column("task_id", _ID, primary_key=True),
            sa.Column("action_type", sa.String(64), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("result", sa.String(16), nullable=False),
            sa.Column("task_state", sa.String(24), nullable=False),
            sa.Column("step_id", _ID),
            sa.Column("command_id", _ID, nullable=False, index=True),
            sa.Column("root_command_id", _ID, nullable=False),
            sa.Column("started_at", _TIME, nullable=False),
            sa.Column("last_update", _TIME, nullable=False),
            sa.Column("storage_pool_id", _ID, nullable=False),
            sa.Column("task_type", sa.String(32), nullable=False),
            sa.Column("vdsm_task_id", sa.String(64), nullable=False),
            sa.Column("entity_id", _ID),
            sa.Column("user_id", sa.String(128), nullable=False),
            sa.Column("error", sa.Text),
        ),
        business_entity_snapshot=table(
            "business_entity_snapshot",
            sa.Column("command_id", _ID, primary_key=True),
            sa.Column("insertion_order", sa.Integer, primary_key=True),
            sa.Column("entity_id", _ID, nullable=False),
            sa.Column("entity_type", sa.String(32), nullable=False),
            sa.Column("entity_snapshot", sa.Text, nullable=False),
            sa.Column("snapshot_type", sa.String(32), nullable=False),
            sa.Column("started_at", _TIME, nullable=False),
        ),
        vm_static=table(
            "vm_static",
            sa.Column("vm_guid", _ID, primary_key=True),
            sa.Column("vm_name", sa.String(64), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("origin", sa.String(16), nullable=False),
            sa.Column("storage_pool_id", _ID, nullable=False),
            sa.Column("vm_pool_id", _ID),
            sa.Column("snapshot_in_progress", sa.Boolean, nullable=False),
            sa.Column("backup_in_progress", sa.Boolean, nullable=False),
            sa.Column("creation_date", _TIME, nullable=False),
            sa.Column("last_update", _TIME, nullable=False),
        ),
        images=table(
            "images",
            sa.Column("image_guid", _ID, primary_key=True),
            sa.Column("disk_alias", sa.String(128), nullable=False),
            sa.Column("vm_guid", _ID, index=True),
            sa.Column("storage_pool_id", _ID, nullable=False),
            sa.Column("size_gb", sa.Integer, nullable=False),
            sa.Column("imagestatus", sa.String(16), nullable=False),
            sa.Column("last_update", _TIME, nullable=False),
        ),
        storage_pool=table(
            "storage_pool",
            sa.Column("id", _ID, primary_key=True),
            sa.Column("name", sa.String(40), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
        ),
        engine_locks=table(
            "engine_locks",
            sa.Column("lock_id", _ID, primary_key=True),
            sa.Column("command_id", _ID, primary_key=True),
            sa.Column("lock_group", sa.String(32), nullable=False),
            sa.Column("entity_id", _ID, nullable=False, index=True),
            sa.Column("exclusive", sa.Boolean, nullable=False),
            sa.Column("since", _TIME, nullable=False),
            sa.Column("message", sa.Text, nullable=False),
        ),
        audit_log=table(
            "audit_log",
            sa.Column("audit_log_id", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("log_time", _TIME, nullable=False, index=True),
            sa.Column("log_type", sa.String(64), nullable=False),
            sa.Column("severity", sa.String(16), nullable=False),
            sa.Column("message", sa.Text, nullable=False),
            sa.Column("user_name", sa.String(128), nullable=False),
            sa.Column("correlation_id", sa.String(128), nullable=False),
            sa.Column("entity_id", _ID, index=True),
            sa.Column("command_id", _ID),
        ),
        event_index=table(
            "event_index",
            sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("aggregate_type", sa.String(32), nullable=False),
            sa.Column("aggregate_id", _ID, nullable=False, index=True),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("event_type", sa.String(64), nullable=False),
            sa.Column("trigger", sa.String(64), nullable=False),
            sa.Column("from_state", sa.String(32)),
            sa.Column("to_state", sa.String(32), nullable=False),
            sa.Column("timestamp", _TIME, nullable=False, index=True),
            sa.Column("user_id", sa.String(128), nullable=False, index=True),
            sa.Column("correlation_id", sa.String(128), nullable=False, index=True),
            sa.Column("causation_id", _ID, index=True),
            sa.Index(f"{prefix}ix_event_index_type_time", "event_type", "timestamp"),
            sa.Index(f"{prefix}ix_event_index_state_time", "to_state", "timestamp"),
        ),
        event_entity=table(
            "event_entity",
            sa.Column("entity_id", _ID, primary_key=True),
            sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        ),
    )


LIVE = define_tables()
SHADOW = define_tables("shadow_")
