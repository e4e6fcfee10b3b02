"""Engine locks taken at validation and released when the command ends, all as events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from tasktrail.domain.model.lock.aggregate import EngineLock, lock_id
from tasktrail.domain.services.messages import Msg

if TYPE_CHECKING:
    from tasktrail.domain.model.events import Cause
    from tasktrail.domain.services.ports import UnitOfWork


@dataclass(frozen=True)
class LockRequest:
    group: str
    """VM, DISK, … (oVirt's LockingGroup)."""
    key: UUID
    exclusive: bool = True
    message: str = Msg.OBJECT_LOCKED.value
    """What a contender is told while this lock is held (``KEY$var value…`` like oVirt's)."""


def conflicts(uow: UnitOfWork, requests: list[LockRequest]) -> list[str]:
    """The messages of the holders that stand in the way of ``requests`` (oVirt checks first).

    As oVirt's InMemoryLockManager answers: each holder's message, split at ``$`` into the
    key and its variables.
    """
    found: list[str] = []
    for request in requests:
        held = uow.find(EngineLock, lock_id(request.group, request.key))
        if held is not None and held.conflicts_with(request.exclusive):
            for holder in held.holders.values():
                found += _split(holder.message)
    return found


def _split(message: str) -> list[str]:
    key, *variables = message.split("$")
    return [key, *(f"${v}" for v in variables)]


def acquire_all(
    uow: UnitOfWork, cause: Cause, command_id: UUID, requests: list[LockRequest]
) -> None:
    """Takes every lock in ``uow``; call after ``conflicts`` found none.

    A rival that takes a lock between the check and the commit makes the commit fail with
    ConcurrencyError on the lock's stream, so check and take are as good as atomic across
    engines: the loser validates again and is refused.
    """
    for request in requests:
        held = uow.find(EngineLock, lock_id(request.group, request.key))
        if held is None:
            uow.add(
                EngineLock.take(
                    cause,
                    group=request.group,
                    key=request.key,
                    command_id=command_id,
                    exclusive=request.exclusive,
                    message=request.message,
                )
            )
        else:
            held.acquire(
                cause, command_id=command_id, exclusive=request.exclusive, message=request.message
            )


def release_all(
    uow: UnitOfWork, cause: Cause, command_id: UUID, requests: list[LockRequest]
) -> None:
    for request in requests:
        held = uow.find(EngineLock, lock_id(request.group, request.key))
        if held is not None:
            held.release(cause, command_id)
