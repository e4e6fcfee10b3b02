"""The EngineLock aggregate: who holds a key, since when, for which command.

Its id is derived from (group, key), so two engines racing for one key append to one stream;
the store's optimistic concurrency lets exactly one of them win. No lock table of our own.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict

from domain.events import Cause
from domain.lock.machine import LOCK_TABLE, LockState
from domain.state_machine import Created as BaseCreated
from domain.state_machine import StateMachineAggregate, Transitioned

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
    state: LockState

    group: str
    key: UUID
    holders: dict[UUID, Holder]

    class Acquired(Transitioned):
        group: str
        key: UUID
        command_id: UUID
        message: str

        def apply(self, aggregate: EngineLock) -> None:
            holder = Holder(command_id=self.command_id, since=self.timestamp, message=self.message)
            aggregate.holders = {**aggregate.holders, self.command_id: holder}

    class Created(BaseCreated):
        group: str
        key: UUID
        command_id: UUID
        message: str

        def apply(self, aggregate: EngineLock) -> None:
            aggregate.group = self.group
            aggregate.key = self.key
            holder = Holder(command_id=self.command_id, since=self.timestamp, message=self.message)
            aggregate.holders = {self.command_id: holder}

    class ExclusiveAcquired(Acquired):
        pass

    class SharedAcquired(Acquired):
        pass

    class Released(Transitioned):
        command_id: UUID

        def apply(self, aggregate: EngineLock) -> None:
            aggregate.holders = {k: v for k, v in aggregate.holders.items() if k != self.command_id}

    class ExclusiveReleased(Released):
        pass

    class SharedReleased(Released):
        pass

    class LastSharedReleased(Released):
        pass

    @classmethod
    def acquire_new(
        cls, cause: Cause, *, group: str, key: UUID, command_id: UUID, exclusive: bool, message: str
    ) -> EngineLock:
        state = LockState.EXCLUSIVE if exclusive else LockState.SHARED
        return cls._create(
            cls.Created,
            cause,
            state,
            id=lock_id(group, key),
            group=group,
            key=key,
            command_id=command_id,
            message=message,
        )

    def conflicts_with(self, exclusive: bool) -> bool:
        """Exclusive conflicts with any holder; shared only with an exclusive holder."""
        if self.state is LockState.FREE:
            return False
        return exclusive or self.state is LockState.EXCLUSIVE

    def acquire(self, cause: Cause, *, command_id: UUID, exclusive: bool, message: str) -> None:
        trigger = "acquire_exclusive" if exclusive else "acquire_shared"
        self._transition(
            trigger, cause, group=self.group, key=self.key, command_id=command_id, message=message
        )

    def release(self, cause: Cause, command_id: UUID) -> None:
        """Releases ``command_id``'s hold; releasing a lock it does not hold is a no-op."""
        if command_id not in self.holders:
            return
        if self.state is LockState.EXCLUSIVE:
            trigger = "release_exclusive"
        elif len(self.holders) > 1:
            trigger = "release_shared"
        else:
            trigger = "release_last_shared"
        self._transition(trigger, cause, command_id=command_id)
