"""JobExecutionStatus, shared by jobs and steps (oVirt's COMMON job/JobExecutionStatus)."""

from __future__ import annotations

from enum import StrEnum

from tasktrail.domain.model.machine import Row, TransitionTable


class JobExecutionStatus(StrEnum):
    STARTED = "STARTED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"
    UNKNOWN = "UNKNOWN"


S = JobExecutionStatus

JOB_TABLE = TransitionTable(
    "Job",
    JobExecutionStatus,
    initial=[S.STARTED],
    created="Started",
    rows=[
        # Job.markJobEnded(true): only from STARTED.
        Row("finish", (S.STARTED,), S.FINISHED, "Finished", "the root command ended well"),
        # Job.markJobEnded(false): the failing step is named in the event.
        Row("fail", (S.STARTED,), S.FAILED, "Failed", "the root command ended badly"),
        # EndExternalJob with force, or an operator abort.
        Row("abort", (S.STARTED,), S.ABORTED, "Aborted", "stopped by an operator"),
        # Startup: a STARTED job with no storage-task step cannot be resumed.
        Row(
            "mark_unknown",
            (S.STARTED,),
            S.UNKNOWN,
            "MarkedUnknown",
            "its engine stopped with nothing to resume",
        ),
        # saveStep bumps the job's last_update_time; here it also lists the step.
        Row("add_step", (S.STARTED,), None, "StepAdded", "a step began under this job"),
        # ClearExternalJob / EndExternalJob(force): auto_cleared = true, status unchanged.
        Row(
            "set_auto_cleared",
            tuple(S),
            None,
            "AutoClearSet",
            "an operator let the cleanup delete it",
        ),
        # JobRepositoryCleanupManager: ended and auto-cleared jobs are deleted after a delay.
        Row(
            "clean_up",
            (S.FINISHED, S.FAILED, S.ABORTED, S.UNKNOWN),
            None,
            "CleanedUp",
            "its row was deleted by the job cleanup",
            deletes=True,
        ),
    ],
)
