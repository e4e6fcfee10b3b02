"""What an incident bundle is, and every check it passes before one of its events is written.

Format 2 (``tasktrail-bundle/2``, what ``export`` writes) declares its event count and a
SHA-256 digest over its events, and lists them in log order with their original positions.
Format 1 (version 0.x exports, aggregate after aggregate, no count or digest) still imports,
ordered by the events' own timestamps. Either way every event must decode as one of
tasktrail's own event classes (the registry's allow-list; nothing is imported by name), every
stream must run 1, 2, 3 … from a creation event, all of one aggregate type, and the job must be
among the streams. A failed check is a ``BundleError`` naming the event and what is wrong.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Literal, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.errors import TasktrailError
from tasktrail.runners.serialization import PydanticMapper

FORMAT = "tasktrail-bundle/2"
FORMAT_V1 = "tasktrail-bundle/1"


class BundleError(TasktrailError):
    """A bundle that cannot be read or cannot be imported here (exit code 2)."""


class BundledEvent(BaseModel):
    """One stored event, byte for byte (its state base64-encoded)."""

    model_config = ConfigDict(extra="forbid")

    position: int | None = Field(default=None, ge=1)
    """Where the event stood in the exported log (format 2)."""
    originator_id: UUID
    originator_version: int = Field(ge=1)
    topic: str
    state: str

    def stored(self) -> StoredEvent:
        return StoredEvent(
            originator_id=self.originator_id,
            originator_version=self.originator_version,
            topic=self.topic,
            state=base64.b64decode(self.state, validate=True),
        )


class Bundle(BaseModel):
    """A job's whole tree of events, as ``tasktrail export`` writes it."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["tasktrail-bundle/2", "tasktrail-bundle/1"]
    engine_version: str
    job_id: UUID
    count: int | None = Field(default=None, ge=0)
    """How many events follow (format 2): a cut bundle is refused."""
    digest: str | None = None
    """``sha256:`` over the events (format 2): a changed or cut bundle is refused."""
    events: list[BundledEvent]


def events_digest(events: Sequence[BundledEvent]) -> str:
    """SHA-256 over the events' canonical JSON, in order."""
    chained = hashlib.sha256()
    for event in events:
        chained.update(event.model_dump_json().encode() + b"\n")
    return f"sha256:{chained.hexdigest()}"


def parse(text: str | bytes, source: str) -> Bundle:
    """The bundle in ``text``; the first thing wrong with its shape, in one line, if not."""
    try:
        return Bundle.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the bundle"
        raise BundleError(f"{source}: {where}: {first['msg']}") from None


def checked(bundle: Bundle, source: str) -> list[StoredEvent]:
    """The bundle's events in the order to store them, once every check has passed."""
    _declared(bundle, source)
    mapper = PydanticMapper(transcoder=None)  # type: ignore[arg-type]  # JSON is its own
    stored = [_decoded(mapper, index, event, source) for index, event in enumerate(bundle.events)]
    _streams(mapper, stored, source)
    if bundle.job_id not in {e.originator_id for e in stored}:
        raise BundleError(f"{source}: job {bundle.job_id} has no events in the bundle")
    return _in_log_order(mapper, bundle, stored, source)


def _declared(bundle: Bundle, source: str) -> None:
    if bundle.format == FORMAT_V1:
        return
    if bundle.count != len(bundle.events):
        raise BundleError(
            f"{source}: declares {bundle.count} events but holds {len(bundle.events)} (cut short?)"
        )
    if bundle.digest != events_digest(bundle.events):
        raise BundleError(f"{source}: the events do not match the bundle's digest (changed?)")


def _decoded(mapper: PydanticMapper, index: int, event: BundledEvent, source: str) -> StoredEvent:
    """The event as it will be stored, once it decodes as one of tasktrail's own."""
    try:
        stored = event.stored()
        mapper.to_domain_event(stored)
    except Exception as error:  # noqa: BLE001 - whatever fails to decode makes it unreadable
        message = " ".join(str(error).split())[:300]
        raise BundleError(f"{source}: event {index} cannot be read: {message}") from None
    return stored


def _streams(mapper: PydanticMapper, events: list[StoredEvent], source: str) -> None:
    """Each stream: versions 1, 2, 3 … in bundle order, a creation event first, one type."""
    seen: dict[UUID, tuple[int, str]] = {}
    for index, event in enumerate(events):
        cls = mapper.event_class(event.topic)
        kind = cls.TOPIC.partition(".")[0]
        last, first_kind = seen.get(UUID(str(event.originator_id)), (0, kind))
        where = f"{source}: event {index} ({event.topic} of {event.originator_id})"
        if event.originator_version != last + 1:
            raise BundleError(f"{where} is version {event.originator_version}, {last + 1} expected")
        if last == 0 and not issubclass(cls, StateMachineAggregate.Created):
            raise BundleError(f"{where} begins its stream but is no creation event")
        if kind != first_kind:
            raise BundleError(f"{where} is a {kind} event in a {first_kind} stream")
        seen[UUID(str(event.originator_id))] = (last + 1, kind)


def _in_log_order(
    mapper: PydanticMapper, bundle: Bundle, events: list[StoredEvent], source: str
) -> list[StoredEvent]:
    """Format 2 is in log order already (checked); format 1, by the events' own timestamps."""
    if bundle.format == FORMAT_V1:
        stamps = [_timestamp(mapper, event) for event in events]
        by_time = [events[i] for i in sorted(range(len(events)), key=lambda i: stamps[i])]
        return by_time if _streams_in_order(by_time) else events
    positions = [e.position for e in bundle.events]
    if any(p is None for p in positions) or positions != sorted(set(positions)):  # type: ignore[type-var]
        raise BundleError(f"{source}: event positions are missing or not increasing")
    return events


def _timestamp(mapper: PydanticMapper, event: StoredEvent) -> datetime:
    decoded = mapper.to_domain_event(event)
    return cast(datetime, decoded.timestamp)  # type: ignore[attr-defined]


def _streams_in_order(events: list[StoredEvent]) -> bool:
    """Each stream's versions still rise (a clock that went back could have swapped two)."""
    last: dict[object, int] = {}
    for event in events:
        if event.originator_version < last.get(event.originator_id, 0):
            return False
        last[event.originator_id] = event.originator_version
    return True
