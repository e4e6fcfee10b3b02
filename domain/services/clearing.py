"""Clearing a failed command's job now, as oVirt's job cleanup would later (its rows go,
history keeps them), on an operator's word: ``remediate --clear``."""

from __future__ import annotations

from uuid import UUID

from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.command.machine import CommandStatus
from tasktrail.domain.model.errors import TasktrailError
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.services.ports import UnitOfWork


class ClearError(TasktrailError):
    """A job that cannot be cleared, and why."""


def job_to_clear(uow: UnitOfWork, command_id: UUID) -> Job:
    """The job of a failed root command, if it is still listed; ClearError otherwise."""
    command = uow.find(Command, command_id)
    if command is None:
        raise ClearError(f"no command {command_id}")
    if command.state is not CommandStatus.ENDED_WITH_FAILURE:
        raise ClearError(f"{command.action_type} {command.id} is {command.state.value}, not failed")
    job = uow.find(Job, command.job_id) if command.job_id else None
    if job is None or job.deleted:
        raise ClearError(f"the job of {command.action_type} {command.id} is already cleared")
    return job


def clear(uow: UnitOfWork, cause: Cause, command_id: UUID) -> None:
    """The failed command's job cleaned up now, by ``cause``'s user."""
    job = job_to_clear(uow, command_id)
    if not job.auto_cleared:
        job.set_auto_cleared(cause)
    job.clean_up(cause)
