"""The Command aggregate: one oVirt command (RemoveVm, RemoveImage, …) and its lifecycle."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.command.machine import COMMAND_TABLE, CommandStatus
from domain.events import Cause
from domain.state_machine import Created as BaseCreated
from domain.state_machine import StateMachineAggregate, Transitioned


class EntitySnapshot(BaseModel):
    """oVirt's business_entity_snapshot row: how to put one entity back."""

    model_config = ConfigDict(frozen=True)

    entity_id: UUID
    entity_type: str
    snapshot_type: str
    """DELETED_OR_UPDATED_ENTITY, NEW_ENTITY_ID, CHANGED_STATUS_ONLY, …"""
    state: dict[str, Any]
    """The entity's state before the change, as its compensator needs it."""


class Command(StateMachineAggregate):
    """Knows its action, parameters, family (parent, root, children), job, step and undo data."""

    TABLE = COMMAND_TABLE
    state: CommandStatus

    action_type: str
    parameters: dict[str, Any]
    parent_command_id: UUID | None
    root_command_id: UUID
    job_id: UUID | None
    step_id: UUID | None
    has_callback: bool
    executed: bool
    child_ids: list[UUID]
    snapshots: list[EntitySnapshot]
    messages: list[str]
    end_attempt_failures: int

    class Created(BaseCreated):
        action_type: str
        parameters: dict[str, Any]
        parent_command_id: UUID | None
        root_command_id: UUID | None
        job_id: UUID | None
        has_callback: bool

        def apply(self, aggregate: Command) -> None:
            aggregate.action_type = self.action_type
            aggregate.parameters = self.parameters
            aggregate.parent_command_id = self.parent_command_id
            aggregate.root_command_id = self.root_command_id or self.originator_id
            aggregate.job_id = self.job_id
            aggregate.step_id = None
            aggregate.has_callback = self.has_callback
            aggregate.executed = False
            aggregate.child_ids = []
            aggregate.snapshots = []
            aggregate.messages = []
            aggregate.end_attempt_failures = 0

    class Activated(Transitioned):
        step_id: UUID | None

        def apply(self, aggregate: Command) -> None:
            aggregate.step_id = self.step_id

    class Executed(Transitioned):
        def apply(self, aggregate: Command) -> None:
            aggregate.executed = True

    class ChildrenAdded(Transitioned):
        child_ids: list[UUID]

        def apply(self, aggregate: Command) -> None:
            aggregate.child_ids = [*aggregate.child_ids, *self.child_ids]

    class EntitySnapshotted(Transitioned):
        snapshot: EntitySnapshot

        def apply(self, aggregate: Command) -> None:
            aggregate.snapshots = [*aggregate.snapshots, self.snapshot]

    class Compensated(Transitioned):
        def apply(self, aggregate: Command) -> None:
            aggregate.snapshots = []

    class SnapshotsCleared(Compensated):
        pass

    class ValidationFailed(Transitioned):
        messages: list[str]

        def apply(self, aggregate: Command) -> None:
            aggregate.messages = list(self.messages)

    class ExecutionFailed(ValidationFailed):
        pass

    class Failed(ValidationFailed):
        pass

    class EndedWithFailure(ValidationFailed):
        pass

    class EndAttemptFailed(Transitioned):
        error: str

        def apply(self, aggregate: Command) -> None:
            aggregate.end_attempt_failures += 1

    @classmethod
    def create(
        cls,
        cause: Cause,
        *,
        action_type: str,
        parameters: dict[str, Any],
        parent: Command | None = None,
        job_id: UUID | None = None,
        has_callback: bool = False,
        id: UUID | None = None,
    ) -> Command:
        return cls._create(
            cls.Created,
            cause,
            CommandStatus.NOT_STARTED,
            id=id,
            action_type=action_type,
            parameters=parameters,
            parent_command_id=parent.id if parent else None,
            root_command_id=parent.root_command_id if parent else None,
            job_id=job_id if job_id is not None else (parent.job_id if parent else None),
            has_callback=has_callback,
        )

    @property
    def is_root(self) -> bool:
        return self.parent_command_id is None

    def fail_validation(self, cause: Cause, messages: list[str]) -> None:
        self._transition("fail_validation", cause, messages=messages)

    def activate(self, cause: Cause, step_id: UUID | None) -> None:
        self._transition("activate", cause, step_id=step_id)

    def mark_executed(self, cause: Cause) -> None:
        self._transition("mark_executed", cause)

    def add_children(self, cause: Cause, child_ids: list[UUID]) -> None:
        self._transition("add_children", cause, child_ids=child_ids)

    def snapshot_entity(self, cause: Cause, snapshot: EntitySnapshot) -> None:
        self._transition("snapshot_entity", cause, snapshot=snapshot)

    def compensate(self, cause: Cause) -> None:
        self._transition("compensate", cause)

    def clear_snapshots(self, cause: Cause) -> None:
        self._transition("clear_snapshots", cause)

    def end_synchronously(self, cause: Cause) -> None:
        self._transition("end_synchronously", cause)

    def fail_execution(self, cause: Cause, messages: list[str]) -> None:
        self._transition("fail_execution", cause, messages=messages)

    def succeed(self, cause: Cause) -> None:
        self._transition("succeed", cause)

    def fail(self, cause: Cause, messages: list[str]) -> None:
        self._transition("fail", cause, messages=messages)

    def record_end_attempt_failure(self, cause: Cause, error: str) -> None:
        self._transition("record_end_attempt_failure", cause, error=error)

    def end_successfully(self, cause: Cause) -> None:
        self._transition("end_successfully", cause)

    def end_with_failure(self, cause: Cause, messages: list[str]) -> None:
        self._transition("end_with_failure", cause, messages=messages)

    def mark_unknown(self, cause: Cause) -> None:
        self._transition("mark_unknown", cause)
