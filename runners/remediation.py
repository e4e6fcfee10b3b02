"""Remediation: what redrive, cancel or clear would do to each chosen root command, and doing it.

Each item is planned from the store as it stands, through the domain's own checks, so a plan
names every item and what would happen (or why nothing will); applying records one audited
command (Redrive, Cancel) or one clean-up per item, under one correlation id. Every check
looks at the world, not at a list kept aside, so running a batch again (after a crash half
way, or twice) does each item once: an item already done plans as "skip".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from tasktrail.domain.model.errors import TasktrailError
from tasktrail.domain.model.events import Cause
from tasktrail.domain.model.job.aggregate import Job
from tasktrail.domain.model.step.aggregate import Step
from tasktrail.domain.services import batches, cancel, clearing, redrive
from tasktrail.projections.remediation import cancels_asked
from tasktrail.runners.bootstrap import Runtime
from tasktrail.runners.unit_of_work import UnitOfWork


class Remedy(StrEnum):
    RETRY = "retry"
    """Redrive the failed tree: its undone leaves run again under a new command."""
    CANCEL = "cancel"
    """Stop the running tree's storage tasks (or end it before it runs)."""
    CLEAR = "clear"
    """Clean the failed command's job up now."""


@dataclass
class Item:
    """One chosen root command, what would happen to it, and (once applied) what did."""

    command_id: UUID
    action_type: str
    plan: str
    actionable: bool
    outcome: str = ""

    def as_row(self) -> dict[str, Any]:
        return {**asdict(self), "command_id": str(self.command_id)}


def _uow(runtime: Runtime) -> UnitOfWork:
    runtime.cache.sync(runtime.store.read)
    return runtime.engine.unit_of_work()


def plan(runtime: Runtime, remedy: Remedy, command_id: UUID, action_type: str) -> Item:
    """What ``remedy`` would do to the tree of ``command_id``, asked of the store as it is."""
    try:
        what = _PLANS[remedy](runtime, command_id)
    except TasktrailError as error:
        return Item(command_id, action_type, f"skip: {error}", actionable=False)
    return Item(command_id, action_type, what, actionable=True)


def _plan_retry(runtime: Runtime, command_id: UUID) -> str:
    leaves = redrive.undone(_uow(runtime), command_id)
    redone = ", ".join(f"{leaf.action_type} of {_subject(leaf.parameters)}" for leaf in leaves)
    return f"redrive: run {redone} again"


def _subject(parameters: dict[str, Any]) -> str:
    return f"disk {parameters['disk_id']}" if "disk_id" in parameters else "its parameters"


def _plan_cancel(runtime: Runtime, command_id: UUID) -> str:
    runtime.refresh()
    if cancels_asked(runtime.read_model, command_id):
        raise cancel.CancelError(f"a cancel of {command_id} is already asked")
    root, tasks = cancel.stoppable(runtime.ports, _uow(runtime), command_id)
    if not tasks:
        return f"cancel: end {root.action_type} before it runs"
    return f"cancel: stop {len(tasks)} storage task(s) on the SPM"


def _plan_clear(runtime: Runtime, command_id: UUID) -> str:
    return f"clear: clean job {clearing.job_to_clear(_uow(runtime), command_id).id} up"


_PLANS = {Remedy.RETRY: _plan_retry, Remedy.CANCEL: _plan_cancel, Remedy.CLEAR: _plan_clear}


def apply(runtime: Runtime, remedy: Remedy, item: Item, cause: Cause) -> UUID | None:
    """Does what ``item`` plans; returns the command recorded (None for a clean-up).

    Raises TasktrailError when the world changed since the plan and the remedy is refused.
    """
    if remedy is Remedy.CLEAR:
        uow = _uow(runtime)
        clearing.clear(uow, cause, item.command_id)
        uow.commit()
        item.outcome = "cleared"
        return None
    action = "Redrive" if remedy is Remedy.RETRY else "Cancel"
    returned = runtime.engine.run_action(
        action,
        {"command_id": str(item.command_id)},
        user=cause.user_id,
        correlation_id=cause.correlation_id,
    )
    if not returned.valid:
        raise RemedyRefusedError(f"{action} refused: {', '.join(returned.validation_messages)}")
    item.outcome = f"{action} {returned.command_id} recorded"
    return returned.command_id


class RemedyRefusedError(TasktrailError):
    """The remedy's command was refused at validation (the world changed since the plan)."""


Progress = Callable[[int, int], None]


def run_batch(
    runtime: Runtime,
    remedy: Remedy,
    items: list[Item],
    cause: Cause,
    *,
    stop_on_error: bool = False,
    report: Progress | None = None,
) -> UUID | None:
    """Every item to do, each a step of the batch's job; returns the job (None: nothing to do).

    An item an earlier run began (killed before its step ended) is finished: done again if
    its plan still says so, else marked done.
    """
    ids = [i.command_id for i in items]
    earlier = batches.running_batch(_uow(runtime), remedy.value, ids)
    todo = [i for i in items if i.actionable or _begun(runtime, earlier, i)]
    if not todo:
        return None
    description = f"remediate --{remedy.value}: {len(items)} command(s)"
    job_id = _saved(
        runtime, lambda uow: batches.open_batch(uow, cause, remedy.value, ids, description).id
    )
    refused = 0
    for done, item in enumerate(todo, start=1):
        refused += not _item(runtime, remedy, job_id, item, cause)
        if report is not None:
            report(done, len(todo))
        if refused and stop_on_error:
            break
    _saved(runtime, lambda uow: batches.close_batch(uow, cause, uow.get(Job, job_id), refused))
    return job_id


def _begun(runtime: Runtime, job: Job | None, item: Item) -> bool:
    return job is not None and batches.begun(_uow(runtime), job.id, item.command_id) is not None


T = TypeVar("T")


def _saved(runtime: Runtime, decide: Callable[[UnitOfWork], T]) -> T:
    uow = _uow(runtime)
    decided = decide(uow)
    uow.commit()
    return decided


def _item(runtime: Runtime, remedy: Remedy, job_id: UUID, item: Item, cause: Cause) -> bool:
    """One item as one step: begun, the remedy applied, ended; False if it was refused."""
    what = f"{remedy.value} {item.action_type} {item.command_id}"
    step_id = _saved(
        runtime,
        lambda uow: batches.begin_item(uow, cause, uow.get(Job, job_id), item.command_id, what).id,
    )
    succeeded = True
    if not item.actionable:
        item.outcome = f"done by the run before ({item.plan})"
    else:
        try:
            apply(runtime, remedy, item, cause)
        except TasktrailError as error:
            item.outcome, succeeded = f"refused: {error}", False
    _saved(
        runtime,
        lambda uow: batches.end_item(uow.get(Step, step_id), cause, succeeded, item.outcome),
    )
    return succeeded
