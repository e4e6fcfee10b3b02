"""The read model's tables: oVirt's own, exactly as its schema has them, and tasktrail's ``tt_*``.

oVirt's ten tables (``job``, ``step``, their subject entities, ``command_entities``,
``command_assoc_entities``, ``async_tasks``, ``async_tasks_entities``,
``business_entity_snapshot`` and ``audit_log``) have oVirt's columns in oVirt's order, its
types, nullability, defaults, keys, foreign keys and index names (``create_tables.sql`` and the
upgrade scripts up to 4.5, see ``docs/ovirt-compatibility.md``), so oVirt's stored functions
and an operator's SQL run on them unchanged. What tasktrail knows beyond oVirt lives in tables
of its own (``projections/tt_tables.py``), never in extra columns here.

``define_tables`` is called once for the live tables and again with a prefix for the private
shadow tables that ``rebuild`` and ``verify`` build beside them; every name that PostgreSQL
keeps per schema (tables, indexes, constraints) takes the prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tasktrail.projections.column_types import TIME, Uuid
from tasktrail.projections.tt_tables import TasktrailTables, define_tasktrail_tables

Named = Callable[[str], str]
"""Adds the shadow prefix to a name."""


@dataclass(frozen=True)
class OvirtTables:
    job: sa.Table
    step: sa.Table
    job_subject_entity: sa.Table
    step_subject_entity: sa.Table
    command_entities: sa.Table
    command_assoc_entities: sa.Table
    async_tasks: sa.Table
    async_tasks_entities: sa.Table
    business_entity_snapshot: sa.Table
    audit_log: sa.Table


@dataclass(frozen=True)
class Tables(OvirtTables, TasktrailTables):
    metadata: sa.MetaData

    @property
    def views(self) -> list[sa.Table]:
        """Every projected table, parents before the rows that refer to them."""
        return [t for t in self.metadata.sorted_tables if t.name != self.metadata.info["tracking"]]

    def named(self, name: str) -> sa.Table:
        """A table by its name without the shadow prefix (the name projectors use)."""
        return self.metadata.tables[f"{self.metadata.info['prefix']}{name}"]

    def short_name(self, table: sa.Table) -> str:
        return table.name.removeprefix(self.metadata.info["prefix"])


def key_columns(table: sa.Table) -> list[sa.Column[Any]]:
    """The columns that tell a table's rows apart: its primary key, or, for
    ``async_tasks_entities`` (which has none in oVirt), the pair its insert function keeps
    unique."""
    if table.primary_key.columns:
        return list(table.primary_key.columns)
    return [table.c[name] for name in table.info["key"]]


def _false() -> sa.TextClause:
    return sa.text("false")


def _true() -> sa.TextClause:
    return sa.text("true")


def _name_column(name: str, width: int) -> sa.Column[str]:
    """audit_log's search-engine name columns: NOT NULL DEFAULT '' (upgrade 04_03_0180)."""
    return sa.Column(name, sa.String(width), nullable=False, server_default=sa.text("''"))


