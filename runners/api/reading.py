"""Every read of the read model the API makes, turned into its views.

The one module that knows the tables' names, columns and codes: when the read model's schema
changes, this is what changes with it. The projections' own queries are used where they give
what a view needs; the rest are small selects on the same tables.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from tasktrail.domain.model.command.machine import ENDED_STATUSES
from tasktrail.projections import audit, views
from tasktrail.projections.queries import NotFoundError, Row, fetch_all
from tasktrail.projections.read_model import ReadModel
from tasktrail.runners.api.views import (
    CommandCount,
    CommandView,
    DataCenterView,
    DiskView,
    HistoryEvent,
    JobQuery,
    JobTree,
    JobView,
    LockView,
    StepView,
    TaskView,
    VmView,
)


def jobs(model: ReadModel, query: JobQuery | None = None) -> list[JobView]:
    """Jobs, newest first, filtered and paged as ``query`` asks."""
    query = query or JobQuery()
    t = views.jobs(model.tables)
    select = sa.select(t).order_by(t.c.start_time.desc(), t.c.job_id)
    wanted = {
        t.c.status: query.status and query.status.upper(),
        t.c.correlation_id: query.correlation_id,
        t.c.action_type: query.action_type,
        t.c.owner: query.owner,
    }
    select = select.where(*(column == value for column, value in wanted.items() if value))
    if query.since is not None:
        select = select.where(t.c.start_time >= _utc(query.since))
    if query.until is not None:
        select = select.where(t.c.start_time < _utc(query.until))
    select = select.limit(query.limit).offset(query.offset)
    return [_job(row) for row in fetch_all(model, select)]


def job(model: ReadModel, job_id: UUID) -> JobView:
    t = views.jobs(model.tables)
    return _job(_one(model, sa.select(t).where(t.c.job_id == job_id), f"job {job_id}"))


def job_tree(model: ReadModel, job_id: UUID) -> JobTree:
    """The job with its steps nested under their parents, each level in step order."""
    flat = steps(model, job_id)
    return JobTree(**job(model, job_id).model_dump(), steps=_nested(flat, None))


def _nested(flat: list[StepView], parent: UUID | None) -> list[StepView]:
    return [
        s.model_copy(update={"steps": _nested(flat, s.id)})
        for s in flat
        if s.parent_step_id == parent
    ]


def steps(model: ReadModel, job_id: UUID) -> list[StepView]:
    """Every step of the job (sub-steps too), in the order they started."""
    s = views.steps(model.tables)
    query = sa.select(s).where(s.c.job_id == job_id).order_by(s.c.start_time, s.c.step_number)
    found = [_step(row) for row in fetch_all(model, query)]
    if not found:
        job(model, job_id)
    began = _beginners(model, [s.id for s in found])
    return [s.model_copy(update={"command_id": began.get(s.id)}) for s in found]


def _beginners(model: ReadModel, step_ids: list[UUID]) -> dict[UUID, UUID]:
    """The command that began each step: the causation of the step's first event."""
    e = model.tables.event_index
    query = sa.select(e.c.aggregate_id, e.c.causation_id).where(
        e.c.aggregate_id.in_(step_ids), e.c.version == 1, e.c.causation_id.is_not(None)
    )
    with model.engine.connect() as connection:
        return {row.aggregate_id: row.causation_id for row in connection.execute(query)}


def step(model: ReadModel, job_id: UUID, step_id: UUID) -> StepView:
    s = views.steps(model.tables)
    query = sa.select(s).where(s.c.job_id == job_id, s.c.step_id == step_id)
    return _step(_one(model, query, f"step {step_id} of job {job_id}"))


def commands(
    model: ReadModel,
    status: str | None = None,
    action_type: str | None = None,
    limit: int = 100,
) -> list[CommandView]:
    """Commands, newest first."""
    c = model.tables.tt_command
    query = sa.select(c).order_by(c.c.created_at.desc(), c.c.command_id).limit(limit)
    if status is not None:
        query = query.where(c.c.status == status.upper())
    if action_type is not None:
        query = query.where(c.c.command_type == action_type)
    return [_command(row) for row in fetch_all(model, query)]


def command(model: ReadModel, command_id: UUID) -> CommandView:
    c = model.tables.tt_command
    query = sa.select(c).where(c.c.command_id == command_id)
    return _command(_one(model, query, f"command {command_id}"))


def command_counts(model: ReadModel) -> list[CommandCount]:
    c = model.tables.tt_command
    query = sa.select(c.c.command_type, c.c.status, sa.func.count()).group_by(
        c.c.command_type, c.c.status
    )
    with model.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [CommandCount(action_type=t, status=s, count=n) for t, s, n in rows]


def in_flight(model: ReadModel) -> int:
    """Commands not yet ended."""
    c = model.tables.tt_command
    ended = [s.value for s in ENDED_STATUSES]
    query = sa.select(sa.func.count()).where(c.c.status.not_in(ended))
    with model.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def tasks(model: ReadModel) -> list[TaskView]:
    t = views.tasks(model.tables)
    return [_task(row) for row in fetch_all(model, sa.select(t).order_by(t.c.started_at))]


def locks(model: ReadModel) -> list[LockView]:
    t = model.tables.tt_engine_lock
    return [
        LockView(
            lock_group=row["lock_group"],
            entity_id=row["entity_id"],
            exclusive=row["exclusive"],
            command_id=row["command_id"],
            since=row["since"],
            message=row["message"],
        )
        for row in fetch_all(model, sa.select(t).order_by(t.c.since))
    ]


