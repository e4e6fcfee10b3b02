"""Snapshots of the streams that keep growing: a lock's, a storage pool's, a long job's.

A lock on a VM gains two events for every command that ever touches the VM, so loading it cold
(an engine just started, or the cache evicted it) would replay its whole life. Every
``INTERVAL`` events of such a stream, the aggregate's state is written to the library's
snapshot table; a load starts from the newest snapshot at or below the version asked for and
replays only the events after it. The cache keeps warm aggregates, so this matters only cold.

A snapshot is decoded through a pydantic model built from the aggregate class's own annotated
attributes, never by importing a name read from storage, and is only ever a shortcut: the
events stay the record (rebuild, replay, bundles and the tamper-evident chain read events).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, get_origin, get_type_hints
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import AggregateRecorder, IntegrityError, StoredEvent
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.events import EventMeta
from tasktrail.domain.model.inventory.storage_pool import StoragePool
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.lock.aggregate import EngineLock
from tasktrail.domain.model.registry import AGGREGATE_TOPICS
from tasktrail.runners.store_tables import SNAPSHOTS

INTERVAL = 100
"""Events between two snapshots of one stream: a cold load replays fewer than this."""

SNAPSHOTTED: tuple[type[StateMachineAggregate], ...] = (EngineLock, StoragePool, Job)
"""The aggregates whose streams grow with the engine's life rather than one command's."""

_PREFIX = "snapshot:"

_BASE_FIELDS: dict[str, Any] = {"origin_meta": EventMeta, "deleted": bool, "state_since": datetime}
"""What the base aggregate's events set on every aggregate (declared for type checkers only)."""


class _Library(BaseModel):
    """eventsourcing's own attributes of an aggregate."""

    model_config = ConfigDict(frozen=True)
    id: UUID
    version: int
    created_on: datetime
    modified_on: datetime


@cache
def state_model(cls: type[StateMachineAggregate]) -> type[BaseModel]:
    """A pydantic model of every attribute ``cls`` declares, with the library's beside them."""
    hints = get_type_hints(cls)
    declared = {
        name: (hint, ...)
        for name, hint in hints.items()
        if get_origin(hint) is not ClassVar and not name.isupper()
    }
    fields = {name: (hint, ...) for name, hint in _BASE_FIELDS.items()} | declared
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{cls.__name__}Snapshot",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=False),
        library=(_Library, ...),
        **fields,
    )


def encode(aggregate: StateMachineAggregate) -> StoredEvent:
    """The aggregate's state as a stored snapshot row."""
    cls = type(aggregate)
    attributes = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    library = _Library(
        id=aggregate.id,
        version=aggregate.version,
        created_on=aggregate.created_on,
        modified_on=aggregate.modified_on,
    )
    state = state_model(cls)(library=library, **attributes)
    return StoredEvent(
        originator_id=aggregate.id,
        originator_version=aggregate.version,
        topic=_PREFIX + cls.TOPIC,
        state=state.model_dump_json().encode(),
    )


def decode(stored: StoredEvent) -> StateMachineAggregate:
    """The aggregate a snapshot row holds; a topic that is not a snapshotted type is refused."""
    cls = AGGREGATE_TOPICS.get(stored.topic.removeprefix(_PREFIX))
    if cls not in SNAPSHOTTED or not stored.topic.startswith(_PREFIX):
        raise ValueError(f"{stored.topic!r} is not a tasktrail snapshot")
    assert cls is not None
    state = state_model(cls).model_validate_json(stored.state)
    library: _Library = state.library  # type: ignore[attr-defined]
    aggregate = object.__new__(cls)
    vars(aggregate).update(
        {name: getattr(state, name) for name in type(state).model_fields if name != "library"},
        _id=library.id,
        _version=library.version,
        _created_on=library.created_on,
        _modified_on=library.modified_on,
        _pending_events=[],
    )
    return aggregate


def due(aggregate: StateMachineAggregate, saved_from: int) -> bool:
    """Whether saving the aggregate from version ``saved_from`` crossed a snapshot boundary."""
    return isinstance(aggregate, SNAPSHOTTED) and (
        aggregate.version // INTERVAL > saved_from // INTERVAL
    )


class Snapshots:
    """The snapshot table, through eventsourcing's aggregate recorder for snapshots."""

    def __init__(self, recorder: AggregateRecorder) -> None:
        self.recorder = recorder

    def take(self, aggregate: StateMachineAggregate) -> None:
        """Writes the aggregate's snapshot; another engine having written it already is fine."""
        try:
            self.recorder.insert_events([encode(aggregate)])
        except IntegrityError:
            return

    def newest(self, aggregate_id: UUID, version: int | None) -> StateMachineAggregate | None:
        """The newest snapshot of the aggregate at or below ``version`` (default: any)."""
        found = self.recorder.select_events(aggregate_id, lte=version, desc=True, limit=1)
        return decode(found[0]) if found else None


def mismatched(
    connection: sa.Connection, replay: Callable[[UUID, int], StateMachineAggregate]
) -> tuple[int, list[str]]:
    """Every snapshot against its stream replayed to the same version: how many were checked,
    and those that are unreadable or differ (``verify-log``: a snapshot altered beside tasktrail
    would change what an engine loads, though the events are intact)."""
    rows = connection.execute(sa.select(SNAPSHOTS)).all()
    return len(rows), [_named(r) for r in rows if not _matches(r, replay)]


def _matches(row: sa.Row[Any], replay: Callable[[UUID, int], StateMachineAggregate]) -> bool:
    stored = StoredEvent(row.originator_id, row.originator_version, row.topic, bytes(row.state))
    try:
        restored = decode(stored)
    except (ValueError, ValidationError):
        return False
    replayed = replay(row.originator_id, row.originator_version)
    return _public(restored) == _public(replayed)


def _public(aggregate: StateMachineAggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def _named(row: sa.Row[Any]) -> str:
    return (
        f"{row.topic.removeprefix(_PREFIX)} {row.originator_id} at version {row.originator_version}"
    )
