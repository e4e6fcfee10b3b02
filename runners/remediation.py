"""Remediation: what redrive, cancel or clear would do to each chosen root command, and doing it.

Each item is planned from the store as it stands, through the domain's own checks, so a plan
names every item and what would happen (or why nothing will); applying records one audited
command (Redrive, Cancel) or one clean-up per item, under one correlation id. Every check
looks at the world, not at a list kept aside, so running a batch again (after a crash half
way, or twice) does each item once: an item already done plans as "skip".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.model.errors import TasktrailError
from domain.model.events import Cause
from domain.services import cancel, clearing, redrive
from projections.remediation import cancels_asked
from runners.bootstrap import Runtime
from runners.unit_of_work import UnitOfWork


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
