"""tasktrail's own tables (``tt_*``): what it knows beyond oVirt's columns, beside oVirt's.

- ``tt_job`` / ``tt_step``: who started a job (by name), why a job or step failed and which
  step failed a job. Each row lives exactly as long as its oVirt row (it is deleted with it).
- ``tt_command``: every command as tasktrail has it (type by name, family, status, user name,
  parameters, messages), including those oVirt never persists (no callback, parent without
  one) and after oVirt deletes a finished hierarchy: the CLI, the API, ``blocked`` and the
  engine's restart read commands here.
- ``tt_async_task``: what the engine's poller knows of a task beyond its ``async_tasks`` row
  (the engine-side state, the SPM's last reported status and result, the last
  error, the family's root, the SPM's own id as text, when it last changed); deleted with
  that row.
- ``tt_vm``, ``tt_disk``, ``tt_storage_pool``: the simulated managed world. oVirt's
  ``vm_static``/``images`` have about a hundred columns tasktrail has no values for, so these
  are tasktrail's, not imitations; a removed VM's or disk's row is deleted as oVirt deletes it.
- ``tt_engine_lock``: who holds which lock (oVirt keeps its locks in memory only).
- ``tt_event`` / ``tt_event_entity``: one row per event and each entity it names, append-only;
  the audit queries read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from tasktrail.domain.services.validation import USER_NAME_LIMIT
from tasktrail.projections.column_types import TIME, Uuid


@dataclass(frozen=True)
class TasktrailTables:
    tt_job: sa.Table
    tt_step: sa.Table
    tt_command: sa.Table
    tt_async_task: sa.Table
    tt_vm: sa.Table
    tt_disk: sa.Table
    tt_storage_pool: sa.Table
    tt_engine_lock: sa.Table
    event_index: sa.Table
    """``tt_event`` (named so in Python since before the rename)."""
    event_entity: sa.Table
    """``tt_event_entity``."""


def _extends(column: str, target: str) -> sa.ForeignKeyConstraint:
    """A ``tt_*`` row that adds to an oVirt row goes when that row goes."""
    return sa.ForeignKeyConstraint([column], [target], ondelete="CASCADE")


def _work(md: sa.MetaData, n: Callable[[str], str]) -> dict[str, sa.Table]:
    return {
        "tt_job": sa.Table(
            n("tt_job"),
            md,
            sa.Column("job_id", Uuid, primary_key=True),
            sa.Column("owner", sa.String(255), nullable=False),
            sa.Column("reason", sa.Text),
            sa.Column("failed_step_id", Uuid),
            _extends("job_id", n("job.job_id")),
        ),
        "tt_step": sa.Table(
            n("tt_step"),
            md,
            sa.Column("step_id", Uuid, primary_key=True),
            sa.Column("reason", sa.Text, nullable=False),
            _extends("step_id", n("step.step_id")),
        ),
        "tt_command": sa.Table(
            n("tt_command"),
            md,
            sa.Column("command_id", Uuid, primary_key=True),
            sa.Column("command_type", sa.String(64), nullable=False),
            sa.Column("status", sa.String(24), nullable=False, index=True),
            sa.Column("parent_command_id", Uuid),
            sa.Column("root_command_id", Uuid, nullable=False, index=True),
            sa.Column("job_id", Uuid, index=True),
            sa.Column("step_id", Uuid),
            sa.Column("callback_enabled", sa.Boolean, nullable=False),
            sa.Column("executed", sa.Boolean, nullable=False),
            sa.Column("user_id", sa.String(255), nullable=False),
            sa.Column("correlation_id", sa.String(128), nullable=False),
            sa.Column("created_at", TIME, nullable=False),
            sa.Column("ended_at", TIME),
            sa.Column("parameters", sa.Text, nullable=False),
            sa.Column("messages", sa.Text),
        ),
        "tt_async_task": sa.Table(
            n("tt_async_task"),
            md,
            sa.Column("task_id", Uuid, primary_key=True),
            sa.Column("root_command_id", Uuid, nullable=False),
            sa.Column("task_state", sa.String(24), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("result", sa.String(16), nullable=False),
            sa.Column("last_update", TIME, nullable=False),
            sa.Column("vdsm_task_id", sa.String(64), nullable=False),
            sa.Column("error", sa.Text),
            _extends("task_id", n("async_tasks.task_id")),
        ),
    }


def _world(md: sa.MetaData, n: Callable[[str], str]) -> dict[str, sa.Table]:
    return {
        "tt_vm": sa.Table(
            n("tt_vm"),
            md,
            sa.Column("vm_guid", Uuid, primary_key=True),
            sa.Column("vm_name", sa.String(64), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("origin", sa.String(16), nullable=False),
            sa.Column("storage_pool_id", Uuid, nullable=False),
            sa.Column("vm_pool_id", Uuid),
            sa.Column("snapshot_in_progress", sa.Boolean, nullable=False),
            sa.Column("backup_in_progress", sa.Boolean, nullable=False),
            sa.Column("creation_date", TIME, nullable=False),
            sa.Column("last_update", TIME, nullable=False),
        ),
        "tt_disk": sa.Table(
            n("tt_disk"),
            md,
            sa.Column("image_guid", Uuid, primary_key=True),
            sa.Column("disk_alias", sa.String(128), nullable=False),
            sa.Column("vm_guid", Uuid, index=True),
            sa.Column("storage_pool_id", Uuid, nullable=False),
            sa.Column("size_gb", sa.Integer, nullable=False),
            sa.Column("imagestatus", sa.String(16), nullable=False),
            sa.Column("last_update", TIME, nullable=False),
        ),
        "tt_storage_pool": sa.Table(
            n("tt_storage_pool"),
            md,
            sa.Column("id", Uuid, primary_key=True),
            sa.Column("name", sa.String(40), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
        ),
        "tt_engine_lock": sa.Table(
            n("tt_engine_lock"),
            md,
            sa.Column("lock_id", Uuid, primary_key=True),
            sa.Column("command_id", Uuid, primary_key=True),
            sa.Column("lock_group", sa.String(32), nullable=False),
            sa.Column("entity_id", Uuid, nullable=False, index=True),
            sa.Column("exclusive", sa.Boolean, nullable=False),
            sa.Column("since", TIME, nullable=False),
            sa.Column("message", sa.Text, nullable=False),
        ),
    }


def _history(md: sa.MetaData, n: Callable[[str], str]) -> dict[str, sa.Table]:
    return {
        "event_index": sa.Table(
            n("tt_event"),
            md,
            sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("aggregate_type", sa.String(32), nullable=False),
            sa.Column("aggregate_id", Uuid, nullable=False, index=True),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("event_type", sa.String(64), nullable=False),
            sa.Column("trigger", sa.String(64), nullable=False),
            sa.Column("from_state", sa.String(32)),
            sa.Column("to_state", sa.String(32), nullable=False),
            sa.Column("timestamp", TIME, nullable=False, index=True),
            sa.Column("user_id", sa.String(USER_NAME_LIMIT), nullable=False, index=True),
            sa.Column("correlation_id", sa.String(128), nullable=False, index=True),
            sa.Column("causation_id", Uuid, index=True),
            sa.Index(n("ix_tt_event_type_time"), "event_type", "timestamp"),
            sa.Index(n("ix_tt_event_state_time"), "to_state", "timestamp"),
        ),
        "event_entity": sa.Table(
            n("tt_event_entity"),
            md,
            sa.Column("entity_id", Uuid, primary_key=True),
            sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        ),
    }


def define_tasktrail_tables(md: sa.MetaData, n: Callable[[str], str]) -> TasktrailTables:
    return TasktrailTables(**_work(md, n), **_world(md, n), **_history(md, n))
