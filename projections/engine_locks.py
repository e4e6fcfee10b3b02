"""``engine_locks``: who holds which lock now, since when, for which command."""

from __future__ import annotations

from domain.model.events import Transitioned
from domain.model.lock.aggregate import EngineLock
from domain.model.lock.machine import LockState
from projections.changes import Change, Delete, Insert

_ACQUIRED = (EngineLock.Created, EngineLock.ExclusiveAcquired, EngineLock.SharedAcquired)
_RELEASED = (
    EngineLock.ExclusiveReleased,
    EngineLock.SharedReleased,
    EngineLock.LastSharedReleased,
)


def project_lock(event: Transitioned) -> list[Change]:
    if isinstance(event, _ACQUIRED):
        return [
            Insert(
                "engine_locks",
                {
                    "lock_id": event.originator_id,
                    "command_id": event.command_id,
                    "lock_group": event.group,
                    "entity_id": event.key,
                    "exclusive": event.to_state == LockState.EXCLUSIVE,
                    "since": event.timestamp,
                    "message": event.message,
                },
            )
        ]
    if isinstance(event, _RELEASED):
        return [
            Delete("engine_locks", {"lock_id": event.originator_id, "command_id": event.command_id})
        ]
    return []
