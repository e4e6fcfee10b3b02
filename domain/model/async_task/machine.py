"""The engine side of a storage task (AsyncTaskState) and what the storage side reports."""

from __future__ import annotations

from enum import StrEnum

from tasktrail.domain.model.machine import Row, TransitionTable


class AsyncTaskState(StrEnum):
    INITIALIZING = "Initializing"
    POLLING = "Polling"
    ENDED = "Ended"
    ATTEMPTING_END_ACTION = "AttemptingEndAction"
    CLEAR_FAILED = "ClearFailed"
    CLEARED = "Cleared"


class AsyncTaskStatus(StrEnum):
    """The SPM's taskState (AsyncTaskStatusEnum); there is no ``working``."""

    UNKNOWN = "unknown"
    INIT = "init"
    RUNNING = "running"
    FINISHED = "finished"
    ABORTING = "aborting"
    CLEANING = "cleaning"

    @property
    def is_running(self) -> bool:
        return self not in {AsyncTaskStatus.FINISHED, AsyncTaskStatus.UNKNOWN}


class AsyncTaskResult(StrEnum):
    """AsyncTaskResultEnum; parsed only once the status is ``finished``."""

    SUCCESS = "success"
    FAILURE = "failure"
    CLEAN_SUCCESS = "cleanSuccess"
    CLEAN_FAILURE = "cleanFailure"
    UNKNOWN = "unknown"


class AsyncTaskType(StrEnum):
    """AsyncTaskType, the part tasktrail uses."""

    UNKNOWN = "unknown"
    DELETE_IMAGE = "deleteImage"
    CREATE_VOLUME = "createVolume"
    COPY_IMAGE = "copyImage"


S = AsyncTaskState

ASYNC_TASK_TABLE = TransitionTable(
    "AsyncTask",
    AsyncTaskState,
    initial=[S.INITIALIZING],
    rows=[
        # startPollingTask: the command's storage tasks all exist; poll them now.
        Row(
            "start_polling", (S.INITIALIZING,), S.POLLING, "PollingStarted", "the task is submitted"
        ),
        # A poll saw a new status or result while the task still runs.
        Row("record_status", (S.POLLING,), None, "StatusPolled", "the SPM reported a change"),
        # handleEndedTask: not running any more (finished, or unknown past its limit; zombies).
        Row("end", (S.INITIALIZING, S.POLLING), S.ENDED, "Ended", "the storage side is done"),
        # endActionIfNecessary: every task of the command ended; its end action runs now.
        Row(
            "attempt_end_action",
            (S.ENDED,),
            S.ATTEMPTING_END_ACTION,
            "EndActionAttempted",
            "the command's end action starts",
        ),
        # repoll: the end action asked to be tried again.
        Row("repoll", (S.ATTEMPTING_END_ACTION,), S.ENDED, "Repolled", "end action retried"),
        # SPMClearTask succeeded; the async_tasks row goes.
        Row(
            "clear",
            (S.ENDED, S.ATTEMPTING_END_ACTION, S.CLEAR_FAILED),
            S.CLEARED,
            "Cleared",
            "the SPM forgot the task",
        ),
        # Engine start, oVirt's restart policy: the SPM does not report it; its row is deleted
        # without touching its step or command (AsyncTaskManager.addStoragePoolExistingTasks).
        Row(
            "drop",
            (S.INITIALIZING, S.POLLING),
            S.CLEARED,
            "Dropped",
            "the SPM did not report it when the engine started",
        ),
        # SPMClearTask failed; retried on every poll.
        Row(
            "fail_clear",
            (S.ENDED, S.ATTEMPTING_END_ACTION, S.CLEAR_FAILED),
            S.CLEAR_FAILED,
            "ClearFailed",
            "the SPM could not forget the task",
        ),
    ],
)
