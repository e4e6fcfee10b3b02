"""Engine locks taken at validation and released when the command ends, all as events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from domain.framework.messages import locked_message
from domain.lock.aggregate import EngineLock, lock_id

if TYPE_CHECKING:
    from domain.events import Cause
    from domain.framework.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LockRequest:
    group: str
    """VM, DISK, … (oVirt's LockingGroup)."""
    key: UUID
    exclusive: bool = True

    @property
    def message(self) -> str:
        return locked_message(self.group, self.key)


def acquire_all(
    uow: UnitOfWork, cause: Cause, command_id: UUID, requests: list[LockRequest]
) -> list[str]:
    """All-or-nothing: either every lock is taken in ``uow`` or the conflicts are returned.

    A rival that takes a lock between this check and the commit makes the commit fail with
    ConcurrencyError on the lock's stream, so the check is as good as atomic across engines.
    """
    locks = [uow.find(EngineLock, lock_id(r.group, r.key)) for r in requests]
    conflicts = [
        held.holders[next(iter(held.holders))].message
        for held, request in zip(locks, requests, strict=True)
        if held is not None and held.conflicts_with(request.exclusive)
    ]
    if conflicts:
        return conflicts
    for held, request in zip(locks, requests, strict=True):
        _take(uow, cause, command_id, held, request)
    return []


def _take(
    uow: UnitOfWork, cause: Cause, command_id: UUID, held: EngineLock | None, request: LockRequest
) -> None:
    if held is None:
        uow.add(
            EngineLock.acquire_new(
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
