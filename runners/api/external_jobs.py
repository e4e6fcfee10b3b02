"""External jobs and steps, which other systems report into the engine (oVirt's
AddExternalJob, EndExternalJob, ClearExternalJob, AddExternalStep, EndExternalStep).

The operations the API needs, one function each. tasktrail's engine has no external jobs yet
(their commands come with another issue), so each refuses with 501 and writes nothing; the
routes check ids and bodies first, so those errors are answered as they will be then.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from runners.api.errors import NotImplementedYetError
from runners.bootstrap import Runtime
from runners.users import User


@dataclass(frozen=True)
class NewJob:
    description: str
    auto_cleared: bool
    correlation_id: str | None


@dataclass(frozen=True)
class NewStep:
    job_id: UUID
    step_type: str
    description: str
    parent_step_id: UUID | None


def _missing(action: str) -> NotImplementedYetError:
    return NotImplementedYetError(
        f"{action} is not implemented in tasktrail yet: external jobs and steps cannot be "
        "added or ended; nothing was written"
    )


def add_job(runtime: Runtime, user: User, job: NewJob) -> UUID:
    raise _missing("AddExternalJob")


def end_job(runtime: Runtime, user: User, job_id: UUID, succeeded: bool, force: bool) -> None:
    raise _missing("EndExternalJob")


def clear_job(runtime: Runtime, user: User, job_id: UUID) -> None:
    raise _missing("ClearExternalJob")


def add_step(runtime: Runtime, user: User, step: NewStep) -> UUID:
    raise _missing("AddExternalStep")


def end_step(runtime: Runtime, user: User, job_id: UUID, step_id: UUID, succeeded: bool) -> None:
    raise _missing("EndExternalStep")
