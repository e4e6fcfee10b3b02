"""``tt_engine_lock``: who holds which lock now, since when, for which command (oVirt keeps
its locks in memory only)."""

from __future__ import annotations

from tasktrail.domain.model.events import Transitioned
from tasktrail.domain.model.lock.aggregate import EngineLock
from tasktrail.domain.model.lock.machine import LockState
from tasktrail.projections.changes import Change, Delete, Insert

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
                "tt_engine_lock",
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
            Delete(
                "tt_engine_lock", {"lock_id": event.originator_id, "command_id": event.command_id}
            )
        ]
    return []
