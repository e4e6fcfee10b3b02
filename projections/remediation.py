"""Which root commands a bulk remediation works on, chosen as ``history`` filters events.

Filters combine with AND: status, action type, user, correlation id, time (when the command
was created), and an entity (roots whose family recorded an event naming it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from pydantic import BaseModel

from tasktrail.projections.queries import fetch_all
from tasktrail.projections.read_model import ReadModel

FAILED = ("ENDED_WITH_FAILURE",)
RUNNING = ("NOT_STARTED", "ACTIVE", "EXECUTION_FAILED", "SUCCEEDED", "FAILED")


class Selection(BaseModel):
    """What ``remediate`` works on; every filter is optional."""

    statuses: tuple[str, ...] = FAILED
    action_type: str | None = None
    user: str | None = None
    correlation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    entity: UUID | None = None


def roots(model: ReadModel, chosen: Selection) -> list[dict[str, Any]]:
    """The root commands chosen, oldest first."""
    c = model.tables.tt_command
    query = sa.select(
        c.c.command_id, c.c.command_type, c.c.status, c.c.user_id, c.c.job_id, c.c.created_at
    ).where(c.c.command_id == c.c.root_command_id, c.c.status.in_(chosen.statuses))
    for column, value in (
        (c.c.command_type, chosen.action_type),
        (c.c.user_id, chosen.user),
        (c.c.correlation_id, chosen.correlation_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if chosen.since is not None:
        query = query.where(c.c.created_at >= chosen.since)
    if chosen.until is not None:
        query = query.where(c.c.created_at <= chosen.until)
    if chosen.entity is not None:
        query = query.where(c.c.command_id.in_(_families_naming(model, chosen.entity)))
    return fetch_all(model, query.order_by(c.c.created_at, c.c.command_id))


def _families_naming(model: ReadModel, entity: UUID) -> sa.Select[Any]:
    c, e, named = model.tables.tt_command, model.tables.event_index, model.tables.event_entity
    return (
        sa.select(c.c.root_command_id)
        .join(e, e.c.causation_id == c.c.command_id)
        .join(named, named.c.position == e.c.position)
        .where(named.c.entity_id == entity)
    )


def cancels_asked(model: ReadModel, command_id: UUID) -> bool:
    """Whether a Cancel of ``command_id`` was recorded and has not failed (asking twice
    would stop nothing more)."""
    c = model.tables.tt_command
    query = sa.select(sa.func.count()).where(
        c.c.command_type == "Cancel",
        c.c.status != "ENDED_WITH_FAILURE",
        c.c.parameters.contains(str(command_id)),
    )
    with model.engine.connect() as connection:
        return bool(connection.execute(query).scalar())
