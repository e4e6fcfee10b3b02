"""The EngineLock aggregate: who holds a key, since when, for which command.

Its id is derived from (group, key), so two engines racing for one key append to one stream;
the store's optimistic concurrency lets exactly one of them win. No lock table of our own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event
from pydantic import BaseModel, ConfigDict

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.events import Cause, EventMeta
from tasktrail.domain.model.lock.machine import LOCK_TABLE, LockState

_LOCK_NAMESPACE = uuid5(NAMESPACE_URL, "tasktrail:engine-lock")


def lock_id(group: str, key: UUID) -> UUID:
    """The stream id of the lock on ``key`` in ``group`` (VM, DISK, …)."""
    return uuid5(_LOCK_NAMESPACE, f"{group}:{key}")


class Holder(BaseModel):
    model_config = ConfigDict(frozen=True)

    command_id: UUID
    since: datetime
    message: str
    """The validation message a refused contender gets (ACTION_TYPE_FAILED_OBJECT_LOCKED)."""


class EngineLock(StateMachineAggregate):
    TABLE = LOCK_TABLE
    # The event classes @event makes from the methods below, declared for type checkers.
    Created: ClassVar[type[Any]]
    ExclusiveAcquired: ClassVar[type[Any]]
    SharedAcquired: ClassVar[type[Any]]
    ExclusiveReleased: ClassVar[type[Any]]
    SharedReleased: ClassVar[type[Any]]
    LastSharedReleased: ClassVar[type[Any]]
    state: LockState
    group: str
    key: UUID
    holders: dict[UUID, Holder]

    @event("Created")
    def __init__(
        self,
        meta: EventMeta,
        id: UUID,
        group: str,
        key: UUID,
        command_id: UUID,
        message: str,
        to_state: LockState = LockState.EXCLUSIVE,
        timestamp: datetime | None = None,
    ) -> None:
        """``to_state`` is EXCLUSIVE or SHARED; ``timestamp`` is filled in from the cause."""
        self.group = group
        self.key = key
        self.holders = {}
        self._hold(command_id, timestamp, message)

    @classmethod
    def take(
        cls, cause: Cause, *, group: str, key: UUID, command_id: UUID, exclusive: bool, message: str
    ) -> EngineLock:
        """The first hold of a key: the lock's stream begins."""
        return cls(
            cause,
            id=lock_id(group, key),
            group=group,
            key=key,
            command_id=command_id,
            message=message,
            to_state=LockState.EXCLUSIVE if exclusive else LockState.SHARED,
        )

    def conflicts_with(self, exclusive: bool) -> bool:
        """Exclusive conflicts with any holder; shared only with an exclusive holder."""
        if self.state is LockState.FREE:
            return False
        return exclusive or self.state is LockState.EXCLUSIVE

    def acquire(self, cause: Cause, *, command_id: UUID, exclusive: bool, message: str) -> None:
        """Another hold on the key; the event names the key so that projections need no other."""
        take = self.acquire_exclusive if exclusive else self.acquire_shared
        take(cause, self.group, self.key, command_id, message)

    @event("ExclusiveAcquired")
    def acquire_exclusive(
        self,
        meta: EventMeta,
        group: str,
        key: UUID,
        command_id: UUID,
        message: str,
        timestamp: datetime | None = None,
    ) -> None:
        self._hold(command_id, timestamp, message)

    @event("SharedAcquired")
    def acquire_shared(
        self,
        meta: EventMeta,
        group: str,
        key: UUID,
        command_id: UUID,
        message: str,
        timestamp: datetime | None = None,
    ) -> None:
        self._hold(command_id, timestamp, message)

    def _hold(self, command_id: UUID, since: datetime | None, message: str) -> None:
        assert since is not None
        holder = Holder(command_id=command_id, since=since, message=message)
        self.holders = {**self.holders, command_id: holder}

    def release(self, cause: Cause, command_id: UUID) -> None:
        """Releases ``command_id``'s hold; releasing a lock it does not hold is a no-op."""
        if command_id not in self.holders:
            return
        if self.state is LockState.EXCLUSIVE:
            self.release_exclusive(cause, command_id)
        elif len(self.holders) > 1:
            self.release_shared(cause, command_id)
        else:
            self.release_last_shared(cause, command_id)

    @event("ExclusiveReleased")
    def release_exclusive(self, meta: EventMeta, command_id: UUID) -> None:
        self._let_go(command_id)

    @event("SharedReleased")
    def release_shared(self, meta: EventMeta, command_id: UUID) -> None:
        self._let_go(command_id)

    @event("LastSharedReleased")
    def release_last_shared(self, meta: EventMeta, command_id: UUID) -> None:
        self._let_go(command_id)

    def _let_go(self, command_id: UUID) -> None:
        self.holders = {k: v for k, v in self.holders.items() if k != command_id}
