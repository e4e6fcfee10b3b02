"""Incident bundles: a job's whole tree of events in one file, importable into an empty store.

The bundle keeps every stored event of every aggregate the job touched, byte for byte, with
its original id, version and log position, so replay and projections on the copy give what
the original gave, in the original order. An import checks the whole bundle first
(``runners.bundle_format``) and then stores all of it, with its digests, in one transaction,
or nothing. The imported database is an archive: engines refuse to run on it (the job's
in-flight commands stay as they were) unless it was imported with ``resume``.
"""

from __future__ import annotations

import base64
import os
import sys
import tempfile
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import StoredEvent

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.projections.queries import NotFoundError
from tasktrail.projections.read_model import ReadModel
from tasktrail.runners.bundle_format import (
    FORMAT,
    Bundle,
    BundledEvent,
    BundleError,
    checked,
    events_digest,
    parse,
)
from tasktrail.runners.event_store import EventStore
from tasktrail.runners.store_tables import EVENTS, IMPORTS

__all__ = ["ArchiveError", "BundleError", "ImportRefusedError", "export_job", "import_file"]


class ImportRefusedError(BundleError):
    """A sound bundle this database cannot take (it holds events already): exit code 1."""

    exit_code = 1


class ArchiveError(TasktrailError):
    """An engine asked to run on a database that holds an imported bundle as an archive."""

    exit_code = 1


def engine_version() -> str:
    try:
        return version("tasktrail")
    except PackageNotFoundError:
        return "unknown"


INVENTORY = ("Vm", "Disk", "StoragePool")
"""Aggregate types whose whole streams a job's bundle carries when its events name them, so
that work left in flight can be carried on in the copy (``import --resume``)."""


def job_aggregates(model: ReadModel, job_id: UUID) -> list[UUID]:
    """The job, its steps and commands, every aggregate their events touched, and the
    inventory (VMs, disks, pools) those events name, with the inventory that names."""
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
        ids = set(
            connection.execute(
                sa.select(index.c.aggregate_id).distinct().where(index.c.position.in_(related))
            ).scalars()
        )
        ids |= _named(connection, model, related)
        own = sa.select(index.c.position).where(index.c.aggregate_id.in_(ids))
        found = ids | _named(connection, model, own) | family | {job_id}
        found |= _inventory(connection, model, found)
        return sorted(found | _locks(connection, model, found), key=str)


def _named(connection: sa.Connection, model: ReadModel, positions: sa.Select[Any]) -> set[UUID]:
    """The aggregates the events at ``positions`` name. Asked twice: the aggregates the job's
    events name (the tree a redrive finishes), then those their own events name (that tree's
    commands): what validation read."""
    index, touched = model.tables.event_index, model.tables.event_entity
    named = sa.select(touched.c.entity_id).where(touched.c.position.in_(positions))
    found = connection.execute(
        sa.select(index.c.aggregate_id).distinct().where(index.c.aggregate_id.in_(named))
    ).scalars()
    return {UUID(str(i)) for i in found}


def _locks(connection: sa.Connection, model: ReadModel, streams: set[UUID]) -> set[UUID]:
    """The engine locks whose events name one of ``streams`` (what validation read)."""
    index, touched = model.tables.event_index, model.tables.event_entity
    naming = sa.select(touched.c.position).where(touched.c.entity_id.in_(streams))
    query = (
        sa.select(index.c.aggregate_id)
        .distinct()
        .where(index.c.aggregate_type == "EngineLock", index.c.position.in_(naming))
    )
    return {UUID(str(i)) for i in connection.execute(query).scalars()}


def _inventory(connection: sa.Connection, model: ReadModel, streams: set[UUID]) -> set[UUID]:
    """The inventory named by the events of ``streams``, and by that inventory's, and so on."""
    index, touched = model.tables.event_index, model.tables.event_entity
    found: set[UUID] = set()
    frontier = set(streams)
    while frontier:
        positions = sa.select(index.c.position).where(index.c.aggregate_id.in_(frontier))
        named = sa.select(touched.c.entity_id).where(touched.c.position.in_(positions))
        query = (
            sa.select(index.c.aggregate_id)
            .distinct()
            .where(index.c.aggregate_id.in_(named), index.c.aggregate_type.in_(INVENTORY))
        )
        frontier = set(connection.execute(query).scalars()) - found - streams
        found |= frontier
    return found


