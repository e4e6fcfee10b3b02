"""The failure story of one request: what was asked, by whom, what failed and what it left.

``tasktrail why`` tells it from the id of a job, of any command of the family, or of an entity
(a VM, a disk: the newest request that worked on it). The commands and the job come from the
read model; the storage tasks and the VM's and disks' ends come from their own event streams,
because the read model deletes a removed VM's row and a cleared task's.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from pydantic import BaseModel

from tasktrail.projections.event_log import EventLog
from tasktrail.projections.queries import NotFoundError, fetch_all, job
from tasktrail.projections.read_model import ReadModel

Row = dict[str, Any]
_FACTS_LEFT_OUT = {"meta", "originator_id", "originator_version", "timestamp"}


class Ending(BaseModel):
    """An entity or storage task as its own stream last left it."""

    kind: str
    id: UUID
    name: str
    state: str
    removed: bool
    since: datetime
    facts: dict[str, Any]
    """Every field its events set, the latest value of each (a task's error, its SPM id)."""


class Story(BaseModel):
    root: Row
    """The request: its command (with ``parameters`` and ``messages`` decoded)."""
    job: Row | None
    """Its job with the step tree; None once the job cleanup deleted it."""
    failed: list[Row]
    """The commands of the family that ended with failure, the request's last."""
    tasks: list[Ending]
    entities: list[Ending]
    """The VMs and disks it worked on or named, in the order they were made."""


def story(model: ReadModel, log: EventLog, asked: UUID) -> Story:
    """The story of the request ``asked`` names (a job, a command or an entity)."""
    family = _family(model, _root_of(model, asked))
    root = next(c for c in family if c["command_id"] == c["root_command_id"])
    ids = [c["command_id"] for c in family]
    kinds = _caused(model, ids, _named(family))
    return Story(
        root=root,
        job=_job(model, root["job_id"]),
        failed=_failed(family, root),
        tasks=[_ending(log, i, "AsyncTask") for i in kinds.get("AsyncTask", [])],
        entities=[_ending(log, i, k) for k in ("Vm", "Disk") for i in kinds.get(k, [])],
    )


def _root_of(model: ReadModel, asked: UUID) -> UUID:
    """The root command of the family ``asked`` belongs to, or that last worked on it."""
    c = model.tables.tt_command
    roots = [
        sa.select(c.c.root_command_id).where(c.c.command_id == asked),
        sa.select(c.c.root_command_id).where(c.c.job_id == asked),
        sa.select(c.c.root_command_id)
        .where(c.c.command_id.in_(_working_on(model, asked)))
        .order_by(c.c.created_at.desc()),
    ]
    for query in roots:
        found = fetch_all(model, query.limit(1))
        if found:
            return UUID(str(found[0]["root_command_id"]))
    raise NotFoundError(f"no command, job or entity {asked} worked on by a command")


def _working_on(model: ReadModel, entity: UUID) -> sa.Select[Any]:
    """The commands that caused an event naming ``entity``."""
    e, touched = model.tables.event_index, model.tables.event_entity
    naming = sa.select(touched.c.position).where(touched.c.entity_id == entity)
    return sa.select(e.c.causation_id).where(e.c.position.in_(naming))


def _family(model: ReadModel, root: UUID) -> list[Row]:
    c = model.tables.tt_command
    query = sa.select(c).where(c.c.root_command_id == root).order_by(c.c.created_at)
    return [_decoded(row) for row in fetch_all(model, query)]


def _decoded(row: Row) -> Row:
    return {
        **row,
        "parameters": json.loads(row["parameters"] or "{}"),
        "messages": json.loads(row["messages"] or "[]"),
    }


def _named(family: list[Row]) -> set[UUID]:
    """The ids the family's parameters name (a VM that was never touched is still asked for)."""
    found: set[UUID] = set()
    for command in family:
        for value in command["parameters"].values():
            for item in value if isinstance(value, list) else [value]:
                found |= _as_id(item)
    return found


def _as_id(value: Any) -> set[UUID]:
    try:
        return {UUID(str(value))}
    except ValueError:
        return set()


def _caused(model: ReadModel, commands: list[UUID], named: set[UUID]) -> dict[str, list[UUID]]:
    """The tasks, VMs and disks the commands acted on or named, by kind, oldest first."""
    e = model.tables.event_index
    query = (
        sa.select(e.c.aggregate_type, e.c.aggregate_id, sa.func.min(e.c.position).label("first"))
        .where(
            e.c.aggregate_type.in_(["AsyncTask", "Vm", "Disk"]),
            sa.or_(e.c.causation_id.in_(commands), e.c.aggregate_id.in_(named)),
        )
        .group_by(e.c.aggregate_type, e.c.aggregate_id)
    )
    found: dict[str, list[UUID]] = {}
    for row in sorted(fetch_all(model, query), key=lambda r: r["first"]):
        found.setdefault(row["aggregate_type"], []).append(UUID(str(row["aggregate_id"])))
    return found


def _ending(log: EventLog, aggregate_id: UUID, kind: str) -> Ending:
    events = log.events_of(aggregate_id)
    facts: dict[str, Any] = {}
    for event in events:
        facts |= event.model_dump(exclude=_FACTS_LEFT_OUT)
    last = events[-1]
    return Ending(
        kind=kind,
        id=aggregate_id,
        name=str(facts.get("name") or facts.get("alias") or facts.get("vdsm_task_id") or ""),
        state=last.to_state,
        removed=type(last).__name__ == "Removed",
        since=last.timestamp,
        facts=facts,
    )


def _job(model: ReadModel, job_id: UUID | None) -> Row | None:
    if job_id is None:
        return None
    try:
        return job(model, job_id)
    except NotFoundError:
        return None


def _failed(family: list[Row], root: Row) -> list[Row]:
    failed = [c for c in family if c["status"] == "ENDED_WITH_FAILURE" and c is not root]
    return failed + ([root] if root["status"] == "ENDED_WITH_FAILURE" else [])


def failing_disks(model: ReadModel, root: UUID) -> list[UUID]:
    """The disks whose commands failed in the family of ``root`` (RemoveImage's ``disk_id``)."""
    failed = [c for c in _family(model, root) if c["status"] == "ENDED_WITH_FAILURE"]
    return [UUID(c["parameters"]["disk_id"]) for c in failed if "disk_id" in c["parameters"]]
