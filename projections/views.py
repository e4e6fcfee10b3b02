"""What tasktrail's CLI and API show of jobs, steps and tasks: oVirt's rows with tasktrail's facts.

oVirt's tables hold oVirt's values (an owner's uuid, a task's status as oVirt writes it); the
``tt_*`` tables hold what tasktrail knows besides. These selects put them side by side under
the names tasktrail's readers have always used, so the readers change with neither.
"""

from __future__ import annotations

import sqlalchemy as sa

from tasktrail.projections.ovirt_codes import ASYNC_TASK_TYPE
from tasktrail.projections.tables import Tables


def jobs(tables: Tables) -> sa.Subquery:
    """``job`` with its owner's name, why it failed and which step failed it."""
    j, t = tables.job, tables.tt_job
    return (
        sa.select(j, t.c.owner, t.c.reason, t.c.failed_step_id)
        .select_from(j.outerjoin(t, t.c.job_id == j.c.job_id))
        .subquery("jobs")
    )


def steps(tables: Tables) -> sa.Subquery:
    """``step`` with why it failed; the storage task's id as text, as the SPM gives it."""
    s, t = tables.step, tables.tt_step
    columns = [c for c in s.c if c.name != "external_id"]
    external = sa.cast(s.c.external_id, sa.String(36)).label("external_id")
    return (
        sa.select(*columns, external, t.c.reason)
        .select_from(s.outerjoin(t, t.c.step_id == s.c.step_id))
        .subquery("steps")
    )


def tasks(tables: Tables) -> sa.Subquery:
    """``async_tasks`` as the engine polls them: its state, the SPM's last reported status and
    result, and the root of its command's family (not oVirt's ``root_command_id``, which is
    the command that ends the task)."""
    a, t = tables.async_tasks, tables.tt_async_task
    names = {code: name for name, code in ASYNC_TASK_TYPE.items()}
    return (
        sa.select(
            a.c.task_id,
            sa.case(names, value=a.c.task_type, else_="unknown").label("task_type"),
            t.c.task_state,
            t.c.status,
            t.c.result,
            a.c.command_id,
            t.c.root_command_id,
            a.c.step_id,
            a.c.storage_pool_id,
            t.c.vdsm_task_id,
            a.c.started_at,
            t.c.last_update,
            t.c.error,
        )
        .select_from(a.join(t, t.c.task_id == a.c.task_id))
        .subquery("tasks")
    )
