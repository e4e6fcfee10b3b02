"""Step types (oVirt's StepEnum, the part tasktrail uses) and the step's legal moves."""

from __future__ import annotations

from enum import StrEnum

from tasktrail.domain.model.job.machine import JobExecutionStatus
from tasktrail.domain.model.machine import Row, TransitionTable


class StepEnum(StrEnum):
    VALIDATING = "VALIDATING"
    EXECUTING = "EXECUTING"
    FINALIZING = "FINALIZING"
    REMOVING_VM = "REMOVING_VM"
    ADD_VM = "ADD_VM"
    DELETE_IMAGE = "DELETE_IMAGE"
    CREATE_VOLUME = "CREATE_VOLUME"
    COPY_IMAGE = "COPY_IMAGE"
    UNKNOWN = "UNKNOWN"


S = JobExecutionStatus

STEP_TABLE = TransitionTable(
    "Step",
    JobExecutionStatus,
    initial=[S.STARTED],
    created="Started",
    rows=[
        # Step.markStepEnded(true); also from UNKNOWN when a task step resolves after restart.
        Row("finish", (S.STARTED, S.UNKNOWN), S.FINISHED, "Finished", "its work ended well"),
        # Step.markStepEnded(false): the storage task or the phase failed.
        Row("fail", (S.STARTED, S.UNKNOWN), S.FAILED, "Failed", "its work ended badly"),
        # EndExternalJob with force turns STARTED steps ABORTED.
        Row("abort", (S.STARTED,), S.ABORTED, "Aborted", "its job was aborted"),
        # Startup finalizeJobs, or a storage task the SPM no longer knows.
        Row("mark_unknown", (S.STARTED,), S.UNKNOWN, "MarkedUnknown", "its outcome is unknown"),
        # StepDao.updateStepProgress: a command or host job reports how far it is.
        Row(
            "report_progress",
            (S.STARTED,),
            None,
            "ProgressReported",
            "its work advanced",
        ),
        # updateStepExternalId: the step now follows a storage task (vdsm task id).
        Row(
            "attach_external",
            (S.STARTED,),
            None,
            "ExternalAttached",
            "a storage task carries this step",
        ),
    ],
)
