"""Reading the oVirt tables: what the CLI's listing commands and later the HTTP API show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.projections import views
from tasktrail.projections.read_model import ReadModel

Row = dict[str, Any]


class NotFoundError(TasktrailError):
    """An id the read model does not know."""


def fetch_all(model: ReadModel, query: sa.Select[Any]) -> list[Row]:
    with model.engine.connect() as connection:
        return [
            {k: _aware(v) for k, v in row._mapping.items()} for row in connection.execute(query)
        ]


def _aware(value: Any) -> Any:
    """SQLite hands back naive datetimes; every time tasktrail stores is UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def jobs(model: ReadModel, status: str | None = None) -> list[Row]:
    """Jobs, oldest first; ``owner_id`` is the owner's name."""
    t = views.jobs(model.tables)
    query = sa.select(
        t.c.job_id,
        t.c.action_type,
        t.c.description,
        t.c.status,
        t.c.owner.label("owner_id"),
        t.c.correlation_id,
        t.c.start_time,
        t.c.end_time,
    ).order_by(t.c.start_time)
    if status:
        query = query.where(t.c.status == status.upper())
    return fetch_all(model, query)


def job(model: ReadModel, job_id: UUID) -> Row:
    """The job with its step tree (each step with its sub-steps under ``steps``)."""
    t, s = views.jobs(model.tables), views.steps(model.tables)
    found = fetch_all(model, sa.select(*_job_columns(t)).where(t.c.job_id == job_id))
    if not found:
        raise NotFoundError(f"job {job_id} not found")
    steps = fetch_all(
        model,
        sa.select(
            s.c.step_id.label("id"),
            s.c.step_type,
            s.c.status,
            s.c.step_number,
            s.c.parent_step_id,
            s.c.description,
            s.c.start_time,
            s.c.end_time,
            s.c.external_id,
            s.c.reason,
        )
        .where(s.c.job_id == job_id)
        .order_by(s.c.start_time, s.c.step_number),
    )
    return {**found[0], "steps": _tree(steps, None)}


def _job_columns(t: sa.Subquery) -> list[sa.ColumnElement[Any]]:
    """The job's columns as tasktrail has always shown them (the owner by name)."""
    shown = ["job_id", "action_type", "description", "status", "correlation_id", "start_time"]
    shown += ["end_time", "last_update_time", "is_external", "is_auto_cleared", "failed_step_id"]
    return [*(t.c[name] for name in shown), t.c.owner.label("owner_id"), t.c.reason]


def _tree(steps: list[Row], parent: UUID | None) -> list[Row]:
    children = sorted(
        (x for x in steps if x["parent_step_id"] == parent), key=lambda x: x["step_number"]
    )
    return [{**x, "steps": _tree(steps, x["id"])} for x in children]


def commands(model: ReadModel, status: str | None = None) -> list[Row]:
    """Every command (oVirt persists only some in ``command_entities``), oldest first."""
    t = model.tables.tt_command
    query = sa.select(
        t.c.command_id,
        t.c.command_type,
        t.c.status,
        t.c.parent_command_id,
        t.c.root_command_id,
        t.c.job_id,
        t.c.created_at,
    ).order_by(t.c.created_at)
    if status:
        query = query.where(t.c.status == status.upper())
    return fetch_all(model, query)


def tasks(model: ReadModel) -> list[Row]:
    t = views.tasks(model.tables)
    return fetch_all(model, sa.select(t).order_by(t.c.started_at))


def locks(model: ReadModel) -> list[Row]:
    t = model.tables.tt_engine_lock
    return fetch_all(model, sa.select(t).order_by(t.c.since))