def vms(model: ReadModel) -> list[VmView]:
    v = model.tables.tt_vm
    query = sa.select(v).order_by(v.c.vm_name, v.c.vm_guid)
    return [_vm(row) for row in fetch_all(model, query)]


def vm(model: ReadModel, vm_id: UUID) -> VmView:
    v = model.tables.tt_vm
    query = sa.select(v).where(v.c.vm_guid == vm_id)
    return _vm(_one(model, query, f"VM {vm_id}"))


def disks(model: ReadModel, vm_id: UUID | None = None) -> list[DiskView]:
    """Disks (those of one VM with ``vm_id``), by alias."""
    d = model.tables.tt_disk
    query = sa.select(d)
    if vm_id is not None:
        query = query.where(d.c.vm_guid == vm_id)
    return [_disk(row) for row in fetch_all(model, query.order_by(d.c.disk_alias))]


def disk(model: ReadModel, disk_id: UUID) -> DiskView:
    d = model.tables.tt_disk
    query = sa.select(d).where(d.c.image_guid == disk_id)
    return _disk(_one(model, query, f"disk {disk_id}"))


def data_centers(model: ReadModel) -> list[DataCenterView]:
    p = model.tables.tt_storage_pool
    return [_data_center(row) for row in fetch_all(model, sa.select(p).order_by(p.c.name))]


def data_center(model: ReadModel, pool_id: UUID) -> DataCenterView:
    p = model.tables.tt_storage_pool
    query = sa.select(p).where(p.c.id == pool_id)
    return _data_center(_one(model, query, f"data center {pool_id}"))


def history(model: ReadModel, query: audit.AuditQuery) -> tuple[list[HistoryEvent], int | None]:
    """A page of the audit's events, and the offset of the next page (None on the last)."""
    bounds = {"since": _utc(query.since), "until": _utc(query.until)}
    page = audit.events(model, query.model_copy(update=bounds))
    return [HistoryEvent(**row) for row in page.events], page.next_offset


def failed(model: ReadModel, since: datetime | None, limit: int) -> list[audit.FailedCommand]:
    """Root commands that ended with failure, newest first, with the step that failed."""
    return audit.failed_commands(model, _utc(since), limit)


def _utc(moment: datetime | None) -> datetime | None:
    """A moment as the database compares it: in UTC (PostgreSQL refuses offsets beyond ±16 h),
    and within the years it stores (one at the edge of year 1 or 9999 is clamped)."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year == datetime.min.year else datetime.max).replace(
            tzinfo=UTC
        )


def _one(model: ReadModel, query: sa.Select[Any], what: str) -> Row:
    found = fetch_all(model, query)
    if not found:
        raise NotFoundError(f"{what} not found")
    return found[0]


def _job(row: Row) -> JobView:
    return JobView(
        id=row["job_id"],
        action_type=row["action_type"],
        description=row["description"],
        status=row["status"],
        owner=row["owner"],
        correlation_id=row["correlation_id"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        last_updated=row["last_update_time"],
        external=row["is_external"],
        auto_cleared=row["is_auto_cleared"],
        reason=row["reason"],
    )


def _step(row: Row) -> StepView:
    return StepView(
        id=row["step_id"],
        job_id=row["job_id"],
        parent_step_id=row["parent_step_id"],
        type=row["step_type"],
        description=row["description"],
        number=row["step_number"],
        status=row["status"],
        start_time=row["start_time"],
        end_time=row["end_time"],
        external=row["is_external"],
        external_system=row["external_system_type"],
        external_id=row["external_id"],
        reason=row["reason"],
    )


def _command(row: Row) -> CommandView:
    return CommandView(
        id=row["command_id"],
        action_type=row["command_type"],
        status=row["status"],
        parent_command_id=row["parent_command_id"],
        root_command_id=row["root_command_id"],
        job_id=row["job_id"],
        user=row["user_id"],
        correlation_id=row["correlation_id"],
        created_at=row["created_at"],
        ended_at=row["ended_at"],
        executed=row["executed"],
        parameters=json.loads(row["parameters"]),
        messages=json.loads(row["messages"] or "[]"),
    )


def _task(row: Row) -> TaskView:
    return TaskView(
        id=row["task_id"],
        task_type=row["task_type"],
        state=row["task_state"],
        status=row["status"],
        result=row["result"],
        command_id=row["command_id"],
        root_command_id=row["root_command_id"],
        step_id=row["step_id"],
        storage_pool_id=row["storage_pool_id"],
        vdsm_task_id=row["vdsm_task_id"],
        started_at=row["started_at"],
        last_update=row["last_update"],
        error=row["error"],
    )


def _vm(row: Row) -> VmView:
    return VmView(
        id=row["vm_guid"],
        name=row["vm_name"],
        status=row["status"],
        origin=row["origin"],
        storage_pool_id=row["storage_pool_id"],
        created_at=row["creation_date"],
    )


def _disk(row: Row) -> DiskView:
    return DiskView(
        id=row["image_guid"],
        alias=row["disk_alias"],
        vm_id=row["vm_guid"],
        storage_pool_id=row["storage_pool_id"],
        size_gb=row["size_gb"],
        status=row["imagestatus"],
    )


def _data_center(row: Row) -> DataCenterView:
    return DataCenterView(id=row["id"], name=row["name"], status=row["status"])