def _jobs(md: sa.MetaData, n: Named) -> dict[str, sa.Table]:
    job = sa.Table(
        n("job"),
        md,
        sa.Column("job_id", Uuid, nullable=False),
        sa.Column("action_type", sa.String(50), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("owner_id", Uuid),
        sa.Column("visible", sa.Boolean, nullable=False, server_default=_true()),
        sa.Column("start_time", TIME, nullable=False),
        sa.Column("end_time", TIME),
        sa.Column("last_update_time", TIME),
        sa.Column("correlation_id", sa.String(50), nullable=False),
        sa.Column("is_external", sa.Boolean, server_default=_false()),
        sa.Column("is_auto_cleared", sa.Boolean, server_default=_true()),
        sa.Column("engine_session_seq_id", sa.BigInteger),
        sa.PrimaryKeyConstraint("job_id", name=n("pk_jobs")),
        sa.Index(n("idx_job_engine_session_seq_id"), "engine_session_seq_id"),
        sa.Index(n("idx_job_start_time"), "start_time"),
    )
    step = sa.Table(
        n("step"),
        md,
        sa.Column("step_id", Uuid, nullable=False),
        sa.Column("parent_step_id", Uuid),
        sa.Column("job_id", Uuid, nullable=False),
        sa.Column("step_type", sa.String(32), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("step_number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("start_time", TIME, nullable=False),
        sa.Column("end_time", TIME),
        sa.Column("correlation_id", sa.String(50), nullable=False),
        sa.Column("external_id", Uuid),
        sa.Column("external_system_type", sa.String(32)),
        sa.Column("is_external", sa.Boolean, server_default=_false()),
        sa.Column("progress", sa.SmallInteger),
        sa.PrimaryKeyConstraint("step_id", name=n("pk_steps")),
        _cascade("job_id", n("job.job_id"), n("fk_step_job")),
        sa.Index(n("idx_step_external_id"), "external_id"),
        sa.Index(n("idx_step_job_id"), "job_id"),
        sa.Index(n("idx_step_parent_step_id"), "parent_step_id"),
    )
    return {"job": job, "step": step, **_subjects(md, n)}


def _subjects(md: sa.MetaData, n: Named) -> dict[str, sa.Table]:
    job_subject = sa.Table(
        n("job_subject_entity"),
        md,
        sa.Column("job_id", Uuid, nullable=False),
        sa.Column("entity_id", Uuid, nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "entity_id", name=n("pk_jobs_subject_entity")),
        _cascade("job_id", n("job.job_id"), n("fk_job_subject_entity_job")),
        sa.Index(n("idx_job_subject_entity_entity_id"), "entity_id"),
        sa.Index(n("idx_job_subject_entity_job_id"), "job_id"),
    )
    step_subject = sa.Table(
        n("step_subject_entity"),
        md,
        sa.Column("step_id", Uuid, nullable=False),
        sa.Column("entity_id", Uuid, nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("step_entity_weight", sa.SmallInteger),
        sa.PrimaryKeyConstraint(
            "step_id", "entity_id", "entity_type", name=n("step_subject_entity_pkey")
        ),
        _cascade("step_id", n("step.step_id"), n("step_subject_entity_step_id_fkey")),
        sa.Index(n("idx_step_subject_entity_step"), "step_id"),
    )
    return {"job_subject_entity": job_subject, "step_subject_entity": step_subject}


def _commands(md: sa.MetaData, n: Named) -> dict[str, sa.Table]:
    commands = sa.Table(
        n("command_entities"),
        md,
        sa.Column("command_id", Uuid, nullable=False),
        sa.Column("command_type", sa.Integer, nullable=False),
        sa.Column("root_command_id", Uuid),
        sa.Column("command_parameters", sa.Text),
        sa.Column("command_params_class", sa.String(256)),
        sa.Column("created_at", TIME),
        sa.Column("status", sa.String(20), server_default=sa.text("NULL")),
        sa.Column("callback_enabled", sa.Boolean, server_default=_false()),
        sa.Column("callback_notified", sa.Boolean, server_default=_false()),
        sa.Column("return_value", sa.Text),
        sa.Column("return_value_class", sa.String(256)),
        sa.Column("executed", sa.Boolean, server_default=_false()),
        sa.Column("user_id", Uuid),
        sa.Column("parent_command_id", Uuid),
        sa.Column("data", sa.Text),
        sa.Column("engine_session_seq_id", sa.BigInteger),
        sa.Column("command_context", sa.Text),
        sa.PrimaryKeyConstraint("command_id", name=n("pk_command_entities")),
    )
    root = commands.c.root_command_id
    sa.Index(
        n("idx_root_command_id"),
        root,
        postgresql_where=root.is_not(None),
        sqlite_where=root.is_not(None),
    )
    associated = sa.Table(
        n("command_assoc_entities"),
        md,
        sa.Column("command_id", Uuid, nullable=False),
        sa.Column("entity_id", Uuid, nullable=False),
        sa.Column("entity_type", sa.String(128)),
        sa.PrimaryKeyConstraint("command_id", "entity_id", name=n("command_assoc_entities_pkey")),
        _cascade("command_id", n("command_entities.command_id"), n("fk_coco_command_assoc_entity")),
        sa.Index(n("idx_command_assoc_entities_command_id"), "command_id"),
    )
    return {"command_entities": commands, "command_assoc_entities": associated}


def _tasks(md: sa.MetaData, n: Named) -> dict[str, sa.Table]:
    tasks = sa.Table(
        n("async_tasks"),
        md,
        sa.Column("task_id", Uuid, nullable=False),
        sa.Column("action_type", sa.Integer, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("result", sa.Integer, nullable=False),
        sa.Column("step_id", Uuid),
        sa.Column("command_id", Uuid, nullable=False),
        sa.Column("started_at", TIME),
        sa.Column("storage_pool_id", Uuid),
        sa.Column("task_type", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("vdsm_task_id", Uuid),
        sa.Column("root_command_id", Uuid),
        sa.Column("user_id", Uuid),
        sa.PrimaryKeyConstraint("task_id", name=n("pk_async_tasks")),
        sa.Index(n("idx_vdsm_task_id"), "vdsm_task_id"),
    )
    entities = sa.Table(
        n("async_tasks_entities"),
        md,
        sa.Column("async_task_id", Uuid, nullable=False),
        sa.Column("entity_id", Uuid, nullable=False),
        sa.Column("entity_type", sa.String(128)),
        _cascade("async_task_id", n("async_tasks.task_id"), n("fk_async_task_entity")),
        sa.Index(n("idx_async_tasks_entities_async_task_id"), "async_task_id"),
        info={"key": ("async_task_id", "entity_id")},
    )
    return {"async_tasks": tasks, "async_tasks_entities": entities}


def _snapshots(md: sa.MetaData, n: Named) -> dict[str, sa.Table]:
    snapshots = sa.Table(
        n("business_entity_snapshot"),
        md,
        sa.Column("id", Uuid, nullable=False),
        sa.Column("command_id", Uuid, nullable=False),
        sa.Column("command_type", sa.String(256), nullable=False),
        sa.Column("entity_id", sa.String(128)),
        sa.Column("entity_type", sa.String(128)),
        sa.Column("entity_snapshot", sa.Text),
        sa.Column("snapshot_class", sa.String(128)),
        sa.Column("snapshot_type", sa.Integer),
        sa.Column("insertion_order", sa.Integer),
        sa.Column("started_at", TIME, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name=n("pk_id")),
        sa.UniqueConstraint(
            "command_id",
            "entity_id",
            "entity_type",
            "snapshot_type",
            name=n("uq_command_id_entity_id"),
        ),
        sa.Index(n("idx_business_entity_snapshot_command_id"), "command_id"),
    )
    return {"business_entity_snapshot": snapshots}


def _audit_log(md: sa.MetaData, n: Named) -> dict[str, sa.Table]:
    """``audit_log_id``'s default, ``nextval('audit_log_seq')``, is PostgreSQL's alone: the
    migration adds the sequence and the default there (tasktrail itself writes the event's
    position, so a rebuild gives the same ids)."""
    log = sa.Table(
        n("audit_log"),
        md,
        sa.Column("audit_log_id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("user_id", Uuid),
        _name_column("user_name", 255),
        sa.Column("vm_id", Uuid),
        _name_column("vm_name", 255),
        sa.Column("vm_template_id", Uuid),
        _name_column("vm_template_name", 255),
        sa.Column("vds_id", Uuid),
        _name_column("vds_name", 255),
        sa.Column("log_time", TIME, nullable=False),
        sa.Column("log_type_name", sa.String(100), server_default=sa.text("''")),
        sa.Column("log_type", sa.Integer, nullable=False),
        sa.Column("severity", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("processed", sa.Boolean, nullable=False, server_default=_false()),
        sa.Column("storage_pool_id", Uuid),
        _name_column("storage_pool_name", 40),
        sa.Column("storage_domain_id", Uuid),
        _name_column("storage_domain_name", 250),
        sa.Column("cluster_id", Uuid),
        _name_column("cluster_name", 255),
        sa.Column("correlation_id", sa.String(50)),
        sa.Column("job_id", Uuid),
        sa.Column("quota_id", Uuid),
        _name_column("quota_name", 60),
        sa.Column("gluster_volume_id", Uuid),
        _name_column("gluster_volume_name", 1000),
        sa.Column("origin", sa.String(255), server_default=sa.text("'oVirt'")),
        sa.Column("custom_event_id", sa.Integer, server_default=sa.text("'-1'")),
        sa.Column("event_flood_in_sec", sa.Integer, server_default=sa.text("30")),
        sa.Column("custom_data", sa.Text, server_default=sa.text("''")),
        sa.Column("deleted", sa.Boolean, server_default=_false()),
        sa.Column("call_stack", sa.Text, server_default=sa.text("''")),
        sa.Column("brick_id", Uuid),
        sa.Column("brick_path", sa.Text, server_default=sa.text("''")),
        sa.Column("custom_id", sa.String(255)),
        sa.PrimaryKeyConstraint("audit_log_id", name=n("pk_audit_log")),
    )
    _audit_indexes(log, n)
    return {"audit_log": log}


def _audit_indexes(log: sa.Table, n: Named) -> None:
    c = log.c
    external = c.origin.not_ilike("ovirt")
    sa.Index(
        n("audit_log_origin_custom_event_id_idx"),
        c.origin,
        c.custom_event_id,
        unique=True,
        postgresql_where=external,
        sqlite_where=external,
    )
    volume = c.gluster_volume_id.is_not(None)
    sa.Index(
        n("idx_audit_log_gluster_volume_id"),
        c.gluster_volume_id,
        postgresql_where=volume,
        sqlite_where=volume,
    )
    plain = {
        "idx_audit_correlation_id": ("correlation_id",),
        "idx_audit_log_deleted": ("deleted",),
        "idx_audit_log_job_id": ("job_id",),
        "idx_audit_log_log_time": ("log_time",),
        "idx_audit_log_severity": ("severity",),
        "idx_audit_log_storage_domain_name": ("storage_domain_name",),
        "idx_audit_log_storage_pool_name": ("storage_pool_name",),
        "idx_audit_log_type_name": ("log_type", "log_type_name"),
        "idx_audit_log_user_name": ("user_name",),
        "idx_audit_log_vds_name": ("vds_name",),
        "idx_audit_log_vm_name": ("vm_name",),
        "idx_audit_log_vm_template_name": ("vm_template_name",),
    }
    for name, columns in plain.items():
        sa.Index(n(name), *(c[column] for column in columns))


def _cascade(column: str, target: str, name: str) -> sa.ForeignKeyConstraint:
    """oVirt's foreign keys all cascade deletes to the rows that refer to the deleted one."""
    return sa.ForeignKeyConstraint([column], [target], name=name, ondelete="CASCADE")


def define_tables(prefix: str = "", *, temporary: bool = False) -> Tables:
    """The tables, their names prefixed; ``temporary`` ones are created ``TEMPORARY``: they
    belong to the one database session that creates them and go when it ends."""
    md = sa.MetaData(info={"tracking": f"{prefix}projection_tracking", "prefix": prefix})

    def n(name: str) -> str:
        return f"{prefix}{name}"

    sa.Table(
        n("projection_tracking"),
        md,
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    ovirt = {
        **_jobs(md, n),
        **_commands(md, n),
        **_tasks(md, n),
        **_snapshots(md, n),
        **_audit_log(md, n),
    }
    tables = Tables(metadata=md, **ovirt, **vars(define_tasktrail_tables(md, n)))
    for table in md.tables.values():
        table._prefixes = ["TEMPORARY"] if temporary else []
    return tables


LIVE = define_tables()
