"""Which projector handles which event: a table by event class, built from the aggregates."""

from __future__ import annotations

from collections.abc import Callable

from tasktrail.domain.model.aggregate import StateMachineAggregate
from tasktrail.domain.model.async_task.aggregate import AsyncTask
from tasktrail.domain.model.command.aggregate import Command
from tasktrail.domain.model.events import Transitioned
from tasktrail.domain.model.inventory.disk import Disk
from tasktrail.domain.model.inventory.storage_pool import StoragePool
from tasktrail.domain.model.inventory.vm import Vm
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.lock.aggregate import EngineLock
from tasktrail.domain.model.registry import event_classes
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.projections.async_tasks import project_async_task
from tasktrail.projections.audit_log import project_audit
from tasktrail.projections.changes import Change
from tasktrail.projections.command_entities import project_command
from tasktrail.projections.engine_locks import project_lock
from tasktrail.projections.event_index import project_index
from tasktrail.projections.event_log import Recorded
from tasktrail.projections.inventory import project_disk, project_storage_pool, project_vm
from tasktrail.projections.job import project_job, project_step

Projector = Callable[[Transitioned], list[Change]]

_BY_AGGREGATE: dict[type[StateMachineAggregate], Projector] = {
    Command: project_command,
    Job: project_job,
    Step: project_step,
    AsyncTask: project_async_task,
    Vm: project_vm,
    Disk: project_disk,
    StoragePool: project_storage_pool,
    EngineLock: project_lock,
}

_BY_EVENT: dict[type[Transitioned], Projector] = {
    event_class: projector
    for aggregate, projector in _BY_AGGREGATE.items()
    for event_class in event_classes(aggregate).values()
}


_AUDITED = frozenset(c for c in _BY_EVENT if "audit" in c.model_fields)
"""The event classes that can carry an audit note (asking the others for one costs pydantic's
slow path for a missing attribute, on every event)."""


def project(recorded: Recorded) -> list[Change]:
    """Every row change one event makes; a pure function of the event and its position."""
    event = recorded.event
    changes = _BY_EVENT[type(event)](event)
    if type(event) in _AUDITED:
        changes = [*changes, *project_audit(event, recorded.position)]
    return [*changes, *project_index(event, recorded.position)]
