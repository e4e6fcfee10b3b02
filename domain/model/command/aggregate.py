"""The Command aggregate: one oVirt command (RemoveVm, RemoveImage, …) and its lifecycle."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event
from pydantic import BaseModel, ConfigDict

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.command.machine import COMMAND_TABLE, CommandStatus
from tasktrail.domain.model.events import AuditNote, EventMeta


class EntitySnapshot(BaseModel):
    """oVirt's business_entity_snapshot row: how to put one entity back."""

    model_config = ConfigDict(frozen=True)

    entity_id: UUID
    entity_type: str
    snapshot_type: str
    """DELETED_OR_UPDATED_ENTITY, NEW_ENTITY_ID, CHANGED_STATUS_ONLY, …"""
    state: dict[str, Any]
    """The state to put back (oVirt's snapshotEntityStatus stores the status it is given)."""


class Command(StateMachineAggregate):
    """Knows its action, parameters, family (parent, root, children), job, step and undo data."""

    TABLE = COMMAND_TABLE
    # The event classes @event makes from the methods below, declared for type checkers.
    Created: ClassVar[type[Any]]
    ValidationFailed: ClassVar[type[Any]]
    Activated: ClassVar[type[Any]]
    Executed: ClassVar[type[Any]]
    ChildrenAdded: ClassVar[type[Any]]
    EntitySnapshotted: ClassVar[type[Any]]
    Compensated: ClassVar[type[Any]]
    SnapshotsCleared: ClassVar[type[Any]]
    EndedSynchronously: ClassVar[type[Any]]
    ExecutionFailed: ClassVar[type[Any]]
    Succeeded: ClassVar[type[Any]]
    Failed: ClassVar[type[Any]]
    EndAttemptFailed: ClassVar[type[Any]]
    EndedSuccessfully: ClassVar[type[Any]]
    EndedWithFailure: ClassVar[type[Any]]
    MarkedUnknown: ClassVar[type[Any]]
    state: CommandStatus
    action_type: str
    parameters: dict[str, Any]
    parent_command_id: UUID | None
    root_command_id: UUID
    job_id: UUID | None
    step_id: UUID | None
    has_callback: bool
    executed: bool
    child_ids: tuple[UUID, ...]
    snapshots: tuple[EntitySnapshot, ...]
    messages: tuple[str, ...]
    end_attempt_failures: int
    succeeded: bool
    """Whether execute succeeded (oVirt's getSucceeded after executeCommand)."""
    return_value: Any
    """The action's own result (ActionReturnValue.actionReturnValue)."""

    @event("Created")
    def __init__(
        self,
        meta: EventMeta,
        id: UUID,
        action_type: str,
        parameters: dict[str, Any],
        parent_command_id: UUID | None = None,
        root_command_id: UUID | None = None,
        job_id: UUID | None = None,
        has_callback: bool = False,
    ) -> None:
        self.action_type = action_type
        self.parameters = parameters
        self.parent_command_id = parent_command_id
        self.root_command_id = root_command_id or id
        self.job_id = job_id
        self.step_id = None
        self.has_callback = has_callback
        self.executed = False
        self.child_ids = ()
        self.snapshots = ()
        self.messages = ()
        self.end_attempt_failures = 0
        self.succeeded = False
        self.return_value = None

    @property
    def is_root(self) -> bool:
        return self.parent_command_id is None

    @event("ValidationFailed")
    def fail_validation(self, meta: EventMeta, messages: tuple[str, ...]) -> None:
        self.messages = messages

    @event("Activated")
    def activate(self, meta: EventMeta, step_id: UUID | None) -> None:
        self.step_id = step_id

    @event("Executed")
    def mark_executed(
        self,
        meta: EventMeta,
        succeeded: bool = True,
        return_value: Any = None,
        audit: AuditNote | None = None,
    ) -> None:
        """execute returned (oVirt's ``executed`` flag), whether it succeeded or not."""
        self.executed = True
        self.succeeded = succeeded
        self.return_value = return_value

    @event("ChildrenAdded")
    def add_children(self, meta: EventMeta, child_ids: tuple[UUID, ...]) -> None:
        self.child_ids = (*self.child_ids, *child_ids)

    @event("EntitySnapshotted")
    def snapshot_entity(self, meta: EventMeta, snapshot: EntitySnapshot) -> None:
        self.snapshots = (*self.snapshots, snapshot)

    @event("Compensated")
    def compensate(self, meta: EventMeta) -> None:
        self.snapshots = ()

    @event("SnapshotsCleared")
    def clear_snapshots(self, meta: EventMeta) -> None:
        self.snapshots = ()

    @event("EndedSynchronously")
    def end_synchronously(self, meta: EventMeta) -> None:
        pass

    @event("ExecutionFailed")
    def fail_execution(
        self, meta: EventMeta, messages: tuple[str, ...], audit: AuditNote | None = None
    ) -> None:
        self.messages = messages

    @event("Succeeded")
    def succeed(self, meta: EventMeta) -> None:
        pass

    @event("Failed")
    def fail(self, meta: EventMeta, messages: tuple[str, ...]) -> None:
        self.messages = messages

    @event("EndAttemptFailed")
    def record_end_attempt_failure(self, meta: EventMeta, error: str) -> None:
        self.end_attempt_failures += 1

    @event("EndedSuccessfully")
    def end_successfully(self, meta: EventMeta, audit: AuditNote | None = None) -> None:
        pass

    @event("EndedWithFailure")
    def end_with_failure(
        self, meta: EventMeta, messages: tuple[str, ...], audit: AuditNote | None = None
    ) -> None:
        self.messages = messages

    @event("MarkedUnknown")
    def mark_unknown(self, meta: EventMeta) -> None:
        pass
