"""``engine_locks``: who holds which lock now, since when, for which command."""

from __future__ import annotations

from domain.lock.aggregate import EngineLock
from domain.lock.machine import LockState
from domain.state_machine import Transitioned
from projections.changes import Change, Delete, Insert


def project_lock(event: Transitioned) -> list[Change]:
    if isinstance(event, EngineLock.Created | EngineLock.Acquired):
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
    if isinstance(event, EngineLock.Released):
        return [
            Delete("engine_locks", {"lock_id": event.originator_id, "command_id": event.command_id})
        ]
    return []
