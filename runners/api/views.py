"""What the API shows of the read model: one typed view per thing, whatever the tables' shape.

Both APIs are built from these (oVirt's elements by ``ovirt.mapping``, tasktrail's JSON as
they are), and only ``reading`` fills them from the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class StepView(BaseModel):
    id: UUID
    job_id: UUID
    parent_step_id: UUID | None
    type: str
    """oVirt's StepEnum name: VALIDATING, EXECUTING, FINALIZING, DELETE_IMAGE, …"""
    description: str
    number: int
    status: str
    """STARTED, FINISHED, FAILED, ABORTED or UNKNOWN."""
    start_time: datetime
    end_time: datetime | None
    external: bool
    external_system: str | None
    """VDSM for a storage task's step (its task id is ``external_id``), GLUSTER, or None."""
    external_id: str | None
    reason: str | None
    """Why the step failed, when it did."""
    command_id: UUID | None = None
    """The command that began the step (its storage task, for VDSM: ``external_id``)."""
    steps: list[StepView] = Field(default_factory=list)
    """Its sub-steps, in the step trees of tasktrail's API (empty in flat lists)."""


class JobView(BaseModel):
    id: UUID
    action_type: str
    description: str
    status: str
    owner: str
    """The user who ran the job's command."""
    correlation_id: str
    start_time: datetime
    end_time: datetime | None
    last_updated: datetime
    external: bool
    auto_cleared: bool
    reason: str | None


class JobQuery(BaseModel):
    """Which jobs to list: filters combine with AND; ``since`` and ``until`` bound the start."""

    status: str | None = None
    correlation_id: str | None = None
    action_type: str | None = None
    owner: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None
    offset: int = 0


class JobTree(JobView):
    steps: list[StepView]
    """The top-level steps, each with its sub-steps."""


class CommandView(BaseModel):
    id: UUID
    action_type: str
    status: str
    parent_command_id: UUID | None
    root_command_id: UUID
    job_id: UUID | None
    user: str
    correlation_id: str
    created_at: datetime
    ended_at: datetime | None
    executed: bool
    parameters: dict[str, Any]
    messages: list[str]
    """Its validation or failure messages (oVirt's ActionReturnValue), empty if none."""


class TaskView(BaseModel):
    id: UUID
    task_type: str
    state: str
    """The engine's view: Initializing, Polling, Ended, AttemptingEndAction, Cleared, …"""
    status: str
    """The storage's last report: init, running, finished, …"""
    result: str
    command_id: UUID
    root_command_id: UUID
    step_id: UUID | None
    storage_pool_id: UUID
    vdsm_task_id: str
    started_at: datetime
    last_update: datetime
    error: str | None


class LockView(BaseModel):
    lock_group: str
    entity_id: UUID
    exclusive: bool
    command_id: UUID
    since: datetime
    message: str


class VmView(BaseModel):
    id: UUID
    name: str
    status: str
    """Down, Up, Suspended, ImageLocked, ImageIllegal."""
    origin: str
    storage_pool_id: UUID
    created_at: datetime


class DiskView(BaseModel):
    id: UUID
    alias: str
    vm_id: UUID | None
    storage_pool_id: UUID
    size_gb: int
    status: str
    """OK, LOCKED or ILLEGAL."""


class DataCenterView(BaseModel):
    id: UUID
    name: str
    status: str
    """Uninitialized, Up, Maintenance, NotOperational or NonResponsive."""


class CommandCount(BaseModel):
    action_type: str
    status: str
    count: int


class HistoryEvent(BaseModel):
    position: int
    """The event's place in the log: pass it as ``after`` (or Last-Event-ID) to the stream."""
    timestamp: datetime
    aggregate_type: str
    aggregate_id: UUID
    version: int
    event_type: str
    trigger: str
    from_state: str | None
    to_state: str
    user: str
    correlation_id: str
    causation_id: UUID | None