def job_bundle(model: ReadModel, job_id: UUID) -> Bundle:
    """The job's bundle: its aggregates' events in log order, with their positions."""
    streams = job_aggregates(model, job_id)
    query = sa.select(EVENTS).where(EVENTS.c.originator_id.in_(streams)).order_by(EVENTS.c.id)
    with model.engine.connect() as connection:
        events = [_bundled(row) for row in connection.execute(query)]
    return Bundle(
        format=FORMAT,
        engine_version=engine_version(),
        job_id=job_id,
        count=len(events),
        digest=events_digest(events),
        events=events,
    )


def _bundled(row: sa.Row[tuple[object, ...]]) -> BundledEvent:
    return BundledEvent(
        position=row.id,
        originator_id=row.originator_id,
        originator_version=row.originator_version,
        topic=row.topic,
        state=base64.b64encode(bytes(row.state)).decode(),
    )


def export_job(model: ReadModel, job_id: UUID, target: Path, *, force: bool = False) -> int:
    """Writes the job's bundle to ``target`` (``-``: standard output); returns its events.

    A regular file is written whole or not at all (a temporary file renamed over it) and an
    existing one only with ``force``; a device or pipe is written to as it is.
    """
    bundle = job_bundle(model, job_id)
    text = bundle.model_dump_json(indent=1) + "\n"
    if str(target) == "-":
        sys.stdout.write(text)
    else:
        _write(target, text, force)
    return len(bundle.events)


def _write(target: Path, text: str, force: bool) -> None:
    if target.is_file() and not force:
        raise BundleError(f"{target} exists: give --force to overwrite it")
    try:
        if target.exists() and not target.is_file():
            target.write_text(text)
            return
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w") as file:
            file.write(text)
        os.replace(temporary, target)
    except OSError as error:
        _discard(target)
        raise BundleError(f"cannot write {target}: {error.strerror or error}") from None


def _discard(target: Path) -> None:
    for leftover in target.parent.glob(f".{target.name}.*") if target.parent.is_dir() else []:
        leftover.unlink(missing_ok=True)


def read_bundle(source: Path) -> tuple[Bundle, list[StoredEvent]]:
    """The bundle in ``source`` (``-``: standard input) and its events, every check passed."""
    try:
        text = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    except OSError as error:
        raise BundleError(f"cannot read bundle {source}: {error.strerror or error}") from None
    bundle = parse(text, str(source))
    return bundle, checked(bundle, str(source))


def import_bundle(
    store: EventStore, bundle: Bundle, events: list[StoredEvent], *, resume: bool = False
) -> int:
    """Stores a checked bundle in an empty store, in one transaction; returns its events.

    Without ``resume`` the database is marked an archive of the bundle's job.
    """
    with store.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
        if session.execute(sa.select(EVENTS.c.id).limit(1)).first() is not None:
            raise ImportRefusedError(
                "this database holds events already: bundles go into empty ones"
            )
        store.recorder.insert_events(events, session=session)
        session.execute(
            IMPORTS.insert().values(
                job_id=bundle.job_id,
                digest=bundle.digest or events_digest(bundle.events),
                events=len(events),
                imported_at=datetime.now(UTC),
                resume=resume,
            )
        )
    return len(events)


def archived_job(database: sa.Engine) -> UUID | None:
    """The job of a bundle imported as an archive into ``database``, if it holds one."""
    query = sa.select(IMPORTS.c.job_id).where(IMPORTS.c.resume.is_(False)).limit(1)
    with database.connect() as connection:
        return connection.execute(query).scalar()


def refuse_archive(database: sa.Engine) -> None:
    """Engines do not run on an archive: its imported in-flight commands stay as they were."""
    job_id = archived_job(database)
    if job_id is not None:
        raise ArchiveError(
            f"this database is an archive of job {job_id} imported from a bundle: no engine "
            "runs here (import the bundle with --resume to let engines carry it on)"
        )


def import_file(store: EventStore, source: Path, *, resume: bool = False) -> tuple[UUID, int]:
    """``read_bundle`` then ``import_bundle``: returns the bundle's job and its events."""
    bundle, events = read_bundle(source)
    return bundle.job_id, import_bundle(store, bundle, events, resume=resume)
