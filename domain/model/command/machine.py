"""CommandStatus and its legal moves, as the oVirt reference (§2.1) says CommandBase codes them."""

from __future__ import annotations

from enum import StrEnum

from tasktrail.domain.model.machine import Row, TransitionTable


class CommandStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    ACTIVE = "ACTIVE"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    EXECUTION_FAILED = "EXECUTION_FAILED"
    ENDED_SUCCESSFULLY = "ENDED_SUCCESSFULLY"
    ENDED_WITH_FAILURE = "ENDED_WITH_FAILURE"
    UNKNOWN = "UNKNOWN"

    @property
    def is_ended(self) -> bool:
        return self in ENDED_STATUSES


ENDED_STATUSES = frozenset(
    {CommandStatus.ENDED_SUCCESSFULLY, CommandStatus.ENDED_WITH_FAILURE, CommandStatus.UNKNOWN}
)

S = CommandStatus

COMMAND_TABLE = TransitionTable(
    "Command",
    CommandStatus,
    initial=[S.NOT_STARTED],
    rows=[
        # Validation returned false or threw; the lock is freed with it.
        Row(
            "fail_validation",
            (S.NOT_STARTED,),
            S.ENDED_WITH_FAILURE,
            "ValidationFailed",
            "validation refused the command",
        ),
        # execute() is invoked once validation passed.
        Row(
            "activate", (S.NOT_STARTED,), S.ACTIVE, "Activated", "validation passed, execute begins"
        ),
        # executeCommand() returned without an exception, succeeded or not (oVirt's `executed`).
        Row("mark_executed", (S.ACTIVE,), None, "Executed", "execute returned"),
        # A child command was started under this one, in the same save as the child.
        Row("add_children", (S.ACTIVE,), None, "ChildrenAdded", "children started"),
        # The prior state of an entity, kept so that a failure can put it back.
        Row(
            "snapshot_entity",
            (S.ACTIVE,),
            None,
            "EntitySnapshotted",
            "compensation data recorded before a change",
        ),
        # The snapshots were applied in reverse order; the entities are back where they were.
        Row(
            "compensate",
            (S.ACTIVE, S.EXECUTION_FAILED, S.FAILED),
            None,
            "Compensated",
            "failure undone",
        ),
        # Compensation data is dropped once the command no longer needs it.
        Row(
            "clear_snapshots",
            (S.ACTIVE, S.SUCCEEDED),
            None,
            "SnapshotsCleared",
            "work kept, compensation data dropped",
        ),
        # Synchronous success: no storage task, no callback.
        Row(
            "end_synchronously",
            (S.ACTIVE,),
            S.ENDED_SUCCESSFULLY,
            "EndedSynchronously",
            "succeeded with nothing asynchronous to wait for",
        ),
        # Exception or !succeeded in a command with tasks or a callback.
        Row(
            "fail_execution",
            (S.ACTIVE,),
            S.EXECUTION_FAILED,
            "ExecutionFailed",
            "execute failed; the callback settles the rest",
        ),
        # Children done and none failed, and this command executed.
        Row(
            "succeed",
            (S.ACTIVE, S.EXECUTION_FAILED),
            S.SUCCEEDED,
            "Succeeded",
            "asynchronous work ended well",
        ),
        # A child failed, a task failed, the command expired, or an end method gave up.
        Row(
            "fail",
            (S.NOT_STARTED, S.ACTIVE, S.EXECUTION_FAILED, S.SUCCEEDED),
            S.FAILED,
            "Failed",
            "asynchronous work ended badly",
        ),
        # An end method threw; the callback runner will try again (bounded).
        Row(
            "record_end_attempt_failure",
            (S.SUCCEEDED, S.FAILED),
            None,
            "EndAttemptFailed",
            "end method threw, will retry",
        ),
        # endSuccessfully() ran.
        Row(
            "end_successfully",
            (S.SUCCEEDED,),
            S.ENDED_SUCCESSFULLY,
            "EndedSuccessfully",
            "end action done",
        ),
        # endWithFailure() ran; also the synchronous failure path and restart handling.
        Row(
            "end_with_failure",
            (S.ACTIVE, S.FAILED, S.EXECUTION_FAILED),
            S.ENDED_WITH_FAILURE,
            "EndedWithFailure",
            "failure end action done",
        ),
        # A command created but never validated when its engine died.
        Row(
            "mark_unknown",
            (S.NOT_STARTED,),
            S.UNKNOWN,
            "MarkedUnknown",
            "its engine stopped before validation",
        ),
    ],
)
