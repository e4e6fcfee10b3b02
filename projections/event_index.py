"""``tt_event`` and ``tt_event_entity``: one row per event, and every entity id it touches.

The entity ids are every UUID found in the event's payload (parameters included) plus the
aggregate itself and the causing command, so "everything about this VM" is an index lookup.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tasktrail.domain.model.events import Transitioned
from tasktrail.projections.changes import Change, Insert, aggregate_type, event_type

_POSITION_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "meta",
    "trigger",
    "from_state",
    "to_state",
}


def project_index(event: Transitioned, position: int) -> list[Change]:
    row = Insert(
        "tt_event",
        {
            "position": position,
            "aggregate_type": aggregate_type(event),
            "aggregate_id": event.originator_id,
            "version": event.originator_version,
            "event_type": event_type(event),
            "trigger": event.trigger,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "timestamp": event.timestamp,
            "user_id": event.meta.user_id,
            "correlation_id": event.meta.correlation_id,
            "causation_id": event.meta.causation_id,
        },
    )
    return [
        row,
        *(
            Insert("tt_event_entity", {"entity_id": e, "position": position})
            for e in sorted(touched(event))
        ),
    ]


def touched(event: Transitioned) -> set[UUID]:
    found = {event.originator_id}
    if event.meta.causation_id is not None:
        found.add(event.meta.causation_id)
    payload = event.model_dump(exclude=_POSITION_FIELDS)
    _collect(payload, found)
    return found


def _collect(value: Any, found: set[UUID]) -> None:
    if isinstance(value, UUID):
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)
    elif isinstance(value, str) and len(value) == 36:
        try:
            found.add(UUID(value))
        except ValueError:
            return
