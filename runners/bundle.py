"""Incident bundles: a job's whole tree of events in one file, importable into an empty store.

The bundle keeps every stored event of every aggregate the job touched, byte for byte, with
its original id and version, so replay and projections on the copy give what the original gave.
"""

from __future__ import annotations

import base64
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import StoredEvent

from domain.model.errors import TasktrailError
from projections.queries import NotFoundError
from projections.read_model import ReadModel
from runners.event_store import EventStore

FORMAT = "tasktrail-bundle/1"


class BundleError(TasktrailError):
    """A bundle that cannot be read or cannot be imported here."""


def engine_version() -> str:
    try:
        return version("tasktrail")
    except PackageNotFoundError:
        return "unknown"


def job_aggregates(model: ReadModel, job_id: UUID) -> list[UUID]:
    """The job, its steps and commands, and every aggregate their events touched."""
    commands = model.tables.tt_command
    with model.engine.connect() as connection:
        family = set(
            connection.execute(
                sa.select(commands.c.command_id).where(commands.c.job_id == job_id)
            ).scalars()
        )
        if not family:
            raise NotFoundError(f"job {job_id} not found")
        index, touched = model.tables.event_index, model.tables.event_entity
        related = sa.select(touched.c.position).where(touched.c.entity_id.in_(family | {job_id}))
        ids = _named(connection, model, related)
        own = sa.select(index.c.position).where(index.c.aggregate_id.in_(ids))
        naming = sa.select(touched.c.position).where(touched.c.entity_id.in_(ids))
        locks = connection.execute(
            sa.select(index.c.aggregate_id)
            .distinct()
            .where(index.c.aggregate_type == "EngineLock", index.c.position.in_(naming))
        ).scalars()
        ids |= {UUID(str(i)) for i in locks}
        return sorted(ids | _named(connection, model, own) | family | {job_id}, key=str)


def _named(connection: sa.Connection, model: ReadModel, positions: sa.Select[Any]) -> set[UUID]:
    """The aggregates the events at ``positions`` name. Asked twice: the aggregates the job's
    events name (the VM a command removes, with the locks on it), then those their own
    events name (the VM's storage pool): what validation read."""
    index, touched = model.tables.event_index, model.tables.event_entity
    named = sa.select(touched.c.entity_id).where(touched.c.position.in_(positions))
    found = connection.execute(
        sa.select(index.c.aggregate_id).distinct().where(index.c.aggregate_id.in_(named))
    ).scalars()
    return {UUID(str(i)) for i in found}


def export_job(store: EventStore, model: ReadModel, job_id: UUID, path: Path) -> int:
    """Writes the bundle; returns how many events it holds."""
    events: list[StoredEvent] = []
    for aggregate_id in job_aggregates(model, job_id):
        events.extend(store.recorder.select_events(aggregate_id))
    body = {
        "format": FORMAT,
        "engine_version": engine_version(),
        "job_id": str(job_id),
        "events": [_encode(e) for e in events],
    }
    path.write_text(json.dumps(body, indent=1))
    return len(events)


def _encode(event: StoredEvent) -> dict[str, Any]:
    return {
        "originator_id": str(event.originator_id),
        "originator_version": event.originator_version,
        "topic": event.topic,
        "state": base64.b64encode(event.state).decode(),
    }


def import_bundle(store: EventStore, path: Path) -> tuple[UUID, int]:
    """Appends the bundle's events to an empty store, in one transaction; returns (job, count)."""
    body = _read(path)
    if store.recorder.max_notification_id():
        raise BundleError(f"cannot import {path}: the target database already holds events")
    events = [
        StoredEvent(
            originator_id=UUID(e["originator_id"]),
            originator_version=e["originator_version"],
            topic=e["topic"],
            state=base64.b64decode(e["state"]),
        )
        for e in body["events"]
    ]
    store.recorder.insert_events(events)
    return UUID(body["job_id"]), len(events)


def _read(path: Path) -> dict[str, Any]:
    try:
        body: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BundleError(f"cannot read bundle {path}: {error}") from None
    if body.get("format") != FORMAT:
        raise BundleError(f"{path} is not a {FORMAT} bundle")
    return body
